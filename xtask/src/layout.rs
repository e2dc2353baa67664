//! Where each API's spec files live and what its source record says.
//!
//! ```text
//! specs/<api>/
//!   upstream/<file>   the vendor's document, byte for byte (plus any secondary documents)
//!   source.toml       where it came from: URL, sha256, license, date; grafts; expected op count
//!   patches.json      RFC 6902 operations, each with a `reason`
//!   effective.json    upstream + grafts + patches: what build.rs reads (written only by normalize)
//! ```
//! An API is any folder under `specs/` with a `source.toml`: adding one means adding a folder.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// One API's spec folder.
#[derive(Debug, Clone)]
pub struct ApiDir {
    /// Folder name, also the cargo feature and module name (`galaxy`).
    pub name: String,
    /// `specs/<name>`.
    pub dir: PathBuf,
}

/// Where a document came from and how to fetch it again.
#[derive(Debug, Clone, Deserialize)]
pub struct Source {
    /// Path of the vendored bytes, relative to the API folder.
    pub file: String,
    /// What `specs refresh` fetches when no `--from` is given.
    pub url: String,
    /// sha256 of the vendored bytes, lower-case hex.
    pub sha256: String,
    /// The license the document is published under, or what is known of it.
    pub license: String,
    /// Where this copy was actually taken from.
    pub obtained_from: String,
    /// When it was taken (YYYY-MM-DD).
    pub obtained_on: String,
    /// Whether `specs refresh --all` fetches it (default yes; `false` for a URL that needs a
    /// login, such as BigAnimal's portal).
    #[serde(default = "yes")]
    pub refresh: bool,
}

fn yes() -> bool {
    true
}

/// Operations taken from a secondary document because the primary lacks them.
#[derive(Debug, Clone, Deserialize)]
pub struct Graft {
    /// The secondary document's provenance.
    #[serde(flatten)]
    pub source: Source,
    /// Why these operations are grafted.
    pub reason: String,
    /// The secondary document is authored here from evidence (Galaxy's current surface): then
    /// `specs check` requires `x-dataplat-evidence` and `x-dataplat-confidence` on each of its
    /// operations.
    #[serde(default)]
    pub authored: bool,
    /// `"METHOD /path"` of each operation to take.
    pub operations: Vec<String>,
}

/// What the effective document must contain.
#[derive(Debug, Clone, Deserialize)]
pub struct Expect {
    /// Operation count of the effective document (one client method each).
    pub operations: usize,
    /// For an authored document: how many operations carry
    /// `x-dataplat-confidence: confirmed` (the rest are marked with weaker evidence).
    #[serde(default)]
    pub confirmed: Option<usize>,
}

/// A document written here from facts because the vendor publishes none.
#[derive(Debug, Clone, Deserialize)]
pub struct Authored {
    /// The facts sheet it is written from, relative to the repository's parent.
    pub facts: String,
    /// Which facts each part of the document rests on.
    pub basis: Vec<String>,
}

/// `source.toml`.
#[derive(Debug, Clone, Deserialize)]
pub struct SourceRecord {
    /// The primary upstream document.
    pub upstream: Source,
    /// Secondary documents and what is taken from them.
    #[serde(default)]
    pub graft: Vec<Graft>,
    /// Present when the "upstream" document is authored here (BigAnimal).
    #[serde(default)]
    pub authored: Option<Authored>,
    /// Expectations checked by `specs check`.
    pub effective: Expect,
}

impl ApiDir {
    /// `source.toml` of this API.
    pub fn source_path(&self) -> PathBuf {
        self.dir.join("source.toml")
    }
    /// `patches.json` of this API.
    pub fn patches_path(&self) -> PathBuf {
        self.dir.join("patches.json")
    }
    /// `effective.json` of this API.
    pub fn effective_path(&self) -> PathBuf {
        self.dir.join("effective.json")
    }
    /// Reads and parses `source.toml`.
    pub fn record(&self) -> Result<SourceRecord> {
        let path = self.source_path();
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))
    }
}

/// The repository root (the folder holding `specs/`), from xtask's own location.
pub fn repo_root() -> PathBuf {
    // Tests run the binary over scratch copies of the spec folders.
    if let Some(root) = std::env::var_os("DATAPLAT_REPO_ROOT") {
        return PathBuf::from(root);
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the repo")
        .to_path_buf()
}

/// Every API under `root/specs`, sorted by name.
pub fn apis(root: &Path) -> Result<Vec<ApiDir>> {
    let specs = root.join("specs");
    let mut out = Vec::new();
    for entry in
        std::fs::read_dir(&specs).with_context(|| format!("listing {}", specs.display()))?
    {
        let dir = entry?.path();
        if dir.join("source.toml").is_file() {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            out.push(ApiDir { name, dir });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// The named APIs, or all of them when `only` is `None`.
pub fn select(root: &Path, only: Option<&str>) -> Result<Vec<ApiDir>> {
    let all = apis(root)?;
    match only {
        None => Ok(all),
        Some(name) => match all.into_iter().find(|a| a.name == name) {
            Some(api) => Ok(vec![api]),
            None => bail!(
                "no API `{name}` under {}/specs (each API is a folder with a source.toml)",
                root.display()
            ),
        },
    }
}
