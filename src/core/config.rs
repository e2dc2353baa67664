//! Where credentials come from: explicit values, the environment, or a profile file.
//!
//! The profile file is `~/.config/dataplat/config.toml` (or `$DATAPLAT_CONFIG`), one table per
//! profile and API:
//!
//! ```toml
//! [default.<api>]
//! base_url = "https://api.example.com"
//! client_id = "…"
//! client_secret = "…"
//!
//! [staging.<api>]
//! api_key = "…"
//! ```
//!
//! [`Settings::load`] reads both the environment and the profile; a key set in both to different
//! values is an error that names the key and both places (never the values), not a silent pick.
//!
//! The profile table is checked: an unknown key (a misspelling) and a value that is not a
//! string are errors that name the key, the table and the file. A file holding a secret that
//! its group or others can read is refused, as ssh refuses such a key: `chmod 600` it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use secrecy::{ExposeSecret, SecretString};

use super::{AuthError, AuthErrorKind};

/// One setting of an API: its key in the profile file and its environment variable.
#[derive(Clone, Copy, Debug)]
pub struct Key {
    /// Key in the profile table (`client_secret`).
    pub name: &'static str,
    /// Environment variable, named as the vendor's own tools name it.
    pub env: &'static str,
}

/// Resolved settings of one API.
#[derive(Default)]
pub struct Settings {
    api: &'static str,
    values: BTreeMap<&'static str, SecretString>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("api", &self.api)
            .field("keys", &self.values.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// The profile file's path: `$DATAPLAT_CONFIG`, else `$XDG_CONFIG_HOME/dataplat/config.toml`,
/// else `~/.config/dataplat/config.toml`.
pub fn profile_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("DATAPLAT_CONFIG") {
        return Some(PathBuf::from(p));
    }
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("dataplat").join("config.toml"))
}

impl Settings {
    /// Reads `keys` of `api` from the environment and, when `profile` is given, from that
    /// profile's table in the profile file. A key given in both, differently, is an error.
    pub fn load(api: &'static str, keys: &[Key], profile: Option<&str>) -> Result<Self, AuthError> {
        let table = match profile {
            Some(name) => profile_table(api, name, keys)?,
            None => BTreeMap::new(),
        };
        let mut values = BTreeMap::new();
        for key in keys {
            let env = std::env::var(key.env).ok().filter(|v| !v.is_empty());
            let file = table.get(key.name).cloned();
            let value = match (env, file) {
                (Some(e), Some(f)) if e != f => {
                    return Err(conflict(api, key, profile.unwrap_or_default()));
                }
                (Some(v), _) | (None, Some(v)) => v,
                (None, None) => continue,
            };
            values.insert(key.name, SecretString::from(value));
        }
        Ok(Self { api, values })
    }

    /// Settings given directly (tests, or callers with their own configuration system).
    pub fn explicit(
        api: &'static str,
        values: impl IntoIterator<Item = (&'static str, String)>,
    ) -> Self {
        Self {
            api,
            values: values
                .into_iter()
                .map(|(k, v)| (k, SecretString::from(v)))
                .collect(),
        }
    }

    /// A non-secret value, or an error naming where it could have come from.
    pub fn require(&self, key: &Key) -> Result<String, AuthError> {
        self.secret(key).map(|s| s.expose_secret().to_string())
    }

    /// A secret value, or an error naming where it could have come from.
    pub fn secret(&self, key: &Key) -> Result<SecretString, AuthError> {
        self.values.get(key.name).cloned().ok_or_else(|| {
            AuthError::new(
                self.api,
                "configuration",
                AuthErrorKind::Configuration,
                format!(
                    "`{}` is not set: set {} or `{}` in the profile file",
                    key.name, key.env, key.name
                ),
            )
        })
    }

    /// An optional value.
    pub fn get(&self, key: &Key) -> Option<SecretString> {
        self.values.get(key.name).cloned()
    }
}

fn conflict(api: &'static str, key: &Key, profile: &str) -> AuthError {
    AuthError::new(
        api,
        "configuration",
        AuthErrorKind::Configuration,
        format!(
            "`{}` is set both by {} and by profile `{profile}` in the profile file, to different values; unset one",
            key.name, key.env
        ),
    )
}

fn profile_table(
    api: &'static str,
    profile: &str,
    keys: &[Key],
) -> Result<BTreeMap<String, String>, AuthError> {
    let config_error =
        |detail: String| AuthError::new(api, "configuration", AuthErrorKind::Configuration, detail);
    let path = profile_path().ok_or_else(|| {
        config_error("no HOME or DATAPLAT_CONFIG to find the profile file".into())
    })?;
    let text = std::fs::read_to_string(&path)
        .map_err(|e| config_error(format!("cannot read profile file {}: {e}", path.display())))?;
    let doc: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        config_error(format!(
            "{} is not valid TOML: {}",
            path.display(),
            e.message()
        ))
    })?;
    let Some(section) = doc
        .get(profile)
        .and_then(|p| p.get(api))
        .and_then(|t| t.as_table())
    else {
        return Err(config_error(format!(
            "{} has no [{profile}.{api}] table",
            path.display()
        )));
    };
    let table = format!("[{profile}.{api}] in {}", path.display());
    let known: Vec<&str> = keys.iter().map(|k| k.name).collect();
    let mut values = BTreeMap::new();
    for (key, value) in section {
        if !known.contains(&key.as_str()) {
            return Err(config_error(format!(
                "{table}: unknown key `{key}` (known keys: {})",
                known.join(", ")
            )));
        }
        match value {
            toml::Value::String(s) => {
                values.insert(key.clone(), s.clone());
            }
            other => {
                return Err(config_error(format!(
                    "{table}: `{key}` must be a string, not {} {}",
                    article(other.type_str()),
                    other.type_str()
                )));
            }
        }
    }
    let secrets: Vec<&str> = values
        .keys()
        .map(String::as_str)
        .filter(|k| super::redact::is_secret_key(k))
        .collect();
    if !secrets.is_empty()
        && let Some(mode) = readable_by_others(&path)
    {
        return Err(config_error(format!(
            "{} holds secrets ({}) and can be read by its group or others (mode {mode:o}); run `chmod 600 {}`",
            path.display(),
            secrets.join(", "),
            path.display()
        )));
    }
    Ok(values)
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// The file's permission bits, when its group or others may read it.
#[cfg(unix)]
fn readable_by_others(path: &std::path::Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o044 != 0).then_some(mode)
}

#[cfg(not(unix))]
fn readable_by_others(_path: &std::path::Path) -> Option<u32> {
    None
}
