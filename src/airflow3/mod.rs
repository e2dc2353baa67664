//! Apache Airflow 3 public REST API (`/api/v2`), generated from `specs/airflow3/effective.json`
//! (the 3.1 document of apache-airflow-core 3.3.2, downgraded to OpenAPI 3.0.3 by
//! `cargo xtask specs normalize`).
//!
//! Authentication: a JWT from `POST /auth/token` (username + password), refreshed through the
//! shared token cache, or an Astro deployment API token used as the bearer directly.

crate::generated_client!("airflow3");

pub mod auth;
#[cfg(feature = "mock")]
pub mod mock;
pub mod wait;

use crate::core::{ApiProfile, detail_is};

/// What is special about Airflow 3: it answers an expired JWT with 401, but one it cannot
/// verify (forged, or signed with a secret the server no longer has, as after a restart
/// without a configured secret) with 403 `{"detail": "Invalid JWT token"}`: both are
/// rejections. A 403 for a valid token lacking a permission says something else and stays an
/// error status.
pub const PROFILE: ApiProfile = ApiProfile::new("airflow3").rejecting(|status, body| {
    status.as_u16() == 401 || (status.as_u16() == 403 && detail_is(body, "Invalid JWT token"))
});

crate::core::dispatch::wire_client!();
