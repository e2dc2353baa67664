//! EDB BigAnimal API v3, generated from `specs/biganimal/effective.json`.
//!
//! EDB publishes no public v3 document; `specs/biganimal/upstream/biganimal-v3.yaml` is written
//! here from the facts EDB's own tooling shows (its `source.toml` says which). Operations only
//! an unmerged Terraform branch calls (`get_deleted_cluster`, `restore_cluster`,
//! `restore_deleted_cluster`) say "Unconfirmed" in their docs.
//!
//! Authenticate with an access key ([`auth::access_key`], header `x-access-key`) or the device
//! flow ([`DeviceLogin`]).

crate::generated_client!("biganimal");

pub mod auth;
mod helpers;
#[cfg(feature = "mock")]
pub mod mock;
pub mod wait;
pub use helpers::{CONDITION_DEPLOYED, PHASE_HEALTHY, PHASE_PAUSED, PHASE_WAITING_FOR_KEY};

pub use auth::{DeviceLogin, DevicePrompt};

use crate::core::ApiProfile;

/// BigAnimal has nothing special for the core: 401 is its rejection, and it sets no rate
/// limits.
pub const PROFILE: ApiProfile = ApiProfile::new("biganimal");

crate::core::dispatch::wire_client!();
