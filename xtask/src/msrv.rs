//! The declared `rust-version` is true: no dependency of the library (any feature, build
//! dependencies included) declares a newer one. Together with clippy's `incompatible_msrv`
//! lint, which the clippy phase denies, and builds with `--locked`, this keeps the MSRV honest
//! without a second toolchain.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::Value;

/// `1.89` → `(1, 89, 0)`.
fn version(text: &str) -> Option<(u64, u64, u64)> {
    let mut parts = text.split('.').map(|p| p.parse::<u64>().ok());
    Some((
        parts.next()??,
        parts.next().flatten().unwrap_or(0),
        parts.next().flatten().unwrap_or(0),
    ))
}

/// Fails when a package that `dataplat` (all features) depends on needs a newer Rust than
/// `dataplat` declares; prints the declared version and the newest a dependency needs.
pub fn check(root: &Path) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--locked",
            "--all-features",
        ])
        .current_dir(root)
        .output()
        .context("cargo metadata")?;
    if !output.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let meta: Value = serde_json::from_slice(&output.stdout)?;
    let packages: BTreeMap<&str, &Value> = meta["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p["id"].as_str()?, p)))
        .collect();
    let nodes: BTreeMap<&str, &Value> = meta["resolve"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| Some((n["id"].as_str()?, n)))
        .collect();
    let root_id = packages
        .iter()
        .find(|(_, p)| p["name"] == "dataplat")
        .map(|(id, _)| *id)
        .context("no dataplat package")?;
    let declared = packages[root_id]["rust_version"]
        .as_str()
        .and_then(version)
        .context("dataplat declares no rust-version")?;
    // Everything the library reaches through normal and build dependencies (not dev).
    let mut seen = BTreeSet::new();
    let mut stack = vec![root_id];
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        for dep in nodes[id]["deps"].as_array().into_iter().flatten() {
            let kinds = dep["dep_kinds"].as_array().cloned().unwrap_or_default();
            let used = kinds
                .iter()
                .any(|k| k["kind"].is_null() || k["kind"] == "build");
            if used && let Some(pkg) = dep["pkg"].as_str() {
                stack.push(pkg);
            }
        }
    }
    let mut newest = (0, 0, 0);
    let mut too_new = Vec::new();
    for id in &seen {
        let p = packages[id];
        if let Some(v) = p["rust_version"].as_str().and_then(version) {
            newest = newest.max(v);
            if v > declared {
                too_new.push(format!(
                    "{} {} needs Rust {}",
                    p["name"].as_str().unwrap_or("?"),
                    p["version"].as_str().unwrap_or("?"),
                    p["rust_version"].as_str().unwrap_or("?")
                ));
            }
        }
    }
    println!(
        "    dataplat declares Rust {}.{}; its {} dependencies need at most {}.{}.{}",
        declared.0,
        declared.1,
        seen.len() - 1,
        newest.0,
        newest.1,
        newest.2
    );
    if !too_new.is_empty() {
        bail!(
            "dependencies need a newer Rust than dataplat's rust-version:\n  {}",
            too_new.join("\n  ")
        );
    }
    Ok(())
}
