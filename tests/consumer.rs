//! The packaged crates, used as a user would: `cargo xtask test` packages the workspace and
//! builds scratch consumer crates from the `.crate` files, one per README dependency line
//! (`xtask/src/consumer.rs`), and hands their executables to this test, which plays Galaxy over
//! https with a private CA, and a CONNECT proxy.
//!
//! Ignored by a plain `cargo test` (there is nothing built to run).
#![cfg(feature = "galaxy")]

mod common;

use std::process::Command;

use common::hostile::{TestCa, json, serve_tls};
use serde_json::json as j;

fn exe(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is set by `cargo xtask test`"))
}

#[tokio::test]
#[ignore = "needs the consumer crates that `cargo xtask test` builds"]
async fn the_packaged_crate_calls_https_through_a_proxy_with_a_private_ca() {
    let ca = TestCa::new();
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, &ca.ca_pem).unwrap();
    let galaxy = serve_tls(&ca, |seen, _| {
        if seen.target.starts_with("/oauth/v2/token") {
            json(
                200,
                j!({"access_token": "consumer-token", "expires_in": 600}),
            )
        } else {
            json(200, j!({"nextPageToken": "", "result": []}))
        }
    })
    .await;
    for variant in ["DATAPLAT_CONSUMER_ALL", "DATAPLAT_CONSUMER_GALAXY"] {
        // The proxy set in code.
        let proxy = common::proxy::start().await;
        let before = galaxy.count();
        let output = tokio::task::spawn_blocking({
            let (url, ca_file, proxy_url) =
                (galaxy.url.clone(), ca_file.clone(), proxy.url.clone());
            let exe = exe(variant);
            move || {
                Command::new(exe)
                    .env("CONSUMER_GALAXY_URL", url)
                    .env("CONSUMER_CA_PEM", ca_file)
                    .env("CONSUMER_PROXY", proxy_url)
                    .env_remove("HTTPS_PROXY")
                    .env_remove("https_proxy")
                    .output()
                    .unwrap()
            }
        })
        .await
        .unwrap();
        assert!(
            output.status.success(),
            "{variant}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(galaxy.count() - before, 2, "{variant}: token + list");
        let tunnels = proxy.tunnels();
        assert!(!tunnels.is_empty(), "{variant}: through the proxy");
        println!(
            "{variant}: 2 requests over {} tunnel(s) {tunnels:?}",
            tunnels.len()
        );

        // The proxy from HTTPS_PROXY, and NO_PROXY honoured.
        let proxy = common::proxy::start().await;
        for (no_proxy, expect_tunnel) in [("", true), ("localhost", false)] {
            let before = proxy.tunnels().len();
            let output = tokio::task::spawn_blocking({
                let (url, ca_file, proxy_url) =
                    (galaxy.url.clone(), ca_file.clone(), proxy.url.clone());
                let exe = exe(variant);
                let no_proxy = no_proxy.to_string();
                move || {
                    Command::new(exe)
                        .env("CONSUMER_GALAXY_URL", url)
                        .env("CONSUMER_CA_PEM", ca_file)
                        .env_remove("CONSUMER_PROXY")
                        .env("HTTPS_PROXY", proxy_url)
                        .env("NO_PROXY", no_proxy)
                        .output()
                        .unwrap()
                }
            })
            .await
            .unwrap();
            assert!(
                output.status.success(),
                "{variant} HTTPS_PROXY: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            assert_eq!(
                proxy.tunnels().len() > before,
                expect_tunnel,
                "{variant}: HTTPS_PROXY with NO_PROXY={no_proxy:?}"
            );
        }
    }

    // No TLS feature: https is refused with an error that names the feature to enable.
    let output = Command::new(exe("DATAPLAT_CONSUMER_GALAXY_NO_TLS"))
        .env("CONSUMER_GALAXY_URL", &galaxy.url)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(said.contains("enable its `tls-ring` feature"), "{said}");
}
