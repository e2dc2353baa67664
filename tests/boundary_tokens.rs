//! Safe at the boundary II: token endpoints, token files and deadlines, against hostile
//! loopback token servers, files that are not what they seem, and outages. Each test is one
//! attack from the issue that found it.
#![cfg(all(feature = "galaxy", feature = "acm", feature = "biganimal"))]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::hostile::{Act, Seen, json, redirect, serve, text};
use dataplat::biganimal::{DeviceLogin, DevicePrompt};
use dataplat::core::auth::{FileTokenStore, MemoryTokenStore, TokenStore};
use dataplat::core::{AuthErrorKind, CallOptions, Context, Error, HttpClient};
use dataplat::galaxy::GalaxyCredentials;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json as j;

const CLIENT_SECRET: &str = "galaxy-client-secret-xyz";

fn secret(s: &str) -> SecretString {
    SecretString::from(s.to_string())
}

fn page() -> Act {
    json(200, j!({"nextPageToken": "", "result": []}))
}

/// A Galaxy server: `token` answers the token endpoint (n counts token requests), the API
/// answers an empty cluster page.
async fn galaxy_server(
    token: impl Fn(&Seen, usize) -> Act + Send + Sync + 'static,
) -> (common::hostile::Hostile, Arc<AtomicUsize>) {
    let tokens = Arc::new(AtomicUsize::new(0));
    let count = tokens.clone();
    let server = serve(move |seen, _| {
        if seen.target.starts_with("/oauth/v2/token") {
            let n = count.fetch_add(1, Ordering::SeqCst);
            token(seen, n)
        } else {
            page()
        }
    })
    .await;
    (server, tokens)
}

fn galaxy(url: &str) -> dataplat::galaxy::Client {
    let creds = GalaxyCredentials::new(url, "svc-1", secret(CLIENT_SECRET));
    dataplat::galaxy::Client::with_context(url, creds.context().with_rate_limits(vec![]))
}

// ---- Token endpoints go through the core ----

