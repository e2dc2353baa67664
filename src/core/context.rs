//! Per-client state carried inside every generated client.

use std::time::Duration;

use reqwest::header::HeaderValue;

use std::sync::Arc;

use super::{Credential, RateLimit, RetryPolicy};

/// Connect timeout of clients built by dataplat.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Whole-request timeout of clients built by dataplat. Long-running operations are waited for by
/// polling, not by long requests.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// What the shared request path needs to know about the client it serves.
///
/// Usually made for you by each API's constructors; pass one to the generated
/// `Client::new_with_client` to bring your own `reqwest::Client` (build it with
/// [`http_client_builder`] so redirects stay under dataplat's control).
#[derive(Clone, Debug)]
pub struct Context {
    api: &'static str,
    user_agent: HeaderValue,
    credential: Option<Credential>,
    rejection_hint: Option<&'static str>,
    retry: RetryPolicy,
    limits: Arc<Vec<RateLimit>>,
    timeout: Option<Duration>,
    envelope_errors: bool,
    max_body_bytes: usize,
    rejects: super::hooks::RejectionRule,
}

/// Largest response body a client reads by default (64 MiB); larger answers are an error.
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

impl Context {
    /// Context for the API named `api` (its module name: `"galaxy"`, `"acm"`, …), unauthenticated.
    pub fn new(api: &'static str) -> Self {
        let ua = format!("dataplat/{} ({api})", env!("CARGO_PKG_VERSION"));
        Self {
            api,
            user_agent: HeaderValue::from_str(&ua)
                .expect("crate version and module names are ASCII"),
            credential: None,
            rejection_hint: None,
            retry: RetryPolicy::default(),
            // Known per-API defaults; everything else unlimited unless configured.
            limits: Arc::new(match api {
                "galaxy" => super::limits::galaxy(),
                _ => Vec::new(),
            }),
            timeout: None,
            // ACM answers some failures with HTTP 200 and an `error` member in its envelope.
            envelope_errors: api == "acm",
            max_body_bytes: MAX_BODY_BYTES,
            rejects: super::hooks::rejection_rule(api),
        }
    }

    /// The same context with another retry policy (`RetryPolicy::none()` disables retries).
    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The same context with these rate limits instead of the API's defaults.
    pub fn with_rate_limits(mut self, limits: Vec<RateLimit>) -> Self {
        self.limits = Arc::new(limits);
        self
    }

    /// The same context with another whole-request timeout per attempt.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The same context with another response size limit.
    pub fn with_max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The rate limits requests wait for.
    pub fn rate_limits(&self) -> &[RateLimit] {
        &self.limits
    }

    /// The per-attempt timeout, when it differs from the HTTP client's.
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// Whether a 2xx answer with an `error` member in its JSON envelope is an error.
    pub fn envelope_errors(&self) -> bool {
        self.envelope_errors
    }

    /// Largest response body read.
    pub fn max_body_bytes(&self) -> usize {
        self.max_body_bytes
    }

    /// Whether this answer means the credential was refused (see `hooks::rejection_rule`).
    pub(crate) fn rejects(&self, status: reqwest::StatusCode, body: &[u8]) -> bool {
        (self.rejects)(status, body)
    }

    /// The same context, authenticating every request with `credential`.
    pub fn with_credential(mut self, credential: Credential) -> Self {
        self.credential = Some(credential);
        self
    }

    /// A sentence added to errors when the API rejects the credential (ACM: keys expire).
    pub fn with_rejection_hint(mut self, hint: &'static str) -> Self {
        self.rejection_hint = Some(hint);
        self
    }

    /// The API this client talks to.
    pub fn api(&self) -> &'static str {
        self.api
    }

    /// The `User-Agent` sent on every request.
    pub fn user_agent(&self) -> &HeaderValue {
        &self.user_agent
    }

    /// The credential, if the client authenticates.
    pub fn credential(&self) -> Option<&Credential> {
        self.credential.as_ref()
    }

    /// The hint added to credential rejections, if any.
    pub fn rejection_hint(&self) -> Option<&'static str> {
        self.rejection_hint
    }
}

/// A `reqwest::Client` with dataplat's defaults (see [`http_client_builder`]).
pub fn http_client() -> reqwest::Client {
    http_client_builder()
        .build()
        .expect("a client with only timeouts and a redirect policy always builds")
}

/// A `reqwest::ClientBuilder` with dataplat's defaults: timeouts, and redirects left to the
/// shared request path, which drops credentials when a redirect leaves the origin (reqwest's own
/// policy keeps `X-Auth-Token` and `x-access-key`).
pub fn http_client_builder() -> reqwest::ClientBuilder {
    ensure_tls_provider();
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
}

/// Makes `ring` rustls' process-wide crypto provider unless the application installed one first
/// (its choice wins, e.g. aws-lc-rs). Called before any client is built; call it yourself before
/// building your own `reqwest::Client` to pass to [`Context`]-taking constructors.
pub fn ensure_tls_provider() {
    #[cfg(feature = "tls-ring")]
    {
        // Err means a provider is installed already: keep it.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}
