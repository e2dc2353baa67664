//! Fixed-header and login credentials (ACM, Astra, Airflow/Astronomer), redirects that must not
//! carry them, and redaction — against loopback servers.
#![cfg(all(
    feature = "acm",
    feature = "astra",
    feature = "airflow",
    feature = "airflow3"
))]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use secrecy::SecretString;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const KEY: &str = "acm-key-0123456789";

fn secret(s: &str) -> SecretString {
    SecretString::from(s.to_string())
}

#[tokio::test]
async fn acm_api_key_goes_in_x_auth_token_and_a_401_says_keys_expire() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/environments"))
        .and(header("x-auth-token", KEY))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": []})))
        .expect(1)
        .mount(&server)
        .await;
    dataplat::acm::Client::with_api_key(&server.uri(), &secret(KEY))
        .environment_list()
        .send()
        .await
        .unwrap();

    let expired = dataplat::acm::Client::with_api_key(&server.uri(), &secret("old-key-999"));
    Mock::given(method("GET"))
        .and(path("/environments"))
        .and(header("x-auth-token", "old-key-999"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    let err = expired
        .environment_list()
        .send()
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("acm: request failed (HTTP 401)") && err.contains("expire (24 h by default)"),
        "{err}"
    );
    assert!(!err.contains("old-key-999"), "{err}");
}

/// Hands out `tok-1`, `tok-2`, … on each login.
struct Logins(Arc<AtomicUsize>);
impl Respond for Logins {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        ResponseTemplate::new(200)
            .set_body_json(json!({"data": {"token": format!("tok-{n}")}, "error": null}))
    }
}

