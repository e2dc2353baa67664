// A fixture that drifted from the document: `get_cluster` answers a `Cluster`, not a `Tag`.
use dataplat::galaxy::mock::{MockServer, MockServerExt};
use dataplat::galaxy::types;

fn main() {
    let server = MockServer::start();
    let tag: types::Tag = serde_json::from_str("{}").unwrap();
    server.get_cluster(|when, then| {
        when.cluster_id("w-1");
        then.ok(&tag);
    });
}
