//! The six APIs, each as its operation table, its client from the configuration, and a way to
//! run one of its operations.

use std::future::Future;
use std::pin::Pin;

use dataplat::core::cli::{Args, Failure, FailureKind, Operation};
use serde_json::Value;

/// A running operation.
pub type Running = Pin<Box<dyn Future<Output = Result<Value, Failure>> + Send>>;

/// One API of the command line.
pub struct Api {
    /// The subcommand (`galaxy`).
    pub name: &'static str,
    /// Its help line.
    pub about: &'static str,
    /// Its operations.
    pub operations: fn() -> &'static [Operation],
    /// Whether a client can be built from the configuration (the reason when not).
    pub status: fn(Option<&str>) -> Result<(), String>,
    /// Runs operation `name` with the client from the configuration (`profile`); with `all`,
    /// prints every item of a list as a JSON line as it comes, or, with `collect`, returns them
    /// all as one array (for a table).
    pub run: fn(Option<&str>, &'static str, Args, bool, bool) -> Running,
}

fn auth_failure(error: dataplat::core::AuthError) -> Failure {
    Failure {
        kind: FailureKind::Auth,
        message: error.to_string(),
        body: None,
    }
}

macro_rules! api {
    ($name:literal, $module:ident, $about:literal) => {
        api!(
            $name,
            $module,
            $about,
            dataplat::$module::Client::from_config
        )
    };
    ($name:literal, $module:ident, $about:literal, $client:path) => {
        Api {
            name: $name,
            about: $about,
            operations: || dataplat::$module::cli_table::OPERATIONS,
            status: |profile| $client(profile).map(|_| ()).map_err(|e| e.to_string()),
            run: |profile, operation, args, all, collect| {
                let client = $client(profile);
                Box::pin(async move {
                    let client = client.map_err(auth_failure)?;
                    if all {
                        let progress = crate::progress::Items::new();
                        let mut items = Vec::new();
                        let mut sink = |item: Value| {
                            progress.one_more();
                            if collect {
                                items.push(item);
                            } else {
                                println!("{item}");
                            }
                        };
                        let running = dataplat::$module::cli_table::invoke_all(
                            &client, operation, &args, &mut sink,
                        )
                        .expect("--all is offered only for lists with a stream");
                        let done = running.await;
                        progress.finish();
                        done?;
                        Ok(Value::Array(items))
                    } else {
                        let running =
                            dataplat::$module::cli_table::invoke(&client, operation, &args)
                                .expect("the command table lists only known operations");
                        running.await
                    }
                })
            },
        }
    };
}

/// Every API, in the order the help lists them.
pub const APIS: &[Api] = &[
    api!(
        "astra",
        astra,
        "DataStax Astra DevOps API v2 (ASTRA_DB_APPLICATION_TOKEN)"
    ),
    api!(
        "galaxy",
        galaxy,
        "Starburst Galaxy (GALAXY_DOMAIN, GALAXY_CLIENT_ID, GALAXY_CLIENT_SECRET)"
    ),
    api!(
        "acm",
        acm,
        "Altinity Cloud Manager (ACM_API_KEY, ACM_BASE_URL)"
    ),
    api!(
        "biganimal",
        biganimal,
        "EDB BigAnimal v3 (BA_ACCESS_KEY and BA_API_URI, or `dataplat auth login biganimal`)",
        crate::login::biganimal_client
    ),
    api!(
        "airflow",
        airflow,
        "Apache Airflow 2 (AIRFLOW_API_URL with AIRFLOW_USERNAME/PASSWORD or an Astronomer key)"
    ),
    api!(
        "airflow3",
        airflow3,
        "Apache Airflow 3 (AIRFLOW_API_URL with AIRFLOW_USERNAME/PASSWORD or ASTRO_API_TOKEN)"
    ),
];
