//! A user's view of the crate: package the workspace (`cargo package --workspace`), unpack the
//! `.crate` files, and build scratch consumer crates that depend on `dataplat` exactly as the
//! README's dependency lines say, through `[patch.crates-io]` pointing at the unpacked packages
//! (no path into the work tree). `tests/consumer.rs` then runs them against a loopback TLS
//! server and proxy.
//!
//! ```text
//! $DATAPLAT_CACHE/consumer/
//!   packages/<name>-<version>/   the unpacked .crate files (fresh each run)
//!   crates/<variant>/            each consumer crate (fresh each run)
//!   target-<lockhash>/           their shared target directory, kept between runs
//! ```

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::toolenv::{cache_root, lock_hash, run_quiet};

/// One consumer crate: a README dependency line and the program built with it.
pub struct Variant {
    /// Its name (`consumer-<name>`), and the variable its executable is handed to the test in.
    pub name: &'static str,
    /// The dependency line, as the README shows it (the no-TLS one is the documented refusal).
    pub dependency: &'static str,
    /// `xtask/consumer/<file>`.
    pub source: &'static str,
}

/// The README's dependency lines.
pub const VARIANTS: [Variant; 3] = [
    Variant {
        name: "all",
        dependency: r#"dataplat = "0.1""#,
        source: "main.rs",
    },
    Variant {
        name: "galaxy",
        dependency: r#"dataplat = { version = "0.1", default-features = false, features = ["galaxy", "tls-ring"] }"#,
        source: "main.rs",
    },
    Variant {
        name: "galaxy-no-tls",
        dependency: r#"dataplat = { version = "0.1", default-features = false, features = ["galaxy"] }"#,
        source: "no_tls.rs",
    },
];

/// A built consumer.
pub struct Built {
    /// The variant's name.
    pub name: &'static str,
    /// Its executable.
    pub exe: PathBuf,
    /// How long `cargo build` took.
    pub took: Duration,
}

/// Packages the workspace and builds every consumer; returns the executables.
pub fn build(root: &Path) -> Result<Vec<Built>> {
    build_variants(root, &VARIANTS, None)
}

/// Cold builds, dependencies included, each in a target directory of its own under `scratch`
/// (for `cargo xtask bench`'s build-cost rows): the time a user's first `cargo build` takes.
pub fn build_cold(root: &Path, names: &[&str], scratch: &Path) -> Result<Vec<Built>> {
    let variants: Vec<Variant> = VARIANTS
        .into_iter()
        .filter(|v| names.contains(&v.name))
        .collect();
    build_variants(root, &variants, Some(scratch))
}

fn build_variants(root: &Path, variants: &[Variant], cold: Option<&Path>) -> Result<Vec<Built>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let base = cache_root().join("consumer");
    let packages = base.join("packages");
    let _ = std::fs::remove_dir_all(&packages);
    std::fs::create_dir_all(&packages)?;
    // Where cargo puts the .crate files: the target directory's `package/`.
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let package_dir = target_dir.join("package");
    let _ = std::fs::remove_dir_all(&package_dir);
    run_quiet(
        Command::new(&cargo)
            .args([
                "package",
                "--workspace",
                "--no-verify",
                "--allow-dirty",
                "--locked",
            ])
            .current_dir(root),
        "cargo package --workspace",
    )?;
    let mut unpacked = Vec::new();
    for entry in std::fs::read_dir(&package_dir)? {
        let crate_file = entry?.path();
        if crate_file.extension().is_none_or(|e| e != "crate") {
            continue;
        }
        run_quiet(
            Command::new("tar")
                .arg("xzf")
                .arg(&crate_file)
                .arg("-C")
                .arg(&packages),
            "unpacking a .crate",
        )?;
        let name = crate_file
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        unpacked.push(name);
    }
    let dir_of = |prefix: &str| -> Result<PathBuf> {
        unpacked
            .iter()
            .find(|n| {
                n.strip_prefix(prefix).is_some_and(|rest| {
                    rest.starts_with('-') && rest[1..].starts_with(|c: char| c.is_ascii_digit())
                })
            })
            .map(|n| packages.join(n))
            .with_context(|| format!("no packaged {prefix} among {unpacked:?}"))
    };
    let dataplat = dir_of("dataplat")?;
    let codegen = dir_of("dataplat-codegen")?;
    let lock = root.join("Cargo.lock");
    let target = base.join(format!(
        "target-{}",
        lock_hash(std::slice::from_ref(&lock))?
    ));
    prune_other_targets(&base, &target);
    let mut built = Vec::new();
    for variant in variants {
        let target = match cold {
            Some(scratch) => scratch.join(format!("target-{}", variant.name)),
            None => target.clone(),
        };
        let dir = base.join("crates").join(variant.name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("src"))?;
        let manifest = format!(
            r#"[package]
name = "consumer-{name}"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
{dependency}
tokio = {{ version = "1", features = ["macros", "rt-multi-thread"] }}

# The packaged crates, not the work tree: what a user gets from the registry.
[patch.crates-io]
dataplat = {{ path = "{dataplat}" }}
dataplat-codegen = {{ path = "{codegen}" }}

[workspace]
"#,
            name = variant.name,
            dependency = variant.dependency,
            dataplat = dataplat.display(),
            codegen = codegen.display(),
        );
        std::fs::write(dir.join("Cargo.toml"), manifest)?;
        std::fs::copy(
            root.join("xtask/consumer").join(variant.source),
            dir.join("src/main.rs"),
        )?;
        // The workspace's resolution, so the consumer builds what the tests tested.
        std::fs::copy(&lock, dir.join("Cargo.lock"))?;
        let started = Instant::now();
        let status = Command::new(&cargo)
            .args(["build", "--quiet"])
            .env("CARGO_TARGET_DIR", &target)
            .current_dir(&dir)
            .status()
            .with_context(|| format!("building consumer-{}", variant.name))?;
        if !status.success() {
            bail!(
                "the consumer `{}` ({}) does not build from the packaged crates",
                variant.name,
                variant.dependency
            );
        }
        let took = started.elapsed();
        println!(
            "    consumer-{:<14} {:>6.1} s  {}",
            variant.name,
            took.as_secs_f64(),
            variant.dependency
        );
        built.push(Built {
            name: variant.name,
            exe: target
                .join("debug")
                .join(format!("consumer-{}", variant.name)),
            took,
        });
    }
    Ok(built)
}

/// Removes the consumer target directories of other locks (each is a few GB of a build no run
/// will use again once the lock changed).
fn prune_other_targets(base: &Path, keep: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let stale = path != keep
            && path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("target-"));
        if stale {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

/// The variables `tests/consumer.rs` finds the executables in.
pub fn vars(built: &[Built]) -> Vec<(String, String)> {
    built
        .iter()
        .map(|b| {
            (
                format!(
                    "DATAPLAT_CONSUMER_{}",
                    b.name.to_uppercase().replace('-', "_")
                ),
                b.exe.display().to_string(),
            )
        })
        .collect()
}
