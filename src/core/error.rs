//! The error every generated operation returns: which call failed, and how.
//!
//! progenitor's own error names neither the API nor the operation; each operation's `send` is
//! generated to run inside [`scoped`], which converts it into [`Error`] with the [`Call`] attached.
//!
//! What the request path finds out about an answer (an envelope error, a body over the
//! limit, a redirect not followed, a credential failure, a call out of time) reaches the
//! conversion marked on the response of an `Error::UnexpectedResponse` (see `core::failure`).

use std::fmt;
use std::future::Future;

use progenitor_client::ResponseValue;
use reqwest::header::HeaderName;

use super::failure::{EnvelopeError, Failure, Oversized, RefusedRedirect};
use super::redact::excerpt_with;
use super::{AuthError, Context};

/// Most bytes of an unexpected error body quoted in the excerpt.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// Response headers that carry a request id, in the order they are looked for (as header
/// names, so a lookup does not parse the name again).
const REQUEST_ID_HEADERS: [HeaderName; 5] = [
    HeaderName::from_static("x-request-id"),
    HeaderName::from_static("request-id"),
    HeaderName::from_static("x-amzn-requestid"),
    HeaderName::from_static("x-correlation-id"),
    HeaderName::from_static("cf-ray"),
];

/// The call an error belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Call {
    /// The API's module name.
    pub api: &'static str,
    /// The spec's operationId (`getCluster`).
    pub operation_id: &'static str,
    /// HTTP method.
    pub method: &'static str,
    /// Path template from the spec (`/public/api/v1/cluster/{clusterId}`).
    pub path: &'static str,
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} ({} {})",
            self.api, self.operation_id, self.method, self.path
        )
    }
}

/// A failed operation. `E` is the operation's documented error body type.
#[derive(Debug, thiserror::Error)]
pub enum Error<E = ()> {
    /// Credentials were missing, refused, or could not be obtained.
    #[error("{call}: {source}")]
    Auth {
        /// The call.
        call: Call,
        /// What went wrong with the credential.
        #[source]
        source: AuthError,
    },
    /// The API answered with an error status.
    #[error("{call}: HTTP {status}{}: {excerpt}", request_id.as_ref().map(|r| format!(" (request id {r})")).unwrap_or_default())]
    Status {
        /// The call.
        call: Call,
        /// HTTP status.
        status: u16,
        /// The response's request id header, when it had one.
        request_id: Option<String>,
        /// A bounded excerpt of the body with secret members redacted.
        excerpt: String,
        /// The documented error body, decoded, when the status has one.
        body: Option<E>,
    },
    /// No usable answer: connection refused or reset, timeout (an attempt's, or the whole
    /// call's), body cut short.
    #[error("{call}: {message}")]
    Transport {
        /// The call.
        call: Call,
        /// What happened.
        message: String,
        /// reqwest's error (without its URL), when reqwest reported one; `None` when the
        /// call's own time limit ran out.
        #[source]
        source: Option<reqwest::Error>,
    },
    /// A redirect the client would not follow: to another origin with a request body (which
    /// may hold a password), from https to plain http, or with a credential or body to plain
    /// http. The redirect was the answer; nothing was sent to its target.
    #[error("{call}: HTTP {status} redirect to {location} not followed: {reason}")]
    Redirect {
        /// The call.
        call: Call,
        /// The 3xx status.
        status: u16,
        /// Where it led (origin and path; no query).
        location: String,
        /// Why it was not followed.
        reason: String,
    },
    /// A success status whose body did not decode into the documented type.
    #[error("{call}: the response body does not match the spec: {message}; body: {excerpt}")]
    Decode {
        /// The call.
        call: Call,
        /// The decoder's complaint.
        message: String,
        /// A bounded, redacted excerpt of the body.
        excerpt: String,
    },
    /// The request could not be built (a required parameter missing or invalid).
    #[error("{call}: invalid request: {message}")]
    InvalidRequest {
        /// The call.
        call: Call,
        /// What is wrong with it.
        message: String,
    },
}

impl<E> Error<E> {
    /// The call that failed.
    pub fn call(&self) -> &Call {
        match self {
            Self::Auth { call, .. }
            | Self::Status { call, .. }
            | Self::Transport { call, .. }
            | Self::Redirect { call, .. }
            | Self::Decode { call, .. }
            | Self::InvalidRequest { call, .. } => call,
        }
    }

