//! Testing your own code against dataplat's typed mock of Galaxy (the `mock` feature).
//!
//! `clusters_to_stop` is the kind of function a platform team writes: every running cluster
//! that is not tagged to stay up. Its test below builds the client exactly as production does
//! (client credentials against the token endpoint), only with the mock's URL, serves the list
//! over several pages, and checks what the function asked for.
//!
//! `cargo test --example testing_with_mock --features mock` runs the test;
//! `cargo run --example testing_with_mock --features mock` runs the same check once.

use dataplat::core::{CollectItems, Error};
use dataplat::galaxy::{Client, types};

/// The IDs of running clusters whose names do not end in `-keep`.
pub async fn clusters_to_stop(galaxy: &Client) -> Result<Vec<String>, Error<types::GalaxyError>> {
    Ok(galaxy
        .list_cluster_stream(|b| b)
        .collect_items(None)
        .await?
        .into_iter()
        .filter(|c| c.cluster_state.as_deref() == Some("RUNNING") && !c.name.ends_with("-keep"))
        .map(|c| c.cluster_id)
        .collect())
}

/// The check, against a mock of Galaxy.
async fn check() {
    use dataplat::SecretString;
    use dataplat::galaxy::GalaxyCredentials;
    use dataplat::galaxy::mock::{MockServer, base_url, pages, token_endpoint};

    let server = MockServer::start_async().await;
    let login = token_endpoint(&server);
    let clusters: Vec<types::Cluster> = (0..120)
        .map(|i| {
            let (name, state) = match i % 3 {
                0 => (format!("etl-{i}"), "RUNNING"),
                1 => (format!("bi-{i}-keep"), "RUNNING"),
                _ => (format!("adhoc-{i}"), "STOPPED"),
            };
            serde_json::from_value(serde_json::json!({
                "syncToken": "s", "clusterId": format!("w-{i}"), "name": name,
                "cloudRegionId": "aws-us-east1", "catalogRefs": [], "batchCluster": false,
                "warpSpeedCluster": false, "minWorkers": 1, "maxWorkers": 2, "clusterState": state
            }))
            .expect("a cluster")
        })
        .collect();
    let list = pages(&server, "/public/api/v1/cluster", &clusters);

    // As in production, only with the mock's URL.
    let credentials = GalaxyCredentials::new(
        &base_url(&server),
        "client-id",
        SecretString::from("client-secret"),
    );
    let galaxy = Client::with_context(&base_url(&server), credentials.context());

    let to_stop = clusters_to_stop(&galaxy).await.expect("the call succeeds");
    assert_eq!(to_stop.len(), 40);
    assert!(
        to_stop
            .iter()
            .all(|id| id.trim_start_matches("w-").parse::<u32>().unwrap() % 3 == 0)
    );
    list.assert_calls_async(2).await; // 120 clusters, the stream asks 100 a page
    login.assert_calls_async(1).await;
    println!(
        "clusters_to_stop: {} of 120, in 2 pages, after one login",
        to_stop.len()
    );
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    check().await;
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn stops_running_clusters_not_tagged_to_stay() {
        super::check().await;
    }
}
