//! Sending a request: rate limits, credentials, redirects that never leak them, one replay
//! after a 401, retries with backoff, a bounded body, and ACM's 200-with-error envelope.

use std::time::Instant;

use reqwest::header::{AUTHORIZATION, COOKIE, HeaderName, PROXY_AUTHORIZATION};
use reqwest::{Client, Method, Request, Response, StatusCode, Url};
use tracing::Level;

use super::decode::{Buffered, read_body};
use super::error::{EnvelopeError, Oversized};
use super::hooks::Rejected;
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
/// `request` stays here as the template of every attempt, replay and redirect; each send takes
/// one copy of it. A request whose body cannot be copied (a stream) is sent once, as it is.
pub(crate) async fn execute(
    client: &Client,
    context: &Context,
    mut request: Request,
) -> reqwest::Result<Response> {
    let options = super::options::current();
    let policy = super::RetryPolicy {
        max_attempts: options
            .max_attempts
            .unwrap_or(context.retry_policy().max_attempts),
        ..*context.retry_policy()
    };
    if let Some(timeout) = options.timeout.or(context.timeout()) {
        *request.timeout_mut() = Some(timeout);
    }
    let may_repeat = idempotent(request.method()) || options.retry_non_idempotent;
    let started = Instant::now();
    let mut schedule = policy.schedule();
    let span = tracing::Span::current();
    let mut attempt = 1u32;
    loop {
        super::limits::wait(
            context.rate_limits(),
            request.method(),
            request.url().path(),
        )
        .await;
        span.record("attempt", attempt);
        trace_request(&request);
        let Some(copy) = request.try_clone() else {
            return send_authorized(client, context, request, None).await;
        };
        let outcome = send_authorized(client, context, copy, Some(&mut request)).await;
        // Some(retry-after) when another attempt is worth it.
        let again = match &outcome {
            Ok(r) => {
                span.record("status", r.status().as_u16());
                (retryable_status(r.status()) && may_repeat).then(|| retry_after(r.headers()))
            }
            Err(e) => (never_sent(e) || (may_repeat && !e.is_builder() && !e.is_redirect()))
                .then_some(None),
        };
        let (Some(server_wait), Some(backoff)) = (again, schedule.next()) else {
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
        tracing::debug!(attempt, delay_ms = delay.as_millis() as u64, %reason, "retrying");
        tokio::time::sleep(delay).await;
        attempt += 1;
    }
}

/// Reads the whole body (at most the context's limit) so that a broken or truncated body is
/// seen here, where it can be retried, and ACM's envelope can be inspected. The body is kept
/// in the response's extensions for decoding ([`Buffered`]), beside what was found
/// ([`Oversized`], [`EnvelopeError`], [`Rejected`]): a success goes on as the same response, a
/// failure is rebuilt with its body (see [`super::decode`]).
async fn buffer(context: &Context, mut response: Response) -> reqwest::Result<Response> {
    let status = response.status();
    let (mut body, over) = read_body(&mut response, context.max_body_bytes()).await?;
    if over {
        response
            .extensions_mut()
            .insert(Oversized(context.max_body_bytes()));
        body = bytes::Bytes::new();
    }
    if tracing::enabled!(Level::TRACE) {
        tracing::trace!(status = status.as_u16(), body = %redacted_text(&body), "response body");
    }
    if context.envelope_errors()
        && status.is_success()
        && let Ok(serde_json::Value::Object(map)) =
            serde_json::from_slice::<serde_json::Value>(&body)
        && let Some(error) = map.get("error").filter(|e| envelope_reports_error(e))
    {
        response
            .extensions_mut()
            .insert(EnvelopeError(error.to_string()));
    }
    if context.rejects(status, &body) {
        response.extensions_mut().insert(Rejected);
    }
    if status.is_success() {
        response.extensions_mut().insert(Buffered(body));
        return Ok(response);
    }
    Ok(super::decode::rebuilt(response, body))
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

/// Sends `request`, following redirects, and buffers the answer; when the answer rejects a
/// refreshable credential, refreshes it and replays once (a copy of `template`, which then
/// carries the fresh credential for any later attempt). `template` is what `request` is a copy
/// of: redirects are followed with copies of it, so nothing is copied when there is none.
async fn send_authorized(
    client: &Client,
    context: &Context,
    mut request: Request,
    mut template: Option<&mut Request>,
) -> reqwest::Result<Response> {
    let mut replayed = false;
    loop {
        let mut response = client.execute(request).await?;
        let mut hop: Option<Request> = None;
        for _ in 0..MAX_REDIRECTS {
            let Some(next) = next_hop(context, &response, hop.as_ref().or(template.as_deref()))
            else {
                break;
            };
            hop = next.try_clone();
            response = client.execute(next).await?;
        }
        // After MAX_REDIRECTS hops the last 3xx is the answer (an unexpected response).
        let response = buffer(context, response).await?;
        if replayed || response.extensions().get::<Rejected>().is_none() {
            return Ok(response);
        }
        // What was sent is what the template holds: the request was a copy of it.
        let (Some(credential), Some(template)) = (context.credential(), template.as_deref_mut())
        else {
            return Ok(response);
        };
        let Some(sent) = template.headers().get(credential.header_name()).cloned() else {
            return Ok(response);
        };
        if !credential.invalidate(&sent) {
            return Ok(response);
        }
        match credential.header_value().await {
            Ok(fresh) if fresh != sent => {
                template
                    .headers_mut()
                    .insert(credential.header_name().clone(), fresh);
                let Some(again) = template.try_clone() else {
                    return Ok(response);
                };
                (request, replayed) = (again, true);
            }
            // The refresh failed or gave the same token: the rejection is the answer.
            _ => return Ok(response),
        }
    }
}

/// The request that follows `response` when it is a redirect to go on with: a copy of `base`
/// (the request that got it) sent to the new location, with a 303 (or a 301/302 to a POST)
/// turned into a body-less GET, and without credentials when it crosses to another origin.
/// The client itself follows nothing, so the response's URL is its request's.
fn next_hop(context: &Context, response: &Response, base: Option<&Request>) -> Option<Request> {
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
    let mut next = base?.try_clone()?;
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
