//! A typed mock of BigAnimal for your tests (the `mock` feature): one method per operation on
//! [`MockServer`] (bring [`MockServerExt`] into scope), whose `when` matches the operation's
//! method, path and parameters and whose `then` takes only its documented answers; and the
//! device login with its token exchange, so `Client::with_device_login` works against the mock
//! as in production. BigAnimal lists are not paged: answer them whole with the typed `then`.

pub use super::generated_mock::*;
pub use crate::core::mock::{MockServer, Recorder};

use crate::core::mock::{Mock, httpmock};

/// The four endpoints of BigAnimal's device login, answered at once (the user "approves"
/// immediately): `GET <api>/auth/provider` (the identity provider is the mock itself),
/// `POST /oauth/device/code`, `POST /oauth/token`, and the exchange `POST <api>/auth/token`.
pub fn device_login(server: &MockServer) -> Vec<Mock<'_>> {
    let api_path = BASE_PATH;
    let issuer = server.base_url();
    vec![
        server.mock(|when, then| {
            when.method(httpmock::Method::GET)
                .path(format!("{api_path}/auth/provider"));
            then.status(200)
                .header("content-type", "application/json")
                .json_body(serde_json::json!({
                    "clientId": "mock-client", "issuerUri": issuer,
                    "scope": "openid profile email offline_access",
                    "audience": "https://portal.biganimal.com/api"
                }));
        }),
        server.mock(|when, then| {
            when.method(httpmock::Method::POST).path("/oauth/device/code");
            then.status(200)
                .header("content-type", "application/json")
                .json_body(serde_json::json!({
                    "device_code": "mock-device", "user_code": "MOCK-CODE",
                    "verification_uri": "https://auth.example/activate",
                    "verification_uri_complete": "https://auth.example/activate?user_code=MOCK-CODE",
                    "expires_in": 900, "interval": 1
                }));
        }),
        server.mock(|when, then| {
            when.method(httpmock::Method::POST).path("/oauth/token");
            then.status(200)
                .header("content-type", "application/json")
                .json_body(serde_json::json!({
                    "access_token": "mock-idp-token", "refresh_token": "mock-refresh",
                    "expires_in": 86400, "token_type": "Bearer"
                }));
        }),
        server.mock(|when, then| {
            when.method(httpmock::Method::POST)
                .path(format!("{api_path}/auth/token"));
            then.status(200)
                .header("content-type", "application/json")
                .json_body(serde_json::json!({"token": "mock-biganimal-token"}));
        }),
    ]
}
