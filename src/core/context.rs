//! Per-client state carried inside every generated client.

use reqwest::header::HeaderValue;

/// What the shared request path needs to know about the client it serves.
///
/// Usually made for you by each API's `Client::from_base_url`; pass one to the generated
/// `Client::new` / `Client::new_with_client` to bring your own `reqwest::Client`.
#[derive(Clone, Debug)]
pub struct Context {
    api: &'static str,
    user_agent: HeaderValue,
}

impl Context {
    /// Context for the API named `api` (its module name: `"galaxy"`, `"acm"`, …).
    pub fn new(api: &'static str) -> Self {
        let ua = format!("dataplat/{} ({api})", env!("CARGO_PKG_VERSION"));
        Self {
            api,
            user_agent: HeaderValue::from_str(&ua)
                .expect("crate version and module names are ASCII"),
        }
    }

    /// The API this client talks to.
    pub fn api(&self) -> &'static str {
        self.api
    }

    /// The `User-Agent` sent on every request.
    pub fn user_agent(&self) -> &HeaderValue {
        &self.user_agent
    }
}
