//! `specs refresh <api> [--from PATH_OR_URL]`: fetch a new upstream, show what changed at the
//! operation level, record its provenance and re-normalise.
//!
//! `specs refresh --all [--check] [--report FILE]`: the same for every API whose source record
//! allows it, from the recorded URLs (or `$DATAPLAT_SPEC_MIRROR/<api>`, for tests and mirrors);
//! the drift report (operations added, removed, changed; patches that no longer apply, with
//! their reasons) is printed and written as Markdown. `--check` writes nothing else and makes
//! any drift an error.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::layout::select;
use crate::normalize::{effective_text, parse_document, sha256_hex};

/// Operation-level differences between two documents.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct OperationDiff {
    /// `operationId (METHOD /path)` only in the new document.
    pub added: Vec<String>,
    /// `operationId (METHOD /path)` only in the old document.
    pub removed: Vec<String>,
    /// Same operationId at another method/path, or same method/path under another id.
    pub changed: Vec<String>,
}

impl OperationDiff {
    /// Whether nothing changed at the operation level.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// `operationId → "METHOD /path"`; operations without an id are keyed by their location.
fn index(doc: &Value) -> BTreeMap<String, String> {
    dataplat_codegen::operations(doc)
        .map(|(path, method, op)| {
            let at = format!("{} {path}", method.to_uppercase());
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .map_or_else(|| at.clone(), str::to_string);
            (id, at)
        })
        .collect()
}

/// Compares the operations of two documents.
pub fn diff(old: &Value, new: &Value) -> OperationDiff {
    let (old, new) = (index(old), index(new));
    let mut out = OperationDiff::default();
    let old_at: BTreeMap<&String, &String> = old.iter().map(|(id, at)| (at, id)).collect();
    let new_at: BTreeMap<&String, &String> = new.iter().map(|(id, at)| (at, id)).collect();
    for (id, at) in &new {
        match old.get(id) {
            Some(before) if before != at => out
                .changed
                .push(format!("{id}: moved from {before} to {at}")),
            Some(_) => {}
            None => match old_at.get(at) {
                Some(old_id) => out
                    .changed
                    .push(format!("{at}: operationId {old_id} renamed to {id}")),
                None => out.added.push(format!("{id} ({at})")),
            },
        }
    }
    for (id, at) in &old {
        if !new.contains_key(id) && !new_at.contains_key(at) {
            out.removed.push(format!("{id} ({at})"));
        }
    }
    out
}

/// Reads a local file, or fetches an `http(s)://` URL.
pub fn fetch(from: &str) -> Result<Vec<u8>> {
    if from.starts_with("http://") || from.starts_with("https://") {
        // reqwest is built without a default crypto provider (ring only, no aws-lc build).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let response = reqwest::blocking::Client::builder()
            .timeout(std::time::Duration::from_secs(60))
            .build()?
            .get(from)
            .send()
            .with_context(|| format!("fetching {from}"))?;
        let status = response.status();
        if !status.is_success() {
            bail!("fetching {from}: HTTP {status}");
        }
        Ok(response.bytes()?.to_vec())
    } else {
        std::fs::read(from).with_context(|| format!("reading {from}"))
    }
}

/// Today's date, UTC, as recorded in source records.
fn today() -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::OffsetDateTime::now_utc()
        .format(&format)
        .expect("date formats")
}

/// Refreshes one API's primary upstream; returns the operation diff.
pub fn run(root: &Path, api_name: &str, from: Option<&str>) -> Result<OperationDiff> {
    let api = select(root, Some(api_name))?.remove(0);
    let record = api.record()?;
    let from = from.unwrap_or(&record.upstream.url);
    let bytes = fetch(from)?;
    let new = parse_document(&bytes, &record.upstream.file)
        .with_context(|| format!("document from {from}"))?;
    let upstream_path = api.dir.join(&record.upstream.file);
    let old = parse_document(&std::fs::read(&upstream_path)?, &record.upstream.file)?;
    let changes = diff(&old, &new);
    print_diff(&api.name, &changes);

    std::fs::write(&upstream_path, &bytes)
        .with_context(|| format!("writing {}", upstream_path.display()))?;
    let source_path = api.source_path();
    let mut source: toml_edit::DocumentMut = std::fs::read_to_string(&source_path)?.parse()?;
    source["upstream"]["sha256"] = toml_edit::value(sha256_hex(&bytes));
    source["upstream"]["obtained_from"] = toml_edit::value(from);
    source["upstream"]["obtained_on"] = toml_edit::value(today());
    std::fs::write(&source_path, source.to_string())?;

    // Re-normalise; a patch that no longer applies stops here, naming the patch and its reason.
    let text = effective_text(&api)
        .context("the new upstream is recorded, but the patches need attention")?;
    std::fs::write(api.effective_path(), &text)?;
    let count = dataplat_codegen::operation_count(&serde_json::from_str(&text)?);
    if count != record.effective.operations {
        println!(
            "{}: operations {} → {count} (source.toml updated)",
            api.name, record.effective.operations
        );
        let mut source: toml_edit::DocumentMut = std::fs::read_to_string(&source_path)?.parse()?;
        source["effective"]["operations"] = toml_edit::value(count as i64);
        std::fs::write(&source_path, source.to_string())?;
    }
    Ok(changes)
}

