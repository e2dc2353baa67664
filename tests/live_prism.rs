//! Every client against a Stoplight Prism mock of its own effective spec (`prism mock`, started
//! by `cargo xtask test`). Prism validates each request against the document (path, parameter
//! types, required bodies and members, security headers) and answers from the document's
//! examples or schemas; a request it flags (4xx, or an `sl-violations` header) fails, and so
//! does an answer our generated types cannot decode.
//!
//! Ignored by a plain `cargo test`; `cargo xtask test` runs them with the mocks' addresses in
//! `DATAPLAT_PRISM_<API>_URL`.

use std::fmt::Display;

use dataplat::SecretString;
use dataplat::core::{Error, ResponseValue};
use serde::de::DeserializeOwned;
use serde_json::json;

fn url(api: &str) -> String {
    let name = format!("DATAPLAT_PRISM_{}_URL", api.to_uppercase());
    std::env::var(&name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the live tests through `cargo xtask test`")
    })
}

fn from_json<T: DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).expect("test body matches its type")
}

/// Outcome of each call, so one run lists every operation Prism or decoding rejected.
#[derive(Default)]
struct Report {
    passed: Vec<&'static str>,
    failures: Vec<String>,
}

impl Report {
    fn record<T, E>(
        &mut self,
        operation: &'static str,
        result: Result<ResponseValue<T>, Error<E>>,
    ) -> Option<T>
    where
        Error<E>: Display,
    {
        match result {
            Ok(value) => {
                if let Some(v) = value.headers().get("sl-violations") {
                    self.failures.push(format!(
                        "{operation}: Prism flagged it: {}",
                        v.to_str().unwrap_or_default()
                    ));
                    return None;
                }
                self.passed.push(operation);
                Some(value.into_inner())
            }
            Err(e) => {
                self.failures.push(format!("{operation}: {e}"));
                None
            }
        }
    }

