//! End to end against a real Apache Airflow 2.11.2 that `cargo xtask test` installs and starts
//! (see `xtask/src/servers.rs`), reached through Stoplight Prism's validating proxy
//! (`prism proxy --errors`): a request or a real answer that the effective spec does not allow
//! fails the test, so these tests prove both the client and the document.
//!
//! Ignored by a plain `cargo test` (there is no server); `cargo xtask test` runs them with
//! `--ignored`, one at a time, with the servers' addresses in `DATAPLAT_AIRFLOW2_*`.
#![cfg(feature = "airflow")]

use std::collections::BTreeSet;
use std::time::Duration;

use dataplat::SecretString;
use dataplat::airflow::{Client, types};
use dataplat::core::{CollectItems, Error, WaitError, WaitOptions};
use futures::StreamExt;

mod live;
use live::var;

/// Through the validating proxy (its base URL is the API root).
fn client() -> Client {
    client_with_password(&var("DATAPLAT_AIRFLOW2_PASSWORD"))
}

fn client_with_password(password: &str) -> Client {
    Client::with_password(
        &var("DATAPLAT_AIRFLOW2_PRISM_URL"),
        &var("DATAPLAT_AIRFLOW2_USER"),
        &SecretString::from(password.to_string()),
    )
}

/// Straight to Airflow, for what the proxy cannot show (the served document).
fn server_url() -> String {
    var("DATAPLAT_AIRFLOW2_URL")
}

/// Every schedule kind decodes as the server really sends it (a relativedelta's unset `year`,
/// `month`… come as null, against the document's required integers: the patch in
/// specs/airflow/patches.json cites this test).
#[tokio::test]
#[ignore = "needs the real Airflow 2 that `cargo xtask test` starts"]
async fn every_schedule_kind_decodes_as_served() {
    use types::ScheduleInterval;
    let page = client()
        .get_dags()
        .tags(vec!["schedules".to_string()])
        .order_by("dag_id")
        .send()
        .await
        .unwrap()
        .into_inner();
    let by_id: std::collections::BTreeMap<String, Option<ScheduleInterval>> = page
        .dags
        .into_iter()
        .map(|d| (d.dag_id.unwrap_or_default(), d.schedule_interval))
        .collect();
    assert_eq!(by_id.len(), 4, "{by_id:?}");
    match &by_id["dataplat_schedule_cron"] {
        Some(ScheduleInterval::CronExpression(c)) => {
            assert_eq!(c.as_ref().unwrap().value, "0 3 * * *")
        }
        other => panic!("cron: {other:?}"),
    }
    match &by_id["dataplat_schedule_preset"] {
        Some(ScheduleInterval::CronExpression(c)) => {
            assert_eq!(c.as_ref().unwrap().value, "@daily")
        }
        other => panic!("preset: {other:?}"),
    }
    match &by_id["dataplat_schedule_timedelta"] {
        Some(ScheduleInterval::TimeDelta(t)) => {
            let t = t.as_ref().unwrap();
            assert_eq!((t.days, t.seconds, t.microseconds), (0, 21600, 0))
        }
        other => panic!("timedelta: {other:?}"),
    }
    match &by_id["dataplat_schedule_relativedelta"] {
        Some(ScheduleInterval::RelativeDelta(r)) => {
            assert_eq!((r.months, r.day, r.year), (1, Some(1), None), "{r:?}")
        }
        other => panic!("relativedelta: {other:?}"),
    }
}

#[tokio::test]
#[ignore = "needs the real Airflow 2 that `cargo xtask test` starts"]
async fn dags_list_get_pause_and_unpause() {
    let airflow = client();
    let page = airflow
        .get_dags()
        .tags(vec!["idle".to_string()])
        .send()
        .await
        .unwrap()
        .into_inner();
    let ids: BTreeSet<String> = page.dags.iter().filter_map(|d| d.dag_id.clone()).collect();
    assert_eq!(ids.len(), 5, "{ids:?}");
    assert_eq!(page.total_entries, Some(5));

    let dag = airflow
        .get_dag()
        .dag_id("dataplat_idle_0")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(dag.dag_id.as_deref(), Some("dataplat_idle_0"));
    assert_eq!(
        dag.schedule_interval, None,
        "schedule=None comes back as null"
    );

    for paused in [false, true] {
        let updated = airflow
            .patch_dag()
            .dag_id("dataplat_idle_0")
            .update_mask(vec!["is_paused".to_string()])
            .body(types::Dag {
                is_paused: Some(paused),
                ..Default::default()
            })
            .send()
            .await
            .unwrap()
            .into_inner();
        assert_eq!(updated.is_paused, Some(paused));
        let read = airflow
            .get_dag()
            .dag_id("dataplat_idle_0")
            .send()
            .await
            .unwrap()
            .into_inner();
        assert_eq!(read.is_paused, Some(paused));
    }
}

