//! Altinity Cloud Manager API (26.1.59), generated from `specs/acm/effective.json`.
//!
//! ACM's responses disagree with its document in predictable ways (numbers and booleans sent as
//! strings, `0/1` booleans): the spec's scalar properties decode through the tolerant types in
//! [`wire`].

crate::generated_client!("acm");

#[cfg(feature = "mock")]
pub mod mock;
pub mod wire;

pub mod auth;
pub mod wait;

use crate::core::ApiProfile;

/// What is special about ACM: a 2xx answer can carry an error in its `{data, error}`
/// envelope, and API keys expire.
pub const PROFILE: ApiProfile = ApiProfile::new("acm")
    .with_envelope_errors()
    .hinting(auth::KEY_HINT);

crate::core::dispatch::wire_client!();
