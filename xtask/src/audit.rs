//! `specs audit`: how much of each API rests on evidence of what its server really sends.
//!
//! Per API: operations, those with a recorded or modelled answer in `tests/fixtures/<api>/`,
//! the fixtures that decode typed and complete (every member named by a schema), those that
//! decode with members kept untyped (in an `extra` map), the answers that must be errors and
//! are, and the patches whose reason cites evidence (a fixture, or a peer's repo@commit). The
//! decode results come from `tests/fixtures.rs` (run here when its report is missing or
//! `--run` is given).

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::layout::apis;

/// Prints the audit table; runs the fixture test first when asked or when it has not run.
pub fn run(root: &Path, rerun: bool) -> Result<()> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    // The test writes under the manifest's target/, whatever CARGO_TARGET_DIR says.
    let report_path = root.join("target/dataplat-fixtures/report.json");
    if rerun || !report_path.is_file() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args([
                "test",
                "--locked",
                "--all-features",
                "--test",
                "fixtures",
                "--quiet",
            ])
            .env("CARGO_TARGET_DIR", &target)
            .current_dir(root)
            .status()?;
        if !status.success() {
            bail!("the fixture test failed; its report may be partial");
        }
    }
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(&report_path)
            .with_context(|| format!("reading {}", report_path.display()))?,
    )?;
    println!(
        "{:<10} {:>5} {:>13} {:>9} {:>9} {:>9} {:>8} {:>10} {:>12}",
        "api",
        "ops",
        "with evidence",
        "document",
        "fixtures",
        "complete",
        "untyped",
        "errors ok",
        "evidenced"
    );
    println!(
        "{:<10} {:>5} {:>13} {:>9} {:>9} {:>9} {:>8} {:>10} {:>12}",
        "", "", "", "only", "", "", "", "", "patches"
    );
    for api in apis(root)? {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(api.effective_path())?)?;
        let operations = dataplat_codegen::operation_count(&doc);
        let patches: Vec<Value> = serde_json::from_str(
            &std::fs::read_to_string(api.patches_path()).unwrap_or_else(|_| "[]".into()),
        )?;
        let evidenced = patches
            .iter()
            .filter(|p| {
                let reason = p["reason"].as_str().unwrap_or("");
                reason.contains("tests/fixtures/")
                    || reason.contains(".json") && reason.contains('@')
                    || reason.contains('@') && reason.contains('/')
            })
            .count();
        let Some(entry) = report.get(&api.name) else {
            println!(
                "{:<10} {:>5} {:>13} {:>9} {:>9} {:>9} {:>8} {:>10} {:>12}",
                api.name, operations, 0, operations, "-", "-", "-", "-", evidenced
            );
            continue;
        };
        let rows = entry["rows"].as_array().cloned().unwrap_or_default();
        let covered: BTreeSet<&str> = rows
            .iter()
            .filter_map(|r| r["operation"].as_str())
            .collect();
        let untyped = rows
            .iter()
            .filter(|r| {
                r["state"]
                    .as_str()
                    .is_some_and(|s| s.starts_with("typed; some"))
            })
            .count();
        println!(
            "{:<10} {:>5} {:>13} {:>9} {:>9} {:>9} {:>8} {:>10} {:>12}",
            api.name,
            operations,
            covered.len(),
            operations.saturating_sub(covered.len()),
            entry["fixtures"].as_u64().unwrap_or(0),
            entry["complete"].as_u64().unwrap_or(0),
            untyped,
            entry["expected_errors"].as_u64().unwrap_or(0),
            evidenced
        );
    }
    println!(
        "\n(fixtures: recorded or modelled answers in tests/fixtures/<api>/; complete: every member typed; untyped: decoded, with members only the `extra` map holds; errors ok: answers that must be errors and are. Airflow 2 and 3 are checked against real servers in the live tests instead.)"
    );
    Ok(())
}
