//! Altinity Cloud Manager API (26.1.59), generated from `specs/acm/effective.json`.
//!
//! ACM's responses disagree with its document in predictable ways (numbers and booleans sent as
//! strings, `0/1` booleans): the spec's scalar properties decode through the tolerant types in
//! [`wire`].

/// The progenitor output. Item docs come from the spec's descriptions, which do not cover
/// every item and are vendor prose, not Rust docs: `missing_docs` and clippy stay strict for
/// the crate's own code and are relaxed here only. rustc's own warnings stay on.
#[allow(missing_docs, clippy::all)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/acm.rs"));
}

pub mod wire;

pub mod auth;
pub mod wait;
pub use generated::*;

use crate::core::ApiProfile;

/// What is special about ACM: a 2xx answer can carry an error in its `{data, error}`
/// envelope, and API keys expire.
pub const PROFILE: ApiProfile = ApiProfile::new("acm")
    .with_envelope_errors()
    .hinting(auth::KEY_HINT);

crate::core::dispatch::wire_client!();
