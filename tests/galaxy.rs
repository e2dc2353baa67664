//! Galaxy client against a loopback server: paths, query, headers, bodies and typed decoding.
#![cfg(feature = "galaxy")]

mod common;

use common::{DataplatHeaders, only_request};
use dataplat::galaxy::{Client, types};
use serde_json::json;
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn cluster_json(id: &str) -> serde_json::Value {
    json!({
        "syncToken": "s1", "clusterId": id, "name": "analytics", "cloudRegionId": "aws-us-east1",
        "catalogRefs": ["c-1"], "idleStopMinutes": 15, "batchCluster": false, "warpSpeedCluster": true,
        "minWorkers": 1, "maxWorkers": 4, "warpResiliencyEnabled": false, "clusterState": "RUNNING",
        "trinoUri": "https://analytics.trino.galaxy.starburst.io",
        // Fields the live API adds beyond the 2023 document (FACTS.md): must be ignored.
        "processingMode": "Batch", "replicas": 1, "privateLinkCluster": false
    })
}

#[tokio::test]
async fn list_cluster_sends_pagination_query_and_decodes_a_page() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/public/api/v1/cluster"))
        .and(query_param("pageSize", "2"))
        .and(query_param("pageToken", "tok-1"))
        .and(DataplatHeaders("galaxy"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "nextPageToken": "", "result": [cluster_json("w-1"), cluster_json("w-2")]
        })))
        .expect(1)
        .mount(&server)
        .await;

    let client = Client::from_base_url(&server.uri());
    let page = client
        .list_cluster()
        .page_size(2)
        .page_token("tok-1")
        .send()
        .await
        .unwrap()
        .into_inner();

    assert_eq!(page.next_page_token.as_deref(), Some(""));
    let ids: Vec<&str> = page.result.iter().map(|c| c.cluster_id.as_str()).collect();
    assert_eq!(ids, ["w-1", "w-2"]);
    assert_eq!(page.result[0].max_workers, 4);
}

#[tokio::test]
async fn get_cluster_puts_the_id_in_the_path() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/public/api/v1/cluster/w-42"))
        .and(DataplatHeaders("galaxy"))
        .respond_with(ResponseTemplate::new(200).set_body_json(cluster_json("w-42")))
        .expect(1)
        .mount(&server)
        .await;

    let cluster = Client::from_base_url(&format!("{}/", server.uri()))
        .get_cluster()
        .cluster_id("w-42")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(cluster.cluster_id, "w-42");
    assert_eq!(cluster.name, "analytics");
    let request = only_request(&server).await;
    assert!(request.body.is_empty());
}

#[tokio::test]
async fn create_cluster_sends_the_json_body() {
    let server = MockServer::builder().start().await;
    let body = json!({
        "name": "analytics", "cloudRegionId": "aws-us-east1", "catalogRefs": ["c-1"],
        "minWorkers": 1, "maxWorkers": 4, "resultCacheEnabled": false, "warpResiliencyEnabled": false,
        "processingMode": "Batch", "privateLinkCluster": false
    });
    Mock::given(method("POST"))
        .and(path("/public/api/v1/cluster"))
        .and(body_json(&body))
        .and(DataplatHeaders("galaxy"))
        .respond_with(ResponseTemplate::new(200).set_body_json(cluster_json("w-9")))
        .expect(1)
        .mount(&server)
        .await;

    let created = Client::from_base_url(&server.uri())
        .create_cluster()
        .body(
            types::CreateClusterConfiguration::builder()
                .name("analytics")
                .cloud_region_id("aws-us-east1")
                .catalog_refs(vec!["c-1".to_string()])
                .min_workers(1)
                .max_workers(4)
                .result_cache_enabled(false)
                .warp_resiliency_enabled(false)
                .private_link_cluster(false)
                .processing_mode(Some("Batch".to_string())),
        )
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(created.cluster_id, "w-9");
    let request = only_request(&server).await;
    assert_eq!(
        request.headers.get("content-type").unwrap(),
        "application/json"
    );
}

#[tokio::test]
async fn error_bodies_decode_into_the_error_union() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/public/api/v1/cluster/missing"))
        .respond_with(
            ResponseTemplate::new(404).set_body_json(
                json!({"resourceName": "cluster", "description": "no cluster missing"}),
            ),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/public/api/v1/cluster/denied"))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(json!({"reason": "PERMISSION_DENIED", "metadata": {}})),
        )
        .mount(&server)
        .await;
    let client = Client::from_base_url(&server.uri());

    match client.get_cluster().cluster_id("missing").send().await {
        Err(e) => {
            assert_eq!(e.status(), Some(404));
            assert_eq!(
                e.to_string().split(':').next(),
                Some("galaxy getCluster (GET /public/api/v1/cluster/{clusterId})")
            );
            match e.body() {
                Some(types::GalaxyError::ResourceInfo(info)) => {
                    assert_eq!(info.resource_name, "cluster")
                }
                other => panic!("wrong body: {other:?}"),
            }
        }
        other => panic!("expected a typed 404, got {other:?}"),
    }
    match client.get_cluster().cluster_id("denied").send().await {
        Err(e) => {
            assert!(
                matches!(e.body(), Some(types::GalaxyError::ErrorInfo(i)) if i.reason == "PERMISSION_DENIED")
            )
        }
        other => panic!("expected a typed 403, got {other:?}"),
    }
}

