//! The shared core every generated client runs on.
//!
//! progenitor generates each client with [`Context`] as its inner type and
//! `HooksMode::Expected`, and `dataplat_codegen`'s `dispatch` pass turns its hook calls into
//! one call of the shared request path (`hooks::dispatch`). The crate implements no
//! `ClientHooks`, so a generated call that would bypass that path does not compile. Auth,
//! retries, rate limits, redirects, body limits and tracing all live on that path.

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
