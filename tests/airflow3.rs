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
    let server = MockServer::start().await;
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
    let server = MockServer::start().await;
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
    let server = MockServer::start().await;
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
    let server = MockServer::start().await;
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
