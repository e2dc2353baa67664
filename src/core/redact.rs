//! Keeping secrets out of error messages and logs.
//!
//! Two rules, applied to every excerpt of a body that reaches an error, a `Debug` output or a
//! log event:
//! - **by key**: in JSON, the value of a member whose name says it is secret (`password`,
//!   `client_secret`, `access_token`, `apiKey`, `Authorization`, …) is replaced. Names that only
//!   look alike stay visible: `nextPageToken`, `syncToken`, `token_type`.
//! - **by value**: every secret the client holds or has fetched ([`Secrets`]: credential
//!   values and their Basic/base64 forms, tokens, refresh tokens, passwords sent in bodies) is
//!   replaced wherever it appears, whatever the body's format (JSON member, `detail` text, plain
//!   text, HTML).
//!
//! Control characters (ESC, BEL, …) and bidirectional overrides in an excerpt are escaped, so
//! a server cannot write terminal sequences into a log or a console.

use std::borrow::Cow;
use std::sync::{Arc, RwLock};

use serde_json::Value;

/// Longest body excerpt kept in an error, in characters.
pub const EXCERPT_CHARS: usize = 300;

/// The marker that replaces a secret value.
pub const REDACTED: &str = "[redacted]";

/// Secrets shorter than this are not searched for by value: replacing every `ab` in a message
/// would hide the message, not the secret. (Key-based redaction still covers them in JSON.)
pub const MIN_SECRET_CHARS: usize = 4;

/// Member names that end in "token" but carry no credential.
const NOT_SECRET: [&str; 6] = [
    "nextpagetoken",
    "pagetoken",
    "synctoken",
    "continuationtoken",
    "tokentype",
    "tokenendpoint",
];

/// Whether a JSON key names something secret (password, client_secret, access_token, apiKey,
/// credentials, Authorization, …). Paging and versioning tokens are not secrets.
pub fn is_secret_key(key: &str) -> bool {
    let k: String = key
        .chars()
        .filter(|c| !matches!(c, '_' | '-' | '.' | ' '))
        .flat_map(char::to_lowercase)
        .collect();
    if NOT_SECRET.contains(&k.as_str()) {
        return false;
    }
    [
        "password",
        "passwd",
        "passphrase",
        "secret",
        "credential",
        "authorization",
        "apikey",
        "accesskey",
        "privatekey",
        "xauthtoken",
        "cookie",
    ]
    .iter()
    .any(|s| k.contains(s))
        || k.ends_with("token")
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

/// The string values of members whose key names a secret, anywhere in `value` (the passwords a
/// request body carries, so that an error body echoing them can be redacted by value).
pub(crate) fn secret_values(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match v {
                    Value::String(s) if is_secret_key(k) => out.push(s.clone()),
                    _ => secret_values(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| secret_values(v, out)),
        _ => {}
    }
}

/// The secrets one client knows: what it was configured with and what it has fetched.
///
/// Cheap to clone (clones share the list). Fetched tokens are kept for a while after they are
/// replaced (a server may echo an old one), up to [`Secrets::MAX_FETCHED`] of them.
#[derive(Clone, Default)]
pub struct Secrets(Arc<RwLock<Known>>);

#[derive(Default)]
struct Known {
    /// Configured secrets (and their encoded forms): kept for the client's life.
    fixed: Vec<Box<str>>,
    /// Fetched ones, oldest first.
    fetched: std::collections::VecDeque<Box<str>>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let known = self.0.read().unwrap_or_else(|e| e.into_inner());
        write!(
            f,
            "Secrets({} configured, {} fetched)",
            known.fixed.len(),
            known.fetched.len()
        )
    }
}

impl Secrets {
    /// Fetched secrets remembered at most.
    pub const MAX_FETCHED: usize = 16;

    /// Remembers a configured secret for the client's life, with the forms it travels in
    /// (JSON-escaped, percent-encoded, base64).
    pub fn add(&self, secret: &str) {
        let forms = forms(secret);
        let mut known = self.0.write().unwrap_or_else(|e| e.into_inner());
        for form in forms {
            if !known.fixed.contains(&form) {
                known.fixed.push(form);
            }
        }
    }

    /// Remembers a fetched secret (a token, a refresh token), forgetting the oldest beyond
    /// [`Secrets::MAX_FETCHED`].
    pub fn add_fetched(&self, secret: &str) {
        let forms = forms(secret);
        let mut known = self.0.write().unwrap_or_else(|e| e.into_inner());
        for form in forms {
            if known.fetched.contains(&form) || known.fixed.contains(&form) {
                continue;
            }
            if known.fetched.len() >= Self::MAX_FETCHED {
                known.fetched.pop_front();
            }
            known.fetched.push_back(form);
        }
    }

    /// Another client's secrets added to these (a login client's, say).
    pub fn extend(&self, other: &Secrets) {
        if Arc::ptr_eq(&self.0, &other.0) {
            return;
        }
        let theirs = other.0.read().unwrap_or_else(|e| e.into_inner());
        let (fixed, fetched): (Vec<_>, Vec<_>) = (
            theirs.fixed.clone(),
            theirs.fetched.iter().cloned().collect(),
        );
        drop(theirs);
        let mut known = self.0.write().unwrap_or_else(|e| e.into_inner());
        for f in fixed {
            if !known.fixed.contains(&f) {
                known.fixed.push(f);
            }
        }
        known.fetched.extend(fetched);
        while known.fetched.len() > Self::MAX_FETCHED {
            known.fetched.pop_front();
        }
    }