    fn finish(self, api: &str, at_least: usize) {
        println!(
            "{api}: {} operations passed Prism: {}",
            self.passed.len(),
            self.passed.join(", ")
        );
        assert!(
            self.failures.is_empty(),
            "{api}: {} operation(s) failed against Prism:\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
        assert!(
            self.passed.len() >= at_least,
            "{api}: only {} operations",
            self.passed.len()
        );
    }
}

macro_rules! call {
    ($report:ident, $op:literal, $builder:expr) => {
        $report.record($op, $builder.send().await)
    };
}

#[cfg(feature = "biganimal")]
#[tokio::test]
#[ignore = "needs the Prism mocks that `cargo xtask test` starts"]
async fn biganimal_against_prism() {
    use dataplat::biganimal::{Client, types};
    let ba = Client::with_api_key(&url("biganimal"), &SecretString::from("ba-key"));
    let p = "prj_abcdABCD01234567";
    let (csp, region, cluster) = ("aws", "eu-west-1", "p-c5jhbe65n1d8iosambm0");
    let mut r = Report::default();

    call!(r, "getAuthProvider", ba.get_auth_provider());
    call!(
        r,
        "exchangeToken",
        ba.exchange_token().body(types::AuthTokenRequest {
            token: "idp".into(),
            extra: Default::default(),
        })
    );
    call!(r, "getUserInfo", ba.get_user_info());
    let projects = call!(r, "listProjects", ba.list_projects().q("analytics"));
    assert!(projects.is_some_and(|p| !p.data.is_empty()));
    let body = || types::ProjectRequest {
        project_name: "analytics".into(),
        tags: vec![],
        extra: Default::default(),
    };
    call!(r, "createProject", ba.create_project().body(body()));
    call!(r, "getProject", ba.get_project().project_id(p));
    call!(
        r,
        "updateProject",
        ba.update_project().project_id(p).body(body())
    );
    call!(r, "deleteProject", ba.delete_project().project_id(p));
    call!(
        r,
        "listCloudProviders",
        ba.list_cloud_providers().project_id(p)
    );
    call!(r, "listRegions", ba.list_regions().project_id(p));
    call!(
        r,
        "listProviderRegions",
        ba.list_provider_regions()
            .project_id(p)
            .cloud_provider_id("bah:aws")
            .q(region)
    );
    let tags = || types::RegionActionRequest {
        tags: vec![],
        extra: Default::default(),
    };
    call!(
        r,
        "activateRegion",
        ba.activate_region()
            .project_id(p)
            .cloud_provider_id(csp)
            .region_id(region)
            .body(tags())
    );
    call!(
        r,
        "suspendRegion",
        ba.suspend_region()
            .project_id(p)
            .cloud_provider_id(csp)
            .region_id(region)
            .body(tags())
    );
    call!(
        r,
        "deleteRegion",
        ba.delete_region()
            .project_id(p)
            .cloud_provider_id(csp)
            .region_id(region)
            .body(tags())
    );
    call!(
        r,
        "listInstanceTypes",
        ba.list_instance_types()
            .project_id(p)
            .cloud_provider_id(csp)
            .region_id(region)
            .sort("instanceTypeName")
    );
    call!(
        r,
        "listVolumeTypes",
        ba.list_volume_types()
            .project_id(p)
            .cloud_provider_id(csp)
            .region_id(region)
    );
    call!(
        r,
        "listVolumeProperties",
        ba.list_volume_properties()
            .project_id(p)
            .cloud_provider_id(csp)
            .region_id(region)
            .volume_type_id("gp3")
    );
    call!(r, "listPgTypes", ba.list_pg_types().project_id(p));
    // An array query parameter, one key per value.
    call!(
        r,
        "listPgVersions",
        ba.list_pg_versions()
            .project_id(p)
            .cluster_architecture_ids(vec!["single".into(), "ha".into()])
            .pg_type_ids(vec!["epas".into()])
    );
    call!(
        r,
        "listServiceAccountIds",
        ba.list_service_account_ids()
            .project_id(p)
            .cloud_provider_id("bah:gcp")
            .region_id("us-east1")
    );
    call!(
        r,
        "listPeAllowedPrincipalIds",
        ba.list_pe_allowed_principal_ids()
            .project_id(p)
            .cloud_provider_id("bah:aws")
            .region_id(region)
    );
    call!(
        r,
        "getCloudAccountConnection",
        ba.get_cloud_account_connection()
            .project_id(p)
            .cloud_provider_id("aws")
    );
    call!(
        r,
        "connectCloudAccount",
        ba.connect_cloud_account()
            .project_id(p)
            .cloud_provider_id("aws")
            .body(types::CloudAccountConnection::AwsConnection(
                types::AwsConnection {
                    external_id: "ext-1".into(),
                    role_arn: "arn:aws:iam::123456789012:role/ba".into(),
                    policy_arn: None,
                    extra: Default::default(),
                }
            ))
    );
    call!(
        r,
        "listCspTags",
        ba.list_csp_tags().project_id(p).cloud_provider_id(csp)
    );
    call!(r, "updateCspTags", ba.update_csp_tags().project_id(p).cloud_provider_id(csp)
        .body(from_json::<types::CspTagRequest>(json!({"addTags": [{"cspTagKey": "team", "cspTagValue": "data"}], "deleteTags": [], "editTags": []}))));
    call!(
        r,
        "listClusters",
        ba.list_clusters().project_id(p).name("orders")
    );
    let create = types::ClusterRequest::builder()
        .cluster_name(Some("orders".to_string()))
        .password(Some("correct-horse-battery".to_string()))
        .cluster_architecture(Some(types::ClusterArchitecture::new("ha", 3)))
        .provider(Some(types::CloudProvider::by_id(csp)))
        .region(Some(types::Region::by_id(region)))
        .instance_type(Some(types::InstanceType::by_id("aws:m6i.large")))
        .pg_type(Some(types::PgType::by_id("epas")))
        .pg_version(Some(types::PgVersion::by_id("16")))
        .storage(Some(types::Storage::sized("gp3", "gp3", 32)))
        .pg_config(Some(vec![]))
        .tags(Some(vec![]));
    let created = call!(
        r,
        "createCluster",
        ba.create_cluster().project_id(p).body(create)
    );
    assert!(created.is_some_and(|c| !c.data.cluster_id.is_empty()));
    let got = call!(
        r,
        "getCluster",
        ba.get_cluster().project_id(p).cluster_id(cluster)
    );
    assert!(
        got.is_some_and(|c| c.data.is_healthy()),
        "the document's example is a healthy cluster"
    );
    let update = types::ClusterRequest::builder()
        .instance_type(Some(types::InstanceType::by_id("aws:m6i.xlarge")));
    call!(
        r,
        "updateCluster",
        ba.update_cluster()
            .project_id(p)
            .cluster_id(cluster)
            .body(update)
    );
    let pgd = types::ClusterRequest::builder().groups(vec![types::ClusterGroup::WitnessGroup(
        from_json(json!({"clusterType": "witness_group", "groupId": "g-1"})),
    )]);
    call!(
        r,
        "updateDistributedCluster",
        ba.update_distributed_cluster()
            .project_id(p)
            .cluster_id(cluster)
            .body(pgd)
    );
    call!(
        r,
        "getClusterConnection",
        ba.get_cluster_connection()
            .project_id(p)
            .cluster_id(cluster)
    );
    call!(
        r,
        "pauseCluster",
        ba.pause_cluster().project_id(p).cluster_id(cluster)
    );
    call!(
        r,
        "resumeCluster",
        ba.resume_cluster().project_id(p).cluster_id(cluster)
    );
    call!(
        r,
        "promoteCluster",
        ba.promote_cluster()
            .project_id(p)
            .cluster_id(cluster)
            .body(types::ClusterRequest::builder().cluster_type(Some("cluster".to_string())))
    );
    call!(
        r,
        "deleteCluster",
        ba.delete_cluster().project_id(p).cluster_id(cluster)
    );
    call!(
        r,
        "calculateWitnessGroupParams",
        ba.calculate_witness_group_params()
            .project_id(p)
            .body(types::WitnessGroupParamsRequest {
                provider: types::CloudProvider::by_id(csp),
                region: types::Region::by_id(region),
                extra: Default::default(),
            })
    );
    call!(r, "listTags", ba.list_tags());
    let tag = || types::TagRequest {
        tag_name: "prod".into(),
        color: Some("red".into()),
        extra: Default::default(),
    };
    call!(r, "createTag", ba.create_tag().body(tag()));
    call!(r, "updateTag", ba.update_tag().tag_id("t-1").body(tag()));
    call!(r, "deleteTag", ba.delete_tag().tag_id("t-1"));
    call!(
        r,
        "listTaggedResources",
        ba.list_tagged_resources().tag_names("prod")
    );

    // The other credential: a bearer token from the device flow.
    let bearer = Client::with_context(
        &url("biganimal"),
        dataplat::core::Context::new(&dataplat::biganimal::PROFILE).with_credential(
            dataplat::core::Credential::bearer(&SecretString::from("ba-bearer")),
        ),
    );
    call!(r, "listProjects (bearer)", bearer.list_projects());
    r.finish("biganimal", 41);

    // No credential: Prism enforces the document's security and answers 401. A client built
    // without credentials reports it as a status (with the typed error body); only a client
    // whose credential was refused reports Error::Auth.
    let anonymous = Client::from_base_url(&url("biganimal"));
    let err = anonymous.list_projects().send().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Status {
                status: 401,
                body: Some(_),
                ..
            }
        ),
        "{err}"
    );
}

