//! End to end against a real Apache Airflow 3.3.2 (api-server with the simple auth manager,
//! scheduler, DAG processor) that `cargo xtask test` installs and starts (see
//! `xtask/src/airflow_server.rs`), the same scenarios as `live_airflow2.rs`.
//!
//! API calls go through Stoplight Prism's validating proxy (`prism proxy --errors`) of
//! `specs/airflow3/effective.json`, so a request or a real answer that the downgraded document
//! does not allow fails the test. The login (`POST /auth/token`) is not part of that document:
//! it goes straight to the server (`Client::with_password_at`), and the wrong-credential and
//! drift tests talk to the server directly too.
//!
//! Ignored by a plain `cargo test` (there is no server); `cargo xtask test` runs them with
//! `--ignored`, one at a time, with the servers' addresses in `DATAPLAT_AIRFLOW3_*`.
#![cfg(feature = "airflow3")]

use std::collections::BTreeSet;
use std::time::Duration;

use dataplat::SecretString;
use dataplat::airflow3::{Client, types};
use dataplat::core::{CollectItems, Error, WaitError, WaitOptions};
use serde_json::json;

mod live;
use live::var;

fn server_url() -> String {
    var("DATAPLAT_AIRFLOW3_URL")
}

fn password() -> SecretString {
    SecretString::from(var("DATAPLAT_AIRFLOW3_PASSWORD"))
}

/// API calls through the validating proxy, logging in at the real server's `/auth/token`.
fn client() -> Client {
    Client::with_password_at(
        &var("DATAPLAT_AIRFLOW3_PRISM_URL"),
        &format!("{}/auth/token", server_url()),
        &var("DATAPLAT_AIRFLOW3_USER"),
        &password(),
    )
}

#[tokio::test]
#[ignore = "needs the real Airflow 3 that `cargo xtask test` starts"]
async fn dags_list_get_pause_and_unpause() {
    let airflow = client();
    let page = airflow
        .get_dags()
        .tags(vec!["idle".to_string()])
        .send()
        .await
        .unwrap()
        .into_inner();
    let ids: BTreeSet<&str> = page.dags.iter().map(|d| d.dag_id.as_str()).collect();
    assert_eq!(ids.len(), 5, "{ids:?}");
    assert_eq!(page.total_entries, 5);

    let dag = airflow
        .get_dag()
        .dag_id("dataplat_idle_0")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(dag.dag_id, "dataplat_idle_0");
    assert_eq!(
        dag.timetable_summary, None,
        "schedule=None comes back as a null timetable summary"
    );

    for paused in [false, true] {
        let updated = airflow
            .patch_dag()
            .dag_id("dataplat_idle_0")
            .update_mask(vec!["is_paused".to_string()])
            .body(types::DagPatchBody { is_paused: paused })
            .send()
            .await
            .unwrap()
            .into_inner();
        assert_eq!(updated.is_paused, paused);
        let read = airflow
            .get_dag()
            .dag_id("dataplat_idle_0")
            .send()
            .await
            .unwrap()
            .into_inner();
        assert_eq!(read.is_paused, paused);
    }
    // Filtering by the state just set, through a boolean query parameter.
    let paused = airflow
        .get_dags()
        .tags(vec!["idle".to_string()])
        .paused(true)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(paused.dags.iter().all(|d| d.is_paused));
    assert!(paused.dags.iter().any(|d| d.dag_id == "dataplat_idle_0"));
}

