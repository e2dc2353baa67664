//! Safe at the boundary: hostile loopback servers that redirect, echo and lie, and callers
//! that pass what they should not, against the promises the README makes. One test runs every
//! attack in order (they share a global tracing capture) and prints a table: the attack, the
//! requests each server (origin) saw, and the outcome.
#![cfg(all(
    feature = "galaxy",
    feature = "acm",
    feature = "airflow",
    feature = "airflow3",
    feature = "astra",
    feature = "biganimal"
))]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::hostile::{Act, TestCa, closed_port, json, redirect, serve, serve_tls, text};
use dataplat::core::{Context, Credential, Error};
use secrecy::SecretString;
use serde_json::json as j;

const TOKEN: &str = "boundary-bearer-TOKEN-77";
const PASSWORD: &str = "hunter2-boundary-pw";
const ACCESS_KEY: &str = "ba-access-key-0123456789";
const SESSION: &str = "acm-session-token-31337";
const CLIENT_SECRET: &str = "galaxy-client-secret-xyz";
const DB_PASSWORD: &str = "Db-Admin-Pass-4242";

fn secret(s: &str) -> SecretString {
    SecretString::from(s.to_string())
}

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
    attack: String,
    seen: String,
    outcome: String,
}

fn outcome<T, E: std::fmt::Debug>(r: &Result<T, Error<E>>) -> String {
    match r {
        Ok(_) => "ok".into(),
        Err(Error::Status { status, .. }) => format!("Status {status}"),
        Err(Error::Transport { message, .. }) => {
            format!("Transport ({})", message.split(':').next().unwrap_or(""))
        }
        Err(Error::Decode { .. }) => "Decode".into(),
        Err(Error::Auth { source, .. }) => format!("Auth ({})", source.step),
        Err(Error::InvalidRequest { .. }) => "InvalidRequest".into(),
        Err(Error::Redirect { status, .. }) => format!("Redirect {status} not followed"),
    }
}

fn galaxy_bearer(url: &str) -> dataplat::galaxy::Client {
    let context = Context::new(&dataplat::galaxy::PROFILE)
        .with_credential(Credential::bearer(&secret(TOKEN)))
        .with_rate_limits(Vec::new());
    dataplat::galaxy::Client::with_context(url, context)
}

fn new_role() -> dataplat::galaxy::types::NewRole {
    dataplat::galaxy::types::NewRole::builder()
        .role_name("analysts")
        .grant_to_creating_role(true)
        .try_into()
        .unwrap()
}

/// The header a request carried its credential in, as the server saw it.
fn credential_header(seen: &common::hostile::Seen) -> String {
    ["authorization", "x-auth-token", "x-access-key"]
        .iter()
        .find_map(|h| seen.header(h))
        .unwrap_or("")
        .to_string()
}