fn print_diff(api: &str, d: &OperationDiff) {
    if d.is_empty() {
        println!("{api}: no operation added, removed or moved");
        return;
    }
    for (label, items) in [
        ("added", &d.added),
        ("removed", &d.removed),
        ("changed", &d.changed),
    ] {
        for item in items {
            println!("{api}: {label:<8} {item}");
        }
    }
    println!(
        "{api}: {} added, {} removed, {} changed",
        d.added.len(),
        d.removed.len(),
        d.changed.len()
    );
}

/// What `refresh --all` found for one API.
#[derive(Debug)]
pub struct Drift {
    /// The API.
    pub api: String,
    /// What happened.
    pub state: DriftState,
}

/// One API's refresh outcome.
#[derive(Debug)]
pub enum DriftState {
    /// The fetched bytes are the vendored ones.
    Unchanged,
    /// Not fetched: the source record says so (`refresh = false`).
    Skipped,
    /// The document changed.
    Changed {
        /// The operation-level differences.
        operations: OperationDiff,
        /// Patches that no longer apply, with the error and the patch's reason.
        stale_patches: Vec<String>,
    },
    /// The document could not be fetched or read.
    Failed(String),
}

/// Where `--all` fetches an API's document: its URL, or `$DATAPLAT_SPEC_MIRROR/<api>`.
fn source_url(api: &str, recorded: &str) -> String {
    match std::env::var("DATAPLAT_SPEC_MIRROR") {
        Ok(mirror) if !mirror.is_empty() => format!("{}/{api}", mirror.trim_end_matches('/')),
        _ => recorded.to_string(),
    }
}

/// Refreshes (or, with `check`, only compares) every API; returns what each one did.
pub fn run_all(root: &Path, check: bool) -> Result<Vec<Drift>> {
    let mut out = Vec::new();
    for api in select(root, None)? {
        let record = api.record()?;
        if !record.upstream.refresh {
            out.push(Drift {
                api: api.name.clone(),
                state: DriftState::Skipped,
            });
            continue;
        }
        let url = source_url(&api.name, &record.upstream.url);
        let state = match fetch(&url) {
            Err(e) => DriftState::Failed(format!("{e:#}")),
            Ok(bytes) if sha256_hex(&bytes) == record.upstream.sha256 => DriftState::Unchanged,
            Ok(bytes) => match compare(&api, &record, &bytes) {
                Err(e) => DriftState::Failed(format!("{e:#}")),
                Ok((operations, stale_patches)) => {
                    if !check {
                        // Records the new upstream; stale patches are reported, not fatal here.
                        if let Err(e) = run(root, &api.name, Some(&url)) {
                            println!("{}: {e:#}", api.name);
                        }
                    }
                    DriftState::Changed {
                        operations,
                        stale_patches,
                    }
                }
            },
        };
        out.push(Drift {
            api: api.name.clone(),
            state,
        });
    }
    Ok(out)
}

/// The operation diff between the vendored and the fetched document, and the patches that no
/// longer apply to the fetched one.
fn compare(
    api: &crate::layout::ApiDir,
    record: &crate::layout::SourceRecord,
    bytes: &[u8],
) -> Result<(OperationDiff, Vec<String>)> {
    let new = parse_document(bytes, &record.upstream.file)?;
    let old = parse_document(
        &std::fs::read(api.dir.join(&record.upstream.file))?,
        &record.upstream.file,
    )?;
    let operations = diff(&old, &new);
    let stale = match crate::normalize::effective_text_with(api, Some(bytes)) {
        Ok(_) => Vec::new(),
        Err(e) => vec![format!("{e:#}")],
    };
    Ok((operations, stale))
}

/// The drift report as Markdown.
pub fn report(drifts: &[Drift]) -> String {
    let mut md = String::from("# Upstream API documents: drift report\n\n");
    md.push_str(
        "| API | state | added | removed | changed | stale patches |\n|---|---|---|---|---|---|\n",
    );
    for d in drifts {
        let row = match &d.state {
            DriftState::Unchanged => "unchanged | | | | ".to_string(),
            DriftState::Skipped => "skipped (refresh = false) | | | | ".to_string(),
            DriftState::Failed(e) => format!(
                "**failed**: {} | | | | ",
                e.replace('\n', " ").replace('|', "\\|")
            ),
            DriftState::Changed {
                operations,
                stale_patches,
            } => format!(
                "**changed** | {} | {} | {} | {}",
                operations.added.len(),
                operations.removed.len(),
                operations.changed.len(),
                stale_patches.len()
            ),
        };
        md.push_str(&format!("| {} | {row} |\n", d.api));
    }
    for d in drifts {
        if let DriftState::Changed {
            operations,
            stale_patches,
        } = &d.state
        {
            md.push_str(&format!("\n## {}\n\n", d.api));
            for (label, items) in [
                ("Added", &operations.added),
                ("Removed", &operations.removed),
                ("Changed", &operations.changed),
            ] {
                if !items.is_empty() {
                    md.push_str(&format!("{label}:\n"));
                    for i in items {
                        md.push_str(&format!("- `{i}`\n"));
                    }
                }
            }
            if operations.is_empty() {
                md.push_str("No operation added, removed or moved (schemas or text changed).\n");
            }
            for p in stale_patches {
                md.push_str(&format!(
                    "\nPatches that no longer apply:\n\n```text\n{p}\n```\n"
                ));
            }
        }
    }
    md
}

/// Whether any API drifted.
pub fn drifted(drifts: &[Drift]) -> bool {
    drifts
        .iter()
        .any(|d| matches!(d.state, DriftState::Changed { .. }))
}
