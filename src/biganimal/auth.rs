//! BigAnimal authentication.
//!
//! - **Access key** (EDB's recommended method): `x-access-key: <key>`, from `BA_ACCESS_KEY`.
//! - **Device-code flow** (what pgAdmin and the `biganimal` CLI use): `GET /auth/provider` →
//!   `POST {issuer}/oauth/device/code` → show the user code through a callback → poll
//!   `{issuer}/oauth/token` (the `oauth2` crate honours `interval`, `authorization_pending`,
//!   `slow_down` (+5 s), `expired_token`, `access_denied`) → exchange the IdP access token at
//!   `POST /auth/token {"token": …}` for a BigAnimal bearer token. Later tokens come from the
//!   refresh grant, whose refresh token **rotates**: the new one is saved to the [`TokenStore`]
//!   before the access token it came with is used.

use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;
use oauth2::basic::BasicClient;
use oauth2::{
    AuthType, ClientId, DeviceAuthorizationUrl, RefreshToken, RequestTokenError, Scope,
    StandardDeviceAuthorizationResponse, TokenResponse, TokenUrl,
};
use reqwest::header::HeaderName;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::core::auth::{RefreshPolicy, Token, TokenSource, TokenStore, endpoint_answer};
use crate::core::config::{Key, Settings};
use crate::core::{AuthError, AuthErrorKind, Credential};

const API: &str = "biganimal";
/// BigAnimal's API v3 base URL.
pub const DEFAULT_BASE_URL: &str = "https://portal.biganimal.com/api/v3";
/// `BA_ACCESS_KEY`, as EDB's tools name it.
pub const ACCESS_KEY: Key = Key {
    name: "access_key",
    env: "BA_ACCESS_KEY",
};

/// The `x-access-key` credential.
pub fn access_key(key: &SecretString) -> Credential {
    Credential::header(HeaderName::from_static("x-access-key"), key)
}

/// The access key from `BA_ACCESS_KEY` or a profile's `[<profile>.biganimal]` table.
pub fn access_key_from_config(profile: Option<&str>) -> Result<Credential, AuthError> {
    Ok(access_key(
        &Settings::load(API, &[ACCESS_KEY], profile)?.secret(&ACCESS_KEY)?,
    ))
}

/// What the user must do to approve a device login.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DevicePrompt {
    /// The page to open.
    pub verification_uri: String,
    /// The page with the code filled in, when the IdP offers one.
    pub verification_uri_complete: Option<String>,
    /// The code to type there (short-lived and single-use, so not treated as a secret).
    pub user_code: String,
    /// How long the code stays valid.
    pub expires_in: Duration,
}

/// Builds a device-flow credential.
pub struct DeviceLogin {
    base_url: String,
    store: Arc<dyn TokenStore>,
    prompt: Arc<dyn Fn(&DevicePrompt) + Send + Sync>,
    policy: RefreshPolicy,
}

impl DeviceLogin {
    /// A device login against `base_url` (`…/api/v3`) keeping the refresh token in `store` and
    /// telling the user what to do through `prompt`.
    pub fn new(
        base_url: &str,
        store: impl TokenStore,
        prompt: impl Fn(&DevicePrompt) + Send + Sync + 'static,
    ) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_string(),
            store: Arc::new(store),
            prompt: Arc::new(prompt),
            policy: RefreshPolicy::default(),
        }
    }

    /// The bearer credential: tokens come from the stored refresh token when it still works,
    /// from a new device login otherwise.
    pub fn credential(self) -> Credential {
        let policy = self.policy;
        let source = DeviceFlow {
            base_url: self.base_url,
            store: self.store,
            prompt: self.prompt,
            http: crate::core::http_client(),
        };
        Credential::bearer_tokens(source, policy)
    }
}

#[derive(Clone)]
struct DeviceFlow {
    base_url: String,
    store: Arc<dyn TokenStore>,
    prompt: Arc<dyn Fn(&DevicePrompt) + Send + Sync>,
    http: reqwest::Client,
}

/// `GET /auth/provider` (no envelope).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthProvider {
    client_id: String,
    issuer_uri: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    audience: Option<String>,
}

