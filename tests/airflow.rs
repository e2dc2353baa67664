//! Airflow 2 client against a loopback server (the real server runs in the e2e suite).
#![cfg(feature = "airflow")]

mod common;

use common::DataplatHeaders;
use dataplat::airflow::{Client, types};
use dataplat::core::Error;
use serde_json::json;
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn dag(id: &str, schedule: serde_json::Value) -> serde_json::Value {
    json!({
        "dag_id": id, "is_paused": false, "is_active": true, "fileloc": "/dags/example.py",
        "owners": ["airflow"], "tags": [{"name": "demo"}], "schedule_interval": schedule
    })
}

#[tokio::test]
async fn get_dags_sends_paging_and_decodes_each_schedule_kind() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/dags"))
        .and(query_param("limit", "3"))
        .and(query_param("offset", "100"))
        .and(DataplatHeaders("airflow"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "dags": [
                dag("cron", json!({"__type": "CronExpression", "value": "@daily"})),
                dag("delta", json!({"__type": "TimeDelta", "days": 1, "seconds": 0, "microseconds": 0})),
                dag("manual", json!(null))
            ],
            "total_entries": 103
        })))
        .expect(1)
        .mount(&server)
        .await;

    let page = Client::from_base_url(&format!("{}/api/v1", server.uri()))
        .get_dags()
        .limit(3)
        .offset(100)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.total_entries, Some(103));
    let schedules: Vec<_> = page
        .dags
        .iter()
        .map(|d| d.schedule_interval.clone())
        .collect();
    assert!(
        matches!(&schedules[0], Some(types::ScheduleInterval::CronExpression(c)) if c.as_ref().unwrap().value == "@daily"),
        "{:?}",
        schedules[0]
    );
    assert!(
        matches!(&schedules[1], Some(types::ScheduleInterval::TimeDelta(_))),
        "{:?}",
        schedules[1]
    );
    assert_eq!(schedules[2], None);
}

#[tokio::test]
async fn get_dag_puts_the_id_in_the_path() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/dags/etl_daily"))
        .and(DataplatHeaders("airflow"))
        .respond_with(ResponseTemplate::new(200).set_body_json(dag("etl_daily", json!(null))))
        .expect(1)
        .mount(&server)
        .await;
    let dag = Client::from_base_url(&format!("{}/api/v1", server.uri()))
        .get_dag()
        .dag_id("etl_daily")
        .send()
        .await
        .unwrap();
    assert_eq!(dag.dag_id.as_deref(), Some("etl_daily"));
}

#[tokio::test]
async fn post_pool_sends_the_json_body() {
    let server = MockServer::builder().start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/pools"))
        .and(body_json(
            json!({"name": "etl", "slots": 4, "include_deferred": false}),
        ))
        .and(DataplatHeaders("airflow"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "name": "etl", "slots": 4, "occupied_slots": 0, "running_slots": 0, "queued_slots": 0,
            "open_slots": 4, "scheduled_slots": 0, "deferred_slots": 0, "include_deferred": false
        })))
        .expect(1)
        .mount(&server)
        .await;
    let pool = Client::from_base_url(&format!("{}/api/v1", server.uri()))
        .post_pool()
        .body_map(|p| {
            p.name(Some("etl".to_string()))
                .slots(Some(4))
                .include_deferred(Some(false))
        })
        .send()
        .await
        .unwrap();
    assert_eq!(pool.open_slots, Some(4));
}

#[tokio::test]
async fn unauthenticated_error_with_null_detail_decodes() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/dags/x"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "detail": null, "status": 401, "title": "Unauthorized", "type": "https://airflow.apache.org/docs/apache-airflow/2.11.2/stable-rest-api-ref.html#section/Errors/Unauthenticated"
        })))
        .mount(&server)
        .await;
    match Client::from_base_url(&format!("{}/api/v1", server.uri()))
        .get_dag()
        .dag_id("x")
        .send()
        .await
    {
        Err(e @ Error::Status { .. }) => {
            assert_eq!(e.status(), Some(401));
            assert_eq!(e.call().operation_id, "get_dag");
            assert_eq!(e.call().path, "/dags/{dag_id}");
            let body = e.body().expect("typed body");
            assert_eq!(body.title, "Unauthorized");
            assert_eq!(body.detail, None);
        }
        other => panic!("expected a typed 401, got {other:?}"),
    }
}
