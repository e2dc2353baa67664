//! `dataplat <api> wait <what>`: the library's waiters, with a progress display on stderr (a
//! spinner on a terminal, one line per change of state otherwise).

use std::future::Future;
use std::io::IsTerminal;
use std::pin::Pin;
use std::time::Duration;

use clap::{Arg, ArgMatches, Command};
use dataplat::core::cli::{Failure, FailureKind};
use dataplat::core::wait::{Progress, WaitError, WaitOptions};
use serde_json::Value;

/// A running wait.
pub type Waiting = Pin<Box<dyn Future<Output = Result<Value, Failure>> + Send>>;

/// One waiter of an API.
pub struct Waiter {
    /// The API (`galaxy`).
    pub api: &'static str,
    /// The command (`cluster-running`).
    pub name: &'static str,
    /// Its help line.
    pub about: &'static str,
    /// Its flags (all required), in the order `run` takes them.
    pub params: &'static [&'static str],
    /// Waits with the client from the configuration (`profile`).
    pub run: fn(Option<&str>, Vec<String>, WaitOptions) -> Waiting,
}

/// Exit code of a wait that timed out.
pub const TIMEOUT: u8 = 7;

fn failure<E: serde::Serialize + std::fmt::Debug>(error: WaitError<E>) -> Failure {
    match error {
        WaitError::Api { source, .. } => Failure::from_error(source),
        other => Failure {
            kind: FailureKind::Api,
            message: other.to_string(),
            body: None,
        },
    }
}

/// Whether a failure is a wait's timeout (its own exit code).
pub fn is_timeout(failure: &Failure) -> bool {
    failure.kind == FailureKind::Api && failure.message.ends_with("(timeout)")
}

fn auth(error: dataplat::core::AuthError) -> Failure {
    Failure {
        kind: FailureKind::Auth,
        message: error.to_string(),
        body: None,
    }
}

macro_rules! waiter {
    ($api:literal, $module:ident, $name:literal, $about:literal, [$($param:literal),*], $method:ident($($arg:expr),*)) => {
        Waiter {
            api: $api,
            name: $name,
            about: $about,
            params: &[$($param),*],
            run: |profile, values, options| {
                let client = dataplat::$module::Client::from_config(profile);
                Box::pin(async move {
                    let client = client.map_err(auth)?;
                    #[allow(unused_variables)]
                    let v = &values;
                    let done = client
                        .$method($($arg(v)?,)* options)
                        .await
                        .map_err(failure)?;
                    dataplat::core::cli::json(&done)
                })
            },
        }
    };
}

fn text(i: usize) -> impl Fn(&Vec<String>) -> Result<&str, Failure> {
    move |v| Ok(v[i].as_str())
}

fn number(i: usize) -> impl Fn(&Vec<String>) -> Result<i64, Failure> {
    move |v| dataplat::core::cli::parse::<i64>("id", &v[i])
}

/// Every waiter of the library.
pub const WAITERS: &[Waiter] = &[
    waiter!(
        "galaxy",
        galaxy,
        "cluster-running",
        "until the cluster runs",
        ["cluster-id"],
        wait_until_cluster_running(text(0))
    ),
    waiter!(
        "galaxy",
        galaxy,
        "cluster-stopped",
        "until the cluster is stopped",
        ["cluster-id"],
        wait_until_cluster_stopped(text(0))
    ),
    waiter!(
        "acm",
        acm,
        "cluster-running",
        "until the cluster runs",
        ["cluster-id"],
        wait_until_cluster_running(number(0))
    ),
    waiter!(
        "astra",
        astra,
        "database-active",
        "until the database is active",
        ["database-id"],
        wait_until_database_active(text(0))
    ),
    waiter!(
        "biganimal",
        biganimal,
        "cluster-healthy",
        "until the cluster is healthy",
        ["project-id", "cluster-id"],
        wait_until_cluster_healthy(text(0), text(1))
    ),
    waiter!(
        "biganimal",
        biganimal,
        "cluster-paused",
        "until the cluster is paused",
        ["project-id", "cluster-id"],
        wait_until_cluster_paused(text(0), text(1))
    ),
    waiter!(
        "airflow",
        airflow,
        "dag-run-succeeds",
        "until the DAG run succeeds",
        ["dag-id", "dag-run-id"],
        wait_until_dag_run_succeeds(text(0), text(1))
    ),
    waiter!(
        "airflow3",
        airflow3,
        "dag-run-succeeds",
        "until the DAG run succeeds",
        ["dag-id", "dag-run-id"],
        wait_until_dag_run_succeeds(text(0), text(1))
    ),
];

/// `wait` with a subcommand per waiter of `api`, if it has any.
pub fn command(api: &str) -> Option<Command> {
    let waiters: Vec<&Waiter> = WAITERS.iter().filter(|w| w.api == api).collect();
    if waiters.is_empty() {
        return None;
    }
    let mut command = Command::new("wait")
        .about("Wait for a resource to reach a state, showing its progress on stderr")
        .subcommand_required(true);
    for w in waiters {
        let mut sub = Command::new(w.name).about(w.about);
        for p in w.params {
            sub = sub.arg(Arg::new(*p).long(*p).value_name("VALUE").required(true));
        }
        sub = sub
            .arg(
                Arg::new("__interval")
                    .long("interval")
                    .value_name("SECONDS")
                    .default_value("10")
                    .value_parser(clap::value_parser!(f64)),
            )
            .arg(
                Arg::new("__timeout")
                    .long("timeout")
                    .value_name("SECONDS")
                    .default_value("1800")
                    .value_parser(clap::value_parser!(f64)),
            );
        command = command.subcommand(sub);
    }
    Some(command)
}

/// Runs the waiter `name` of `api` with its matches.
pub async fn run(
    api: &str,
    name: &str,
    matches: &ArgMatches,
    profile: Option<&str>,
) -> Result<Value, Failure> {
    let waiter = WAITERS
        .iter()
        .find(|w| w.api == api && w.name == name)
        .expect("clap only accepts known waiters");
    let values: Vec<String> = waiter
        .params
        .iter()
        .map(|p| matches.get_one::<String>(p).expect("required").clone())
        .collect();
    let seconds = |id: &str| Duration::from_secs_f64(*matches.get_one::<f64>(id).expect("default"));
    let display = Display::new();
    let options = WaitOptions::new(seconds("__interval"), seconds("__timeout"))
        .on_progress(move |p| display.show(p));
    (waiter.run)(profile, values, options).await
}

/// A spinner on a terminal, lines otherwise.
struct Display(Option<indicatif::ProgressBar>);

impl Display {
    fn new() -> Self {
        if std::io::stderr().is_terminal() {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.enable_steady_tick(Duration::from_millis(120));
            Self(Some(bar))
        } else {
            Self(None)
        }
    }

    fn show(&self, p: &Progress) {
        match &self.0 {
            Some(bar) => bar.set_message(format!(
                "{} ({} polls, {:.0?})",
                p.state, p.polls, p.elapsed
            )),
            None if p.changed || p.polls == 1 => {
                eprintln!("{} after {:.1?} ({} polls)", p.state, p.elapsed, p.polls)
            }
            None => {}
        }
    }
}
