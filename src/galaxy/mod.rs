//! Starburst Galaxy public API (v1), generated from `specs/galaxy/effective.json`.

/// The progenitor output. Item docs come from the spec's descriptions, which do not cover
/// every item; the module-level allow keeps the crate's own `missing_docs` strict.
#[allow(missing_docs)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/galaxy.rs"));
}

pub use generated::*;

crate::core::hooks::wire_client!("galaxy");
