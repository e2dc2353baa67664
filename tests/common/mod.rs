//! Helpers shared by the per-API loopback tests.
#![allow(dead_code)]

use wiremock::{Match, MockServer, Request};

/// Matches requests that carry dataplat's `User-Agent` for `api` and no `api-version` header
/// (progenitor adds one; the shared hook must remove it).
pub struct DataplatHeaders(pub &'static str);

impl Match for DataplatHeaders {
    fn matches(&self, request: &Request) -> bool {
        let ua = request
            .headers
            .get("user-agent")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        !request.headers.contains_key("api-version")
            && ua.starts_with("dataplat/")
            && ua.ends_with(&format!("({})", self.0))
    }
}

/// The single request the server saw, for assertions beyond matchers. An identical copy of
/// it (a GET the client legitimately sent again after a pooled connection failed under it,
/// as wiremock recycles its servers between tests) does not count as another request.
pub async fn only_request(server: &MockServer) -> Request {
    let mut requests = server
        .received_requests()
        .await
        .expect("request recording is on");
    requests.dedup_by(|a, b| a.method == b.method && a.url == b.url && a.body == b.body);
    assert_eq!(
        requests.len(),
        1,
        "expected exactly one request, got {}",
        requests.len()
    );
    requests.remove(0)
}
pub mod hostile;
pub mod proxy;
