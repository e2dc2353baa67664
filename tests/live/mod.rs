//! Helpers shared by the live suites (`live_airflow2`, `live_airflow3`), which run against the
//! servers `cargo xtask test` starts.
#![allow(dead_code)]

use std::collections::BTreeSet;

/// An environment variable `cargo xtask test` sets for the live tests.
pub fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the live tests through `cargo xtask test`")
    })
}

/// A file of the repository, parsed as YAML (JSON is YAML too).
pub fn repo_document(path: &str) -> serde_json::Value {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// JSON pointers where `vendored` and `served` differ (at most 50), each saying how.
pub fn differences(vendored: &serde_json::Value, served: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    diff("", vendored, served, &mut out);
    out
}

fn diff(at: &str, a: &serde_json::Value, b: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value::Object;
    if out.len() >= 50 {
        return;
    }
    match (a, b) {
        (Object(x), Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let here = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => diff(&here, p, q, out),
                    (Some(_), None) => out.push(format!("{here}: only in the vendored upstream")),
                    (None, Some(_)) => out.push(format!("{here}: only in the served document")),
                    (None, None) => {}
                }
            }
        }
        _ if a != b => out.push(format!("{at}: {a} (vendored) vs {b} (served)")),
        _ => {}
    }
}