/// Unpauses `dag_id` and triggers a run of it (Airflow 3 requires `logical_date`, null
/// allowed: the run is "now"), returning the run's id.
async fn trigger(airflow: &Client, dag_id: &str) -> String {
    airflow
        .patch_dag()
        .dag_id(dag_id)
        .update_mask(vec!["is_paused".to_string()])
        .body(types::DagPatchBody { is_paused: false })
        .send()
        .await
        .unwrap();
    let run = airflow
        .trigger_dag_run()
        .dag_id(dag_id)
        .body_map(|b| {
            b.logical_date(None)
                .note(Some("triggered by dataplat's live tests".to_string()))
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(run.dag_id, dag_id);
    assert_eq!(run.logical_date, None);
    assert_eq!(
        run.note.as_deref(),
        Some("triggered by dataplat's live tests")
    );
    run.dag_run_id
}

#[tokio::test]
#[ignore = "needs the real Airflow 3 that `cargo xtask test` starts"]
async fn a_triggered_run_succeeds_and_its_task_instances_are_listed() {
    let airflow = client();
    let run_id = trigger(&airflow, "dataplat_quick").await;
    let changes = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = changes.clone();
    let options = WaitOptions::new(Duration::from_millis(500), Duration::from_secs(180))
        .on_progress(move |p| {
            if p.changed {
                sink.lock().unwrap().push(p.state.clone());
            }
        });
    let run = airflow
        .wait_until_dag_run_succeeds("dataplat_quick", &run_id, options)
        .await
        .unwrap();
    assert_eq!(run.state, types::DagRunState::Success);
    assert!(run.end_date.is_some());
    assert_eq!(
        changes.lock().unwrap().last().map(String::as_str),
        Some("done")
    );
    let tasks = airflow
        .get_task_instances()
        .dag_id("dataplat_quick")
        .dag_run_id(&run_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(tasks.total_entries, Some(3));
    let mut states: Vec<(&str, Option<types::TaskInstanceState>)> = tasks
        .task_instances
        .iter()
        .map(|t| (t.task_id.as_str(), t.state.clone()))
        .collect();
    states.sort();
    let success = Some(types::TaskInstanceState::Success);
    assert_eq!(
        states,
        [
            ("end", success.clone()),
            ("hello", success.clone()),
            ("start", success)
        ]
    );
}

#[tokio::test]
#[ignore = "needs the real Airflow 3 that `cargo xtask test` starts"]
async fn a_failing_run_ends_failed() {
    let airflow = client();
    let run_id = trigger(&airflow, "dataplat_failing").await;
    let options = WaitOptions::new(Duration::from_millis(500), Duration::from_secs(180));
    let err = airflow
        .wait_until_dag_run_succeeds("dataplat_failing", &run_id, options)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, WaitError::Failed { state, .. } if state == "failed"),
        "{err}"
    );
}

#[tokio::test]
#[ignore = "needs the real Airflow 3 that `cargo xtask test` starts"]
async fn pools_create_read_update_delete() {
    let airflow = client();
    let created = airflow
        .post_pool()
        .body_map(|b| {
            b.name("dataplat_pool")
                .slots(3)
                .description(Some("made by a test".to_string()))
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(created.slots, 3);
    assert_eq!(created.open_slots, 3);
    let read = airflow
        .get_pool()
        .pool_name("dataplat_pool")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(read.description.as_deref(), Some("made by a test"));
    // 3.3.2 validates the patch of any pool but `default_pool` as a whole pool, so the patched
    // PoolPatchBody requires `pool`, `slots` and `include_deferred`; the mask still limits
    // what changes.
    let updated = airflow
        .patch_pool()
        .pool_name("dataplat_pool")
        .update_mask(vec!["slots".to_string()])
        .body_map(|b| b.pool("dataplat_pool").slots(7).include_deferred(false))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(updated.slots, 7);
    assert_eq!(
        updated.description.as_deref(),
        Some("made by a test"),
        "masked update"
    );
    airflow
        .delete_pool()
        .pool_name("dataplat_pool")
        .send()
        .await
        .unwrap();
    let gone = airflow
        .get_pool()
        .pool_name("dataplat_pool")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(gone, Error::Status { status: 404, .. }), "{gone}");
}

#[tokio::test]
#[ignore = "needs the real Airflow 3 that `cargo xtask test` starts"]
async fn variables_create_read_update_delete() {
    let airflow = client();
    let created = airflow
        .post_variable()
        .body_map(|b| {
            b.key("dataplat_var")
                .value(json!("one"))
                .description(Some("made by a test".to_string()))
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(created.key, "dataplat_var");
    let read = airflow
        .get_variable()
        .variable_key("dataplat_var")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(read.value.as_deref(), Some("one"));
    assert_eq!(read.description.as_deref(), Some("made by a test"));
    airflow
        .patch_variable()
        .variable_key("dataplat_var")
        .update_mask(vec!["value".to_string()])
        .body_map(|b| b.key("dataplat_var").value(json!("two")))
        .send()
        .await
        .unwrap();
    let read = airflow
        .get_variable()
        .variable_key("dataplat_var")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(read.value.as_deref(), Some("two"));
    assert_eq!(
        read.description.as_deref(),
        Some("made by a test"),
        "masked update"
    );
    airflow
        .delete_variable()
        .variable_key("dataplat_var")
        .send()
        .await
        .unwrap();
    let gone = airflow
        .get_variable()
        .variable_key("dataplat_var")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(gone, Error::Status { status: 404, .. }), "{gone}");
}

#[tokio::test]
#[ignore = "needs the real Airflow 3 that `cargo xtask test` starts"]
async fn connections_create_read_update_delete() {
    let airflow = client();
    airflow
        .post_connection()
        .body_map(|b| {
            b.connection_id("dataplat_conn")
                .conn_type("http")
                .host(Some("example.invalid".to_string()))
                .port(Some(8080))
                .login(Some("someone".to_string()))
                .password(Some("not-a-real-secret".to_string()))
        })
        .send()
        .await
        .unwrap();
    let read = airflow
        .get_connection()
        .connection_id("dataplat_conn")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(read.host.as_deref(), Some("example.invalid"));
    assert_eq!(read.port, Some(8080));
    assert_ne!(
        read.password.as_deref(),
        Some("not-a-real-secret"),
        "Airflow never returns a connection's password in clear"
    );
    airflow
        .patch_connection()
        .connection_id("dataplat_conn")
        .update_mask(vec!["port".to_string()])
        .body_map(|b| {
            b.connection_id("dataplat_conn")
                .conn_type("http")
                .port(Some(9090))
        })
        .send()
        .await
        .unwrap();
    let read = airflow
        .get_connection()
        .connection_id("dataplat_conn")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(read.port, Some(9090));
    assert_eq!(
        read.host.as_deref(),
        Some("example.invalid"),
        "masked update"
    );
    airflow
        .delete_connection()
        .connection_id("dataplat_conn")
        .send()
        .await
        .unwrap();
    let gone = airflow
        .get_connection()
        .connection_id("dataplat_conn")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(gone, Error::Status { status: 404, .. }), "{gone}");
}

#[tokio::test]
#[ignore = "needs the real Airflow 3 that `cargo xtask test` starts"]
async fn more_than_one_page_of_variables_is_listed_completely() {
    let airflow = client();
    let keys: BTreeSet<String> = (0..130).map(|i| format!("dataplat_page_{i:03}")).collect();
    // One at a time: the api-server's SQLite refuses concurrent writes ("Database error").
    for key in &keys {
        airflow
            .post_variable()
            .body_map(|b| b.key(key.as_str()).value(json!("x")))
            .send()
            .await
            .unwrap();
    }
    let first = airflow
        .get_variables()
        .limit(100)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(first.variables.len(), 100);
    let total = first.total_entries as usize;
    assert!(total >= 130, "total_entries {total}");

    let mut seen = BTreeSet::new();
    let mut offset = 0;
    while offset < total {
        let page = airflow
            .get_variables()
            .limit(100)
            .offset(offset as u64)
            .order_by(vec!["key".to_string()])
            .send()
            .await
            .unwrap()
            .into_inner();
        assert!(!page.variables.is_empty());
        offset += page.variables.len();
        seen.extend(page.variables.into_iter().map(|v| v.key));
    }
    assert!(
        keys.is_subset(&seen),
        "missing: {:?}",
        keys.difference(&seen)
    );

    // The same through the item stream, several pages of the server's maximum.
    let streamed: Vec<String> = airflow
        .get_variables_stream(|b| b.order_by(vec!["key".to_string()]))
        .collect_items(None)
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.key)
        .collect();
    assert_eq!(streamed.len(), total);
    let streamed: BTreeSet<String> = streamed.into_iter().collect();
    assert!(keys.is_subset(&streamed));

    for key in &keys {
        airflow
            .delete_variable()
            .variable_key(key)
            .send()
            .await
            .unwrap();
    }
}

/// `DELETE /api/v2/dags/<dag>/dagRuns/..` would reach the DAG's own delete handler once the
/// dot segment is resolved (a URL parser resolves `%2E%2E` too): refused before sending, and
/// the DAG is still there.
#[tokio::test]
#[ignore = "needs the real Airflow 3 that `cargo xtask test` starts"]
async fn a_dot_segment_run_id_never_deletes_the_dag() {
    // Straight at the server: no validating proxy between the client and Airflow's router.
    let airflow = Client::with_password(&server_url(), &var("DATAPLAT_AIRFLOW3_USER"), &password());
    for run_id in ["..", ".", ""] {
        let err = airflow
            .delete_dag_run()
            .dag_id("dataplat_idle_1")
            .dag_run_id(run_id)
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidRequest { message, .. } if message.contains("dag_run_id")),
            "{run_id:?}: {err}"
        );
    }
    let dag = airflow
        .get_dag()
        .dag_id("dataplat_idle_1")
        .send()
        .await
        .expect("the DAG survives")
        .into_inner();
    assert_eq!(dag.dag_id, "dataplat_idle_1");
    // A run id that merely contains dots is one segment, and simply not found.
    let err = airflow
        .delete_dag_run()
        .dag_id("dataplat_idle_1")
        .dag_run_id("..\\..")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404), "{err}");
    assert!(
        airflow
            .get_dag()
            .dag_id("dataplat_idle_1")
            .send()
            .await
            .is_ok()
    );
}

