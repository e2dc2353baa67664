//! A typed mock of the Airflow 2 API for your tests (the `mock` feature): one method per
//! operation on [`MockServer`] (bring [`MockServerExt`] into scope), whose `when` matches the
//! operation's method, path and parameters and whose `then` takes only its documented answers,
//! and Airflow's `limit`/`offset` paging. Airflow 2 logs in with basic auth on every request:
//! build the client with `Client::with_password(&base_url(&server), …)`.

pub use super::generated_mock::*;
pub use crate::core::mock::{MockServer, Recorder};

/// Serves `items` at `GET <path>` (an operation's path, below [`BASE_PATH`]) as Airflow pages
/// them: `limit` (default 100, capped at 100 as the server caps it) items from `offset`, under
/// `key` with `total_entries`.
pub fn pages<'a, T: serde::Serialize>(
    server: &'a MockServer,
    path: &str,
    key: &str,
    items: &[T],
) -> crate::core::mock::Mock<'a> {
    crate::airflow_common::mock_pages(server, &format!("{BASE_PATH}{path}"), key, items)
}
