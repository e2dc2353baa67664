//! What the command line needs from every client (`cli` feature): each API's
//! `cli_table::OPERATIONS` describes its operations, and `cli_table::invoke` calls one with
//! parameters given as text and a JSON body, decoded into the operation's own types before
//! anything is sent. The `dataplat` binary (`cli/`) is built on it.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// An operation of a client, for the command line.
#[derive(Debug, Clone, Copy)]
pub struct Operation {
    /// The client method (`get_cluster`); the command is its kebab-case form.
    pub name: &'static str,
    /// The first line of the operation's docs.
    pub summary: &'static str,
    /// Its parameters (path, query, header), by setter name.
    pub params: &'static [Param],
    /// `Some(required)` when it takes a JSON body.
    pub body: Option<bool>,
    /// Whether it is a list with an item stream (`--all`).
    pub stream: bool,
}

/// A parameter of an operation.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// The setter name (`cluster_id`); the flag is its kebab-case form.
    pub name: &'static str,
    /// Whether the operation cannot be sent without it.
    pub required: bool,
    /// Its type, as the help shows it (`i64`, `Vec<String>`, `ClusterState`).
    pub ty: &'static str,
}

/// The arguments of one invocation: parameter values as text, and a JSON body.
#[derive(Debug, Default, Clone)]
pub struct Args {
    params: Vec<(String, String)>,
    body: Option<Value>,
}

impl Args {
    /// No arguments.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets parameter `name` (the setter name) to `value`.
    pub fn with_param(mut self, name: &str, value: impl Into<String>) -> Self {
        self.params.push((name.to_string(), value.into()));
        self
    }
    /// Sets the JSON body.
    pub fn with_body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }
    /// The value of parameter `name`, if given.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
    /// The JSON body, if given.
    pub fn body(&self) -> Option<&Value> {
        self.body.as_ref()
    }
}

/// What kind of failure ended an invocation: the command line's exit code comes from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// A parameter or body that is not what the operation takes; nothing was sent.
    Usage,
    /// No credential, or the server refused it.
    Auth,
    /// The server answered 404.
    NotFound,
    /// Any other answer the operation does not succeed with, or one that does not decode.
    Api,
    /// The request could not be sent or answered (connection, TLS, timeout).
    Transport,
}

/// A failed invocation: its kind and a message naming the call (secrets redacted, as the
/// library's errors are).
#[derive(Debug, Clone)]
pub struct Failure {
    /// What kind of failure.
    pub kind: FailureKind,
    /// What went wrong.
    pub message: String,
    /// The server's answer, when it sent one that decodes.
    pub body: Option<Value>,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

impl Failure {
    fn usage(message: String) -> Self {
        Self {
            kind: FailureKind::Usage,
            message,
            body: None,
        }
    }

    /// Classifies a client error.
    pub fn from_error<E: Serialize + fmt::Debug>(error: super::Error<E>) -> Self {
        use super::Error;
        let kind = match &error {
            Error::Auth { .. } => FailureKind::Auth,
            Error::Status { status: 401, .. } => FailureKind::Auth,
            Error::Status { status: 404, .. } => FailureKind::NotFound,
            Error::InvalidRequest { .. } => FailureKind::Usage,
            Error::Transport { .. } => FailureKind::Transport,
            _ => FailureKind::Api,
        };
        let body = error.body().and_then(|b| serde_json::to_value(b).ok());
        Self {
            kind,
            message: error.to_string(),
            body,
        }
    }
}

/// A running invocation.
pub type Invoked<'a> = Pin<Box<dyn Future<Output = Result<Value, Failure>> + Send + 'a>>;

/// Parameter `name` given as `text`, as the operation's type `T`: a string as it is, anything
/// else (numbers, booleans, enums) as JSON when it is not a plain string of `T`, a list as JSON
/// or as `a,b,c`.
pub fn parse<T: DeserializeOwned>(name: &str, text: &str) -> Result<T, Failure> {
    serde_json::from_value(Value::String(text.to_string())).or_else(|first| {
        serde_json::from_str(text)
            .or_else(|_| {
                // A list given as `a,b,c`.
                let items = text
                    .split(',')
                    .map(|i| Value::String(i.to_string()))
                    .collect();
                serde_json::from_value(Value::Array(items))
            })
            .map_err(|_| {
                Failure::usage(format!(
                    "--{}: `{text}` is not a {}: {first}",
                    name.replace('_', "-"),
                    short_type::<T>()
                ))
            })
    })
}

/// The JSON body as the operation's body type `T`: refused, naming what is wrong, before
/// anything is sent.
pub fn body<T: DeserializeOwned>(value: &Value) -> Result<T, Failure> {
    T::deserialize(value)
        .map_err(|e| Failure::usage(format!("the body is not a {}: {e}", short_type::<T>())))
}

/// An answer as JSON.
pub fn json<T: Serialize>(value: &T) -> Result<Value, Failure> {
    serde_json::to_value(value).map_err(|e| Failure {
        kind: FailureKind::Api,
        message: format!("the answer does not encode as JSON: {e}"),
        body: None,
    })
}

/// A raw answer (logs, files) as text.
pub async fn bytes(stream: progenitor_client::ByteStream) -> Result<Value, Failure> {
    use futures::TryStreamExt;
    let chunks: Vec<bytes::Bytes> =
        stream
            .into_inner()
            .try_collect()
            .await
            .map_err(|e| Failure {
                kind: FailureKind::Transport,
                message: format!("reading the answer: {e}"),
                body: None,
            })?;
    Ok(Value::String(
        String::from_utf8_lossy(&chunks.concat()).into_owned(),
    ))
}

fn short_type<T>() -> String {
    let full = std::any::type_name::<T>();
    full.rsplit("::").next().unwrap_or(full).to_string()
}
