//! ACM authentication: an API key in `X-Auth-Token`, or a token obtained through the spec's
//! `Login` operation with a username and password.

use futures::FutureExt;
use futures::future::BoxFuture;
use reqwest::header::HeaderName;
use secrecy::{ExposeSecret, SecretString};

use crate::core::auth::{RefreshPolicy, Replay, Token, TokenClient, TokenSource};
use crate::core::config::{Key, Settings};
use crate::core::{AuthError, AuthErrorKind, Context, Credential};

use super::PROFILE;

const API: &str = PROFILE.name;
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
pub(crate) const KEY_HINT: &str =
    "ACM API keys expire (24 h by default): create a new key in the ACM console if this one is old";

fn auth_header() -> HeaderName {
    HeaderName::from_static("x-auth-token")
}

impl super::Client {
    /// An ACM client sending `X-Auth-Token: <api_key>`.
    pub fn with_api_key(base_url: &str, api_key: &SecretString) -> Self {
        let context =
            Context::new(&PROFILE).with_credential(Credential::header(auth_header(), api_key));
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

    /// An ACM client that logs in with `username`/`password` (`POST /login`, through the
    /// client's own request path) and sends the token it gets as `X-Auth-Token`; it logs in
    /// again when the token is rejected.
    pub fn with_password(base_url: &str, username: &str, password: &SecretString) -> Self {
        let credential = self::login(base_url, username, password);
        Self::with_context(base_url, Context::new(&PROFILE).with_credential(credential))
    }

    /// Same as [`with_password`](Self::with_password).
    #[deprecated(
        since = "0.2.0",
        note = "use `with_password`: the same name in every API"
    )]
    pub fn with_login(base_url: &str, login: &str, password: &SecretString) -> Self {
        Self::with_password(base_url, login, password)
    }
}

/// The credential of a client that logs in at `base_url`'s `POST /login` with `login` and
/// `password` and sends the token it gets as `X-Auth-Token` (see
/// [`Client::with_password`](super::Client::with_password)); for a context of your own.
pub fn login(base_url: &str, login: &str, password: &SecretString) -> Credential {
    let source = Login {
        url: format!("{}/login", base_url.trim_end_matches('/')),
        login: login.to_string(),
        password: password.clone(),
    };
    Credential::tokens(auth_header(), "", source, RefreshPolicy::default())
}

struct Login {
    /// The `Login` operation's URL.
    url: String,
    login: String,
    password: SecretString,
}

impl TokenSource for Login {
    fn fetch(&self, client: TokenClient) -> BoxFuture<'static, Result<Token, AuthError>> {
        const STEP: &str = "login";
        let request = client
            .http()
            .post(&self.url)
            .header(reqwest::header::ACCEPT, "application/json")
            .json(&serde_json::json!({
                "login": self.login,
                "password": self.password.expose_secret(),
            }))
            .build();
        async move {
            let request = request.map_err(|e| {
                AuthError::new(
                    API,
                    "configuration",
                    AuthErrorKind::Configuration,
                    format!("invalid login URL: {}", e.without_url()),
                )
            })?;
            // Logging in again with the same password does no harm.
            let body = client.success(STEP, request, Replay::Safe).await?;
            let answer: serde_json::Value = serde_json::from_slice(&body).map_err(|_| {
                AuthError::new(
                    API,
                    STEP,
                    AuthErrorKind::Endpoint,
                    format!("the login answer is not JSON: {}", client.excerpt(&body)),
                )
            })?;
            // ACM wraps answers as {"data": …, "error": …}; the error can come with HTTP 200.
            if let Some(error) = answer
                .get("error")
                .filter(|e| !(e.is_null() || e.as_str().is_some_and(|s| s.trim().is_empty())))
            {
                let mut e = AuthError::token_endpoint(API, STEP, Some(200), "");
                e.kind = AuthErrorKind::Rejected;
                e.detail = client.excerpt(error.to_string().as_bytes());
                return Err(e);
            }
            let token = [
                "/data/token",
                "/token",
                "/data/authToken",
                "/data/access_token",
            ]
            .iter()
            .find_map(|p| answer.pointer(p).and_then(|t| t.as_str()))
            .filter(|t| !t.is_empty())
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

    fn secrets(&self) -> Vec<SecretString> {
        vec![self.password.clone()]
    }
}
