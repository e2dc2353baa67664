//! Altinity Cloud Manager API (26.1.59), generated from `specs/acm/effective.json`.
//!
//! ACM's responses disagree with its document in predictable ways (numbers and booleans sent as
//! strings, `0/1` booleans): the spec's scalar properties decode through the tolerant types in
//! [`wire`].

/// The progenitor output. Item docs come from the spec's descriptions, which do not cover
/// every item; the module-level allow keeps the crate's own `missing_docs` strict.
#[allow(missing_docs)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/acm.rs"));
}

pub mod wire;

pub use generated::*;

crate::core::hooks::wire_client!("acm");