fn bearer_context(
    api: &'static dataplat::core::ApiProfile,
    token: &str,
) -> dataplat::core::Context {
    dataplat::core::Context::new(api).with_credential(dataplat::core::Credential::bearer(
        &SecretString::from(token.to_string()),
    ))
}

#[cfg(feature = "galaxy")]
#[tokio::test]
#[ignore = "needs the Prism mocks that `cargo xtask test` starts"]
async fn galaxy_against_prism() {
    use dataplat::galaxy::{Client, types};
    // Galaxy's one flow for API calls: the bearer token its client-credentials grant returns
    // (the grant itself is not in the document; tests/auth_galaxy.rs covers it).
    let g = Client::with_context(
        &url("galaxy"),
        bearer_context(&dataplat::galaxy::PROFILE, "galaxy-token"),
    );
    let mut r = Report::default();

    let page = call!(
        r,
        "listCluster",
        g.list_cluster().page_size(2).page_token("tok-1")
    );
    assert!(page.is_some());
    call!(r, "getCluster", g.get_cluster().cluster_id("w-1"));
    call!(r, "createCluster", g.create_cluster().body(from_json::<types::CreateClusterConfiguration>(json!({
        "name": "analytics", "cloudRegionId": "aws-us-east1", "catalogRefs": ["c-1"],
        "minWorkers": 1, "maxWorkers": 4, "warpResiliencyEnabled": false, "resultCacheEnabled": false,
        "privateLinkCluster": false
    }))));
    call!(
        r,
        "patchUpdateCluster",
        g.patch_update_cluster().cluster_id("w-1").body(from_json::<
            types::UpdateClusterConfigurationPatch,
        >(json!({"maxWorkers": 8})))
    );
    call!(r, "startCluster", g.start_cluster().cluster_id("w-1"));
    call!(r, "stopCluster", g.stop_cluster().cluster_id("w-1"));
    call!(r, "deleteCluster", g.delete_cluster().cluster_id("w-1"));
    call!(r, "listCatalog", g.list_catalog().page_size(10));
    call!(
        r,
        "listSchemaOfCatalog",
        g.list_schema_of_catalog().catalog_id("c-1")
    );
    call!(
        r,
        "listTableOfCatalogSchema",
        g.list_table_of_catalog_schema()
            .catalog_id("c-1")
            .schema_id("s-1")
    );
    call!(
        r,
        "listColumnOfCatalogSchemaTable",
        g.list_column_of_catalog_schema_table()
            .catalog_id("c-1")
            .schema_id("s-1")
            .table_id("t-1")
    );
    call!(
        r,
        "getCatalogMetadataOfCatalog",
        g.get_catalog_metadata_of_catalog().catalog_id("c-1")
    );
    call!(r, "listRole", g.list_role().page_size(5));
    call!(r, "getRole", g.get_role().role_id("r-1"));
    call!(
        r,
        "createRole",
        g.create_role().body(from_json::<types::NewRole>(
            json!({"roleName": "analyst", "grantToCreatingRole": true})
        ))
    );
    call!(
        r,
        "listPrivilegeOfRole",
        g.list_privilege_of_role()
            .role_id("r-1")
            .list_all_privileges(true)
    );
    call!(
        r,
        "listRolegrantOfRole",
        g.list_rolegrant_of_role().role_id("r-1")
    );
    call!(r, "listTag", g.list_tag());
    call!(
        r,
        "createTag",
        g.create_tag().body(from_json::<types::NewTag>(
            json!({"name": "pii", "color": "#ff0000"})
        ))
    );
    call!(r, "listUser", g.list_user().page_size(50));
    call!(r, "getUser", g.get_user().user_id("u-1"));
    call!(r, "listServiceAccount", g.list_service_account());
    call!(r, "listPolicy", g.list_policy().enabling_role_id("r-1"));
    call!(r, "listColumnMask", g.list_column_mask());
    call!(r, "listRowFilter", g.list_row_filter());
    r.finish("galaxy", 15);
}

