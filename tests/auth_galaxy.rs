//! Galaxy client credentials through the shared token core, against loopback servers.
#![cfg(feature = "galaxy")]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use dataplat::galaxy::{Client, GalaxyCredentials};
use secrecy::SecretString;
use serde_json::json;
use wiremock::matchers::{body_string, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const SECRET: &str = "very-secret-client-secret";

/// Hands out `t1`, `t2`, … with the given lifetimes (the last one repeats).
struct Tokens {
    issued: Arc<AtomicUsize>,
    lifetimes: Vec<u64>,
    legacy: bool,
}

impl Respond for Tokens {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.issued.fetch_add(1, Ordering::SeqCst);
        let life = self.lifetimes[n.min(self.lifetimes.len() - 1)];
        let data = json!({"access_token": format!("t{}", n + 1), "token_type": "Bearer", "expires_in": life});
        let body = if self.legacy {
            json!({"oauthTokenData": {"accessToken": format!("t{}", n + 1), "expiresIn": life}})
        } else {
            data
        };
        ResponseTemplate::new(200).set_body_json(body)
    }
}

async fn token_endpoint(
    server: &MockServer,
    lifetimes: Vec<u64>,
    legacy: bool,
) -> Arc<AtomicUsize> {
    let issued = Arc::new(AtomicUsize::new(0));
    // Basic base64("svc-1:very-secret-client-secret")
    Mock::given(method("POST"))
        .and(path("/oauth/v2/token"))
        .and(query_param("token_format", "oauth2"))
        .and(header(
            "authorization",
            "Basic c3ZjLTE6dmVyeS1zZWNyZXQtY2xpZW50LXNlY3JldA==",
        ))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string("grant_type=client_credentials"))
        .respond_with(Tokens {
            issued: issued.clone(),
            lifetimes,
            legacy,
        })
        .mount(server)
        .await;
    issued
}

/// Credentials whose tokens live as long as the server says, however short: these tests
/// watch expiry in seconds, under the default floor of 30 s.
fn credentials(server: &MockServer) -> GalaxyCredentials {
    GalaxyCredentials::new(&server.uri(), "svc-1", SecretString::from(SECRET)).with_refresh_policy(
        dataplat::core::auth::RefreshPolicy {
            min_lifetime: Duration::ZERO,
            ..Default::default()
        },
    )
}

/// An authenticated client without Galaxy's client-side rate limits (these tests count tokens,
/// not requests per second).
fn client(server: &MockServer) -> Client {
    let creds = credentials(server);
    Client::with_context(
        creds.base_url(),
        creds.context().with_rate_limits(Vec::new()),
    )
}

fn page() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"nextPageToken": "", "result": []}))
}

async fn api_requests(server: &MockServer) -> Vec<Request> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == "/public/api/v1/cluster")
        .collect()
}

#[tokio::test]
async fn a_thousand_calls_on_an_expired_token_make_one_token_request() {
    let server = MockServer::builder().start().await;
    // t1 is born expired (lifetime 0); t2 lives ten minutes.
    let issued = token_endpoint(&server, vec![0, 600], false).await;
    Mock::given(method("GET"))
        .and(path("/public/api/v1/cluster"))
        .respond_with(page())
        .mount(&server)
        .await;
    let client = client(&server);
    client.list_cluster().send().await.unwrap();
    assert_eq!(issued.load(Ordering::SeqCst), 1);

    let calls: Vec<_> = (0..1000)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.list_cluster().send().await.map(|_| ()) })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(
        issued.load(Ordering::SeqCst),
        2,
        "exactly one refresh for 1,000 waiting calls"
    );
    let requests = api_requests(&server).await;
    assert_eq!(requests.len(), 1001);
    assert!(
        requests[1..]
            .iter()
            .all(|r| r.headers["authorization"] == "Bearer t2")
    );
}

#[tokio::test]
async fn tokens_are_refreshed_ahead_of_expiry() {
    let server = MockServer::builder().start().await;
    // Two-second tokens: refreshed 0.2 s (10 %) before they expire.
    let issued = token_endpoint(&server, vec![2], false).await;
    Mock::given(method("GET"))
        .and(path("/public/api/v1/cluster"))
        .respond_with(page())
        .mount(&server)
        .await;
    let client = client(&server);
    client.list_cluster().send().await.unwrap();
    client.list_cluster().send().await.unwrap();
    assert_eq!(issued.load(Ordering::SeqCst), 1, "a fresh token is reused");
    tokio::time::sleep(Duration::from_millis(1900)).await;
    client.list_cluster().send().await.unwrap();
    assert_eq!(
        issued.load(Ordering::SeqCst),
        2,
        "refreshed before the server would reject it"
    );
    let seen: Vec<_> = api_requests(&server)
        .await
        .iter()
        .map(|r| r.headers["authorization"].clone())
        .collect();
    assert_eq!(seen, ["Bearer t1", "Bearer t1", "Bearer t2"]);
}

