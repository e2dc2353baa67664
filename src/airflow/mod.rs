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

// Wrong credentials answer 403 here, which `core::hooks::rejection_rule` counts as a rejection.
crate::core::hooks::wire_client!("airflow");
