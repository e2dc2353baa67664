//! Where a rotating refresh token lives between runs.
//!
//! Identity providers that rotate refresh tokens return a new one with each refresh and
//! retires the old. The new token is persisted before the access token it came with is used,
//! so a crash at any point leaves a valid refresh token on disk.
//!
//! [`FileTokenStore`]:
//! - writes atomically: a temporary file created exclusively (`O_EXCL`: never an existing file
//!   or a symlink planted there) with an unpredictable name and mode 0600, then renamed over
//!   the token file, which is therefore 0600 whatever was there before;
//! - locks: [`TokenStore::lock`] takes an exclusive lock on `<file>.lock`, which the device
//!   flow holds from loading the token to saving the one that replaces it, so two processes
//!   (or two clients) sharing a refresh token never both spend it;
//! - validates what it loads: a file that is not a plausible token is an error naming the file,
//!   and is never sent anywhere.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use secrecy::{ExposeSecret, SecretString};

/// Longest token a store accepts (16 KiB).
pub const MAX_STORED_TOKEN_BYTES: usize = 16 * 1024;

/// Persistence for one refresh token.
pub trait TokenStore: Send + Sync + 'static {
    /// The stored token, if any.
    fn load(&self) -> std::io::Result<Option<SecretString>>;
    /// Replaces the stored token; must be durable when it returns.
    fn save(&self, token: &SecretString) -> std::io::Result<()>;
    /// Holds every other user of the same store off until the returned lock is dropped (it may
    /// block while another holds it). The default takes no lock: a store used by one client
    /// only.
    fn lock(&self) -> std::io::Result<StoreLock> {
        Ok(StoreLock(None))
    }
    /// Where the token lives, for messages (a path; never the token).
    fn location(&self) -> String {
        "the token store".into()
    }
}

/// A held store lock (see [`TokenStore::lock`]); released when dropped.
pub struct StoreLock(Option<Box<dyn Send + Sync>>);

impl std::fmt::Debug for StoreLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "StoreLock(held)"
        } else {
            "StoreLock(none)"
        })
    }
}

impl StoreLock {
    /// A lock that is held by keeping `guard` alive.
    pub fn held(guard: impl Send + Sync + 'static) -> Self {
        Self(Some(Box::new(guard)))
    }
}

/// A token file (see the module docs).
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

    fn dir(&self) -> &Path {
        self.path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
    }

    fn invalid(&self, what: &str) -> std::io::Error {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "{} does not hold a token ({what}); remove it to log in again",
                self.path.display()
            ),
        )
    }
}

/// Whether `text` can be a token: visible ASCII only, no spaces, not too long.
fn plausible(text: &str) -> Result<(), &'static str> {
    if text.len() > MAX_STORED_TOKEN_BYTES {
        return Err("it is longer than any token");
    }
    if !text.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("it has characters no token has");
    }
    Ok(())
}

impl TokenStore for FileTokenStore {
    fn load(&self) -> std::io::Result<Option<SecretString>> {
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(std::io::Error::new(
                    e.kind(),
                    format!("reading {}: {e}", self.path.display()),
                ));
            }
        };
        let text = std::str::from_utf8(&bytes).map_err(|_| self.invalid("it is not text"))?;
        let token = text.trim();
        if token.is_empty() {
            return Ok(None);
        }
        plausible(token).map_err(|what| self.invalid(what))?;
        Ok(Some(SecretString::from(token.to_string())))
    }

    fn save(&self, token: &SecretString) -> std::io::Result<()> {
        let dir = self.dir();
        create_private_dir(dir)?;
        let name = self
            .path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("token");
        // tempfile: O_CREAT|O_EXCL, a random name, mode 0600 on Unix.
        let mut file = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|e| with_path(e, dir))?;
        file.write_all(token.expose_secret().as_bytes())?;
        file.as_file().sync_all()?;
        file.persist(&self.path)
            .map_err(|e| with_path(e.error, &self.path))?;
        // The rename is durable once the directory entry is.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    fn lock(&self) -> std::io::Result<StoreLock> {
        let dir = self.dir();
        create_private_dir(dir)?;
        let mut lock_path = self.path.clone().into_os_string();
        lock_path.push(".lock");
        let file = private_lock_file(Path::new(&lock_path))?;
        file.lock()
            .map_err(|e| with_path(e, Path::new(&lock_path)))?;
        Ok(StoreLock::held(file))
    }

    fn location(&self) -> String {
        self.path.display().to_string()
    }
}

fn with_path(e: std::io::Error, path: &Path) -> std::io::Error {
    std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

#[cfg(unix)]
fn private_lock_file(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        // A lock file that is a symlink is refused, not followed.
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .map_err(|e| with_path(e, path))
}

#[cfg(not(unix))]
fn private_lock_file(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| with_path(e, path))
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
        .map_err(|e| with_path(e, dir))
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| with_path(e, dir))
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
        Ok(self.0.lock().unwrap_or_else(|e| e.into_inner()).clone())
    }
    fn save(&self, token: &SecretString) -> std::io::Result<()> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(token.clone());
        Ok(())
    }
}
