//! Keeping secrets out of error messages and logs.

use serde_json::Value;

/// Longest body excerpt kept in an error, in characters.
pub const EXCERPT_CHARS: usize = 300;

/// The marker that replaces a secret value.
pub const REDACTED: &str = "[redacted]";

/// Whether a JSON key names something secret (password, client_secret, access_token, apiKey,
/// credentials, …).
pub fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    ["pass", "secret", "token", "key", "cred"]
        .iter()
        .any(|s| k.contains(s))
}

/// Replaces, in place, the value of every member whose key names a secret.
pub fn redact_json(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if is_secret_key(k) && !v.is_null() {
                    *v = Value::String(REDACTED.into());
                } else {
                    redact_json(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_json),
        _ => {}
    }
}

/// A bounded excerpt of a response body for an error message: JSON bodies have their secret
/// members redacted first; anything longer than [`EXCERPT_CHARS`] is cut with `…`.
pub fn excerpt(body: &str) -> String {
    let text = match serde_json::from_str::<Value>(body) {
        Ok(mut json) => {
            redact_json(&mut json);
            json.to_string()
        }
        Err(_) => body.split_whitespace().collect::<Vec<_>>().join(" "),
    };
    match text.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_members_are_redacted_at_any_depth() {
        let e = excerpt(
            r#"{"error":"invalid_client","client_secret":"s3cr3t","nested":{"accessToken":"abc","n":1}}"#,
        );
        assert!(!e.contains("s3cr3t") && !e.contains("abc"), "{e}");
        assert!(e.contains("invalid_client") && e.contains("\"n\":1"), "{e}");
    }

    #[test]
    fn long_bodies_are_cut() {
        let e = excerpt(&"x".repeat(1000));
        assert_eq!(e.chars().count(), EXCERPT_CHARS + 1);
    }
}
