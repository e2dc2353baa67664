//! Decoding a recorded answer with the type its operation documents, and encoding it back: the
//! machinery of the real-response fixture tests (`tests/fixtures.rs`), behind the `fixtures`
//! feature (internal; it adds a table per API and costs build time nobody else should pay).
//!
//! Each API module has a `decode_table::decode(operation_id, status, body)` (generated): the
//! body decoded into the operation's success type (2xx) or error type (anything else), and the
//! members that no schema named (kept in the objects' `extra` maps, and listed here so that a
//! test can tell "typed and complete" from "kept, but untyped").

use std::cell::RefCell;

/// A body decoded and encoded back.
#[derive(Clone, Debug, PartialEq)]
pub struct Decoded {
    /// The value re-encoded from the decoded type.
    pub value: serde_json::Value,
    /// `Type.member` of each member no schema named (kept in an `extra` map).
    pub unknown: Vec<String>,
}

std::thread_local! {
    static UNKNOWN: RefCell<Option<Vec<String>>> = const { RefCell::new(None) };
}

/// Called by the generated decoders for each member they keep in `extra`.
pub fn unknown_member(ty: &str, member: &str) {
    UNKNOWN.with(|u| {
        if let Some(list) = u.borrow_mut().as_mut() {
            list.push(format!("{ty}.{member}"));
        }
    });
}

/// Decodes `body` as `T` and encodes it back.
pub fn roundtrip<T>(body: &[u8]) -> Result<Decoded, String>
where
    T: serde::de::DeserializeOwned + serde::Serialize,
{
    UNKNOWN.with(|u| *u.borrow_mut() = Some(Vec::new()));
    let decoded = serde_json::from_slice::<T>(body);
    let unknown = UNKNOWN.with(|u| u.borrow_mut().take()).unwrap_or_default();
    let decoded = decoded.map_err(|e| e.to_string())?;
    let value = serde_json::to_value(&decoded).map_err(|e| e.to_string())?;
    Ok(Decoded { value, unknown })
}