#[tokio::test]
async fn a_plain_http_token_url_is_refused_even_when_the_api_is_loopback() {
    let (api, _) = galaxy_server(|_, _| json(200, j!({"access_token": "t"}))).await;
    let creds = GalaxyCredentials::new(
        "http://galaxy.example.invalid",
        "svc-1",
        secret(CLIENT_SECRET),
    );
    let client = dataplat::galaxy::Client::with_context(&api.url, creds.context());
    let started = Instant::now();
    let err = client.list_cluster().send().await.unwrap_err();
    match &err {
        Error::Auth { source, .. } => {
            assert_eq!(source.kind, AuthErrorKind::Configuration, "{source}");
            assert!(
                source
                    .detail
                    .contains("plain http:// to galaxy.example.invalid"),
                "{source}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "refused before any lookup"
    );
    assert_eq!(api.count(), 0);
    assert!(!err.to_string().contains(CLIENT_SECRET));
}

/// A BigAnimal API whose `/auth/provider` names the given issuer.
async fn biganimal_provider(issuer: String) -> common::hostile::Hostile {
    serve(move |seen, _| {
        if seen.target.ends_with("/auth/provider") {
            json(
                200,
                j!({"clientId": "cli-1", "issuerUri": issuer, "scope": "openid offline_access"}),
            )
        } else {
            json(500, j!({}))
        }
    })
    .await
}

#[tokio::test]
async fn an_issuer_learned_from_a_server_answer_is_checked_before_a_refresh_token_goes_to_it() {
    let idp = serve(|_, _| json(200, j!({"access_token": "a", "refresh_token": "b"}))).await;
    let port = idp.url.rsplit(':').next().unwrap().to_string();
    for issuer in [
        "http://idp.example.invalid".to_string(),
        // IPv4-mapped loopback: the core does not call it loopback, so neither does this path.
        format!("http://[::ffff:127.0.0.1]:{port}"),
    ] {
        let api = biganimal_provider(issuer.clone()).await;
        let login = DeviceLogin::new(
            MemoryTokenStore::with(secret("rt-valid-refresh-token")),
            |_: &DevicePrompt| panic!("no prompt"),
        );
        let client = dataplat::biganimal::Client::with_device_login(&api.url, login);
        let err = client.authenticate().await.unwrap_err();
        assert_eq!(err.kind, AuthErrorKind::Configuration, "{issuer}: {err}");
        assert!(err.detail.contains("plain http://"), "{err}");
        assert!(!err.to_string().contains("rt-valid-refresh-token"));
    }
    assert_eq!(idp.count(), 0, "no refresh token left the client");
}

#[tokio::test]
async fn a_huge_token_answer_is_refused_at_one_mebibyte() {
    let (server, _) = galaxy_server(|_, _| Act::Flood {
        total: 256 << 20,
        fill: b' ',
    })
    .await;
    let started = Instant::now();
    let err = galaxy(&server.url).list_cluster().send().await.unwrap_err();
    let took = started.elapsed();
    assert!(
        matches!(&err, Error::Auth { source, .. } if source.detail.contains("exceeds the limit of 1048576 bytes")),
        "{err}"
    );
    assert!(
        took < Duration::from_secs(5),
        "stopped reading early: {took:?}"
    );
    println!("256 MiB token answer refused after {took:?}");
}

#[tokio::test]
async fn absurd_lifetimes_neither_panic_nor_refetch_per_call() {
    let (server, tokens) = galaxy_server(|_, n| {
        json(
            200,
            j!({"access_token": format!("t{n}"), "expires_in": u64::MAX}),
        )
    })
    .await;
    let client = galaxy(&server.url);
    for _ in 0..3 {
        client.list_cluster().send().await.unwrap();
    }
    assert_eq!(tokens.load(Ordering::SeqCst), 1);

    let (server, tokens) =
        galaxy_server(|_, n| json(200, j!({"access_token": format!("t{n}"), "expires_in": 0})))
            .await;
    let client = galaxy(&server.url);
    for _ in 0..20 {
        client.list_cluster().send().await.unwrap();
    }
    assert_eq!(
        tokens.load(Ordering::SeqCst),
        1,
        "a lifetime of 0 is raised to the floor, not one token per call"
    );
}

#[tokio::test]
async fn a_503_from_the_token_endpoint_is_retried() {
    let (server, tokens) = galaxy_server(|_, n| {
        if n == 0 {
            text(503, "busy")
        } else {
            json(200, j!({"access_token": "t", "expires_in": 600}))
        }
    })
    .await;
    galaxy(&server.url).list_cluster().send().await.unwrap();
    assert_eq!(tokens.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_stalled_token_endpoint_is_bounded_by_the_call_deadline() {
    let (server, _) = galaxy_server(|_, _| Act::Stall).await;
    let client = galaxy(&server.url);
    let options = CallOptions {
        timeout: Some(Duration::from_secs(2)),
        ..Default::default()
    };
    let started = Instant::now();
    let err = client
        .list_cluster()
        .with_options(options)
        .send()
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert!(
        matches!(&err, Error::Transport { message, .. } if message.contains("timed out")),
        "{err}"
    );
    assert!(took < Duration::from_secs(4), "held for {took:?}");
}

#[tokio::test]
async fn a_refresh_grant_answered_503_is_not_sent_again() {
    let refreshes = Arc::new(AtomicUsize::new(0));
    let count = refreshes.clone();
    let idp = serve(move |seen, _| {
        if seen.body_text().contains("grant_type=refresh_token") {
            count.fetch_add(1, Ordering::SeqCst);
        }
        text(503, "down")
    })
    .await;
    let api = biganimal_provider(idp.url.clone()).await;
    let login = DeviceLogin::new(
        MemoryTokenStore::with(secret("rt-once")),
        |_: &DevicePrompt| {},
    );
    let err = dataplat::biganimal::Client::with_device_login(&api.url, login)
        .authenticate()
        .await
        .unwrap_err();
    assert_eq!(err.step, "refresh", "{err}");
    assert_eq!(
        refreshes.load(Ordering::SeqCst),
        1,
        "a rotating refresh token is spent once at most"
    );
}

#[tokio::test]
async fn the_users_http_client_sends_the_token_requests_too() {
    let http =
        HttpClient::from_builder(HttpClient::builder().user_agent("corp-agent/1.0")).unwrap();
    let (server, _) = galaxy_server(|_, _| json(200, j!({"access_token": "t"}))).await;
    let creds = GalaxyCredentials::new(&server.url, "svc-1", secret(CLIENT_SECRET));
    let client = dataplat::galaxy::Client::with_context(
        &server.url,
        creds
            .context()
            .with_http_client(http.clone())
            .with_rate_limits(vec![]),
    );
    client.list_cluster().send().await.unwrap();
    let token_request = server
        .seen()
        .into_iter()
        .find(|s| s.target.starts_with("/oauth"))
        .unwrap();
    assert_eq!(token_request.header("user-agent"), Some("corp-agent/1.0"));

    // ACM's login as well.
    let acm = serve(|seen, _| {
        if seen.target == "/login" {
            json(200, j!({"data": {"token": "sess"}}))
        } else {
            json(200, j!({"data": []}))
        }
    })
    .await;
    let login = dataplat::acm::auth::login(&acm.url, "ops", &secret("pw-1234"));
    let context = Context::new(&dataplat::acm::PROFILE)
        .with_http_client(http)
        .with_credential(login);
    dataplat::acm::Client::with_context(&acm.url, context)
        .environment_list()
        .send()
        .await
        .unwrap();
    let login = acm
        .seen()
        .into_iter()
        .find(|s| s.target == "/login")
        .unwrap();
    assert_eq!(login.header("user-agent"), Some("corp-agent/1.0"));
}

// ---- Deadlines ----

#[tokio::test]
async fn a_call_deadline_bounds_every_redirect_hop() {
    // Ten hops of 0.9 s each; the call may take 2 s.
    let server = serve(|seen, _| {
        Act::After(
            Duration::from_millis(900),
            Box::new(redirect(302, &format!("{}x", seen.target))),
        )
    })
    .await;
    let options = CallOptions {
        timeout: Some(Duration::from_secs(2)),
        ..Default::default()
    };
    let bearer = dataplat::galaxy::Client::with_context(
        &server.url,
        Context::new(&dataplat::galaxy::PROFILE).with_rate_limits(vec![]),
    );
    let started = Instant::now();
    let err = bearer
        .list_cluster()
        .with_options(options)
        .send()
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert!(
        matches!(&err, Error::Transport { message, .. } if message.contains("timed out")),
        "{err}"
    );
    assert!(took < Duration::from_millis(2600), "{took:?}");
    assert!(server.count() <= 3, "{}", server.count());
}

#[tokio::test]
async fn a_call_deadline_bounds_retries_and_their_waits() {
    let server = serve(|_, _| Act::Respond {
        status: 503,
        headers: vec![("retry-after".into(), "1".into())],
        body: Vec::new(),
    })
    .await;
    let client = dataplat::galaxy::Client::with_context(
        &server.url,
        Context::new(&dataplat::galaxy::PROFILE)
            .with_rate_limits(vec![])
            .with_timeout(Duration::from_millis(1500)),
    );
    let started = Instant::now();
    let err = client.list_cluster().send().await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(err.status(), Some(503), "the last answer: {err}");
    assert!(server.count() <= 2);
}

#[tokio::test]
async fn a_call_deadline_holds_while_a_body_floods_in() {
    // A server (on a thread of its own, so that the socket never runs dry) sends a body that
    // never ends, as fast as loopback carries it. The call must end at its deadline, not
    // when the body limit (set out of reach) is hit. (A call that spends the task's whole
    // cooperative budget, which starves a timer's poll, is `core::dispatch`'s unit test.)
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        let Ok((mut socket, _)) = listener.accept() else {
            return;
        };
        let mut head = [0u8; 4096];
        let _ = socket.read(&mut head);
        let _ = socket.write_all(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000000000000\r\n\r\n",
        );
        let chunk = vec![b' '; 64 * 1024];
        while socket.write_all(&chunk).is_ok() {}
    });
    let client = dataplat::galaxy::Client::with_context(
        &url,
        Context::new(&dataplat::galaxy::PROFILE)
            .with_rate_limits(vec![])
            .with_max_body_bytes(usize::MAX)
            .with_timeout(Duration::from_secs(1)),
    );
    let started = Instant::now();
    let err = client.list_cluster().send().await.unwrap_err();
    let took = started.elapsed();
    assert!(
        matches!(&err, Error::Transport { message, .. } if message.contains("timed out")),
        "{err}"
    );
    assert!(took < Duration::from_secs(3), "{took:?}");
}

// ---- Token files ----

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::symlink_metadata(path)
        .unwrap()
        .permissions()
        .mode()
        & 0o777
}

#[cfg(unix)]
#[test]
fn the_token_file_is_private_whatever_was_there_and_symlinks_are_replaced_not_followed() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ba.token");
    std::fs::write(&path, "old").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let store = FileTokenStore::new(&path);
    store.save(&secret("rt-new")).unwrap();
    assert_eq!(mode(&path), 0o600);

    // A symlink planted at the token path: the victim is untouched.
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "precious").unwrap();
    std::fs::remove_file(&path).unwrap();
    std::os::unix::fs::symlink(&victim, &path).unwrap();
    store.save(&secret("rt-newer")).unwrap();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(
        !std::fs::symlink_metadata(&path)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(mode(&path), 0o600);
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
}

