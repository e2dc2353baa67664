//! Per-client state carried inside every generated client.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderValue;

use super::profile::ApiProfile;
use super::redact::Secrets;
use super::{Credential, HttpClient, RateLimit, RetryBudget, RetryPolicy};

/// The longest a call may take by default, everything included: the token fetch, every
/// redirect hop, every retry and the waits between them. Long-running operations are waited
/// for by polling (`wait_until_*`), not by long calls.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Largest response body a client reads by default (64 MiB); larger answers are an error.
pub const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// Largest answer read from a token, login, device or exchange endpoint (1 MiB).
pub const MAX_TOKEN_BODY_BYTES: usize = 1024 * 1024;

/// What the shared request path needs to know about the client it serves.
///
/// Usually made for you by each API's constructors; build one yourself to change the HTTP
/// client (root CAs, proxy, identity: [`Context::with_http_client`]), the retry policy and
/// budget, rate limits or timeouts, then pass it to the API's `Client::with_context`.
#[derive(Clone, Debug)]
pub struct Context {
    profile: &'static ApiProfile,
    http: HttpClient,
    user_agent: HeaderValue,
    credential: Option<Credential>,
    retry: RetryPolicy,
    budget: RetryBudget,
    limits: Arc<Vec<RateLimit>>,
    timeout: Duration,
    attempt_timeout: Option<Duration>,
    max_body_bytes: usize,
    secrets: Secrets,
}

impl Context {
    /// An unauthenticated context for the API `profile` describes (each API module has its
    /// `PROFILE`), with dataplat's default HTTP client, retry policy and budget.
    pub fn new(profile: &'static ApiProfile) -> Self {
        let ua = format!("dataplat/{} ({})", env!("CARGO_PKG_VERSION"), profile.name);
        Self {
            profile,
            http: HttpClient::new(),
            user_agent: HeaderValue::from_str(&ua)
                .expect("crate version and module names are ASCII"),
            credential: None,
            retry: RetryPolicy::default(),
            budget: RetryBudget::default(),
            limits: Arc::new((profile.default_limits)()),
            timeout: REQUEST_TIMEOUT,
            attempt_timeout: None,
            max_body_bytes: MAX_BODY_BYTES,
            secrets: Secrets::default(),
        }
    }

    /// The same context sending everything (API calls, token endpoints, logins, the device
    /// flow) through `http`.
    pub fn with_http_client(mut self, http: HttpClient) -> Self {
        self.http = http;
        self
    }

    /// The same context with another retry policy (`RetryPolicy::none()` disables retries).
    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The same context with another retry budget (shared by all calls of the client; see
    /// [`RetryBudget`]).
    pub fn with_retry_budget(mut self, budget: RetryBudget) -> Self {
        self.budget = budget;
        self
    }

    /// The same context with these rate limits instead of the API's defaults.
    pub fn with_rate_limits(mut self, limits: Vec<RateLimit>) -> Self {
        self.limits = Arc::new(limits);
        self
    }

    /// The same context with another limit for a whole call ([`REQUEST_TIMEOUT`] by default):
    /// the token fetch, redirects, retries and the waits between them all fit inside it.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The same context with a limit for each attempt of a call (none by default), so that a
    /// stalled attempt is abandoned and retried while the call's own limit still allows.
    pub fn with_attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// The same context with another response size limit.
    pub fn with_max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// The same context, authenticating every request with `credential`. The secrets the
    /// credential holds, and every token it fetches, are redacted from this client's errors
    /// and logs.
    pub fn with_credential(mut self, credential: Credential) -> Self {
        credential.secrets().extend(&self.secrets);
        self.secrets = credential.secrets().clone();
        self.credential = Some(credential);
        self
    }

    /// The API this client talks to.
    pub fn api(&self) -> &'static str {
        self.profile.name
    }

    /// What is special about that API.
    pub fn profile(&self) -> &'static ApiProfile {
        self.profile
    }

    /// The HTTP client.
    pub fn http_client(&self) -> &HttpClient {
        &self.http
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The retry budget.
    pub fn retry_budget(&self) -> &RetryBudget {
        &self.budget
    }

    /// The rate limits requests wait for.
    pub fn rate_limits(&self) -> &[RateLimit] {
        &self.limits
    }

    /// The limit of a whole call.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The limit of one attempt, if any.
    pub fn attempt_timeout(&self) -> Option<Duration> {
        self.attempt_timeout
    }

    /// Largest response body read.
    pub fn max_body_bytes(&self) -> usize {
        self.max_body_bytes
    }

    /// The `User-Agent` sent on every request.
    pub fn user_agent(&self) -> &HeaderValue {
        &self.user_agent
    }

    /// The credential, if the client authenticates.
    pub fn credential(&self) -> Option<&Credential> {
        self.credential.as_ref()
    }

    /// The secrets redacted from this client's errors and logs.
    pub fn secrets(&self) -> &Secrets {
        &self.secrets
    }

    /// The hint added to credential rejections, if any.
    pub fn rejection_hint(&self) -> Option<&'static str> {
        self.profile.rejection_hint
    }

    /// Whether this answer means the credential was refused (the profile's rule).
    pub(crate) fn rejects(&self, status: reqwest::StatusCode, body: &[u8]) -> bool {
        (self.profile.rejects)(status, body)
    }

    /// Whether a 2xx answer with an `error` member in its JSON envelope is an error.
    pub(crate) fn envelope_errors(&self) -> bool {
        self.profile.envelope_errors
    }

    /// The context token, login and device requests are sent with: this one's HTTP client,
    /// retry policy, budget, timeout and secrets, without the credential (they fetch it), and
    /// with answers bounded to [`MAX_TOKEN_BODY_BYTES`].
    pub(crate) fn for_tokens(&self) -> Self {
        Self {
            credential: None,
            max_body_bytes: self.max_body_bytes.min(MAX_TOKEN_BODY_BYTES),
            // Token endpoints are not the API: its rate limits do not apply.
            limits: Arc::new(Vec::new()),
            ..self.clone()
        }
    }
}
