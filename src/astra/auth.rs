//! Astra DevOps authentication: an application token (`AstraCS:…`) as a bearer token.

use secrecy::{ExposeSecret, SecretString};

use crate::core::config::{Key, Settings};
use crate::core::{AuthError, AuthErrorKind, Context, Credential};

use super::PROFILE;

const API: &str = PROFILE.name;
/// The DevOps API's base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.astra.datastax.com";
/// `ASTRA_DB_APPLICATION_TOKEN`, as DataStax's own tools name it.
pub const TOKEN: Key = Key {
    name: "token",
    env: "ASTRA_DB_APPLICATION_TOKEN",
};

/// How strictly to check the token's shape before sending it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TokenFormat {
    /// Require the `AstraCS:` prefix of application tokens (default).
    #[default]
    ApplicationToken,
    /// Send whatever was given (tests, proxies, future token kinds).
    Any,
}

/// Checks the token's shape; the error says what is wrong without repeating the token.
pub fn validate_token(token: &SecretString, format: TokenFormat) -> Result<(), AuthError> {
    let t = token.expose_secret();
    let problem = if t.trim().is_empty() {
        Some("the application token is empty")
    } else if t.trim() != t {
        Some("the application token has surrounding whitespace")
    } else if format == TokenFormat::ApplicationToken && !t.starts_with("AstraCS:") {
        Some(
            "this does not look like an Astra application token (they start with `AstraCS:`); pass TokenFormat::Any to send it anyway",
        )
    } else {
        None
    };
    match problem {
        Some(p) => Err(AuthError::new(
            API,
            "configuration",
            AuthErrorKind::Configuration,
            p,
        )),
        None => Ok(()),
    }
}

impl super::Client {
    /// An Astra client for `base_url` with an application token (`AstraCS:…`), sent as
    /// `Authorization: Bearer <token>`; a token of another shape is refused before anything is
    /// sent (see [`with_token`](Self::with_token) to send it anyway).
    pub fn with_bearer_token(base_url: &str, token: &SecretString) -> Result<Self, AuthError> {
        Self::with_token(base_url, token, TokenFormat::ApplicationToken)
    }

    /// An Astra client for `base_url` sending `Authorization: Bearer <token>`, checked as
    /// `format` says.
    pub fn with_token(
        base_url: &str,
        token: &SecretString,
        format: TokenFormat,
    ) -> Result<Self, AuthError> {
        validate_token(token, format)?;
        Ok(Self::with_context(
            base_url,
            Context::new(&PROFILE).with_credential(Credential::bearer(token)),
        ))
    }

    /// An Astra client for the public API from `ASTRA_DB_APPLICATION_TOKEN`, or from a profile's
    /// `[<profile>.astra]` table; a token set differently in both is an error.
    pub fn from_config(profile: Option<&str>) -> Result<Self, AuthError> {
        let s = Settings::load(API, &[TOKEN], profile)?;
        Self::with_bearer_token(DEFAULT_BASE_URL, &s.secret(&TOKEN)?)
    }
}
