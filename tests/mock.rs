//! The typed mock servers (`mock` feature) used as a user's tests would use them: each client
//! built with its real constructor against the mock's URL (login endpoints answered by the
//! mock), a list paged through with the client's stream, a waiter reaching its state over a
//! resource that moves through states, an error of the API's own shape, and a request decoded
//! afterwards as the operation's request type.
#![cfg(all(
    feature = "mock",
    feature = "galaxy",
    feature = "airflow",
    feature = "airflow3",
    feature = "astra",
    feature = "acm",
    feature = "biganimal"
))]

use std::time::Duration;

use dataplat::SecretString;
use dataplat::core::wait::WaitOptions;
use dataplat::core::{CollectItems, Error};
use serde_json::{Value, json};

fn fast() -> WaitOptions {
    WaitOptions::new(Duration::from_millis(5), Duration::from_secs(10))
}

fn from_json<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("the test's JSON is the type")
}

mod galaxy {
    use super::*;
    use dataplat::galaxy::mock::{
        MockServer, MockServerExt, Recorder, pages, states, token_endpoint,
    };
    use dataplat::galaxy::{Client, GalaxyCredentials, types};

    fn cluster(id: &str, state: &str) -> types::Cluster {
        from_json(json!({
            "syncToken": "s", "clusterId": id, "name": "analytics", "cloudRegionId": "aws-us-east1",
            "catalogRefs": [], "batchCluster": false, "warpSpeedCluster": false, "minWorkers": 1,
            "maxWorkers": 2, "clusterState": state
        }))
    }

    /// The production constructor, only with the mock's URL (and Galaxy's rate limits off, which
    /// would otherwise pace the waiter's polls).
    fn client(server: &MockServer) -> Client {
        let credentials = GalaxyCredentials::new(
            &server.base_url(),
            "client-id",
            SecretString::from("secret"),
        );
        Client::with_context(
            &server.base_url(),
            credentials.context().with_rate_limits(vec![]),
        )
    }

    #[tokio::test]
    async fn pages_waits_records_and_fails_as_galaxy_does() {
        let server = MockServer::start_async().await;
        let login = token_endpoint(&server);
        let galaxy = client(&server);

        // A list over three pages, through the stream.
        let all: Vec<types::Cluster> = (0..250)
            .map(|i| cluster(&format!("w-{i}"), "RUNNING"))
            .collect();
        pages(&server, "/public/api/v1/cluster", &all);
        let got = galaxy
            .list_cluster_stream(|b| b.page_size(100))
            .collect_items(None)
            .await
            .unwrap();
        assert_eq!(got.len(), 250);
        assert_eq!(got[249].cluster_id, "w-249");

        // A cluster that starts, for the waiter.
        states(
            &server,
            "/public/api/v1/cluster/w-7",
            &[
                cluster("w-7", "STARTING"),
                cluster("w-7", "STARTING"),
                cluster("w-7", "RUNNING"),
            ],
        );
        let running = galaxy
            .wait_until_cluster_running("w-7", fast())
            .await
            .unwrap();
        assert_eq!(running.cluster_state.as_deref(), Some("RUNNING"));

        // A typed request, decoded afterwards as the operation's body type.
        let created: types::Tag =
            from_json(json!({"syncToken": "s", "tagId": "t-1", "name": "pii", "color": "#ff0000"}));
        let sent = Recorder::<types::NewTag>::new();
        server.create_tag(|_when, then| {
            sent.answer(then.into_inner(), 200, &created);
        });
        galaxy
            .create_tag()
            .body(from_json::<types::NewTag>(
                json!({"name": "pii", "color": "#ff0000"}),
            ))
            .send()
            .await
            .unwrap();
        let requests = sent.requests();
        assert_eq!(requests.len(), 1);
        assert_eq!(
            (requests[0].name.as_str(), requests[0].color.as_str()),
            ("pii", "#ff0000")
        );

        // An error of Galaxy's own shape, typed on both sides.
        let missing: types::GalaxyError = from_json(json!({
            "errorType": "ResourceInfo", "errorMessage": "no such tag", "resourceType": "Tag",
            "resourceId": "t-9"
        }));
        server.get_tag(|when, then| {
            when.tag_id("t-9");
            then.not_found(&missing);
        });
        let err = galaxy.get_tag().tag_id("t-9").send().await.unwrap_err();
        assert!(matches!(&err, Error::Status { status: 404, .. }), "{err}");
        assert_eq!(err.body(), Some(&missing));

        // One login for everything above.
        login.assert_calls_async(1).await;
    }
}

