//! A typed mock of Altinity Cloud Manager for your tests (the `mock` feature): one method per
//! operation on [`MockServer`] (bring [`MockServerExt`] into scope), whose `when` matches the
//! operation's method, path and parameters and whose `then` takes only its documented answers;
//! the login, so `Client::with_password(&base_url(&server), …)` works as in production; and
//! ACM's `page`/`limit` paging.

pub use super::generated_mock::*;
pub use crate::core::mock::{MockServer, Recorder};

use crate::core::mock::{Mock, httpmock, query_number, serve_pages};

/// Answers ACM's login (`POST /login`) with a session token in ACM's `data` envelope.
pub fn login_endpoint(server: &MockServer) -> Mock<'_> {
    server.mock(|when, then| {
        when.method(httpmock::Method::POST)
            .path(format!("{BASE_PATH}/login"));
        then.status(200)
            .header("content-type", "application/json")
            .json_body(serde_json::json!({"data": {"token": "mock-acm-token"}, "error": null}));
    })
}

/// Serves `items` at `GET <path>` (an operation's path, below [`BASE_PATH`]) as ACM pages them: page `page` (from 1) of `limit` items
/// (default 20), in the `data` envelope; a short page is the last.
pub fn pages<'a, T: serde::Serialize>(server: &'a MockServer, path: &str, items: &[T]) -> Mock<'a> {
    serve_pages(
        server,
        &format!("{BASE_PATH}{path}"),
        items,
        |query, items| {
            let number = |name, default| {
                query_number(query, name)
                    .filter(|n| *n > 0)
                    .unwrap_or(default)
            };
            let limit = number("limit", 20);
            let start = (number("page", 1) - 1) * limit;
            let end = (start + limit).min(items.len());
            serde_json::json!({"data": items[start.min(end)..end]})
        },
    )
}
