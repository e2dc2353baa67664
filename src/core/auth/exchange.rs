//! Token, login, device and exchange requests, sent through the same request path as API
//! calls.
//!
//! A [`TokenSource`](super::TokenSource) gets a [`TokenClient`] for each fetch: the API
//! client's HTTP client (so a custom root CA, proxy or identity applies to logins too), its
//! retry policy and budget, and its time limit. What differs from an API call:
//! - the URL is checked before anything is sent, whatever the request carries: a secret goes
//!   to it (a client secret, a password, a refresh token), whether the URL was configured or
//!   learned from a server's answer;
//! - answers are bounded to [`MAX_TOKEN_BODY_BYTES`](crate::core::MAX_TOKEN_BODY_BYTES);
//! - whether a failed request is sent again is the request's [`Replay`];
//! - failures are [`AuthError`]s naming the step, with the server's words redacted.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::{Request, StatusCode};
use secrecy::{ExposeSecret, SecretString};

use super::{AuthError, AuthErrorKind};
use crate::core::Context;
use crate::core::redact::excerpt_with;
use crate::core::transport::{Clock, Purpose, Replay, SendError, execute};

/// What a token source sends its requests with (see the module docs). Cheap to clone.
#[derive(Clone, Debug)]
pub struct TokenClient {
    context: Context,
}

/// An answer from a token endpoint: any status, the body bounded.
#[derive(Clone, Debug)]
pub struct TokenAnswer {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body (at most [`MAX_TOKEN_BODY_BYTES`](crate::core::MAX_TOKEN_BODY_BYTES)).
    pub body: Bytes,
}

impl TokenClient {
    /// A token client over `context` (made by the token cache from the API client's own).
    pub(crate) fn new(context: Context) -> Self {
        Self { context }
    }

    /// The API this fetch is for.
    pub fn api(&self) -> &'static str {
        self.context.api()
    }

    /// The HTTP client, to build requests with.
    pub fn http(&self) -> &reqwest::Client {
        self.context.http_client().reqwest()
    }

    /// Remembers a secret this fetch learned (a rotated refresh token), so that it is redacted
    /// from the client's errors and logs.
    pub fn remember(&self, secret: &SecretString) {
        self.context.secrets().add_fetched(secret.expose_secret());
    }

    /// Sends `request` for the step named `step`; any status is an answer. Fails with an
    /// [`AuthError`] when the URL may not be used, nothing usable came back, or the client's
    /// time limit passed.
    pub async fn send(
        &self,
        step: &'static str,
        mut request: Request,
        replay: Replay,
    ) -> Result<TokenAnswer, AuthError> {
        let limit = self.context.timeout();
        let clock = Clock::start(limit);
        let options = crate::core::CallOptions::default();
        let call = execute(
            &self.context,
            &mut request,
            Purpose::Secret(replay),
            &options,
            clock,
        );
        let answer = match tokio::time::timeout_at(clock.deadline, call).await {
            Err(_) => return Err(self.timed_out(step, limit)),
            Ok(Err(SendError::Refused(why))) => {
                return Err(AuthError::new(
                    self.api(),
                    step,
                    AuthErrorKind::Configuration,
                    why,
                ));
            }
            Ok(Err(SendError::Http(e))) => {
                return Err(AuthError::new(
                    self.api(),
                    step,
                    AuthErrorKind::Transport,
                    crate::core::error::describe(&e),
                ));
            }
            Ok(Ok(answer)) => answer,
        };
        if let Some(limit) = answer.oversized {
            return Err(AuthError {
                api: self.api(),
                step,
                status: Some(answer.status().as_u16()),
                detail: format!(
                    "the answer exceeds the limit of {limit} bytes for token endpoints"
                ),
                kind: AuthErrorKind::Endpoint,
            });
        }
        if let Some(refused) = &answer.refused_redirect {
            return Err(AuthError {
                api: self.api(),
                step,
                status: Some(answer.status().as_u16()),
                detail: format!(
                    "redirect to {} not followed: {}",
                    refused.location, refused.reason
                ),
                kind: AuthErrorKind::Endpoint,
            });
        }
        let status = answer.status();
        let headers = answer.headers().clone();
        Ok(TokenAnswer {
            status,
            headers,
            body: answer.into_inner().body,
        })
    }

    /// Like [`send`](Self::send), for endpoints whose only good answer is a 2xx: its body, or
    /// an [`AuthError`] with the status and the server's words, redacted (400/401/403 are
    /// rejections).
    pub async fn success(
        &self,
        step: &'static str,
        request: Request,
        replay: Replay,
    ) -> Result<Bytes, AuthError> {
        let answer = self.send(step, request, replay).await?;
        if !answer.status.is_success() {
            return Err(self.failure(step, &answer));
        }
        Ok(answer.body)
    }

    /// The error an unusable answer means: rejected for 400/401/403, an endpoint error
    /// otherwise; the detail is the server's words, redacted.
    pub fn failure(&self, step: &'static str, answer: &TokenAnswer) -> AuthError {
        let status = answer.status.as_u16();
        let mut error = AuthError::token_endpoint(self.api(), step, Some(status), "");
        error.detail = self.excerpt(&answer.body);
        if error.detail.is_empty() {
            error.detail = format!(
                "the server said nothing more (HTTP {status} {})",
                answer.status.canonical_reason().unwrap_or("")
            );
        }
        error
    }

    /// A redacted excerpt of `body` (the client's secrets removed by value, secret members by
    /// key, control characters escaped).
    pub fn excerpt(&self, body: &[u8]) -> String {
        excerpt_with(&String::from_utf8_lossy(body), self.context.secrets(), &[])
    }

    fn timed_out(&self, step: &'static str, limit: Duration) -> AuthError {
        AuthError::new(
            self.api(),
            step,
            AuthErrorKind::Transport,
            format!(
                "timed out: no answer within the client's limit of {} s",
                limit.as_secs_f64()
            ),
        )
    }
}
