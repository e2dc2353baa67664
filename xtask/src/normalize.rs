//! Upstream document(s) + grafts + patches → the effective spec that build.rs reads.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::layout::{ApiDir, Graft};

/// One RFC 6902 operation with the reason it exists.
#[derive(Debug, Clone, Deserialize)]
pub struct PatchEntry {
    /// The RFC 6902 operation (`op`, `path`, `value`/`from`); `reason` is not part of it.
    #[serde(flatten)]
    pub operation: json_patch::PatchOperation,
    /// Why upstream is wrong here, or why progenitor needs the change.
    pub reason: String,
}

/// Parses an OpenAPI document; YAML is converted to JSON here so build.rs only ever reads JSON.
pub fn parse_document(bytes: &[u8], name: &str) -> Result<Value> {
    if name.ends_with(".json") {
        serde_json::from_slice(bytes).with_context(|| format!("{name} is not valid JSON"))
    } else {
        serde_norway::from_slice(bytes).with_context(|| format!("{name} is not valid YAML"))
    }
}

/// Lower-case hex sha256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Reads `patches.json`; every entry must carry a non-empty reason.
pub fn load_patches(path: &Path) -> Result<Vec<PatchEntry>> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let entries: Vec<PatchEntry> = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a JSON Patch array with reasons", path.display()))?;
    for (i, e) in entries.iter().enumerate() {
        if e.reason.trim().is_empty() {
            bail!(
                "{} entry {i} ({}) has no reason",
                path.display(),
                describe(&e.operation)
            );
        }
    }
    Ok(entries)
}

/// `replace /paths/...` — how a patch operation is named in messages.
pub fn describe(op: &json_patch::PatchOperation) -> String {
    let v = serde_json::to_value(op).unwrap_or(Value::Null);
    format!(
        "{} {}",
        v["op"].as_str().unwrap_or("?"),
        v["path"].as_str().unwrap_or("?")
    )
}

/// Builds the effective document of `api` from the files on disk; returns it as the exact text
/// `normalize` writes.
pub fn effective_text(api: &ApiDir) -> Result<String> {
    effective_text_with(api, None)
}

/// [`effective_text`] with `upstream` in place of the vendored primary document's bytes (to see
/// what a refresh would give before anything is written).
pub fn effective_text_with(api: &ApiDir, upstream: Option<&[u8]>) -> Result<String> {
    let record = api.record()?;
    let upstream_path = api.dir.join(&record.upstream.file);
    let bytes = match upstream {
        Some(bytes) => bytes.to_vec(),
        None => std::fs::read(&upstream_path)
            .with_context(|| format!("reading {}", upstream_path.display()))?,
    };
    let mut doc = parse_document(&bytes, &record.upstream.file)?;
    for graft in &record.graft {
        let path = api.dir.join(&graft.source.file);
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let secondary = parse_document(&bytes, &graft.source.file)?;
        apply_graft(&mut doc, &secondary, graft)
            .with_context(|| format!("grafting from {}", graft.source.file))?;
    }
    // A 3.1 document becomes 3.0.3 before the patches, which are written against the 3.0 form.
    if crate::downgrade::is_31(&doc) {
        crate::downgrade::downgrade(&mut doc)
            .with_context(|| format!("downgrading {} from OpenAPI 3.1", record.upstream.file))?;
    }
    let patches = load_patches(&api.patches_path())?;
    apply_patches(
        &mut doc,
        &patches,
        &api.patches_path().display().to_string(),
    )?;
    Ok(render(&doc))
}

/// Pretty JSON with a trailing newline: the one serialisation of effective specs.
pub fn render(doc: &Value) -> String {
    let mut text = serde_json::to_string_pretty(doc).expect("JSON values serialise");
    text.push('\n');
    text
}

/// Applies patches one by one so a failure names the patch and its reason.
pub fn apply_patches(doc: &mut Value, patches: &[PatchEntry], file: &str) -> Result<()> {
    for (i, entry) in patches.iter().enumerate() {
        json_patch::patch(doc, std::slice::from_ref(&entry.operation)).map_err(|e| {
            anyhow!(
                "patch {i} in {file} ({}) no longer applies: {e}\n  its reason: {}",
                describe(&entry.operation),
                entry.reason
            )
        })?;
    }
    Ok(())
}

