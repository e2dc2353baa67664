//! A mock answer that is not the operation's documented type does not compile: the fixture of
//! a test cannot drift from the document unnoticed (`tests/ui/mock_wrong_then_body.rs`).

#[test]
fn a_wrong_then_body_does_not_compile() {
    trybuild::TestCases::new().compile_fail("tests/ui/mock_wrong_then_body.rs");
}
