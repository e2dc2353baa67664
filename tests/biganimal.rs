//! BigAnimal client against a loopback server: paths, bodies, the `data` envelope, the
//! `error` envelope and typed decoding of answers built from FACTS-v3's examples.
#![cfg(feature = "biganimal")]

mod common;

use common::{DataplatHeaders, only_request};
use dataplat::SecretString;
use dataplat::biganimal::{Client, types};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PROJECT: &str = "prj_abcdABCD01234567";

fn client(server: &MockServer) -> Client {
    Client::with_api_key(
        &format!("{}/api/v3", server.uri()),
        &SecretString::from("ba-access-key-1"),
    )
}

/// A single/HA cluster as FACTS-v3 9.5 describes it: PointInTime timestamps, sizes and ports
/// as strings, the service's extra members.
fn cluster_json(id: &str, phase: &str) -> serde_json::Value {
    json!({
        "clusterId": id, "clusterName": "orders",
        "clusterArchitecture": {"clusterArchitectureId": "ha", "clusterArchitectureName": "High Availability", "nodes": 3},
        "provider": {"cloudProviderId": "aws", "cloudProviderName": "AWS"},
        "region": {"regionId": "eu-west-1", "regionName": "EU West 1"},
        "instanceType": {"instanceTypeId": "aws:m6i.large"},
        "pgType": {"pgTypeId": "epas", "pgTypeName": "EDB Postgres Advanced Server"},
        "pgVersion": {"pgVersionId": "16", "pgVersionName": "16"},
        "storage": {"volumeTypeId": "gp3", "volumePropertiesId": "gp3", "size": "32 Gi", "iops": "3000", "throughput": "125"},
        "allowedIpRanges": [{"cidrBlock": "0.0.0.0/0", "description": "To allow all access"}],
        "privateNetworking": false, "backupRetentionPeriod": "30d",
        "pgConfig": [{"name": "max_connections", "value": "100"}],
        "phase": phase,
        "conditions": [{"type": "biganimal.com/deployed", "conditionStatus": "True",
                        "lastTransitionTime": {"seconds": 1700000000, "nanos": 0}}],
        "connection": {"databaseName": "edb_admin", "username": "edb_admin", "port": "5432",
                       "serviceName": "p-1.abcd.biganimal.io", "pgUri": "postgresql://edb_admin@p-1.abcd.biganimal.io:5432/edb_admin"},
        "createdAt": {"seconds": 1699990000, "nanos": 500000000},
        "resizingPvc": [],
        "someFutureMember": {"added": "later"}
    })
}

#[tokio::test]
async fn list_projects_unwraps_data_and_sends_the_access_key() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path("/api/v3/projects"))
        .and(query_param("q", "analytics"))
        .and(header("x-access-key", "ba-access-key-1"))
        .and(DataplatHeaders("biganimal"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [
            {"projectId": PROJECT, "projectName": "analytics", "userCount": 3, "clusterCount": 2,
             "cloudProviders": [{"cloudProviderId": "aws", "cloudProviderName": "AWS"}],
             "tags": [{"tagName": "prod", "color": "red"}]},
            {"projectId": "prj_0000000000000000", "projectName": "empty", "cloudProviders": []}
        ]})))
        .expect(1)
        .mount(&server)
        .await;

    let projects = client(&server)
        .list_projects()
        .q("analytics")
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(projects.len(), 2);
    assert_eq!(projects[0].project_id, PROJECT);
    assert_eq!(projects[0].cluster_count, Some(2));
    assert_eq!(projects[0].tags[0].tag_name, "prod");
    assert_eq!(projects[1].user_count, None);
    assert!(
        !only_request(&server)
            .await
            .headers
            .contains_key("authorization")
    );
}

