//! Sending a request: credentials, redirects that never leak them, and one replay after a 401.

use reqwest::header::{AUTHORIZATION, COOKIE, HeaderName, PROXY_AUTHORIZATION};
use reqwest::{Client, Method, Request, Response, StatusCode, Url};

use super::{AuthError, AuthErrorKind, Context};

/// Redirects followed before the last 3xx is handed back as the answer.
pub const MAX_REDIRECTS: usize = 10;

/// Headers that carry a credential in any API here; none crosses to another origin.
const CREDENTIAL_HEADERS: [&str; 2] = ["x-auth-token", "x-access-key"];

/// Refuses to send credentials in clear text anywhere but loopback.
pub(crate) fn check_transport(context: &Context, url: &Url) -> Result<(), AuthError> {
    if context.credential().is_none() || url.scheme() != "http" {
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
        context.api(),
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

/// Sends `request`; on a 401 for a refreshable credential, refreshes it and replays once.
pub(crate) async fn execute(
    client: &Client,
    context: &Context,
    request: Request,
) -> reqwest::Result<Response> {
    let replay = request.try_clone();
    let sent = context
        .credential()
        .and_then(|c| request.headers().get(c.header_name()).cloned());
    let response = send_following_redirects(client, context, request).await?;
    if response.status() != StatusCode::UNAUTHORIZED {
        return Ok(response);
    }
    let (Some(credential), Some(mut again), Some(sent)) = (context.credential(), replay, sent)
    else {
        return Ok(response);
    };
    if !credential.invalidate(&sent) {
        return Ok(response);
    }
    match credential.header_value().await {
        Ok(fresh) if fresh != sent => {
            again
                .headers_mut()
                .insert(credential.header_name().clone(), fresh);
            send_following_redirects(client, context, again).await
        }
        // The refresh failed or gave the same token: the 401 is the answer.
        _ => Ok(response),
    }
}

async fn send_following_redirects(
    client: &Client,
    context: &Context,
    mut request: Request,
) -> reqwest::Result<Response> {
    for _ in 0..MAX_REDIRECTS {
        let next = request.try_clone();
        let from = request.url().clone();
        let method = request.method().clone();
        let response = client.execute(request).await?;
        let status = response.status();
        if !status.is_redirection() {
            return Ok(response);
        }
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .and_then(|l| from.join(l).ok());
        let (Some(to), Some(mut next)) = (location, next) else {
            return Ok(response);
        };
        if status == StatusCode::SEE_OTHER
            || (matches!(status, StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND)
                && method == Method::POST)
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
        request = next;
    }
    // Give up following: the last 3xx is the answer (the caller sees an unexpected response).
    client.execute(request).await
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
