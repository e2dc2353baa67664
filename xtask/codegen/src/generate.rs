//! Running progenitor with dataplat's settings, turning its panics into located problems.

use std::panic::{AssertUnwindSafe, catch_unwind};

use progenitor::{CrateVers, GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};
use serde_json::Value;

use crate::pointer::{escape, join};
use crate::{Problem, check, operations};

/// A generated client, pretty-printed.
pub struct Generated {
    /// Rust source of the client module.
    pub code: String,
    /// Operations in the document (one client method each).
    pub operations: usize,
    /// List operations that got an item stream.
    pub streams: usize,
    /// What each pass rewrote, and what the document implied.
    pub passes: Vec<crate::expect::PassCount>,
}

/// The settings every dataplat client is generated with.
///
/// Builder-style methods read well with many optional parameters. `HooksMode::Expected` emits no
/// default `ClientHooks` impl, and the crate has none: every hook call is rewritten into one call
/// of the shared request path (the `dispatch` pass), so a call that was not rewritten does not
/// compile and no client can bypass that path. The inner type carries that path's state. Tags are merged because vendors' tags collide once
/// turned into trait names (Astra "Private Link" / "Private-Link").
pub(crate) fn settings() -> GenerationSettings {
    let mut s = GenerationSettings::new();
    s.with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_hooks(HooksMode::Expected)
        .with_inner_type(quote::quote!(crate::core::Context))
        .with_derive("PartialEq")
        // Patches may point a schema at one of dataplat's own tolerant wire types with
        // `x-rust-type` (ACM's numbers-as-strings); lib.rs makes `::dataplat` resolve in-crate.
        .with_crate("dataplat", CrateVers::Any, None);
    s
}

/// Checks `doc`, then generates its client. `file` only names the document in problems.
pub fn generate(file: &str, doc: &Value) -> Result<Generated, Vec<Problem>> {
    let problems = check(file, doc);
    if !problems.is_empty() {
        return Err(problems);
    }
    // A document openapiv3 cannot read is one problem, not one per operation.
    if let Err((pointer, message)) = parse(doc) {
        return Err(vec![Problem {
            file: file.into(),
            pointer,
            operation: None,
            message,
        }]);
    }
    let tokens = match run_progenitor(file, doc) {
        Ok(tokens) => tokens,
        Err(message) => return Err(localise(file, doc, &message)),
    };
    // What the passes below find wrong is about the whole generated file, not one operation.
    let problem = |message: String| {
        vec![Problem {
            file: file.into(),
            pointer: String::new(),
            operation: None,
            message,
        }]
    };
    let mut parsed: syn::File = syn::parse2(tokens)
        .map_err(|e| problem(format!("progenitor produced code that does not parse: {e}")))?;
    let implied = crate::expect::implied(doc);
    let ops = Some(implied.operations);
    let count =
        |pass: &'static str, rewritten: usize, expected: Option<usize>| crate::expect::PassCount {
            pass,
            rewritten,
            expected,
        };
    let mut passes = Vec::new();
    passes.push(count(
        "docs",
        crate::docs::tag_code_fences(&mut parsed),
        None,
    ));
    // Open enums and objects first: the later passes do not look at `types`.
    let n = crate::open_enums::rewrite(&mut parsed).map_err(problem)?;
    passes.push(count("open_enums", n, None));
    let php_empty = doc
        .get("x-dataplat-php-empty")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let n = crate::keep_unknown::rewrite(&mut parsed, php_empty).map_err(problem)?;
    passes.push(count("keep_unknown", n, None));
    let n = crate::tagged_unions::rewrite(&mut parsed);
    passes.push(count("tagged_unions", n, None));
    let n = crate::prune_builders::prune(&mut parsed);
    passes.push(count("prune_builders (kept)", n, None));
    passes.push(count(
        "no_api_version",
        crate::no_api_version::remove(&mut parsed),
        ops,
    ));
    let n = crate::buffered_body::rewrite(&mut parsed);
    passes.push(count("buffered_body", n, Some(implied.decoders)));
    let n = crate::optional_query::rewrite(&mut parsed);
    passes.push(count("optional_query", n, None));
    let n = crate::path_segments::rewrite(&mut parsed);
    passes.push(count("path_segments", n, Some(implied.path_parameters)));
    let n = crate::unset_fields::rewrite(&mut parsed).map_err(problem)?;
    passes.push(count("unset_fields", n, None));
    passes.push(count(
        "dispatch",
        crate::dispatch::rewrite(&mut parsed).map_err(problem)?,
        ops,
    ));
    let n = crate::constructors::rewrite(&mut parsed).map_err(problem)?;
    passes.push(count("constructors", n, Some(2)));
    let table = crate::wrap_send::wrap(&mut parsed, doc).map_err(problem)?;
    passes.push(count("wrap_send", table.len(), ops));
    let n = crate::call_options::rewrite(&mut parsed).map_err(problem)?;
    passes.push(count("call_options", n, ops));
    let streams = crate::paginate::add_streams(&mut parsed, doc, &table).map_err(problem)?;
    passes.push(count("paginate", streams, None));
    let n = crate::invoke::add(&mut parsed).map_err(problem)?;
    passes.push(count("invoke (cli table)", n, ops));
    // Last: the passes above look for progenitor's arms one status at a time.
    let n = crate::merge_arms::rewrite(&mut parsed);
    passes.push(count("merge_arms (arms merged away)", n, None));
    crate::expect::check(&passes).map_err(problem)?;
    Ok(Generated {
        passes,
        streams,
        code: prettyplease::unparse(&parsed),
        operations: operations(doc).count(),
    })
}

