//! Airflow authentication, in the three forms Airflow deployments accept.
//!
//! | deployment | header | base URL |
//! |---|---|---|
//! | self-hosted / local | `Authorization: Basic base64(user:password)` | `http://localhost:8080/api/v1` |
//! | Astronomer Software | `Authorization: <service-account key>` (raw) | `https://deployments.<base-domain>/<release-name>/airflow/api/v1` |
//! | Astro | `Authorization: Bearer <deployment API token>` | `<deployment URL>/api/v1` |

use reqwest::header::AUTHORIZATION;
use secrecy::SecretString;

use crate::airflow_common::{Configured, load};
use crate::core::{AuthError, Context, Credential};

pub use crate::airflow_common::{ASTRO_TOKEN, ASTRONOMER_KEY, BASE_URL, PASSWORD, USERNAME};

use super::PROFILE;

const API: &str = PROFILE.name;

/// The base URL of an Astronomer Software deployment's Airflow API.
pub fn astronomer_software_url(base_domain: &str, release_name: &str) -> String {
    format!("https://deployments.{base_domain}/{release_name}/airflow/api/v1")
}

impl super::Client {
    /// A username and password, as Basic auth (self-hosted Airflow with
    /// `airflow.api.auth.backend.basic_auth`).
    pub fn with_password(base_url: &str, username: &str, password: &SecretString) -> Self {
        Self::with_context(
            base_url,
            Context::new(&PROFILE).with_credential(Credential::basic(username, password)),
        )
    }

    /// Same as [`with_password`](Self::with_password).
    #[deprecated(
        since = "0.2.0",
        note = "use `with_password`: the same name in every API"
    )]
    pub fn with_basic_auth(base_url: &str, user: &str, password: &SecretString) -> Self {
        Self::with_password(base_url, user, password)
    }

    /// An API key: an Astronomer Software service-account key, sent raw as
    /// `Authorization: <key>`.
    pub fn with_api_key(base_url: &str, key: &SecretString) -> Self {
        Self::with_context(
            base_url,
            Context::new(&PROFILE).with_credential(Credential::header(AUTHORIZATION, key)),
        )
    }

    /// Same as [`with_api_key`](Self::with_api_key).
    #[deprecated(
        since = "0.2.0",
        note = "use `with_api_key`: the same name in every API"
    )]
    pub fn with_astronomer_key(base_url: &str, key: &SecretString) -> Self {
        Self::with_api_key(base_url, key)
    }

    /// An Astro deployment API token, sent as `Authorization: Bearer <token>`, with Astro's
    /// per-token rate limits.
    pub fn with_bearer_token(base_url: &str, token: &SecretString) -> Self {
        Self::with_context(base_url, crate::airflow_common::astro(&PROFILE, token))
    }
}

impl super::Client {
    /// An Airflow client from the environment (`AIRFLOW_API_URL` plus exactly one of
    /// `AIRFLOW_USERNAME`/`AIRFLOW_PASSWORD`, `ASTRONOMER_SERVICE_ACCOUNT_KEY`, `ASTRO_API_TOKEN`)
    /// or a profile's `[<profile>.airflow]` table. Two credential kinds at once is an error.
    pub fn from_config(profile: Option<&str>) -> Result<Self, AuthError> {
        Ok(match load(API, profile)? {
            Configured::Password {
                base,
                username,
                password,
            } => Self::with_password(&base, &username, &password),
            Configured::AstronomerKey { base, key } => Self::with_api_key(&base, &key),
            Configured::AstroToken { base, token } => Self::with_bearer_token(&base, &token),
        })
    }
}
