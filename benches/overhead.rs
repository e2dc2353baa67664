//! Request overhead: the same GET (small JSON) and POST (1 KB body) through dataplat's Galaxy and
//! Airflow clients (auth hooks, retries, rate-limit check, tracing spans: the defaults) and as
//! the equivalent raw `reqwest` call decoding into the same generated type, against one
//! loopback server.
//!
//! criterion measures each variant; then interleaved runs (client and raw alternating in short
//! rounds, on one thread and on a multi-thread runtime) give the ratios that `cargo xtask
//! bench` reports, which machine noise affects less than separate runs. Results:
//! `target/dataplat-bench/overhead.json`. `DATAPLAT_BENCH_PROFILE` runs one variant alone for
//! an instruction count (`cargo xtask bench` uses callgrind); `DATAPLAT_BENCH_RATIOS_ONLY=1`
//! skips criterion and prints only the interleaved ratios (seconds instead of minutes).

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::Criterion;
use dataplat::SecretString;
use serde_json::json;

const TOKEN: &str = "bench-token";

fn answer() -> support::Answer {
    let cluster = serde_json::to_vec(&json!({
        "syncToken": "s", "clusterId": "w-1", "name": "analytics", "cloudRegionId": "aws-us-east1",
        "catalogRefs": ["c-1"], "idleStopMinutes": 15, "batchCluster": false, "warpSpeedCluster": true,
        "minWorkers": 1, "maxWorkers": 4, "warpResiliencyEnabled": false, "clusterState": "RUNNING"
    }))
    .unwrap();
    let tag = serde_json::to_vec(
        &json!({"syncToken": "s", "tagId": "t-1", "name": "pii", "color": "#ff0000"}),
    )
    .unwrap();
    let variable =
        serde_json::to_vec(&json!({"key": "k", "value": "v", "description": "d"})).unwrap();
    let token = serde_json::to_vec(
        &json!({"access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600}),
    )
    .unwrap();
    Arc::new(move |target: &str| {
        let body = if target.starts_with("/oauth") {
            token.clone()
        } else if target.starts_with("/public/api/v1/cluster") {
            cluster.clone()
        } else if target.starts_with("/public/api/v1/tag") {
            tag.clone()
        } else {
            variable.clone()
        };
        (200, body)
    })
}

struct Clients {
    galaxy: dataplat::galaxy::Client,
    airflow: dataplat::airflow::Client,
    raw: reqwest::Client,
    url: String,
}

async fn clients() -> Clients {
    let server = support::start(answer()).await;
    let credentials = dataplat::galaxy::GalaxyCredentials::new(
        &server.url,
        "bench",
        SecretString::from("bench-secret"),
    );
    // Galaxy's default rate limits protect the real service; here they would measure sleep.
    let galaxy = dataplat::galaxy::Client::with_context(
        &server.url,
        credentials.context().with_rate_limits(vec![]),
    );
    let airflow = dataplat::airflow::Client::with_password(
        &format!("{}/api/v1", server.url),
        "admin",
        &SecretString::from("admin"),
    );
    // The client dataplat built before its HTTP client became its own type: timeouts, proxy
    // matching, no redirects.
    dataplat::core::ensure_tls_provider();
    let raw = reqwest::Client::builder()
        .connect_timeout(dataplat::core::CONNECT_TIMEOUT)
        .timeout(dataplat::core::REQUEST_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // Warm the token and the connections.
    galaxy.get_cluster().cluster_id("w-1").send().await.unwrap();
    airflow
        .get_variable()
        .variable_key("k")
        .send()
        .await
        .unwrap();
    Clients {
        galaxy,
        airflow,
        raw,
        url: server.url,
    }
}

fn kilobyte() -> String {
    "x".repeat(1000)
}

/// The four operations, each as (dataplat, raw reqwest).
async fn galaxy_get(c: &Clients, raw: bool) {
    if raw {
        let r = c
            .raw
            .get(format!("{}/public/api/v1/cluster/w-1", c.url))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        let _: dataplat::galaxy::types::Cluster = r.json().await.unwrap();
    } else {
        c.galaxy
            .get_cluster()
            .cluster_id("w-1")
            .send()
            .await
            .unwrap();
    }
}

async fn galaxy_post(c: &Clients, raw: bool) {
    let body = dataplat::galaxy::types::NewTag {
        name: "pii".into(),
        color: "#ff0000".into(),
        description: Some(kilobyte()),
        extra: Default::default(),
    };
    if raw {
        let r = c
            .raw
            .post(format!("{}/public/api/v1/tag", c.url))
            .bearer_auth(TOKEN)
            .json(&body)
            .send()
            .await
            .unwrap();
        let _: dataplat::galaxy::types::Tag = r.json().await.unwrap();
    } else {
        c.galaxy.create_tag().body(body).send().await.unwrap();
    }
}

async fn airflow_get(c: &Clients, raw: bool) {
    if raw {
        let r = c
            .raw
            .get(format!("{}/api/v1/variables/k", c.url))
            .basic_auth("admin", Some("admin"))
            .send()
            .await
            .unwrap();
        let _: dataplat::airflow::types::Variable = r.json().await.unwrap();
    } else {
        c.airflow
            .get_variable()
            .variable_key("k")
            .send()
            .await
            .unwrap();
    }
}

async fn airflow_post(c: &Clients, raw: bool) {
    let body = dataplat::airflow::types::Variable {
        key: Some("k".into()),
        value: Some(kilobyte()),
        description: None,
        extra: Default::default(),
    };
    if raw {
        let r = c
            .raw
            .post(format!("{}/api/v1/variables", c.url))
            .basic_auth("admin", Some("admin"))
            .json(&body)
            .send()
            .await
            .unwrap();
        let _: dataplat::airflow::types::Variable = r.json().await.unwrap();
    } else {
        c.airflow.post_variables().body(body).send().await.unwrap();
    }
}

async fn call(name: &str, c: &Clients, raw: bool) {
    match name {
        "galaxy GET" => galaxy_get(c, raw).await,
        "galaxy POST 1 KB" => galaxy_post(c, raw).await,
        "airflow GET" => airflow_get(c, raw).await,
        _ => airflow_post(c, raw).await,
    }
}

const CASES: [&str; 4] = [
    "galaxy GET",
    "galaxy POST 1 KB",
    "airflow GET",
    "airflow POST 1 KB",
];

fn criterion_runs(rt: &tokio::runtime::Runtime, c: &Clients, quick: bool) {
    let mut criterion = Criterion::default()
        .configure_from_args()
        .warm_up_time(Duration::from_millis(if quick { 300 } else { 1000 }))
        .measurement_time(Duration::from_secs(if quick { 1 } else { 3 }));
    for case in CASES {
        let mut group = criterion.benchmark_group(case);
        for (label, raw) in [("dataplat", false), ("reqwest", true)] {
            group.bench_function(label, |b| b.to_async(rt).iter(|| call(case, c, raw)));
        }
        group.finish();
    }
}

/// The runtime a measurement runs on.
#[derive(Clone, Copy)]
enum Runtime {
    /// Client, server and connection tasks on one thread: what differs between the variants
    /// is CPU work alone, the precise measurement.
    OneThread,
    /// Two worker threads, as `#[tokio::main]` gives: handing work between threads adds a
    /// latency the client cannot change, and noise.
    MultiThread,
}

/// Client and raw alternate in short rounds (ABBA, so neither always goes first): long
/// enough for each variant to run warm, short enough that machine noise (another process, a
/// frequency change) falls on both alike. Returns, per case, the medians of the rounds'
/// per-call times (µs) of the client and of raw reqwest.
fn interleaved(runtime: Runtime, rounds: usize, per_round: usize) -> Vec<(String, f64, f64)> {
    let rt = match runtime {
        Runtime::OneThread => tokio::runtime::Builder::new_current_thread(),
        Runtime::MultiThread => {
            let mut b = tokio::runtime::Builder::new_multi_thread();
            b.worker_threads(2);
            b
        }
    }
    .enable_all()
    .build()
    .unwrap();
    let c = &rt.block_on(clients());
    let mut out = Vec::new();
    for case in CASES {
        let (mut client, mut raw) = (Vec::new(), Vec::new());
        for round in 0..rounds {
            let order = if round % 2 == 0 {
                [false, true]
            } else {
                [true, false]
            };
            for is_raw in order {
                let started = Instant::now();
                rt.block_on(async {
                    for _ in 0..per_round {
                        call(case, c, is_raw).await;
                    }
                });
                let us = started.elapsed().as_secs_f64() * 1e6 / per_round as f64;
                if is_raw {
                    raw.push(us)
                } else {
                    client.push(us)
                }
            }
        }
        out.push((case.to_string(), median(&mut client), median(&mut raw)));
    }
    out
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// `DATAPLAT_BENCH_PROFILE="<case>|<dataplat or reqwest>|<calls>"`: only that many calls of
/// one variant, on one thread, for a profiler or instruction counter (`perf stat`, callgrind).
fn profile(spec: &str) {
    let parts: Vec<&str> = spec.split('|').collect();
    let [case, variant, calls] = parts[..] else {
        panic!("DATAPLAT_BENCH_PROFILE={spec}: want <case>|<dataplat or reqwest>|<calls>");
    };
    let calls: usize = calls.parse().expect("a number of calls");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let c = clients().await;
        profiled_calls(case, &c, variant == "reqwest", calls).await;
    });
}

/// The calls alone, under a name a profiler can select (`callgrind --toggle-collect`): the
/// client's side of each request, without setup or the server's tasks.
#[inline(never)]
async fn profiled_calls(case: &str, c: &Clients, raw: bool, calls: usize) {
    for _ in 0..calls {
        call(case, c, raw).await;
    }
}

fn main() {
    if let Ok(spec) = std::env::var("DATAPLAT_BENCH_PROFILE") {
        return profile(&spec);
    }
    let quick = std::env::var_os("DATAPLAT_BENCH_QUICK").is_some();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let c = rt.block_on(clients());
    if std::env::var_os("DATAPLAT_BENCH_RATIOS_ONLY").is_none() {
        criterion_runs(&rt, &c, quick);
    }
    drop((c, rt));
    let rounds = if quick { 20 } else { 200 };
    let one = interleaved(Runtime::OneThread, rounds, 100);
    let multi = interleaved(Runtime::MultiThread, rounds / 2, 100);
    let mut json = Vec::new();
    for ((case, client, raw), (_, m_client, m_raw)) in one.iter().zip(&multi) {
        println!(
            "interleaved {case:<18} one thread: dataplat {client:6.1} µs  reqwest {raw:6.1} µs  ratio {:.3}   multi-thread: {m_client:6.1} µs vs {m_raw:6.1} µs  ratio {:.3}",
            client / raw,
            m_client / m_raw
        );
        json.push(json!({
            "case": case,
            "one_thread": {"dataplat_us": client, "reqwest_us": raw, "ratio": client / raw},
            "multi_thread": {"dataplat_us": m_client, "reqwest_us": m_raw, "ratio": m_client / m_raw},
        }));
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/dataplat-bench");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("overhead.json"),
        serde_json::to_string_pretty(&json).unwrap(),
    )
    .unwrap();
}
