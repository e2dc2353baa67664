//! `specs check`: vendored bytes match their records, effective specs are exactly what
//! normalize produces, patches apply, and progenitor accepts every operation.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::layout::{ApiDir, Source};
use crate::normalize::{effective_text, sha256_hex};

/// What `specs check` found for one API.
#[derive(Debug, Default)]
pub struct ApiReport {
    /// API folder name.
    pub api: String,
    /// Operations in the effective spec (when it could be read).
    pub operations: Option<usize>,
    /// Patch operations applied.
    pub patches: usize,
    /// Time progenitor took to generate the client.
    pub generation: Option<Duration>,
    /// Whether the OpenAPI validator passed the effective document (`None`: not run).
    pub lint: Option<bool>,
    /// Everything wrong, one message each.
    pub failures: Vec<String>,
}

/// Checks one API; never stops at the first failure.
pub fn check_api(api: &ApiDir) -> ApiReport {
    let mut report = ApiReport {
        api: api.name.clone(),
        ..Default::default()
    };
    let record = match api.record() {
        Ok(r) => r,
        Err(e) => {
            report.failures.push(format!("{e:#}"));
            return report;
        }
    };
    let mut sources: Vec<&Source> = vec![&record.upstream];
    sources.extend(record.graft.iter().map(|g| &g.source));
    for source in sources {
        check_checksum(api, source, &mut report.failures);
    }
    report.patches = crate::normalize::load_patches(&api.patches_path())
        .map(|p| p.len())
        .unwrap_or(0);

    let committed = std::fs::read_to_string(api.effective_path()).unwrap_or_default();
    match effective_text(api) {
        Ok(expected) if expected != committed => report.failures.push(format!(
            "{} is not what `cargo xtask specs normalize {}` produces ({}); it must only be written by normalize",
            rel(api, &api.effective_path()),
            api.name,
            first_difference(&expected, &committed)
        )),
        Ok(_) => {}
        Err(e) => report.failures.push(format!("{e:#}")),
    }

    // progenitor's view of the committed file: that is what build.rs reads.
    let file = format!("specs/{}/effective.json", api.name);
    match serde_json::from_str::<serde_json::Value>(&committed) {
        Err(e) => report
            .failures
            .push(format!("{file} is not valid JSON: {e}")),
        Ok(doc) => {
            let count = dataplat_codegen::operation_count(&doc);
            report.operations = Some(count);
            if count != record.effective.operations {
                report.failures.push(format!(
                    "{file} has {count} operations, source.toml expects {}",
                    record.effective.operations
                ));
            }
            if let Some(expected) = record.effective.confirmed {
                let confirmed = confirmed_count(&doc);
                if confirmed != expected {
                    report.failures.push(format!(
                        "{file} has {confirmed} operations with x-dataplat-confidence \"confirmed\", source.toml expects {expected}"
                    ));
                }
            }
            for graft in record.graft.iter().filter(|g| g.authored) {
                report
                    .failures
                    .extend(unevidenced(&doc, &graft.operations).into_iter().map(|op| {
                        format!(
                            "{file}: {op}, grafted from the authored {}, carries no x-dataplat-evidence or no x-dataplat-confidence",
                            graft.source.file
                        )
                    }));
            }
            let started = Instant::now();
            match dataplat_codegen::generate(&file, &doc) {
                Ok(_) => report.generation = Some(started.elapsed()),
                Err(problems) => report
                    .failures
                    .extend(problems.iter().map(|p| p.to_string())),
            }
        }
    }
    report
}

/// Which of `operations` (`"METHOD /path"`) lack a non-empty `x-dataplat-evidence` or a
/// `x-dataplat-confidence` in `doc` (or are missing from it).
fn unevidenced(doc: &serde_json::Value, operations: &[String]) -> Vec<String> {
    operations
        .iter()
        .filter(|spec| {
            let Some((method, path)) = spec.split_once(' ') else {
                return true;
            };
            let op = &doc["paths"][path][method.to_lowercase()];
            let evidence = match &op["x-dataplat-evidence"] {
                serde_json::Value::Array(items) => !items.is_empty(),
                serde_json::Value::Object(map) => !map.is_empty(),
                serde_json::Value::String(text) => !text.trim().is_empty(),
                _ => false,
            };
            !(evidence && op["x-dataplat-confidence"].is_string())
        })
        .cloned()
        .collect()
}

/// Operations marked `x-dataplat-confidence: confirmed` (authored documents).
fn confirmed_count(doc: &serde_json::Value) -> usize {
    let Some(paths) = doc.get("paths").and_then(|p| p.as_object()) else {
        return 0;
    };
    paths
        .values()
        .filter_map(|item| item.as_object())
        .flat_map(|item| item.values())
        .filter(|op| op.get("x-dataplat-confidence").and_then(|c| c.as_str()) == Some("confirmed"))
        .count()
}

fn check_checksum(api: &ApiDir, source: &Source, failures: &mut Vec<String>) {
    let path = api.dir.join(&source.file);
    match std::fs::read(&path) {
        Err(e) => failures.push(format!(
            "{}: cannot read vendored upstream: {e}",
            rel(api, &path)
        )),
        Ok(bytes) => {
            let actual = sha256_hex(&bytes);
            if actual != source.sha256 {
                failures.push(format!(
                    "{}: sha256 is {actual}, source.toml records {}; vendored upstream bytes must not be edited (patch them instead, or `specs refresh`)",
                    rel(api, &path),
                    source.sha256
                ));
            }
        }
    }
}

fn rel(api: &ApiDir, path: &Path) -> String {
    format!(
        "specs/{}/{}",
        api.name,
        path.strip_prefix(&api.dir).unwrap_or(path).display()
    )
}

/// "first difference at line N" for a failure message.
fn first_difference(expected: &str, actual: &str) -> String {
    let line = expected
        .lines()
        .zip(actual.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
    match actual.lines().nth(line) {
        Some(text) => format!(
            "first difference at line {}: `{}`",
            line + 1,
            text.trim().chars().take(80).collect::<String>()
        ),
        None => format!("it ends at line {line}, normalize writes more"),
    }
}

/// Checks all APIs, printing a table; `Err` when anything failed.
pub fn run(root: &Path, only: Option<&str>) -> Result<Vec<ApiReport>> {
    let apis = crate::layout::select(root, only)?;
    let mut reports: Vec<ApiReport> = apis.iter().map(check_api).collect();
    crate::lint::lint_reports(&apis, &mut reports)?;
    println!(
        "{:<10} {:>10} {:>8} {:>12} {:>6}  status",
        "api", "operations", "patches", "generation", "lint"
    );
    for r in &reports {
        println!(
            "{:<10} {:>10} {:>8} {:>12} {:>6}  {}",
            r.api,
            r.operations.map_or("-".into(), |n| n.to_string()),
            r.patches,
            r.generation
                .map_or("-".into(), |d| format!("{:.2} s", d.as_secs_f64())),
            match r.lint {
                Some(true) => "ok",
                Some(false) => "FAIL",
                None => "-",
            },
            if r.failures.is_empty() {
                "ok".to_string()
            } else {
                format!("{} failure(s)", r.failures.len())
            }
        );
    }
    let failures: Vec<String> = reports
        .iter()
        .flat_map(|r| r.failures.iter().map(move |f| format!("[{}] {f}", r.api)))
        .collect();
    if !failures.is_empty() {
        for f in &failures {
            eprintln!("error: {f}");
        }
        anyhow::bail!("specs check failed: {} problem(s)", failures.len());
    }
    Ok(reports)
}
