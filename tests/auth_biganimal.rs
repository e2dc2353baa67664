//! BigAnimal device-code flow, refresh-token rotation and the token file, against a loopback
//! server playing both the BigAnimal API and its identity provider.
#![cfg(feature = "biganimal")]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dataplat::biganimal::{DeviceLogin, DevicePrompt};
use dataplat::core::auth::{FileTokenStore, MemoryTokenStore, TokenStore};
use dataplat::core::{AuthErrorKind, Context, Credential};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// The IdP's token endpoint: answers device polls from a script, refresh grants by rotation.
struct Idp {
    polls: Mutex<Vec<ResponseTemplate>>,
    seen: Arc<Mutex<Vec<(Instant, String)>>>,
}

impl Respond for Idp {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let form = String::from_utf8_lossy(&request.body).to_string();
        self.seen
            .lock()
            .unwrap()
            .push((Instant::now(), form.clone()));
        if form.contains("grant_type=refresh_token") {
            let n: u32 = form
                .split("refresh_token=rt-")
                .nth(1)
                .and_then(|s| s[..1].parse().ok())
                .unwrap_or(0);
            if n == 0 {
                return ResponseTemplate::new(403).set_body_json(json!({"error": "invalid_grant"}));
            }
            return ResponseTemplate::new(200).set_body_json(json!({
                "access_token": format!("idp-{}", n + 1), "refresh_token": format!("rt-{}", n + 1),
                "expires_in": 86400, "token_type": "Bearer", "id_token": "x", "scope": "openid"
            }));
        }
        let mut polls = self.polls.lock().unwrap();
        if polls.is_empty() {
            return ResponseTemplate::new(500);
        }
        polls.remove(0)
    }
}

fn oauth_error(status: u16, code: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({"error": code, "error_description": code}))
}

fn granted() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "access_token": "idp-1", "refresh_token": "rt-1", "id_token": "x", "scope": "openid offline_access",
        "expires_in": 86400, "token_type": "Bearer"
    }))
}

async fn biganimal(
    polls: Vec<ResponseTemplate>,
) -> (MockServer, Arc<Mutex<Vec<(Instant, String)>>>) {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/api/v3/auth/provider"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "clientId": "cli-1", "issuerUri": server.uri(), "scope": "openid profile email offline_access",
            "audience": "https://portal.biganimal.com/api"
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/device/code"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "device_code": "dev-1", "user_code": "ABCD-EFGH", "verification_uri": "https://auth.example/activate",
            "verification_uri_complete": "https://auth.example/activate?user_code=ABCD-EFGH", "expires_in": 900, "interval": 1
        })))
        .mount(&server)
        .await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(Idp {
            polls: Mutex::new(polls),
            seen: seen.clone(),
        })
        .mount(&server)
        .await;
    for n in 1..=3 {
        Mock::given(method("POST"))
            .and(path("/api/v3/auth/token"))
            .and(body_json(json!({"token": format!("idp-{n}")})))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"token": format!("ba-{n}")})),
            )
            .mount(&server)
            .await;
    }
    (server, seen)
}

fn cache(credential: Credential) -> dataplat::core::auth::TokenCache {
    credential
        .token_cache()
        .cloned()
        .expect("a token credential")
}

/// The context the device flow's requests go through.
fn ctx() -> Context {
    Context::new(&dataplat::biganimal::PROFILE)
}

