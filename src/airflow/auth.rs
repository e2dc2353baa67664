//! Airflow authentication, in the three forms Airflow deployments accept.
//!
//! | deployment | header | base URL |
//! |---|---|---|
//! | self-hosted / local | `Authorization: Basic base64(user:password)` | `http://localhost:8080/api/v1` |
//! | Astronomer Software | `Authorization: <service-account key>` (raw) | `https://deployments.<base-domain>/<release-name>/airflow/api/v1` |
//! | Astro | `Authorization: Bearer <deployment API token>` | `<deployment URL>/api/v1` |

use reqwest::header::AUTHORIZATION;
use secrecy::SecretString;

use crate::core::config::{Key, Settings};
use crate::core::{AuthError, AuthErrorKind, Context, Credential};

const API: &str = "airflow";
/// `AIRFLOW_API_URL`: the API base URL (`…/api/v1`).
pub const BASE_URL: Key = Key {
    name: "base_url",
    env: "AIRFLOW_API_URL",
};
/// `AIRFLOW_USERNAME` (Basic auth).
pub const USERNAME: Key = Key {
    name: "username",
    env: "AIRFLOW_USERNAME",
};
/// `AIRFLOW_PASSWORD` (Basic auth).
pub const PASSWORD: Key = Key {
    name: "password",
    env: "AIRFLOW_PASSWORD",
};
/// `ASTRONOMER_SERVICE_ACCOUNT_KEY` (Astronomer Software, sent raw).
pub const ASTRONOMER_KEY: Key = Key {
    name: "astronomer_key",
    env: "ASTRONOMER_SERVICE_ACCOUNT_KEY",
};
/// `ASTRO_API_TOKEN`, as the Astro CLI names it (Astro, sent as a bearer token).
pub const ASTRO_TOKEN: Key = Key {
    name: "astro_token",
    env: "ASTRO_API_TOKEN",
};

/// The base URL of an Astronomer Software deployment's Airflow API.
pub fn astronomer_software_url(base_domain: &str, release_name: &str) -> String {
    format!("https://deployments.{base_domain}/{release_name}/airflow/api/v1")
}

impl super::Client {
    /// Basic auth (self-hosted Airflow with `airflow.api.auth.backend.basic_auth`).
    pub fn with_basic_auth(base_url: &str, user: &str, password: &SecretString) -> Self {
        Self::with_context(
            base_url,
            Context::new(API).with_credential(Credential::basic(user, password)),
        )
    }

    /// An Astronomer Software service-account key, sent raw as `Authorization: <key>`.
    pub fn with_astronomer_key(base_url: &str, key: &SecretString) -> Self {
        Self::with_context(
            base_url,
            Context::new(API).with_credential(Credential::header(AUTHORIZATION, key)),
        )
    }

    /// An Astro deployment API token, sent as `Authorization: Bearer <token>`.
    pub fn with_bearer_token(base_url: &str, token: &SecretString) -> Self {
        Self::with_context(
            base_url,
            Context::new(API).with_credential(Credential::bearer(token)),
        )
    }
}

impl super::Client {
    /// An Airflow client from the environment (`AIRFLOW_API_URL` plus exactly one of
    /// `AIRFLOW_USERNAME`/`AIRFLOW_PASSWORD`, `ASTRONOMER_SERVICE_ACCOUNT_KEY`, `ASTRO_API_TOKEN`)
    /// or a profile's `[<profile>.airflow]` table. Two credential kinds at once is an error.
    pub fn from_config(profile: Option<&str>) -> Result<Self, AuthError> {
        let s = Settings::load(
            API,
            &[BASE_URL, USERNAME, PASSWORD, ASTRONOMER_KEY, ASTRO_TOKEN],
            profile,
        )?;
        let base = s.require(&BASE_URL)?;
        let kinds = [
            s.get(&USERNAME).is_some(),
            s.get(&ASTRONOMER_KEY).is_some(),
            s.get(&ASTRO_TOKEN).is_some(),
        ];
        match kinds {
            [true, false, false] => Ok(Self::with_basic_auth(
                &base,
                &s.require(&USERNAME)?,
                &s.secret(&PASSWORD)?,
            )),
            [false, true, false] => Ok(Self::with_astronomer_key(
                &base,
                &s.secret(&ASTRONOMER_KEY)?,
            )),
            [false, false, true] => Ok(Self::with_bearer_token(&base, &s.secret(&ASTRO_TOKEN)?)),
            [false, false, false] => Err(AuthError::new(
                API,
                "configuration",
                AuthErrorKind::Configuration,
                "no credential: set AIRFLOW_USERNAME and AIRFLOW_PASSWORD, ASTRONOMER_SERVICE_ACCOUNT_KEY, or ASTRO_API_TOKEN",
            )),
            _ => Err(AuthError::new(
                API,
                "configuration",
                AuthErrorKind::Configuration,
                "more than one credential kind is configured (basic, Astronomer key, Astro token); keep one",
            )),
        }
    }
}
