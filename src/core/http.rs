//! The one HTTP client a dataplat client sends everything with: API calls, token endpoints,
//! logins and the device flow.
//!
//! It is always built by dataplat, from a `reqwest::ClientBuilder` that you may configure (root
//! CAs, a proxy, an mTLS identity, timeouts): [`HttpClient::from_builder`] turns reqwest's own
//! redirect following off, because the request path follows redirects itself and decides what
//! may cross to another origin. There is no way to hand dataplat a `reqwest::Client` that
//! follows redirects on its own.

use std::time::Duration;

/// Connect timeout of clients built by dataplat.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// dataplat's HTTP client (cheap to clone: clones share connections).
#[derive(Clone, Debug)]
pub struct HttpClient(reqwest::Client);

impl Default for HttpClient {
    fn default() -> Self {
        Self::new()
    }
}

impl HttpClient {
    /// The default client: [`CONNECT_TIMEOUT`], proxies from `HTTPS_PROXY`/`HTTP_PROXY`/
    /// `ALL_PROXY`/`NO_PROXY` when any is set, redirects left to the request path.
    ///
    /// Built once per process (loading the TLS roots takes milliseconds) and shared, with its
    /// connection pool, by every client that does not bring its own; the proxy variables are
    /// read when it is built.
    pub fn new() -> Self {
        static DEFAULT: std::sync::OnceLock<HttpClient> = std::sync::OnceLock::new();
        DEFAULT
            .get_or_init(|| {
                Self::from_builder(Self::builder()).expect(
                    "a client with only timeouts, a proxy setting and a redirect policy builds",
                )
            })
            .clone()
    }

    /// A `reqwest::ClientBuilder` with dataplat's defaults, to add root certificates, a proxy,
    /// an identity or timeouts to before [`HttpClient::from_builder`].
    ///
    /// When no proxy variable is set in the environment, proxy lookup is off (`no_proxy`), so
    /// requests do not pay for matching against an empty proxy list; a `.proxy(…)` added to the
    /// builder afterwards still applies.
    pub fn builder() -> reqwest::ClientBuilder {
        let builder = reqwest::Client::builder().connect_timeout(CONNECT_TIMEOUT);
        if proxy_in_environment() {
            builder
        } else {
            builder.no_proxy()
        }
    }

    /// Builds the client from `builder`, with redirect following turned off (see the module
    /// docs) and the TLS crypto provider installed first ([`ensure_tls_provider`]).
    pub fn from_builder(builder: reqwest::ClientBuilder) -> Result<Self, reqwest::Error> {
        ensure_tls_provider();
        builder
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map(Self)
    }

    /// The underlying reqwest client (redirects off).
    pub fn reqwest(&self) -> &reqwest::Client {
        &self.0
    }
}

/// Whether any variable reqwest reads its proxies from is set.
fn proxy_in_environment() -> bool {
    [
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
    ]
    .iter()
    .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()))
}

/// Makes `ring` rustls' process-wide crypto provider unless the application installed one first
/// (its choice wins, e.g. aws-lc-rs). Every way of making a dataplat client calls it; call it
/// yourself only before building TLS clients of your own in the same process.
pub fn ensure_tls_provider() {
    #[cfg(feature = "tls-ring")]
    {
        // Err means a provider is installed already: keep it.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// The TLS feature this build has, if any. Without one, `https://` URLs are refused before
/// anything is sent, with an error naming the feature to enable.
pub(crate) const TLS_FEATURE: Option<&str> = if cfg!(feature = "tls-ring") {
    Some("tls-ring")
} else {
    None
};
