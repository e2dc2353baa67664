//! Which redirects the request path follows, and with what.
//!
//! The HTTP client follows nothing itself ([`HttpClient`](super::HttpClient)); the request path
//! asks [`next_hop`] for each 3xx:
//! - a 303 (or a 301/302 to a POST) becomes a body-less GET, as browsers do;
//! - crossing to another origin drops every credential header (`Authorization`, `Cookie`,
//!   `Proxy-Authorization`, the APIs' own key headers and the client's credential header);
//! - a 307/308 that would carry a request body to another origin is not followed: the body may
//!   hold a password (a login, a database admin password) and only headers can be stripped;
//! - https → http is never followed;
//! - a hop that still carries a credential or a body must pass the same clear-text check as
//!   the first URL ([`check_secure_url`]).
//!
//! A redirect that is not followed is handed back as the answer, with the reason.

use reqwest::header::{AUTHORIZATION, COOKIE, HeaderName, PROXY_AUTHORIZATION};
use reqwest::{Method, Request, Response, StatusCode, Url};

use super::Context;

/// Redirects followed before the last 3xx is handed back as the answer.
pub const MAX_REDIRECTS: usize = 10;

/// Headers that carry a credential in any API here; none crosses to another origin.
const CREDENTIAL_HEADERS: [HeaderName; 2] = [
    HeaderName::from_static("x-auth-token"),
    HeaderName::from_static("x-access-key"),
];

/// What to do with a 3xx.
pub(crate) enum Hop {
    /// Not a redirect to go on with (no `Location`, or not a 3xx): the answer stands.
    Stop,
    /// Send this request next.
    Follow(Box<Request>),
    /// A redirect that must not be followed: the 3xx is the answer.
    Refuse {
        /// Where it led ([`shown`]).
        location: String,
        /// Why it is not followed.
        reason: String,
    },
}

/// Why a plain `http://` URL may not be used, or `None` when it may: secrets (a credential, a
/// login, a body) go over clear text only to loopback.
pub(crate) fn insecure(url: &Url) -> Option<String> {
    if url.scheme() != "http" {
        return None;
    }
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        // Only `::1`: an IPv4-mapped form (`[::ffff:127.0.0.1]`) is not taken for loopback,
        // as the standard library does not, so that no path accepts what another refuses.
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    (!loopback).then(|| {
        format!(
            "refusing to send credentials or a request body over plain http:// to {}; use https://",
            url.host_str().unwrap_or("?")
        )
    })
}

/// Whether a request carries a secret its URL must be checked for: a credential header or a
/// body.
pub(crate) fn carries_secret(context: &Context, request: &Request) -> bool {
    request.body().is_some()
        || context
            .credential()
            .is_some_and(|c| request.headers().contains_key(c.header_name()))
        || request.headers().contains_key(AUTHORIZATION)
        || CREDENTIAL_HEADERS
            .iter()
            .any(|h| request.headers().contains_key(h))
}

/// `scheme://host:port/path` of a URL, for messages: no query, no credentials.
pub(crate) fn shown(url: &Url) -> String {
    format!("{}{}", url.origin().ascii_serialization(), url.path())
}

/// The request that follows `response`, the answer to `base` (a copy of it is made). A
/// `secret` request (a login, a token request) counts as carrying a credential on every hop.
pub(crate) fn next_hop(
    context: &Context,
    response: &Response,
    base: &mut Request,
    secret: bool,
) -> Hop {
    let status = response.status();
    if !status.is_redirection() {
        return Hop::Stop;
    }
    let from = response.url();
    let Some(to) = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .and_then(|l| from.join(l).ok())
    else {
        return Hop::Stop;
    };
    let refuse = |reason: String| Hop::Refuse {
        location: shown(&to),
        reason,
    };
    if !matches!(to.scheme(), "http" | "https") {
        return refuse(format!("it leads to a {}: URL", to.scheme()));
    }
    if from.scheme() == "https" && to.scheme() == "http" {
        return refuse("it leads from https to plain http".into());
    }
    let Some(mut next) = super::transport::copy(base) else {
        return Hop::Stop;
    };
    let becomes_get = status == StatusCode::SEE_OTHER
        || (matches!(status, StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND)
            && next.method() == Method::POST);
    if becomes_get {
        *next.method_mut() = Method::GET;
        *next.body_mut() = None;
        next.headers_mut().remove(reqwest::header::CONTENT_TYPE);
        next.headers_mut().remove(reqwest::header::CONTENT_LENGTH);
    }
    if to.origin() != from.origin() {
        if next.body().is_some() {
            return refuse(
                "the request has a body (which may hold a secret), and the redirect leads to another origin"
                    .into(),
            );
        }
        strip_credentials(context, next.headers_mut());
    }
    if (secret || carries_secret(context, &next))
        && let Some(why) = insecure(&to)
    {
        return refuse(why);
    }
    *next.url_mut() = to;
    Hop::Follow(Box::new(next))
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
    use super::insecure;

    #[test]
    fn only_loopback_may_be_plain_http() {
        for ok in [
            "https://example.com/x",
            "http://127.0.0.1:1/x",
            "http://localhost/x",
            "http://[::1]/x",
        ] {
            assert!(insecure(&ok.parse().unwrap()).is_none(), "{ok}");
        }
        for bad in [
            "http://example.com/x",
            "http://10.0.0.1/x",
            "http://[::ffff:10.0.0.1]/x",
            "http://[::ffff:127.0.0.1]/x",
            "http://localhost.evil.com/x",
        ] {
            assert!(insecure(&bad.parse().unwrap()).is_some(), "{bad}");
        }
    }
}
