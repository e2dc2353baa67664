//! Turning an answer into a `ResponseValue`, from the body the request path already read.
//!
//! The request path reads every body whole (bounded, retried when cut short, inspected for
//! ACM's envelope: see `transport`) and hands the generated code an [`Answer`]: the response,
//! its body drained, beside the body and what was found in it. The generated code calls these
//! functions where progenitor's would read the body again and clone the headers
//! (`dataplat_codegen`'s `buffered_body` pass). A response handed out in an error gets its body
//! back ([`with_body`]), so that `send_raw` users still see it.

use bytes::Bytes;
use progenitor_client::{ByteStream, Error, ResponseValue};
use reqwest::{Response, StatusCode};
use serde::de::DeserializeOwned;

use super::error::{EnvelopeError, Oversized};

/// An answer as the request path read it.
#[derive(Debug)]
pub(crate) struct Answer {
    /// Status, headers, URL; the body is drained (it is in `body`).
    pub(crate) response: Response,
    /// The whole body, or nothing when it was over the limit.
    pub(crate) body: Bytes,
    /// The body was over this limit, and was not read past it.
    pub(crate) oversized: Option<usize>,
    /// A 2xx body whose envelope reports an error (ACM): the error member, as text.
    pub(crate) envelope_error: Option<String>,
    /// The context's rejection rule calls this answer a rejection of the credential.
    pub(crate) rejected: bool,
}

impl Answer {
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
        let Answer { mut response, .. } = self;
        let status = response.status();
        ResponseValue::new(inner, status, std::mem::take(response.headers_mut()))
    }
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
/// request path marked (a body over the limit, an ACM envelope error) and an error status whose
/// body is not the documented shape come back as `Error::UnexpectedResponse`, body included,
/// for `core::error` to report as what they are.
// The error type is progenitor's, and what the generated code returns.
#[allow(clippy::result_large_err)]
pub(crate) fn from_response<T: DeserializeOwned, E>(
    answer: Answer,
) -> Result<ResponseValue<T>, Error<E>> {
    if answer.oversized.is_some() || answer.envelope_error.is_some() {
        return Err(Error::UnexpectedResponse(with_body(answer)));
    }
    match serde_json::from_slice(&answer.body) {
        Ok(inner) => Ok(answer.into_value(inner)),
        Err(_) if !answer.status().is_success() => {
            Err(Error::UnexpectedResponse(with_body(answer)))
        }
        Err(e) => Err(Error::InvalidResponsePayload(answer.body, e)),
    }
}

/// An answer without a body (progenitor's `ResponseValue::empty`).
pub(crate) fn empty(answer: Answer) -> ResponseValue<()> {
    answer.into_value(())
}

/// The body as a stream of bytes (progenitor's `ResponseValue::stream`): the request path
/// read it already, so the stream has it in one chunk.
// Generated code calls it for byte-stream answers, which not every API has.
#[allow(dead_code)]
pub(crate) fn stream(mut answer: Answer) -> ResponseValue<ByteStream> {
    let body = std::mem::take(&mut answer.body);
    answer.into_value(ByteStream::new(Box::pin(futures::stream::iter([Ok(body)]))))
}

/// The response with its body back, and what the request path found marked on it, for
/// `Error::UnexpectedResponse`: a status the document does not list (a 2xx one too) reaches
/// `send_raw`'s caller readable, and `core::error` reports an oversized body or an envelope
/// error as what it is.
pub(crate) fn with_body(answer: Answer) -> Response {
    let Answer {
        response,
        body,
        oversized,
        envelope_error,
        ..
    } = answer;
    let mut response = rebuilt(response, body);
    if let Some(limit) = oversized {
        response.extensions_mut().insert(Oversized(limit));
    }
    if let Some(error) = envelope_error {
        response.extensions_mut().insert(EnvelopeError(error));
    }
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
