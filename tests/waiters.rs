//! `wait_until_*` against loopback servers that walk through states: success, terminal
//! failure, transient errors on the way, timeout, a non-transient error, and cancellation.
#![cfg(all(
    feature = "galaxy",
    feature = "airflow",
    feature = "astra",
    feature = "acm",
    feature = "biganimal"
))]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use dataplat::core::{Progress, WaitError, WaitOptions};
use serde_json::{Value, json};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A server answering `answers` in order, then the last one forever.
async fn sequence(answers: Vec<ResponseTemplate>) -> MockServer {
    let server = MockServer::builder().start().await;
    let last = answers.last().cloned().expect("at least one answer");
    for answer in answers {
        Mock::given(method("GET"))
            .respond_with(answer)
            .up_to_n_times(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .respond_with(last)
        .mount(&server)
        .await;
    server
}

fn ok(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

/// Fast polling, and every progress report kept.
fn fast(timeout_ms: u64) -> (WaitOptions, Arc<Mutex<Vec<Progress>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let options = WaitOptions::new(Duration::from_millis(10), Duration::from_millis(timeout_ms))
        .on_progress(move |p| sink.lock().unwrap().push(p.clone()));
    (options, seen)
}

fn run(state: &str) -> Value {
    json!({"dag_id": "d", "dag_run_id": "r", "state": state})
}

#[tokio::test]
async fn airflow_run_success_reports_each_state_change() {
    let server = sequence(vec![
        ok(run("queued")),
        ok(run("queued")),
        ok(run("running")),
        ResponseTemplate::new(503),
        ok(run("success")),
    ])
    .await;
    // Without the core's own retries, the 503 reaches the waiter, which polls through it.
    let client = dataplat::airflow::Client::with_context(
        &server.uri(),
        dataplat::core::Context::new(&dataplat::airflow::PROFILE)
            .with_retry_policy(dataplat::core::RetryPolicy::none()),
    );
    let (options, seen) = fast(10_000);
    let done = client
        .wait_until_dag_run_succeeds("d", "r", options)
        .await
        .unwrap();
    assert_eq!(
        done.state,
        Some(dataplat::airflow::types::DagState::Success)
    );
    let seen = seen.lock().unwrap();
    let states: Vec<(&str, bool)> = seen.iter().map(|p| (p.state.as_str(), p.changed)).collect();
    assert_eq!(
        states,
        [
            ("queued", true),
            ("queued", false),
            ("running", true),
            ("unavailable (HTTP 503)", true),
            ("done", true)
        ]
    );
    assert!(seen.windows(2).all(|w| w[0].elapsed <= w[1].elapsed));
    assert_eq!(seen.last().unwrap().polls, 5);
}

#[tokio::test]
async fn airflow_failed_run_is_a_terminal_failure() {
    let server = sequence(vec![ok(run("running")), ok(run("failed"))]).await;
    let client = dataplat::airflow::Client::from_base_url(&server.uri());
    let err = client
        .wait_until_dag_run_succeeds("d", "r", fast(10_000).0)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, WaitError::Failed { state, .. } if state == "failed"),
        "{err}"
    );
}

#[tokio::test]
async fn a_wait_times_out_with_the_last_state() {
    let server = sequence(vec![ok(run("running"))]).await;
    let client = dataplat::airflow::Client::from_base_url(&server.uri());
    let err = client
        .wait_until_dag_run_succeeds("d", "r", fast(150).0)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, WaitError::Timeout { last_state, .. } if last_state == "running"),
        "{err}"
    );
}