/// The operations authored from Starburst's current Terraform provider (specs/galaxy/authored),
/// and one that moved, against Prism's mock of the effective document.
#[cfg(feature = "galaxy")]
#[tokio::test]
#[ignore = "needs the Prism mocks that `cargo xtask test` starts"]
async fn galaxy_current_surface_against_prism() {
    use dataplat::galaxy::{Client, types};
    let g = Client::with_context(
        &url("galaxy"),
        bearer_context(&dataplat::galaxy::PROFILE, "galaxy-token"),
    );
    let mut r = Report::default();
    // Typed catalogs.
    call!(
        r,
        "listCatalogOfCatalogType",
        g.list_catalog_of_catalog_type()
            .catalog_type("s3")
            .page_size(10)
    );
    call!(
        r,
        "createCatalogOfCatalogType",
        g.create_catalog_of_catalog_type()
            .catalog_type("postgresql")
            .body(from_json::<types::NewTypedCatalog>(
                json!({"name": "orders", "readOnly": true, "endpoint": "db.example.com", "port": 5432})
            ))
    );
    call!(
        r,
        "getCatalogOfCatalogType",
        g.get_catalog_of_catalog_type()
            .catalog_type("s3")
            .catalog_id("c-1")
    );
    call!(
        r,
        "validateCatalogOfCatalogType",
        g.validate_catalog_of_catalog_type()
            .catalog_type("s3")
            .catalog_id("c-1")
    );
    call!(
        r,
        "deleteCatalogOfCatalogType",
        g.delete_catalog_of_catalog_type()
            .catalog_type("s3")
            .catalog_id("c-1")
    );
    call!(
        r,
        "getSchemaOfCatalog",
        g.get_schema_of_catalog().catalog_id("c-1").schema_id("s-1")
    );
    call!(
        r,
        "getTableOfCatalogSchema",
        g.get_table_of_catalog_schema()
            .catalog_id("c-1")
            .schema_id("s-1")
            .table_id("t-1")
    );
    // Data quality.
    call!(
        r,
        "getDataQualitySummaryOfCatalog",
        g.get_data_quality_summary_of_catalog().catalog_id("c-1")
    );
    call!(r, "getDataQualitySummary", g.get_data_quality_summary());
    call!(
        r,
        "listDataQualityCheck",
        g.list_data_quality_check().catalog_id("c-1")
    );
    call!(
        r,
        "createDataQualityCheck",
        g.create_data_quality_check()
            .body(from_json::<types::NewDataQualityCheck>(json!({
                "catalogId": "c-1", "schemaId": "s-1", "tableId": "t-1", "name": "no_nulls",
                "category": "Completeness", "kind": "SqlQuery", "severity": "High",
                "query": "SELECT count(*) = 0 FROM t WHERE id IS NULL"
            })))
    );
    call!(
        r,
        "getDataQualityCheck",
        g.get_data_quality_check().data_quality_check_id("q-1")
    );
    call!(
        r,
        "getEvaluationOfDataQualityCheck",
        g.get_evaluation_of_data_quality_check()
            .data_quality_check_id("q-1")
    );
    // Data products.
    call!(r, "listDataProduct", g.list_data_product().page_size(5));
    call!(
        r,
        "createDataProduct",
        g.create_data_product()
            .body(from_json::<types::NewDataProduct>(json!({
                "name": "orders", "catalogId": "c-1", "schemaName": "orders", "summary": "Orders"
            })))
    );
    call!(
        r,
        "getDataProduct",
        g.get_data_product().data_product_id("d-1")
    );
    call!(
        r,
        "listUsageExampleOfDataProduct",
        g.list_usage_example_of_data_product()
            .data_product_id("d-1")
    );
    call!(
        r,
        "deleteDataProduct",
        g.delete_data_product().data_product_id("d-1")
    );
    // Accounts and networking.
    call!(
        r,
        "listCrossAccountIamRole",
        g.list_cross_account_iam_role()
    );
    call!(
        r,
        "createCrossAccountIamRole",
        g.create_cross_account_iam_role()
            .body(from_json::<types::NewCrossAccountIamRole>(json!({
                "aliasName": "lake", "awsIamArn": "arn:aws:iam::123456789012:role/lake"
            })))
    );
    call!(
        r,
        "getCrossAccountIamRoleMetadata",
        g.get_cross_account_iam_role_metadata()
    );
    call!(r, "listPrivatelink", g.list_privatelink());
    call!(
        r,
        "getPrivatelink",
        g.get_privatelink().privatelink_id("p-1")
    );
    call!(r, "listGroup", g.list_group().page_size(5));
    call!(r, "listFileIngestSource", g.list_file_ingest_source());
    call!(r, "listKafkaIngestSource", g.list_kafka_ingest_source());
    // SQL jobs.
    call!(r, "listSqlJob", g.list_sql_job());
    call!(r, "getSqlJob", g.get_sql_job().sql_job_id("j-1"));
    call!(
        r,
        "getSqlJobStatusOfSqlJob",
        g.get_sql_job_status_of_sql_job().sql_job_id("j-1")
    );
    // Moved: privilege grants under /role/{roleId}/privilege:grant.
    call!(
        r,
        "grantPrivilegeOfRole",
        g.grant_privilege_of_role()
            .role_id("r-1")
            .body(from_json::<types::GrantPrivilege>(json!({
                "entityId": "c-1", "entityKind": "AiModel", "grantKind": "Allow",
                "grantOption": false, "privilege": "Select"
            })))
    );
    r.finish("galaxy (current surface)", 30);
}

