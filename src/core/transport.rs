//! Sending a request: rate limits, credentials, redirects that never leak them, one replay
//! after a 401, retries with backoff, a bounded body, and ACM's 200-with-error envelope.

use std::time::Instant;

use reqwest::header::{AUTHORIZATION, COOKIE, HeaderName, PROXY_AUTHORIZATION};
use reqwest::{Client, Method, Request, Response, StatusCode, Url};
use tracing::Level;

use super::decode::{Answer, read_body};
use super::redact::{REDACTED, redact_json};
use super::retry::{full_jitter, idempotent, never_sent, retry_after, retryable_status};
use super::{AuthError, AuthErrorKind, Context};

/// Redirects followed before the last 3xx is handed back as the answer.
pub const MAX_REDIRECTS: usize = 10;

/// Headers that carry a credential in any API here; none crosses to another origin.
const CREDENTIAL_HEADERS: [HeaderName; 2] = [
    HeaderName::from_static("x-auth-token"),
    HeaderName::from_static("x-access-key"),
];

/// Refuses to send credentials in clear text anywhere but loopback.
pub(crate) fn check_transport(context: &Context, url: &Url) -> Result<(), AuthError> {
    if context.credential().is_none() {
        return Ok(());
    }
    check_secure_url(context.api(), url)
}

/// Refuses a plain `http://` URL to anything but loopback: where a credential (an API call's
/// header, or a login's password) is about to go.
pub(crate) fn check_secure_url(api: &'static str, url: &Url) -> Result<(), AuthError> {
    if url.scheme() != "http" {
        return Ok(());
    }
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    if loopback {
        return Ok(());
    }
    Err(AuthError::new(
        api,
        "configuration",
        AuthErrorKind::Configuration,
        format!(
            "refusing to send credentials over plain http:// to {}; use https://",
            url.host_str().unwrap_or("?")
        ),
    ))
}

/// Adds the credential header (fetching a token if needed).
pub(crate) async fn authorize(context: &Context, request: &mut Request) -> Result<(), AuthError> {
    check_transport(context, request.url())?;
    if let Some(credential) = context.credential() {
        let value = credential.header_value().await.map_err(|mut e| {
            e.api = context.api();
            e
        })?;
        request
            .headers_mut()
            .insert(credential.header_name().clone(), value);
    }
    Ok(())
}

/// Sends `request` under the client's retry policy and rate limits (and the call's options).
///
/// `request` is the template of every attempt, replay and redirect; each send takes one copy of
/// it. A request whose body cannot be copied (a stream) is sent once, as it is.
///
/// The futures of the request path take what is large (the request, the response) by
/// reference or already handed to reqwest: an async fn keeps its arguments apart from its
/// locals, and every future is moved into its caller's on each call.
pub(crate) async fn execute(
    client: &Client,
    context: &Context,
    request: &mut Request,
) -> reqwest::Result<Answer> {
    let options = super::options::current();
    if let Some(timeout) = options.timeout.or(context.timeout()) {
        *request.timeout_mut() = Some(timeout);
    }
    let may_repeat = idempotent(request.method()) || options.retry_non_idempotent;
    let max_attempts = options
        .max_attempts
        .unwrap_or(context.retry_policy().max_attempts);
    let started = Instant::now();
    // Made at the first retry: most calls never need it.
    let mut schedule: Option<Box<super::retry::Schedule>> = None;
    let mut attempt = 1u32;
    loop {
        super::limits::wait(
            context.rate_limits(),
            request.method(),
            request.url().path(),
        )
        .await;
        trace_request(request);
        let Some(copy) = copy(request) else {
            let placeholder = Request::new(request.method().clone(), request.url().clone());
            let only = std::mem::replace(request, placeholder);
            return send_authorized(client, context, client.execute(only), None).await;
        };
        let outcome = send_authorized(client, context, client.execute(copy), Some(request)).await;
        // Some(retry-after) when another attempt is worth it.
        let again = match &outcome {
            Ok(r) => (retryable_status(r.status()) && may_repeat).then(|| retry_after(r.headers())),
            Err(e) => (never_sent(e) || (may_repeat && !e.is_builder() && !e.is_redirect()))
                .then_some(None),
        };
        let Some(server_wait) = again else {
            return outcome;
        };
        let policy = context.retry_policy();
        let schedule = schedule.get_or_insert_with(|| {
            Box::new(
                super::RetryPolicy {
                    max_attempts,
                    ..*policy
                }
                .schedule(),
            )
        });
        let Some(backoff) = schedule.next() else {
            return outcome;
        };
        let mut delay = full_jitter(backoff);
        if let Some(asked) = server_wait {
            delay = delay.max(asked.min(policy.retry_after_cap));
        }
        if started.elapsed() + delay > policy.max_elapsed {
            return outcome;
        }
        let reason = match &outcome {
            Ok(r) => format!("HTTP {}", r.status().as_u16()),
            Err(e) => super::error::describe(e),
        };
        drop(outcome);
        tracing::debug!(attempt, delay_ms = delay.as_millis() as u64, %reason, "retrying");
        tokio::time::sleep(delay).await;
        attempt += 1;
        // The call's span (`core::error::scoped`) starts at attempt 1.
        tracing::Span::current().record("attempt", attempt);
    }
}

