//! What is special about one API, declared once in that API's own module.
//!
//! The core names no API: each module has a `const PROFILE: ApiProfile` with its name, what
//! counts as a rejection of the credential, its default rate limits, whether a 2xx answer can
//! carry an error in its envelope, and the hint added to rejections. A [`Context`](super::Context)
//! is made from a profile, so a misspelt name cannot quietly lose an API's settings.

use reqwest::StatusCode;

use super::RateLimit;

/// Whether an answer (status and buffered body) means the credential itself was refused, as
/// opposed to "this identity may not do that". Such an answer is replayed once with a fresh
/// token when the credential can refresh, and reported as [`Error::Auth`](super::Error::Auth).
pub type RejectionRule = fn(StatusCode, &[u8]) -> bool;

/// The settings of one API that differ from the core's defaults.
#[derive(Clone, Copy)]
pub struct ApiProfile {
    /// The API module's name: in errors, spans and the `User-Agent`.
    pub name: &'static str,
    /// What counts as a rejection of the credential (default: HTTP 401).
    pub rejects: RejectionRule,
    /// The rate limits a new client starts with (default: none).
    pub default_limits: fn() -> Vec<RateLimit>,
    /// Whether a 2xx JSON answer whose `error` member reports a failure is an error (an API
    /// that wraps answers in a `{data, error}` envelope).
    pub envelope_errors: bool,
    /// A sentence added to errors when the API rejects the credential (keys that expire, say).
    pub rejection_hint: Option<&'static str>,
}

impl std::fmt::Debug for ApiProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiProfile")
            .field("name", &self.name)
            .field("envelope_errors", &self.envelope_errors)
            .field("rejection_hint", &self.rejection_hint)
            .finish_non_exhaustive()
    }
}

/// A 401 and nothing else is a rejection.
pub fn rejects_401(status: StatusCode, _body: &[u8]) -> bool {
    status == StatusCode::UNAUTHORIZED
}

fn no_limits() -> Vec<RateLimit> {
    Vec::new()
}

impl ApiProfile {
    /// The core's defaults for the API named `name`.
    pub const fn new(name: &'static str) -> Self {
        Self {
            name,
            rejects: rejects_401,
            default_limits: no_limits,
            envelope_errors: false,
            rejection_hint: None,
        }
    }

    /// With another rejection rule.
    pub const fn rejecting(mut self, rule: RejectionRule) -> Self {
        self.rejects = rule;
        self
    }

    /// With default rate limits.
    pub const fn limited(mut self, limits: fn() -> Vec<RateLimit>) -> Self {
        self.default_limits = limits;
        self
    }

    /// With 2xx envelope errors (see [`ApiProfile::envelope_errors`]).
    pub const fn with_envelope_errors(mut self) -> Self {
        self.envelope_errors = true;
        self
    }

    /// With a hint for rejections.
    pub const fn hinting(mut self, hint: &'static str) -> Self {
        self.rejection_hint = Some(hint);
        self
    }
}

/// Whether `body` is a JSON object whose `detail` member is `text` (for rejection rules that
/// look at the body).
pub fn detail_is(body: &[u8], text: &str) -> bool {
    #[derive(serde::Deserialize)]
    struct Detail<'a> {
        #[serde(borrow)]
        detail: Option<std::borrow::Cow<'a, str>>,
    }
    serde_json::from_slice::<Detail>(body).is_ok_and(|d| d.detail.as_deref() == Some(text))
}
