//! Sending a request: rate limits, redirects that never leak credentials or bodies, one replay
//! after a rejection, retries with backoff within the client's retry budget, a bounded body,
//! and a 200-with-error envelope. API calls and token requests both come through here.

use reqwest::{Request, Response};
use tokio::time::Instant;
use tracing::Level;

use super::decode::{Answer, Answered, read_body};
use super::failure::RefusedRedirect;
use super::options::CallOptions;
use super::redact::{REDACTED, redact_json};
use super::redirect::{Hop, MAX_REDIRECTS, carries_secret, insecure, next_hop};
use super::retry::{full_jitter, idempotent, never_sent, retry_after, retryable_status};
use super::{Context, http::TLS_FEATURE};

/// Why a request is sent: it decides how its URL is checked, how large an answer is read and
/// when it may be sent again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// An API operation: retried when its method is idempotent (or the call opted in).
    Api,
    /// A token, login, device or exchange request: a secret goes with it, so its URL is always
    /// checked; retried as its [`Replay`] allows.
    Secret(Replay),
}

/// Whether a token, login or device request may be sent again after a failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replay {
    /// Repeating it does no harm (client credentials, a password login, a token exchange, a
    /// device poll): retried on the same failures as an idempotent API call.
    Safe,
    /// Repeating it could spend something that works once (a rotating refresh token): sent
    /// again only when it provably never left this machine.
    IfNotSent,
}

/// A failure with no answer to hand back.
#[derive(Debug)]
pub(crate) enum SendError {
    /// reqwest failed (connect, timeout, a body cut short).
    Http(reqwest::Error),
    /// The request may not be sent as it is (an insecure URL, no TLS): nothing was sent.
    Refused(String),
}

/// Why the request may not be sent at all, or `None`: `https://` without a TLS feature, or a
/// secret (a credential, a body, a token request) for plain `http://` to anything but loopback.
pub(crate) fn refusal(context: &Context, request: &Request, purpose: Purpose) -> Option<String> {
    let url = request.url();
    if url.scheme() == "https" && TLS_FEATURE.is_none() {
        return Some(
            "this build of dataplat has no TLS: enable its `tls-ring` feature (on by default) to use https:// URLs"
                .into(),
        );
    }
    let secret = matches!(purpose, Purpose::Secret(_))
        || context.credential().is_some()
        || carries_secret(context, request);
    if secret { insecure(url) } else { None }
}

/// When a call started, and when it must be over.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Clock {
    /// When the call started (retries stop `max_elapsed` after it).
    pub(crate) started: Instant,
    /// When the call must be over.
    pub(crate) deadline: Instant,
}

impl Clock {
    /// A call starting now that may take `limit` (the clock is read once).
    pub(crate) fn start(limit: std::time::Duration) -> Self {
        let started = Instant::now();
        Self {
            started,
            deadline: started + limit,
        }
    }
}