#[tokio::test]
async fn create_cluster_sends_the_body_and_reads_the_202_acknowledgement() {
    let server = MockServer::builder().start().await;
    // The single/HA create shape of FACTS-v3 section 10: no clusterType, no response-only members.
    let expected = json!({
        "clusterName": "orders", "password": "correct-horse-battery",
        "clusterArchitecture": {"clusterArchitectureId": "ha", "nodes": 3},
        "provider": {"cloudProviderId": "aws"}, "region": {"regionId": "eu-west-1"},
        "instanceType": {"instanceTypeId": "aws:m6i.large"},
        "pgType": {"pgTypeId": "epas"}, "pgVersion": {"pgVersionId": "16"},
        "storage": {"volumeTypeId": "gp3", "volumePropertiesId": "gp3", "size": "32 Gi"},
        "allowedIpRanges": [{"cidrBlock": "0.0.0.0/0", "description": "anywhere"}],
        "pgConfig": [], "tags": []
    });
    Mock::given(method("POST"))
        .and(path(format!("/api/v3/projects/{PROJECT}/clusters")))
        .and(body_json(&expected))
        .and(DataplatHeaders("biganimal"))
        .respond_with(
            ResponseTemplate::new(202).set_body_json(json!({"data": {"clusterId": "p-new"}})),
        )
        .expect(1)
        .mount(&server)
        .await;

    let body = types::ClusterRequest::builder()
        .cluster_name(Some("orders".to_string()))
        .password(Some("correct-horse-battery".to_string()))
        .cluster_architecture(Some(types::ClusterArchitecture::new("ha", 3)))
        .provider(Some(types::CloudProvider::by_id("aws")))
        .region(Some(types::Region::by_id("eu-west-1")))
        .instance_type(Some(types::InstanceType::by_id("aws:m6i.large")))
        .pg_type(Some(types::PgType::by_id("epas")))
        .pg_version(Some(types::PgVersion::by_id("16")))
        .storage(Some(types::Storage::sized("gp3", "gp3", 32)))
        .allowed_ip_ranges(Some(vec![types::AllowedIpRange {
            cidr_block: "0.0.0.0/0".into(),
            description: Some("anywhere".into()),
            extra: Default::default(),
        }]))
        // Sent as `[]`, as Terraform does: Some(empty) is not the same as leaving it out.
        .pg_config(Some(vec![]))
        .tags(Some(vec![]));
    let ack = client(&server)
        .create_cluster()
        .project_id(PROJECT)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(ack.status(), 202);
    assert_eq!(ack.into_inner().data.cluster_id, "p-new");
}

#[tokio::test]
async fn get_cluster_decodes_strings_points_in_time_and_health() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path(format!("/api/v3/projects/{PROJECT}/clusters/p-1")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": cluster_json("p-1", "Cluster in healthy state")
        })))
        .expect(1)
        .mount(&server)
        .await;

    let cluster = client(&server)
        .get_cluster()
        .project_id(PROJECT)
        .cluster_id("p-1")
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(cluster.cluster_id.as_deref(), Some("p-1"));
    let storage = cluster.storage.as_ref().unwrap();
    assert_eq!(storage.size.as_deref(), Some("32 Gi"));
    assert_eq!(storage.iops.as_deref(), Some("3000"));
    assert_eq!(
        cluster.connection.as_ref().unwrap().port.as_deref(),
        Some("5432")
    );
    let created = cluster.created_at.as_ref().unwrap().to_datetime().unwrap();
    assert_eq!(created.timestamp(), 1_699_990_000);
    assert_eq!(created.timestamp_subsec_nanos(), 500_000_000);
    assert!(cluster.is_healthy());
    assert!(!cluster.is_paused());
}

#[tokio::test]
async fn pgd_cluster_groups_decode_by_cluster_type() {
    let server = MockServer::builder().start().await;
    let group = |kind: &str, phase: &str| {
        json!({"clusterType": kind, "groupId": format!("g-{kind}"), "phase": phase,
        "clusterArchitecture": {"clusterArchitectureId": "pgd", "nodes": 3}, "region": {"regionId": "eu-west-1"}})
    };
    Mock::given(method("GET"))
        .and(path(format!("/api/v3/projects/{PROJECT}/clusters/p-pgd")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {
            "clusterId": "p-pgd", "clusterName": "global", "clusterType": "cluster",
            "clusterArchitecture": {"clusterArchitectureId": "pgd", "nodes": 3},
            "groups": [group("data_group", "Cluster has been paused"), group("witness_group", "Cluster in healthy state")]
        }})))
        .mount(&server)
        .await;
    let cluster = client(&server)
        .get_cluster()
        .project_id(PROJECT)
        .cluster_id("p-pgd")
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert!(matches!(
        cluster.groups[0],
        types::ClusterGroup::DataGroup(_)
    ));
    assert!(matches!(
        cluster.groups[1],
        types::ClusterGroup::WitnessGroup(_)
    ));
    assert!(
        cluster.is_paused(),
        "data groups paused while the witness stays healthy"
    );
    assert!(!cluster.is_healthy());
}