#[test]
fn two_stores_on_one_path_never_tear_a_token() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.token");
    FileTokenStore::new(&path)
        .save(&secret("rt-000-aaaaaaaa"))
        .unwrap();
    let failed = Arc::new(AtomicUsize::new(0));
    let torn = Arc::new(AtomicUsize::new(0));
    let loads = Arc::new(AtomicUsize::new(0));
    let mut threads = Vec::new();
    for writer in 0..2 {
        let store = FileTokenStore::new(&path);
        let failed = failed.clone();
        threads.push(std::thread::spawn(move || {
            for i in 0..400 {
                let token = format!("rt-{writer}{i:03}-{}", "x".repeat(8 + i % 40));
                if store.save(&secret(&token)).is_err() {
                    failed.fetch_add(1, Ordering::SeqCst);
                }
            }
        }));
        let store = FileTokenStore::new(&path);
        let (torn, loads) = (torn.clone(), loads.clone());
        threads.push(std::thread::spawn(move || {
            for _ in 0..2000 {
                let token = store.load().unwrap().unwrap();
                let t = token.expose_secret();
                let whole = t.starts_with("rt-") && (t.ends_with('x') || t.ends_with('a'));
                if !whole {
                    torn.fetch_add(1, Ordering::SeqCst);
                }
                loads.fetch_add(1, Ordering::SeqCst);
            }
        }));
    }
    for t in threads {
        t.join().unwrap();
    }
    println!(
        "2 × 400 saves, {} loads: {} torn, {} failed",
        loads.load(Ordering::SeqCst),
        torn.load(Ordering::SeqCst),
        failed.load(Ordering::SeqCst)
    );
    assert_eq!(torn.load(Ordering::SeqCst), 0);
    assert_eq!(failed.load(Ordering::SeqCst), 0);
}

