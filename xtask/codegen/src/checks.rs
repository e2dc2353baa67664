//! Static checks for what progenitor 0.15 cannot handle, run before it is called.
//!
//! Each rule mirrors a panic, `todo!` or unlocated error inside progenitor or typify (see
//! `shared/specs/README.md`), or a construct that compiles into a wrong client.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;

use crate::pointer::{deref, escape, join, resolve};
use crate::{METHODS, Problem};

/// Media types progenitor can send as a request body.
const BODY_MEDIA_TYPES: [&str; 5] = [
    "application/json",
    "application/x-www-form-urlencoded",
    "application/octet-stream",
    "text/plain",
    "text/x-markdown",
];

/// Checks a whole document; an empty result means progenitor should accept it.
pub fn check(file: &str, doc: &Value) -> Vec<Problem> {
    let mut out = Checker {
        file,
        doc,
        problems: Vec::new(),
    };
    out.version();
    out.references(doc, &mut String::new());
    out.schemas(doc, &mut String::new());
    out.paths();
    out.problems
}

struct Checker<'a> {
    file: &'a str,
    doc: &'a Value,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    fn push(&mut self, pointer: String, operation: Option<&str>, message: String) {
        self.problems.push(Problem {
            file: self.file.to_string(),
            pointer,
            operation: operation.map(str::to_string),
            message,
        });
    }

    fn version(&mut self) {
        match self.doc.get("openapi").and_then(Value::as_str) {
            Some(v) if v.trim().starts_with("3.0.") => {}
            Some(v) => self.push(
                "/openapi".into(),
                None,
                format!("OpenAPI {v} is not supported: progenitor reads 3.0.x only; downgrade it during normalisation"),
            ),
            None => self.push("/openapi".into(), None, "missing `openapi` version field".into()),
        }
    }

    /// Every `$ref` must be local and resolve: typify panics on a missing component.
    fn references(&mut self, value: &Value, at: &mut String) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    let len = at.len();
                    at.push('/');
                    at.push_str(&escape(k));
                    if k == "$ref" {
                        if let Some(r) = v.as_str() {
                            if !r.starts_with("#/") {
                                self.push(
                                    at.clone(),
                                    None,
                                    format!("external reference `{r}` is not supported; inline it"),
                                );
                            } else if resolve(self.doc, r).is_none() {
                                self.push(
                                    at.clone(),
                                    None,
                                    format!("dangling reference `{r}`: no such component"),
                                );
                            }
                        }
                    } else {
                        self.references(v, at);
                    }
                    at.truncate(len);
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    let len = at.len();
                    at.push_str(&format!("/{i}"));
                    self.references(v, at);
                    at.truncate(len);
                }
            }
            _ => {}
        }
    }

    /// Schema shapes that compile but decode wrongly.
    fn schemas(&mut self, value: &Value, at: &mut String) {
        let Value::Object(map) = value else {
            if let Value::Array(items) = value {
                for (i, v) in items.iter().enumerate() {
                    let len = at.len();
                    at.push_str(&format!("/{i}"));
                    self.schemas(v, at);
                    at.truncate(len);
                }
            }
            return;
        };
        // A `required` name absent from `properties` that differs from one only by case becomes a
        // second field with the same Rust name (Astra `Error` requires `id` but has `ID`).
        if let (Some(Value::Object(props)), Some(Value::Array(required))) =
            (map.get("properties"), map.get("required"))
        {
            for (i, name) in required.iter().filter_map(Value::as_str).enumerate() {
                if !props.contains_key(name)
                    && let Some(twin) = props.keys().find(|p| p.eq_ignore_ascii_case(name))
                {
                    {
                        self.push(
                            format!("{at}/required/{i}"),
                            None,
                            format!("`required` names `{name}`, but the property is `{twin}`: typify would emit two fields with one name"),
                        );
                    }
                }
            }
        }
        // `nullable` beside a union makes typify emit a wrapper and the union under one name
        // (`oneOf`), or wrap the wrong thing (`anyOf`: Airflow ScheduleInterval).
        if map.get("nullable") == Some(&Value::Bool(true)) {
            for union in ["anyOf", "oneOf"] {
                if map.contains_key(union) {
                    self.push(
                        at.clone(),
                        None,
                        format!("`nullable: true` beside `{union}` generates wrongly in typify; make the union non-nullable and its uses optional"),
                    );
                }
            }
        }
        for (k, v) in map {
            let len = at.len();
            at.push('/');
            at.push_str(&escape(k));
            self.schemas(v, at);
            at.truncate(len);
        }
    }

    fn paths(&mut self) {
        let Some(paths) = self.doc.get("paths").and_then(Value::as_object) else {
            self.push(
                "/paths".into(),
                None,
                "document has no `paths` object".into(),
            );
            return;
        };
        let mut seen: HashMap<&str, String> = HashMap::new();
        for (path, item) in paths {
            let item_at = join(["paths", path]);
            if item.get("$ref").is_some() {
                self.push(
                    format!("{item_at}/$ref"),
                    None,
                    "path-level `$ref` is not supported by progenitor; copy the operations or drop the alias".into(),
                );
                continue;
            }
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                let op_at = format!("{item_at}/{method}");
                let id = match op.get("operationId").and_then(Value::as_str) {
                    Some(id) => {
                        if let Some(first) = seen.insert(id, op_at.clone()) {
                            self.push(
                                format!("{op_at}/operationId"),
                                Some(id),
                                format!("duplicate operationId, first used at {first}"),
                            );
                        }
                        id
                    }
                    None => {
                        self.push(
                            op_at.clone(),
                            None,
                            format!("{} {path} has no operationId", method.to_uppercase()),
                        );
                        "<none>"
                    }
                };
                self.parameters(path, item, op, &op_at, id);
                self.request_body(op, &op_at, id);
                self.responses(op, &op_at, id);
            }
        }
    }

    fn parameters(&mut self, path: &str, item: &Value, op: &Value, op_at: &str, id: &str) {
        // Operation-level parameters override path-level ones with the same name and location.
        let mut params: BTreeMap<(String, String), (String, &Value)> = BTreeMap::new();
        let item_at = op_at.rsplit_once('/').map(|(a, _)| a).unwrap_or("");
        for (list, base) in [
            (item.get("parameters"), item_at.to_string()),
            (op.get("parameters"), op_at.to_string()),
        ] {
            for (i, p) in list
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                let Some(p) = deref(self.doc, p) else {
                    continue;
                };
                let name = p
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                let location = p
                    .get("in")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                params.insert((location, name), (format!("{base}/parameters/{i}"), p));
            }
        }
        let template: BTreeSet<&str> = path
            .split('{')
            .skip(1)
            .filter_map(|s| s.split_once('}').map(|(name, _)| name))
            .collect();
        for name in &template {
            if !params.contains_key(&("path".to_string(), name.to_string())) {
                self.push(
                    op_at.to_string(),
                    Some(id),
                    format!(
                        "path template has `{{{name}}}` but no `in: path` parameter declares it"
                    ),
                );
            }
        }
        for ((location, name), (at, p)) in &params {
            match location.as_str() {
                "path" if !template.contains(name.as_str()) => self.push(
                    at.clone(),
                    Some(id),
                    format!("path parameter `{name}` is not in the path template `{path}`"),
                ),
                "cookie" => self.push(
                    at.clone(),
                    Some(id),
                    format!("cookie parameter `{name}` is not supported"),
                ),
                _ => {}
            }
            if p.get("content").is_some() {
                self.push(
                    at.clone(),
                    Some(id),
                    format!("parameter `{name}` uses `content`; progenitor needs `schema`"),
                );
            }
            // A typeless path segment becomes a `serde_json::Value`, which the path is built
            // from by its JSON text: the string `x` is sent as `"x"`, quotes included.
            if location == "path"
                && let Some(schema) = p.get("schema").and_then(|s| deref(self.doc, s))
                && !["type", "enum", "allOf", "anyOf", "oneOf"]
                    .iter()
                    .any(|k| schema.get(*k).is_some())
            {
                self.push(
                    format!("{at}/schema"),
                    Some(id),
                    format!(
                        "path parameter `{name}` has no type: it would be sent JSON-encoded (a string in quotes); give it one"
                    ),
                );
            }
            let style = p.get("style").and_then(Value::as_str);
            let ok = matches!(
                (location.as_str(), style),
                (_, None)
                    | ("path", Some("simple"))
                    | ("query", Some("form"))
                    | ("header", Some("simple"))
            );
            if !ok {
                self.push(
                    format!("{at}/style"),
                    Some(id),
                    format!(
                        "parameter `{name}` has style `{}`, unsupported for `in: {location}`",
                        style.unwrap_or("")
                    ),
                );
            }
        }
    }

    fn request_body(&mut self, op: &Value, op_at: &str, id: &str) {
        let Some(raw) = op.get("requestBody") else {
            return;
        };
        let Some(body) = deref(self.doc, raw) else {
            return;
        };
        let at = format!("{op_at}/requestBody");
        let Some(content) = body.get("content").and_then(Value::as_object) else {
            return;
        };
        if content.len() > 1 {
            let types: Vec<&str> = content.keys().map(String::as_str).collect();
            self.push(
                format!("{at}/content"),
                Some(id),
                format!(
                    "request body offers {} media types ({}); progenitor takes exactly one",
                    types.len(),
                    types.join(", ")
                ),
            );
            return;
        }
        for (media, mt) in content {
            let mt_at = format!("{at}/content/{}", escape(media));
            let base = media.split(';').next().unwrap_or("").trim();
            if !BODY_MEDIA_TYPES.contains(&base) {
                self.push(
                    mt_at.clone(),
                    Some(id),
                    format!(
                        "request body media type `{media}` is not supported (progenitor sends {})",
                        BODY_MEDIA_TYPES.join(", ")
                    ),
                );
            }
            if mt.get("schema").is_none() {
                self.push(mt_at.clone(), Some(id), "request body has no schema".into());
            }
            if mt
                .get("encoding")
                .and_then(Value::as_object)
                .is_some_and(|e| !e.is_empty())
            {
                self.push(
                    format!("{mt_at}/encoding"),
                    Some(id),
                    "media type `encoding` is not supported".into(),
                );
            }
        }
    }

    /// progenitor asserts that all success responses share one type, and all error responses
    /// another (`default` counts on both sides).
    fn responses(&mut self, op: &Value, op_at: &str, id: &str) {
        let at = format!("{op_at}/responses");
        let Some(responses) = op
            .get("responses")
            .and_then(Value::as_object)
            .filter(|r| !r.is_empty())
        else {
            self.push(
                at,
                Some(id),
                "operation declares no responses (OpenAPI 3.0 requires at least one)".into(),
            );
            return;
        };
        let mut success: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        let mut errors: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        let has_2xx_range = responses.contains_key("2XX");
        for (status, raw) in responses {
            if status.starts_with("x-") {
                continue;
            }
            let Some(response) = deref(self.doc, raw) else {
                continue;
            };
            let kind = self.response_kind(response, &format!("{at}/{}", escape(status)), id);
            let is_default = status == "default";
            let is_success = is_default || status == "101" || status.starts_with('2');
            let is_error = is_default || status.starts_with('4') || status.starts_with('5');
            // progenitor drops `default` from the success side when a `2XX` range covers it.
            if is_success && !(is_default && has_2xx_range) {
                success.entry(kind.clone()).or_default().push(status);
            }
            if is_error {
                errors.entry(kind).or_default().push(status);
            }
        }
        for (side, kinds) in [("success", success), ("error", errors)] {
            if kinds.len() > 1 {
                let detail: Vec<String> = kinds
                    .iter()
                    .map(|(k, s)| format!("{} → {}", s.join("/"), short(k)))
                    .collect();
                self.push(
                    at.clone(),
                    Some(id),
                    format!(
                        "{side} responses have {} different types ({}); progenitor allows one per side: give them one schema",
                        kinds.len(),
                        detail.join("; ")
                    ),
                );
            }
        }
    }

    /// The type progenitor would give a response: a JSON schema, raw bytes, or nothing.
    fn response_kind(&mut self, response: &Value, at: &str, id: &str) -> String {
        let content = response.get("content").and_then(Value::as_object);
        let json = content.and_then(|c| {
            c.iter()
                .find(|(k, _)| *k == "application/json" || k.starts_with("application/json;"))
        });
        match json {
            Some((media, mt)) => match mt.get("schema") {
                Some(schema) => match schema.get("$ref").and_then(Value::as_str) {
                    Some(r) => r.trim_start_matches("#/components/schemas/").to_string(),
                    None => format!("inline schema {}", canonical(schema)),
                },
                None => {
                    self.push(
                        format!("{at}/content/{}", escape(media)),
                        Some(id),
                        "JSON response without a schema (progenitor hits `todo!`); add `schema: {}`".into(),
                    );
                    "no schema".into()
                }
            },
            None if content.is_some_and(|c| !c.is_empty()) => "raw bytes".into(),
            None => "no body".into(),
        }
    }
}

/// An order-independent rendering of an inline schema, for comparison.
fn canonical(schema: &Value) -> String {
    serde_json::to_string(&sorted(schema)).unwrap_or_default()
}

/// Shortens a type description for a message.
fn short(kind: &str) -> String {
    match kind.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &kind[..i]),
        None => kind.to_string(),
    }
}

fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let ordered: BTreeMap<&String, Value> =
                map.iter().map(|(k, v)| (k, sorted(v))).collect();
            serde_json::to_value(ordered).unwrap_or(Value::Null)
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}