#[tokio::test]
async fn pause_cluster_posts_without_a_body() {
    let server = MockServer::builder().start().await;
    Mock::given(method("POST"))
        .and(path(format!(
            "/api/v3/projects/{PROJECT}/clusters/p-1/pause"
        )))
        .respond_with(
            ResponseTemplate::new(202).set_body_json(json!({"data": {"clusterId": "p-1"}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let ack = client(&server)
        .pause_cluster()
        .project_id(PROJECT)
        .cluster_id("p-1")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(ack.data.cluster_id, "p-1");
    assert!(only_request(&server).await.body.is_empty());
}

#[tokio::test]
async fn delete_cluster_accepts_any_2xx_without_reading_the_body() {
    for (status, body) in [
        (204, ""),
        (200, "{\"data\":{\"clusterId\":\"p-1\"}}"),
        (202, "not json"),
    ] {
        let server = MockServer::builder().start().await;
        Mock::given(method("DELETE"))
            .and(path(format!("/api/v3/projects/{PROJECT}/clusters/p-1")))
            .respond_with(ResponseTemplate::new(status).set_body_string(body))
            .expect(1)
            .mount(&server)
            .await;
        let done = client(&server)
            .delete_cluster()
            .project_id(PROJECT)
            .cluster_id("p-1")
            .send()
            .await
            .unwrap();
        assert_eq!(done.status(), status);
    }
}

#[tokio::test]
async fn list_regions_and_the_error_envelope() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path(format!("/api/v3/projects/{PROJECT}/cloud-providers/bah:aws/regions")))
        .and(query_param("q", "eu-west-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [
            {"regionId": "eu-west-1", "regionName": "EU West 1", "status": "ACTIVE", "continent": "Europe", "tags": []},
            {"regionId": "eu-west-10", "status": "Active"}
        ]})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/api/v3/projects/{PROJECT}/regions")))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"error": {
            "status": 404, "message": "Not Found", "errors": [{"message": "project not found"}],
            "reference": "requestI123456789d", "source": "API"
        }})))
        .mount(&server)
        .await;

    let regions = client(&server)
        .list_provider_regions()
        .project_id(PROJECT)
        .cloud_provider_id("bah:aws")
        .q("eu-west-1")
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    let exact: Vec<_> = regions
        .iter()
        .filter(|r| r.region_id == "eu-west-1")
        .collect();
    assert_eq!(exact.len(), 1);
    assert_eq!(exact[0].status.as_deref(), Some("ACTIVE"));

    let err = client(&server)
        .list_regions()
        .project_id(PROJECT)
        .send()
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("biganimal") && text.contains("listRegions") && text.contains("404"),
        "{text}"
    );
    let dataplat::core::Error::Status {
        status,
        body: Some(body),
        ..
    } = err
    else {
        panic!("expected a typed status error, got {text}");
    };
    assert_eq!(status, 404);
    assert_eq!(body.error.reference.as_deref(), Some("requestI123456789d"));
    assert_eq!(
        body.error.errors[0].message.as_deref(),
        Some("project not found")
    );
}

#[tokio::test]
async fn pg_versions_repeat_array_query_keys() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(path(format!("/api/v3/projects/{PROJECT}/pg-versions")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": [{"pgVersionId": "16", "pgVersionName": "16"}]})),
        )
        .mount(&server)
        .await;
    let versions = client(&server)
        .list_pg_versions()
        .project_id(PROJECT)
        .cluster_architecture_ids(vec!["single".to_string(), "ha".to_string()])
        .pg_type_ids(vec!["epas".to_string()])
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    assert_eq!(versions[0].pg_version_id, "16");
    let request = only_request(&server).await;
    assert_eq!(
        request.url.query(),
        Some("clusterArchitectureIds=single&clusterArchitectureIds=ha&pgTypeIds=epas")
    );
}

#[tokio::test]
async fn auth_endpoints_are_unwrapped_and_carry_no_credential() {
    let server = MockServer::builder().start().await;
    Mock::given(method("POST"))
        .and(path("/api/v3/auth/token"))
        .and(body_json(json!({"token": "idp-access"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"token": "ba-bearer"})))
        .mount(&server)
        .await;
    let exchanged = Client::from_base_url(&format!("{}/api/v3", server.uri()))
        .exchange_token()
        .body(types::AuthTokenRequest {
            token: "idp-access".into(),
            extra: Default::default(),
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(exchanged.token, "ba-bearer");
    let request = only_request(&server).await;
    assert!(!request.headers.contains_key("x-access-key"));
}
