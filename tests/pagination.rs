//! Item streams against loopback servers that page like each vendor: 0 items, 1, exactly a
//! page, and 10,000; the stream must return every item once, in order, fetching lazily.
#![cfg(all(
    feature = "galaxy",
    feature = "airflow",
    feature = "astra",
    feature = "acm",
    feature = "biganimal"
))]

use std::collections::HashMap;

use dataplat::core::CollectItems;
use futures::StreamExt;
use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate, matchers::method};

fn query(request: &Request) -> HashMap<String, String> {
    request.url.query_pairs().into_owned().collect()
}

/// Serves `total` items in the style `page` describes; `page(query, total)` answers a body.
struct Pager<F: Fn(&HashMap<String, String>, usize) -> Value + Send + Sync>(usize, F);

impl<F: Fn(&HashMap<String, String>, usize) -> Value + Send + Sync> Respond for Pager<F> {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        ResponseTemplate::new(200).set_body_json((self.1)(&query(request), self.0))
    }
}

async fn serve<F>(total: usize, page: F) -> MockServer
where
    F: Fn(&HashMap<String, String>, usize) -> Value + Send + Sync + 'static,
{
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .respond_with(Pager(total, page))
        .mount(&server)
        .await;
    server
}

/// Pages requested: distinct request URLs, so that a GET the client legitimately sent again
/// after a transport failure (a pooled connection the server closed, on a loaded machine) is
/// not counted as a page of its own.
async fn requests(server: &MockServer) -> usize {
    let urls: std::collections::BTreeSet<String> = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.url.to_string())
        .collect();
    urls.len()
}

fn num(q: &HashMap<String, String>, key: &str, default: usize) -> usize {
    q.get(key).and_then(|v| v.parse().ok()).unwrap_or(default)
}

const SIZES: [usize; 4] = [0, 1, 100, 10_000];

/// Galaxy: pageToken/pageSize → nextPageToken, "" on the last page.
fn galaxy_page(q: &HashMap<String, String>, total: usize) -> Value {
    let size = num(q, "pageSize", 10);
    let start = num(q, "pageToken", 0);
    let end = (start + size).min(total);
    let result: Vec<Value> = (start..end)
        .map(|i| json!({"syncToken": "s", "clusterId": format!("w-{i}"), "name": "n", "cloudRegionId": "r",
            "catalogRefs": [], "batchCluster": false, "warpSpeedCluster": false, "minWorkers": 1,
            "maxWorkers": 1, "warpResiliencyEnabled": false}))
        .collect();
    let next = if end < total {
        end.to_string()
    } else {
        String::new()
    };
    json!({"nextPageToken": next, "result": result})
}

#[tokio::test]
async fn galaxy_token_stream_returns_every_cluster() {
    for total in SIZES {
        let server = serve(total, galaxy_page).await;
        let client = client_for(&server);
        let ids: Vec<String> = client
            .list_cluster_stream(|b| b)
            .collect_items(None)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.cluster_id)
            .collect();
        assert_eq!(ids.len(), total);
        assert!(
            ids.iter()
                .enumerate()
                .all(|(i, id)| *id == format!("w-{i}"))
        );
        assert_eq!(
            requests(&server).await,
            total.div_ceil(100).max(1),
            "{total} items"
        );
    }
}

