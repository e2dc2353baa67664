//! Per-call options: what one call may do differently from its client.

use std::time::Duration;

/// Options for one call, given to its builder with `with_options` (every operation builder has
/// it; so does the builder a stream's `configure` closure gets).
///
/// ```no_run
/// # async fn demo(client: impl std::any::Any) {}
/// // client.create_thing().body(body)
/// //     .with_options(CallOptions { retry_non_idempotent: true, ..Default::default() })
/// //     .send().await
/// ```
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