/// Sends `request` under the client's retry policy, retry budget and rate limits (and the
/// call's options), until `clock.deadline` at the latest (the caller enforces it as a whole; each
/// attempt's own limit, when there is one, is cut to it).
///
/// `request` is the template of every attempt, replay and redirect; each send takes one copy of
/// it. A request whose body cannot be copied (a stream) is sent once, as it is.
///
/// The futures of the request path take what is large (the request, the response) by
/// reference or already handed to reqwest: an async fn keeps its arguments apart from its
/// locals, and every future is moved into its caller's on each call.
pub(crate) async fn execute<'a>(
    context: &'a Context,
    request: &mut Request,
    purpose: Purpose,
    options: &CallOptions,
    clock: Clock,
) -> Result<Answer<'a>, SendError> {
    // An API request was checked by `dispatch` before its credential was added (the check
    // does not depend on it): only a secret's request is checked here.
    if let Purpose::Secret(_) = purpose
        && let Some(why) = refusal(context, request, purpose)
    {
        return Err(SendError::Refused(why));
    }
    let may_repeat = match purpose {
        Purpose::Api => idempotent(request.method()) || options.retry_non_idempotent,
        Purpose::Secret(Replay::Safe) => true,
        Purpose::Secret(Replay::IfNotSent) => false,
    };
    let attempt_limit = options.attempt_timeout.or(context.attempt_timeout());
    let max_attempts = options
        .max_attempts
        .unwrap_or(context.retry_policy().max_attempts);
    // Made at the first retry: most calls never need it.
    let mut schedule: Option<Box<super::retry::Schedule>> = None;
    let mut attempt = 1u32;
    // What this call's retries took from the budget, given back when it succeeds.
    let mut taken = 0u32;
    loop {
        if purpose == Purpose::Api && !context.rate_limits().is_empty() {
            super::limits::wait(
                context.rate_limits(),
                request.method(),
                request.url().path(),
            )
            .await;
        }
        if let Some(limit) = attempt_limit {
            let left = clock.deadline.saturating_duration_since(Instant::now());
            *request.timeout_mut() = Some(limit.min(left));
        }
        trace_request(context, request);
        // One attempt, in a block: the answer it holds (borrowed, to decide) ends with it, so
        // that the wait below is not made to keep room for it.
        let resume = {
            // Whether any hop of this attempt got an answer: then the request was sent, whatever
            // a later hop did.
            let mut answered = false;
            let (pending, repeatable) = start_send(context, request);
            let template = repeatable.then_some(&mut *request);
            let outcome = receive(context, pending, template, purpose, &mut answered).await;
            if !repeatable {
                return outcome;
            }
            let outcome = if outcome.as_ref().is_ok_and(|answer| answer.rejected) {
                // Rare: boxed, so that the replay's state is not part of every call's.
                let replaying = Box::pin(replay(context, outcome, request, purpose, &mut answered));
                replaying.await
            } else {
                outcome
            };
            // Some((retry-after, after a timeout)) when another attempt is worth it.
            let again = match &outcome {
                Ok(answer) => {
                    let failed = retryable_status(answer.status());
                    if !failed && !answer.status().is_server_error() {
                        context.retry_budget().succeeded(taken);
                    }
                    (failed && may_repeat).then(|| (retry_after(answer.headers()), false))
                }
                Err(SendError::Refused(_)) => None,
                Err(SendError::Http(e)) => {
                    let unsent = never_sent(e) && !answered;
                    (unsent || (may_repeat && !e.is_builder() && !e.is_redirect()))
                        .then_some((None, e.is_timeout()))
                }
            };
            let Some((server_wait, after_timeout)) = again else {
                return outcome;
            };
            let wanted = Wanted {
                server_wait,
                after_timeout,
                max_attempts,
                attempt,
                clock,
            };
            match retry_at(context, &outcome, wanted, &mut schedule, &mut taken) {
                Some(resume) => resume,
                None => return outcome,
            }
        };
        tokio::time::sleep_until(resume).await;
        attempt += 1;
        // The call's span (`core::error::scoped`) starts at attempt 1.
        tracing::Span::current().record("attempt", attempt);
    }
}

/// What a retry after an attempt's outcome depends on.
struct Wanted {
    /// How long the server asked to wait (`Retry-After`).
    server_wait: Option<std::time::Duration>,
    /// The attempt timed out (a retry then costs the budget more).
    after_timeout: bool,
    max_attempts: u32,
    /// The attempt that ended.
    attempt: u32,
    clock: Clock,
}

