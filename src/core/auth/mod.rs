//! Credentials for the generated clients: fixed headers (API keys, application tokens, Basic)
//! and expiring tokens behind a single-flight [`TokenCache`].

mod exchange;
mod store;
mod token;

use std::fmt;

use reqwest::header::{HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};

pub use exchange::{TokenAnswer, TokenClient};
pub use store::{FileTokenStore, MemoryTokenStore, StoreLock, TokenStore};
pub use token::{
    MAX_TOKEN_LIFETIME, MIN_TOKEN_LIFETIME, RefreshPolicy, Token, TokenCache, TokenSource,
};

use super::redact::{Secrets, excerpt};
pub use super::transport::Replay;

/// What went wrong while obtaining or using a credential. Never contains a secret.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{api}: {step} failed{}: {detail}", status.map(|s| format!(" (HTTP {s})")).unwrap_or_default())]
pub struct AuthError {
    /// The API (its module name).
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

/// How a client authenticates its requests.
///
/// Each credential knows its secrets (the header value, the parts it was made from, and for
/// tokens every token fetched): the client redacts them, by value, from its errors and logs.
#[derive(Clone)]
pub struct Credential {
    kind: Kind,
    secrets: Secrets,
}

#[derive(Clone)]
enum Kind {
    /// A fixed header: an API key, an application token, `Basic …`.
    Header {
        name: HeaderName,
        value: HeaderValue,
    },
    /// A token from a cache, refreshed when it expires or is rejected.
    Token {
        name: HeaderName,
        prefix: &'static str,
        cache: TokenCache,
    },
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Header { name, .. } => f
                .debug_struct("Header")
                .field("name", name)
                .field("value", &"[redacted]")
                .finish(),
            Kind::Token {
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
        let value = format!("Bearer {}", token.expose_secret());
        let credential = Self::fixed(reqwest::header::AUTHORIZATION, &value);
        credential.secrets.add(token.expose_secret());
        credential
    }

    /// `Authorization: Bearer <token>` with tokens from `source`, cached and refreshed.
    pub fn bearer_tokens(source: impl TokenSource, policy: RefreshPolicy) -> Self {
        Self::tokens(reqwest::header::AUTHORIZATION, "Bearer ", source, policy)
    }

    /// `<name>: <prefix><token>` with tokens from `source`, cached and refreshed.
    pub fn tokens(
        name: HeaderName,
        prefix: &'static str,
        source: impl TokenSource,
        policy: RefreshPolicy,
    ) -> Self {
        let secrets = Secrets::default();
        for secret in source.secrets() {
            secrets.add(secret.expose_secret());
        }
        Self {
            kind: Kind::Token {
                name,
                prefix,
                cache: TokenCache::new(source, policy).remembering(secrets.clone()),
            },
            secrets,
        }
    }

    /// `Authorization: Basic base64(user:password)`.
    pub fn basic(user: &str, password: &SecretString) -> Self {
        use base64::Engine;
        let raw = format!("{user}:{}", password.expose_secret());
        let encoded = base64::engine::general_purpose::STANDARD.encode(&raw);
        let credential = Self::fixed(reqwest::header::AUTHORIZATION, &format!("Basic {encoded}"));
        for part in [&raw, &encoded, password.expose_secret()] {
            credential.secrets.add(part);
        }
        credential
    }

    /// A fixed header with the secret as its whole value.
    pub fn header(name: HeaderName, value: &SecretString) -> Self {
        Self::fixed(name, value.expose_secret())
    }

    fn fixed(name: HeaderName, value: &str) -> Self {
        let secrets = Secrets::default();
        secrets.add(value);
        // A value no header may carry fails each request with a configuration error.
        let value = HeaderValue::from_str(value)
            .map(|mut v| {
                v.set_sensitive(true);
                v
            })
            .unwrap_or_else(|_| {
                let mut invalid = HeaderValue::from_static("");
                invalid.set_sensitive(true);
                invalid
            });
        Self {
            kind: Kind::Header { name, value },
            secrets,
        }
    }

    /// The header name this credential writes (stripped on cross-origin redirects).
    pub fn header_name(&self) -> &HeaderName {
        match &self.kind {
            Kind::Header { name, .. } | Kind::Token { name, .. } => name,
        }
    }

    /// The token cache, for a credential that fetches tokens.
    pub fn token_cache(&self) -> Option<&TokenCache> {
        match &self.kind {
            Kind::Token { cache, .. } => Some(cache),
            Kind::Header { .. } => None,
        }
    }

    /// The secrets this credential holds and has fetched.
    pub fn secrets(&self) -> &Secrets {
        &self.secrets
    }

    /// The header to send now when it is at hand without waiting (a fixed header, a fresh
    /// token): most calls' credential, without a future. `None`: ask
    /// [`header_value`](Self::header_value).
    pub(crate) fn header_now(&self) -> Option<HeaderValue> {
        match &self.kind {
            Kind::Header { value, .. } => (!value.is_empty()).then(|| value.clone()),
            Kind::Token { prefix, cache, .. } => cache.header_now(prefix).flatten(),
        }
    }

    /// The header to send now, fetching a token (through `context`'s token path) when needed.
    pub(crate) async fn header_value(
        &self,
        context: &super::Context,
    ) -> Result<HeaderValue, AuthError> {
        let value = match (self.header_now(), &self.kind) {
            (Some(value), _) => Some(value),
            // Fetched (or its fetch joined) when no fresh token is at hand; the header value is
            // built once per token, not per request.
            (None, Kind::Token { prefix, cache, .. }) => cache.header(prefix, context).await?,
            (None, Kind::Header { .. }) => None,
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
        match &self.kind {
            Kind::Header { .. } => false,
            Kind::Token { prefix, cache, .. } => {
                let sent = sent.to_str().unwrap_or_default();
                cache.invalidate(sent.strip_prefix(prefix).unwrap_or(sent))
            }
        }
    }
}
