//! ACM client against a loopback server, with response bodies in the shapes the live server
//! sends (`{data, error}` envelope, numbers as strings, booleans as 0/1 or "true").
#![cfg(feature = "acm")]

mod common;

use common::{DataplatHeaders, only_request};
use dataplat::acm::Client;
use dataplat::acm::wire::{LooseBool, LooseInt, LooseNumber, LooseString};
use serde_json::json;
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn cluster_list_decodes_loose_scalars_inside_the_envelope() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/environment/17/clusters"))
        .and(DataplatHeaders("acm"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [{
                "id": "301", "name": "events", "nodes": 3, "replicas": "2", "shards": 1,
                "troubleshootingMode": 0, "locked": "false", "secure": "1", "moveFactor": "0.1",
                "startupTime": 1700000000, "status": "online"
            }],
            "error": null
        })))
        .expect(1)
        .mount(&server)
        .await;

    // A trailing slash (ACM's documented server URL has one) must not produce `//`.
    let client = Client::from_base_url(&format!("{}/", server.uri()));
    let list = client
        .cluster_list()
        .environment("17")
        .send()
        .await
        .unwrap()
        .into_inner();
    let cluster = &list.data[0];
    assert_eq!(cluster.id, Some(LooseInt(301)));
    // A node count where one is sent; the node objects where ACM sends those.
    assert_eq!(
        cluster.nodes,
        Some(dataplat::acm::types::ClusterNodes::String(LooseString(
            "3".into()
        )))
    );
    assert_eq!(cluster.replicas, Some(LooseString("2".into())));
    assert_eq!(cluster.troubleshooting_mode, Some(LooseBool(false)));
    assert_eq!(cluster.locked, Some(LooseBool(false)));
    assert_eq!(cluster.secure, Some(LooseBool(true)));
    assert_eq!(cluster.move_factor, Some(LooseNumber(0.1)));
    assert_eq!(cluster.name.as_ref().map(|n| n.0.as_str()), Some("events"));
}

#[tokio::test]
async fn login_sends_credentials_as_json() {
    let server = MockServer::builder().start().await;
    Mock::given(method("POST"))
        .and(path("/login"))
        .and(body_json(
            json!({"login": "ops@example.com", "password": "pw"}),
        ))
        .and(DataplatHeaders("acm"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": {"token": "t-1"}, "error": null})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let response = Client::from_base_url(&server.uri())
        .login()
        .body_map(|b| {
            b.login("ops@example.com".to_string())
                .password("pw".to_string())
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(response.data.token, Some(LooseString("t-1".into())));
}

#[tokio::test]
async fn accounts_sends_paging_and_bracketed_filters() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/accounts"))
        .and(query_param("page", "2"))
        .and(query_param("limit", "50"))
        .and(query_param("filter[email]", "ops@example.com"))
        .and(DataplatHeaders("acm"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [{"id": 5, "email": "ops@example.com", "blocked": "0"}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let page = Client::from_base_url(&server.uri())
        .accounts()
        .page(2)
        .limit(50)
        .filter_email("ops@example.com")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.data[0].id, Some(LooseInt(5)));
    let query = only_request(&server).await.url.query().unwrap().to_string();
    assert!(
        query.contains("filter%5Bemail%5D=ops%40example.com"),
        "{query}"
    );
}