#[tokio::test]
#[ignore = "needs the real Airflow 3 that `cargo xtask test` starts"]
async fn wrong_credentials_give_the_typed_auth_error() {
    // A wrong password: the server's /auth/token refuses the login.
    let wrong = SecretString::from("wrong-password".to_string());
    let airflow = Client::with_password(&server_url(), &var("DATAPLAT_AIRFLOW3_USER"), &wrong);
    let err = airflow.get_dags().send().await.unwrap_err();
    let text = err.to_string();
    let Error::Auth { source, .. } = &err else {
        panic!("expected Error::Auth, got {text}");
    };
    assert_eq!(source.status, Some(401), "{text}");
    assert!(!text.contains("wrong-password"), "{text}");

    // A bearer token the server did not sign: 3.3.2 answers 403 "Invalid JWT token" (401 is
    // for a missing or expired one), which counts as a rejection too. Through the proxy and
    // straight.
    for url in [var("DATAPLAT_AIRFLOW3_PRISM_URL"), server_url()] {
        let forged = SecretString::from("eyJhbGciOiJIUzUxMiJ9.e30.forged".to_string());
        let err = Client::with_bearer_token(&url, &forged)
            .get_dags()
            .send()
            .await
            .unwrap_err();
        let text = err.to_string();
        let Error::Auth { source, .. } = &err else {
            panic!("expected Error::Auth from {url}, got {text}");
        };
        assert_eq!(source.status, Some(403), "{text}");
        assert!(!text.contains("forged"), "{text}");
    }

    // No credential at all: 401, an error status (there was nothing to reject).
    let err = Client::from_base_url(&server_url())
        .get_dags()
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Status { status: 401, .. }), "{err}");
}

#[tokio::test]
#[ignore = "needs the real Airflow 3 that `cargo xtask test` starts"]
async fn the_right_password_logs_in_straight_at_the_server() {
    // `with_password` finds /auth/token beside /api/v2 by itself.
    let airflow = Client::with_password(
        &format!("{}/api/v2", server_url()),
        &var("DATAPLAT_AIRFLOW3_USER"),
        &password(),
    );
    let version = airflow.get_version().send().await.unwrap().into_inner();
    assert_eq!(version.version, "3.3.2");
}

#[tokio::test]
#[ignore = "needs the real Airflow 3 that `cargo xtask test` starts"]
async fn the_served_document_equals_the_vendored_upstream() {
    let served: serde_json::Value = dataplat::core::HttpClient::new()
        .reqwest()
        .get(format!("{}/openapi.json", server_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let vendored = live::repo_document("specs/airflow3/upstream/v2-rest-api-generated.yaml");
    let differences = live::differences(&vendored, &served);
    assert!(
        differences.is_empty(),
        "the running server's /openapi.json differs from specs/airflow3/upstream/v2-rest-api-generated.yaml at:\n{}",
        differences.join("\n")
    );
}
