//! Behind a corporate network: a private CA and a CONNECT proxy, configured once on the
//! client's `HttpClient`, apply to every request, the token endpoint's included; proxies from
//! `HTTPS_PROXY` work and `NO_PROXY` is honoured. One test: it sets process-wide variables.
#![cfg(all(feature = "galaxy", feature = "tls-ring"))]

mod common;

use common::hostile::{TestCa, json, serve_tls};
use dataplat::core::HttpClient;
use dataplat::galaxy::{Client, GalaxyCredentials};
use serde_json::json as j;

#[tokio::test]
async fn private_ca_and_proxy_for_api_calls_and_token_requests() {
    let ca = TestCa::new();
    let galaxy = serve_tls(&ca, |seen, _| {
        if seen.target.starts_with("/oauth/v2/token") {
            json(200, j!({"access_token": "t", "expires_in": 600}))
        } else {
            json(200, j!({"nextPageToken": "", "result": []}))
        }
    })
    .await;
    let credentials =
        GalaxyCredentials::new(&galaxy.url, "svc-1", "s3cret-value".to_string().into());

    // Without the CA: the TLS handshake fails (and the secret goes nowhere).
    let plain = Client::with_context(
        credentials.base_url(),
        credentials.context().with_rate_limits(vec![]),
    );
    let err = plain.list_cluster().send().await.unwrap_err();
    assert!(err.to_string().contains("token endpoint"), "{err}");
    assert_eq!(galaxy.count(), 0);

    // The README's way: one HttpClient with the CA and the proxy.
    let proxy = common::proxy::start().await;
    let http = HttpClient::from_builder(
        HttpClient::builder()
            .add_root_certificate(ca.root())
            .proxy(dataplat::reqwest::Proxy::https(&proxy.url).unwrap()),
    )
    .unwrap();
    let client = Client::with_context(
        credentials.base_url(),
        credentials
            .context()
            .with_http_client(http)
            .with_rate_limits(vec![]),
    );
    client.list_cluster().send().await.unwrap();
    let seen: Vec<_> = galaxy.seen().into_iter().map(|s| s.target).collect();
    assert!(
        seen[0].starts_with("/oauth/v2/token") && seen[1] == "/public/api/v1/cluster",
        "{seen:?}"
    );
    assert!(!proxy.tunnels().is_empty(), "both went through the proxy");

    // HTTPS_PROXY, then NO_PROXY. The default client reads them when it is first built, so
    // these build their own from the builder (which reads them each time).
    // SAFETY: this test binary runs this one test only.
    unsafe {
        std::env::set_var("HTTPS_PROXY", &proxy.url);
        std::env::remove_var("NO_PROXY");
    }
    for (no_proxy, tunnel) in [(None, true), (Some("localhost"), false)] {
        if let Some(v) = no_proxy {
            unsafe { std::env::set_var("NO_PROXY", v) };
        }
        let before = proxy.tunnels().len();
        let http = HttpClient::from_builder(HttpClient::builder().add_root_certificate(ca.root()))
            .unwrap();
        Client::with_context(
            credentials.base_url(),
            credentials
                .context()
                .with_http_client(http)
                .with_rate_limits(vec![]),
        )
        .list_cluster()
        .send()
        .await
        .unwrap();
        assert_eq!(
            proxy.tunnels().len() > before,
            tunnel,
            "NO_PROXY={no_proxy:?}"
        );
    }
}
