//! Turning an answer into a `ResponseValue`, from the body the request path already read.
//!
//! The request path reads every body whole (bounded, retried when cut short, inspected for
//! an envelope: see `transport`) and hands the generated code an [`Answer`]: the response,
//! its body drained, beside the body and what was found in it. The generated code calls these
//! functions where progenitor's would read the body again and clone the headers
//! (`dataplat_codegen`'s `buffered_body` pass). A response handed out in an error gets its body
//! back ([`with_body`]), so that `send_raw` users still see it.
//!
//! Every body that ends up in an error is redacted first: the secrets the client knows, and the
//! secret members of the request's own body (a password sent in a create call), are replaced
//! wherever they appear (see `core::redact`).

use bytes::Bytes;
use progenitor_client::{ByteStream, Error, ResponseValue};
use reqwest::{Response, StatusCode};
use serde::de::DeserializeOwned;

use super::Context;
use super::failure::{EnvelopeError, Failure, Oversized, RefusedRedirect};
use super::redact::{REDACTED, is_secret_key, secret_values};

/// An answer as the request path read it, in one allocation: the path hands it up through
/// five layers (receive, retries, credential check, deadline, the generated operation), and a
/// pointer moves where the answer itself (about 270 bytes) would be copied at each, into
/// memory the call has not touched yet (`cargo xtask bench`: the copies were the largest share
/// of the cache misses the client adds to a small call).
#[derive(Debug)]
pub(crate) struct Answer<'a>(Box<Answered<'a>>);

impl<'a> Answer<'a> {
    /// `answered`, boxed.
    pub(crate) fn new(answered: Answered<'a>) -> Self {
        Self(Box::new(answered))
    }

    /// What the answer holds, unboxed.
    pub(crate) fn into_inner(self) -> Answered<'a> {
        *self.0
    }
}

impl<'a> std::ops::Deref for Answer<'a> {
    type Target = Answered<'a>;

    fn deref(&self) -> &Answered<'a> {
        &self.0
    }
}

impl std::ops::DerefMut for Answer<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

/// What an [`Answer`] holds.
#[derive(Debug)]
pub(crate) struct Answered<'a> {
    /// The client's context (its secrets, for redacting errors).
    pub(crate) context: &'a Context,
    /// Status, headers, URL; the body is drained (it is in `body`).
    pub(crate) response: Response,
    /// The whole body, or nothing when it was over the limit.
    pub(crate) body: Bytes,
    /// The body was over this limit, and was not read past it.
    pub(crate) oversized: Option<usize>,
    /// A 2xx body whose envelope reports an error: the error member, as text.
    pub(crate) envelope_error: Option<String>,
    /// The context's rejection rule calls this answer a rejection of the credential.
    pub(crate) rejected: bool,
    /// A 3xx the request path would not follow, and why.
    pub(crate) refused_redirect: Option<Box<RefusedRedirect>>,
    /// The body of the request, kept to redact what it carried from an error.
    pub(crate) sent: Option<Bytes>,
}

impl Answer<'_> {
    /// The answer's status (what the generated code matches on).
    pub(crate) fn status(&self) -> StatusCode {
        self.response.status()
    }

    /// The answer's headers.
    pub(crate) fn headers(&self) -> &reqwest::header::HeaderMap {
        self.response.headers()
    }

    /// `inner` with this answer's status and headers (taken, not cloned).
    fn into_value<T>(self, inner: T) -> ResponseValue<T> {
        let Answered { mut response, .. } = self.into_inner();
        let status = response.status();
        ResponseValue::new(inner, status, std::mem::take(response.headers_mut()))
    }

    /// `bytes` (a body of this answer headed for an error) with the client's secrets and the
    /// request body's secret members replaced, by value; JSON stays JSON (a string member that
    /// names a secret is replaced whole, so the documented error type still decodes).
    pub(crate) fn redacted(&self, bytes: &Bytes) -> Bytes {
        let mut extra = Vec::new();
        if let Some(sent) = &self.sent
            && let Ok(json) = serde_json::from_slice::<serde_json::Value>(sent)
        {
            secret_values(&json, &mut extra);
        }
        redact_body(bytes, self.context, &extra)
    }
}

