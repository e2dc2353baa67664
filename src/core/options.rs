//! Per-call options, set around one `send()` without changing the generated signatures.

use std::future::Future;
use std::time::Duration;

/// Options for the calls made inside [`with_options`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CallOptions {
    /// Retry POST/PATCH on retryable answers too (the caller knows the call is safe to repeat).
    pub retry_non_idempotent: bool,
    /// The limit of the whole call (token fetch, redirects, retries), instead of the client's
    /// ([`Context::with_timeout`](super::Context::with_timeout)).
    pub timeout: Option<Duration>,
    /// The limit of each attempt, instead of the client's
    /// ([`Context::with_attempt_timeout`](super::Context::with_attempt_timeout)).
    pub attempt_timeout: Option<Duration>,
    /// Attempts in all, instead of the client's policy.
    pub max_attempts: Option<u32>,
}

tokio::task_local! {
    static OPTIONS: CallOptions;
}

/// Runs `call` (one or more `send()`s) with `options`.
///
/// ```no_run
/// # async fn demo(galaxy: dataplat::galaxy::Client, body: dataplat::galaxy::types::NewRole) {
/// use dataplat::core::{CallOptions, with_options};
/// // Creating a role twice is harmless here: allow retries of this POST.
/// let opts = CallOptions { retry_non_idempotent: true, ..Default::default() };
/// let role = with_options(opts, galaxy.create_role().body(body).send()).await;
/// # }
/// ```
pub async fn with_options<F: Future>(options: CallOptions, call: F) -> F::Output {
    OPTIONS.scope(options, call).await
}

/// The options of the call in progress.
pub(crate) fn current() -> CallOptions {
    OPTIONS.try_with(|o| *o).unwrap_or_default()
}
