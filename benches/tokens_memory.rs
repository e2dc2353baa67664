//! Token concurrency and pagination memory, measured (not micro-benchmarks):
//! - 1,000 concurrent Galaxy calls on an expired token: token requests made, and the time for
//!   all of them against the same 1,000 calls with a warm token;
//! - peak heap while streaming 100,000 Airflow variables in pages of 100, against collecting
//!   them all (a counting global allocator).
//!
//! Results: `target/dataplat-bench/tokens_memory.json`.

mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use dataplat::SecretString;
use dataplat::core::CollectItems;
use futures::StreamExt;
use serde_json::json;

/// Counts live heap bytes and their high-water mark.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Peak heap growth (bytes) while `f` runs, above what was live when it started.
async fn peak_during<F: std::future::Future<Output = usize>>(f: F) -> (usize, usize) {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let items = f.await;
    (PEAK.load(Ordering::Relaxed) - base, items)
}

const ITEMS: usize = 100_000;

fn airflow_pages() -> support::Answer {
    Arc::new(|target: &str| {
        let query: std::collections::HashMap<String, String> = target
            .split_once('?')
            .map(|(_, q)| {
                q.split('&')
                    .filter_map(|kv| kv.split_once('='))
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect()
            })
            .unwrap_or_default();
        let get = |k: &str, d: usize| query.get(k).and_then(|v| v.parse().ok()).unwrap_or(d);
        let (limit, offset) = (get("limit", 100).min(100), get("offset", 0));
        let end = (offset + limit).min(ITEMS);
        let variables: Vec<_> = (offset.min(end)..end)
            .map(|i| json!({"key": format!("variable-{i:06}"), "value": "a value of some length", "description": "d"}))
            .collect();
        (
            200,
            serde_json::to_vec(&json!({"variables": variables, "total_entries": ITEMS})).unwrap(),
        )
    })
}

fn galaxy_answers() -> support::Answer {
    let cluster = serde_json::to_vec(&json!({
        "syncToken": "s", "clusterId": "w-1", "name": "analytics", "cloudRegionId": "aws-us-east1",
        "catalogRefs": [], "batchCluster": false, "warpSpeedCluster": true,
        "minWorkers": 1, "maxWorkers": 4, "warpResiliencyEnabled": false
    }))
    .unwrap();
    Arc::new(move |target: &str| {
        if target.starts_with("/oauth") {
            // A token that is already expired when it arrives would loop; 1 h is plenty.
            let t = json!({"access_token": "fresh", "token_type": "Bearer", "expires_in": 3600});
            (200, serde_json::to_vec(&t).unwrap())
        } else {
            (200, cluster.clone())
        }
    })
}

async fn thousand_calls(client: &dataplat::galaxy::Client) -> std::time::Duration {
    let started = Instant::now();
    let calls = (0..1000).map(|_| client.get_cluster().cluster_id("w-1").send());
    let results = futures::future::join_all(calls).await;
    assert!(results.iter().all(|r| r.is_ok()));
    started.elapsed()
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let out = rt.block_on(async {
        // Token concurrency: a new client has no token, which is the same as an expired one:
        // every call needs a token before it can be sent.
        let server = support::start(galaxy_answers()).await;
        let credentials = dataplat::galaxy::GalaxyCredentials::new(
            &server.url,
            "bench",
            SecretString::from("bench-secret"),
        );
        let client = dataplat::galaxy::Client::with_context(
            &server.url,
            credentials.context().with_rate_limits(vec![]),
        );
        let cold = thousand_calls(&client).await;
        let token_requests = server.token_requests.load(Ordering::Relaxed);
        let warm = thousand_calls(&client).await;

        // Pagination memory.
        let server = support::start(airflow_pages()).await;
        let airflow = dataplat::airflow::Client::from_base_url(&server.url);
        let (stream_peak, streamed) = peak_during(async {
            let mut stream = airflow.get_variables_stream(|b| b);
            let mut n = 0;
            while let Some(v) = stream.next().await {
                v.unwrap();
                n += 1;
            }
            n
        })
        .await;
        let (collect_peak, collected) = peak_during(async {
            airflow
                .get_variables_stream(|b| b)
                .collect_items(None)
                .await
                .unwrap()
                .len()
        })
        .await;
        assert_eq!((streamed, collected), (ITEMS, ITEMS));
        json!({
            "token_requests": token_requests,
            "expired_token_ms": cold.as_secs_f64() * 1e3,
            "warm_token_ms": warm.as_secs_f64() * 1e3,
            "stream_peak_bytes": stream_peak,
            "collect_peak_bytes": collect_peak,
            "items": ITEMS,
        })
    });
    println!("{}", serde_json::to_string_pretty(&out).unwrap());
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/dataplat-bench");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("tokens_memory.json"),
        serde_json::to_string_pretty(&out).unwrap(),
    )
    .unwrap();
}