#[tokio::test]
async fn a_non_transient_error_ends_the_wait() {
    let server = sequence(vec![
        ok(run("running")),
        ResponseTemplate::new(400)
            .set_body_json(json!({"title": "Bad", "status": 400, "type": "t", "detail": "no"})),
    ])
    .await;
    let client = dataplat::airflow::Client::from_base_url(&server.uri());
    let err = client
        .wait_until_dag_run_succeeds("d", "r", fast(10_000).0)
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            WaitError::Api {
                source: dataplat::core::Error::Status { status: 400, .. },
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn a_dropped_waiter_stops_polling() {
    let server = sequence(vec![ok(run("running"))]).await;
    let client = dataplat::airflow::Client::from_base_url(&server.uri());
    let waiting = client.wait_until_dag_run_succeeds("d", "r", fast(60_000).0);
    assert!(
        tokio::time::timeout(Duration::from_millis(100), waiting)
            .await
            .is_err()
    );
    let polled = server.received_requests().await.unwrap().len();
    assert!(polled >= 1);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        polled,
        "no poll after the drop"
    );
}

fn database(status: &str) -> Value {
    json!({"id": "db-1", "orgId": "o", "ownerId": "u", "info": {}, "status": status})
}

#[tokio::test]
async fn astra_rides_out_404_null_and_504_right_after_create() {
    let server = sequence(vec![
        ResponseTemplate::new(404),
        ok(Value::Null),
        ResponseTemplate::new(504),
        ok(database("PENDING")),
        ok(database("INITIALIZING")),
        ok(database("ACTIVE")),
    ])
    .await;
    let client = dataplat::astra::Client::with_context(
        &server.uri(),
        dataplat::core::Context::new(&dataplat::astra::PROFILE)
            .with_retry_policy(dataplat::core::RetryPolicy::none()),
    );
    let (options, seen) = fast(10_000);
    let db = client
        .wait_until_database_active("db-1", options)
        .await
        .unwrap();
    assert_eq!(db.status.0, "ACTIVE");
    let states: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|p| p.state.clone())
        .collect();
    assert_eq!(
        states,
        [
            "unavailable (HTTP 404)",
            "unavailable (unreadable answer)",
            "unavailable (HTTP 504)",
            "PENDING",
            "INITIALIZING",
            "done"
        ]
    );
}

#[tokio::test]
async fn astra_terminated_is_a_terminal_failure() {
    let server = sequence(vec![ok(database("PENDING")), ok(database("TERMINATED"))]).await;
    let client = dataplat::astra::Client::from_base_url(&server.uri());
    let err = client
        .wait_until_database_active("db-1", fast(10_000).0)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, WaitError::Failed { state, .. } if state == "TERMINATED"),
        "{err}"
    );
}

#[tokio::test]
async fn galaxy_cluster_reaches_running_and_stopped() {
    let cluster = |state: &str| {
        ok(
            json!({"syncToken": "s", "clusterId": "w-1", "name": "n", "cloudRegionId": "r",
            "catalogRefs": [], "batchCluster": false, "warpSpeedCluster": false, "minWorkers": 1,
            "maxWorkers": 1, "warpResiliencyEnabled": false, "clusterState": state}),
        )
    };
    let server = sequence(vec![cluster("STARTING"), cluster("Running")]).await;
    let client = dataplat::galaxy::Client::with_context(
        &server.uri(),
        dataplat::core::Context::new(&dataplat::galaxy::PROFILE).with_rate_limits(vec![]),
    );
    let c = client
        .wait_until_cluster_running("w-1", fast(10_000).0)
        .await
        .unwrap();
    assert_eq!(
        c.cluster_state.as_deref(),
        Some("Running"),
        "states compare case-insensitively"
    );

    let server = sequence(vec![cluster("STOPPING"), cluster("STOPPED")]).await;
    let client = dataplat::galaxy::Client::with_context(
        &server.uri(),
        dataplat::core::Context::new(&dataplat::galaxy::PROFILE).with_rate_limits(vec![]),
    );
    client
        .wait_until_cluster_stopped("w-1", fast(10_000).0)
        .await
        .unwrap();
}

#[tokio::test]
async fn acm_cluster_launched_and_running() {
    let server = sequence(vec![
        ok(json!({"data": {"id": 42, "status": "launching"}})),
        ok(json!({"data": {"id": "42", "status": "online"}})),
    ])
    .await;
    let client = dataplat::acm::Client::from_base_url(&server.uri());
    let c = client
        .wait_until_cluster_running(42, fast(10_000).0)
        .await
        .unwrap();
    assert_eq!(c.status.map(|s| s.0).as_deref(), Some("online"));
}

#[tokio::test]
async fn biganimal_cluster_becomes_healthy() {
    let cluster = |phase: &str, deployed: &str| {
        ok(json!({"data": {"clusterId": "p-1", "phase": phase,
            "conditions": [{"type": "biganimal.com/deployed", "conditionStatus": deployed}]}}))
    };
    let server = sequence(vec![
        cluster("Cluster creation request received", "False"),
        // Healthy phase before the deployed condition flips: not done yet.
        cluster("Cluster in healthy state", "False"),
        cluster("Cluster in healthy state", "True"),
    ])
    .await;
    let client = dataplat::biganimal::Client::from_base_url(&server.uri());
    let (options, seen) = fast(10_000);
    let c = client
        .wait_until_cluster_healthy("prj_1", "p-1", options)
        .await
        .unwrap();
    assert!(c.is_healthy());
    assert_eq!(seen.lock().unwrap().len(), 3);
}
