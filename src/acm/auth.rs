//! ACM authentication: an API key in `X-Auth-Token`, or a token obtained through the spec's
//! `Login` operation with a username and password.

use futures::FutureExt;
use futures::future::BoxFuture;
use reqwest::header::HeaderName;
use secrecy::{ExposeSecret, SecretString};

use crate::core::auth::{RefreshPolicy, Token, TokenCache, TokenSource};
use crate::core::config::{Key, Settings};
use crate::core::{AuthError, AuthErrorKind, Context, Credential};

const API: &str = "acm";
/// ACM's documented base URL (without its trailing `/`).
pub const DEFAULT_BASE_URL: &str = "https://acm.altinity.cloud/api";
/// `ACM_API_KEY`.
pub const API_KEY: Key = Key {
    name: "api_key",
    env: "ACM_API_KEY",
};
/// `ACM_BASE_URL` (optional; defaults to [`DEFAULT_BASE_URL`]).
pub const BASE_URL: Key = Key {
    name: "base_url",
    env: "ACM_BASE_URL",
};

/// Said with every rejection: ACM API keys have a lifetime.
const KEY_HINT: &str =
    "ACM API keys expire (24 h by default): create a new key in the ACM console if this one is old";

fn auth_header() -> HeaderName {
    HeaderName::from_static("x-auth-token")
}

impl super::Client {
    /// An ACM client sending `X-Auth-Token: <api_key>`.
    pub fn with_api_key(base_url: &str, api_key: &SecretString) -> Self {
        let context = Context::new(API)
            .with_credential(Credential::header(auth_header(), api_key))
            .with_rejection_hint(KEY_HINT);
        Self::with_context(base_url, context)
    }

    /// An ACM client from `ACM_API_KEY` (and `ACM_BASE_URL`), or from a profile's `[<profile>.acm]`
    /// table; a key set differently in both is an error.
    pub fn from_config(profile: Option<&str>) -> Result<Self, AuthError> {
        let s = Settings::load(API, &[API_KEY, BASE_URL], profile)?;
        let base = s
            .get(&BASE_URL)
            .map(|b| b.expose_secret().to_string())
            .unwrap_or_else(|| DEFAULT_BASE_URL.into());
        Ok(Self::with_api_key(&base, &s.secret(&API_KEY)?))
    }

    /// An ACM client that logs in with `login`/`password` through the `Login` operation and
    /// sends the token it gets as `X-Auth-Token`; it logs in again when the token is rejected.
    pub fn with_login(base_url: &str, login: &str, password: SecretString) -> Self {
        let source = Login {
            client: Self::from_base_url(base_url),
            login: login.to_string(),
            password,
        };
        let credential = Credential::Token {
            name: auth_header(),
            prefix: "",
            cache: TokenCache::new(source, RefreshPolicy::default()),
        };
        Self::with_context(base_url, Context::new(API).with_credential(credential))
    }
}

struct Login {
    /// An unauthenticated client for the `Login` operation itself.
    client: super::Client,
    login: String,
    password: SecretString,
}

impl TokenSource for Login {
    fn fetch(&self) -> BoxFuture<'static, Result<Token, AuthError>> {
        const STEP: &str = "login";
        let client = self.client.clone();
        let (login, password) = (self.login.clone(), self.password.clone());
        async move {
            let call = client
                .login()
                .body_map(move |b| {
                    b.login(Some(login))
                        .password(Some(password.expose_secret().to_string()))
                })
                .send_raw();
            let answer = match call.await {
                Ok(v) => v.into_inner(),
                Err(super::Error::UnexpectedResponse(r)) => {
                    let status = r.status().as_u16();
                    let body = r.text().await.unwrap_or_default();
                    return Err(AuthError::token_endpoint(API, STEP, Some(status), &body));
                }
                Err(super::Error::ErrorResponse(r)) => {
                    return Err(AuthError::token_endpoint(
                        API,
                        STEP,
                        Some(r.status().as_u16()),
                        "",
                    ));
                }
                Err(other) => {
                    return Err(AuthError::new(
                        API,
                        STEP,
                        AuthErrorKind::Transport,
                        other.to_string(),
                    ));
                }
            };
            // ACM wraps answers as {"data": …, "error": …}; the token may sit at either level.
            if let Some(error) = answer.get("error").filter(|e| !e.is_null()) {
                return Err(AuthError::token_endpoint(
                    API,
                    STEP,
                    Some(200),
                    &error.to_string(),
                ));
            }
            let token = [
                "/data/token",
                "/token",
                "/data/authToken",
                "/data/access_token",
            ]
            .iter()
            .find_map(|p| answer.pointer(p).and_then(|t| t.as_str()))
            .ok_or_else(|| {
                AuthError::new(
                    API,
                    STEP,
                    AuthErrorKind::Endpoint,
                    "the login answer carries no token",
                )
            })?;
            Ok(Token {
                secret: SecretString::from(token.to_string()),
                lifetime: None,
            })
        }
        .boxed()
    }
}
