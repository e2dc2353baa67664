//! What the spec implies each pass must find, so that a progenitor release that writes its
//! output differently fails generation instead of leaving sites unrewritten.
//!
//! The passes rewrite progenitor's output by its shape. Each reports how many sites it
//! rewrote; [`check`] compares those counts with what the document says there must be (one
//! `api-version` header, one hook sequence, one builder per operation; one encoded segment per
//! path parameter; one decoder call per documented response plus the catch-all arm).

use serde_json::Value;

use crate::operations;

/// What one pass did, and what the document says it must have done (`None`: nothing to hold
/// it to).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PassCount {
    /// The pass.
    pub pass: &'static str,
    /// Sites rewritten.
    pub rewritten: usize,
    /// Sites the document implies.
    pub expected: Option<usize>,
}

/// The counts the document implies.
pub struct Implied {
    /// Operations.
    pub operations: usize,
    /// `{param}` segments over all operation paths.
    pub path_parameters: usize,
    /// Documented responses over all operations (progenitor gives informational and
    /// redirect statuses no arm), plus one catch-all arm for each operation without a
    /// `default` response.
    pub decoders: usize,
}

/// Counts what `doc` implies.
pub fn implied(doc: &Value) -> Implied {
    let mut out = Implied {
        operations: 0,
        path_parameters: 0,
        decoders: 0,
    };
    for (path, _, op) in operations(doc) {
        out.operations += 1;
        out.path_parameters += path.matches('{').count();
        let responses = op
            .get("responses")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let arms = responses
            .keys()
            .filter(|code| !code.starts_with('1') && !code.starts_with('3'))
            .count();
        out.decoders += arms + usize::from(!responses.contains_key("default"));
    }
    out
}

/// The problems: every pass whose count differs from its expected one.
pub fn check(counts: &[PassCount]) -> Result<(), String> {
    let wrong: Vec<String> = counts
        .iter()
        .filter(|c| c.expected.is_some_and(|e| e != c.rewritten))
        .map(|c| {
            format!(
                "the `{}` pass rewrote {} sites where the document implies {}",
                c.pass,
                c.rewritten,
                c.expected.unwrap_or_default()
            )
        })
        .collect();
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} (has progenitor changed the code it writes?)",
            wrong.join("; ")
        ))
    }
}
