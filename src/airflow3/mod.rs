//! Apache Airflow 3 public REST API (`/api/v2`), generated from `specs/airflow3/effective.json`
//! (the 3.1 document of apache-airflow-core 3.3.2, downgraded to OpenAPI 3.0.3 by
//! `cargo xtask specs normalize`).
//!
//! Authentication: a JWT from `POST /auth/token` (username + password), refreshed through the
//! shared token cache, or an Astro deployment API token used as the bearer directly.

/// The progenitor output. Item docs come from the spec's descriptions, which do not cover
/// every item: `missing_docs` and clippy stay strict for the crate's own code and are relaxed
/// here only. rustc's own warnings stay on.
#[allow(missing_docs, clippy::all)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/airflow3.rs"));
}

pub mod auth;
pub mod wait;
pub use generated::*;

// Airflow 3 answers an expired token with 401 and an unverifiable one with 403 "Invalid JWT
// token", both rejections; a 403 for a valid token without the permission is not
// (`core::hooks::rejection_rule`).
crate::core::hooks::wire_client!("airflow3");
