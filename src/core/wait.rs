//! Waiting for long-running operations: poll until a resource reaches the state wanted.
//!
//! Each API has `wait_until_*` helpers built on [`wait_until`]. They poll at an interval, give
//! up after an overall timeout, report progress (state changes and elapsed time) to a callback,
//! fail with a typed error on a terminal failure state, and ride out the transient errors that
//! services answer while a resource is being created or moved (5xx, 429, transport errors, and
//! per API: a 404 or a `null` right after a create, where a service answers so).
//!
//! Cancellation is safe: a waiter only reads, so dropping its future (a `select!`, a timeout, a
//! task abort) stops the polling and leaves nothing behind.

use std::future::Future;
use std::time::{Duration, Instant};

use super::Error;

/// A progress callback.
pub type ProgressFn = Box<dyn FnMut(&Progress) + Send>;

/// How to wait.
pub struct WaitOptions {
    /// Time between polls (default 5 s).
    pub interval: Duration,
    /// Give up after this long (default 30 min).
    pub timeout: Duration,
    /// Called after every poll with what was seen.
    pub on_progress: Option<ProgressFn>,
}

impl Default for WaitOptions {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(5),
            timeout: Duration::from_secs(30 * 60),
            on_progress: None,
        }
    }
}

impl std::fmt::Debug for WaitOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaitOptions")
            .field("interval", &self.interval)
            .field("timeout", &self.timeout)
            .field("on_progress", &self.on_progress.is_some())
            .finish()
    }
}

impl WaitOptions {
    /// Polls every `interval`, for at most `timeout`.
    pub fn new(interval: Duration, timeout: Duration) -> Self {
        Self {
            interval,
            timeout,
            on_progress: None,
        }
    }

    /// Reports every poll to `f`.
    pub fn on_progress(mut self, f: impl FnMut(&Progress) + Send + 'static) -> Self {
        self.on_progress = Some(Box::new(f));
        self
    }
}

/// What one poll saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    /// The resource's state as the API names it (or a note such as `"unavailable (HTTP 504)"`
    /// after a transient error).
    pub state: String,
    /// Whether it differs from the previous poll's.
    pub changed: bool,
    /// Time since the wait began.
    pub elapsed: Duration,
    /// Polls so far, this one included.
    pub polls: u32,
}

/// What a poll's answer means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The state wanted.
    Done,
    /// Not there yet; the state to report.
    Pending(String),
    /// A state it will not leave for the one wanted.
    Failed(String),
}

/// Why a wait ended without the state wanted.
#[derive(Debug, thiserror::Error)]
pub enum WaitError<E> {
    /// The resource reached a terminal failure state.
    #[error("{what} reached {state:?}, a terminal failure state, after {elapsed:?}")]
    Failed {
        /// What was waited for.
        what: String,
        /// The state it reached.
        state: String,
        /// Time waited.
        elapsed: Duration,
    },
    /// The overall timeout passed.
    #[error("{what} was still {last_state:?} after {elapsed:?} (timeout)")]
    Timeout {
        /// What was waited for.
        what: String,
        /// The last state seen.
        last_state: String,
        /// Time waited.
        elapsed: Duration,
    },
    /// A poll failed in a way that waiting longer will not fix (401, 400, …).
    #[error("{what}: {source}")]
    Api {
        /// What was waited for.
        what: String,
        /// The failed call.
        #[source]
        source: Error<E>,
    },
}

/// Whether an error is worth polling through: 5xx, 429, 408, or no answer at all.
pub fn is_transient<E>(error: &Error<E>) -> bool {
    match error {
        Error::Transport { .. } => true,
        Error::Status { status, .. } => *status >= 500 || *status == 429 || *status == 408,
        _ => false,
    }
}

fn describe<E>(error: &Error<E>) -> String {
    match error {
        Error::Status { status, .. } => format!("unavailable (HTTP {status})"),
        Error::Transport { .. } => "unavailable (no answer)".into(),
        Error::Decode { .. } => "unavailable (unreadable answer)".into(),
        _ => "unavailable".into(),
    }
}

/// Polls `poll` until `verdict` says done (returns the last answer) or failed, the timeout
/// passes, or a poll fails with an error that `transient` does not accept.
pub async fn wait_until<T, E, Fut>(
    what: impl Into<String>,
    mut options: WaitOptions,
    mut poll: impl FnMut() -> Fut,
    verdict: impl Fn(&T) -> Verdict,
    transient: impl Fn(&Error<E>) -> bool,
) -> Result<T, WaitError<E>>
where
    Fut: Future<Output = Result<T, Error<E>>>,
{
    let what = what.into();
    let started = Instant::now();
    let mut last: Option<String> = None;
    let mut polls = 0u32;
    loop {
        polls += 1;
        let outcome = poll().await;
        let elapsed = started.elapsed();
        let (state, result) = match outcome {
            Ok(answer) => match verdict(&answer) {
                Verdict::Done => ("done".to_string(), Some(Ok(answer))),
                Verdict::Pending(s) => (s, None),
                Verdict::Failed(state) => (
                    state.clone(),
                    Some(Err(WaitError::Failed {
                        what: what.clone(),
                        state,
                        elapsed,
                    })),
                ),
            },
            Err(e) if transient(&e) => (describe(&e), None),
            Err(source) => {
                return Err(WaitError::Api {
                    what: what.clone(),
                    source,
                });
            }
        };
        let changed = last.as_deref() != Some(state.as_str());
        if let Some(report) = options.on_progress.as_mut() {
            report(&Progress {
                state: state.clone(),
                changed,
                elapsed,
                polls,
            });
        }
        if let Some(result) = result {
            return result;
        }
        last = Some(state);
        if elapsed + options.interval > options.timeout {
            return Err(WaitError::Timeout {
                what,
                last_state: last.unwrap_or_default(),
                elapsed,
            });
        }
        tokio::time::sleep(options.interval).await;
    }
}

/// Done when `state` is one of `wanted`, failed when one of `failed`, pending otherwise
/// (unknown states included); compared case-insensitively.
pub fn classify_state(state: Option<&str>, wanted: &[&str], failed: &[&str]) -> Verdict {
    let Some(state) = state else {
        return Verdict::Pending("unknown".into());
    };
    if wanted.iter().any(|w| w.eq_ignore_ascii_case(state)) {
        Verdict::Done
    } else if failed.iter().any(|f| f.eq_ignore_ascii_case(state)) {
        Verdict::Failed(state.to_string())
    } else {
        Verdict::Pending(state.to_string())
    }
}
