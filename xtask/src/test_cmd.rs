//! `cargo xtask test`: the one command that runs every check and test (the README's test
//! command, and what `.ci/run` calls). Each phase is timed and the times are printed at the end.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};

/// Runs every phase, stopping at the first failure (after printing the times so far).
pub fn run(root: &Path) -> Result<()> {
    let mut phases: Vec<(String, Duration)> = Vec::new();
    let result = run_phases(root, &mut phases);
    println!("\nphase timings:");
    for (name, took) in &phases {
        println!("  {name:<48} {:>7.1} s", took.as_secs_f64());
    }
    result
}

fn run_phases(root: &Path, phases: &mut Vec<(String, Duration)>) -> Result<()> {
    timed(phases, "specs check", || {
        crate::check::run(root, None).map(|_| ())
    })?;
    timed(phases, "cargo fmt --check", || {
        cargo(root, &["fmt", "--all", "--", "--check"])
    })?;
    timed(phases, "cargo clippy (all targets, all features)", || {
        cargo(
            root,
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--all-features",
                "--",
                "-D",
                "warnings",
            ],
        )
    })?;
    timed(phases, "cargo test (workspace, all features)", || {
        cargo(root, &["test", "--workspace", "--all-features"])
    })?;
    // Again with output shown: the suite prints its scenario table (scenario, requests, outcome).
    timed(phases, "fault-injection table", || {
        cargo(
            root,
            &[
                "test",
                // The same package set as the run above, so its build is reused as is.
                "--workspace",
                "--all-features",
                "--test",
                "faults",
                "--",
                "--nocapture",
            ],
        )
    })?;
    for api in crate::layout::apis(root)? {
        let name = format!("build with only feature `{}`", api.name);
        timed(phases, &name, || {
            cargo(
                root,
                &[
                    "build",
                    "-p",
                    "dataplat",
                    "--lib",
                    "--no-default-features",
                    "--features",
                    // With the default TLS provider, as a user with one API would build it.
                    &format!("{},tls-ring", api.name),
                ],
            )
        })?;
    }
    Ok(())
}

fn timed(
    phases: &mut Vec<(String, Duration)>,
    name: &str,
    f: impl FnOnce() -> Result<()>,
) -> Result<()> {
    println!("==> {name}");
    let started = Instant::now();
    let result = f();
    phases.push((name.to_string(), started.elapsed()));
    result
}

fn cargo(root: &Path, args: &[&str]) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo).args(args).current_dir(root).status()?;
    if !status.success() {
        bail!("`cargo {}` failed ({status})", args.join(" "));
    }
    Ok(())
}