/// When to send the next attempt after `outcome`, which is worth another, or `None` when the
/// schedule, the call's time or the retry budget rules it out. What it takes from the budget
/// is added to `taken`.
///
/// Out of line and cold: most calls never retry, and the code of the one path every call takes
/// stays small (fewer instruction-cache misses: `cargo xtask bench`).
#[cold]
#[inline(never)]
fn retry_at(
    context: &Context,
    outcome: &Result<Answer<'_>, SendError>,
    wanted: Wanted,
    schedule: &mut Option<Box<super::retry::Schedule>>,
    taken: &mut u32,
) -> Option<Instant> {
    let policy = context.retry_policy();
    let schedule = schedule.get_or_insert_with(|| {
        Box::new(
            super::RetryPolicy {
                max_attempts: wanted.max_attempts,
                ..*policy
            }
            .schedule(),
        )
    });
    let backoff = schedule.next()?;
    let mut delay = full_jitter(backoff);
    if let Some(asked) = wanted.server_wait {
        delay = delay.max(asked.min(policy.retry_after_cap));
    }
    let resume = Instant::now() + delay;
    let Clock { started, deadline } = wanted.clock;
    if resume.duration_since(started) > policy.max_elapsed || resume >= deadline {
        return None;
    }
    // Last: a retry the schedule or the deadline rules out costs the budget nothing.
    let attempt = wanted.attempt;
    let Some(cost) = context.retry_budget().acquire(wanted.after_timeout) else {
        tracing::debug!(attempt, "retry budget exhausted; not retrying");
        return None;
    };
    *taken += cost;
    let reason = match outcome {
        Ok(r) => format!("HTTP {}", r.status().as_u16()),
        Err(SendError::Http(e)) => super::error::describe(e),
        Err(SendError::Refused(why)) => why.clone(),
    };
    tracing::debug!(attempt, delay_ms = delay.as_millis() as u64, %reason, "retrying");
    Some(resume)
}

/// Hands a copy of `request` to reqwest (`true`: `request` stays the template of any later
/// send), or, when its body is a stream, `request` itself (`false`: it cannot be sent again).
///
/// Synchronous, so that no future holds the copy: reqwest takes it here.
fn start_send(
    context: &Context,
    request: &mut Request,
) -> (
    impl Future<Output = reqwest::Result<Response>> + use<>,
    bool,
) {
    let http = context.http_client().reqwest();
    match copy(request) {
        Some(copy) => (http.execute(copy), true),
        None => {
            let placeholder = Request::new(request.method().clone(), request.url().clone());
            (http.execute(std::mem::replace(request, placeholder)), false)
        }
    }
}

/// A copy of `request` to send, or `None` when its body is a stream.
///
/// Not reqwest's `Request::try_clone`, which allocates an extension map for a timeout and then
/// throws it away for a copy of the extensions: about 700 instructions of a 76k-instruction
/// call (`cargo xtask bench`). The only extension a `reqwest::Request` can hold is its timeout
/// (the map is private to reqwest), which is copied. The body is shared, not copied
/// ([`share_body`]).
pub(crate) fn copy(request: &mut Request) -> Option<Request> {
    let body = match request.body_mut() {
        Some(body) => Some(reqwest::Body::from(share_body(body)?)),
        None => None,
    };
    let mut copy = Request::new(request.method().clone(), request.url().clone());
    *copy.headers_mut() = request.headers().clone();
    *copy.version_mut() = request.version();
    if let Some(timeout) = request.timeout() {
        *copy.timeout_mut() = Some(*timeout);
    }
    *copy.body_mut() = body;
    Some(copy)
}

/// The bytes of `body` (which stays as it was, now made from those same bytes), or `None` for
/// a stream. reqwest keeps the bytes of an in-memory body in one `Bytes` and hands them out
/// whole, at once, as its first frame.
pub(crate) fn share_body(body: &mut reqwest::Body) -> Option<bytes::Bytes> {
    use http_body::Body as _;
    body.as_bytes()?;
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let bytes = match std::pin::Pin::new(&mut *body).poll_frame(&mut cx) {
        std::task::Poll::Ready(Some(Ok(frame))) => frame.into_data().ok()?,
        std::task::Poll::Ready(None) => bytes::Bytes::new(),
        // Not what an in-memory body does; leave it to reqwest.
        _ => return None,
    };
    *body = reqwest::Body::from(bytes.clone());
    Some(bytes)
}

/// The answer of `response`, whose whole body (at most the context's limit: `over` when there
/// was more) was read so that a broken or truncated body is seen here, where it can be retried,
/// and an envelope can be inspected: the [`Answer`] holds the body beside the response, with
/// what was found in it.
fn buffered<'a>(
    context: &'a Context,
    response: Response,
    mut body: bytes::Bytes,
    over: bool,
    refused_redirect: Option<Box<RefusedRedirect>>,
) -> Answer<'a> {
    let status = response.status();
    let oversized = over.then_some(context.max_body_bytes());
    if over {
        body = bytes::Bytes::new();
    }
    if tracing::enabled!(Level::TRACE) {
        tracing::trace!(status = status.as_u16(), body = %redacted_text(context, &body), "response body");
    }
    let envelope_error = if context.envelope_errors() && status.is_success() {
        envelope_error(&body)
    } else {
        None
    };
    let rejected = context.credential().is_some() && context.rejects(status, &body);
    Answer::new(Answered {
        context,
        response,
        body,
        oversized,
        envelope_error,
        rejected,
        refused_redirect,
        sent: None,
    })
}

