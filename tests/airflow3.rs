//! Airflow 3 client against a loopback server: JWT login at `/auth/token`, bearer on the API,
//! refresh after a 401, wrong passwords, Astro tokens, and a decoded variable list.
#![cfg(feature = "airflow3")]

use std::time::{SystemTime, UNIX_EPOCH};

use dataplat::SecretString;
use dataplat::airflow3::Client;
use dataplat::core::Error;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// An unsigned JWT whose `exp` is `secs` from now (only the server verifies signatures).
fn jwt(name: &str, secs: u64) -> String {
    use base64::Engine;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let enc = |v: serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    format!(
        "{}.{}.sig-{name}",
        enc(json!({"alg": "HS512", "typ": "JWT"})),
        enc(json!({"sub": "admin", "exp": now + secs}))
    )
}

fn variables() -> serde_json::Value {
    json!({"variables": [{"key": "etl_bucket", "value": "s3://b", "description": null,
        "is_encrypted": false, "team_name": null}], "total_entries": 1})
}

async fn login_mock(server: &MockServer, token: &str, times: u64) {
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .and(body_json(json!({"username": "admin", "password": "admin"})))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"access_token": token})))
        .up_to_n_times(times)
        .expect(times)
        .mount(server)
        .await;
}

#[tokio::test]
async fn password_login_fetches_a_jwt_once_and_sends_it_as_bearer() {
    let server = MockServer::builder().start().await;
    let token = jwt("a", 3600);
    login_mock(&server, &token, 1).await;
    Mock::given(method("GET"))
        .and(path("/api/v2/variables"))
        .and(header("authorization", format!("Bearer {token}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(variables()))
        .expect(3)
        .mount(&server)
        .await;
    let airflow = Client::with_password(&server.uri(), "admin", &SecretString::from("admin"));
    for _ in 0..3 {
        let page = airflow.get_variables().send().await.unwrap().into_inner();
        assert_eq!(page.total_entries, 1);
        assert_eq!(page.variables[0].key, "etl_bucket");
    }
}

#[tokio::test]
async fn a_401_fetches_a_new_jwt_and_replays_once() {
    let server = MockServer::builder().start().await;
    let (old, new) = (jwt("old", 3600), jwt("new", 3600));
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"access_token": old})))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"access_token": new})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", format!("Bearer {old}").as_str()))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"detail": "Token expired"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/variables"))
        .and(header("authorization", format!("Bearer {new}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(variables()))
        .expect(1)
        .mount(&server)
        .await;
    let airflow = Client::with_password(&server.uri(), "admin", &SecretString::from("admin"));
    airflow.get_variables().send().await.unwrap();
}

#[tokio::test]
async fn a_wrong_password_is_the_typed_auth_error_without_the_secret() {
    let server = MockServer::builder().start().await;
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({"detail": "Invalid credentials"})),
        )
        .mount(&server)
        .await;
    let airflow = Client::with_password(
        &server.uri(),
        "admin",
        &SecretString::from("wrong-password"),
    );
    let err = airflow.get_variables().send().await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::Auth { .. }), "{text}");
    assert!(!text.contains("wrong-password"), "{text}");
}

#[tokio::test]
async fn an_astro_token_is_sent_as_is() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/variables"))
        .and(header("authorization", "Bearer astro-deployment-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(variables()))
        .expect(1)
        .mount(&server)
        .await;
    let airflow =
        Client::with_bearer_token(&server.uri(), &SecretString::from("astro-deployment-token"));
    airflow.get_variables().send().await.unwrap();
    let requests = server.received_requests().await.unwrap();
    assert!(requests.iter().all(|r| r.url.path() != "/auth/token"));
}

#[tokio::test]
async fn with_password_at_logs_in_at_its_token_url_and_calls_the_api_elsewhere() {
    let (api, auth) = (
        MockServer::builder().start().await,
        MockServer::builder().start().await,
    );
    let token = jwt("split", 3600);
    login_mock(&auth, &token, 1).await;
    Mock::given(method("GET"))
        .and(path("/api/v2/variables"))
        .and(header("authorization", format!("Bearer {token}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(variables()))
        .expect(1)
        .mount(&api)
        .await;
    let airflow = Client::with_password_at(
        &format!("{}/api/v2", api.uri()),
        &format!("{}/auth/token", auth.uri()),
        "admin",
        &SecretString::from("admin"),
    );
    airflow.get_variables().send().await.unwrap();
    let on_api = api.received_requests().await.unwrap();
    assert!(on_api.iter().all(|r| r.url.path() != "/auth/token"));
}

#[tokio::test]
async fn a_clear_text_token_url_off_loopback_is_refused_before_the_password_is_sent() {
    let api = MockServer::builder().start().await;
    let airflow = Client::with_password_at(
        &api.uri(),
        "http://airflow.example.com/auth/token",
        "admin",
        &SecretString::from("do-not-send"),
    );
    let err = airflow.get_variables().send().await.unwrap_err();
    let text = err.to_string();
    let Error::Auth { source, .. } = &err else {
        panic!("expected Error::Auth, got {text}");
    };
    assert_eq!(
        source.kind,
        dataplat::core::AuthErrorKind::Configuration,
        "{text}"
    );
    assert!(text.contains("plain http://"), "{text}");
    assert!(!text.contains("do-not-send"), "{text}");
    assert!(api.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn an_unverifiable_jwt_403_logs_in_again_and_replays_but_a_permission_403_does_not() {
    // A JWT signed with a secret the server no longer has (restarted without a configured
    // secret) gets 403 "Invalid JWT token": a rejection, like 401.
    let server = MockServer::builder().start().await;
    let (old, new) = (jwt("old-secret", 3600), jwt("new-secret", 3600));
    Mock::given(method("POST"))
        .and(path("/auth/token"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"access_token": old})))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    login_mock(&server, &new, 1).await;
    Mock::given(method("GET"))
        .and(header("authorization", format!("Bearer {old}").as_str()))
        .respond_with(
            ResponseTemplate::new(403).set_body_json(json!({"detail": "Invalid JWT token"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/variables"))
        .and(header("authorization", format!("Bearer {new}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(variables()))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/pools"))
        .and(header("authorization", format!("Bearer {new}").as_str()))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"detail": "Forbidden"})))
        .expect(1)
        .mount(&server)
        .await;
    let airflow = Client::with_password(&server.uri(), "admin", &SecretString::from("admin"));
    airflow.get_variables().send().await.unwrap();
    // The token is good but lacks a permission: an error status, no new login.
    let err = airflow.get_pools().send().await.unwrap_err();
    assert!(matches!(err, Error::Status { status: 403, .. }), "{err}");
}
