//! Credentials from the environment and the profile file, and conflicts between them. One test
//! function: it sets process-wide environment variables.
#![cfg(all(
    feature = "galaxy",
    feature = "acm",
    feature = "airflow",
    feature = "airflow3"
))]

use dataplat::galaxy::GalaxyCredentials;

#[test]
fn environment_profile_and_conflicts() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    std::fs::write(
        &file,
        r#"
[default.galaxy]
domain = "acme.galaxy.starburst.io"
client_id = "svc-1"
client_secret = "from-profile-secret"

[staging.acm]
api_key = "acm-profile-key"
base_url = "https://acm.staging.example.com/api/"
"#,
    )
    .unwrap();
    #[cfg(unix)]
    let private = |path: &std::path::Path, mode: u32| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    #[cfg(unix)]
    private(&file, 0o600);
    // SAFETY: this test binary runs this one test only, so nothing reads the environment concurrently.
    unsafe {
        std::env::set_var("DATAPLAT_CONFIG", &file);
        for k in [
            "GALAXY_DOMAIN",
            "GALAXY_CLIENT_ID",
            "GALAXY_CLIENT_SECRET",
            "ACM_API_KEY",
            "ACM_BASE_URL",
        ] {
            std::env::remove_var(k);
        }
    }

    // Profile only.
    let creds = GalaxyCredentials::load(Some("default")).unwrap();
    assert_eq!(creds.base_url(), "https://acme.galaxy.starburst.io");
    assert!(!format!("{creds:?}").contains("from-profile-secret"));

    // Environment only (no profile named): missing values are named with their variable.
    let err = GalaxyCredentials::load(None).unwrap_err().to_string();
    assert!(
        err.contains("`domain` is not set: set GALAXY_DOMAIN"),
        "{err}"
    );
    unsafe {
        std::env::set_var("GALAXY_DOMAIN", "acme.galaxy.starburst.io");
        std::env::set_var("GALAXY_CLIENT_ID", "svc-1");
        std::env::set_var("GALAXY_CLIENT_SECRET", "from-env-secret");
    }
    assert!(GalaxyCredentials::load(None).is_ok());
    assert!(dataplat::galaxy::Client::from_config(None).is_ok());

    // Both, agreeing on domain and id but not on the secret: an error naming both places, no values.
    let err = GalaxyCredentials::load(Some("default"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(
            "`client_secret` is set both by GALAXY_CLIENT_SECRET and by profile `default`"
        ),
        "{err}"
    );
    assert!(
        !err.contains("from-env-secret") && !err.contains("from-profile-secret"),
        "{err}"
    );

    // Another API's profile table, and a missing table.
    assert!(dataplat::acm::Client::from_config(Some("staging")).is_ok());
    let err = dataplat::acm::Client::from_config(Some("prod"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("has no [prod.acm] table"), "{err}");

    // Airflow: one credential kind from the environment; two kinds at once is refused.
    unsafe {
        std::env::set_var("AIRFLOW_API_URL", "http://localhost:8080/api/v1");
        std::env::set_var("AIRFLOW_USERNAME", "admin");
        std::env::set_var("AIRFLOW_PASSWORD", "admin");
    }
    assert!(dataplat::airflow::Client::from_config(None).is_ok());
    // Airflow 3 reads the same names (a JWT login with them).
    assert!(dataplat::airflow3::Client::from_config(None).is_ok());
    unsafe { std::env::set_var("ASTRO_API_TOKEN", "astro-tok") };
    for err in [
        dataplat::airflow::Client::from_config(None)
            .unwrap_err()
            .to_string(),
        dataplat::airflow3::Client::from_config(None)
            .unwrap_err()
            .to_string(),
    ] {
        assert!(err.contains("more than one credential kind"), "{err}");
    }
    // An Astro token alone serves both; an Astronomer Software key only Airflow 2.
    unsafe {
        std::env::remove_var("AIRFLOW_USERNAME");
        std::env::remove_var("AIRFLOW_PASSWORD");
    }
    assert!(dataplat::airflow3::Client::from_config(None).is_ok());
    unsafe {
        std::env::remove_var("ASTRO_API_TOKEN");
        std::env::set_var("ASTRONOMER_SERVICE_ACCOUNT_KEY", "sa-key");
    }
    assert!(dataplat::airflow::Client::from_config(None).is_ok());
    let err = dataplat::airflow3::Client::from_config(None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("Airflow 2 (Astronomer Software)"), "{err}");
    assert!(!err.contains("sa-key"), "{err}");

    unsafe { std::env::remove_var("ASTRONOMER_SERVICE_ACCOUNT_KEY") };

    // A file with secrets that others can read is refused, as ssh refuses a key.
    #[cfg(unix)]
    {
        private(&file, 0o644);
        let err = dataplat::acm::Client::from_config(Some("staging"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("can be read by its group or others (mode 644)")
                && err.contains("chmod 600")
                && err.contains("api_key"),
            "{err}"
        );
        assert!(!err.contains("acm-profile-key"), "{err}");
        private(&file, 0o600);
    }

    // A misspelt key and a wrong type are named with their table, not "not set".
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[p.acm]\napi_kee = \"k\"\n\n[q.acm]\napi_key = [\"k\"]\n",
    )
    .unwrap();
    #[cfg(unix)]
    private(&bad, 0o600);
    unsafe { std::env::set_var("DATAPLAT_CONFIG", &bad) };
    let err = dataplat::acm::Client::from_config(Some("p"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("[p.acm] in")
            && err.contains("unknown key `api_kee`")
            && err.contains("api_key, base_url"),
        "{err}"
    );
    let err = dataplat::acm::Client::from_config(Some("q"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("[q.acm] in") && err.contains("`api_key` must be a string, not an array"),
        "{err}"
    );
}