/// `POST /auth/token` answer (no envelope).
#[derive(Deserialize)]
struct Exchanged {
    token: String,
}

fn fail(step: &'static str, kind: AuthErrorKind, detail: impl Into<String>) -> AuthError {
    AuthError::new(API, step, kind, detail)
}

impl TokenSource for DeviceFlow {
    fn fetch(&self) -> BoxFuture<'static, Result<Token, AuthError>> {
        let this = self.clone();
        async move { this.run().await }.boxed()
    }
}

impl DeviceFlow {
    async fn run(&self) -> Result<Token, AuthError> {
        let provider = self.provider().await?;
        let issuer = provider.issuer_uri.trim_end_matches('/').to_string();
        let client = BasicClient::new(ClientId::new(provider.client_id.clone()))
            .set_auth_type(AuthType::RequestBody)
            .set_device_authorization_url(
                DeviceAuthorizationUrl::new(format!("{issuer}/oauth/device/code")).map_err(
                    |e| {
                        fail(
                            "device code",
                            AuthErrorKind::Endpoint,
                            format!("bad issuer URL: {e}"),
                        )
                    },
                )?,
            )
            .set_token_uri(TokenUrl::new(format!("{issuer}/oauth/token")).map_err(|e| {
                fail(
                    "device poll",
                    AuthErrorKind::Endpoint,
                    format!("bad issuer URL: {e}"),
                )
            })?);
        let http = |request: oauth2::HttpRequest| {
            let client = self.http.clone();
            async move {
                let (parts, body) = request.into_parts();
                let response = client
                    .request(parts.method, parts.uri.to_string())
                    .headers(parts.headers)
                    .body(body)
                    .send()
                    .await?;
                let mut out = oauth2::http::Response::builder().status(response.status());
                for (name, value) in response.headers() {
                    out = out.header(name, value);
                }
                let body = response.bytes().await?;
                Ok::<_, reqwest::Error>(
                    out.body(body.to_vec())
                        .expect("status and headers came from a response"),
                )
            }
        };

        // A stored refresh token first: no user interaction when it still works.
        let stored = self
            .store
            .load()
            .map_err(|e| fail("token store", AuthErrorKind::Store, e.to_string()))?;
        let idp = match stored {
            Some(refresh) => match client
                .exchange_refresh_token(&RefreshToken::new(refresh.expose_secret().to_string()))
                .request_async(&http)
                .await
            {
                Ok(tokens) => tokens,
                // Expired, revoked or already rotated away: fall back to a new device login.
                Err(RequestTokenError::ServerResponse(_)) => {
                    self.device_login(&client, &provider, &http).await?
                }
                Err(e) => return Err(fail("refresh", AuthErrorKind::Endpoint, oauth_detail(&e))),
            },
            None => self.device_login(&client, &provider, &http).await?,
        };
        // Persist the rotated refresh token before its access token is used anywhere.
        if let Some(next) = idp.refresh_token() {
            self.store
                .save(&SecretString::from(next.secret().clone()))
                .map_err(|e| fail("token store", AuthErrorKind::Store, e.to_string()))?;
        }
        let lifetime = idp.expires_in();
        let token = self.exchange(idp.access_token().secret()).await?;
        Ok(Token {
            secret: token,
            lifetime,
        })
    }

    async fn provider(&self) -> Result<AuthProvider, AuthError> {
        const STEP: &str = "auth provider";
        let request = self.http.get(format!("{}/auth/provider", self.base_url));
        let body = endpoint_answer(API, STEP, request).await?;
        serde_json::from_str(&body).map_err(|e| {
            fail(
                STEP,
                AuthErrorKind::Endpoint,
                format!("unexpected answer: {e}"),
            )
        })
    }

