//! Request overhead against what a user would write by hand: the same calls through dataplat's
//! Airflow and Galaxy clients (auth hooks, retries, rate-limit check, tracing spans: the
//! defaults) and through a plain `reqwest::Client::new()` decoding into hand-written serde
//! structs (`support/handwritten.rs`), against one loopback server.
//!
//! Cases: a 100-DAG page of Airflow 2.11's shape (all three schedule kinds and null schedules,
//! tags, nulls; about 150 KB), a small call (`get_variable`), Galaxy's `get_cluster` and a
//! 1 KB `create_tag`. Each runs with one caller and with 8 concurrent callers.
//!
//! criterion measures each variant; then interleaved runs (client and raw alternating in short
//! rounds) give the time ratios that `cargo xtask bench` reports, which machine noise affects
//! less than separate runs. Results: `target/dataplat-bench/overhead.json`.
//! `DATAPLAT_BENCH_PROFILE="<case>|<dataplat or reqwest>|<calls>|<callers>"` runs one variant
//! alone on one thread for an instruction count (`cargo xtask bench` uses callgrind, counting
//! inside `Measured::poll`);
//! `DATAPLAT_BENCH_RATIOS_ONLY=1` skips criterion and prints only the interleaved ratios.

#[path = "support/handwritten.rs"]
mod handwritten;
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::Criterion;
use dataplat::SecretString;
use serde_json::{Value, json};

const TOKEN: &str = "bench-token";

/// The measured cases, as `cargo xtask bench` names them.
const CASES: [&str; 4] = [
    "airflow DAG page (100)",
    "airflow get_variable",
    "galaxy GET",
    "galaxy POST 1 KB",
];

/// Concurrent callers in the concurrent runs.
const CALLERS: usize = 8;

/// A page of 100 DAGs as Airflow 2.11 lists them: every schedule kind it sends (cron, preset,
/// timedelta, relativedelta with its null absolute members, null), zero to three tags, the
/// members a DAG that never ran leaves null.
fn dag_page() -> Value {
    let dags: Vec<Value> = (0..100)
        .map(|i| {
            let schedule = match i % 5 {
                0 => json!({"__type": "CronExpression", "value": "0 3 * * *"}),
                1 => json!({"__type": "CronExpression", "value": "@daily"}),
                2 => json!({"__type": "TimeDelta", "days": 0, "seconds": 21600, "microseconds": 0}),
                3 => json!({
                    "__type": "RelativeDelta", "years": 0, "months": 1, "days": 0, "leapdays": 0,
                    "hours": 0, "minutes": 0, "seconds": 0, "microseconds": 0, "year": null,
                    "month": null, "day": 1, "hour": null, "minute": null, "second": null,
                    "microsecond": null
                }),
                _ => Value::Null,
            };
            let never_ran = i % 7 == 0;
            let date = |hour: u32| {
                if never_ran {
                    Value::Null
                } else {
                    json!(format!("2024-03-{:02}T{hour:02}:00:00+00:00", 1 + i % 28))
                }
            };
            let tags: Vec<Value> = ["etl", "finance", "hourly"][..i % 4]
                .iter()
                .map(|t| json!({"name": t}))
                .collect();
            json!({
                "dag_id": format!("team_pipeline_{i:03}"),
                "dag_display_name": format!("team_pipeline_{i:03}"),
                "root_dag_id": null,
                "is_paused": i % 3 == 0,
                "is_active": true,
                "is_subdag": false,
                "last_parsed_time": "2024-03-28T09:14:07.123456+00:00",
                "last_pickled": null,
                "last_expired": null,
                "scheduler_lock": null,
                "pickle_id": null,
                "default_view": "grid",
                "fileloc": format!("/opt/airflow/dags/team/pipeline_{i:03}.py"),
                "file_token": format!(".eJzLz0tV0NfPy8_PS8kvSi0pLU0tKsnMz1MoS8wpTVWwUVDQ1wcAgrUNvQ.{i:03}Zq8Kx2bUdp1Y-hd4mNQXb8a2tqE"),
                "owners": ["data-platform", "airflow"],
                "description": if i % 4 == 0 { Value::Null } else { json!(format!("Loads the team's daily extracts into the warehouse and rebuilds the marts that depend on them (pipeline {i}).")) },
                "schedule_interval": schedule,
                "timetable_description": if i % 5 == 4 { Value::Null } else { json!("At 03:00") },
                "tags": tags,
                "max_active_tasks": 16,
                "max_active_runs": 1,
                "max_consecutive_failed_dag_runs": 0,
                "has_task_concurrency_limits": false,
                "has_import_errors": false,
                "next_dagrun": date(3),
                "next_dagrun_data_interval_start": date(3),
                "next_dagrun_data_interval_end": date(4),
                "next_dagrun_create_after": date(4),
            })
        })
        .collect();
    json!({"dags": dags, "total_entries": 100})
}

