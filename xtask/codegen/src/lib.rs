//! Spec checks and client generation shared by dataplat's `build.rs` and `cargo xtask`.
//!
//! progenitor panics (or returns an error that names no operation) on several constructs that
//! real vendor documents contain. [`check`] finds those constructs first and reports each with the
//! file, a JSON pointer and the operationId, so a broken spec fails the build with a message a
//! maintainer can act on. [`generate`] then runs progenitor with the settings every dataplat client
//! shares; should progenitor still fail, it localises the failure to single operations.

mod buffered_body;
mod call_options;
mod checks;
mod constructors;
mod dispatch;
mod docs;
mod expect;
mod generate;
mod invoke;
mod keep_unknown;
mod merge_arms;
mod mock;
mod no_api_version;
mod open_enums;
mod optional_query;
mod paginate;
mod path_segments;
mod pointer;
mod prune_builders;
mod syntax;
mod tagged_unions;
mod unset_fields;
mod wrap_send;

pub use checks::check;
pub use expect::PassCount;
pub use generate::{Generated, generate};
pub use mock::generate_mock;
pub use pointer::escape as escape_pointer;

use std::fmt;

/// One thing wrong with a spec, located precisely enough to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The spec file, as the caller named it.
    pub file: String,
    /// RFC 6901 pointer into that file.
    pub pointer: String,
    /// The operationId concerned, when the problem belongs to one operation.
    pub operation: Option<String>,
    /// What is wrong and, where known, what to do about it.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.file, self.pointer)?;
        if let Some(op) = &self.operation {
            write!(f, " (operation {op})")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// The HTTP methods an OpenAPI 3.0 path item may hold, in progenitor's order.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Every operation of a document: `(path, method, operation object)`.
pub fn operations(
    doc: &serde_json::Value,
) -> impl Iterator<Item = (&str, &'static str, &serde_json::Value)> {
    doc.get("paths")
        .and_then(|p| p.as_object())
        .into_iter()
        .flat_map(|paths| paths.iter())
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter_map(move |m| item.get(*m).map(|op| (path.as_str(), *m, op)))
        })
}

/// Number of operations in a document (what the generated client will have one method for).
pub fn operation_count(doc: &serde_json::Value) -> usize {
    operations(doc).count()
}