#[tokio::test]
async fn acm_login_obtains_a_token_and_logs_in_again_when_it_is_rejected() {
    let server = MockServer::builder().start().await;
    let logins = Arc::new(AtomicUsize::new(0));
    Mock::given(method("POST"))
        .and(path("/login"))
        .and(body_json(
            json!({"login": "ops@example.com", "password": "pw-123"}),
        ))
        .respond_with(Logins(logins.clone()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/environments"))
        .and(header("x-auth-token", "tok-1"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/environments"))
        .and(header("x-auth-token", "tok-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": []})))
        .mount(&server)
        .await;
    let acm =
        dataplat::acm::Client::with_password(&server.uri(), "ops@example.com", &secret("pw-123"));
    acm.environment_list().send().await.unwrap();
    assert_eq!(
        logins.load(Ordering::SeqCst),
        2,
        "login, rejection, login again, replay"
    );
}

#[tokio::test]
async fn astra_rejects_malformed_tokens_unless_told_otherwise() {
    use dataplat::astra::{Client, TokenFormat};
    let err = Client::with_token(
        "https://api.astra.datastax.com",
        &secret("not-a-token"),
        TokenFormat::ApplicationToken,
    )
    .unwrap_err();
    assert_eq!(err.kind, dataplat::core::AuthErrorKind::Configuration);
    assert!(
        err.to_string().contains("AstraCS:") && !err.to_string().contains("not-a-token"),
        "{err}"
    );

    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/v2/databases"))
        .and(header("authorization", "Bearer AstraCS:abc:def"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .expect(1)
        .mount(&server)
        .await;
    let astra = Client::with_token(
        &server.uri(),
        &secret("AstraCS:abc:def"),
        TokenFormat::ApplicationToken,
    )
    .unwrap();
    astra.list_databases().send().await.unwrap();
    assert!(Client::with_token(&server.uri(), &secret("proxy-token"), TokenFormat::Any).is_ok());
}

#[tokio::test]
async fn airflow_header_forms_and_403_as_rejection() {
    use dataplat::airflow::Client;
    let server = MockServer::builder().start().await;
    let ok = || ResponseTemplate::new(200).set_body_json(json!({"dags": [], "total_entries": 0}));
    // base64("admin:admin")
    Mock::given(path("/api/v1/dags"))
        .and(header("authorization", "Basic YWRtaW46YWRtaW4="))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/v1/dags"))
        .and(header("authorization", "sa-key-1"))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/v1/dags"))
        .and(header("authorization", "Bearer astro-tok"))
        .respond_with(ok())
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/v1/dags"))
        .and(header("authorization", "Basic YWRtaW46d3Jvbmc="))
        .respond_with(ResponseTemplate::new(403).set_body_json(
            json!({"title": "Forbidden", "status": 403, "type": "x", "detail": null}),
        ))
        .mount(&server)
        .await;
    let base = format!("{}/api/v1", server.uri());
    Client::with_password(&base, "admin", &secret("admin"))
        .get_dags()
        .send()
        .await
        .unwrap();
    Client::with_api_key(&base, &secret("sa-key-1"))
        .get_dags()
        .send()
        .await
        .unwrap();
    Client::with_bearer_token(&base, &secret("astro-tok"))
        .get_dags()
        .send()
        .await
        .unwrap();
    let err = Client::with_password(&base, "admin", &secret("wrong"))
        .get_dags()
        .send()
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("airflow: request failed (HTTP 403)") && err.contains("rejected"),
        "{err}"
    );
    assert_eq!(
        dataplat::airflow::auth::astronomer_software_url("astro.example.com", "celestial-1"),
        "https://deployments.astro.example.com/celestial-1/airflow/api/v1"
    );
    // An Astro token brings Astro's per-token limits, in Airflow 2 as in Airflow 3; the other
    // kinds have none.
    let limits = |c: &Client| {
        use progenitor_client::ClientInfo;
        format!("{:?}", c.inner().rate_limits())
    };
    let astro = limits(&Client::with_bearer_token(&base, &secret("astro-tok")));
    assert!(
        astro.contains("POST 10/s") && astro.contains("DELETE 5/s"),
        "{astro}"
    );
    let airflow3 =
        dataplat::airflow3::Client::with_bearer_token(&server.uri(), &secret("astro-tok"));
    assert_eq!(
        format!(
            "{:?}",
            progenitor_client::ClientInfo::inner(&airflow3).rate_limits()
        ),
        astro
    );
    assert_eq!(
        limits(&Client::with_password(&base, "admin", &secret("admin"))),
        "[]"
    );
}

#[tokio::test]
async fn redirects_to_another_origin_never_carry_credentials() {
    let first = MockServer::builder().start().await;
    let second = MockServer::builder().start().await;
    Mock::given(path("/environments"))
        .respond_with(
            ResponseTemplate::new(307)
                .insert_header("location", format!("{}/elsewhere", second.uri())),
        )
        .mount(&first)
        .await;
    Mock::given(path("/elsewhere"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": []})))
        .mount(&second)
        .await;
    dataplat::acm::Client::with_api_key(&first.uri(), &secret(KEY))
        .environment_list()
        .send()
        .await
        .unwrap();
    let seen = second.received_requests().await.unwrap();
    assert_eq!(seen.len(), 1);
    for name in ["x-auth-token", "authorization", "x-access-key"] {
        assert!(
            !seen[0].headers.contains_key(name),
            "{name} crossed to another origin"
        );
    }

    // Bearer credentials too, and a same-origin redirect keeps them.
    let server = MockServer::builder().start().await;
    Mock::given(path("/api/v1/dags"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", "/api/v1/dags-moved"))
        .mount(&server)
        .await;
    Mock::given(path("/api/v1/dags-moved"))
        .and(header("authorization", "Bearer astro-tok"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"dags": [], "total_entries": 0})),
        )
        .expect(1)
        .mount(&server)
        .await;
    dataplat::airflow::Client::with_bearer_token(
        &format!("{}/api/v1", server.uri()),
        &secret("astro-tok"),
    )
    .get_dags()
    .send()
    .await
    .unwrap();
}

#[test]
fn debug_output_never_shows_secrets() {
    let acm = dataplat::acm::Client::with_api_key("https://acm.example.com/api", &secret(KEY));
    let airflow = dataplat::airflow::Client::with_password(
        "https://af.example.com/api/v1",
        "admin",
        &secret("pw-123"),
    );
    let astra = dataplat::astra::Client::with_token(
        "https://api.astra.datastax.com",
        &secret("AstraCS:abc:def"),
        dataplat::astra::TokenFormat::ApplicationToken,
    )
    .unwrap();
    for text in [
        format!("{acm:?}"),
        format!("{airflow:?}"),
        format!("{astra:?}"),
    ] {
        for s in [KEY, "pw-123", "YWRtaW46cHctMTIz", "AstraCS:abc:def"] {
            assert!(!text.contains(s), "{s} in {text}");
        }
        assert!(text.contains("[redacted]"), "{text}");
    }
}