/// A 200-with-error envelope: the `error` member of a JSON object body, as text, when it
/// reports a failure.
fn envelope_error(body: &[u8]) -> Option<String> {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_slice::<serde_json::Value>(body)
    else {
        return None;
    };
    map.get("error")
        .filter(|e| envelope_reports_error(e))
        .map(|e| e.to_string())
}

/// Whether an envelope's `error` member reports a failure: not null, false, 0, "" or empty.
fn envelope_reports_error(error: &serde_json::Value) -> bool {
    use serde_json::Value;
    match error {
        Value::Null | Value::Bool(false) => false,
        Value::String(s) => !s.trim().is_empty(),
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        Value::Bool(true) => true,
    }
}

/// Logs a request body at TRACE, secrets redacted. Headers are never logged.
fn trace_request(context: &Context, request: &Request) {
    if tracing::enabled!(Level::TRACE) {
        let body = request
            .body()
            .and_then(|b| b.as_bytes())
            .map(|b| redacted_text(context, b))
            .unwrap_or_default();
        tracing::trace!(method = %request.method(), path = request.url().path(), %body, "request body");
    }
}

/// Most characters of a body written to a TRACE event.
const TRACE_BODY_CHARS: usize = 4096;

fn redacted_text(context: &Context, bytes: &[u8]) -> String {
    let text = match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(mut json) => {
            redact_json(&mut json);
            json.to_string()
        }
        Err(_) if bytes.is_empty() => String::new(),
        Err(_) => format!("<{} bytes, not JSON: {REDACTED}>", bytes.len()),
    };
    let text = context.secrets().redact(&text, &[]);
    let text = super::redact::escape_controls(&text);
    match text.char_indices().nth(TRACE_BODY_CHARS) {
        Some((cut, _)) => format!("{}… ({} bytes in all)", &text[..cut], bytes.len()),
        None => text.into_owned(),
    }
}

/// The answer to `pending` (a request reqwest is sending: a copy of `base`, when there is one),
/// its redirects followed with copies of `base`, its body buffered.
///
/// It takes the request already handed to reqwest rather than the request itself, so that
/// its future, which the caller's holds, does not hold a request too; redirects are rare, and
/// their future is boxed for the same reason.
async fn receive<'a>(
    context: &'a Context,
    pending: impl Future<Output = reqwest::Result<Response>>,
    base: Option<&mut Request>,
    purpose: Purpose,
    answered: &mut bool,
) -> Result<Answer<'a>, SendError> {
    let mut response = pending.await.map_err(SendError::Http)?;
    *answered = true;
    let mut refused = None;
    if response.status().is_redirection()
        && let Some(base) = base
    {
        let secret = matches!(purpose, Purpose::Secret(_));
        (response, refused) = Box::pin(follow_redirects(context, response, base, secret)).await?;
    }
    let (body, over) = read_body(&mut response, context.max_body_bytes())
        .await
        .map_err(SendError::Http)?;
    Ok(buffered(context, response, body, over, refused))
}

/// Follows up to [`MAX_REDIRECTS`] redirects from `response`, the answer to a copy of `base`.
/// After that many hops the last 3xx is the answer (an unexpected response); a redirect that
/// must not be followed is the answer too, with the reason.
async fn follow_redirects(
    context: &Context,
    mut response: Response,
    base: &mut Request,
    secret: bool,
) -> Result<(Response, Option<Box<RefusedRedirect>>), SendError> {
    let mut hop: Option<Request> = None;
    for _ in 0..MAX_REDIRECTS {
        let from = match hop.as_mut() {
            Some(hop) => hop,
            None => &mut *base,
        };
        match next_hop(context, &response, from, secret) {
            Hop::Stop => break,
            Hop::Refuse { location, reason } => {
                tracing::warn!(%location, %reason, "redirect not followed");
                return Ok((
                    response,
                    Some(Box::new(RefusedRedirect { location, reason })),
                ));
            }
            Hop::Follow(mut next) => {
                hop = copy(&mut next);
                response = context
                    .http_client()
                    .reqwest()
                    .execute(*next)
                    .await
                    .map_err(SendError::Http)?;
            }
        }
    }
    Ok((response, None))
}

