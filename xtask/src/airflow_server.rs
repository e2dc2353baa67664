//! Real Apache Airflow servers for the live tests and `cargo xtask demo`: 2.11.2 (webserver with
//! basic auth + scheduler) and 3.3.2 (api-server with the simple auth manager and JWTs +
//! scheduler + DAG processor), each from its pinned venv (`xtask/tools/airflow{2,3}`), with
//! SQLite in a temporary home and our DAGs from `tests/airflow/dags/`.
//!
//! Both bind to 127.0.0.1 on a free port; every process runs in its own process group and is
//! stopped by it when the [`Airflow`] is dropped (see [`crate::servers::Process`]).

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::Result;

use crate::servers::{Process, free_port, wait_for_http};

/// Username of the admin user every test Airflow gets.
pub const AIRFLOW_USER: &str = "admin";
/// Its password. Only ever used on loopback servers the tests start.
pub const AIRFLOW_PASSWORD: &str = "admin";

/// Which Airflow to start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// 2.11.2, REST API v1 (`/api/v1`), basic auth.
    V2,
    /// 3.3.2, REST API v2 (`/api/v2`), JWT from `/auth/token`.
    V3,
}

impl Version {
    /// The folder under `xtask/tools/` holding its lock.
    fn tool(self) -> &'static str {
        match self {
            Version::V2 => "airflow2",
            Version::V3 => "airflow3",
        }
    }

    /// For messages: `Airflow 2.11.2`.
    pub fn label(self) -> &'static str {
        match self {
            Version::V2 => "Airflow 2.11.2",
            Version::V3 => "Airflow 3.3.2",
        }
    }

    /// A path that answers 200 once the API serves requests.
    fn health(self) -> &'static str {
        match self {
            Version::V2 => "/health",
            Version::V3 => "/api/v2/monitor/health",
        }
    }
}

/// A running Apache Airflow on loopback.
pub struct Airflow {
    /// `http://127.0.0.1:<port>` (the API is under `/api/v1` or `/api/v2`).
    pub url: String,
    // Dropped in order: the processes first, then their home folder.
    _processes: Vec<Process>,
    _home: tempfile::TempDir,
}

/// Points `command` at the test Airflow 2 at `url` the way `Client::from_config` reads it
/// (`AIRFLOW_API_URL` + basic auth), removing the other credential kinds a developer's shell
/// may hold, which `from_config` would refuse alongside.
pub fn airflow2_client_env<'a>(command: &'a mut Command, url: &str) -> &'a mut Command {
    command
        .env("AIRFLOW_API_URL", format!("{url}/api/v1"))
        .env("AIRFLOW_USERNAME", AIRFLOW_USER)
        .env("AIRFLOW_PASSWORD", AIRFLOW_PASSWORD)
        .env_remove("ASTRONOMER_SERVICE_ACCOUNT_KEY")
        .env_remove("ASTRO_API_TOKEN")
}

/// Installs (or reuses) the pinned venv of `version` and starts it with our DAGs.
pub fn start(root: &Path, version: Version) -> Result<Airflow> {
    let venv = crate::toolenv::python_env(root, version.tool())?;
    let home = tempfile::Builder::new()
        .prefix(&format!("dataplat-{}-", version.tool()))
        .tempdir()?;
    let port = free_port()?;
    let bin = venv.join("bin");
    let url = format!("http://127.0.0.1:{port}");
    let mut env = common_env(root, home.path(), &bin);
    env.extend(match version {
        Version::V2 => v2_env(port),
        Version::V3 => v3_env(home.path(), &url)?,
    });
    let airflow = |args: &[&str]| {
        let mut c = Command::new(bin.join("airflow"));
        c.args(args).envs(env.iter().map(|(k, v)| (*k, v.as_str())));
        c
    };
    let run = |args: &[&str]| {
        crate::toolenv::run_quiet(&mut airflow(args), &format!("airflow {}", args.join(" ")))
    };
    run(&["db", "migrate"])?;
    if version == Version::V2 {
        // Airflow 3's simple auth manager reads its users from the environment instead.
        run(&[
            "users",
            "create",
            "--role",
            "Admin",
            "--username",
            AIRFLOW_USER,
            "--password",
            AIRFLOW_PASSWORD,
            "--email",
            "admin@example.com",
            "--firstname",
            "Ada",
            "--lastname",
            "Admin",
        ])?;
    }
    // DAGs in the database before the API is asked about them.
    run(&["dags", "reserialize"])?;
    let port_arg = port.to_string();
    let components: Vec<(&str, Vec<&str>)> = match version {
        Version::V2 => vec![("webserver", vec![]), ("scheduler", vec![])],
        Version::V3 => vec![
            (
                "api-server",
                vec!["--host", "127.0.0.1", "--port", &port_arg, "--workers", "1"],
            ),
            ("scheduler", vec![]),
            // Airflow 3 parses DAG files in a process of its own.
            ("dag-processor", vec![]),
        ],
    };
    let mut processes = Vec::new();
    for (component, args) in components {
        let mut command = airflow(&[component]);
        command.args(args);
        processes.push(Process::spawn(
            &format!("{} {component}", version.label()),
            &mut command,
            home.path().join(format!("{component}.log")),
        )?);
    }
    wait_for_http(
        &format!("{url}{}", version.health()),
        Some(200),
        // Seen: at most 120 s for the api-server on a loaded 2-core machine (compiling on both
        // cores beside it); three times that.
        Duration::from_secs(360),
        &mut processes[0],
    )?;
    Ok(Airflow {
        url,
        _processes: processes,
        _home: home,
    })
}