/// The operations authored from Galaxy's current surface page the same way: data products
/// (no path parameter) and typed catalogs (a path parameter kept on every page).
#[tokio::test]
async fn galaxy_current_surface_lists_stream_every_item() {
    let product_page = |q: &HashMap<String, String>, total: usize| {
        let mut page = galaxy_page(q, total);
        let ids: Vec<Value> = page["result"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| json!({"dataProductId": c["clusterId"], "name": "orders"}))
            .collect();
        page["result"] = Value::Array(ids);
        page
    };
    for total in [0, 250] {
        let server = serve(total, product_page).await;
        let client = client_for(&server);
        let products = client
            .list_data_product_stream(|b| b.page_size(100))
            .collect_items(None)
            .await
            .unwrap();
        assert_eq!(products.len(), total);
        assert!(
            products
                .iter()
                .enumerate()
                .all(|(i, p)| p.data_product_id == format!("w-{i}"))
        );
        assert_eq!(requests(&server).await, total.div_ceil(100).max(1));

        let catalogs = client
            .list_catalog_of_catalog_type_stream(|b| b.catalog_type("s3").page_size(100))
            .collect_items(None)
            .await
            .unwrap();
        assert_eq!(catalogs.len(), total);
        let paths: std::collections::BTreeSet<String> = server
            .received_requests()
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.url.path().contains("catalogType"))
            .map(|r| r.url.path().to_string())
            .collect();
        assert_eq!(
            paths.into_iter().collect::<Vec<_>>(),
            ["/public/api/v1/catalogType/s3/catalog"]
        );
    }
}

/// Airflow: limit/offset with total_entries; the server caps a page at `cap` whatever the
/// client asks (its maximum_page_limit).
fn airflow_page(cap: usize) -> impl Fn(&HashMap<String, String>, usize) -> Value + Send + Sync {
    move |q, total| {
        let limit = num(q, "limit", 100).min(cap);
        let offset = num(q, "offset", 0);
        let end = (offset + limit).min(total);
        let items: Vec<Value> = (offset.min(end)..end)
            .map(|i| json!({"key": format!("k{i:05}"), "value": "v"}))
            .collect();
        json!({"variables": items, "total_entries": total})
    }
}

#[tokio::test]
async fn airflow_offset_stream_survives_the_servers_page_cap() {
    for (total, cap) in [(0, 100), (1, 100), (100, 100), (10_000, 100), (250, 30)] {
        let server = serve(total, airflow_page(cap)).await;
        let client = dataplat::airflow::Client::from_base_url(&server.uri());
        let keys: Vec<String> = client
            .get_variables_stream(|b| b.order_by("key"))
            .collect_items(None)
            .await
            .unwrap()
            .into_iter()
            .filter_map(|v| v.key)
            .collect();
        assert_eq!(keys.len(), total, "total {total}, cap {cap}");
        assert!(
            keys.iter()
                .enumerate()
                .all(|(i, k)| *k == format!("k{i:05}"))
        );
        assert_eq!(requests(&server).await, total.div_ceil(cap).max(1));
        // Every request asked for the stream's page size; the server gave what it wanted.
        let asked: Vec<usize> = server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .map(|r| num(&query(r), "limit", 0))
            .collect();
        assert!(asked.iter().all(|l| *l == 100), "{asked:?}");
    }
}

/// Astra: starting_after the last id, limit 1..100; a short page is the last.
fn astra_page(q: &HashMap<String, String>, total: usize) -> Value {
    let limit = num(q, "limit", 25);
    let start = q
        .get("starting_after")
        .map(|id| id.trim_start_matches("db-").parse::<usize>().unwrap() + 1)
        .unwrap_or(0);
    let end = (start + limit).min(total);
    Value::Array(
        (start.min(end)..end)
            .map(|i| json!({"id": format!("db-{i:05}"), "orgId": "o", "ownerId": "u", "info": {}, "status": "ACTIVE"}))
            .collect(),
    )
}

#[tokio::test]
async fn astra_starting_after_stream_returns_every_database() {
    for total in SIZES {
        let server = serve(total, astra_page).await;
        let client = dataplat::astra::Client::from_base_url(&server.uri());
        let ids: Vec<String> = client
            .list_databases_stream(|b| b)
            .collect_items(None)
            .await
            .unwrap()
            .into_iter()
            .map(|d| d.id)
            .collect();
        assert_eq!(ids.len(), total);
        assert!(
            ids.iter()
                .enumerate()
                .all(|(i, id)| *id == format!("db-{i:05}"))
        );
        // Exactly a page needs one more (empty) request to know it was the last.
        let expected = if total % 100 == 0 {
            total / 100 + 1
        } else {
            total.div_ceil(100)
        };
        assert_eq!(requests(&server).await, expected, "{total} databases");
    }
}

