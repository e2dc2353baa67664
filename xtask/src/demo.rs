//! `cargo xtask demo`: the README's main job. Starts the same local Apache Airflow the tests
//! use (installed on first run from the committed lock), runs `examples/airflow_quickstart.rs`
//! against it, and stops Airflow whatever happened.

use std::path::Path;
use std::process::Command;

use anyhow::{Result, bail};

/// Runs the quickstart against a fresh local Airflow 2.
pub fn run(root: &Path) -> Result<()> {
    println!("==> starting a local Apache Airflow 2.11.2 (first run installs it: about a minute)");
    let started = std::time::Instant::now();
    let airflow = crate::airflow_server::start(root, crate::airflow_server::Version::V2)?;
    println!(
        "    up at {} after {:.0} s\n==> cargo run --example airflow_quickstart",
        airflow.url,
        started.elapsed().as_secs_f64()
    );
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command.args(["run", "--quiet", "--example", "airflow_quickstart"]);
    let status = crate::airflow_server::airflow2_client_env(&mut command, &airflow.url)
        .current_dir(root)
        .status()?;
    println!("==> stopping Airflow");
    drop(airflow);
    if !status.success() {
        bail!("the quickstart failed ({status})");
    }
    Ok(())
}
