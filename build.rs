//! Generates one progenitor client per enabled API from `specs/<api>/effective.json`.
//!
//! An API is a folder under `specs/` and a cargo feature of the same name; this file names none
//! of them. Specs are checked before progenitor sees them (see `xtask/codegen`), so a bad spec
//! fails the build with file, JSON pointer and operationId instead of a panic inside progenitor.

use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    );
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo::rerun-if-changed=build.rs");

    // The folder, not each file: a new `specs/<api>` (or one whose effective.json appears)
    // must re-run generation too. Sources in `src/` are not watched.
    println!("cargo::rerun-if-changed=specs");

    let enabled: Vec<(String, PathBuf)> = std::fs::read_dir(root.join("specs"))
        .expect("specs/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|dir| dir.join("source.toml").is_file())
        .filter_map(|dir| {
            let name = dir.file_name()?.to_str()?.to_string();
            let feature = format!("CARGO_FEATURE_{}", name.to_uppercase().replace('-', "_"));
            std::env::var_os(feature).map(|_| (name, dir.join("effective.json")))
        })
        .collect();

    // Only the effective specs are read: upstream files and patches reach the build through
    // `cargo xtask specs normalize`, never directly.

    // Two cores here: generating the specs side by side halves the wait for a full build.
    let failures: Vec<String> = std::thread::scope(|scope| {
        let jobs: Vec<_> = enabled
            .iter()
            .map(|(name, spec)| scope.spawn(|| generate_one(&root, name, spec, &out)))
            .collect();
        jobs.into_iter()
            .filter_map(|j| j.join().expect("generation thread").err())
            .collect()
    });
    if !failures.is_empty() {
        for f in &failures {
            eprintln!("{f}");
        }
        std::process::exit(1);
    }
}

fn generate_one(root: &Path, name: &str, spec: &Path, out: &Path) -> Result<(), String> {
    let shown = spec
        .strip_prefix(root)
        .unwrap_or(spec)
        .display()
        .to_string();
    let text = std::fs::read_to_string(spec).map_err(|e| format!("error: {shown}: {e}"))?;
    let doc: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("error: {shown}: not JSON: {e}"))?;
    let generated = dataplat_codegen::generate(&shown, &doc).map_err(|problems| {
        let lines: Vec<String> = problems.iter().map(|p| format!("error: {p}")).collect();
        format!(
            "{}\nerror: the `{name}` client cannot be generated ({} problem(s)); fix specs/{name}/patches.json and run `cargo xtask specs normalize {name}`",
            lines.join("\n"),
            problems.len()
        )
    })?;
    std::fs::write(out.join(format!("{name}.rs")), generated.code)
        .map_err(|e| format!("error: writing {name}.rs: {e}"))?;
    // Typed mock servers (`mock` feature): from the same document, for the module `crate::<api>`.
    if std::env::var_os("CARGO_FEATURE_MOCK").is_some() {
        let mock = dataplat_codegen::generate_mock(&shown, &doc, &format!("crate::{name}"))
            .map_err(|problems| {
                let lines: Vec<String> = problems.iter().map(|p| format!("error: {p}")).collect();
                format!(
                    "{}\nerror: the `{name}` mock server cannot be generated",
                    lines.join("\n")
                )
            })?;
        std::fs::write(out.join(format!("{name}_mock.rs")), mock)
            .map_err(|e| format!("error: writing {name}_mock.rs: {e}"))?;
    }
    Ok(())
}
