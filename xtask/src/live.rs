//! The live test environment: a real Airflow 2 and a real Airflow 3, a validating Prism proxy
//! in front of each, and a Prism mock per vendor spec. Tests find them through `DATAPLAT_*`
//! environment variables.

use std::path::Path;

use anyhow::{Result, anyhow};

use crate::airflow_server::{self, AIRFLOW_PASSWORD, AIRFLOW_USER, Airflow, Version};
use crate::servers::{self, Prism};

/// Everything the live tests talk to; dropping it stops every server.
pub struct LiveEnv {
    /// `(variable, value)` pairs to hand to the tests.
    pub vars: Vec<(String, String)>,
    // Proxies and mocks go first, then the Airflow they front.
    _prism: Vec<Prism>,
    _airflows: Vec<Airflow>,
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

    // Both Airflows start side by side: each spends most of its start-up waiting on itself.
    let t = std::time::Instant::now();
    let [airflow2, airflow3] = std::thread::scope(|s| {
        [Version::V2, Version::V3]
            .map(|v| s.spawn(move || airflow_server::start(root, v)))
            .map(|h| h.join().map_err(|_| anyhow!("starting Airflow panicked"))?)
    });
    let (airflow2, airflow3) = (airflow2?, airflow3?);
    timed("Airflow 2.11.2 + 3.3.2 (migrate, DAGs, up)", t);

    let t = std::time::Instant::now();
    let mut prism = Vec::new();
    // Airflow 2's document is relative to `/api/v1`; Airflow 3's paths carry `/api/v2`.
    for (name, spec, airflow, upstream) in [
        (
            "AIRFLOW2",
            "airflow",
            &airflow2,
            format!("{}/api/v1", airflow2.url),
        ),
        ("AIRFLOW3", "airflow3", &airflow3, airflow3.url.clone()),
    ] {
        let proxy = servers::start_prism_proxy(
            root,
            &name.to_lowercase(),
            &root.join(format!("specs/{spec}/effective.json")),
            &upstream,
            logs.path(),
        )?;
        vars.push((format!("DATAPLAT_{name}_URL"), airflow.url.clone()));
        vars.push((format!("DATAPLAT_{name}_USER"), AIRFLOW_USER.into()));
        vars.push((format!("DATAPLAT_{name}_PASSWORD"), AIRFLOW_PASSWORD.into()));
        vars.push((format!("DATAPLAT_{name}_PRISM_URL"), proxy.url.clone()));
        prism.push(proxy);
    }
    for api in MOCKED {
        // ACM's schemas are too large for Prism's static example builder ("schema too
        // complex"): its mock generates schema-valid data instead, with json-schema-faker,
        // which crashes on a `oneOf` one of whose branches is an array (`Cluster.nodes`): the
        // mock reads a copy where such a union is its array branch (what the live service
        // sends for it).
        let dynamic = *api == "acm";
        let spec = root.join(format!("specs/{api}/effective.json"));
        let spec = if dynamic {
            let mut doc: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&spec)?)?;
            arrays_for_unions(&mut doc);
            let copy = logs.path().join(format!("{api}-for-prism.json"));
            std::fs::write(&copy, serde_json::to_string(&doc)?)?;
            copy
        } else {
            spec
        };
        let mock = servers::start_prism_mock(root, api, &spec, dynamic, logs.path())?;
        vars.push((
            format!("DATAPLAT_PRISM_{}_URL", api.to_uppercase()),
            mock.url.clone(),
        ));
        prism.push(mock);
    }
    timed("Prism 5.14.2 (2 proxies, 4 mocks)", t);
    Ok(LiveEnv {
        vars,
        _prism: prism,
        _airflows: vec![airflow2, airflow3],
        _logs: logs,
    })
}

/// Replaces every `oneOf`/`anyOf` that has an array branch by that branch (see `start`).
fn arrays_for_unions(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            for key in ["oneOf", "anyOf"] {
                let branch = map.get(key).and_then(Value::as_array).and_then(|branches| {
                    branches
                        .iter()
                        .find(|b| b.get("type").and_then(Value::as_str) == Some("array"))
                        .cloned()
                });
                if let Some(branch) = branch {
                    map.remove(key);
                    if let Value::Object(b) = branch {
                        map.extend(b);
                    }
                }
            }
            map.values_mut().for_each(arrays_for_unions);
        }
        Value::Array(items) => items.iter_mut().for_each(arrays_for_unions),
        _ => {}
    }
}
