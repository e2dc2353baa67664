//! A typed mock of the Airflow 3 API for your tests (the `mock` feature): one method per
//! operation on [`MockServer`] (bring [`MockServerExt`] into scope), whose `when` matches the
//! operation's method, path and parameters and whose `then` takes only its documented answers;
//! the `/auth/token` login, so `Client::with_password(&base_url(&server), …)` works as in
//! production; and Airflow's `limit`/`offset` paging.

pub use super::generated_mock::*;
pub use crate::core::mock::{MockServer, Recorder};

use crate::core::mock::{Mock, httpmock, jwt};

/// Answers Airflow 3's password login (`POST /auth/token`) with a JWT valid for an hour.
pub fn token_endpoint(server: &MockServer) -> Mock<'_> {
    server.mock(|when, then| {
        when.method(httpmock::Method::POST).path("/auth/token");
        then.status(201)
            .header("content-type", "application/json")
            .json_body(serde_json::json!({"access_token": jwt("mock-user")}));
    })
}

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
