//! The first client a process makes, through the generated constructor, for an https URL: it
//! must not panic for want of a TLS crypto provider (progenitor's own `Client::new` built a
//! bare reqwest client, and with rustls that panicked). Its own test binary, so that nothing
//! else in the process has installed a provider first.
#![cfg(all(feature = "galaxy", feature = "tls-ring"))]

#[tokio::test]
async fn the_first_client_of_a_process_can_speak_https() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let context = dataplat::core::Context::new(&dataplat::galaxy::PROFILE).with_rate_limits(vec![]);
    let client = dataplat::galaxy::Client::new(&format!("https://localhost:{port}"), context);
    let err = client
        .list_cluster()
        .with_options(dataplat::core::CallOptions {
            max_attempts: Some(1),
            ..Default::default()
        })
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, dataplat::core::Error::Transport { message, .. } if message.starts_with("could not connect")),
        "{err}"
    );
}