/// Copies the listed operations from `secondary` into `doc`, with every component they reach
/// that `doc` lacks. An operation already present in `doc` is an error: the graft is stale.
pub fn apply_graft(doc: &mut Value, secondary: &Value, graft: &Graft) -> Result<()> {
    let mut wanted = Vec::new();
    for spec in &graft.operations {
        let (method, path) = spec
            .split_once(' ')
            .ok_or_else(|| anyhow!("graft operation `{spec}` is not `METHOD /path`"))?;
        let method = method.to_ascii_lowercase();
        let item = secondary["paths"]
            .get(path)
            .ok_or_else(|| anyhow!("graft source has no path {path}"))?;
        let op = item
            .get(&method)
            .ok_or_else(|| anyhow!("graft source has no {} {path}", method.to_uppercase()))?;
        if doc["paths"]
            .get(path)
            .and_then(|p| p.get(&method))
            .is_some()
        {
            bail!(
                "{} {path} is already in the primary document; drop it from the graft",
                method.to_uppercase()
            );
        }
        let paths = doc["paths"]
            .as_object_mut()
            .ok_or_else(|| anyhow!("primary has no paths"))?;
        let target = paths
            .entry(path.to_string())
            .or_insert_with(|| Value::Object(Default::default()));
        if let (Some(params), None) = (item.get("parameters"), target.get("parameters")) {
            target["parameters"] = params.clone();
            wanted.push(params.clone());
        }
        target[method.as_str()] = op.clone();
        wanted.push(op.clone());
    }
    // Pull in referenced components transitively, keeping the primary's where both have one.
    let mut seen = BTreeSet::new();
    while let Some(value) = wanted.pop() {
        for reference in refs(&value) {
            if !seen.insert(reference.clone()) {
                continue;
            }
            let pointer = reference.trim_start_matches('#');
            if doc.pointer(pointer).is_some() {
                continue;
            }
            let component = secondary
                .pointer(pointer)
                .ok_or_else(|| anyhow!("graft source reference {reference} dangles"))?
                .clone();
            insert_at(doc, pointer, component.clone())?;
            wanted.push(component);
        }
    }
    Ok(())
}

/// Every local `$ref` string inside `value`.
fn refs(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    match (k.as_str(), v) {
                        ("$ref", Value::String(r)) if r.starts_with("#/") => out.push(r.clone()),
                        _ => stack.push(v),
                    }
                }
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    out
}

/// Inserts at a pointer of plain object keys (`/components/schemas/X`), creating parents.
fn insert_at(doc: &mut Value, pointer: &str, value: Value) -> Result<()> {
    let tokens: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    let (last, parents) = tokens
        .split_last()
        .ok_or_else(|| anyhow!("empty pointer"))?;
    let mut cur = doc;
    for t in parents {
        let map = cur
            .as_object_mut()
            .ok_or_else(|| anyhow!("{pointer}: parent is not an object"))?;
        cur = map
            .entry(t.clone())
            .or_insert_with(|| Value::Object(Default::default()));
    }
    cur.as_object_mut()
        .ok_or_else(|| anyhow!("{pointer}: parent is not an object"))?
        .insert(last.clone(), value);
    Ok(())
}

/// Regenerates `effective.json` for `api`; returns whether the file changed.
pub fn normalize(api: &ApiDir) -> Result<bool> {
    let text = effective_text(api)?;
    let path = api.effective_path();
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    if old == text {
        return Ok(false);
    }
    std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    Ok(true)
}

/// For a 3.1 upstream: the downgrade rules `normalize` applies and how often (`None` for 3.0).
pub fn downgrade_report(api: &ApiDir) -> Result<Option<crate::downgrade::Counts>> {
    let record = api.record()?;
    let bytes = std::fs::read(api.dir.join(&record.upstream.file))?;
    let mut doc = parse_document(&bytes, &record.upstream.file)?;
    if !crate::downgrade::is_31(&doc) {
        return Ok(None);
    }
    Ok(Some(crate::downgrade::downgrade(&mut doc)?))
}
