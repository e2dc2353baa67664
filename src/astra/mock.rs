//! A typed mock of Astra DevOps for your tests (the `mock` feature): one method per operation
//! on [`MockServer`] (bring [`MockServerExt`] into scope), whose `when` matches the operation's
//! method, path and parameters and whose `then` takes only its documented answers; and Astra's
//! `starting_after` paging. Astra takes its application token as a bearer on every request:
//! build the client with `Client::with_bearer_token(&server.base_url(), …)`.

pub use super::generated_mock::*;
pub use crate::core::mock::{MockServer, Recorder};

use crate::core::mock::{Mock, query_number, serve_pages};

/// Serves `items` at `GET <path>` (an operation's path, below [`BASE_PATH`]) as Astra pages databases: `limit` items (default 25) after
/// the one whose `id_member` is `starting_after`, as a bare array; a short page is the last.
pub fn pages<'a, T: serde::Serialize>(
    server: &'a MockServer,
    path: &str,
    id_member: &str,
    items: &[T],
) -> Mock<'a> {
    let id_member = id_member.to_string();
    serve_pages(
        server,
        &format!("{BASE_PATH}{path}"),
        items,
        move |query, items| {
            let limit = query_number(query, "limit").unwrap_or(25);
            let start = query
                .get("starting_after")
                .and_then(|after| {
                    items
                        .iter()
                        .position(|i| i[id_member.as_str()].as_str() == Some(after.as_str()))
                })
                .map_or(0, |at| at + 1);
            let end = (start + limit).min(items.len());
            serde_json::Value::Array(items[start.min(end)..end].to_vec())
        },
    )
}
