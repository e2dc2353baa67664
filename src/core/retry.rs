//! When and how long to wait before sending a request again.
//!
//! Exponential backoff (schedule from `backon`) with full jitter: each wait is uniform in
//! `[0, backoff]`, so many clients retrying together spread out. A `Retry-After` header (seconds
//! or HTTP-date) raises the wait to what the server asked for, up to a cap. Idempotent methods
//! retry connect errors, timeouts, broken responses and 408/429/502/503/504; POST and PATCH retry
//! only when the request provably never reached the server (connection refused, DNS), unless the
//! caller opts in for that call ([`CallOptions`](super::CallOptions)).
//!
//! Retries draw on a per-client [`RetryBudget`], so an outage is not amplified: when most calls
//! fail, the budget drains and calls stop retrying; successes refill it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime};

use backon::BackoffBuilder;
use reqwest::{Method, StatusCode};

/// Retry budget and backoff of a client.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 disables retries). Default 4.
    pub max_attempts: u32,
    /// No retry starts after this much time since the first attempt. Default 60 s.
    pub max_elapsed: Duration,
    /// First backoff before jitter. Default 200 ms.
    pub initial_backoff: Duration,
    /// Largest backoff before jitter. Default 10 s.
    pub max_backoff: Duration,
    /// The most a `Retry-After` is honoured. Default 60 s.
    pub retry_after_cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            max_elapsed: Duration::from_secs(60),
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            retry_after_cap: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The backoff schedule (before jitter): one entry per possible retry.
    pub(crate) fn schedule(&self) -> Schedule {
        backon::ExponentialBuilder::new()
            .with_min_delay(self.initial_backoff)
            .with_max_delay(self.max_backoff)
            .with_factor(2.0)
            .with_max_times(self.max_attempts.saturating_sub(1) as usize)
            .build()
    }
}

/// The backoffs of a policy's retries, in order, before jitter.
pub(crate) type Schedule = backon::ExponentialBackoff;

/// Full jitter: uniform in `[0, backoff]`.
pub(crate) fn full_jitter(backoff: Duration) -> Duration {
    backoff.mul_f64(fastrand::f64())
}

/// A per-client retry quota, after the AWS SDKs' "standard" retry mode: a token bucket that
/// every retry draws from (a retry costs [`RetryBudget::RETRY_COST`], a retry after a timeout
/// [`RetryBudget::TIMEOUT_COST`]) and every success refills (a success that needed retries gives
/// back what they took; one that did not adds [`RetryBudget::SUCCESS_REFILL`]). When the bucket
/// cannot pay for a retry, the failure is the answer. A first attempt never waits for it.
///
/// Shared by every call of a client (and its clones). With the default capacity of 500, a total
/// outage costs at most 100 retries however many calls are made.
#[derive(Clone, Debug)]
pub struct RetryBudget(Option<Arc<Bucket>>);

#[derive(Debug)]
struct Bucket {
    capacity: u32,
    available: AtomicU32,
}

impl Default for RetryBudget {
    fn default() -> Self {
        Self::new(Self::CAPACITY)
    }
}

impl RetryBudget {
    /// Default capacity.
    pub const CAPACITY: u32 = 500;
    /// What a retry takes.
    pub const RETRY_COST: u32 = 5;
    /// What a retry after a timeout takes.
    pub const TIMEOUT_COST: u32 = 10;
    /// What a success that needed no retry gives back.
    pub const SUCCESS_REFILL: u32 = 1;

    /// A full bucket of `capacity`.
    pub fn new(capacity: u32) -> Self {
        Self(Some(Arc::new(Bucket {
            capacity,
            available: AtomicU32::new(capacity),
        })))
    }

    /// No quota: retries are limited by the [`RetryPolicy`] alone.
    pub fn unlimited() -> Self {
        Self(None)
    }

    /// What is left in the bucket (`None` when unlimited).
    pub fn available(&self) -> Option<u32> {
        self.0.as_ref().map(|b| b.available.load(Ordering::Relaxed))
    }

    /// Takes the cost of one retry; `None` when the bucket cannot pay (no retry), else what was
    /// taken (to give back on success).
    pub(crate) fn acquire(&self, after_timeout: bool) -> Option<u32> {
        let Some(bucket) = &self.0 else {
            return Some(0);
        };
        let cost = if after_timeout {
            Self::TIMEOUT_COST
        } else {
            Self::RETRY_COST
        };
        bucket
            .available
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |a| a.checked_sub(cost))
            .ok()
            .map(|_| cost)
    }

    /// A call succeeded after its retries took `taken`.
    pub(crate) fn succeeded(&self, taken: u32) {
        let Some(bucket) = &self.0 else {
            return;
        };
        let refill = if taken > 0 {
            taken
        } else {
            Self::SUCCESS_REFILL
        };
        let _ = bucket
            .available
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |a| {
                (a < bucket.capacity).then(|| (a + refill).min(bucket.capacity))
            });
    }
}

/// Whether a method may be sent twice without changing the outcome.
pub(crate) fn idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    )
}

/// Statuses worth another attempt.
pub(crate) fn retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 502 | 503 | 504)
}

/// Whether a transport error means the request never left this machine.
pub(crate) fn never_sent(error: &reqwest::Error) -> bool {
    // reqwest marks refused connections and failed name resolution as connect errors; either
    // way no byte of the request reached the server.
    error.is_connect()
}

/// `Retry-After` as a delay: delta-seconds or an HTTP-date.
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_doubles_up_to_the_cap_and_stops() {
        let p = RetryPolicy {
            max_attempts: 6,
            max_backoff: Duration::from_secs(1),
            ..RetryPolicy::default()
        };
        let s: Vec<_> = p.schedule().map(|d| d.as_millis()).collect();
        assert_eq!(s, [200, 400, 800, 1000, 1000]);
        assert_eq!(RetryPolicy::none().schedule().count(), 0);
    }

    #[test]
    fn the_budget_drains_in_an_outage_and_refills_on_success() {
        let budget = RetryBudget::new(20);
        assert_eq!(budget.acquire(false), Some(5));
        assert_eq!(budget.acquire(true), Some(10));
        assert_eq!(budget.acquire(false), Some(5));
        assert_eq!(budget.acquire(false), None, "empty: no retry");
        budget.succeeded(0);
        assert_eq!(budget.available(), Some(1));
        budget.succeeded(10);
        assert_eq!(budget.available(), Some(11));
        for _ in 0..100 {
            budget.succeeded(0);
        }
        assert_eq!(budget.available(), Some(20), "never above capacity");
        let unlimited = RetryBudget::unlimited();
        assert!((0..1000).all(|_| unlimited.acquire(true).is_some()));
    }

    #[test]
    fn jitter_stays_within_the_backoff() {
        for _ in 0..1000 {
            assert!(full_jitter(Duration::from_millis(100)) <= Duration::from_millis(100));
        }
    }

    #[test]
    fn retry_after_in_both_forms() {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert("retry-after", "7".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        let later = SystemTime::now() + Duration::from_secs(30);
        h.insert(
            "retry-after",
            httpdate::fmt_http_date(later).parse().unwrap(),
        );
        let d = retry_after(&h).unwrap();
        assert!(
            d > Duration::from_secs(28) && d <= Duration::from_secs(30),
            "{d:?}"
        );
        h.insert("retry-after", "soon".parse().unwrap());
        assert_eq!(retry_after(&h), None);
    }
}
