//! What the request path learns besides the HTTP answer, and how it reaches [`Error`].
//!
//! progenitor's error type carries no typed payload of ours, except inside a response's
//! extensions. So what the request path finds travels there: marks on a real answer (a body
//! over the limit, an envelope error, a redirect not followed, a rejection of the
//! credential), and, for a failure with no answer at all (the credential could not be had, the
//! call's time ran out), a stand-in response carrying the [`Failure`]. `core::error` turns
//! each into its [`Error`] variant. Nothing travels beside the call (no thread-local, no
//! task-local), so nothing can land on another call.
//!
//! [`Error`]: super::Error

use std::time::Duration;

use super::AuthError;

/// A body over the client's limit (and so not read).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Oversized(pub(crate) usize);

/// A 2xx answer whose envelope reports an error: the error member, as redacted text.
#[derive(Clone, Debug)]
pub(crate) struct EnvelopeError(pub(crate) String);

/// A 3xx that was not followed: where it led, and why not.
#[derive(Clone, Debug)]
pub(crate) struct RefusedRedirect {
    pub(crate) location: String,
    pub(crate) reason: String,
}

/// A failure of the request path itself.
#[derive(Clone, Debug)]
pub(crate) enum Failure {
    /// The credential was missing, refused or could not be fetched.
    Auth(AuthError),
    /// The call's time limit passed.
    Deadline(Duration),
}

impl Failure {
    /// A stand-in response carrying this failure, for progenitor's
    /// `Error::UnexpectedResponse` (see the module docs). `send_raw` callers see status 401 for
    /// a credential failure and 504 for a call that ran out of time.
    pub(crate) fn into_response(self) -> reqwest::Response {
        let status = match &self {
            Failure::Auth(_) => 401,
            Failure::Deadline(_) => 504,
        };
        let response = http::Response::builder()
            .status(status)
            .extension(self)
            .body(bytes::Bytes::new())
            .expect("a status and an extension make a response");
        reqwest::Response::from(response)
    }
}