mod airflow {
    use super::*;
    use dataplat::airflow::mock::{MockServer, MockServerExt, Recorder, base_url, pages, states};
    use dataplat::airflow::{Client, types};

    #[tokio::test]
    async fn pages_waits_records_and_fails_as_airflow_does() {
        let server = MockServer::start_async().await;
        // Basic auth on every request: the production constructor with the mock's URL.
        let airflow =
            Client::with_password(&base_url(&server), "admin", &SecretString::from("admin"));

        let dags: Vec<types::Dag> = (0..230)
            .map(|i| from_json(json!({"dag_id": format!("d{i:03}"), "is_paused": false})))
            .collect();
        pages(&server, "/dags", "dags", &dags);
        let got = airflow
            .get_dags_stream(|b| b.order_by("dag_id"))
            .collect_items(None)
            .await
            .unwrap();
        assert_eq!(got.len(), 230);
        assert_eq!(got[229].dag_id.as_deref(), Some("d229"));

        let run = |state: &str| -> types::DagRun {
            from_json(json!({"dag_id": "etl", "dag_run_id": "r1", "state": state}))
        };
        states(
            &server,
            "/dags/etl/dagRuns/r1",
            &[run("queued"), run("running"), run("success")],
        );
        let done = airflow
            .wait_until_dag_run_succeeds("etl", "r1", fast())
            .await
            .unwrap();
        assert_eq!(serde_json::to_value(&done.state).unwrap(), json!("success"));

        let variable: types::Variable = from_json(json!({"key": "region", "value": "eu"}));
        let sent = Recorder::<types::Variable>::new();
        server.post_variables(|_when, then| {
            sent.answer(then.into_inner(), 200, &variable);
        });
        airflow
            .post_variables()
            .body(variable.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(sent.requests(), vec![variable]);

        let missing: types::Error = from_json(json!({
            "title": "Variable not found", "status": 404.0, "type": "about:blank"
        }));
        server.get_variable(|when, then| {
            when.variable_key("nope");
            then.not_found(&missing);
        });
        let err = airflow
            .get_variable()
            .variable_key("nope")
            .send()
            .await
            .unwrap_err();
        assert!(matches!(&err, Error::Status { status: 404, .. }), "{err}");
        assert_eq!(err.body(), Some(&missing), "{err:?}");
    }
}

mod airflow3 {
    use super::*;
    use dataplat::airflow3::mock::{MockServer, MockServerExt, token_endpoint};
    use dataplat::airflow3::{Client, types};

    #[tokio::test]
    async fn logs_in_at_the_mock_and_sends_the_token() {
        let server = MockServer::start_async().await;
        let login = token_endpoint(&server);
        let variable: types::VariableResponse = from_json(json!({
            "key": "region", "value": "eu", "description": null, "is_encrypted": false, "team_name": null
        }));
        let get = server.get_variable(|when, then| {
            when.variable_key("region")
                .into_inner()
                .header_exists("authorization");
            then.ok(&variable);
        });
        let airflow =
            Client::with_password(&server.base_url(), "admin", &SecretString::from("admin"));
        for _ in 0..2 {
            let got = airflow
                .get_variable()
                .variable_key("region")
                .send()
                .await
                .unwrap();
            assert_eq!(got.value.as_deref(), Some("eu"));
        }
        login.assert_calls_async(1).await;
        get.assert_calls_async(2).await;
    }
}

mod acm {
    use super::*;
    use dataplat::acm::mock::{MockServer, base_url, login_endpoint, pages};
    use dataplat::acm::{Client, types};