/// Settings both versions share: a private home and SQLite database, our DAGs, no examples.
fn common_env(root: &Path, home: &Path, bin: &Path) -> Vec<(&'static str, String)> {
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    vec![
        ("AIRFLOW_HOME", home.display().to_string()),
        // The scheduler starts task runners as `airflow …`: the venv's bin must be on PATH.
        ("PATH", path),
        ("AIRFLOW__CORE__LOAD_EXAMPLES", "False".into()),
        (
            "AIRFLOW__CORE__DAGS_FOLDER",
            root.join("tests/airflow/dags").display().to_string(),
        ),
        (
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
            format!("sqlite:///{}", home.join("airflow.db").display()),
        ),
        // A few task slots are plenty for the test DAGs; the default (32) starts 32 workers.
        ("AIRFLOW__CORE__PARALLELISM", "4".into()),
        ("AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC", "1".into()),
        ("PYTHONWARNINGS", "ignore".into()),
    ]
}

fn v2_env(port: u16) -> Vec<(&'static str, String)> {
    vec![
        ("AIRFLOW__CORE__EXECUTOR", "SequentialExecutor".into()),
        (
            "AIRFLOW__API__AUTH_BACKENDS",
            "airflow.api.auth.backend.basic_auth".into(),
        ),
        ("AIRFLOW__WEBSERVER__WEB_SERVER_HOST", "127.0.0.1".into()),
        ("AIRFLOW__WEBSERVER__WEB_SERVER_PORT", port.to_string()),
        ("AIRFLOW__WEBSERVER__WORKERS", "2".into()),
        ("AIRFLOW__SCHEDULER__MIN_FILE_PROCESS_INTERVAL", "5".into()),
        ("AIRFLOW__SCHEDULER__DAG_DIR_LIST_INTERVAL", "10".into()),
    ]
}

/// The simple auth manager with one admin (password from a file, as it reads it), a JWT
/// secret, and the execution API that task runners call back on at this server.
fn v3_env(home: &Path, url: &str) -> Result<Vec<(&'static str, String)>> {
    let passwords = home.join("simple_auth_manager_passwords.json");
    std::fs::write(
        &passwords,
        serde_json::json!({ AIRFLOW_USER: AIRFLOW_PASSWORD }).to_string(),
    )?;
    Ok(vec![
        // LocalExecutor: runs with SQLite since Airflow 3 (SequentialExecutor is gone).
        ("AIRFLOW__CORE__EXECUTOR", "LocalExecutor".into()),
        (
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS",
            format!("{AIRFLOW_USER}:admin"),
        ),
        (
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE",
            passwords.display().to_string(),
        ),
        (
            "AIRFLOW__API_AUTH__JWT_SECRET",
            // The home folder's random name: a fresh secret per server.
            format!("dataplat-{}", home.display()),
        ),
        (
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
            format!("{url}/execution/"),
        ),
        ("AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL", "10".into()),
    ])
}
