//! Nothing to link: this crate holds compile-fail tests of dataplat's typed mocks
//! (`tests/mock_compile_fail.rs`), apart from the root crate so that trybuild's own build of
//! their dependencies stays small.