/// Deserialises and generates, catching panics; the error is progenitor's own message.
fn run_progenitor(file: &str, doc: &Value) -> Result<proc_macro2::TokenStream, String> {
    let spec = parse(doc).map_err(|(pointer, message)| format!("{file}#{pointer}: {message}"))?;
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = catch_unwind(AssertUnwindSafe(|| {
        Generator::new(&settings()).generate_tokens(&spec)
    }));
    std::panic::set_hook(quiet);
    match result {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(e)) => Err(format!("progenitor error: {e}")),
        Err(panic) => Err(format!("progenitor panicked: {}", panic_message(&panic))),
    }
}

/// Reads the document as openapiv3 does; the error carries the pointer serde reached.
fn parse(doc: &Value) -> Result<openapiv3::OpenAPI, (String, String)> {
    serde_path_to_error::deserialize(doc).map_err(|e| {
        (
            path_to_pointer(e.path()),
            format!("not a valid OpenAPI 3.0 document: {}", e.inner()),
        )
    })
}

/// progenitor names no operation when it fails; retry each operation alone to find which.
fn localise(file: &str, doc: &Value, whole: &str) -> Vec<Problem> {
    let mut found = Vec::new();
    for (path, method, op) in operations(doc) {
        let mut single = doc.clone();
        let item = &doc["paths"][path];
        let mut one = serde_json::Map::new();
        one.insert(method.to_string(), op.clone());
        if let Some(params) = item.get("parameters") {
            one.insert("parameters".into(), params.clone());
        }
        let mut paths = serde_json::Map::new();
        paths.insert(path.to_string(), Value::Object(one));
        single["paths"] = Value::Object(paths);
        if let Err(message) = run_progenitor(file, &single) {
            found.push(Problem {
                file: file.into(),
                pointer: format!("{}/{method}", join(["paths", path])),
                operation: op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                message,
            });
        }
    }
    if found.is_empty() {
        // Every operation generates alone: the conflict is between operations or in components.
        found.push(Problem {
            file: file.into(),
            pointer: String::new(),
            operation: None,
            message: whole.into(),
        });
    }
    found
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    path.iter()
        .map(|seg| match seg {
            Segment::Seq { index } => format!("/{index}"),
            Segment::Map { key } => format!("/{}", escape(key)),
            Segment::Enum { variant } => format!("/{}", escape(variant)),
            Segment::Unknown => "/?".into(),
        })
        .collect()
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into())
}