#[tokio::test]
async fn device_flow_through_pending_and_slow_down_to_a_bearer_token() {
    let (server, seen) = biganimal(vec![
        oauth_error(403, "authorization_pending"),
        oauth_error(400, "slow_down"),
        granted(),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let store = FileTokenStore::new(dir.path().join("nested/biganimal.token"));
    let prompts = Arc::new(Mutex::new(Vec::new()));
    let shown = prompts.clone();
    let login = DeviceLogin::new(store.clone(), move |p: &DevicePrompt| {
        shown.lock().unwrap().push(p.clone())
    });

    let token = cache(login.credential(&format!("{}/api/v3", server.uri())))
        .token(&ctx())
        .await
        .unwrap();
    assert_eq!(token.expose_secret(), "ba-1");

    let prompts = prompts.lock().unwrap();
    assert_eq!(prompts.len(), 1);
    assert_eq!(prompts[0].user_code, "ABCD-EFGH");
    assert_eq!(prompts[0].verification_uri, "https://auth.example/activate");

    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 3, "pending, slow_down, granted");
    assert!(
        seen.iter()
            .all(|(_, f)| f.contains("device_code=dev-1") && f.contains("client_id=cli-1"))
    );
    let gap1 = seen[1].0 - seen[0].0;
    let gap2 = seen[2].0 - seen[1].0;
    assert!(
        gap1 >= Duration::from_millis(950),
        "interval honoured: {gap1:?}"
    );
    assert!(
        gap2 >= Duration::from_millis(5900),
        "slow_down adds 5 s: {gap2:?}"
    );

    // The rotating refresh token is on disk, private.
    assert_eq!(store.load().unwrap().unwrap().expose_secret(), "rt-1");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(store.path())
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }
}

#[tokio::test]
async fn expired_and_denied_device_codes_are_typed() {
    for (answer, kind) in [
        (oauth_error(400, "expired_token"), AuthErrorKind::Expired),
        (oauth_error(403, "access_denied"), AuthErrorKind::Denied),
    ] {
        let (server, _) = biganimal(vec![answer]).await;
        let login = DeviceLogin::new(MemoryTokenStore::default(), |_: &DevicePrompt| {});
        let err = cache(login.credential(&format!("{}/api/v3", server.uri())))
            .token(&ctx())
            .await
            .unwrap_err();
        assert_eq!(err.kind, kind, "{err}");
        assert_eq!((err.api, err.step), ("biganimal", "device poll"));
    }
}

#[tokio::test]
async fn refresh_rotates_and_persists_the_new_token_before_use() {
    let (server, seen) = biganimal(vec![]).await;
    let dir = tempfile::tempdir().unwrap();
    let store = FileTokenStore::new(dir.path().join("ba.token"));
    store.save(&SecretString::from("rt-1")).unwrap();
    let login = DeviceLogin::new(store.clone(), |_: &DevicePrompt| panic!("no prompt needed"));
    let cache = cache(login.credential(&format!("{}/api/v3", server.uri())));

    assert_eq!(cache.token(&ctx()).await.unwrap().expose_secret(), "ba-2");
    assert_eq!(
        store.load().unwrap().unwrap().expose_secret(),
        "rt-2",
        "rotated token persisted"
    );
    assert!(seen.lock().unwrap()[0].1.contains("refresh_token=rt-1"));

    // Rejected token → refresh with rt-2 → rt-3 persisted even though the exchange then fails.
    cache.invalidate("ba-2");
    server.reset().await;
    let (server2, _) = (server, ());
    Mock::given(method("GET"))
        .and(path("/api/v3/auth/provider"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"clientId": "cli-1", "issuerUri": server2.uri(), "scope": "openid"}),
        ))
        .mount(&server2)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(Idp {
            polls: Mutex::new(vec![]),
            seen: Arc::default(),
        })
        .mount(&server2)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v3/auth/token"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({"error": {"status": 500, "message": "Internal Server Error", "details": "failed to get BigAnimal token"}})))
        .mount(&server2)
        .await;
    let err = cache.token(&ctx()).await.unwrap_err();
    assert_eq!((err.step, err.status), ("exchange", Some(500)), "{err}");
    assert_eq!(
        store.load().unwrap().unwrap().expose_secret(),
        "rt-3",
        "saved before the exchange was tried"
    );
}

#[test]
fn access_key_credential_is_the_x_access_key_header_and_redacted() {
    let credential = dataplat::biganimal::auth::access_key(&SecretString::from("ba-key-xyz"));
    assert_eq!(credential.header_name().as_str(), "x-access-key");
    assert!(!format!("{credential:?}").contains("ba-key-xyz"));
}
