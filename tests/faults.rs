//! Fault injection: loopback servers that misbehave on purpose, counted server-side. One test
//! runs every scenario in order (they share a global tracing capture) and prints a table.
#![cfg(all(feature = "galaxy", feature = "acm"))]

mod common;

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use dataplat::core::{CallOptions, Context, Credential, Error, RetryPolicy};
use secrecy::SecretString;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const TOKEN: &str = "fault-suite-bearer-SECRET";
const PASSWORD: &str = "hunter2-fault-suite";

/// What the server does with the n-th request (the last entry repeats).
#[derive(Clone)]
enum Act {
    Respond {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    },
    /// Headers promising 100 bytes, 10 sent, then a TCP reset.
    Reset,
    /// Headers promising `declared` bytes, `sent` sent, then a clean close.
    Truncate { declared: usize, sent: usize },
    /// Wait, then answer 200.
    Slow(Duration),
}

fn json(status: u16, body: &str) -> Act {
    Act::Respond {
        status,
        headers: vec![("content-type", "application/json".into())],
        body: body.as_bytes().to_vec(),
    }
}

struct Server {
    url: String,
    seen: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(script: Vec<Act>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let counter = counter.clone();
            let script = script.clone();
            let base = url_of(&stream);
            tokio::spawn(async move { handle(stream, counter, script, base).await });
        }
    });
    Server { url, seen, task }
}

fn url_of(stream: &TcpStream) -> String {
    format!("http://{}", stream.local_addr().unwrap())
}

async fn handle(mut stream: TcpStream, counter: Arc<AtomicUsize>, script: Vec<Act>, base: String) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    // Read the head, then the body by content-length.
    let head_end = loop {
        let Ok(n) = stream.read(&mut chunk).await else {
            return;
        };
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| {
            l.strip_prefix("content-length:")
                .map(|v| v.trim().parse().unwrap_or(0))
        })
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let Ok(n) = stream.read(&mut chunk).await else {
            return;
        };
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let n = counter.fetch_add(1, Ordering::SeqCst);
    let act = script[n.min(script.len() - 1)].clone();
    let status_line = |s: u16| format!("HTTP/1.1 {s} X\r\nconnection: close\r\n");
    match act {
        Act::Respond {
            status,
            headers,
            body,
        } => {
            let mut out = status_line(status);
            for (k, v) in headers {
                out.push_str(&format!("{k}: {}\r\n", v.replace("{self}", &base)));
            }
            out.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
            let _ = stream.write_all(out.as_bytes()).await;
            let _ = stream.write_all(&body).await;
        }
        Act::Reset => {
            let _ = stream
                .write_all(
                    format!(
                        "{}content-length: 100\r\n\r\n{{\"result\":",
                        status_line(200)
                    )
                    .as_bytes(),
                )
                .await;
            let _ = stream.flush().await;
            // A zero linger turns the close into a TCP reset.
            #[allow(deprecated)]
            let _ = stream.set_linger(Some(Duration::ZERO));
            drop(stream);
            return;
        }
        Act::Truncate { declared, sent } => {
            let _ = stream
                .write_all(
                    format!("{}content-length: {declared}\r\n\r\n", status_line(200)).as_bytes(),
                )
                .await;
            let _ = stream.write_all(&vec![b' '; sent]).await;
        }
        Act::Slow(d) => {
            tokio::time::sleep(d).await;
            let _ = stream
                .write_all(format!("{}content-length: 2\r\n\r\n{{}}", status_line(200)).as_bytes())
                .await;
        }
    }
    let _ = stream.shutdown().await;
}

/// Fast retries so the suite stays quick; the schedule's shape is tested in unit tests.
fn policy(attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts: attempts,
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
        ..RetryPolicy::default()
    }
}

fn galaxy_context(attempts: u32) -> Context {
    Context::new(&dataplat::galaxy::PROFILE)
        .with_credential(Credential::bearer(&SecretString::from(TOKEN)))
        .with_rate_limits(Vec::new())
        .with_retry_policy(policy(attempts))
}

fn galaxy(url: &str, attempts: u32) -> dataplat::galaxy::Client {
    dataplat::galaxy::Client::with_context(url, galaxy_context(attempts))
}

fn acm(url: &str, attempts: u32) -> dataplat::acm::Client {
    let context = Context::new(&dataplat::acm::PROFILE)
        .with_credential(Credential::header(
            "x-auth-token".parse().unwrap(),
            &SecretString::from(TOKEN),
        ))
        .with_retry_policy(policy(attempts));
    dataplat::acm::Client::with_context(url, context)
}

async fn acm_login(
    c: &dataplat::acm::Client,
    options: CallOptions,
) -> Result<
    progenitor_client::ResponseValue<dataplat::acm::types::LoginResponse>,
    Error<dataplat::acm::types::AcmError>,
