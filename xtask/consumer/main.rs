//! A program that uses dataplat as its README says, built from the packaged crates by
//! `cargo xtask test` (`xtask/src/consumer.rs`): one Galaxy call over https, trusting a private
//! CA, through a proxy, its token request included. The test that runs it
//! (`tests/consumer.rs`) plays Galaxy and the proxy.
use dataplat::SecretString;
use dataplat::core::HttpClient;
use dataplat::galaxy::{Client, GalaxyCredentials};
use dataplat::reqwest::{Certificate, Proxy};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("CONSUMER_GALAXY_URL")?;
    let ca_pem = std::fs::read(std::env::var("CONSUMER_CA_PEM")?)?;

    // The README's "Behind a proxy or a private CA", as a user writes it.
    let mut builder = HttpClient::builder().add_root_certificate(Certificate::from_pem(&ca_pem)?);
    if let Ok(proxy) = std::env::var("CONSUMER_PROXY") {
        builder = builder.proxy(Proxy::https(&proxy)?);
    }
    let http = HttpClient::from_builder(builder)?;
    let credentials = GalaxyCredentials::new(&url, "svc-1", SecretString::from("consumer-secret"));
    let galaxy = Client::with_context(
        credentials.base_url(),
        credentials.context().with_http_client(http),
    );
    let clusters = galaxy.list_cluster().send().await?;
    println!("listed {} clusters", clusters.result.len());
    Ok(())
}