/// After `answer` rejected the credential that `template` carries (the request was a copy of
/// it): refreshes the credential and sends a copy of `template` once more, which then carries
/// the fresh credential for any later attempt. When the credential cannot refresh, or gives the
/// same value again, the rejection is the answer.
async fn replay<'a>(
    context: &'a Context,
    outcome: Result<Answer<'a>, SendError>,
    template: &mut Request,
    purpose: Purpose,
    answered: &mut bool,
) -> Result<Answer<'a>, SendError> {
    let answer = outcome?;
    let Some(credential) = context.credential() else {
        return Ok(answer);
    };
    let Some(sent) = template.headers().get(credential.header_name()).cloned() else {
        return Ok(answer);
    };
    if !credential.invalidate(&sent) {
        return Ok(answer);
    }
    match credential.header_value(context).await {
        Ok(fresh) if fresh != sent => {
            template
                .headers_mut()
                .insert(credential.header_name().clone(), fresh);
            let Some(again) = copy(&mut *template) else {
                return Ok(answer);
            };
            drop(answer);
            let pending = context.http_client().reqwest().execute(again);
            receive(context, pending, Some(template), purpose, answered).await
        }
        // The refresh failed or gave the same token: the rejection is the answer.
        _ => Ok(answer),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn a_copy_is_the_request_again() {
        let client = crate::core::HttpClient::new();
        let client = client.reqwest();
        let with_timeout = client
            .get("http://127.0.0.1:1/a?b=c")
            .header("x-one", "1")
            .header("x-two", "2")
            .header("x-two", "3")
            .version(reqwest::Version::HTTP_2)
            .timeout(std::time::Duration::from_secs(7))
            .build()
            .unwrap();
        let without = client.delete("http://127.0.0.1:1/d").build().unwrap();
        let with_body = client
            .post("http://127.0.0.1:1/p")
            .body("payload")
            .build()
            .unwrap();
        let empty_body = client.put("http://127.0.0.1:1/e").body("").build().unwrap();
        let stream = futures::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from("s"))]);
        let mut streamed = client
            .put("http://127.0.0.1:1/s")
            .body(reqwest::Body::wrap_stream(stream))
            .build()
            .unwrap();
        assert!(
            super::copy(&mut streamed).is_none(),
            "a stream cannot be sent twice: no copy"
        );
        assert!(
            streamed.body().is_some(),
            "and the stream stays in the request"
        );
        for request in [with_timeout, without, with_body, empty_body] {
            let mut request = request;
            let copy = super::copy(&mut request).unwrap();
            // The original stays whole: a second copy is the same again.
            let again = super::copy(&mut request).unwrap();
            assert_eq!(format!("{again:?}"), format!("{copy:?}"));
            assert_eq!(
                again.body().and_then(|b| b.as_bytes()),
                copy.body().and_then(|b| b.as_bytes())
            );
            assert_eq!(format!("{copy:?}"), format!("{request:?}"));
            assert_eq!(copy.headers(), request.headers());
            assert_eq!(copy.version(), request.version());
            assert_eq!(copy.timeout(), request.timeout());
            assert_eq!(
                copy.body().and_then(|b| b.as_bytes()),
                request.body().and_then(|b| b.as_bytes())
            );
        }
    }

    #[test]
    fn only_substantive_envelope_errors_count() {
        for quiet in [
            json!(null),
            json!(false),
            json!(""),
            json!(0),
            json!([]),
            json!({}),
        ] {
            assert!(!super::envelope_reports_error(&quiet), "{quiet}");
        }
        for loud in [
            json!("Environment not found"),
            json!({"message": "x"}),
            json!(true),
            json!(403),
        ] {
            assert!(super::envelope_reports_error(&loud), "{loud}");
        }
    }
}
