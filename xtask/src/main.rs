//! `cargo xtask …`: spec refresh, normalisation, checks and the test runner.

use anyhow::Result;
use clap::{Parser, Subcommand};
use xtask::layout::{repo_root, select};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "dataplat maintainer tasks")]
struct Cli {
    #[command(subcommand)]
    command: Top,
}

#[derive(Subcommand)]
enum Top {
    /// Vendored OpenAPI documents: normalise, check, refresh.
    Specs {
        #[command(subcommand)]
        command: Specs,
    },
    /// Run every check and test (what CI runs).
    Test,
    /// Measure client overhead, token concurrency, pagination memory and build cost; print one
    /// table.
    Bench {
        /// Shorter criterion runs (noisier).
        #[arg(long)]
        quick: bool,
        /// The revision whose crate-alone build this tree's is compared with, built
        /// alternately with it (default: the one before the build-cost work of issue 23).
        #[arg(long, default_value = xtask::build_baseline::DEFAULT_BASELINE)]
        baseline: String,
    },
    /// The main job: start a local Apache Airflow, run examples/airflow_quickstart.rs against
    /// it (list DAGs, trigger a run, wait for it, print its task states), stop Airflow.
    Demo,
    /// Start the live test servers (real Airflow, Prism), print their variables, and keep them
    /// up until Enter is pressed (for running one live test by hand).
    Servers,
}

#[derive(Subcommand)]
enum Specs {
    /// Regenerate effective specs from upstream + grafts + patches.
    Normalize {
        /// Only this API (folder name under specs/).
        api: Option<String>,
    },
    /// Verify checksums, effective specs, patches and progenitor's acceptance; print op counts.
    Check {
        /// Only this API.
        api: Option<String>,
    },
    /// How much of each API rests on evidence of what its server sends (fixtures, patches).
    Audit {
        /// Run the fixture test again first.
        #[arg(long)]
        run: bool,
    },
    /// Fetch a new upstream document, print the operation diff, record it and re-normalise.
    /// With `--all`: every API, from the recorded URLs (exit status 1 when any changed).
    Refresh {
        /// The API to refresh (or `--all`).
        #[arg(required_unless_present = "all")]
        api: Option<String>,
        /// Every API whose source record allows it.
        #[arg(long, conflicts_with_all = ["api", "from"])]
        all: bool,
        /// Compare only: write nothing, exit 1 on drift.
        #[arg(long, requires = "all")]
        check: bool,
        /// Also write the drift report (Markdown) to this file.
        #[arg(long, requires = "all")]
        report: Option<std::path::PathBuf>,
        /// A local file or URL instead of the recorded upstream URL.
        #[arg(long)]
        from: Option<String>,
    },
}

fn main() -> Result<()> {
    let root = repo_root();
    match Cli::parse().command {
        Top::Specs {
            command: Specs::Normalize { api },
        } => {
            for api in select(&root, api.as_deref())? {
                let changed = xtask::normalize::normalize(&api)?;
                if let Some(counts) = xtask::normalize::downgrade_report(&api)? {
                    println!("{}: OpenAPI 3.1 → 3.0.3:", api.name);
                    for (rule, n) in counts {
                        println!("    {n:>5}  {rule}");
                    }
                }
                println!(
                    "{}: {}",
                    api.name,
                    if changed {
                        "effective.json rewritten"
                    } else {
                        "unchanged"
                    }
                );
            }
        }
        Top::Specs {
            command: Specs::Check { api },
        } => {
            xtask::check::run(&root, api.as_deref())?;
        }
        Top::Specs {
            command: Specs::Audit { run },
        } => {
            xtask::audit::run(&root, run)?;
        }
        Top::Specs {
            command:
                Specs::Refresh {
                    api,
                    all,
                    check,
                    report,
                    from,
                },
        } => {
            if all {
                let drifts = xtask::refresh::run_all(&root, check)?;
                let text = xtask::refresh::report(&drifts);
                println!("{text}");
                if let Some(path) = report {
                    std::fs::write(&path, &text)?;
                }
                let failed = drifts
                    .iter()
                    .any(|d| matches!(d.state, xtask::refresh::DriftState::Failed(_)));
                if failed {
                    std::process::exit(2);
                }
                if xtask::refresh::drifted(&drifts) {
                    std::process::exit(1);
                }
            } else {
                let api = api.expect("clap requires an API without --all");
                xtask::refresh::run(&root, &api, from.as_deref())?;
            }
        }
        Top::Test => xtask::test_cmd::run(&root)?,
        Top::Demo => xtask::demo::run(&root)?,
        Top::Bench { quick, baseline } => xtask::bench::run_all(&root, quick, &baseline)?,
        Top::Servers => {
            let env = xtask::live::start(&root)?;
            for (k, v) in &env.vars {
                println!("export {k}={v}");
            }
            println!("# servers are up; press Enter to stop them");
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
        }
    }
    Ok(())
}