#[tokio::test]
async fn a_401_refreshes_and_replays_once() {
    let server = MockServer::builder().start().await;
    let issued = token_endpoint(&server, vec![600], false).await;
    Mock::given(method("GET"))
        .and(path("/public/api/v1/cluster"))
        .and(header("authorization", "Bearer t1"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({"reason": "expired", "metadata": {}})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/public/api/v1/cluster"))
        .and(header("authorization", "Bearer t2"))
        .respond_with(page())
        .mount(&server)
        .await;
    let client = client(&server);
    client.list_cluster().page_size(5).send().await.unwrap();
    assert_eq!(issued.load(Ordering::SeqCst), 2);
    let requests = api_requests(&server).await;
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[1].url.query(),
        Some("pageSize=5"),
        "the replay is the same request"
    );
}

#[tokio::test]
async fn a_second_401_is_returned_to_the_caller() {
    let server = MockServer::builder().start().await;
    let issued = token_endpoint(&server, vec![600], false).await;
    Mock::given(method("GET"))
        .and(path("/public/api/v1/cluster"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(json!({"reason": "no", "metadata": {}})),
        )
        .mount(&server)
        .await;
    let client = client(&server);
    let err = client.list_cluster().send().await.unwrap_err();
    assert!(
        matches!(&err, dataplat::core::Error::Auth { source, .. } if source.kind == dataplat::core::AuthErrorKind::Rejected && source.status == Some(401)),
        "{err:?}"
    );
    let err = err.to_string();
    assert!(err.contains("galaxy: request failed (HTTP 401)"), "{err}");
    assert!(err.contains("rejected for list_cluster"), "{err}");
    assert_eq!(api_requests(&server).await.len(), 2, "one replay, no more");
    assert_eq!(issued.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn the_legacy_token_format_is_understood() {
    let server = MockServer::builder().start().await;
    token_endpoint(&server, vec![600], true).await;
    Mock::given(method("GET"))
        .and(path("/public/api/v1/cluster"))
        .and(header("authorization", "Bearer t1"))
        .respond_with(page())
        .expect(1)
        .mount(&server)
        .await;
    Client::with_credentials(&credentials(&server))
        .list_cluster()
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn wrong_credentials_give_a_typed_error_without_the_secret() {
    let server = MockServer::builder().start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/v2/token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "error": "invalid_client", "error_description": "bad client", "client_secret": SECRET
        })))
        .mount(&server)
        .await;
    let creds = credentials(&server);
    let credential = creds.credential();
    let cache = credential.token_cache().expect("galaxy uses tokens");
    let typed = cache.token(&creds.context()).await.unwrap_err();
    assert_eq!(typed.kind, dataplat::core::AuthErrorKind::Rejected);
    assert_eq!(
        (typed.api, typed.step, typed.status),
        ("galaxy", "token endpoint", Some(401))
    );
    assert!(typed.detail.contains("invalid_client"));

    let through_client = Client::with_credentials(&creds)
        .list_cluster()
        .send()
        .await
        .unwrap_err()
        .to_string();
    for text in [
        typed.to_string(),
        through_client.clone(),
        format!("{creds:?}"),
        format!("{typed:?}"),
    ] {
        assert!(!text.contains(SECRET), "secret leaked: {text}");
    }
    assert!(
        through_client.contains("token endpoint failed (HTTP 401)"),
        "{through_client}"
    );
    assert!(
        api_requests(&server).await.is_empty(),
        "no API call without a token"
    );
}

#[tokio::test]
async fn credentials_are_refused_over_plain_http_to_other_hosts() {
    let creds = GalaxyCredentials::new(
        "http://galaxy.example.invalid",
        "svc-1",
        SecretString::from(SECRET),
    );
    let err = Client::with_credentials(&creds)
        .list_cluster()
        .send()
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("refusing to send credentials or a request body over plain http://"),
        "{err}"
    );
}