/// See [`Answer::redacted`].
pub(crate) fn redact_body(bytes: &Bytes, context: &Context, extra: &[String]) -> Bytes {
    if bytes.is_empty() {
        return bytes.clone();
    }
    let text = String::from_utf8_lossy(bytes);
    let mut changed = false;
    let text = match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(mut json) => {
            changed |= redact_string_members(&mut json);
            if changed {
                std::borrow::Cow::Owned(json.to_string())
            } else {
                text
            }
        }
        Err(_) => text,
    };
    let clean = context.secrets().redact(&text, extra);
    if !changed && matches!(clean, std::borrow::Cow::Borrowed(_)) {
        return bytes.clone();
    }
    Bytes::from(clean.into_owned())
}

/// Replaces the string values of secret-named members; whether any was.
fn redact_string_members(value: &mut serde_json::Value) -> bool {
    use serde_json::Value;
    let mut changed = false;
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                match v {
                    Value::String(s) if is_secret_key(k) && s != REDACTED => {
                        *s = REDACTED.to_string();
                        changed = true;
                    }
                    _ => changed |= redact_string_members(v),
                }
            }
        }
        Value::Array(items) => {
            for v in items {
                changed |= redact_string_members(v);
            }
        }
        _ => {}
    }
    changed
}

/// The body of a response handed out in an error ([`with_body`]), kept with it for
/// `core::error` to quote without reading it again.
#[derive(Clone, Debug)]
pub(crate) struct Buffered(pub(crate) Bytes);

/// Reads a body from the network, at most `limit` bytes: `(what was read, whether there was
/// more)`. Reading stops at the limit. A body that comes in one chunk, the usual case, is kept
/// as it came, without a copy.
pub(crate) async fn read_body(
    response: &mut Response,
    limit: usize,
) -> reqwest::Result<(Bytes, bool)> {
    let mut body = Bytes::new();
    let mut joined: Option<Vec<u8>> = None;
    while let Some(chunk) = response.chunk().await? {
        let so_far = joined.as_ref().map_or(body.len(), Vec::len);
        if so_far + chunk.len() > limit {
            let mut all = joined.unwrap_or_else(|| body.to_vec());
            all.extend_from_slice(&chunk[..limit - so_far]);
            return Ok((Bytes::from(all), true));
        }
        match &mut joined {
            Some(all) => all.extend_from_slice(&chunk),
            None if body.is_empty() => body = chunk,
            None => joined = Some([&body[..], &chunk[..]].concat()),
        }
    }
    Ok((joined.map_or(body, Bytes::from), false))
}

/// A JSON body decoded into `T` (progenitor's `ResponseValue::from_response`). An answer the
/// request path marked (a body over the limit, an envelope error, a redirect not followed)
/// and an error status whose body is not the documented shape come back as
/// `Error::UnexpectedResponse`, body included, for `core::error` to report as what they are.
/// An error status's body is redacted before it is decoded.
// The error type is progenitor's, and what the generated code returns.
#[allow(clippy::result_large_err)]
pub(crate) fn from_response<T: DeserializeOwned, E>(
    answer: Answer<'_>,
) -> Result<ResponseValue<T>, Error<E>> {
    if answer.oversized.is_some()
        || answer.envelope_error.is_some()
        || answer.refused_redirect.is_some()
    {
        return Err(Error::UnexpectedResponse(with_body(answer)));
    }
    if !answer.status().is_success() {
        let body = answer.redacted(&answer.body);
        return match serde_json::from_slice(&body) {
            Ok(inner) => Ok(answer.into_value(inner)),
            Err(_) => Err(Error::UnexpectedResponse(with_body(answer))),
        };
    }
    match serde_json::from_slice(&answer.body) {
        Ok(inner) => Ok(answer.into_value(inner)),
        Err(e) => Err(Error::InvalidResponsePayload(
            answer.redacted(&answer.body),
            e,
        )),
    }
}