/// An IdP whose refresh tokens rotate and work once: `rt-N` gives `rt-N+1`; a spent one gets
/// `invalid_grant`. It counts how often each was presented.
async fn rotating_idp(uses: Arc<Mutex<Vec<String>>>) -> common::hostile::Hostile {
    let spent = Arc::new(Mutex::new(std::collections::HashSet::new()));
    serve(move |seen, _| {
        let form = seen.body_text();
        if let Some(rest) = form.split("refresh_token=").nth(1) {
            let token = rest.split('&').next().unwrap().to_string();
            uses.lock().unwrap().push(token.clone());
            if !spent.lock().unwrap().insert(token.clone()) {
                return json(400, j!({"error": "invalid_grant"}));
            }
            let n: u32 = token.trim_start_matches("rt-").parse().unwrap_or(0);
            return json(
                200,
                j!({"access_token": format!("idp-{n}"), "refresh_token": format!("rt-{}", n + 1), "expires_in": 3600, "token_type": "Bearer"}),
            );
        }
        if seen.target.ends_with("/auth/token") {
            return json(200, j!({"token": "ba-token"}));
        }
        json(400, j!({"error": "unsupported"}))
    })
    .await
}

async fn biganimal_with_idp(
    uses: Arc<Mutex<Vec<String>>>,
) -> (common::hostile::Hostile, common::hostile::Hostile) {
    let idp = rotating_idp(uses).await;
    let issuer = idp.url.clone();
    let api = serve(move |seen, _| {
        if seen.target.ends_with("/auth/provider") {
            json(
                200,
                j!({"clientId": "cli-1", "issuerUri": issuer, "scope": "openid offline_access"}),
            )
        } else {
            json(200, j!({"token": "ba-token"}))
        }
    })
    .await;
    (api, idp)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_clients_sharing_a_token_file_never_spend_one_refresh_token_twice() {
    let uses = Arc::new(Mutex::new(Vec::new()));
    let (api, _idp) = biganimal_with_idp(uses.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ba.token");
    FileTokenStore::new(&path).save(&secret("rt-1")).unwrap();
    let prompted = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let prompted = prompted.clone();
        let login = DeviceLogin::new(FileTokenStore::new(&path), move |_: &DevicePrompt| {
            prompted.fetch_add(1, Ordering::SeqCst);
        });
        let client = dataplat::biganimal::Client::with_device_login(&api.url, login);
        tasks.push(tokio::spawn(async move { client.authenticate().await }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let uses = uses.lock().unwrap().clone();
    let unique: std::collections::HashSet<_> = uses.iter().collect();
    assert_eq!(uses.len(), 4, "{uses:?}");
    assert_eq!(
        unique.len(),
        4,
        "each refresh token presented once: {uses:?}"
    );
    assert_eq!(
        prompted.load(Ordering::SeqCst),
        0,
        "nobody had to log in again"
    );
    assert_eq!(
        FileTokenStore::new(&path)
            .load()
            .unwrap()
            .unwrap()
            .expose_secret(),
        "rt-5"
    );
}

/// A store whose saves fail until `heal` is set.
struct FlakyStore {
    inner: MemoryTokenStore,
    heal: Arc<std::sync::atomic::AtomicBool>,
}

impl TokenStore for FlakyStore {
    fn load(&self) -> std::io::Result<Option<SecretString>> {
        self.inner.load()
    }
    fn save(&self, token: &SecretString) -> std::io::Result<()> {
        if self.heal.load(Ordering::SeqCst) {
            self.inner.save(token)
        } else {
            Err(std::io::Error::other("disk full"))
        }
    }
    fn location(&self) -> String {
        "/flaky/ba.token".into()
    }
}

#[tokio::test]
async fn a_rotated_token_that_cannot_be_saved_is_kept_and_saved_later() {
    let uses = Arc::new(Mutex::new(Vec::new()));
    let (api, _idp) = biganimal_with_idp(uses.clone()).await;
    let heal = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let store = FlakyStore {
        inner: MemoryTokenStore::with(secret("rt-1")),
        heal: heal.clone(),
    };
    let login = DeviceLogin::new(store, |_: &DevicePrompt| panic!("no new login needed"));
    let credential = login.credential(&api.url);
    let context = Context::new(&dataplat::biganimal::PROFILE);
    let cache = credential.token_cache().unwrap().clone();
    cache.token(&context).await.unwrap();
    // The save failed: the next refresh uses rt-2 from memory (rt-1 is spent).
    heal.store(true, Ordering::SeqCst);
    cache.invalidate("ba-token");
    cache.token(&context).await.unwrap();
    assert_eq!(*uses.lock().unwrap(), ["rt-1", "rt-2"]);
}

#[tokio::test]
async fn a_token_file_that_is_not_a_token_is_named_and_never_sent() {
    let uses = Arc::new(Mutex::new(Vec::new()));
    let (api, idp) = biganimal_with_idp(uses.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        ("binary.token", vec![0xff, 0xfe, 0x00, 0x41]),
        ("garbage.token", b"GET / HTTP/1.1\r\nHost: x\r\n".to_vec()),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let login = DeviceLogin::new(FileTokenStore::new(&path), |_: &DevicePrompt| {
            panic!("no prompt")
        });
        let err = dataplat::biganimal::Client::with_device_login(&api.url, login)
            .authenticate()
            .await
            .unwrap_err();
        assert_eq!(err.kind, AuthErrorKind::Store, "{err}");
        assert!(err.detail.contains(&path.display().to_string()), "{err}");
    }
    assert!(uses.lock().unwrap().is_empty(), "nothing reached the IdP");
    assert_eq!(idp.count(), 0);
}

// ---- Smaller ----

#[tokio::test]
async fn a_server_cycling_page_tokens_ends_the_stream_with_an_error() {
    use futures::TryStreamExt;
    let server = serve(|seen, _| {
        let next = if seen.target.contains("pageToken=A") {
            "B"
        } else {
            "A"
        };
        json(200, j!({"nextPageToken": next, "result": [{"syncToken": "s", "clusterId": "w", "name": "n", "cloudRegionId": "r", "catalogRefs": [], "batchCluster": false, "warpSpeedCluster": false, "minWorkers": 1, "maxWorkers": 1, "warpResiliencyEnabled": false}]}))
    })
    .await;
    let client = dataplat::galaxy::Client::with_context(
        &server.url,
        Context::new(&dataplat::galaxy::PROFILE).with_rate_limits(vec![]),
    );
    let started = Instant::now();
    let mut stream = client.list_cluster_stream(|b| b);
    let mut items = 0;
    let err = loop {
        match stream.try_next().await {
            Ok(Some(_)) => items += 1,
            Ok(None) => panic!("the stream ended quietly"),
            Err(e) => break e,
        }
    };
    assert!(
        err.to_string().contains("page cursor it had already sent"),
        "{err}"
    );
    assert_eq!(server.count(), 3, "A, B, then A again");
    assert_eq!(items, 3);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn an_acm_login_failure_says_what_the_server_said() {
    let server = serve(|_, _| {
        json(
            401,
            j!({"data": null, "error": "Invalid login or password"}),
        )
    })
    .await;
    let err = dataplat::acm::Client::with_password(&server.url, "ops", &secret("pw-1234"))
        .environment_list()
        .send()
        .await
        .unwrap_err();
    let shown = err.to_string();
    assert!(shown.contains("login failed (HTTP 401)"), "{shown}");
    assert!(shown.contains("Invalid login or password"), "{shown}");
}

#[tokio::test]
async fn the_device_flow_waits_one_interval_before_its_first_poll() {
    let code_issued = Arc::new(Mutex::new(None::<Instant>));
    let issued = code_issued.clone();
    let idp = serve(move |seen, _| {
        if seen.target.ends_with("/oauth/device/code") {
            *issued.lock().unwrap() = Some(seen.at);
            return json(200, j!({"device_code": "d", "user_code": "U-1", "verification_uri": "https://x/activate", "expires_in": 600, "interval": 2}));
        }
        json(200, j!({"access_token": "idp", "refresh_token": "rt-9", "expires_in": 3600, "token_type": "Bearer"}))
    })
    .await;
    let issuer = idp.url.clone();
    let api = serve(move |seen, _| {
        if seen.target.ends_with("/auth/provider") {
            json(
                200,
                j!({"clientId": "cli-1", "issuerUri": issuer, "scope": "openid"}),
            )
        } else {
            json(200, j!({"token": "ba"}))
        }
    })
    .await;
    let login = DeviceLogin::new(MemoryTokenStore::default(), |_: &DevicePrompt| {});
    dataplat::biganimal::Client::with_device_login(&api.url, login)
        .authenticate()
        .await
        .unwrap();
    let first_poll = idp
        .seen()
        .into_iter()
        .find(|s| s.target.ends_with("/oauth/token"))
        .unwrap()
        .at;
    let waited = first_poll - code_issued.lock().unwrap().unwrap();
    assert!(waited >= Duration::from_millis(1950), "{waited:?}");
}