#[cfg(feature = "astra")]
#[tokio::test]
#[ignore = "needs the Prism mocks that `cargo xtask test` starts"]
async fn astra_against_prism() {
    use dataplat::astra::{Client, TokenFormat, types};
    let a = Client::with_token(
        &url("astra"),
        &SecretString::from("AstraCS:prism:0123456789abcdef"),
        TokenFormat::ApplicationToken,
    )
    .unwrap();
    let db = "3f4e2d1c-0b9a-4c8d-9e7f-6a5b4c3d2e1f";
    let mut r = Report::default();

    call!(
        r,
        "listDatabases",
        a.list_databases()
            .include(types::ListDatabasesInclude::Nonterminated)
            .provider(types::ListDatabasesProvider::Aws)
            .starting_after(db)
            .limit(50)
    );
    call!(
        r,
        "createDatabase",
        a.create_database()
            .body(from_json::<types::DatabaseInfoCreate>(json!({
                "name": "orders", "keyspace": "shop", "cloudProvider": "AWS", "tier": "serverless",
                "capacityUnits": 1, "region": "us-east-1"
            })))
    );
    call!(r, "getDatabase", a.get_database().database_id(db));
    call!(
        r,
        "addKeyspace",
        a.add_keyspace().database_id(db).keyspace_name("shop2")
    );
    call!(
        r,
        "listDatacenters",
        a.list_datacenters().database_id(db).all(true)
    );
    call!(
        r,
        "generateSecureBundleURL",
        a.generate_secure_bundle_url().database_id(db)
    );
    call!(r, "listAvailableRegions", a.list_available_regions());
    call!(
        r,
        "listServerlessRegions",
        a.list_serverless_regions().region_type("vector")
    );
    call!(r, "getOrganizationRoles", a.get_organization_roles());
    call!(r, "getOrganizationUsers", a.get_organization_users());
    call!(r, "getCurrentOrganization", a.get_current_organization());
    call!(r, "getTokensForOrg", a.get_tokens_for_org());
    call!(
        r,
        "GetAllAccessListsForOrganization",
        a.get_all_access_lists_for_organization()
    );
    call!(
        r,
        "GetAccessListForDatabase",
        a.get_access_list_for_database().database_id(db)
    );
    // An array query parameter.
    call!(
        r,
        "DeleteAddressesOrAccessListForDatabase",
        a.delete_addresses_or_access_list_for_database()
            .database_id(db)
            .addresses(vec!["10.0.0.1/32".to_string(), "10.0.0.2/32".to_string()])
    );
    call!(r, "listSnapshots", a.list_snapshots().database_id(db));
    call!(r, "ListServerlessKeys", a.list_serverless_keys());
    call!(
        r,
        "listSCIMUsers",
        a.list_scim_users().start_index(1).count(10)
    );
    call!(
        r,
        "getSCIMServiceProviderConfig",
        a.get_scim_service_provider_config()
    );
    call!(r, "parkDatabase", a.park_database().database_id(db));
    r.finish("astra", 15);
}