async fn trigger(airflow: &Client, dag_id: &str) -> String {
    airflow
        .patch_dag()
        .dag_id(dag_id)
        .update_mask(vec!["is_paused".to_string()])
        .body(types::Dag {
            is_paused: Some(false),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    let run = airflow
        .post_dag_run()
        .dag_id(dag_id)
        .body(types::DagRun {
            note: Some("triggered by dataplat's live tests".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(run.dag_id.as_deref(), Some(dag_id));
    run.dag_run_id.expect("a new run has an id")
}

#[tokio::test]
#[ignore = "needs the real Airflow 2 that `cargo xtask test` starts"]
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
    assert_eq!(run.state, Some(types::DagState::Success));
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
    let mut states: Vec<(String, Option<types::TaskStateInner>)> = tasks
        .task_instances
        .iter()
        .map(|t| {
            let state = t.state.as_ref().and_then(|s| s.0.clone());
            (t.task_id.clone().unwrap_or_default(), state)
        })
        .collect();
    states.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        states,
        [
            ("end".to_string(), Some(types::TaskStateInner::Success)),
            ("hello".to_string(), Some(types::TaskStateInner::Success)),
            ("start".to_string(), Some(types::TaskStateInner::Success)),
        ]
    );
}

#[tokio::test]
#[ignore = "needs the real Airflow 2 that `cargo xtask test` starts"]
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
#[ignore = "needs the real Airflow 2 that `cargo xtask test` starts"]
async fn pools_create_read_update_delete() {
    let airflow = client();
    let created = airflow
        .post_pool()
        .body(types::Pool {
            name: Some("dataplat_pool".into()),
            slots: Some(3),
            description: Some("made by a test".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(created.slots, Some(3));
    let read = airflow
        .get_pool()
        .pool_name("dataplat_pool")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(read.description.as_deref(), Some("made by a test"));
    let updated = airflow
        .patch_pool()
        .pool_name("dataplat_pool")
        .update_mask(vec!["slots".to_string()])
        .body(types::Pool {
            name: Some("dataplat_pool".into()),
            slots: Some(7),
            ..Default::default()
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(updated.slots, Some(7));
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
#[ignore = "needs the real Airflow 2 that `cargo xtask test` starts"]
async fn variables_create_read_update_delete() {
    let airflow = client();
    airflow
        .post_variables()
        .body(types::Variable {
            key: Some("dataplat_var".into()),
            value: Some("one".into()),
            description: Some("made by a test".into()),
            ..Default::default()
        })
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
    assert_eq!(read.value.as_deref(), Some("one"));
    airflow
        .patch_variable()
        .variable_key("dataplat_var")
        .body(types::Variable {
            key: Some("dataplat_var".into()),
            value: Some("two".into()),
            description: None,
            ..Default::default()
        })
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
#[ignore = "needs the real Airflow 2 that `cargo xtask test` starts"]
async fn connections_create_read_update_delete() {
    let airflow = client();
    airflow
        .post_connection()
        .body(types::Connection {
            connection_id: Some("dataplat_conn".into()),
            conn_type: Some("http".into()),
            host: Some("example.invalid".into()),
            port: Some(8080),
            login: Some("someone".into()),
            password: Some("not-a-real-secret".into()),
            ..Default::default()
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
    assert_eq!(
        read.password, None,
        "Airflow never returns a connection's password"
    );
    airflow
        .patch_connection()
        .connection_id("dataplat_conn")
        .update_mask(vec!["port".to_string()])
        .body(types::Connection {
            connection_id: Some("dataplat_conn".into()),
            conn_type: Some("http".into()),
            port: Some(9090),
            ..Default::default()
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
#[ignore = "needs the real Airflow 2 that `cargo xtask test` starts"]
async fn more_than_one_page_of_variables_is_listed_completely() {
    let airflow = client();
    let keys: BTreeSet<String> = (0..130).map(|i| format!("dataplat_page_{i:03}")).collect();
    // Eight at a time: Airflow's webserver has two workers, SQLite serialises the writes.
    futures::stream::iter(&keys)
        .map(|key| {
            airflow
                .post_variables()
                .body(types::Variable {
                    key: Some(key.clone()),
                    value: Some("x".into()),
                    description: None,
                    ..Default::default()
                })
                .send()
        })
        .buffer_unordered(8)
        .for_each(|r| async move {
            r.unwrap();
        })
        .await;
    // Asking for more than the server's maximum page (100) silently gets 100.
    let first = airflow
        .get_variables()
        .limit(1000)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(first.variables.len(), 100, "the server caps a page at 100");
    let total = first.total_entries.unwrap() as usize;
    assert!(total >= 130, "total_entries {total}");

    let mut seen = BTreeSet::new();
    let mut offset = 0;
    while offset < total {
        let page = airflow
            .get_variables()
            .limit(100)
            .offset(offset as i64)
            .order_by("key")
            .send()
            .await
            .unwrap()
            .into_inner();
        assert!(!page.variables.is_empty());
        offset += page.variables.len();
        seen.extend(page.variables.into_iter().filter_map(|v| v.key));
    }
    assert!(
        keys.is_subset(&seen),
        "missing: {:?}",
        keys.difference(&seen)
    );

    // The same through the item stream: the server caps each page at 100, the stream still
    // returns everything.
    let streamed: Vec<String> = airflow
        .get_variables_stream(|b| b.order_by("key"))
        .collect_items(None)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|v| v.key)
        .collect();
    assert_eq!(streamed.len(), total);
    let streamed: BTreeSet<String> = streamed.into_iter().collect();
    assert!(keys.is_subset(&streamed));

    futures::stream::iter(&keys)
        .map(|key| airflow.delete_variable().variable_key(key).send())
        .buffer_unordered(8)
        .for_each(|r| async move {
            r.unwrap();
        })
        .await;
}

#[tokio::test]
#[ignore = "needs the real Airflow 2 that `cargo xtask test` starts"]
async fn wrong_credentials_give_the_typed_auth_error() {
    for airflow in [
        client_with_password("wrong-password"),
        // Straight to the server too: the typed error must not depend on the proxy.
        Client::with_password(
            &format!("{}/api/v1", server_url()),
            &var("DATAPLAT_AIRFLOW2_USER"),
            &SecretString::from("wrong-password".to_string()),
        ),
    ] {
        let err = airflow.get_dags().send().await.unwrap_err();
        let text = err.to_string();
        let Error::Auth { source, .. } = &err else {
            panic!("expected Error::Auth, got {text}");
        };
        // 2.11 answers 403 (2.10 answered 401): both count as a rejection.
        assert!(matches!(source.status, Some(401 | 403)), "{text}");
        assert!(!text.contains("wrong-password"), "{text}");
    }
}

#[tokio::test]
#[ignore = "needs the real Airflow 2 that `cargo xtask test` starts"]
async fn the_served_document_equals_the_vendored_upstream() {
    let served = dataplat::core::HttpClient::new()
        .reqwest()
        .get(format!("{}/api/v1/openapi.yaml", server_url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut served: serde_json::Value = serde_norway::from_str(&served).unwrap();
    let mut vendored = live::repo_document("specs/airflow/upstream/v1.yaml");
    // connexion rewrites `servers` to where it mounted the API when serving the document (it
    // drops the description): the one member that says where, not what. Checked, then set aside.
    assert_eq!(served["servers"][0]["url"], "/api/v1");
    for doc in [&mut served, &mut vendored] {
        doc.as_object_mut().unwrap().remove("servers");
    }
    let differences = live::differences(&vendored, &served);
    assert!(
        differences.is_empty(),
        "the running server's /api/v1/openapi.yaml differs from specs/airflow/upstream/v1.yaml at:\n{}",
        differences.join("\n")
    );
}
