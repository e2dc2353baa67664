//! Galaxy authentication: OAuth2 client credentials against the account's own domain.
//!
//! `POST https://<domain>/oauth/v2/token?token_format=oauth2` with
//! `Authorization: Basic base64(client_id:client_secret)` and `grant_type=client_credentials`.
//! Tokens last about ten minutes; the shared token cache refreshes them ahead of expiry and after
//! a 401, one request at a time however many calls are waiting.

use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::core::auth::{RefreshPolicy, Replay, Token, TokenClient, TokenSource};
use crate::core::config::{Key, Settings};
use crate::core::{AuthError, Context, Credential};

use super::PROFILE;

const API: &str = PROFILE.name;
/// `GALAXY_DOMAIN`: the account domain (`acme.galaxy.starburst.io`), or a full base URL.
pub const DOMAIN: Key = Key {
    name: "domain",
    env: "GALAXY_DOMAIN",
};
/// `GALAXY_CLIENT_ID`.
pub const CLIENT_ID: Key = Key {
    name: "client_id",
    env: "GALAXY_CLIENT_ID",
};
/// `GALAXY_CLIENT_SECRET`.
pub const CLIENT_SECRET: Key = Key {
    name: "client_secret",
    env: "GALAXY_CLIENT_SECRET",
};

/// A Galaxy service account's client credentials.
#[derive(Clone)]
pub struct GalaxyCredentials {
    base_url: String,
    client_id: String,
    client_secret: SecretString,
    policy: RefreshPolicy,
}

impl std::fmt::Debug for GalaxyCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GalaxyCredentials")
            .field("base_url", &self.base_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .finish()
    }
}

impl GalaxyCredentials {
    /// Credentials for `domain` (`acme.galaxy.starburst.io`, or a full `https://…` base URL).
    pub fn new(domain: &str, client_id: impl Into<String>, client_secret: SecretString) -> Self {
        let base_url = if domain.contains("://") {
            domain.to_string()
        } else {
            format!("https://{domain}")
        };
        Self {
            base_url: base_url.trim_end_matches('/').to_string(),
            client_id: client_id.into(),
            client_secret,
            policy: RefreshPolicy::default(),
        }
    }

    /// From `GALAXY_DOMAIN`, `GALAXY_CLIENT_ID`, `GALAXY_CLIENT_SECRET`, and, when `profile` is
    /// given, that profile's `[<profile>.galaxy]` table (a key set differently in both is an error).
    pub fn load(profile: Option<&str>) -> Result<Self, AuthError> {
        let s = Settings::load(API, &[DOMAIN, CLIENT_ID, CLIENT_SECRET], profile)?;
        Ok(Self::new(
            &s.require(&DOMAIN)?,
            s.require(&CLIENT_ID)?,
            s.secret(&CLIENT_SECRET)?,
        ))
    }

    /// The same credentials with another refresh policy.
    pub fn with_refresh_policy(mut self, policy: RefreshPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The account's API base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// A client context authenticating with these credentials, to adjust before building a
    /// client with `Client::with_context(credentials.base_url(), context)`.
    pub fn context(&self) -> Context {
        Context::new(&PROFILE).with_credential(self.credential())
    }

    /// The credential the client sends: a bearer token from the token endpoint, fetched
    /// through the client's own request path (its HTTP client, checks, retries and limits).
    pub fn credential(&self) -> Credential {
        let source = ClientCredentials {
            token_url: format!("{}/oauth/v2/token?token_format=oauth2", self.base_url),
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
        };
        Credential::bearer_tokens(source, self.policy)
    }
}

struct ClientCredentials {
    token_url: String,
    client_id: String,
    client_secret: SecretString,
}

impl ClientCredentials {
    /// `base64(client_id:client_secret)`, the Basic credential of the token request.
    fn basic(&self) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            self.client_id,
            self.client_secret.expose_secret()
        ))
    }
}

/// The token response: RFC 6749, or the legacy `{"oauthTokenData": {…}}` wrapper.
#[derive(Deserialize)]
#[serde(untagged)]
enum TokenResponse {
    Standard(TokenData),
    Legacy {
        #[serde(rename = "oauthTokenData")]
        oauth_token_data: TokenData,
    },
}

#[derive(Deserialize)]
struct TokenData {
    #[serde(alias = "accessToken")]
    access_token: String,
    #[serde(default, alias = "expiresIn")]
    expires_in: Option<u64>,
}

impl TokenSource for ClientCredentials {
    fn fetch(&self, client: TokenClient) -> BoxFuture<'static, Result<Token, AuthError>> {
        const STEP: &str = "token endpoint";
        let mut auth = reqwest::header::HeaderValue::from_str(&format!("Basic {}", self.basic()))
            .expect("base64 is ASCII");
        auth.set_sensitive(true);
        let request = client
            .http()
            .post(&self.token_url)
            .header(reqwest::header::AUTHORIZATION, auth)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .header(reqwest::header::ACCEPT, "application/json")
            .body("grant_type=client_credentials")
            .build();
        async move {
            let request = request.map_err(|e| {
                AuthError::new(
                    API,
                    "configuration",
                    crate::core::AuthErrorKind::Configuration,
                    format!("invalid token URL: {}", e.without_url()),
                )
            })?;
            // Client credentials can be asked for again without harm.
            let body = client.success(STEP, request, Replay::Safe).await?;
            let data = match serde_json::from_slice::<TokenResponse>(&body) {
                Ok(TokenResponse::Standard(d))
                | Ok(TokenResponse::Legacy {
                    oauth_token_data: d,
                }) => d,
                Err(_) => {
                    let mut e = AuthError::token_endpoint(API, STEP, Some(200), "");
                    e.detail = format!("no access_token in the answer: {}", client.excerpt(&body));
                    return Err(e);
                }
            };
            Ok(Token {
                secret: SecretString::from(data.access_token),
                lifetime: data.expires_in.map(Duration::from_secs),
            })
        }
        .boxed()
    }

    fn secrets(&self) -> Vec<SecretString> {
        vec![self.client_secret.clone(), SecretString::from(self.basic())]
    }
}

impl super::Client {
    /// A Galaxy client authenticated with `credentials` (tokens fetched and refreshed for you).
    pub fn with_credentials(credentials: &GalaxyCredentials) -> Self {
        Self::with_context(credentials.base_url(), credentials.context())
    }

    /// A Galaxy client for `domain` (`acme.galaxy.starburst.io`, or a full `https://…` base
    /// URL) with a service account's client credentials.
    pub fn with_client_credentials(
        domain: &str,
        client_id: &str,
        client_secret: &SecretString,
    ) -> Self {
        Self::with_credentials(&GalaxyCredentials::new(
            domain,
            client_id,
            client_secret.clone(),
        ))
    }

    /// A Galaxy client from `GALAXY_DOMAIN`, `GALAXY_CLIENT_ID` and `GALAXY_CLIENT_SECRET`,
    /// or, when `profile` is given, from that profile's `[<profile>.galaxy]` table (a key set
    /// differently in both is an error).
    pub fn from_config(profile: Option<&str>) -> Result<Self, AuthError> {
        Ok(Self::with_credentials(&GalaxyCredentials::load(profile)?))
    }

    /// Same as [`from_config(None)`](Self::from_config).
    #[deprecated(
        since = "0.2.0",
        note = "use `from_config(None)`: the same name in every API"
    )]
    pub fn from_env() -> Result<Self, AuthError> {
        Self::from_config(None)
    }
}