#[cfg(feature = "acm")]
#[tokio::test]
#[ignore = "needs the Prism mocks that `cargo xtask test` starts"]
async fn acm_against_prism() {
    use dataplat::acm::{Client, types};
    let c = Client::with_api_key(&url("acm"), &SecretString::from("acm-key"));
    let mut r = Report::default();

    call!(r, "AccountInfo", c.account_info());
    call!(r, "AccessRights", c.access_rights());
    call!(r, "AccountRoles", c.account_roles());
    call!(r, "EnvironmentList", c.environment_list());
    call!(r, "EnvironmentShow", c.environment_show().id("17"));
    call!(r, "ClusterList", c.cluster_list().environment("17"));
    call!(r, "ClusterListAll", c.cluster_list_all());
    call!(r, "ClusterShow", c.cluster_show().id(42));
    call!(r, "ClusterStatus", c.cluster_status().cluster(42));
    call!(r, "ClusterNodes", c.cluster_nodes().id(42));
    call!(r, "ClusterBackupList", c.cluster_backup_list().id(42));
    call!(
        r,
        "ClusterSettingList",
        c.cluster_setting_list().cluster("42")
    );
    call!(
        r,
        "ClusterSettingAdd",
        c.cluster_setting_add()
            .cluster("42")
            .body(from_json::<types::ClusterSettingAddBody>(
                json!({"name": "max_threads", "value": "8"})
            ))
    );
    // Pagination parameters.
    call!(
        r,
        "ClusterAuditLog",
        c.cluster_audit_log().id(42).page(2).limit(50)
    );
    call!(
        r,
        "EnvironmentLog",
        c.environment_log().id(17).page(1).limit(20)
    );
    call!(
        r,
        "ClickhouseKeeperList",
        c.clickhouse_keeper_list().environment("17")
    );
    call!(r, "BillingInvoices", c.billing_invoices());
    r.finish("acm", 15);
}
