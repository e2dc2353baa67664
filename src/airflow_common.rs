//! What the Airflow 2 and Airflow 3 clients share: the settings they read (the same
//! environment variables and profile keys), and the forms of auth Astronomer's hosting adds.
//!
//! | deployment | credential | Airflow 2 | Airflow 3 |
//! |---|---|---|---|
//! | self-hosted / local | username + password | Basic auth | JWT from `/auth/token` |
//! | Astronomer Software | service-account key, sent raw as `Authorization` | yes | – |
//! | Astro | deployment API token, sent as `Authorization: Bearer`, Astro's rate limits | yes | yes |

use reqwest::Method;
use secrecy::SecretString;

use crate::core::config::{Key, Settings};
use crate::core::{ApiProfile, AuthError, AuthErrorKind, Context, Credential, RateLimit};

/// `AIRFLOW_API_URL`: the API base URL (`…/api/v1` for Airflow 2; the server, or `…/api/v2`,
/// for Airflow 3).
pub const BASE_URL: Key = Key {
    name: "base_url",
    env: "AIRFLOW_API_URL",
};
/// `AIRFLOW_USERNAME`.
pub const USERNAME: Key = Key {
    name: "username",
    env: "AIRFLOW_USERNAME",
};
/// `AIRFLOW_PASSWORD`.
pub const PASSWORD: Key = Key {
    name: "password",
    env: "AIRFLOW_PASSWORD",
};
/// `ASTRONOMER_SERVICE_ACCOUNT_KEY` (Astronomer Software, sent raw).
pub const ASTRONOMER_KEY: Key = Key {
    name: "astronomer_key",
    env: "ASTRONOMER_SERVICE_ACCOUNT_KEY",
};
/// `ASTRO_API_TOKEN`, as the Astro CLI names it (Astro, sent as a bearer token).
pub const ASTRO_TOKEN: Key = Key {
    name: "astro_token",
    env: "ASTRO_API_TOKEN",
};

/// The one credential an Airflow configuration names, with its base URL.
pub(crate) enum Configured {
    /// `AIRFLOW_USERNAME` + `AIRFLOW_PASSWORD`.
    Password {
        base: String,
        username: String,
        password: SecretString,
    },
    /// `ASTRONOMER_SERVICE_ACCOUNT_KEY` (Airflow 2 only reads it).
    #[cfg_attr(not(feature = "airflow"), allow(dead_code))]
    AstronomerKey { base: String, key: SecretString },
    /// `ASTRO_API_TOKEN`.
    AstroToken { base: String, token: SecretString },
}

/// Reads the environment and `profile`'s `[<profile>.<api>]` table: the base URL and exactly
/// one credential kind (none, or two at once, is an error that says so).
pub(crate) fn load(api: &'static str, profile: Option<&str>) -> Result<Configured, AuthError> {
    let s = Settings::load(
        api,
        &[BASE_URL, USERNAME, PASSWORD, ASTRONOMER_KEY, ASTRO_TOKEN],
        profile,
    )?;
    let base = s.require(&BASE_URL)?;
    let kinds = [
        s.get(&USERNAME).is_some(),
        s.get(&ASTRONOMER_KEY).is_some(),
        s.get(&ASTRO_TOKEN).is_some(),
    ];
    let configuration =
        |detail: &str| AuthError::new(api, "configuration", AuthErrorKind::Configuration, detail);
    match kinds {
        [true, false, false] => Ok(Configured::Password {
            base,
            username: s.require(&USERNAME)?,
            password: s.secret(&PASSWORD)?,
        }),
        [false, true, false] => Ok(Configured::AstronomerKey {
            base,
            key: s.secret(&ASTRONOMER_KEY)?,
        }),
        [false, false, true] => Ok(Configured::AstroToken {
            base,
            token: s.secret(&ASTRO_TOKEN)?,
        }),
        [false, false, false] => Err(configuration(
            "no credential: set AIRFLOW_USERNAME and AIRFLOW_PASSWORD, ASTRONOMER_SERVICE_ACCOUNT_KEY, or ASTRO_API_TOKEN",
        )),
        _ => Err(configuration(
            "more than one credential kind is configured (password, Astronomer key, Astro token); keep one",
        )),
    }
}

/// Astro's per-token limits: 10 POST/s and 5 DELETE/s.
pub fn astro_limits() -> Vec<RateLimit> {
    vec![
        RateLimit::new(10.0, 10).for_method(Method::POST),
        RateLimit::new(5.0, 5).for_method(Method::DELETE),
    ]
}

/// An Astro deployment API token as `Authorization: Bearer`, under Astro's per-token rate
/// limits (10 POST/s, 5 DELETE/s).
pub(crate) fn astro(profile: &'static ApiProfile, token: &SecretString) -> Context {
    Context::new(profile)
        .with_credential(Credential::bearer(token))
        .with_rate_limits(astro_limits())
}

/// Serves `items` at `GET <path>` (the full path) as Airflow pages them, both versions.
#[cfg(feature = "mock")]
pub fn mock_pages<'a, T: serde::Serialize>(
    server: &'a crate::core::mock::MockServer,
    path: &str,
    key: &str,
    items: &[T],
) -> crate::core::mock::Mock<'a> {
    use crate::core::mock::query_number;
    let key = key.to_string();
    crate::core::mock::serve_pages(server, path, items, move |query, items| {
        let number = |name, default| query_number(query, name).unwrap_or(default);
        let limit = number("limit", 100).min(100);
        let offset = number("offset", 0);
        let end = (offset + limit).min(items.len());
        serde_json::json!({key.as_str(): items[offset.min(end)..end], "total_entries": items.len()})
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn astro_limits_posts_and_deletes() {
        use reqwest::Method;
        let astro = super::astro_limits();
        assert!(
            astro[0].applies(&Method::POST, "/api/v1/dags/x/dagRuns")
                && !astro[0].applies(&Method::GET, "/")
        );
        assert!(astro[1].applies(&Method::DELETE, "/api/v1/pools/p"));
    }
}