    /// The HTTP status, when there was an answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Status { status, .. } | Self::Redirect { status, .. } => Some(*status),
            Self::Auth { source, .. } => source.status,
            _ => None,
        }
    }

    /// The error that ends a list stream whose server handed out a page cursor it had handed
    /// out before (the list would repeat forever).
    pub fn repeated_cursor(call: Call) -> Self {
        Self::Decode {
            call,
            message: "the server answered with a page cursor it had already sent; the list would repeat forever, so the stream ends here".into(),
            excerpt: String::new(),
        }
    }

    /// The same error without its typed body (to handle errors of several operations or APIs
    /// alike); everything else, the excerpt included, stays.
    pub fn untyped(self) -> Error<()> {
        match self {
            Self::Auth { call, source } => Error::Auth { call, source },
            Self::Status {
                call,
                status,
                request_id,
                excerpt,
                body,
            } => Error::Status {
                call,
                status,
                request_id,
                excerpt,
                body: body.map(|_| ()),
            },
            Self::Transport {
                call,
                message,
                source,
            } => Error::Transport {
                call,
                message,
                source,
            },
            Self::Redirect {
                call,
                status,
                location,
                reason,
            } => Error::Redirect {
                call,
                status,
                location,
                reason,
            },
            Self::Decode {
                call,
                message,
                excerpt,
            } => Error::Decode {
                call,
                message,
                excerpt,
            },
            Self::InvalidRequest { call, message } => Error::InvalidRequest { call, message },
        }
    }

    /// The decoded error body, when the API sent a documented one.
    pub fn body(&self) -> Option<&E> {
        match self {
            Self::Status { body, .. } => body.as_ref(),
            _ => None,
        }
    }
}

/// Runs a generated `send_raw` and converts its error into [`Error`] for `call`.
///
/// A combinator rather than an async fn, so that `send` sits in the future once, in place: an
/// async fn keeps its argument apart from what it awaits, and every call moves the whole
/// future a few times on its way to the executor. The call's span is opened, and its clock
/// started, when the future is made.
// `Error` is what every generated `send` returns; its size is the public API's.
#[allow(clippy::result_large_err)]
pub fn scoped<'a, T, E>(
    call: Call,
    context: &'a Context,
    send: impl Future<Output = Result<ResponseValue<T>, progenitor_client::Error<E>>> + 'a,
) -> impl Future<Output = Result<ResponseValue<T>, Error<E>>> + 'a
where
    E: serde::Serialize,
{
    let span = tracing::info_span!(
        "dataplat",
        api = call.api,
        operation = call.operation_id,
        method = call.method,
        path = call.path,
        status = tracing::field::Empty,
        // The request path records any later attempt.
        attempt = 1u32,
        elapsed_ms = tracing::field::Empty,
    );
    // The clock is read only for a span someone records.
    let started = (!span.is_disabled()).then(std::time::Instant::now);
    Scoped {
        send,
        span,
        call,
        context,
        started,
    }
}

pin_project_lite::pin_project! {
    /// `send` polled within its call's span, its outcome handed to [`finish`]: what tracing's
    /// `Instrumented` and a `map` do, in one future, so that the outcome (a response value or
    /// an error, a few hundred bytes) is moved out once rather than once per layer.
    struct Scoped<'a, F> {
        #[pin]
        send: F,
        span: tracing::Span,
        call: Call,
        context: &'a Context,
        started: Option<std::time::Instant>,
    }
}

impl<T, E, F> Future for Scoped<'_, F>
where
    E: serde::Serialize,
    F: Future<Output = Result<ResponseValue<T>, progenitor_client::Error<E>>>,
{
    type Output = Result<ResponseValue<T>, Error<E>>;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let this = self.project();
        let entered = this.span.enter();
        let result = std::task::ready!(this.send.poll(cx));
        drop(entered);
        std::task::Poll::Ready(finish(
            *this.call,
            this.context,
            this.span,
            *this.started,
            result,
        ))
    }
}

/// What [`scoped`] answers once `send` has: the error converted, the outcome logged.
#[allow(clippy::result_large_err)]
fn finish<T, E: serde::Serialize>(
    call: Call,
    context: &Context,
    span: &tracing::Span,
    started: Option<std::time::Instant>,
    result: Result<ResponseValue<T>, progenitor_client::Error<E>>,
) -> Result<ResponseValue<T>, Error<E>> {
    let outcome = match result {
        Ok(value) => Ok(value),
        Err(error) => Err(convert(call, context, error)),
    };
    // Only a span someone records was given a clock.
    if let Some(started) = started {
        span.record("elapsed_ms", started.elapsed().as_millis() as u64);
        let status = match &outcome {
            Ok(v) => Some(v.status().as_u16()),
            Err(e) => e.status(),
        };
        if let Some(status) = status {
            span.record("status", status);
        }
    }
    span.in_scope(|| match &outcome {
        Ok(v) => tracing::info!(status = v.status().as_u16(), "call succeeded"),
        Err(e) => tracing::warn!(error = %e, "call failed"),
    });
    outcome
}