/// A server that answers every request with a 500 echoing its credential header, in the form
/// the n-th request picks: a JSON member named like the header, a JSON `detail`, plain text.
async fn echo_server(
    extra: impl Fn(&common::hostile::Seen) -> Option<Act> + Send + Sync + 'static,
) -> common::hostile::Hostile {
    serve(move |seen, n| {
        if let Some(act) = extra(seen) {
            return act;
        }
        let value = credential_header(seen);
        match n % 3 {
            0 => json(500, j!({"Authorization": value, "x-auth-token": value})),
            1 => json(500, j!({"detail": format!("bad header: {value}")})),
            _ => text(500, &format!("request header was {value}")),
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boundary_suite() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();
    let mut rows: Vec<Row> = Vec::new();
    let mut row = |attack: &str, seen: String, outcome: String| {
        rows.push(Row {
            attack: attack.into(),
            seen,
            outcome,
        })
    };
    // Every error text, Debug output and log line, to search for secrets at the end.
    let mut said: Vec<String> = Vec::new();

    // 1. Path parameters that would address another resource: refused before anything is
    // sent, on every API.
    let s = serve(|_, _| json(204, j!({}))).await;
    let base = s.url.clone();
    let mut refused = 0;
    for bad in ["..", ".", ""] {
        let airflow = dataplat::airflow::Client::with_password(
            &format!("{base}/api/v1"),
            "admin",
            &secret(PASSWORD),
        );
        let airflow3 = dataplat::airflow3::Client::with_bearer_token(&base, &secret(TOKEN));
        let galaxy = galaxy_bearer(&base);
        let biganimal = dataplat::biganimal::Client::with_api_key(&base, &secret(ACCESS_KEY));
        let astra = dataplat::astra::Client::with_token(
            &base,
            &secret(TOKEN),
            dataplat::astra::TokenFormat::Any,
        )
        .unwrap();
        let acm = dataplat::acm::Client::with_api_key(&base, &secret(SESSION));
        let results = [
            airflow
                .delete_dag_run()
                .dag_id("prod_etl")
                .dag_run_id(bad)
                .send()
                .await
                .map(|_| ())
                .map_err(Error::untyped),
            airflow3
                .delete_dag_run()
                .dag_id("prod_etl")
                .dag_run_id(bad)
                .send()
                .await
                .map(|_| ())
                .map_err(Error::untyped),
            galaxy
                .delete_cluster()
                .cluster_id(bad)
                .send()
                .await
                .map(|_| ())
                .map_err(Error::untyped),
            biganimal
                .delete_cluster()
                .project_id("prj_1")
                .cluster_id(bad)
                .send()
                .await
                .map(|_| ())
                .map_err(Error::untyped),
            astra
                .terminate_database()
                .database_id(bad)
                .send()
                .await
                .map(|_| ())
                .map_err(Error::untyped),
            acm.cluster_remove()
                .id(7)
                .terminate(bad)
                .send()
                .await
                .map(|_| ())
                .map_err(Error::untyped),
        ];
        for r in results {
            match &r {
                Err(Error::InvalidRequest { message, .. }) => {
                    assert!(message.contains("path parameter"), "{message}");
                    refused += 1;
                }
                other => panic!("{bad:?} was not refused: {other:?}"),
            }
        }
    }
    assert_eq!(s.count(), 0, "nothing was sent for any of them");
    row(
        "path parameter `..`, `.` or empty (6 APIs × 3 values)",
        format!("A:{}", s.count()),
        format!("InvalidRequest ×{refused}"),
    );
    // A backslash would climb a level too (the URL standard reads it as `/`): encoded.
    let airflow = dataplat::airflow::Client::with_password(
        &format!("{base}/api/v1"),
        "admin",
        &secret(PASSWORD),
    );
    let r = airflow
        .delete_dag_run()
        .dag_id("prod_etl")
        .dag_run_id("..\\x")
        .send()
        .await;
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(
        s.seen()[0].target,
        "/api/v1/dags/prod_etl/dagRuns/..%5Cx",
        "one segment"
    );
    row(
        "path parameter `..\\x` (backslash)",
        format!("A:{} (…/dagRuns/..%5Cx)", s.count()),
        outcome(&r),
    );
    // A parameter longer than the room the URL's string is sized for, full of characters that
    // would end the segment or the path: the string grows, and it stays one segment.
    let long = format!("{}/../?x=1#f%2F", "a".repeat(300));
    let r = airflow
        .delete_dag_run()
        .dag_id("prod_etl")
        .dag_run_id(&long)
        .send()
        .await;
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(
        s.seen()[1].target,
        format!(
            "/api/v1/dags/prod_etl/dagRuns/{}%2F..%2F%3Fx=1%23f%252F",
            "a".repeat(300)
        ),
        "one segment, every byte of it"
    );
    row(
        "path parameter of 311 bytes with `/../?#%`",
        format!("A:{} (…/dagRuns/aaa…%2F..%2F%3Fx=1%23f%252F)", s.count()),
        outcome(&r),
    );

    // 2. A POST whose 303 leads to a closed port: the POST got an answer, so it is not sent
    // again; a GET is retried.
    let dead = format!("http://127.0.0.1:{}/gone", closed_port());
    let target = dead.clone();
    let s = serve(move |_, _| redirect(303, &target)).await;
    let r = galaxy_bearer(&s.url)
        .create_role()
        .body(new_role())
        .send()
        .await;
    assert!(matches!(&r, Err(Error::Transport { .. })), "{r:?}");
    assert_eq!(s.count(), 1, "the POST was sent once");
    row(
        "POST → 303 → connection refused",
        format!("A:{}", s.count()),
        format!("{} (not re-sent)", outcome(&r)),
    );
    let r = galaxy_bearer(&s.url).list_cluster().send().await;
    assert!(s.count() > 2, "a GET may be repeated");
    row(
        "GET → 303 → connection refused",
        format!("A:{}", s.count() - 1),
        format!("{} (retried)", outcome(&r)),
    );

    // 3. Bodies with secrets answered by 307/308 to another origin: not followed.
    let b = serve(|_, _| json(200, j!({"data": {"token": "stolen"}}))).await;
    let to = format!("{}/login", b.url);
    let a = serve(move |_, _| redirect(307, &to)).await;
    let acm = dataplat::acm::Client::with_password(&a.url, "ops@example.com", &secret(PASSWORD));
    let r = acm.environment_list().send().await;
    match &r {
        Err(Error::Auth { source, .. }) => {
            assert!(source.detail.contains("not followed"), "{source}");
            assert!(source.detail.contains(&b.url), "names the target: {source}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(b.count(), 0, "the password never reached the other origin");
    said.push(format!("{r:?}"));
    row(
        "ACM login POST → 307 to another origin",
        format!("A:{} B:{}", a.count(), b.count()),
        outcome(&r),
    );

    let to = format!("{}/projects/prj_1/clusters", b.url);
    let a = serve(move |_, _| redirect(308, &to)).await;
    let ba = dataplat::biganimal::Client::with_api_key(&a.url, &secret(ACCESS_KEY));
    let body = dataplat::biganimal::types::ClusterRequest::builder()
        .cluster_name(Some("orders".to_string()))
        .password(Some(DB_PASSWORD.to_string()));
    let r = ba
        .create_cluster()
        .project_id("prj_1")
        .body(body)
        .send()
        .await;
    match &r {
        Err(Error::Redirect {
            status: 308,
            location,
            reason,
            ..
        }) => {
            assert!(location.starts_with(&b.url), "{location}");
            assert!(reason.contains("another origin"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        b.count(),
        0,
        "the admin password never reached the other origin"
    );
    said.push(format!("{r:?}"));
    said.push(r.as_ref().err().unwrap().to_string());
    row(
        "BigAnimal create_cluster → 308 to another origin",
        format!("A:{} B:{}", a.count(), b.count()),
        outcome(&r),
    );
    // Same origin: followed, body and all.
    let a = serve(|seen, _| {
        if seen.target.ends_with("/moved") {
            json(202, j!({"data": {"clusterId": "p-1"}}))
        } else {
            redirect(307, "/projects/prj_1/moved")
        }
    })
    .await;
    let ba = dataplat::biganimal::Client::with_api_key(&a.url, &secret(ACCESS_KEY));
    let body = dataplat::biganimal::types::ClusterRequest::builder()
        .cluster_name(Some("orders".to_string()));
    let r = ba
        .create_cluster()
        .project_id("prj_1")
        .body(body)
        .send()
        .await;
    let seen = a.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(
        seen[1].body, seen[0].body,
        "the body went along, same origin"
    );
    row(
        "create_cluster → 307 on the same origin",
        format!("A:{}", seen.len()),
        format!("{} (followed with its body)", outcome(&r)),
    );

    // 4. https → http: never followed, whatever the request carries.
    let ca = TestCa::new();
    let plain = serve(|_, _| json(200, j!({"nextPageToken": "", "result": []}))).await;
    let to = format!("{}/public/api/v1/cluster", plain.url);
    let tls = serve_tls(&ca, move |_, _| redirect(302, &to)).await;
    let context = Context::new(&dataplat::galaxy::PROFILE)
        .with_http_client(ca.http_client())
        .with_credential(Credential::bearer(&secret(TOKEN)))
        .with_rate_limits(Vec::new());
    let r = dataplat::galaxy::Client::with_context(&tls.url, context)
        .list_cluster()
        .send()
        .await;
    assert!(
        matches!(&r, Err(Error::Redirect { reason, .. }) if reason.contains("https to plain http")),
        "{r:?}"
    );
    assert_eq!(plain.count(), 0);
    row(
        "GET over https → 302 to plain http",
        format!("TLS:{} http:{}", tls.count(), plain.count()),
        outcome(&r),
    );
    // A token request is a secret on every hop: its redirect to plain http elsewhere is
    // refused before any connection.
    let a = serve(|_, _| redirect(302, "http://10.255.255.1/oauth/v2/token")).await;
    let creds = dataplat::galaxy::GalaxyCredentials::new(&a.url, "svc-1", secret(CLIENT_SECRET));
    let started = Instant::now();
    let r =
        dataplat::galaxy::Client::with_context(&a.url, creds.context().with_rate_limits(vec![]))
            .list_cluster()
            .send()
            .await;
    match &r {
        Err(Error::Auth { source, .. }) => {
            assert!(
                source.detail.contains("plain http:// to 10.255.255.1"),
                "{source}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "no connection was tried"
    );
    said.push(format!("{r:?}"));
    row(
        "Galaxy token POST → 302 to http://10.255.255.1",
        format!("A:{} 10.255.255.1:0", a.count()),
        outcome(&r),
    );
    // A login client holds no credential, but its request carries a password: checked too.
    let r = dataplat::acm::Client::with_password(
        "http://acm.example.invalid/api",
        "ops",
        &secret(PASSWORD),
    )
    .environment_list()
    .send()
    .await;
    assert!(
        matches!(&r, Err(Error::Auth { source, .. }) if source.detail.contains("plain http://")),
        "{r:?}"
    );
    row(
        "ACM login to http://acm.example.invalid",
        "none".into(),
        outcome(&r),
    );

    // 5. The generated constructor goes through the core: a cross-origin redirect loses the
    // credential (reqwest's own policy keeps x-access-key), and https works at once.
    let b = serve(|_, _| json(200, j!({"data": []}))).await;
    let to = format!("{}/projects", b.url);
    let a = serve(move |_, _| redirect(302, &to)).await;
    let context = Context::new(&dataplat::biganimal::PROFILE)
        .with_credential(dataplat::biganimal::auth::access_key(&secret(ACCESS_KEY)));
    let r = dataplat::biganimal::Client::new(&a.url, context)
        .list_projects()
        .send()
        .await;
    assert_eq!(b.count(), 1, "{r:?}");
    assert!(
        b.seen()[0].header("x-access-key").is_none(),
        "the key stayed home"
    );
    row(
        "Client::new + 302 to another origin",
        format!("A:{} B:{} (no x-access-key)", a.count(), b.count()),
        outcome(&r),
    );

    // 6. Secrets echoed by a server: redacted by value, whatever the body's format.
    let mut echoed = 0;
    let s = echo_server(|_| None).await;
    let airflow_basic = dataplat::airflow::Client::with_password(
        &format!("{}/api/v1", s.url),
        "admin",
        &secret(PASSWORD),
    );
    let astro =
        dataplat::airflow::Client::with_bearer_token(&format!("{}/api/v1", s.url), &secret(TOKEN));
    let ba = dataplat::biganimal::Client::with_api_key(&s.url, &secret(ACCESS_KEY));
    for _ in 0..3 {
        for r in [
            airflow_basic
                .get_variable()
                .variable_key("k")
                .send()
                .await
                .map(|_| ())
                .map_err(Error::untyped),
            astro
                .get_variable()
                .variable_key("k")
                .send()
                .await
                .map(|_| ())
                .map_err(Error::untyped),
            ba.list_projects()
                .send()
                .await
                .map(|_| ())
                .map_err(Error::untyped),
        ] {
            let e = r.unwrap_err();
            said.push(e.to_string());
            said.push(format!("{e:?}"));
            echoed += 1;
        }
    }
    // ACM: the session token from a login, echoed by the API.
    let acm_server = echo_server(|seen| {
        (seen.target == "/login")
            .then(|| json(200, j!({"data": {"token": SESSION}, "error": null})))
    })
    .await;
    let acm = dataplat::acm::Client::with_password(&acm_server.url, "ops", &secret(PASSWORD));
    for _ in 0..3 {
        let e = acm.environment_list().send().await.unwrap_err();
        said.push(e.to_string());
        said.push(format!("{e:?}"));
        echoed += 1;
    }
    // Galaxy: the token endpoint echoes the Basic client secret; AuthError.detail is clean.
    let galaxy_server = echo_server(|_| None).await;
    let creds = dataplat::galaxy::GalaxyCredentials::new(
        &galaxy_server.url,
        "svc-1",
        secret(CLIENT_SECRET),
    );
    let galaxy = dataplat::galaxy::Client::with_context(
        &galaxy_server.url,
        creds.context().with_rate_limits(vec![]),
    );
    for _ in 0..3 {
        let e = galaxy.list_cluster().send().await.unwrap_err();
        if let Error::Auth { source, .. } = &e {
            said.push(source.detail.clone());
        }
        said.push(e.to_string());
        said.push(format!("{e:?}"));
        echoed += 1;
    }
    // BigAnimal: the database password sent in a body, echoed back as plain text.
    let s2 = serve(|seen, _| text(400, &format!("cannot create: {}", seen.body_text()))).await;
    let ba2 = dataplat::biganimal::Client::with_api_key(&s2.url, &secret(ACCESS_KEY));
    let body = dataplat::biganimal::types::ClusterRequest::builder()
        .cluster_name(Some("orders".to_string()))
        .password(Some(DB_PASSWORD.to_string()));
    let e = ba2
        .create_cluster()
        .project_id("prj_1")
        .body(body)
        .send()
        .await
        .unwrap_err();
    said.push(e.to_string());
    said.push(format!("{e:?}"));
    echoed += 1;
    row(
        "500s echoing Basic, Astro bearer, ACM session, BigAnimal key, Galaxy secret, DB password",
        format!("{} calls", echoed),
        "no secret in Display, Debug or logs".into(),
    );
    // What is not secret stays visible.
    let s = serve(|_, _| json(500, j!({"nextPageToken": "page-2", "syncToken": "s-9", "token_type": "bearer", "access_token": "real-secret-value"}))).await;
    let e = galaxy_bearer(&s.url)
        .list_cluster()
        .send()
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("page-2") && e.contains("s-9") && e.contains("bearer"),
        "{e}"
    );
    assert!(!e.contains("real-secret-value"), "{e}");
    row(
        "500 with nextPageToken, syncToken, token_type, access_token",
        format!("A:{}", s.count()),
        "paging members visible, access_token redacted".into(),
    );

    // 7. Terminal escapes from a text error body.
    let s = serve(|_, _| text(500, "boom \u{1b}]0;owned\u{7}\u{1b}[2J\u{1b}[31mred")).await;
    let e = galaxy_bearer(&s.url)
        .list_cluster()
        .send()
        .await
        .unwrap_err();
    let shown = e.to_string();
    assert!(!shown.chars().any(|c| c.is_control()), "{shown:?}");
    assert!(shown.contains("\\u{1b}"), "{shown}");
    said.push(shown);
    row(
        "500 text with ESC, BEL, OSC",
        format!("A:{}", s.count()),
        "escaped in Display and logs".into(),
    );

    // No secret anywhere: errors, Debug output, and everything traced at TRACE.
    let log = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("call failed"), "WARN events captured");
    assert!(!log.contains('\u{1b}'), "no raw ESC in the log");
    let basic = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(format!("admin:{PASSWORD}"))
    };
    let galaxy_basic = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(format!("svc-1:{CLIENT_SECRET}"))
    };
    for secret in [
        TOKEN,
        PASSWORD,
        ACCESS_KEY,
        SESSION,
        CLIENT_SECRET,
        DB_PASSWORD,
        &basic,
        &galaxy_basic,
    ] {
        assert!(!log.contains(secret), "{secret} in the log");
        for text in &said {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }

    println!("\n{:<78} {:<28} outcome", "attack", "requests seen");
    for r in &rows {
        println!("{:<78} {:<28} {}", r.attack, r.seen, r.outcome);
    }
}
