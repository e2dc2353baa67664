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
    let airflow = crate::servers::start_airflow2(root)?;
    println!(
        "    up at {} after {:.0} s\n==> cargo run --example airflow_quickstart",
        airflow.url,
        started.elapsed().as_secs_f64()
    );
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["run", "--quiet", "--example", "airflow_quickstart"])
        .env("AIRFLOW_API_URL", format!("{}/api/v1", airflow.url))
        .env("AIRFLOW_USERNAME", crate::servers::AIRFLOW_USER)
        .env("AIRFLOW_PASSWORD", crate::servers::AIRFLOW_PASSWORD)
        // Only the demo's own credentials: never a developer's other Airflow settings.
        .env_remove("ASTRONOMER_SERVICE_ACCOUNT_KEY")
        .env_remove("ASTRO_API_TOKEN")
        .current_dir(root)
        .status()?;
    println!("==> stopping Airflow");
    drop(airflow);
    if !status.success() {
        bail!("the quickstart failed ({status})");
    }
    Ok(())
}