fn answer() -> support::Answer {
    let page = serde_json::to_vec(&dag_page()).unwrap();
    let cluster = serde_json::to_vec(&json!({
        "syncToken": "s", "clusterId": "w-1", "name": "analytics", "cloudRegionId": "aws-us-east1",
        "catalogRefs": ["c-1"], "idleStopMinutes": 15, "batchCluster": false, "warpSpeedCluster": true,
        "minWorkers": 1, "maxWorkers": 4, "warpResiliencyEnabled": false, "clusterState": "RUNNING"
    }))
    .unwrap();
    let tag = serde_json::to_vec(&json!({
        "syncToken": "s", "tagId": "t-1", "name": "pii", "color": "#ff0000", "description": "d"
    }))
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
        } else if target.starts_with("/api/v1/dags") {
            page.clone()
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
    /// What a user writes: the default client (rustls set up as dataplat's TLS feature does).
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
    dataplat::core::ensure_tls_provider();
    let raw = reqwest::Client::new();
    let c = Clients {
        galaxy,
        airflow,
        raw,
        url: server.url,
    };
    // Warm the token and the connections, and check that both variants decode every case.
    for case in CASES {
        call(case, &c, false).await;
        call(case, &c, true).await;
    }
    c
}

fn kilobyte() -> String {
    "x".repeat(1000)
}

async fn dag_page_call(c: &Clients, raw: bool) {
    if raw {
        let r = c
            .raw
            .get(format!("{}/api/v1/dags", c.url))
            .query(&[("limit", "100")])
            .basic_auth("admin", Some("admin"))
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap();
        let page: handwritten::DagCollection = r.json().await.unwrap();
        assert_eq!(page.dags.len(), 100);
    } else {
        let page = c.airflow.get_dags().limit(100).send().await.unwrap();
        assert_eq!(page.dags.len(), 100);
    }
}

async fn get_variable(c: &Clients, raw: bool) {
    if raw {
        let r = c
            .raw
            .get(format!("{}/api/v1/variables/k", c.url))
            .basic_auth("admin", Some("admin"))
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap();
        let _: handwritten::Variable = r.json().await.unwrap();
    } else {
        c.airflow
            .get_variable()
            .variable_key("k")
            .send()
            .await
            .unwrap();
    }
}