    /// `text` with every known secret, and each of `extra`, replaced by [`REDACTED`].
    pub fn redact<'t>(&self, text: &'t str, extra: &[String]) -> Cow<'t, str> {
        let known = self.0.read().unwrap_or_else(|e| e.into_inner());
        let mut out = Cow::Borrowed(text);
        let extra_forms: Vec<Box<str>> = extra.iter().flat_map(|s| forms(s)).collect();
        // Longest first, so a secret inside a longer one (a password inside its Basic form)
        // does not leave the rest of the longer one behind.
        let mut all: Vec<&str> = known
            .fixed
            .iter()
            .chain(known.fetched.iter())
            .chain(extra_forms.iter())
            .map(|s| &**s)
            .collect();
        all.sort_by_key(|s| std::cmp::Reverse(s.len()));
        for secret in all {
            if out.contains(secret) {
                out = Cow::Owned(out.replace(secret, REDACTED));
            }
        }
        out
    }

    /// Whether nothing is known.
    pub fn is_empty(&self) -> bool {
        let known = self.0.read().unwrap_or_else(|e| e.into_inner());
        known.fixed.is_empty() && known.fetched.is_empty()
    }
}

/// The forms a secret travels in: as is, JSON-escaped, percent-encoded, and base64 (Basic).
fn forms(secret: &str) -> Vec<Box<str>> {
    use base64::Engine;
    if secret.chars().count() < MIN_SECRET_CHARS {
        return Vec::new();
    }
    let mut out: Vec<Box<str>> = vec![secret.into()];
    let json = serde_json::to_string(secret).unwrap_or_default();
    let json = &json[1..json.len().saturating_sub(1).max(1)];
    let encoded = percent_encoding::utf8_percent_encode(secret, percent_encoding::NON_ALPHANUMERIC)
        .to_string();
    let b64 = base64::engine::general_purpose::STANDARD.encode(secret);
    for form in [json.to_string(), encoded, b64] {
        if !form.is_empty() && !out.iter().any(|o| **o == *form) {
            out.push(form.into());
        }
    }
    out
}

/// A bounded excerpt of a response body for an error message: JSON bodies have their secret
/// members redacted first; control characters are escaped; anything longer than
/// [`EXCERPT_CHARS`] is cut with `…`. Known secrets are not removed here: see
/// [`excerpt_with`].
pub fn excerpt(body: &str) -> String {
    let text = match serde_json::from_str::<Value>(body) {
        Ok(mut json) => {
            redact_json(&mut json);
            json.to_string()
        }
        Err(_) => body.split_whitespace().collect::<Vec<_>>().join(" "),
    };
    let text = escape_controls(&text);
    match text.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.into_owned(),
    }
}

/// [`excerpt`] with every secret of `secrets` (and `extra`) also removed by value.
pub fn excerpt_with(body: &str, secrets: &Secrets, extra: &[String]) -> String {
    // By value first: a secret cut in half by the excerpt's end would no longer match.
    let clean = secrets.redact(body, extra);
    excerpt(&clean)
}

/// `text` with control characters and bidirectional overrides written as `\u{…}`.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    let dangerous = |c: char| {
        c.is_control()
            || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(dangerous) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if dangerous(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
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
    fn paging_and_type_members_stay_visible() {
        let e = excerpt(
            r#"{"nextPageToken":"p-2","syncToken":"s-9","token_type":"bearer","Authorization":"Basic eHg6eXk=","x-auth-token":"t","apiKey":"k","key":"env"}"#,
        );
        for visible in ["p-2", "s-9", "bearer", "env"] {
            assert!(e.contains(visible), "{visible} hidden in {e}");
        }
        for hidden in ["eHg6eXk=", "\"t\"", "\"k\""] {
            assert!(!e.contains(hidden), "{hidden} shown in {e}");
        }
    }

    #[test]
    fn known_secrets_are_redacted_by_value_in_any_format() {
        let secrets = Secrets::default();
        secrets.add("hunter2-pw");
        secrets.add_fetched("tok-ABCDEF");
        let basic = {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.encode("hunter2-pw")
        };
        for body in [
            "plain text with hunter2-pw inside".to_string(),
            r#"{"detail":"bad header Bearer tok-ABCDEF"}"#.to_string(),
            format!("<html>Basic {basic}</html>"),
            "pw=hunter2%2Dpw".to_string(),
        ] {
            let e = excerpt_with(&body, &secrets, &[]);
            assert!(
                !e.contains("hunter2") && !e.contains("tok-ABCDEF") && !e.contains(&basic),
                "{e}"
            );
            assert!(e.contains(REDACTED), "{e}");
        }
        let e = excerpt_with("echo: db-admin-pass", &secrets, &["db-admin-pass".into()]);
        assert_eq!(e, "echo: [redacted]");
    }

    #[test]
    fn fetched_secrets_are_bounded() {
        let secrets = Secrets::default();
        for i in 0..100 {
            secrets.add_fetched(&format!("token-number-{i:03}"));
        }
        let known = secrets.0.read().unwrap();
        assert!(known.fetched.len() <= Secrets::MAX_FETCHED);
    }

    #[test]
    fn control_characters_are_escaped() {
        let e = excerpt("ok \u{1b}]0;pwned\u{7}\u{1b}[2J done \u{202e}txt");
        assert!(!e.chars().any(|c| c.is_control() || c == '\u{202e}'), "{e}");
        assert!(e.contains("\\u{1b}") && e.contains("\\u{7}"), "{e}");
    }

    #[test]
    fn long_bodies_are_cut() {
        let e = excerpt(&"x".repeat(1000));
        assert_eq!(e.chars().count(), EXCERPT_CHARS + 1);
    }
}