#[tokio::test]
async fn an_undocumented_success_status_keeps_its_body_for_send_raw_and_send() {
    // getCluster documents 200; a 202 is not in the document. The request path has read the
    // body already: both entry points must still show it.
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/public/api/v1/cluster/w-1"))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({"queued": "w-1"})))
        .mount(&server)
        .await;
    let client = Client::from_base_url(&server.uri());
    let raw = client.get_cluster().cluster_id("w-1").send_raw().await;
    let Err(progenitor_client::Error::UnexpectedResponse(response)) = raw else {
        panic!("expected UnexpectedResponse, got {raw:?}");
    };
    assert_eq!(response.status().as_u16(), 202);
    assert_eq!(response.text().await.unwrap(), r#"{"queued":"w-1"}"#);

    let err = client
        .get_cluster()
        .cluster_id("w-1")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, dataplat::core::Error::Status { status: 202, excerpt, .. } if excerpt.contains("queued")),
        "{err}"
    );
}

#[tokio::test]
async fn a_missing_parameter_or_body_member_is_named_and_nothing_is_sent() {
    let server = MockServer::builder().start().await;
    let client = Client::from_base_url(&server.uri());
    let err = client.get_cluster().send().await.unwrap_err();
    assert!(
        matches!(&err, dataplat::core::Error::InvalidRequest { message, .. } if message == "cluster_id was not initialized"),
        "{err:?}"
    );
    let err = client
        .create_tag()
        .body_map(|tag| tag.color("#ffffff"))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, dataplat::core::Error::InvalidRequest { message, .. } if message.contains("no value supplied for name")),
        "{err:?}"
    );
    // The type builder on its own says the same.
    let incomplete: Result<types::NewTag, _> = types::builder::NewTag::default().try_into();
    assert_eq!(
        incomplete.unwrap_err().to_string(),
        "no value supplied for color"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn path_parameters_are_percent_encoded() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/public/api/v1/cluster/a%20b%2Fc%3Fd%25e"))
        .respond_with(ResponseTemplate::new(200).set_body_json(cluster_json("a b/c?d%e")))
        .expect(1)
        .mount(&server)
        .await;
    let cluster = Client::from_base_url(&server.uri())
        .get_cluster()
        .cluster_id("a b/c?d%e")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(cluster.cluster_id, "a b/c?d%e");
}

/// Granting moved: the current provider posts to `/role/{roleId}/privilege:grant` (not the 2023
/// `/role/{roleId}:grant`), and `AiModel` is a kind it sends (specs/galaxy/patches.json).
#[tokio::test]
async fn grant_privilege_posts_to_the_current_path() {
    let server = MockServer::builder().start().await;
    let body = json!({
        "entityId": "m-1", "entityKind": "AiModel", "grantKind": "Allow", "grantOption": false,
        "privilege": "Select"
    });
    Mock::given(method("POST"))
        .and(path("/public/api/v1/role/r-1/privilege:grant"))
        .and(body_json(&body))
        .and(DataplatHeaders("galaxy"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Client::from_base_url(&server.uri())
        .grant_privilege_of_role()
        .role_id("r-1")
        .body(serde_json::from_value::<types::GrantPrivilege>(body.clone()).unwrap())
        .send()
        .await
        .unwrap();
}

/// An authored operation with a path parameter and a typed answer: a data product.
#[tokio::test]
async fn get_data_product_decodes_the_provider_members() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/public/api/v1/dataProduct/d-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "dataProductId": "d-1", "name": "orders", "summary": "Orders", "catalogId": "c-1",
            "schemaName": "orders", "defaultClusterId": "w-1",
            "contacts": [{"userId": "u-1", "email": "a@example.com"}],
            "links": [{"name": "wiki", "uri": "https://example.com"}],
            "brandNew": 1
        })))
        .expect(1)
        .mount(&server)
        .await;
    let product = Client::from_base_url(&server.uri())
        .get_data_product()
        .data_product_id("d-1")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(product.data_product_id, "d-1");
    assert_eq!(product.catalog_id.as_deref(), Some("c-1"));
    assert_eq!(product.extra["brandNew"], json!(1));
}