    async fn device_login<C>(
        &self,
        client: &oauth2::basic::BasicClient<
            oauth2::EndpointNotSet,
            oauth2::EndpointSet,
            oauth2::EndpointNotSet,
            oauth2::EndpointNotSet,
            oauth2::EndpointSet,
        >,
        provider: &AuthProvider,
        http: &C,
    ) -> Result<oauth2::basic::BasicTokenResponse, AuthError>
    where
        for<'c> C: oauth2::AsyncHttpClient<'c>,
    {
        let mut request = client.exchange_device_code().add_scopes(
            provider
                .scope
                .split_whitespace()
                .map(|s| Scope::new(s.to_string())),
        );
        if let Some(audience) = &provider.audience {
            request = request.add_extra_param("audience", audience.clone());
        }
        let details: StandardDeviceAuthorizationResponse = request
            .request_async(http)
            .await
            .map_err(|e| fail("device code", AuthErrorKind::Endpoint, oauth_detail(&e)))?;
        (self.prompt)(&DevicePrompt {
            verification_uri: details.verification_uri().to_string(),
            verification_uri_complete: details
                .verification_uri_complete()
                .map(|u| u.secret().clone()),
            user_code: details.user_code().secret().clone(),
            expires_in: details.expires_in(),
        });
        client
            .exchange_device_access_token(&details)
            .request_async(http, tokio::time::sleep, None)
            .await
            .map_err(|e| {
                use oauth2::DeviceCodeErrorResponseType as T;
                let kind = match &e {
                    RequestTokenError::ServerResponse(r) => match r.error() {
                        T::ExpiredToken => AuthErrorKind::Expired,
                        T::AccessDenied => AuthErrorKind::Denied,
                        _ => AuthErrorKind::Rejected,
                    },
                    _ => AuthErrorKind::Endpoint,
                };
                fail("device poll", kind, oauth_detail(&e))
            })
    }

    async fn exchange(&self, raw: &str) -> Result<SecretString, AuthError> {
        const STEP: &str = "exchange";
        let request = self
            .http
            .post(format!("{}/auth/token", self.base_url))
            .json(&serde_json::json!({ "token": raw }));
        let body = endpoint_answer(API, STEP, request).await?;
        let Exchanged { token } = serde_json::from_str(&body)
            .map_err(|_| fail(STEP, AuthErrorKind::Endpoint, "the answer carries no token"))?;
        Ok(SecretString::from(token))
    }
}

/// What an OAuth error says, without tokens (the server's `error` and `error_description`).
fn oauth_detail<RE: std::error::Error + 'static, T: oauth2::ErrorResponse + 'static>(
    e: &RequestTokenError<RE, T>,
) -> String {
    match e {
        RequestTokenError::ServerResponse(r) => r.to_string(),
        RequestTokenError::Request(r) => format!("request failed: {r}"),
        RequestTokenError::Parse(p, _) => format!("unexpected answer: {p}"),
        RequestTokenError::Other(o) => o.clone(),
    }
}

/// `BA_API_URI`, as EDB's Terraform provider names the base URL override.
pub const API_URI: Key = Key {
    name: "api_uri",
    env: "BA_API_URI",
};

impl super::Client {
    /// A BigAnimal client for `base_url` (`…/api/v3`) sending `x-access-key: <key>`.
    pub fn with_access_key(base_url: &str, key: &SecretString) -> Self {
        Self::with_context(
            base_url,
            crate::core::Context::new(API).with_credential(access_key(key)),
        )
    }

    /// A BigAnimal client for `base_url` logging in with the device flow (see [`DeviceLogin`]).
    pub fn with_device_login(base_url: &str, login: DeviceLogin) -> Self {
        Self::with_context(
            base_url,
            crate::core::Context::new(API).with_credential(login.credential()),
        )
    }

    /// A client from `BA_ACCESS_KEY` (and `BA_API_URI`, default [`DEFAULT_BASE_URL`]), or from a
    /// profile's `[<profile>.biganimal]` table (`access_key`, `api_uri`).
    pub fn from_config(profile: Option<&str>) -> Result<Self, AuthError> {
        let s = Settings::load(API, &[ACCESS_KEY, API_URI], profile)?;
        let base = s.get(&API_URI).map_or_else(
            || DEFAULT_BASE_URL.to_string(),
            |u| u.expose_secret().to_string(),
        );
        Ok(Self::with_access_key(&base, &s.secret(&ACCESS_KEY)?))
    }
}