/// A copy of `request` to send, or `None` when its body is a stream.
///
/// Not reqwest's `Request::try_clone`, which allocates an extension map for a timeout and then
/// throws it away for a copy of the extensions: about 700 instructions of a 76k-instruction
/// call (`cargo xtask bench`). The only extension a `reqwest::Request` can hold is its timeout
/// (the map is private to reqwest), which is copied. The body is shared, not copied
/// ([`share_body`]).
fn copy(request: &mut Request) -> Option<Request> {
    let body = match request.body_mut() {
        Some(body) => Some(share_body(body)?),
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

/// A second body with the same bytes as `body` (which stays as it was), or `None` for a
/// stream. reqwest keeps the bytes of an in-memory body in one `Bytes` and hands them out
/// whole, at once, as its first frame; both bodies are then made from those bytes.
fn share_body(body: &mut reqwest::Body) -> Option<reqwest::Body> {
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
    Some(reqwest::Body::from(bytes))
}

/// The answer of `response`, whose whole body (at most the context's limit: `over` when there
/// was more) was read so that a broken or truncated body is seen here, where it can be retried,
/// and ACM's envelope can be inspected: the [`Answer`] holds the body beside the response, with
/// what was found in it.
fn buffered(context: &Context, response: Response, mut body: bytes::Bytes, over: bool) -> Answer {
    let status = response.status();
    let oversized = over.then_some(context.max_body_bytes());
    if over {
        body = bytes::Bytes::new();
    }
    if tracing::enabled!(Level::TRACE) {
        tracing::trace!(status = status.as_u16(), body = %redacted_text(&body), "response body");
    }
    let envelope_error = if context.envelope_errors() && status.is_success() {
        envelope_error(&body)
    } else {
        None
    };
    let rejected = context.rejects(status, &body);
    Answer {
        response,
        body,
        oversized,
        envelope_error,
        rejected,
    }
}

/// ACM's 200-with-error envelope: the `error` member of a JSON object body, as text, when it
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
fn trace_request(request: &Request) {
    if tracing::enabled!(Level::TRACE) {
        let body = request
            .body()
            .and_then(|b| b.as_bytes())
            .map(redacted_text)
            .unwrap_or_default();
        tracing::trace!(method = %request.method(), path = request.url().path(), %body, "request body");
    }
}

/// Most characters of a body written to a TRACE event.
const TRACE_BODY_CHARS: usize = 4096;

fn redacted_text(bytes: &[u8]) -> String {
    let text = match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(mut json) => {
            redact_json(&mut json);
            json.to_string()
        }
        Err(_) if bytes.is_empty() => String::new(),
        Err(_) => format!("<{} bytes, not JSON: {REDACTED}>", bytes.len()),
    };
    match text.char_indices().nth(TRACE_BODY_CHARS) {
        Some((cut, _)) => format!("{}… ({} bytes in all)", &text[..cut], bytes.len()),
        None => text,
    }
}

/// Sends a request (`sending`, handed to reqwest), following redirects, and buffers the answer;
/// when the answer rejects a refreshable credential, refreshes it and replays once (see
/// [`replay`]). `template` is what the request is a copy of: redirects are followed with copies
/// of it, so nothing is copied when there is none.
///
/// Redirects and replays are rare, and their futures are boxed: every future here is moved
/// into its caller's at each call, so what only they hold would be copied on every call.
async fn send_authorized(
    client: &Client,
    context: &Context,
    sending: impl Future<Output = reqwest::Result<Response>>,
    mut template: Option<&mut Request>,
) -> reqwest::Result<Answer> {
    let answer = send_once(client, context, sending, template.as_deref_mut()).await?;
    if !answer.rejected {
        return Ok(answer);
    }
    match template {
        Some(template) => Box::pin(replay(client, context, answer, template)).await,
        None => Ok(answer),
    }
}

/// One send of a request (`sending`; a copy of `base`, when there is one), its redirects
/// followed, its answer buffered.
async fn send_once(
    client: &Client,
    context: &Context,
    sending: impl Future<Output = reqwest::Result<Response>>,
    base: Option<&mut Request>,
) -> reqwest::Result<Answer> {
    let mut response = sending.await?;
    if response.status().is_redirection() {
        response = Box::pin(follow_redirects(client, context, response, base)).await?;
    }
    let (body, over) = read_body(&mut response, context.max_body_bytes()).await?;
    Ok(buffered(context, response, body, over))
}

/// Follows up to [`MAX_REDIRECTS`] redirects from `response`, the answer to a copy of `base`.
/// After that many hops the last 3xx is the answer (an unexpected response).
async fn follow_redirects(
    client: &Client,
    context: &Context,
    mut response: Response,
    mut base: Option<&mut Request>,
) -> reqwest::Result<Response> {
    let mut hop: Option<Request> = None;
    for _ in 0..MAX_REDIRECTS {
        let from = match hop.as_mut() {
            Some(hop) => Some(hop),
            None => base.as_deref_mut(),
        };
        let Some(mut next) = next_hop(context, &response, from) else {
            break;
        };
        hop = copy(&mut next);
        response = client.execute(next).await?;
    }
    Ok(response)
}

/// After `answer` rejected the credential that `template` carries (the request was a copy of
/// it): refreshes the credential and sends a copy of `template` once more, which then carries
/// the fresh credential for any later attempt. When the credential cannot refresh, or gives the
/// same value again, the rejection is the answer.
async fn replay(
    client: &Client,
    context: &Context,
    answer: Answer,
    template: &mut Request,
) -> reqwest::Result<Answer> {
    let Some(credential) = context.credential() else {
        return Ok(answer);
    };
    let Some(sent) = template.headers().get(credential.header_name()).cloned() else {
        return Ok(answer);
    };
    if !credential.invalidate(&sent) {
        return Ok(answer);
    }
    match credential.header_value().await {
        Ok(fresh) if fresh != sent => {
            template
                .headers_mut()
                .insert(credential.header_name().clone(), fresh);
            let Some(again) = copy(&mut *template) else {
                return Ok(answer);
            };
            drop(answer);
            send_once(client, context, client.execute(again), Some(template)).await
        }
        // The refresh failed or gave the same token: the rejection is the answer.
        _ => Ok(answer),
    }
}

/// The request that follows `response` when it is a redirect to go on with: a copy of `base`
/// (the request that got it) sent to the new location, with a 303 (or a 301/302 to a POST)
/// turned into a body-less GET, and without credentials when it crosses to another origin.
/// The client itself follows nothing, so the response's URL is its request's.
fn next_hop(context: &Context, response: &Response, base: Option<&mut Request>) -> Option<Request> {
    let status = response.status();
    if !status.is_redirection() {
        return None;
    }
    let from = response.url();
    let to = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .and_then(|l| from.join(l).ok())?;
    let mut next = copy(base?)?;
    if status == StatusCode::SEE_OTHER
        || (matches!(status, StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND)
            && next.method() == Method::POST)
    {
        *next.method_mut() = Method::GET;
        *next.body_mut() = None;
        next.headers_mut().remove(reqwest::header::CONTENT_TYPE);
        next.headers_mut().remove(reqwest::header::CONTENT_LENGTH);
    }
    if to.origin() != from.origin() {
        strip_credentials(context, next.headers_mut());
    }
    *next.url_mut() = to;
    Some(next)
}

fn strip_credentials(context: &Context, headers: &mut reqwest::header::HeaderMap) {
    for name in [AUTHORIZATION, COOKIE, PROXY_AUTHORIZATION] {
        headers.remove(name);
    }
    for name in CREDENTIAL_HEADERS {
        headers.remove(name);
    }
    if let Some(c) = context.credential() {
        headers.remove::<&HeaderName>(c.header_name());
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn a_copy_is_the_request_again() {
        let client = crate::core::http_client();
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