async fn galaxy_get(c: &Clients, raw: bool) {
    if raw {
        let r = c
            .raw
            .get(format!("{}/public/api/v1/cluster/w-1", c.url))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap();
        let _: handwritten::Cluster = r.json().await.unwrap();
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
    if raw {
        let body = handwritten::NewTag {
            name: "pii".into(),
            color: "#ff0000".into(),
            description: Some(kilobyte()),
        };
        let r = c
            .raw
            .post(format!("{}/public/api/v1/tag", c.url))
            .bearer_auth(TOKEN)
            .json(&body)
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap();
        let _: handwritten::GalaxyTag = r.json().await.unwrap();
    } else {
        let body = dataplat::galaxy::types::NewTag {
            name: "pii".into(),
            color: "#ff0000".into(),
            description: Some(kilobyte()),
            extra: Default::default(),
        };
        c.galaxy.create_tag().body(body).send().await.unwrap();
    }
}

async fn call(name: &str, c: &Clients, raw: bool) {
    match name {
        "airflow DAG page (100)" => dag_page_call(c, raw).await,
        "airflow get_variable" => get_variable(c, raw).await,
        "galaxy GET" => galaxy_get(c, raw).await,
        _ => galaxy_post(c, raw).await,
    }
}

/// `calls` calls shared by `callers` concurrent callers.
async fn calls(name: &str, c: &Clients, raw: bool, calls: usize, callers: usize) {
    futures::future::join_all((0..callers).map(|_| async move {
        for _ in 0..calls / callers {
            Measured(Box::pin(call(name, c, raw))).await;
        }
    }))
    .await;
}

/// A call's future, polled through one function that is never inlined, so that callgrind
/// (`--toggle-collect=*Measured*poll*`) counts the client's side of the calls alone: not the
/// setup, the server's tasks or the loop around the calls.
struct Measured<F>(std::pin::Pin<Box<F>>);

impl<F: std::future::Future> std::future::Future for Measured<F> {
    type Output = F::Output;

    #[inline(never)]
    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<F::Output> {
        self.0.as_mut().poll(cx)
    }
}

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

/// How a measurement runs.
#[derive(Clone, Copy)]
enum Mode {
    /// One caller; client, server and connection tasks on one thread: what differs between
    /// the variants is CPU work alone, the precise measurement.
    OneThread,
    /// `CALLERS` concurrent callers on two worker threads, as `#[tokio::main]` gives on this
    /// machine: connection pool contention and hand-offs between threads included.
    Concurrent,
}

/// Client and raw alternate in short rounds (ABBA, so neither always goes first): long
/// enough for each variant to run warm, short enough that machine noise (another process, a
/// frequency change) falls on both alike. Returns, per case, the medians of the rounds'
/// per-call times (µs) of the client and of raw reqwest, and the median of the rounds' own
/// ratios (each round's client time over the raw time next to it).
///
/// The ratio is taken round by round because the machine's speed drifts between rounds (a
/// small call took anywhere from 50 to 70 µs within one minute on 2026-12-02): a ratio of
/// the two medians mixes rounds run at different speeds, and moved by ±4% from run to run of
/// the same binary, where the paired ratio compares times taken milliseconds apart. Both are
/// in `overhead.json`.
fn interleaved(mode: Mode, rounds: usize, per_round: usize) -> Vec<Timing> {
    let (rt, callers) = match mode {
        Mode::OneThread => (tokio::runtime::Builder::new_current_thread(), 1),
        Mode::Concurrent => {
            let mut b = tokio::runtime::Builder::new_multi_thread();
            b.worker_threads(2);
            (b, CALLERS)
        }
    };
    let rt = { rt }.enable_all().build().unwrap();
    let c = &rt.block_on(clients());
    let mut out = Vec::new();
    for case in CASES {
        // The page is ~50× the work of a small call: fewer of them per round.
        let per_round = if case.contains("page") {
            (per_round / 10).max(callers)
        } else {
            per_round
        };
        let (mut client, mut raw, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for round in 0..rounds {
            let order = if round % 2 == 0 {
                [false, true]
            } else {
                [true, false]
            };
            for is_raw in order {
                let started = Instant::now();
                rt.block_on(calls(case, c, is_raw, per_round, callers));
                let us = started.elapsed().as_secs_f64() * 1e6 / per_round as f64;
                if is_raw {
                    raw.push(us)
                } else {
                    client.push(us)
                }
            }
            ratios.push(client[round] / raw[round]);
        }
        out.push(Timing {
            case: case.to_string(),
            client: median(&mut client),
            raw: median(&mut raw),
            ratio: median(&mut ratios),
        });
    }
    out
}

/// One case's interleaved times: medians per call (µs) and the median of the rounds' ratios.
struct Timing {
    case: String,
    client: f64,
    raw: f64,
    ratio: f64,
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// `DATAPLAT_BENCH_PROFILE="<case>|<dataplat or reqwest>|<calls>|<callers>"`: only that many
/// calls of one variant, shared by that many concurrent callers on one thread, for a profiler
/// or instruction counter (`perf stat`, callgrind).
fn profile(spec: &str) {
    let parts: Vec<&str> = spec.split('|').collect();
    let [case, variant, n, callers] = parts[..] else {
        panic!(
            "DATAPLAT_BENCH_PROFILE={spec}: want <case>|<dataplat or reqwest>|<calls>|<callers>"
        );
    };
    assert!(
        CASES.contains(&case),
        "unknown case {case:?}; cases: {CASES:?}"
    );
    let n: usize = n.parse().expect("a number of calls");
    let callers: usize = callers.parse().expect("a number of callers");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let c = clients().await;
        profiled_calls(case, &c, variant == "reqwest", n, callers).await;
    });
}

/// The calls alone, under a name a profiler can select.
#[inline(never)]
async fn profiled_calls(case: &str, c: &Clients, raw: bool, n: usize, callers: usize) {
    calls(case, c, raw, n, callers).await;
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
    let one = interleaved(Mode::OneThread, rounds, 80);
    let concurrent = interleaved(Mode::Concurrent, rounds / 2, 80);
    let mut json = Vec::new();
    for (one, many) in one.iter().zip(&concurrent) {
        println!(
            "interleaved {:<24} one thread: dataplat {:7.1} µs  reqwest {:7.1} µs  ratio {:.3}   {CALLERS} callers: {:7.1} µs vs {:7.1} µs  ratio {:.3}",
            one.case, one.client, one.raw, one.ratio, many.client, many.raw, many.ratio
        );
        let entry = |t: &Timing| {
            json!({
                "dataplat_us": t.client,
                "reqwest_us": t.raw,
                "ratio": t.ratio,
                "ratio_of_medians": t.client / t.raw,
            })
        };
        let mut concurrent = entry(many);
        concurrent["callers"] = json!(CALLERS);
        json.push(json!({
            "case": one.case,
            "one_thread": entry(one),
            "concurrent": concurrent,
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
