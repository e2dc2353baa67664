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
    // Installing the live tools (Airflow's venv, Prism) is mostly download time, and starting
    // the servers mostly waiting: both happen while the compile-bound phases run.
    let live_root = root.to_path_buf();
    let mut live = Starting(Some(std::thread::spawn(
        move || -> Result<(crate::live::LiveEnv, Duration)> {
            let started = Instant::now();
            let env = crate::live::start(&live_root)?;
            Ok((env, started.elapsed()))
        },
    )));
    timed(phases, "specs check", || {
        crate::check::run(root, None).map(|_| ())
    })?;
    timed(phases, "MSRV: no dependency needs a newer Rust", || {
        crate::msrv::check(root)
    })?;
    timed(phases, "actionlint (.github/workflows)", || {
        crate::lint::actionlint(root)
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
    // What the fixture test just found: real answers per API, decoded typed and complete.
    timed(phases, "specs audit (real answers per API)", || {
        crate::audit::run(root, false)
    })?;
    // Again with output shown: the suites print their tables (scenario or attack, requests
    // seen, outcome).
    timed(phases, "fault-injection and boundary tables", || {
        cargo(
            root,
            &[
                "test",
                // The same package set as the run above, so its build is reused as is.
                "--workspace",
                "--all-features",
                "--test",
                "faults",
                "--test",
                "boundary",
                "--",
                "--nocapture",
            ],
        )
    })?;
    // A user's view: the packaged crates, built into scratch consumers from each README
    // dependency line, calling https through a proxy with a private CA.
    let mut consumers = Vec::new();
    timed(
        phases,
        "cargo package + consumer crates (README lines)",
        || {
            consumers = crate::consumer::build(root)?;
            Ok(())
        },
    )?;
    timed(phases, "consumers: https, private CA, proxy", || {
        cargo_env(
            root,
            &[
                "test",
                "--workspace",
                "--all-features",
                "--test",
                "consumer",
                "--",
                "--ignored",
                "--nocapture",
            ],
            &crate::consumer::vars(&consumers),
        )
    })?;
    let started = Instant::now();
    let (env, took) = live
        .0
        .take()
        .expect("joined once")
        .join()
        .map_err(|_| anyhow::anyhow!("starting the live servers panicked"))??;
    phases.push((
        format!(
            "live servers: install + start (background, {:.0} s)",
            took.as_secs_f64()
        ),
        started.elapsed(),
    ));
    timed(phases, "live tests: real Airflow 2 and 3, Prism", || {
        live_tests(root, env)
    })?;
    for api in crate::layout::apis(root)? {
        // Clippy (a `check` plus lints) proves the feature compiles alone, its client generated
        // by build.rs, without a warning, at half the cost of a full build; the full build of
        // every feature is the test phase's.
        let name = format!("clippy with only feature `{}`", api.name);
        timed(phases, &name, || {
            cargo(
                root,
                &[
                    "clippy",
                    "-p",
                    "dataplat",
                    "--lib",
                    "--no-default-features",
                    "--features",
                    // With the default TLS provider, as a user with one API would build it.
                    &format!("{},tls-ring", api.name),
                    "--",
                    "-D",
                    "warnings",
                ],
            )
        })?;
    }
    Ok(())
}

/// The live servers being started in the background. When a foreground phase fails first,
/// dropping this waits for them to be up and stops them (by process group, as `LiveEnv` does
/// when dropped): a failed run leaves no Airflow or Prism behind.
struct Starting(Option<std::thread::JoinHandle<Result<(crate::live::LiveEnv, Duration)>>>);

impl Drop for Starting {
    fn drop(&mut self) {
        if let Some(handle) = self.0.take() {
            eprintln!("stopping the live servers that were starting in the background");
            drop(handle.join());
        }
    }
}

/// Runs the ignored live tests against the started servers (the Airflow 2, Airflow 3, Prism and
/// command-line suites side by side), then stops the servers by process group whatever the
/// tests did.
fn live_tests(root: &Path, env: crate::live::LiveEnv) -> Result<()> {
    let mut binaries = built(
        root,
        &[
            "test",
            "--workspace",
            "--all-features",
            "--no-run",
            "--test",
            "live_airflow2",
            "--test",
            "live_airflow3",
            "--test",
            "live_prism",
            "--test",
            "live_cli",
        ],
    )?;
    binaries.extend(built(
        root,
        &[
            "build",
            "--workspace",
            "--all-features",
            "--example",
            "airflow_quickstart",
        ],
    )?);
    let run = |name: &str, threads: &str| -> Result<std::process::Child> {
        let exe = binaries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, exe)| exe)
            .ok_or_else(|| anyhow::anyhow!("no test binary for {name}"))?;
        Ok(Command::new(exe)
            .args(["--ignored", threads])
            .envs(env.vars.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            // Prism's generated ACM answers nest the recursive Cluster schema deeply; decoding
            // them in an unoptimised build needs more than the default 2 MiB test-thread stack.
            .env("RUST_MIN_STACK", (32 << 20).to_string())
            .current_dir(root)
            .spawn()?)
    };
    // One Airflow of each version serves all of its suite's tests: one at a time keeps their
    // data apart. The Prism mocks are stateless. The three binaries run side by side.
    let mut airflow2 = run("live_airflow2", "--test-threads=1")?;
    let mut airflow3 = run("live_airflow3", "--test-threads=1")?;
    let mut cli = run("live_cli", "--test-threads=1")?;
    let prism = run("live_prism", "--test-threads=4")?.wait()?;
    let (airflow2, airflow3) = (airflow2.wait()?, airflow3.wait()?);
    let cli = cli.wait()?;
    // The main job's example against the same Airflow (`cargo xtask demo` runs it against one
    // it starts itself); `cargo test` built it.
    let url = env
        .vars
        .iter()
        .find(|(k, _)| k == "DATAPLAT_AIRFLOW2_URL")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    println!("==> examples/airflow_quickstart against the live Airflow");
    let quickstart = binaries
        .iter()
        .find(|(n, _)| n == "airflow_quickstart")
        .map(|(_, exe)| exe.clone())
        .ok_or_else(|| anyhow::anyhow!("the quickstart example was not built"))?;
    let example = crate::airflow_server::airflow2_client_env(&mut Command::new(quickstart), &url)
        .current_dir(root)
        .status()?;
    drop(env);
    let outcomes = [
        ("Airflow 2", airflow2),
        ("Airflow 3", airflow3),
        ("Prism", prism),
        ("command line", cli),
        ("quickstart", example),
    ];
    if outcomes.iter().any(|(_, status)| !status.success()) {
        let each: Vec<String> = outcomes.iter().map(|(n, s)| format!("{n}: {s}")).collect();
        bail!("the live tests failed ({})", each.join(", "));
    }
    Ok(())
}

