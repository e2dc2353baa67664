//! Typed clients for managed data-platform control planes, generated at build time from the
//! vendors' OpenAPI documents (vendored under `specs/`, patched with reasons) by progenitor.
//!
//! One module per API, each behind a cargo feature of the same name (all on by default):
//!
//! | module | API | feature |
//! |---|---|---|
//! | [`astra`] | DataStax Astra DevOps API v2 | `astra` |
//! | [`galaxy`] | Starburst Galaxy public API v1 | `galaxy` |
//! | [`acm`] | Altinity Cloud Manager API | `acm` |
//! | [`airflow`] | Apache Airflow 2 stable REST API (`/api/v1`) | `airflow` |
//! | [`airflow3`] | Apache Airflow 3 public REST API (`/api/v2`), from its OpenAPI 3.1 document | `airflow3` |
//! | [`biganimal`] | EDB BigAnimal API v3 (document authored here from public facts) | `biganimal` |
//!
//! Every request of every client goes through [`core`]. The core:
//! - sets dataplat's `User-Agent` (progenitor's `api-version` header is removed from the
//!   generated code);
//! - adds credentials, refreshing tokens single-flight;
//! - retries with backoff and rate-limits;
//! - keeps credentials off other origins;
//! - turns failures into one [`core::Error`] that names the call.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let password = dataplat::SecretString::from("admin");
//! let airflow = dataplat::airflow::Client::with_password("http://localhost:8080/api/v1", "admin", &password);
//! let dags = airflow.get_dags().limit(10).send().await?;
//! for dag in &dags.dags {
//!     println!("{:?}", dag.dag_id);
//! }
//! # Ok(()) }
//! ```
#![warn(missing_docs)]

// Lets `x-rust-type` paths in patched specs (`dataplat::acm::wire::LooseInt`) resolve inside
// this crate, where the generated code lives.
extern crate self as dataplat;

pub mod core;

/// One API's generated client: the progenitor output for `specs/<name>/effective.json`,
/// written by build.rs into `OUT_DIR`, included here and re-exported. Item docs come from the
/// spec's descriptions, which do not cover every item and are vendor prose, not Rust docs:
/// `missing_docs` and clippy stay strict for the crate's own code and are relaxed for the
/// generated module only. rustc's own warnings stay on.
macro_rules! generated_client {
    ($name:literal) => {
        #[allow(missing_docs, clippy::all)]
        mod generated {
            include!(concat!(env!("OUT_DIR"), "/", $name, ".rs"));
        }
        pub use generated::*;
        /// progenitor's httpmock helpers for this API (the `mock` feature); the API's `mock`
        /// module re-exports them with its auth endpoints.
        #[cfg(feature = "mock")]
        #[allow(missing_docs, clippy::all, unused_imports)]
        mod generated_mock {
            include!(concat!(env!("OUT_DIR"), "/", $name, "_mock.rs"));
        }
    };
}
#[allow(unused_imports)]
pub(crate) use generated_client;

/// Secrets are passed as `secrecy` strings; re-exported so callers need no extra dependency.
pub use secrecy::{ExposeSecret, SecretString};

/// The HTTP library underneath, re-exported to configure [`core::HttpClient`] (root
/// certificates, proxies, identities) with the very version dataplat uses.
pub use reqwest;

#[cfg(any(feature = "airflow", feature = "airflow3"))]
mod airflow_common;

#[cfg(feature = "acm")]
pub mod acm;
#[cfg(feature = "airflow")]
pub mod airflow;
#[cfg(feature = "airflow3")]
pub mod airflow3;
#[cfg(feature = "astra")]
pub mod astra;
#[cfg(feature = "biganimal")]
pub mod biganimal;
#[cfg(feature = "galaxy")]
pub mod galaxy;

/// The README's examples, compiled as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;
