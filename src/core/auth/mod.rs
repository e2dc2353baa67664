//! Credentials for the generated clients: fixed headers (API keys, application tokens, Basic)
//! and expiring tokens behind a single-flight [`TokenCache`].

#[cfg(any(feature = "airflow", feature = "airflow3"))]
pub mod airflow;
mod store;
mod token;

use std::fmt;

use reqwest::header::{HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};

pub use store::{FileTokenStore, MemoryTokenStore, TokenStore};
pub use token::{RefreshPolicy, Token, TokenCache, TokenSource};

use super::redact::excerpt;

/// What went wrong while obtaining or using a credential. Never contains a secret.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{api}: {step} failed{}: {detail}", status.map(|s| format!(" (HTTP {s})")).unwrap_or_default())]
pub struct AuthError {
    /// The API (`galaxy`, `acm`, …).
    pub api: &'static str,
    /// The step: `token endpoint`, `login`, `device poll`, `exchange`, `configuration`, …
    pub step: &'static str,
    /// The HTTP status, when the step got one.
    pub status: Option<u16>,
    /// What happened: a bounded, redacted excerpt of the answer, or a plain explanation.
    pub detail: String,
    /// The kind of failure, for matching.
    pub kind: AuthErrorKind,
}

/// Kinds of [`AuthError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthErrorKind {
    /// The credentials were refused (wrong, expired or revoked).
    Rejected,
    /// The endpoint answered with something unusable (5xx, malformed body).
    Endpoint,
    /// The endpoint could not be reached.
    Transport,
    /// The credentials are missing, malformed, or configured twice.
    Configuration,
    /// A device authorization expired before the user approved it.
    Expired,
    /// The user denied the device authorization.
    Denied,
    /// Persisting a credential failed.
    Store,
}

impl AuthError {
    /// A failure answered by an endpoint: rejected for 400/401/403, an endpoint error otherwise.
    pub fn token_endpoint(
        api: &'static str,
        step: &'static str,
        status: Option<u16>,
        body: &str,
    ) -> Self {
        let kind = match status {
            Some(400 | 401 | 403) => AuthErrorKind::Rejected,
            _ => AuthErrorKind::Endpoint,
        };
        Self {
            api,
            step,
            status,
            detail: excerpt(body),
            kind,
        }
    }

    /// A failure that happened before any answer.
    pub fn new(
        api: &'static str,
        step: &'static str,
        kind: AuthErrorKind,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            api,
            step,
            status: None,
            detail: detail.into(),
            kind,
        }
    }
}

/// Sends a request to a token, login or exchange endpoint and returns its body on success;
/// otherwise an [`AuthError`] naming `api` and `step` with the status and a redacted excerpt.
/// Only the APIs with a token endpoint use it.
#[cfg_attr(
    not(any(feature = "galaxy", feature = "biganimal", feature = "airflow3")),
    allow(dead_code)
)]
pub(crate) async fn endpoint_answer(
    api: &'static str,
    step: &'static str,
    request: reqwest::RequestBuilder,
) -> Result<String, AuthError> {
    let transport = |e: reqwest::Error| {
        AuthError::new(
            api,
            step,
            AuthErrorKind::Transport,
            e.without_url().to_string(),
        )
    };
    let response = request.send().await.map_err(transport)?;
    let status = response.status();
    let body = response.text().await.map_err(transport)?;
    if !status.is_success() {
        return Err(AuthError::token_endpoint(
            api,
            step,
            Some(status.as_u16()),
            &body,
        ));
    }
    Ok(body)
}

/// How a client authenticates its requests.
#[derive(Clone)]
pub enum Credential {
    /// A fixed header: an API key, an application token, `Basic …`.
    Header {
        /// Header name (`Authorization`, `X-Auth-Token`, `x-access-key`).
        name: HeaderName,
        /// The full header value.
        value: SecretString,
    },
    /// A token from a cache, refreshed when it expires or is rejected.
    Token {
        /// Header name the token goes in.
        name: HeaderName,
        /// Prefix before the token (`"Bearer "`), or empty.
        prefix: &'static str,
        /// Where tokens come from.
        cache: TokenCache,
    },
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Header { name, .. } => f
                .debug_struct("Header")
                .field("name", name)
                .field("value", &"[redacted]")
                .finish(),
            Self::Token {
                name,
                prefix,
                cache,
            } => f
                .debug_struct("Token")
                .field("name", name)
                .field("prefix", prefix)
                .field("cache", cache)
                .finish(),
        }
    }
}

impl Credential {
    /// `Authorization: Bearer <token>` with a fixed token.
    pub fn bearer(token: &SecretString) -> Self {
        Self::Header {
            name: reqwest::header::AUTHORIZATION,
            value: SecretString::from(format!("Bearer {}", token.expose_secret())),
        }
    }

    /// `Authorization: Bearer <token>` with tokens from `source`, cached and refreshed.
    pub fn bearer_tokens(source: impl TokenSource, policy: RefreshPolicy) -> Self {
        Self::Token {
            name: reqwest::header::AUTHORIZATION,
            prefix: "Bearer ",
            cache: TokenCache::new(source, policy),
        }
    }

    /// `Authorization: Basic base64(user:password)`.
    pub fn basic(user: &str, password: &SecretString) -> Self {
        use base64::Engine;
        let raw = format!("{user}:{}", password.expose_secret());
        let encoded = base64::engine::general_purpose::STANDARD.encode(raw);
        Self::Header {
            name: reqwest::header::AUTHORIZATION,
            value: SecretString::from(format!("Basic {encoded}")),
        }
    }

    /// A fixed header with the secret as its whole value.
    pub fn header(name: HeaderName, value: &SecretString) -> Self {
        Self::Header {
            name,
            value: value.clone(),
        }
    }

    /// The header name this credential writes (stripped on cross-origin redirects).
    pub fn header_name(&self) -> &HeaderName {
        match self {
            Self::Header { name, .. } | Self::Token { name, .. } => name,
        }
    }

    /// The header to send now, fetching a token when needed.
    pub(crate) async fn header_value(&self) -> Result<HeaderValue, AuthError> {
        let value =
            match self {
                Self::Header { value, .. } => HeaderValue::from_str(value.expose_secret())
                    .ok()
                    .map(|mut v| {
                        v.set_sensitive(true);
                        v
                    }),
                // Built once per token, not per request.
                Self::Token { prefix, cache, .. } => cache.header(prefix).await?,
            };
        value.ok_or_else(|| {
            AuthError::new(
                "dataplat",
                "configuration",
                AuthErrorKind::Configuration,
                "credential is not a valid header value",
            )
        })
    }

    /// After a 401 for a request sent with `sent`: whether a replay with a fresh token can help.
    pub(crate) fn invalidate(&self, sent: &HeaderValue) -> bool {
        match self {
            Self::Header { .. } => false,
            Self::Token { prefix, cache, .. } => {
                let sent = sent.to_str().unwrap_or_default();
                cache.invalidate(sent.strip_prefix(prefix).unwrap_or(sent))
            }
        }
    }
}
