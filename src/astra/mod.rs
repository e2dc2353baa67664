//! DataStax Astra DevOps API (v2), generated from `specs/astra/effective.json`: the docs-site
//! document plus six operations grafted from astra-client-go's (129 operations).

crate::generated_client!("astra");

pub mod auth;
#[cfg(feature = "mock")]
pub mod mock;
pub mod wait;

pub use auth::TokenFormat;

/// Operations whose bodies Astra expects as `application/scim+json`. The spec patch moved them to
/// `application/json` (all progenitor can serialise); the wire media type is restored here.
/// progenitor's hooks see method names (`create_scim_user`), not the spec's operationIds.
const SCIM_OPERATIONS: [&str; 6] = [
    "create_scim_user",
    "update_scim_user",
    "patch_scim_user",
    "create_scim_group",
    "update_scim_group",
    "patch_scim_group",
];

fn restore_scim_media_type(request: &mut reqwest::Request, operation: &str) {
    if SCIM_OPERATIONS.contains(&operation) {
        request.headers_mut().insert(
            reqwest::header::CONTENT_TYPE,
            reqwest::header::HeaderValue::from_static("application/scim+json"),
        );
    }
}

use crate::core::ApiProfile;

/// Astra has nothing special for the core: 401 is its rejection, and it sets no rate limits.
pub const PROFILE: ApiProfile = ApiProfile::new("astra");

crate::core::dispatch::wire_client!(restore_scim_media_type);
