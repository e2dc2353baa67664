//! RFC 6901 JSON pointers: building them from path segments and resolving local `$ref`s.

/// Escapes one reference token (`~` → `~0`, `/` → `~1`).
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Joins reference tokens into a pointer, escaping each.
pub fn join<'a>(tokens: impl IntoIterator<Item = &'a str>) -> String {
    tokens
        .into_iter()
        .map(|t| format!("/{}", escape(t)))
        .collect()
}

/// Resolves a local reference (`#/components/...`) inside `doc`.
pub fn resolve<'a>(doc: &'a serde_json::Value, reference: &str) -> Option<&'a serde_json::Value> {
    reference.strip_prefix('#').and_then(|p| doc.pointer(p))
}

/// Follows `$ref` until a non-reference value is reached; `None` when a reference dangles
/// (a cycle of references also gives `None` after a bounded number of hops).
pub fn deref<'a>(
    doc: &'a serde_json::Value,
    mut value: &'a serde_json::Value,
) -> Option<&'a serde_json::Value> {
    for _ in 0..32 {
        match value.get("$ref").and_then(|r| r.as_str()) {
            Some(r) => value = resolve(doc, r)?,
            None => return Some(value),
        }
    }
    None
}
