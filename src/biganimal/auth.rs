//! BigAnimal authentication.
//!
//! - **Access key** (EDB's recommended method): `x-access-key: <key>`, from `BA_ACCESS_KEY`.
//! - **Device-code flow** (what pgAdmin and the `biganimal` CLI use): `GET /auth/provider` →
//!   `POST {issuer}/oauth/device/code` → show the user code through a callback → poll
//!   `{issuer}/oauth/token` (the `oauth2` crate honours `interval`, `authorization_pending`,
//!   `slow_down` (+5 s), `expired_token`, `access_denied`; the first poll waits one interval,
//!   as servers that count it from the code's issue expect) → exchange the IdP access token at
//!   `POST /auth/token {"token": …}` for a BigAnimal bearer token. Later tokens come from the
//!   refresh grant, whose refresh token **rotates**: the new one is saved to the [`TokenStore`]
//!   before the access token it came with is used.
//!
//! Every one of these requests goes through the client's request path ([`TokenClient`]): the
//! issuer's URL, which a server answer supplies, is checked like a configured one before a
//! refresh token goes to it. A refresh grant is never repeated unless it provably was not sent
//! (the token it spends works once). The store is locked from loading the refresh token to
//! saving its successor, so two processes sharing it never both spend it; a rotated token that
//! cannot be saved is kept in memory, used, reported at WARN with the store's path, and saved
//! again at the next refresh.

use std::sync::{Arc, Mutex};
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

use crate::core::auth::{
    RefreshPolicy, Replay, Token, TokenAnswer, TokenClient, TokenSource, TokenStore,
};
use crate::core::config::{Key, Settings};
use crate::core::{AuthError, AuthErrorKind, Credential};

use super::PROFILE;

const API: &str = PROFILE.name;
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

/// How a BigAnimal client logs in with the device flow: where the rotating refresh token is
/// kept, and how the user is told what to do. Give it to
/// [`Client::with_device_login`](super::Client::with_device_login).
pub struct DeviceLogin {
    store: Arc<dyn TokenStore>,
    prompt: Arc<dyn Fn(&DevicePrompt) + Send + Sync>,
    policy: RefreshPolicy,
}

impl DeviceLogin {
    /// A device login keeping the refresh token in `store` and telling the user what to do
    /// through `prompt`.
    pub fn new(
        store: impl TokenStore,
        prompt: impl Fn(&DevicePrompt) + Send + Sync + 'static,
    ) -> Self {
        Self {
            store: Arc::new(store),
            prompt: Arc::new(prompt),
            policy: RefreshPolicy::default(),
        }
    }

    /// The bearer credential for the API at `base_url` (`…/api/v3`): tokens come from the
    /// stored refresh token when it still works, from a new device login otherwise.
    pub fn credential(self, base_url: &str) -> Credential {
        let policy = self.policy;
        let source = DeviceFlow {
            base_url: base_url.trim_end_matches('/').to_string(),
            store: self.store,
            prompt: self.prompt,
            unsaved: Arc::default(),
        };
        Credential::bearer_tokens(source, policy)
    }
}

#[derive(Clone)]
struct DeviceFlow {
    base_url: String,
    store: Arc<dyn TokenStore>,
    prompt: Arc<dyn Fn(&DevicePrompt) + Send + Sync>,
    /// A rotated refresh token the store could not save: used instead of the stored one (which
    /// is spent), and saved again at the next refresh.
    unsaved: Arc<Mutex<Option<SecretString>>>,
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
    fn fetch(&self, client: TokenClient) -> BoxFuture<'static, Result<Token, AuthError>> {
        let this = self.clone();
        async move { this.run(&client).await }.boxed()
    }
}

/// The device flow's OAuth client, its device and token endpoints set.
type OAuthClient = BasicClient<
    oauth2::EndpointNotSet,
    oauth2::EndpointSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointSet,
>;