/// An answer without a body (progenitor's `ResponseValue::empty`).
// Generated code calls it for answers without content, which not every API has.
#[allow(dead_code)]
pub(crate) fn empty(answer: Answer<'_>) -> ResponseValue<()> {
    answer.into_value(())
}

/// The body as a stream of bytes (progenitor's `ResponseValue::stream`): the request path
/// read it already, so the stream has it in one chunk.
// Generated code calls it for byte-stream answers, which not every API has.
#[allow(dead_code)]
pub(crate) fn stream(mut answer: Answer<'_>) -> ResponseValue<ByteStream> {
    let body = std::mem::take(&mut answer.body);
    answer.into_value(ByteStream::new(Box::pin(futures::stream::iter([Ok(body)]))))
}

/// The response with its (redacted) body back, and what the request path found marked on it,
/// for `Error::UnexpectedResponse`: a status the document does not list (a 2xx one too)
/// reaches `send_raw`'s caller readable, and `core::error` reports an oversized body, an
/// envelope error, a redirect not followed or a rejection as what it is.
pub(crate) fn with_body(answer: Answer<'_>) -> Response {
    let body = answer.redacted(&answer.body);
    let envelope_error = answer.envelope_error.as_ref().map(|e| {
        let e = Bytes::from(e.clone());
        String::from_utf8_lossy(&answer.redacted(&e)).into_owned()
    });
    let Answered {
        response,
        oversized,
        refused_redirect,
        ..
    } = answer.into_inner();
    let mut response = rebuilt(response, body);
    if let Some(limit) = oversized {
        response.extensions_mut().insert(Oversized(limit));
    }
    if let Some(error) = envelope_error {
        response.extensions_mut().insert(EnvelopeError(error));
    }
    if let Some(refused) = refused_redirect {
        response.extensions_mut().insert(*refused);
    }
    response
}

/// A rejected answer as an error response: the real answer, marked with the credential
/// failure it means (see `core::failure`).
pub(crate) fn rejected(answer: Answer<'_>, failure: Failure) -> Response {
    let mut response = with_body(answer);
    response.extensions_mut().insert(failure);
    response
}

/// A response with the same status, version, URL and headers and `body` as its body, keeping
/// a [`Buffered`] copy of it in its extensions.
fn rebuilt(mut response: Response, body: Bytes) -> Response {
    use reqwest::ResponseBuilderExt;
    let mut builder = http::Response::builder()
        .status(response.status())
        .version(response.version())
        .url(response.url().clone())
        .extension(Buffered(body.clone()));
    if let Some(h) = builder.headers_mut() {
        *h = std::mem::take(response.headers_mut());
    }
    if let Some(extensions) = builder.extensions_mut() {
        extensions.extend(std::mem::take(response.extensions_mut()));
    }
    Response::from(builder.body(body).expect("parts came from a response"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunked(chunks: &[&'static str]) -> Response {
        let stream = futures::stream::iter(
            chunks
                .iter()
                .map(|c| Ok::<_, std::io::Error>(Bytes::from_static(c.as_bytes())))
                .collect::<Vec<_>>(),
        );
        Response::from(http::Response::new(reqwest::Body::wrap_stream(stream)))
    }

    #[tokio::test]
    async fn bodies_are_read_whole_or_up_to_the_limit() {
        let (body, over) = read_body(&mut chunked(&["one"]), 100).await.unwrap();
        assert_eq!((&body[..], over), (&b"one"[..], false));
        let (body, over) = read_body(&mut chunked(&["ab", "cd", "ef"]), 100)
            .await
            .unwrap();
        assert_eq!((&body[..], over), (&b"abcdef"[..], false));
        let (body, over) = read_body(&mut chunked(&["ab", "cd", "ef"]), 3)
            .await
            .unwrap();
        assert_eq!((&body[..], over), (&b"abc"[..], true));
        let (body, over) = read_body(&mut chunked(&["abcdef"]), 4).await.unwrap();
        assert_eq!((&body[..], over), (&b"abcd"[..], true));
    }
}
