//! The `dataplat` binary as a script runs it, against dataplat's typed mock servers on
//! loopback: credentials from the vendors' variables, JSON on stdout, JSON lines with `--all`,
//! bodies checked before anything is sent, and an exit code per kind of failure.

use assert_cmd::Command;
use dataplat::airflow::mock as airflow_mock;
use dataplat::galaxy::mock as galaxy_mock;
use serde_json::{Value, json};

/// The binary with a clean environment: only what the test gives it.
fn dataplat() -> Command {
    let mut command = Command::cargo_bin("dataplat").unwrap();
    command.env_clear().env("HOME", std::env::temp_dir());
    command
}

fn airflow_env(command: &mut Command, server: &airflow_mock::MockServer) {
    command
        .env("AIRFLOW_API_URL", airflow_mock::base_url(server))
        .env("AIRFLOW_USERNAME", "admin")
        .env("AIRFLOW_PASSWORD", "admin-password");
}

fn dag(id: &str) -> dataplat::airflow::types::Dag {
    serde_json::from_value(json!({"dag_id": id, "is_paused": false})).unwrap()
}

#[test]
fn a_call_prints_its_answer_as_json() {
    use airflow_mock::MockServerExt;
    let server = airflow_mock::MockServer::start();
    let answer: dataplat::airflow::types::DagCollection =
        serde_json::from_value(json!({"dags": [{"dag_id": "etl"}], "total_entries": 1})).unwrap();
    let mock = server.get_dags(|when, then| {
        when.limit(5)
            .tags(&vec!["prod".to_string(), "etl".to_string()]);
        then.ok(&answer);
    });
    let mut command = dataplat();
    airflow_env(&mut command, &server);
    let output = command
        .args(["airflow", "get-dags", "--limit", "5", "--tags", "prod,etl"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let printed: Value = serde_json::from_slice(&output).unwrap();
    assert_eq!(printed["dags"][0]["dag_id"], "etl");
    assert_eq!(printed["total_entries"], 1);
    mock.assert();
}

#[test]
fn all_prints_every_item_of_every_page_as_a_line() {
    let server = airflow_mock::MockServer::start();
    let dags: Vec<_> = (0..230).map(|i| dag(&format!("d{i:03}"))).collect();
    airflow_mock::pages(&server, "/dags", "dags", &dags);
    let mut command = dataplat();
    airflow_env(&mut command, &server);
    let output = command
        .args(["airflow", "get-dags", "--all"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let lines: Vec<Value> = String::from_utf8(output)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 230);
    assert_eq!(lines[229]["dag_id"], "d229");
}

#[test]
fn a_body_that_is_not_the_operations_type_is_refused_before_sending() {
    use galaxy_mock::MockServerExt;
    let server = galaxy_mock::MockServer::start();
    let login = galaxy_mock::token_endpoint(&server);
    let create = server.create_tag(|_when, then| {
        then.ok(&serde_json::from_value(
            json!({"syncToken": "s", "tagId": "t", "name": "n", "color": "#fff"}),
        )
        .unwrap());
    });
    let assert = dataplat()
        .env("GALAXY_DOMAIN", galaxy_mock::base_url(&server))
        .env("GALAXY_CLIENT_ID", "id")
        .env("GALAXY_CLIENT_SECRET", "very-secret-value")
        .args(["galaxy", "create-tag", "--body", r#"{"name": 7}"#])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(stderr.contains("NewTag"), "{stderr}");
    assert!(!stderr.contains("very-secret-value"), "{stderr}");
    create.assert_calls(0);
    login.assert_calls(0);
}

#[test]
fn a_server_echoing_the_credential_in_its_error_body_never_gets_it_printed() {
    use airflow_mock::MockServerExt;
    let server = airflow_mock::MockServer::start();
    // base64 of `admin:admin-password`, the Basic credential `airflow_env` sets.
    let basic = "YWRtaW46YWRtaW4tcGFzc3dvcmQ=";
    // A hostile (or careless) server: its typed error body repeats what it was sent.
    let echo: dataplat::airflow::types::Error = serde_json::from_value(json!({
        "title": "Not found here",
        "status": 404,
        "type": "about:blank",
        "detail": format!("request had Authorization: Basic {basic} (admin-password)"),
    }))
    .unwrap();
    server.get_dag(|when, then| {
        when.dag_id("echo");
        then.not_found(&echo);
    });
    let mut command = dataplat();
    airflow_env(&mut command, &server);
    let assert = command
        .args(["airflow", "get-dag", "--dag-id", "echo"])
        .assert()
        .code(4);
    let output = assert.get_output();
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(printed.contains("Not found here"), "{printed}");
    assert!(!printed.contains(basic), "{printed}");
    assert!(!printed.contains("admin-password"), "{printed}");
}

#[test]
fn exit_codes_tell_failures_apart() {
    use airflow_mock::MockServerExt;
    let server = airflow_mock::MockServer::start();
    let missing: dataplat::airflow::types::Error = serde_json::from_value(
        json!({"title": "DAG not found", "status": 404, "type": "about:blank"}),
    )
    .unwrap();
    server.get_dag(|when, then| {
        when.dag_id("nope");
        then.not_found(&missing);
    });
    server.get_dag(|when, then| {
        when.dag_id("locked");
        then.unauthorized(&missing);
    });
    let run = |args: &[&str]| {
        let mut command = dataplat();
        airflow_env(&mut command, &server);
        command.args(args).assert()
    };
    // Not found: 4, with the call named and the server's answer.
    let assert = run(&["airflow", "get-dag", "--dag-id", "nope"]).code(4);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(
        stderr.contains("get_dag") || stderr.contains("getDag"),
        "{stderr}"
    );
    assert!(stderr.contains("DAG not found"), "{stderr}");
    // The server refuses the credential: 3.
    run(&["airflow", "get-dag", "--dag-id", "locked"]).code(3);
    // A missing required flag: clap's usage error, 2.
    run(&["airflow", "get-dag"]).code(2);
    // A value that is not the parameter's type: 2, nothing sent.
    run(&["airflow", "get-dags", "--limit", "many"]).code(2);
    // No credential configured: 3.
    dataplat().args(["airflow", "get-dags"]).assert().code(3);
    // Nothing listening: 6.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/api/v1", closed.local_addr().unwrap());
    drop(closed);
    dataplat()
        .env("AIRFLOW_API_URL", url)
        .env("AIRFLOW_USERNAME", "admin")
        .env("AIRFLOW_PASSWORD", "admin")
        .args(["airflow", "get-dags"])
        .assert()
        .code(6);
}

#[test]
fn auth_status_names_what_is_missing_and_never_a_secret() {
    let assert = dataplat()
        .env("GALAXY_DOMAIN", "https://example.galaxy.starburst.io")
        .env("GALAXY_CLIENT_ID", "id")
        .env("GALAXY_CLIENT_SECRET", "very-secret-value")
        .args(["auth", "status"])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("galaxy") && l.ends_with("configured")),
        "{stdout}"
    );
    assert!(stdout.contains("ASTRA_DB_APPLICATION_TOKEN"), "{stdout}");
    assert!(!stdout.contains("very-secret-value"), "{stdout}");
    assert_eq!(stdout.lines().count(), 6, "{stdout}");
}

#[test]
fn completions_are_generated_for_every_operation() {
    let assert = dataplat().args(["completions", "bash"]).assert().success();
    let script = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    for command in ["list-cluster", "get-dags", "list-databases", "accounts"] {
        assert!(
            script.contains(command),
            "{command} missing from the bash completions"
        );
    }
}

fn galaxy_env(command: &mut Command, server: &galaxy_mock::MockServer) {
    command
        .env("GALAXY_DOMAIN", galaxy_mock::base_url(server))
        .env("GALAXY_CLIENT_ID", "id")
        .env("GALAXY_CLIENT_SECRET", "secret");
}

fn cluster(state: &str) -> dataplat::galaxy::types::Cluster {
    serde_json::from_value(json!({
        "syncToken": "s", "clusterId": "w-1", "name": "etl", "cloudRegionId": "aws-us-east1",
        "catalogRefs": [], "batchCluster": false, "warpSpeedCluster": false, "minWorkers": 1,
        "maxWorkers": 1, "clusterState": state
    }))
    .unwrap()
}

#[test]
fn wait_follows_the_resource_to_its_state_and_reports_progress() {
    let server = galaxy_mock::MockServer::start();
    galaxy_mock::token_endpoint(&server);
    galaxy_mock::states(
        &server,
        "/public/api/v1/cluster/w-1",
        &[cluster("STARTING"), cluster("RUNNING")],
    );
    let mut command = dataplat();
    galaxy_env(&mut command, &server);
    let assert = command
        .args(["galaxy", "wait", "cluster-running", "--cluster-id", "w-1"])
        .args(["--interval", "0.01", "--timeout", "20"])
        .assert()
        .success();
    let output = assert.get_output();
    let done: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(done["clusterState"], "RUNNING");
    let progress = String::from_utf8_lossy(&output.stderr);
    assert!(
        progress.contains("STARTING") && progress.contains("done"),
        "{progress}"
    );
}

#[test]
fn a_wait_that_times_out_exits_7() {
    let server = galaxy_mock::MockServer::start();
    galaxy_mock::token_endpoint(&server);
    galaxy_mock::states(
        &server,
        "/public/api/v1/cluster/w-1",
        &[cluster("STARTING")],
    );
    let mut command = dataplat();
    galaxy_env(&mut command, &server);
    command
        .args(["galaxy", "wait", "cluster-running", "--cluster-id", "w-1"])
        .args(["--interval", "0.05", "--timeout", "0.3"])
        .assert()
        .code(7);
}

#[test]
fn table_output_puts_each_item_on_a_row() {
    let server = airflow_mock::MockServer::start();
    let dags: Vec<_> = (0..3).map(|i| dag(&format!("d{i}"))).collect();
    airflow_mock::pages(&server, "/dags", "dags", &dags);
    let mut command = dataplat();
    airflow_env(&mut command, &server);
    let assert = command
        .args(["--output", "table", "airflow", "get-dags"])
        .assert()
        .success();
    let out = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    assert!(out.contains("dag_id") && out.contains("is_paused"), "{out}");
    for id in ["d0", "d1", "d2"] {
        assert!(out.lines().any(|l| l.contains(id)), "{out}");
    }
}

#[test]
fn biganimal_device_login_keeps_the_token_for_later_commands() {
    use ba::MockServerExt;
    use dataplat::biganimal::mock as ba;
    let server = ba::MockServer::start();
    let login = ba::device_login(&server);
    let projects: dataplat::biganimal::types::ProjectList =
        serde_json::from_value(json!({"data": [{"projectId": "prj_1", "projectName": "a"}]}))
            .unwrap();
    server.list_projects(|_when, then| {
        then.ok(&projects);
    });
    let home = tempfile_dir();
    let config = home.join("config.toml");
    let assert = dataplat()
        .env("DATAPLAT_CONFIG", &config)
        .env("BA_API_URI", ba::base_url(&server))
        .args(["auth", "login", "biganimal"])
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(stderr.contains("MOCK-CODE"), "{stderr}");
    let token = home.join("biganimal.token");
    assert!(token.exists(), "{stderr}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&token).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // A later command uses the kept refresh token: no access key, no prompt.
    let assert = dataplat()
        .env("DATAPLAT_CONFIG", &config)
        .env("BA_API_URI", ba::base_url(&server))
        .args(["biganimal", "list-projects"])
        .assert()
        .success();
    let listed: Value = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    assert_eq!(listed["data"][0]["projectId"], "prj_1");
    assert!(!String::from_utf8_lossy(&assert.get_output().stderr).contains("MOCK-CODE"));
    // The device code was asked once; the second command refreshed instead.
    login[1].assert_calls(1);
    let _ = std::fs::remove_dir_all(&home);
}

/// A fresh directory under the system's temporary one.
fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "dataplat-cli-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
