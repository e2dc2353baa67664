//! The `dataplat` binary against things nobody here wrote (ignored by a plain `cargo test`;
//! `cargo xtask test` runs it with the servers' addresses): the real Airflow 2 through Prism's
//! validating proxy, the real Airflow 3 with its JWT login, and Prism's mocks of ACM and
//! BigAnimal, which check every request against the documents.

use assert_cmd::Command;
use serde_json::Value;

fn var(name: &str) -> String {
    std::env::var(name)
        .unwrap_or_else(|_| panic!("{name} is not set: run through `cargo xtask test`"))
}

fn dataplat() -> Command {
    let mut command = Command::cargo_bin("dataplat").unwrap();
    command.env_clear().env("HOME", std::env::temp_dir());
    command
}

fn json_of(command: &mut Command) -> Value {
    let assert = command.assert().success();
    serde_json::from_slice(&assert.get_output().stdout).unwrap()
}

#[test]
#[ignore = "needs the real Airflow 2 that `cargo xtask test` starts"]
fn airflow2_through_the_validating_proxy() {
    let env = |c: &mut Command| {
        c.env("AIRFLOW_API_URL", var("DATAPLAT_AIRFLOW2_PRISM_URL"))
            .env("AIRFLOW_USERNAME", var("DATAPLAT_AIRFLOW2_USER"))
            .env("AIRFLOW_PASSWORD", var("DATAPLAT_AIRFLOW2_PASSWORD"));
    };
    let mut command = dataplat();
    env(&mut command);
    let page = json_of(command.args(["airflow", "get-dags", "--tags", "idle"]));
    assert_eq!(page["total_entries"], 5, "{page}");

    // Every DAG, one line each, through the stream.
    let mut command = dataplat();
    env(&mut command);
    let assert = command
        .args(["airflow", "get-dags", "--all"])
        .assert()
        .success();
    let lines = String::from_utf8_lossy(&assert.get_output().stdout)
        .lines()
        .count();
    assert!(lines >= 11, "{lines} DAGs");

    // A DAG that is not there: exit 4.
    let mut command = dataplat();
    env(&mut command);
    command
        .args(["airflow", "get-dag", "--dag-id", "no_such_dag"])
        .assert()
        .code(4);
}

#[test]
#[ignore = "needs the real Airflow 3 that `cargo xtask test` starts"]
fn airflow3_logs_in_and_lists() {
    let mut command = dataplat();
    command
        .env("AIRFLOW_API_URL", var("DATAPLAT_AIRFLOW3_URL"))
        .env("AIRFLOW_USERNAME", var("DATAPLAT_AIRFLOW3_USER"))
        .env("AIRFLOW_PASSWORD", var("DATAPLAT_AIRFLOW3_PASSWORD"));
    let page = json_of(command.args(["airflow3", "get-dags", "--tags", "idle"]));
    assert_eq!(page["total_entries"], 5, "{page}");
}

#[test]
#[ignore = "needs the Prism mocks that `cargo xtask test` starts"]
fn acm_and_biganimal_against_their_documents() {
    let mut command = dataplat();
    command
        .env("ACM_BASE_URL", var("DATAPLAT_PRISM_ACM_URL"))
        .env("ACM_API_KEY", "acm-key");
    json_of(command.args(["acm", "environment-list"]));

    let mut command = dataplat();
    command
        .env("BA_API_URI", var("DATAPLAT_PRISM_BIGANIMAL_URL"))
        .env("BA_ACCESS_KEY", "ba-key");
    json_of(command.args(["biganimal", "list-projects"]));
}
