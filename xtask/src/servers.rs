//! Real servers the end-to-end tests (and `cargo xtask demo`) run against, and what starting
//! and stopping them takes: Stoplight Prism mocks and proxies from the pinned npm packages here,
//! Apache Airflow in [`crate::airflow_server`].
//!
//! Every server binds to 127.0.0.1 on a free port, runs in its own process group, and is
//! stopped by that group's id when its [`Process`] is dropped — on success, on a failed test,
//! or on an error while starting the next one.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// Process groups started and not yet stopped, for the signal handler.
static RUNNING: std::sync::Mutex<Vec<u32>> = std::sync::Mutex::new(Vec::new());

/// On Ctrl-C or SIGTERM, stop every server this process started, then exit.
fn stop_all_on_signal() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = ctrlc::set_handler(|| {
            let groups: Vec<u32> = RUNNING.lock().map(|g| g.clone()).unwrap_or_default();
            for signal in ["-TERM", "-KILL"] {
                for pid in &groups {
                    let _ = Command::new("kill")
                        .args([signal, "--", &format!("-{pid}")])
                        .stderr(Stdio::null())
                        .status();
                }
                std::thread::sleep(Duration::from_secs(2));
            }
            std::process::exit(130);
        });
    });
}

/// A started server process (and its children, through its process group).
pub struct Process {
    name: String,
    child: Child,
    log: PathBuf,
    /// When it was spawned: readiness timeouts count from here.
    started: Instant,
}

impl Process {
    /// Starts `command` in a new process group, output to `log`.
    pub fn spawn(name: &str, command: &mut Command, log: PathBuf) -> Result<Self> {
        let out =
            std::fs::File::create(&log).with_context(|| format!("creating {}", log.display()))?;
        let child = command
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .process_group(0)
            .spawn()
            .with_context(|| format!("starting {name}"))?;
        stop_all_on_signal();
        if let Ok(mut running) = RUNNING.lock() {
            running.push(child.id());
        }
        Ok(Self {
            name: name.to_string(),
            child,
            log,
            started: Instant::now(),
        })
    }

    /// The process id, which is also its process group id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The last `lines` lines of its log, for failure messages.
    pub fn log_tail(&self, lines: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// Fails when the process has exited already.
    pub fn check_running(&mut self) -> Result<()> {
        if let Some(status) = self.child.try_wait()? {
            bail!(
                "{} exited early ({status}); its log ends:\n{}",
                self.name,
                self.log_tail(30)
            );
        }
        Ok(())
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        // TERM the whole group (gunicorn workers, task runners), then KILL what is left.
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.wait();
        if let Ok(mut running) = RUNNING.lock() {
            running.retain(|pid| *pid != self.child.id());
        }
    }
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> Result<u16> {
    Ok(TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port())
}

/// The foreground phase of `cargo xtask test` (servers start in the background while it
/// runs): named when a server is not ready in time, since a loaded machine is the usual cause.
static PHASE: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());

/// Records the foreground phase (see [`PHASE`]).
pub fn set_phase(name: &str) {
    if let Ok(mut phase) = PHASE.lock() {
        *phase = name.to_string();
    }
}

fn phase() -> String {
    PHASE.lock().map(|p| p.clone()).unwrap_or_default()
}

/// Polls `url` until it answers `want` (any status when `None`), or fails after `timeout`,
/// counted from the process's start, naming the process whose log explains why and the
/// foreground phase that was running. Prints how long readiness took, to keep the timeouts
/// honest (they are three times the worst seen on a loaded 2-core machine).
pub fn wait_for_http(
    url: &str,
    want: Option<u16>,
    timeout: Duration,
    process: &mut Process,
) -> Result<()> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()?;
    let started = process.started;
    loop {
        process.check_running()?;
        if let Ok(response) = client.get(url).send() {
            let status = response.status().as_u16();
            if want.is_none_or(|w| w == status) {
                println!(
                    "    {:<40} ready {:>5.1} s after it started",
                    process.name,
                    started.elapsed().as_secs_f64()
                );
                return Ok(());
            }
        }
        if started.elapsed() > timeout {
            let during = phase();
            bail!(
                "{url} did not answer {} within {timeout:?} of {} starting (the foreground phase was: {}); its log ends:\n{}",
                want.map_or("at all".to_string(), |w| w.to_string()),
                process.name,
                if during.is_empty() { "none" } else { &during },
                process.log_tail(30)
            );
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// A running Prism (mock or proxy).
pub struct Prism {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    _process: Process,
}

/// `prism mock` of `spec` (validates every request; answers from the spec's examples).
/// `dynamic` answers with data generated from the schemas instead, from a fixed seed so every
/// run sees the same answers.
pub fn start_prism_mock(
    root: &Path,
    name: &str,
    spec: &Path,
    dynamic: bool,
    logs: &Path,
) -> Result<Prism> {
    let extra: &[&str] = if dynamic {
        &["--dynamic", "--seed", "dataplat"]
    } else {
        &[]
    };
    start_prism(root, name, &["mock"], spec, extra, logs)
}

/// `prism proxy --errors` of `spec` in front of `upstream`: requests and responses that
/// violate the spec become errors.
pub fn start_prism_proxy(
    root: &Path,
    name: &str,
    spec: &Path,
    upstream: &str,
    logs: &Path,
) -> Result<Prism> {
    start_prism(root, name, &["proxy"], spec, &[upstream, "--errors"], logs)
}

fn start_prism(
    root: &Path,
    name: &str,
    mode: &[&str],
    spec: &Path,
    extra: &[&str],
    logs: &Path,
) -> Result<Prism> {
    let node = crate::toolenv::node_env(root, "prism")?;
    let port = free_port()?;
    let mut command = Command::new(node.join("node_modules/.bin/prism"));
    command.args(mode).arg(spec).args(extra).args([
        "--host",
        "127.0.0.1",
        "--port",
        &port.to_string(),
    ]);
    let mut process = Process::spawn(
        &format!("prism {} ({name})", mode[0]),
        &mut command,
        logs.join(format!("prism-{name}.log")),
    )?;
    let url = format!("http://127.0.0.1:{port}");
    // Any answer means it is listening (a mock answers unknown paths with 404).
    wait_for_http(
        &format!("{url}/__dataplat_ready"),
        None,
        // Seen: at most 40 s on a loaded 2-core machine.
        Duration::from_secs(120),
        &mut process,
    )?;
    Ok(Prism {
        url,
        _process: process,
    })
}
