//! Apache Airflow 2 stable REST API (`/api/v1`), generated from `specs/airflow/effective.json`.

crate::generated_client!("airflow");

pub mod auth;
#[cfg(feature = "mock")]
pub mod mock;
pub mod wait;

use crate::core::ApiProfile;

/// What is special about Airflow 2: 2.11 answers wrong credentials with 403 (2.10 answered
/// 401), so both are rejections.
pub const PROFILE: ApiProfile =
    ApiProfile::new("airflow").rejecting(|status, _| matches!(status.as_u16(), 401 | 403));

crate::core::dispatch::wire_client!();
