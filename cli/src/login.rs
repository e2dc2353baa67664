//! `dataplat auth login biganimal`: EDB's device flow, the rotating refresh token kept in a
//! token file (mode 0600, written atomically by the library) next to the profile file, so
//! later `dataplat biganimal …` commands use it when no access key is configured.

use std::path::PathBuf;

use dataplat::biganimal::{Client, DeviceLogin, DevicePrompt};
use dataplat::core::AuthError;
use dataplat::core::auth::FileTokenStore;

/// `biganimal.token` beside the profile file (`~/.config/dataplat/`).
pub fn token_file() -> Option<PathBuf> {
    dataplat::core::config::profile_path()
        .and_then(|p| p.parent().map(|d| d.join("biganimal.token")))
}

/// `BA_API_URI`, or EDB's default.
fn base_url() -> String {
    std::env::var("BA_API_URI")
        .unwrap_or_else(|_| dataplat::biganimal::auth::DEFAULT_BASE_URL.into())
}

fn prompt(p: &DevicePrompt) {
    eprintln!(
        "To log in to BigAnimal, open {} and enter the code {}",
        p.verification_uri_complete
            .as_deref()
            .unwrap_or(&p.verification_uri),
        p.user_code
    );
}

/// A client logging in with the device flow and the token file.
fn device_client() -> Result<Client, AuthError> {
    let file = token_file().ok_or_else(|| {
        AuthError::new(
            "biganimal",
            "configuration",
            dataplat::core::AuthErrorKind::Configuration,
            "no home directory for the token file",
        )
    })?;
    if let Some(dir) = file.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let login = DeviceLogin::new(FileTokenStore::new(file), prompt);
    Ok(Client::with_device_login(&base_url(), login))
}

/// The client for BigAnimal commands: the configured access key, else the token file of an
/// earlier `dataplat auth login biganimal`.
pub fn biganimal_client(profile: Option<&str>) -> Result<Client, AuthError> {
    match Client::from_config(profile) {
        Ok(client) => Ok(client),
        Err(error) => match token_file() {
            Some(file) if file.exists() => device_client(),
            _ => Err(error),
        },
    }
}

/// Logs in now (prompting on stderr) and keeps the refresh token; returns the file.
pub async fn login() -> Result<PathBuf, AuthError> {
    let client = device_client()?;
    client.authenticate().await?;
    Ok(token_file().expect("checked by device_client"))
}
