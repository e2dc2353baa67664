//! Turning an answer into a `ResponseValue`, from the body the request path already read.
//!
//! The request path reads every body whole (bounded, retried when cut short, inspected for
//! ACM's envelope: see `transport`) and keeps it in the response's extensions as
//! [`Buffered`]. A success goes on as the response that was read, its body already drained; a
//! failure is rebuilt with its body, so that `send_raw` users still see it. The generated code
//! calls these functions where progenitor's would read the body again and clone the headers
//! (`dataplat_codegen`'s `buffered_body` pass).

use bytes::Bytes;
use progenitor_client::{ByteStream, Error, ResponseValue};
use reqwest::Response;
use serde::de::DeserializeOwned;

use super::error::{EnvelopeError, Oversized};

/// The whole body of a response, as the request path read it.
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

/// The body: the buffered one, or read now from a response that did not pass through the
/// request path.
async fn take_body(response: &mut Response) -> reqwest::Result<Bytes> {
    match response.extensions_mut().remove::<Buffered>() {
        Some(Buffered(body)) => Ok(body),
        None => Ok(read_body(response, usize::MAX).await?.0),
    }
}

/// A JSON body decoded into `T` (progenitor's `ResponseValue::from_response`). An answer the
/// request path marked (a body over the limit, an ACM envelope error) and an error status whose
/// body is not the documented shape come back as `Error::UnexpectedResponse`, body included,
/// for `core::error` to report as what they are.
pub(crate) async fn from_response<T: DeserializeOwned, E>(
    mut response: Response,
) -> Result<ResponseValue<T>, Error<E>> {
    let marked = response.extensions().get::<Oversized>().is_some()
        || response.extensions().get::<EnvelopeError>().is_some();
    if marked {
        return Err(Error::UnexpectedResponse(with_body(response)));
    }
    let body = take_body(&mut response)
        .await
        .map_err(Error::ResponseBodyError)?;
    match serde_json::from_slice(&body) {
        Ok(inner) => {
            let status = response.status();
            Ok(ResponseValue::new(
                inner,
                status,
                std::mem::take(response.headers_mut()),
            ))
        }
        Err(_) if !response.status().is_success() => {
            Err(Error::UnexpectedResponse(rebuilt(response, body)))
        }
        Err(e) => Err(Error::InvalidResponsePayload(body, e)),
    }
}

/// An answer without a body (progenitor's `ResponseValue::empty`).
pub(crate) fn empty(mut response: Response) -> ResponseValue<()> {
    let status = response.status();
    ResponseValue::new((), status, std::mem::take(response.headers_mut()))
}

/// The body as a stream of bytes (progenitor's `ResponseValue::stream`).
// Generated code calls it for byte-stream answers, which not every API has.
#[allow(dead_code)]
pub(crate) fn stream(mut response: Response) -> ResponseValue<ByteStream> {
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    let inner = match response.extensions_mut().remove::<Buffered>() {
        Some(Buffered(body)) => ByteStream::new(Box::pin(futures::stream::iter([Ok(body)]))),
        None => ByteStream::new(Box::pin(response.bytes_stream())),
    };
    ResponseValue::new(inner, status, headers)
}

/// The response with its body back, for `Error::UnexpectedResponse`: a status the document
/// does not list (a 2xx one too) reaches `send_raw`'s caller readable.
pub(crate) fn with_body(mut response: Response) -> Response {
    let Some(Buffered(body)) = response.extensions_mut().remove::<Buffered>() else {
        return response;
    };
    rebuilt(response, body)
}

/// A response with the same status, version, URL and headers and `body` as its body, keeping
/// a [`Buffered`] copy of it in its extensions.
pub(crate) fn rebuilt(mut response: Response, body: Bytes) -> Response {
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