/// Runs a cargo build command (same package set and features as the main run, so nothing is
/// rebuilt) and returns `(target name, executable)` of what it built.
pub(crate) fn built(root: &Path, args: &[&str]) -> Result<Vec<(String, std::path::PathBuf)>> {
    let cargo_bin = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo_bin)
        .args(locked(args))
        .arg("--message-format=json")
        .current_dir(root)
        .stderr(std::process::Stdio::inherit())
        .output()?;
    if !output.status.success() {
        bail!("`cargo {}` failed ({})", args.join(" "), output.status);
    }
    let mut found = Vec::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if let (Some(name), Some(exe)) = (
            message["target"]["name"].as_str(),
            message["executable"].as_str(),
        ) {
            found.push((name.to_string(), exe.into()));
        }
    }
    Ok(found)
}

/// `args` with `--locked` after a build, test or clippy subcommand: the committed lock is what
/// is tested, and a lock that would change fails the run.
fn locked<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut out = args.to_vec();
    if matches!(args.first(), Some(&("build" | "test" | "clippy" | "check"))) {
        out.insert(1, "--locked");
    }
    out
}

fn timed(
    phases: &mut Vec<(String, Duration)>,
    name: &str,
    f: impl FnOnce() -> Result<()>,
) -> Result<()> {
    println!("==> {name}");
    crate::servers::set_phase(name);
    let started = Instant::now();
    let result = f();
    phases.push((name.to_string(), started.elapsed()));
    result
}

fn cargo(root: &Path, args: &[&str]) -> Result<()> {
    cargo_env(root, args, &[])
}

fn cargo_env(root: &Path, args: &[&str], vars: &[(String, String)]) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(locked(args))
        .envs(vars.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .current_dir(root)
        .status()?;
    if !status.success() {
        bail!("`cargo {}` failed ({status})", args.join(" "));
    }
    Ok(())
}
