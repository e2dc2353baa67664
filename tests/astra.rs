//! Astra DevOps client against a loopback server, including what the live API sends that the
//! document forbids (values outside closed enums, nulls in non-nullable fields).
#![cfg(feature = "astra")]

mod common;

use common::{DataplatHeaders, only_request};
use dataplat::astra::{Client, types};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A database as the live API returns it: `availableActions` has values outside the
/// documented enum, `additionalKeyspaces` is null, and the status is one the enum never listed.
fn live_database(id: &str) -> serde_json::Value {
    json!({
        "id": id, "orgId": "org-1", "ownerId": "user-1", "status": "HIBERNATED",
        "info": {
            "name": "orders", "keyspace": "shop", "cloudProvider": "GCP", "tier": "serverless_v2",
            "capacityUnits": 1, "region": "us-east1", "additionalKeyspaces": null, "dbType": "vector"
        },
        "availableActions": ["park", "setEngineType", "suspend", "terminate"],
        "creationTime": "2024-02-01T10:00:00Z"
    })
}

#[tokio::test]
async fn list_databases_sends_filters_and_tolerates_live_values() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/v2/databases"))
        .and(query_param("include", "nonterminated"))
        .and(query_param("provider", "GCP"))
        .and(query_param("limit", "2"))
        .and(query_param("starting_after", "db-0"))
        .and(DataplatHeaders("astra"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([live_database("db-1"), live_database("db-2")])),
        )
        .expect(1)
        .mount(&server)
        .await;

    let dbs = Client::from_base_url(&server.uri())
        .list_databases()
        .include(types::ListDatabasesInclude::Nonterminated)
        .provider(types::ListDatabasesProvider::Gcp)
        .limit(2)
        .starting_after("db-0")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(dbs.len(), 2);
    assert_eq!(dbs[0].id, "db-1");
    assert_eq!(dbs[0].status.0, "HIBERNATED");
    assert!(
        dbs[0]
            .available_actions
            .contains(&"setEngineType".to_string())
    );
    assert_eq!(dbs[0].info.additional_keyspaces, None);
}

#[tokio::test]
async fn get_database_puts_the_id_in_the_path() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/v2/databases/db-7"))
        .and(DataplatHeaders("astra"))
        .respond_with(ResponseTemplate::new(200).set_body_json(live_database("db-7")))
        .expect(1)
        .mount(&server)
        .await;
    let db = Client::from_base_url(&server.uri())
        .get_database()
        .database_id("db-7")
        .send()
        .await
        .unwrap();
    assert_eq!(db.id, "db-7");
    assert_eq!(db.info.name.as_deref(), Some("orders"));
}

#[tokio::test]
async fn create_database_sends_the_json_body_and_reads_the_location() {
    let server = MockServer::builder().start().await;
    let body = json!({
        "name": "orders", "keyspace": "shop", "cloudProvider": "GCP", "tier": "serverless",
        "capacityUnits": 1, "region": "us-east1"
    });
    Mock::given(method("POST"))
        .and(path("/v2/databases"))
        .and(body_json(&body))
        .and(header("content-type", "application/json"))
        .and(DataplatHeaders("astra"))
        .respond_with(ResponseTemplate::new(201).insert_header("location", "db-new"))
        .expect(1)
        .mount(&server)
        .await;
    let info: types::DatabaseInfoCreate = serde_json::from_value(body.clone()).unwrap();
    let created = Client::from_base_url(&server.uri())
        .create_database()
        .body(info)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    assert_eq!(created.headers().get("location").unwrap(), "db-new");
}

#[tokio::test]
async fn scim_bodies_go_out_as_scim_json() {
    let server = MockServer::builder().start().await;
    Mock::given(method("POST"))
        .and(path("/v2/scim/users"))
        .and(header("content-type", "application/scim+json"))
        .and(DataplatHeaders("astra"))
        .respond_with(
            ResponseTemplate::new(201).set_body_raw(r#"{"id":"u-1"}"#, "application/scim+json"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let user: types::ScimUser = serde_json::from_value(json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "5b0f4e2a-1c3d-4e5f-8a9b-0c1d2e3f4a5b", "userName": "ada@example.com", "active": true
    }))
    .unwrap();
    let response = Client::from_base_url(&server.uri())
        .create_scim_user()
        .body(user)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let sent: serde_json::Value = only_request(&server).await.body_json().unwrap();
    assert_eq!(sent["userName"], "ada@example.com");
}

#[tokio::test]
async fn a_byte_stream_answer_streams_the_body_the_request_path_read() {
    use futures::TryStreamExt;
    let server = MockServer::builder().start().await;
    let document = r#"{"Resources":[{"id":"User"}],"totalResults":1}"#;
    Mock::given(method("GET"))
        .and(path("/v2/scim/ResourceTypes"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(document, "application/scim+json"))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::from_base_url(&server.uri());
    let answer = client.get_scim_resource_types().send().await.unwrap();
    assert_eq!(
        answer.headers()["content-type"],
        "application/scim+json",
        "headers travel with the stream"
    );
    let chunks: Vec<bytes::Bytes> = answer.into_inner_stream().try_collect().await.unwrap();
    assert_eq!(chunks.concat(), document.as_bytes());
}
