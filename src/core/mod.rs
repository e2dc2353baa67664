//! The shared core every generated client runs on.
//!
//! progenitor generates each client with [`Context`] as its inner type and
//! `HooksMode::Expected`, and `dataplat_codegen`'s `dispatch` pass turns its hook calls into
//! one call of the shared request path (`dispatch::dispatch`). The crate implements no
//! `ClientHooks`, so a generated call that would bypass that path does not compile. Auth,
//! retries, rate limits, redirects, body limits and tracing all live on that path, and token
//! requests take it too ([`auth::TokenClient`]).
//!
//! The core names no API: what is special about one is its module's [`ApiProfile`].

pub mod auth;
#[cfg(feature = "cli")]
pub mod cli;
pub mod config;
mod context;
#[doc(hidden)]
pub mod de;
pub(crate) mod decode;
pub(crate) mod dispatch;
pub mod error;
pub(crate) mod failure;
#[cfg(feature = "fixtures")]
#[doc(hidden)]
pub mod fixtures;
mod http;
pub mod limits;
#[cfg(feature = "mock")]
pub mod mock;
mod options;
pub mod pagination;
pub(crate) mod path;
mod profile;
pub(crate) mod query;
pub mod redact;
pub(crate) mod redirect;
pub mod retry;
#[doc(hidden)]
pub mod tolerant;
pub(crate) mod transport;
pub mod wait;

pub use auth::{AuthError, AuthErrorKind, Credential};
pub use context::{Context, MAX_BODY_BYTES, MAX_TOKEN_BODY_BYTES, REQUEST_TIMEOUT};
pub use error::{Call, Error};
pub use http::{CONNECT_TIMEOUT, HttpClient, ensure_tls_provider};
pub use limits::RateLimit;
pub use options::CallOptions;
pub use pagination::{CollectItems, ItemStream};
pub use profile::{ApiProfile, RejectionRule, detail_is, rejects_401};
/// What a successful call returns: the decoded body plus status and headers.
pub use progenitor_client::ResponseValue;
pub use redirect::MAX_REDIRECTS;
pub use retry::{RetryBudget, RetryPolicy};
pub use wait::{Progress, Verdict, WaitError, WaitOptions};
