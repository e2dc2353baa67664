//! Pinned third-party tools the checks and tests run (a spec validator, Apache Airflow, Prism),
//! installed by this project and cached **outside the work tree**, keyed by the hash of their
//! committed lock, so a fresh clone reuses what an earlier run installed.
//!
//! ```text
//! $DATAPLAT_CACHE (default $XDG_CACHE_HOME/dataplat, else ~/.cache/dataplat)
//!   uv-<version>/              a venv holding the pinned uv (bootstrapped with python3 -m venv + pip)
//!   venv-<name>-<lockhash>/    `uv pip sync xtask/tools/<name>/requirements.lock`
//!   node-<name>-<lockhash>/    `npm ci` of xtask/tools/<name>/package{,-lock}.json
//! ```
//! Each environment gets a marker file once complete, so an interrupted install is never
//! mistaken for a finished one.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// The uv release that installs Python environments (from PyPI).
pub const UV_VERSION: &str = "0.13.9";

/// Root of the cache.
pub fn cache_root() -> PathBuf {
    if let Some(dir) = std::env::var_os("DATAPLAT_CACHE") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(dir).join("dataplat");
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("/tmp"), PathBuf::from);
    home.join(".cache").join("dataplat")
}

/// `xtask/tools/<name>`: where a tool's lock files are committed.
pub fn tool_dir(root: &Path, name: &str) -> PathBuf {
    root.join("xtask").join("tools").join(name)
}

/// First 16 hex digits of the sha256 of the given files' bytes, in order.
pub fn lock_hash(files: &[PathBuf]) -> Result<String> {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for f in files {
        let bytes = std::fs::read(f).with_context(|| format!("reading {}", f.display()))?;
        hasher.update(&bytes);
    }
    let hex: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(hex[..16].to_string())
}

/// Runs `command`, failing with its output when it fails.
pub fn run_quiet(command: &mut Command, what: &str) -> Result<()> {
    let output = command
        .output()
        .with_context(|| format!("{what}: cannot start {:?}", command.get_program()))?;
    if !output.status.success() {
        bail!(
            "{what} failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

/// Builds `dir` with `build(dir)` unless an earlier build finished (it leaves a marker file
/// last); a half-built folder from an interrupted run is wiped and rebuilt. Building in place
/// keeps the absolute paths that venvs and npm write into their files right.
fn ensure_dir(dir: &Path, build: impl FnOnce(&Path) -> Result<()>) -> Result<PathBuf> {
    let marker = dir.join(".dataplat-complete");
    if marker.is_file() {
        return Ok(dir.to_path_buf());
    }
    // One installer at a time per entry, across threads and processes (a second run waits and
    // then finds the marker).
    std::fs::create_dir_all(dir.parent().expect("cache entries have a parent"))?;
    let name = dir.file_name().expect("cache entries are named");
    let lock = std::fs::File::create(dir.with_file_name(format!("{}.lock", name.display())))?;
    lock.lock()
        .with_context(|| format!("locking {}", dir.display()))?;
    if marker.is_file() {
        return Ok(dir.to_path_buf());
    }
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("clearing {}", dir.display()))?;
    }
    build(dir)?;
    std::fs::write(&marker, b"")?;
    Ok(dir.to_path_buf())
}

/// The pinned `uv` binary, installed on first use.
pub fn uv() -> Result<PathBuf> {
    let dir = cache_root().join(format!("uv-{UV_VERSION}"));
    let dir = ensure_dir(&dir, |tmp| {
        eprintln!("installing uv {UV_VERSION} into {}", tmp.display());
        run_quiet(
            Command::new("python3").args(["-m", "venv"]).arg(tmp),
            "python3 -m venv",
        )?;
        run_quiet(
            Command::new(tmp.join("bin/pip")).args([
                "install",
                "--quiet",
                "--disable-pip-version-check",
                &format!("uv=={UV_VERSION}"),
            ]),
            "pip install uv",
        )
    })?;
    Ok(dir.join("bin/uv"))
}

/// A Python virtual environment holding exactly `xtask/tools/<name>/requirements.lock`
/// (hash-checked); returns its root (`bin/` inside).
pub fn python_env(root: &Path, name: &str) -> Result<PathBuf> {
    let lock = tool_dir(root, name).join("requirements.lock");
    let hash = lock_hash(std::slice::from_ref(&lock))?;
    let dir = cache_root().join(format!("venv-{name}-{hash}"));
    let uv = uv()?;
    ensure_dir(&dir, |tmp| {
        eprintln!("installing {name} (lock {hash}) into {}", dir.display());
        run_quiet(
            Command::new(&uv)
                .args(["venv", "--quiet", "--python", "python3"])
                .arg(tmp),
            "uv venv",
        )?;
        run_quiet(
            Command::new(&uv)
                .args(["pip", "sync", "--quiet", "--require-hashes", "--python"])
                .arg(tmp.join("bin/python"))
                .arg(&lock)
                .env("UV_CACHE_DIR", cache_root().join("uv-cache")),
            &format!("uv pip sync {}", lock.display()),
        )?;
        Ok(())
    })
}

/// Node packages from `xtask/tools/<name>/package.json` and its committed `package-lock.json`
/// (`npm ci`); returns the folder holding `node_modules/`.
pub fn node_env(root: &Path, name: &str) -> Result<PathBuf> {
    let src = tool_dir(root, name);
    let files = [src.join("package.json"), src.join("package-lock.json")];
    let hash = lock_hash(&files)?;
    let dir = cache_root().join(format!("node-{name}-{hash}"));
    ensure_dir(&dir, |tmp| {
        eprintln!("installing {name} (lock {hash}) into {}", dir.display());
        std::fs::create_dir_all(tmp)?;
        for f in &files {
            std::fs::copy(f, tmp.join(f.file_name().unwrap()))?;
        }
        run_quiet(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                .env("npm_config_cache", cache_root().join("npm-cache"))
                .current_dir(tmp),
            "npm ci",
        )
    })
}