/// ACM: page (from 1) and limit, `{ "data": [...] }`.
fn acm_page(q: &HashMap<String, String>, total: usize) -> Value {
    let limit = num(q, "limit", 20);
    let page = num(q, "page", 1);
    let start = (page - 1) * limit;
    let end = (start + limit).min(total);
    let items: Vec<Value> = (start.min(end)..end)
        .map(|i| json!({"id": i, "email": format!("u{i}@example.com")}))
        .collect();
    json!({"data": items})
}

#[tokio::test]
async fn acm_page_number_stream_returns_every_account() {
    for total in SIZES {
        let server = serve(total, acm_page).await;
        let client = dataplat::acm::Client::from_base_url(&server.uri());
        let ids: Vec<i64> = client
            .accounts_stream(|b| b)
            .collect_items(None)
            .await
            .unwrap()
            .into_iter()
            .filter_map(|u| u.id.map(|i| i.0))
            .collect();
        assert_eq!(ids.len(), total);
        assert!(ids.iter().enumerate().all(|(i, id)| *id == i as i64));
    }
}

#[tokio::test]
async fn biganimal_lists_come_whole() {
    for total in SIZES {
        let server = serve(total, |_, total| {
            json!({"data": (0..total).map(|i| json!({"projectId": format!("prj_{i}")})).collect::<Vec<_>>()})
        })
        .await;
        let client = dataplat::biganimal::Client::from_base_url(&server.uri());
        let got = client
            .list_projects_stream(|b| b)
            .collect_items(None)
            .await
            .unwrap();
        assert_eq!(got.len(), total);
        assert_eq!(requests(&server).await, 1);
    }
}

#[tokio::test]
async fn streams_fetch_lazily_and_collect_stops_at_the_limit() {
    let server = serve(10_000, galaxy_page).await;
    let client = client_for(&server);
    let first = client
        .list_cluster_stream(|b| b)
        .collect_items(Some(150))
        .await
        .unwrap();
    assert_eq!(first.len(), 150);
    assert_eq!(
        requests(&server).await,
        2,
        "only the pages holding the first 150"
    );

    let server = serve(10_000, galaxy_page).await;
    let client = client_for(&server);
    let mut stream = client.list_cluster_stream(|b| b);
    assert!(stream.next().await.is_some());
    assert_eq!(
        requests(&server).await,
        1,
        "one item taken, one page fetched"
    );
}

/// Galaxy's default rate limits (18 cluster calls a minute) are for the real service.
fn client_for(server: &MockServer) -> dataplat::galaxy::Client {
    dataplat::galaxy::Client::with_context(
        &server.uri(),
        dataplat::core::Context::new(&dataplat::galaxy::PROFILE).with_rate_limits(vec![]),
    )
}

#[tokio::test]
async fn a_failing_page_ends_the_stream_with_its_error() {
    let server = MockServer::builder().start().await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::query_param("offset", "100"))
        .respond_with(ResponseTemplate::new(403).set_body_json(
            json!({"title": "Forbidden", "status": 403, "type": "t", "detail": null}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(Pager(300, airflow_page(100)))
        .mount(&server)
        .await;
    let client = dataplat::airflow::Client::from_base_url(&server.uri());
    let results: Vec<_> = client.get_variables_stream(|b| b).collect().await;
    assert_eq!(results.len(), 101, "a page of items, then the error");
    assert!(results[..100].iter().all(|r| r.is_ok()));
    let err = results[100].as_ref().unwrap_err();
    assert!(
        matches!(err, dataplat::core::Error::Status { status: 403, .. }),
        "{err}"
    );
}
