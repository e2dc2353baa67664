//! Airflow 3 authentication.
//!
//! - **Username and password** (the simple and FAB auth managers): `POST {server}/auth/token`
//!   with `{"username", "password"}` answers `201 {"access_token": "<JWT>"}`, sent as
//!   `Authorization: Bearer`. The token's lifetime is read from its `exp` claim (Airflow's
//!   default is 24 h); the shared token cache refreshes it before it expires, and once more
//!   after a 401.
//! - **Astro deployment API token**: used as the bearer directly, under Astro's rate limits
//!   (shared with Airflow 2: `crate::airflow_common`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures::FutureExt;
use futures::future::BoxFuture;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::core::auth::{RefreshPolicy, Replay, Token, TokenClient, TokenSource};
use crate::core::{AuthError, AuthErrorKind, Context, Credential};

use super::PROFILE;

const API: &str = PROFILE.name;

impl super::Client {
    /// A client for the Airflow server at `server_url` (`https://host`; a trailing `/api/v2`
    /// is accepted and dropped, since the document's paths carry it) logging in with `username`
    /// and `password` at the server's `/auth/token`.
    pub fn with_password(server_url: &str, username: &str, password: &SecretString) -> Self {
        let root = server_root(server_url);
        let token_url = format!("{root}/auth/token");
        Self::with_password_at(&root, &token_url, username, password)
    }

    /// Like [`with_password`](Self::with_password), for deployments that reach the API and
    /// the login at different addresses (a gateway routing `/api/v2` and `/auth` apart, or a
    /// validating proxy that knows only the API): requests go to `server_url`, the login to
    /// `token_url` (the full URL of the auth manager's `…/auth/token`).
    pub fn with_password_at(
        server_url: &str,
        token_url: &str,
        username: &str,
        password: &SecretString,
    ) -> Self {
        let source = PasswordLogin {
            token_url: token_url.to_string(),
            username: username.to_string(),
            password: password.clone(),
        };
        Self::with_context(
            &server_root(server_url),
            Context::new(&PROFILE)
                .with_credential(Credential::bearer_tokens(source, RefreshPolicy::default())),
        )
    }

    /// A client for the Airflow server at `server_url` sending an Astro deployment API token
    /// (or any JWT you already hold) as `Authorization: Bearer`, with Astro's per-token rate
    /// limits.
    pub fn with_bearer_token(server_url: &str, token: &SecretString) -> Self {
        Self::with_context(
            &server_root(server_url),
            crate::airflow_common::astro(&PROFILE, token),
        )
    }

    /// An Airflow 3 client from the environment or a profile's `[<profile>.airflow3]` table,
    /// with the same names as Airflow 2's: `AIRFLOW_API_URL` (the server, or its `…/api/v2`)
    /// plus `AIRFLOW_USERNAME`/`AIRFLOW_PASSWORD` (a JWT login) or `ASTRO_API_TOKEN`. Two
    /// credential kinds at once is an error, and so is an Astronomer Software key: that form of
    /// auth is known for Airflow 2 deployments only.
    pub fn from_config(profile: Option<&str>) -> Result<Self, AuthError> {
        use crate::airflow_common::{Configured, load};
        match load(API, profile)? {
            Configured::Password {
                base,
                username,
                password,
            } => Ok(Self::with_password(&base, &username, &password)),
            Configured::AstroToken { base, token } => Ok(Self::with_bearer_token(&base, &token)),
            Configured::AstronomerKey { .. } => Err(AuthError::new(
                API,
                "configuration",
                AuthErrorKind::Configuration,
                "ASTRONOMER_SERVICE_ACCOUNT_KEY is an Airflow 2 (Astronomer Software) credential; for Airflow 3 set AIRFLOW_USERNAME and AIRFLOW_PASSWORD, or ASTRO_API_TOKEN",
            )),
        }
    }
}

/// `https://host/prefix/api/v2/` → `https://host/prefix`: the document's paths start with
/// `/api/v2`, and `/auth/token` sits beside it.
fn server_root(url: &str) -> String {
    let base = url.trim_end_matches('/');
    base.strip_suffix("/api/v2").unwrap_or(base).to_string()
}

struct PasswordLogin {
    token_url: String,
    username: String,
    password: SecretString,
}

#[derive(Deserialize)]
struct Issued {
    access_token: String,
}

#[derive(Deserialize)]
struct Claims {
    exp: Option<u64>,
}

/// Seconds left before the JWT's `exp`, read without verifying it (only the server can).
fn lifetime(jwt: &str) -> Option<Duration> {
    use base64::Engine;
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let exp = serde_json::from_slice::<Claims>(&bytes).ok()?.exp?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
    Some(Duration::from_secs(exp.saturating_sub(now)))
}

impl TokenSource for PasswordLogin {
    fn fetch(&self, client: TokenClient) -> BoxFuture<'static, Result<Token, AuthError>> {
        const STEP: &str = "POST /auth/token";
        let body = serde_json::json!({
            "username": self.username,
            "password": self.password.expose_secret(),
        });
        // The password goes to the token URL, which `with_password_at` lets differ from the
        // API's: the token path checks it like every URL a secret goes to.
        let request = client
            .http()
            .post(&self.token_url)
            .header(reqwest::header::ACCEPT, "application/json")
            .json(&body)
            .build();
        async move {
            let request = request.map_err(|e| {
                AuthError::new(
                    API,
                    "configuration",
                    AuthErrorKind::Configuration,
                    format!("invalid token URL: {}", e.without_url()),
                )
            })?;
            // Logging in again with the same password does no harm.
            let answer = client.success(STEP, request, Replay::Safe).await?;
            let issued: Issued = serde_json::from_slice(&answer).map_err(|_| {
                let mut e = AuthError::token_endpoint(API, STEP, Some(201), "");
                e.detail = format!("no access_token in the answer: {}", client.excerpt(&answer));
                e
            })?;
            let lifetime = lifetime(&issued.access_token);
            Ok(Token {
                secret: SecretString::from(issued.access_token),
                lifetime,
            })
        }
        .boxed()
    }

    fn secrets(&self) -> Vec<SecretString> {
        vec![self.password.clone()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_root_drops_the_api_prefix() {
        assert_eq!(
            server_root("http://127.0.0.1:8080/api/v2"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(server_root("https://h/x/api/v2/"), "https://h/x");
        assert_eq!(server_root("https://h/x/"), "https://h/x");
    }

    #[test]
    fn the_lifetime_comes_from_exp() {
        use base64::Engine;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(format!("{{\"sub\":\"admin\",\"exp\":{}}}", now + 3600));
        let left = lifetime(&format!("e30.{payload}.sig")).unwrap();
        assert!(left <= Duration::from_secs(3600) && left >= Duration::from_secs(3590));
        assert_eq!(lifetime("not-a-jwt"), None);
    }
}
