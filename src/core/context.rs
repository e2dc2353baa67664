//! Per-client state carried inside every generated client.

use std::time::Duration;

use reqwest::header::HeaderValue;

use super::Credential;

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
}

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
        }
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

/// A `reqwest::ClientBuilder` with dataplat's defaults: timeouts, and redirects left to the
/// shared request path, which drops credentials when a redirect leaves the origin (reqwest's own
/// policy keeps `X-Auth-Token` and `x-access-key`).
pub fn http_client_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
}