> {
    c.login()
        .body_map(|b| b.login(Some("ops".into())).password(Some(PASSWORD.into())))
        .with_options(options)
        .send()
        .await
}

const PAGE: &str = r#"{"nextPageToken":"","result":[]}"#;

/// The captured tracing output (TRACE level, all spans and events).
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct Row {
    scenario: &'static str,
    seen: usize,
    outcome: String,
}

fn outcome<T: std::fmt::Debug>(r: &Result<T, Error<impl std::fmt::Debug>>) -> String {
    match r {
        Ok(_) => "ok".into(),
        Err(Error::Status { status, .. }) => format!("Status {status}"),
        Err(Error::Transport { message, .. }) => {
            format!("Transport: {}", message.split(':').next().unwrap_or(""))
        }
        Err(Error::Decode { .. }) => "Decode".into(),
        Err(Error::Auth { .. }) => "Auth".into(),
        Err(Error::InvalidRequest { .. }) => "InvalidRequest".into(),
        Err(Error::Redirect { status, .. }) => format!("Redirect {status} (not followed)"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_injection_suite() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();
    let mut rows = Vec::new();
    let mut row = |scenario, seen, outcome: String| {
        rows.push(Row {
            scenario,
            seen,
            outcome,
        })
    };

    // 1. Connection refused: nothing listens; retried (never sent) until the budget ends.
    let port = {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let r = galaxy(&format!("http://127.0.0.1:{port}"), 3)
        .list_cluster()
        .send()
        .await;
    assert!(
        matches!(&r, Err(Error::Transport { message, .. }) if message.starts_with("could not connect")),
        "{r:?}"
    );
    row("connection refused (GET, 3 attempts)", 0, outcome(&r));

    // 2. Reset mid-response twice, then a good answer: an idempotent GET is retried.
    let s = serve(vec![Act::Reset, Act::Reset, json(200, PAGE)]).await;
    let r = galaxy(&s.url, 4).list_cluster().send().await;
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(s.seen.load(Ordering::SeqCst), 3);
    row("reset mid-response ×2, then 200 (GET)", 3, outcome(&r));

    // 3. 500 three times then 200: 500 is not a retryable status, so the first 500 is the answer.
    let s = serve(vec![
        json(500, r#"{"reason":"boom","metadata":{}}"#),
        json(500, "{}"),
        json(500, "{}"),
        json(200, PAGE),
    ])
    .await;
    let r = galaxy(&s.url, 4).list_cluster().send().await;
    assert!(
        matches!(&r, Err(Error::Status { status: 500, .. })),
        "{r:?}"
    );
    assert_eq!(s.seen.load(Ordering::SeqCst), 1);
    row("500×3 then 200 (GET; 500 not retried)", 1, outcome(&r));

    // 4. 503 with Retry-After in seconds: honoured.
    let s = serve(vec![
        Act::Respond {
            status: 503,
            headers: vec![("retry-after", "1".into())],
            body: b"busy".to_vec(),
        },
        json(200, PAGE),
    ])
    .await;
    let started = Instant::now();
    let r = galaxy(&s.url, 4).list_cluster().send().await;
    assert!(r.is_ok(), "{r:?}");
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!(s.seen.load(Ordering::SeqCst), 2);
    row(
        "503 + Retry-After: 1 (GET)",
        2,
        format!(
            "{} after {:.1} s",
            outcome(&r),
            started.elapsed().as_secs_f64()
        ),
    );

    // 5. 429 with Retry-After as an HTTP-date.
    let when = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2));
    let s = serve(vec![
        Act::Respond {
            status: 429,
            headers: vec![("retry-after", when)],
            body: vec![],
        },
        json(200, PAGE),
    ])
    .await;
    let started = Instant::now();
    let r = galaxy(&s.url, 4).list_cluster().send().await;
    assert!(r.is_ok(), "{r:?}");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!(s.seen.load(Ordering::SeqCst), 2);
    row(
        "429 + Retry-After: HTTP-date (GET)",
        2,
        format!(
            "{} after {:.1} s",
            outcome(&r),
            started.elapsed().as_secs_f64()
        ),
    );

    // 6. Slower than the per-attempt limit: each attempt times out, and is retried.
    let s = serve(vec![Act::Slow(Duration::from_secs(2))]).await;
    let opts = CallOptions {
        attempt_timeout: Some(Duration::from_millis(300)),
        ..Default::default()
    };
    let r = galaxy(&s.url, 2)
        .list_cluster()
        .with_options(opts)
        .send()
        .await;
    assert!(
        matches!(&r, Err(Error::Transport { message, .. }) if message.starts_with("timed out")),
        "{r:?}"
    );
    assert_eq!(s.seen.load(Ordering::SeqCst), 2);
    row(
        "slower than the 300 ms attempt limit (GET, 2 attempts)",
        2,
        outcome(&r),
    );

    // 7. Truncated body: retried, then reported as a cut-short body.
    let s = serve(vec![Act::Truncate {
        declared: 100,
        sent: 40,
    }])
    .await;
    let r = galaxy(&s.url, 2).list_cluster().send().await;
    assert!(matches!(&r, Err(Error::Transport { .. })), "{r:?}");
    assert_eq!(s.seen.load(Ordering::SeqCst), 2);
    row("truncated body (GET, 2 attempts)", 2, outcome(&r));

    // 8. Invalid JSON on 200: a decode error with the body's excerpt, no retry.
    let s = serve(vec![json(200, "{\"nextPageToken\": \"\", \"result\": [")]).await;
    let r = galaxy(&s.url, 4).list_cluster().send().await;
    assert!(
        matches!(&r, Err(Error::Decode { excerpt, .. }) if excerpt.contains("nextPageToken")),
        "{r:?}"
    );
    assert_eq!(s.seen.load(Ordering::SeqCst), 1);
    row("invalid JSON on 200", 1, outcome(&r));

    // 9. An HTML error page from a proxy (502): retried, then reported with a bounded excerpt.
    let html = format!(
        "<html><body><h1>502 Bad Gateway</h1>{}</body></html>",
        "<p>nginx</p>".repeat(200)
    );
    let s = serve(vec![Act::Respond {
        status: 502,
        headers: vec![("content-type", "text/html".into())],
        body: html.into_bytes(),
    }])
    .await;
    let r = galaxy(&s.url, 3).list_cluster().send().await;
    match &r {
        Err(Error::Status {
            status: 502,
            excerpt,
            body: None,
            ..
        }) => {
            assert!(
                excerpt.starts_with("<html><body><h1>502 Bad Gateway"),
                "{excerpt}"
            );
            assert!(excerpt.chars().count() <= dataplat::core::redact::EXCERPT_CHARS + 1);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.seen.load(Ordering::SeqCst), 3);
    row("HTML 502 page from a proxy (3 attempts)", 3, outcome(&r));

    // 10. ACM: HTTP 200 with an error in the envelope is an error.
    let s = serve(vec![json(
        200,
        r#"{"data": null, "error": "Environment not found"}"#,
    )])
    .await;
    let r = acm(&s.url, 4).environment_list().send().await;
    assert!(
        matches!(&r, Err(Error::Status { status: 200, excerpt, .. }) if excerpt.contains("Environment not found")),
        "{r:?}"
    );
    assert_eq!(s.seen.load(Ordering::SeqCst), 1);
    row("ACM 200 with an error envelope", 1, outcome(&r));

    // 11. A redirect loop: followed up to the limit, then the 3xx is the answer.
    let s = serve(vec![Act::Respond {
        status: 302,
        headers: vec![("location", "{self}/public/api/v1/cluster".into())],
        body: vec![],
    }])
    .await;
    let r = galaxy(&s.url, 4).list_cluster().send().await;
    assert!(
        matches!(&r, Err(Error::Status { status: 302, .. })),
        "{r:?}"
    );
    let seen = s.seen.load(Ordering::SeqCst);
    assert_eq!(
        seen, 11,
        "10 redirects followed, then the last 3xx returned"
    );
    row("redirect loop", seen, outcome(&r));

    // 12. A 50 MB body: read and decoded; with a 10 MB client limit, refused as too large.
    let big = format!(
        r#"{{"syncToken":"s","clusterId":"w-1","name":"{}","cloudRegionId":"r","catalogRefs":[],"batchCluster":false,"warpSpeedCluster":false,"minWorkers":1,"maxWorkers":1,"warpResiliencyEnabled":false}}"#,
        "n".repeat(50 * 1024 * 1024)
    );
    let s = serve(vec![json(200, &big)]).await;
    let r = galaxy(&s.url, 1)
        .get_cluster()
        .cluster_id("w-1")
        .send()
        .await;
    assert_eq!(
        r.as_ref().map(|c| c.name.len()).ok(),
        Some(50 * 1024 * 1024)
    );
    row("50 MB body", 1, format!("{} (50 MB decoded)", outcome(&r)));
    let small = dataplat::galaxy::Client::with_context(
        &s.url,
        Context::new(&dataplat::galaxy::PROFILE)
            .with_rate_limits(Vec::new())
            .with_max_body_bytes(10 * 1024 * 1024),
    );
    let r = small.get_cluster().cluster_id("w-1").send().await;
    assert!(
        matches!(&r, Err(Error::Decode { message, .. }) if message.contains("exceeds")),
        "{r:?}"
    );
    row(
        "50 MB body, 10 MB client limit",
        s.seen.load(Ordering::SeqCst) - 1,
        format!("{} (limit)", outcome(&r)),
    );

    // 13. A POST that gets 503 is not sent again; opted in, it is.
    let s = serve(vec![
        json(503, "{}"),
        json(200, r#"{"data":{"token":"t"}}"#),
    ])
    .await;
    let r = acm_login(&acm(&s.url, 4), CallOptions::default()).await;
    assert!(
        matches!(&r, Err(Error::Status { status: 503, .. })),
        "{r:?}"
    );
    assert_eq!(
        s.seen.load(Ordering::SeqCst),
        1,
        "a POST is never re-sent unasked"
    );
    row("POST gets 503 (not re-sent)", 1, outcome(&r));
    let s = serve(vec![
        json(503, "{}"),
        json(200, r#"{"data":{"token":"t"}}"#),
    ])
    .await;
    let opts = CallOptions {
        retry_non_idempotent: true,
        ..Default::default()
    };
    let r = acm_login(&acm(&s.url, 4), opts).await;
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(
        s.seen.load(Ordering::SeqCst),
        2,
        "opted in: re-sent once, and the second attempt succeeds"
    );
    row("POST gets 503, retry opted in", 2, outcome(&r));

    // 14. A total outage: 500 concurrent GETs against a server answering 503 to everything.
    // The client's retry budget stops the retries once the outage drains it, instead of
    // sending every call 4 times.
    let up = Arc::new(AtomicBool::new(false));
    let state = up.clone();
    let outage = common::hostile::serve(move |_, _| {
        if state.load(Ordering::SeqCst) {
            common::hostile::json(200, serde_json::json!({"nextPageToken": "", "result": []}))
        } else {
            common::hostile::text(503, "down")
        }
    })
    .await;
    // One context, so one retry budget, for every client made from it.
    let context = galaxy_context(4);
    let client = dataplat::galaxy::Client::with_context(&outage.url, context.clone());
    let calls: Vec<_> = (0..500)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.list_cluster().send().await.is_err() })
        })
        .collect();
    let mut failed = 0;
    for call in calls {
        failed += usize::from(call.await.unwrap());
    }
    let sent = outage.count();
    assert_eq!(failed, 500);
    assert!(
        sent as f64 <= 1.3 * 500.0,
        "{sent} requests for 500 calls in an outage"
    );
    row(
        "total outage: 500 concurrent GETs, all 503 (retry budget)",
        sent,
        format!("503 ×500; {:.2}× the calls", sent as f64 / 500.0),
    );
    // The service recovers: successes refill the budget, and a transient failure is retried
    // again.
    up.store(true, Ordering::SeqCst);
    for _ in 0..50 {
        client.list_cluster().send().await.unwrap();
    }
    let flaky = Arc::new(AtomicUsize::new(0));
    let n = flaky.clone();
    let blip = common::hostile::serve(move |_, _| {
        if n.fetch_add(1, Ordering::SeqCst) == 0 {
            common::hostile::text(503, "blip")
        } else {
            common::hostile::json(200, serde_json::json!({"nextPageToken": "", "result": []}))
        }
    })
    .await;
    let r = dataplat::galaxy::Client::with_context(&blip.url, context.clone())
        .list_cluster()
        .send()
        .await;
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(blip.count(), 2, "retried once the budget refilled");
    row(
        "after recovery (50 successes): one 503, then 200",
        blip.count(),
        format!("{} (retried)", outcome(&r)),
    );

    // Nothing secret in anything traced, at TRACE level, over the whole suite.
    let log = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("dataplat") && log.contains("retrying") && log.contains("request body"),
        "tracing captured"
    );
    // The call's span carries what the request path recorded: a POST's second attempt, the
    // final status and the time taken.
    let retried = log
        .lines()
        .find(|l| {
            l.contains("call succeeded") && l.contains("method=\"POST\"") && l.contains("attempt=2")
        })
        .unwrap_or_else(|| panic!("no POST that succeeded at attempt 2 in:\n{log}"));
    for field in ["api=", "operation=", "path=", "status=20", "elapsed_ms="] {
        assert!(retried.contains(field), "{field} missing from {retried}");
    }
    for secret in [TOKEN, PASSWORD] {
        assert!(!log.contains(secret), "{secret} appeared in tracing output");
    }
    assert!(
        log.contains("[redacted]"),
        "TRACE bodies are redacted, not dropped"
    );

    println!("\n{:<58} {:>9}  outcome", "scenario", "requests");
    for r in &rows {
        println!("{:<58} {:>9}  {}", r.scenario, r.seen, r.outcome);
    }
    println!(
        "tracing: {} bytes captured at TRACE, no secret in them",
        log.len()
    );
}