/// An `oauth2` HTTP client sending through `client` (the request path), as `step`, replayed as
/// `replay` allows.
fn through(
    client: &TokenClient,
    step: &'static str,
    replay: Replay,
) -> impl for<'c> oauth2::AsyncHttpClient<'c, Error = AuthError, Future: Send> {
    let client = client.clone();
    move |request: oauth2::HttpRequest| {
        let client = client.clone();
        async move {
            let (parts, body) = request.into_parts();
            let request = client
                .http()
                .request(parts.method, parts.uri.to_string())
                .headers(parts.headers)
                .body(body)
                .build()
                .map_err(|e| {
                    fail(
                        step,
                        AuthErrorKind::Configuration,
                        format!("invalid URL: {}", e.without_url()),
                    )
                })?;
            let TokenAnswer {
                status,
                headers,
                body,
            } = client.send(step, request, replay).await?;
            let mut out = oauth2::http::Response::builder().status(status);
            for (name, value) in &headers {
                out = out.header(name, value);
            }
            Ok::<_, AuthError>(
                out.body(body.to_vec())
                    .expect("status and headers came from a response"),
            )
        }
    }
}

impl DeviceFlow {
    async fn run(&self, http: &TokenClient) -> Result<Token, AuthError> {
        let provider = self.provider(http).await?;
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

        // Load → refresh → save is one critical section across processes.
        let store = self.store.clone();
        let lock = tokio::task::spawn_blocking(move || store.lock())
            .await
            .map_err(|e| fail("token store", AuthErrorKind::Store, e.to_string()))?
            .map_err(|e| fail("token store", AuthErrorKind::Store, e.to_string()))?;
        let unsaved = self
            .unsaved
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let stored = match unsaved {
            Some(token) => Some(token),
            None => self
                .store
                .load()
                .map_err(|e| fail("token store", AuthErrorKind::Store, e.to_string()))?,
        };
        // A stored refresh token first: no user interaction when it still works.
        let idp = match stored {
            Some(refresh) => {
                http.remember(&refresh);
                match client
                    .exchange_refresh_token(&RefreshToken::new(refresh.expose_secret().to_string()))
                    .request_async(&through(http, "refresh", Replay::IfNotSent))
                    .await
                {
                    Ok(tokens) => tokens,
                    // Expired, revoked or already rotated away: fall back to a new device login.
                    Err(RequestTokenError::ServerResponse(_)) => {
                        self.device_login(&client, &provider, http).await?
                    }
                    Err(e) => return Err(oauth_failure("refresh", e)),
                }
            }
            None => self.device_login(&client, &provider, http).await?,
        };
        http.remember(&SecretString::from(idp.access_token().secret().clone()));
        // Persist the rotated refresh token before its access token is used anywhere.
        if let Some(next) = idp.refresh_token() {
            let next = SecretString::from(next.secret().clone());
            http.remember(&next);
            self.keep(next);
        }
        drop(lock);
        let lifetime = idp.expires_in();
        let token = self.exchange(http, idp.access_token().secret()).await?;
        Ok(Token {
            secret: token,
            lifetime,
        })
    }

    /// Saves a rotated refresh token; when the store fails, keeps it in memory for the next
    /// refresh and says so at WARN (the stored one is spent).
    fn keep(&self, token: SecretString) {
        let mut unsaved = self.unsaved.lock().unwrap_or_else(|e| e.into_inner());
        match self.store.save(&token) {
            Ok(()) => *unsaved = None,
            Err(e) => {
                tracing::warn!(
                    store = %self.store.location(),
                    error = %e,
                    "the rotated refresh token could not be saved; it is kept in memory and saved again at the next refresh (until then, another process cannot use the stored one)"
                );
                *unsaved = Some(token);
            }
        }
    }

    async fn provider(&self, http: &TokenClient) -> Result<AuthProvider, AuthError> {
        const STEP: &str = "auth provider";
        let request = http
            .http()
            .get(format!("{}/auth/provider", self.base_url))
            .build()
            .map_err(|e| {
                fail(
                    STEP,
                    AuthErrorKind::Configuration,
                    e.without_url().to_string(),
                )
            })?;
        let body = http.success(STEP, request, Replay::Safe).await?;
        serde_json::from_slice(&body).map_err(|e| {
            fail(
                STEP,
                AuthErrorKind::Endpoint,
                format!("unexpected answer: {e}"),
            )
        })
    }

