//! A typed mock of Galaxy for your tests (the `mock` feature): one method per operation on
//! [`MockServer`] (bring [`MockServerExt`] into scope), whose `when` matches the operation's
//! method, path and parameters and whose `then` takes only its documented answers; the token
//! endpoint, so the client is built exactly as in production; and Galaxy's paging.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use dataplat::SecretString;
//! use dataplat::galaxy::mock::{MockServer, MockServerExt, token_endpoint};
//! use dataplat::galaxy::{Client, GalaxyCredentials, types};
//!
//! let server = MockServer::start_async().await;
//! token_endpoint(&server);
//! let tag: types::Tag = serde_json::from_value(serde_json::json!({
//!     "syncToken": "s", "tagId": "t-1", "name": "pii", "color": "#ff0000"
//! })).unwrap();
//! let mock = server.get_tag(|when, then| {
//!     when.tag_id("t-1");
//!     then.ok(&tag);
//! });
//! let credentials =
//!     GalaxyCredentials::new(&server.base_url(), "client-id", SecretString::from("secret"));
//! let galaxy = Client::with_context(&server.base_url(), credentials.context());
//! let got = galaxy.get_tag().tag_id("t-1").send().await.unwrap();
//! assert_eq!(got.name, "pii");
//! mock.assert_async().await;
//! # }
//! ```

pub use super::generated_mock::*;
pub use crate::core::mock::{MockServer, Recorder};

use crate::core::mock::{Mock, query_number, serve_pages};

/// Answers Galaxy's client-credentials grant (`POST /oauth/v2/token`) with a bearer token, so
/// that [`GalaxyCredentials`](super::GalaxyCredentials) with the mock's URL logs in.
pub fn token_endpoint(server: &MockServer) -> Mock<'_> {
    server.mock(|when, then| {
        when.method(crate::core::mock::httpmock::Method::POST)
            .path("/oauth/v2/token")
            .header_exists("authorization");
        then.status(200)
            .header("content-type", "application/json")
            .json_body(serde_json::json!({
                "access_token": "mock-galaxy-token", "token_type": "Bearer", "expires_in": 3600
            }));
    })
}

/// Serves `items` at `GET <path>` (an operation's path, below [`BASE_PATH`]) as Galaxy pages
/// them: `pageSize` (default 100) items a page, an opaque `nextPageToken` to the next page
/// (which keeps the first request's size), an empty token on the last.
pub fn pages<'a, T: serde::Serialize>(server: &'a MockServer, path: &str, items: &[T]) -> Mock<'a> {
    serve_pages(
        server,
        &format!("{BASE_PATH}{path}"),
        items,
        |query, items| {
            // The token carries where the next page starts and the size the first request asked.
            let (start, size) = match query.get("pageToken").and_then(|t| t.split_once(':')) {
                Some((start, size)) => (start.parse().unwrap_or(0), size.parse().unwrap_or(100)),
                None => (
                    0,
                    query_number(query, "pageSize")
                        .filter(|s| *s > 0)
                        .unwrap_or(100),
                ),
            };
            let end = (start + size).min(items.len());
            let next = if end < items.len() {
                format!("{end}:{size}")
            } else {
                String::new()
            };
            serde_json::json!({"result": items[start.min(end)..end], "nextPageToken": next})
        },
    )
}