fn convert<E: serde::Serialize>(
    call: Call,
    context: &Context,
    error: progenitor_client::Error<E>,
) -> Error<E> {
    use progenitor_client::Error as P;
    let excerpt = |text: &str| excerpt_with(text, context.secrets(), &[]);
    match error {
        P::ErrorResponse(value) => {
            let status = value.status().as_u16();
            let request_id = request_id(value.headers());
            let body = value.into_inner();
            let text = serde_json::to_string(&body).unwrap_or_default();
            Error::Status {
                call,
                status,
                request_id,
                excerpt: excerpt(&text),
                body: Some(body),
            }
        }
        // What the request path marked on the answer outranks what its body says: a body
        // over the limit was never decoded, an envelope error explains why its data is not
        // there, and a credential failure is what the status means.
        P::UnexpectedResponse(response) => {
            let status = response.status().as_u16();
            if let Some(failure) = response.extensions().get::<Failure>() {
                return match failure.clone() {
                    Failure::Auth(source) => Error::Auth { call, source },
                    Failure::Deadline(limit) => Error::Transport {
                        call,
                        message: format!(
                            "timed out: the call's limit of {} passed",
                            seconds(limit)
                        ),
                        source: None,
                    },
                };
            }
            if let Some(Oversized(limit)) = response.extensions().get() {
                return Error::Decode {
                    call,
                    message: format!("the body exceeds the client's limit of {limit} bytes"),
                    excerpt: String::new(),
                };
            }
            if let Some(RefusedRedirect { location, reason }) = response.extensions().get() {
                return Error::Redirect {
                    call,
                    status,
                    location: location.clone(),
                    reason: reason.clone(),
                };
            }
            if let Some(EnvelopeError(error)) = response.extensions().get() {
                return Error::Status {
                    call,
                    status,
                    request_id: request_id(response.headers()),
                    excerpt: excerpt(error),
                    body: None,
                };
            }
            // An undocumented status, or an error status whose body is not the documented
            // error shape (a proxy's page, an empty 404): the status is what matters.
            let request_id = request_id(response.headers());
            let text = buffered_excerpt(&response);
            Error::Status {
                call,
                status,
                request_id,
                excerpt: excerpt(&text),
                body: None,
            }
        }
        P::InvalidResponsePayload(bytes, e) => Error::Decode {
            call,
            // serde quotes the value it could not take: redacted like the body.
            message: context.secrets().redact(&e.to_string(), &[]).into_owned(),
            excerpt: excerpt(&String::from_utf8_lossy(&bytes)),
        },
        P::CommunicationError(source)
        | P::ResponseBodyError(source)
        | P::InvalidUpgrade(source) => Error::Transport {
            call,
            message: describe(&source),
            source: Some(source.without_url()),
        },
        P::InvalidRequest(message) | P::Custom(message) => Error::InvalidRequest { call, message },
    }
}

/// `1.5 s`, `60 s`.
fn seconds(d: std::time::Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0} s")
    } else {
        format!("{s:.1} s")
    }
}

/// The message of a builder field that was never set: `message` when `error` is empty (the
/// field was left as it started), else `error` (a value that failed its conversion). The
/// generated builders start required fields empty rather than allocating this message on
/// every call (`dataplat_codegen`'s `unset_fields` pass).
pub(crate) fn unset(error: String, message: &'static str) -> String {
    if error.is_empty() {
        message.to_owned()
    } else {
        error
    }
}

pub(crate) fn request_id(headers: &reqwest::header::HeaderMap) -> Option<String> {
    REQUEST_ID_HEADERS
        .iter()
        .find_map(|h| headers.get(h))
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(100).collect())
}

/// At most [`ERROR_BODY_LIMIT`] bytes of an error body, from the copy the request path kept
/// (`core::decode::with_body`: every response the generated code hands out has one).
fn buffered_excerpt(response: &reqwest::Response) -> String {
    match response.extensions().get() {
        Some(super::decode::Buffered(body)) => {
            String::from_utf8_lossy(&body[..body.len().min(ERROR_BODY_LIMIT)]).into_owned()
        }
        None => String::new(),
    }
}

/// reqwest's error without the URL (query strings can carry secrets) and with its causes.
pub(crate) fn describe(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else if error.is_body() || error.is_decode() {
        "the response body was cut short"
    } else {
        "request failed"
    };
    let mut text = kind.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
