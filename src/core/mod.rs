//! The shared core every generated client runs on.
//!
//! progenitor generates each client with `HooksMode::Expected` and [`Context`] as its inner
//! type, so the compiler refuses a client that does not route its requests through here. The
//! later layers (auth, retries, rate limits, tracing) plug into the same hooks.

pub mod auth;
pub mod config;
mod context;
pub(crate) mod decode;
pub mod error;
pub(crate) mod hooks;
pub mod limits;
mod options;
pub mod pagination;
pub(crate) mod path;
pub mod redact;
pub mod retry;
pub(crate) mod transport;
pub mod wait;

pub use auth::{AuthError, AuthErrorKind, Credential};
pub use context::{
    CONNECT_TIMEOUT, Context, MAX_BODY_BYTES, REQUEST_TIMEOUT, ensure_tls_provider, http_client,
    http_client_builder,
};
pub use error::{Call, Error};
pub use limits::RateLimit;
pub use options::{CallOptions, with_options};
pub use pagination::{CollectItems, ItemStream};
/// What a successful call returns: the decoded body plus status and headers.
pub use progenitor_client::ResponseValue;
pub use retry::RetryPolicy;
pub use wait::{Progress, Verdict, WaitError, WaitOptions};
