//! Where a rotating refresh token lives between runs.
//!
//! BigAnimal's identity provider rotates refresh tokens: each refresh returns a new one and
//! retires the old. The new token is persisted *before* the access token it came with is used,
//! so a crash at any point leaves a valid refresh token on disk.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use secrecy::{ExposeSecret, SecretString};

/// Persistence for one refresh token.
pub trait TokenStore: Send + Sync + 'static {
    /// The stored token, if any.
    fn load(&self) -> std::io::Result<Option<SecretString>>;
    /// Replaces the stored token; must be durable when it returns.
    fn save(&self, token: &SecretString) -> std::io::Result<()>;
}

/// A token file, written atomically (temp file + rename) with mode 0600.
#[derive(Debug, Clone)]
pub struct FileTokenStore {
    path: PathBuf,
}

impl FileTokenStore {
    /// A store at `path` (its directory is created on first save, mode 0700).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl TokenStore for FileTokenStore {
    fn load(&self) -> std::io::Result<Option<SecretString>> {
        match std::fs::read_to_string(&self.path) {
            Ok(text) if text.trim().is_empty() => Ok(None),
            Ok(text) => Ok(Some(SecretString::from(text.trim().to_string()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn save(&self, token: &SecretString) -> std::io::Result<()> {
        let dir = self
            .path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        create_private_dir(dir)?;
        let name = self
            .path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("token");
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        {
            let mut file = private_file(&tmp)?;
            file.write_all(token.expose_secret().as_bytes())?;
            file.sync_all()?;
        }
        std::fs::rename(&tmp, &self.path)?;
        // The rename is durable once the directory entry is.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

#[cfg(unix)]
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.exists() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// A store in memory only (nothing survives the process).
#[derive(Default)]
pub struct MemoryTokenStore(Mutex<Option<SecretString>>);

impl MemoryTokenStore {
    /// A store holding `token`.
    pub fn with(token: SecretString) -> Self {
        Self(Mutex::new(Some(token)))
    }
}

impl TokenStore for MemoryTokenStore {
    fn load(&self) -> std::io::Result<Option<SecretString>> {
        Ok(self.0.lock().expect("store lock").clone())
    }
    fn save(&self, token: &SecretString) -> std::io::Result<()> {
        *self.0.lock().expect("store lock") = Some(token.clone());
        Ok(())
    }
}
