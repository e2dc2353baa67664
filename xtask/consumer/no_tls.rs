//! A program built with `default-features = false, features = ["galaxy"]`: no TLS feature. An
//! `https://` call must fail with an error that names the feature to enable, before anything
//! is sent.
#[tokio::main]
async fn main() {
    let url = std::env::var("CONSUMER_GALAXY_URL").expect("CONSUMER_GALAXY_URL");
    let galaxy = dataplat::galaxy::Client::from_base_url(&url);
    match galaxy.list_cluster().send().await {
        Ok(_) => {
            eprintln!("an https call succeeded without a TLS feature");
            std::process::exit(2);
        }
        Err(e) => println!("{e}"),
    }
}
