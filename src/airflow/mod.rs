//! Apache Airflow 2 stable REST API (`/api/v1`), generated from `specs/airflow/effective.json`.

/// The progenitor output. Item docs come from the spec's descriptions, which do not cover
/// every item and are vendor prose, not Rust docs: `missing_docs` and clippy stay strict for
/// the crate's own code and are relaxed here only. rustc's own warnings stay on.
#[allow(missing_docs, clippy::all)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/airflow.rs"));
}

pub mod auth;
pub mod wait;
pub use generated::*;

use crate::core::ApiProfile;

/// What is special about Airflow 2: 2.11 answers wrong credentials with 403 (2.10 answered
/// 401), so both are rejections.
pub const PROFILE: ApiProfile =
    ApiProfile::new("airflow").rejecting(|status, _| matches!(status.as_u16(), 401 | 403));

crate::core::dispatch::wire_client!();