    async fn device_login(
        &self,
        client: &OAuthClient,
        provider: &AuthProvider,
        http: &TokenClient,
    ) -> Result<oauth2::basic::BasicTokenResponse, AuthError> {
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
            .request_async(&through(http, "device code", Replay::Safe))
            .await
            .map_err(|e| oauth_failure("device code", e))?;
        (self.prompt)(&DevicePrompt {
            verification_uri: details.verification_uri().to_string(),
            verification_uri_complete: details
                .verification_uri_complete()
                .map(|u| u.secret().clone()),
            user_code: details.user_code().secret().clone(),
            expires_in: details.expires_in(),
        });
        // oauth2 polls at once, then waits; servers count the interval from the code's issue
        // and answer an early poll with slow_down (+5 s to every later wait).
        tokio::time::sleep(details.interval()).await;
        client
            .exchange_device_access_token(&details)
            .request_async(
                &through(http, "device poll", Replay::Safe),
                tokio::time::sleep,
                None,
            )
            .await
            .map_err(|e| {
                use oauth2::DeviceCodeErrorResponseType as T;
                let kind = match &e {
                    RequestTokenError::ServerResponse(r) => match r.error() {
                        T::ExpiredToken => AuthErrorKind::Expired,
                        T::AccessDenied => AuthErrorKind::Denied,
                        _ => AuthErrorKind::Rejected,
                    },
                    RequestTokenError::Request(a) => a.kind,
                    _ => AuthErrorKind::Endpoint,
                };
                let mut error = oauth_failure("device poll", e);
                error.kind = kind;
                error
            })
    }

    async fn exchange(&self, http: &TokenClient, raw: &str) -> Result<SecretString, AuthError> {
        const STEP: &str = "exchange";
        let request = http
            .http()
            .post(format!("{}/auth/token", self.base_url))
            .json(&serde_json::json!({ "token": raw }))
            .build()
            .map_err(|e| {
                fail(
                    STEP,
                    AuthErrorKind::Configuration,
                    e.without_url().to_string(),
                )
            })?;
        let body = http.success(STEP, request, Replay::Safe).await?;
        let Exchanged { token } = serde_json::from_slice(&body)
            .map_err(|_| fail(STEP, AuthErrorKind::Endpoint, "the answer carries no token"))?;
        Ok(SecretString::from(token))
    }
}

/// An OAuth failure as an [`AuthError`]: the request path's own error as it is, else what the
/// server said (its `error` and `error_description`; never a token).
fn oauth_failure<T: oauth2::ErrorResponse + 'static>(
    step: &'static str,
    e: RequestTokenError<AuthError, T>,
) -> AuthError {
    match e {
        RequestTokenError::Request(error) => error,
        RequestTokenError::ServerResponse(r) => fail(step, AuthErrorKind::Rejected, r.to_string()),
        RequestTokenError::Parse(p, _) => fail(
            step,
            AuthErrorKind::Endpoint,
            format!("unexpected answer: {p}"),
        ),
        RequestTokenError::Other(o) => fail(step, AuthErrorKind::Endpoint, o),
    }
}

/// `BA_API_URI`, as EDB's Terraform provider names the base URL override.
pub const API_URI: Key = Key {
    name: "api_uri",
    env: "BA_API_URI",
};

impl super::Client {
    /// A BigAnimal client for `base_url` (`…/api/v3`) with an API key (EDB calls it an access
    /// key), sent as `x-access-key: <key>`.
    pub fn with_api_key(base_url: &str, key: &SecretString) -> Self {
        Self::with_context(
            base_url,
            crate::core::Context::new(&PROFILE).with_credential(access_key(key)),
        )
    }

    /// Same as [`with_api_key`](Self::with_api_key).
    #[deprecated(
        since = "0.2.0",
        note = "use `with_api_key`: the same name in every API"
    )]
    pub fn with_access_key(base_url: &str, key: &SecretString) -> Self {
        Self::with_api_key(base_url, key)
    }

    /// A BigAnimal client for `base_url` logging in with the device flow (see [`DeviceLogin`]).
    ///
    /// The first call waits for the user's approval within its own time limit; call
    /// [`authenticate`](Self::authenticate) first to log in without one.
    pub fn with_device_login(base_url: &str, login: DeviceLogin) -> Self {
        Self::with_context(
            base_url,
            crate::core::Context::new(&PROFILE).with_credential(login.credential(base_url)),
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
        Ok(Self::with_api_key(&base, &s.secret(&ACCESS_KEY)?))
    }
}