    #[tokio::test]
    async fn logs_in_at_the_mock_and_pages() {
        let server = MockServer::start_async().await;
        let login = login_endpoint(&server);
        let accounts: Vec<types::User> = (0..45)
            .map(|i| from_json(json!({"id": i, "email": format!("u{i}@example.com")})))
            .collect();
        pages(&server, "/accounts", &accounts);
        let acm = Client::with_password(
            &base_url(&server),
            "ops@example.com",
            &SecretString::from("pw"),
        );
        let got = acm
            .accounts_stream(|b| b)
            .collect_items(None)
            .await
            .unwrap();
        assert_eq!(got.len(), 45);
        login.assert_calls_async(1).await;
    }
}

mod astra {
    use super::*;
    use dataplat::astra::mock::{MockServer, MockServerExt, pages, states};
    use dataplat::astra::{Client, types};

    fn database(id: &str, status: &str) -> types::Database {
        from_json(json!({"id": id, "orgId": "o", "ownerId": "u", "info": {}, "status": status}))
    }

    #[tokio::test]
    async fn pages_waits_and_fails_as_astra_does() {
        let server = MockServer::start_async().await;
        let astra = Client::with_bearer_token(&server.base_url(), &SecretString::from("AstraCS:x"))
            .unwrap();

        let all: Vec<types::Database> = (0..60)
            .map(|i| database(&format!("db-{i:03}"), "ACTIVE"))
            .collect();
        pages(&server, "/v2/databases", "id", &all);
        let got = astra
            .list_databases_stream(|b| b)
            .collect_items(None)
            .await
            .unwrap();
        assert_eq!(got.len(), 60);

        states(
            &server,
            "/v2/databases/db-new",
            &[database("db-new", "PENDING"), database("db-new", "ACTIVE")],
        );
        astra
            .wait_until_database_active("db-new", fast())
            .await
            .unwrap();

        let unauthorized: types::Errors = from_json(json!({
            "errors": [{"description": "bad token", "ID": 401}]
        }));
        server.get_database(|when, then| {
            when.database_id("db-401");
            then.unauthorized(&unauthorized);
        });
        let err = astra
            .get_database()
            .database_id("db-401")
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(401), "{err}");
    }
}

mod biganimal {
    use super::*;
    use dataplat::biganimal::mock::{MockServer, MockServerExt, base_url, device_login};
    use dataplat::biganimal::{Client, DeviceLogin, DevicePrompt, types};
    use dataplat::core::auth::MemoryTokenStore;

    #[tokio::test]
    async fn device_login_and_token_exchange_at_the_mock() {
        let server = MockServer::start_async().await;
        let login = device_login(&server);
        let projects: types::ProjectList = from_json(json!({
            "data": [{"projectId": "prj_1", "projectName": "analytics"}]
        }));
        let list = server.list_projects(|when, then| {
            when.into_inner()
                .header("authorization", "Bearer mock-biganimal-token");
            then.ok(&projects);
        });
        let prompted = std::sync::Arc::new(std::sync::Mutex::new(None));
        let seen = prompted.clone();
        let device = DeviceLogin::new(MemoryTokenStore::default(), move |p: &DevicePrompt| {
            *seen.lock().unwrap() = Some(p.user_code.clone());
        });
        let biganimal = Client::with_device_login(&base_url(&server), device);
        let got = biganimal.list_projects().send().await.unwrap();
        assert_eq!(got.data.len(), 1);
        assert_eq!(prompted.lock().unwrap().as_deref(), Some("MOCK-CODE"));
        list.assert_calls_async(1).await;
        for mock in &login {
            mock.assert_calls_async(1).await;
        }
    }
}
