//! The live test environment: a real Airflow 2, a validating Prism proxy in front of it, and a
//! Prism mock per vendor spec. Tests find them through `DATAPLAT_*` environment variables.

use std::path::Path;

use anyhow::Result;

use crate::servers::{self, Airflow2, Prism};

/// Everything the live tests talk to; dropping it stops every server.
pub struct LiveEnv {
    /// `(variable, value)` pairs to hand to the tests.
    pub vars: Vec<(String, String)>,
    // Proxies and mocks go first, then the Airflow they front.
    _prism: Vec<Prism>,
    _airflow2: Airflow2,
    _logs: tempfile::TempDir,
}

/// The APIs served by a Prism mock of their effective spec.
pub const MOCKED: &[&str] = &["astra", "galaxy", "acm", "biganimal"];

/// Starts every server, printing how long each took.
pub fn start(root: &Path) -> Result<LiveEnv> {
    let logs = tempfile::Builder::new()
        .prefix("dataplat-live-")
        .tempdir()?;
    let timed = |what: &str, started: std::time::Instant| {
        println!("    {what:<40} {:>6.1} s", started.elapsed().as_secs_f64());
    };
    let mut vars = Vec::new();

    let t = std::time::Instant::now();
    let airflow2 = servers::start_airflow2(root)?;
    timed("Airflow 2.11.2 (migrate, user, DAGs, up)", t);
    vars.push(("DATAPLAT_AIRFLOW2_URL".into(), airflow2.url.clone()));
    vars.push((
        "DATAPLAT_AIRFLOW2_USER".into(),
        servers::AIRFLOW_USER.into(),
    ));
    vars.push((
        "DATAPLAT_AIRFLOW2_PASSWORD".into(),
        servers::AIRFLOW_PASSWORD.into(),
    ));

    let mut prism = Vec::new();
    let t = std::time::Instant::now();
    let proxy = servers::start_prism_proxy(
        root,
        "airflow2",
        &root.join("specs/airflow/effective.json"),
        &format!("{}/api/v1", airflow2.url),
        logs.path(),
    )?;
    vars.push(("DATAPLAT_AIRFLOW2_PRISM_URL".into(), proxy.url.clone()));
    prism.push(proxy);
    for api in MOCKED {
        let mock = servers::start_prism_mock(
            root,
            api,
            &root.join(format!("specs/{api}/effective.json")),
            // ACM's schemas are too large for Prism's static example builder ("schema too
            // complex"): its mock generates schema-valid data instead.
            *api == "acm",
            logs.path(),
        )?;
        vars.push((
            format!("DATAPLAT_PRISM_{}_URL", api.to_uppercase()),
            mock.url.clone(),
        ));
        prism.push(mock);
    }
    timed("Prism 5.14.2 (1 proxy, 4 mocks)", t);
    Ok(LiveEnv {
        vars,
        _prism: prism,
        _airflow2: airflow2,
        _logs: logs,
    })
}
