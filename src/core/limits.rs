//! Client-side rate limits: token buckets (`governor`) per client, optionally per method and
//! path prefix. A request waits for every bucket that matches it.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use reqwest::Method;

/// One bucket and the requests it applies to.
#[derive(Clone)]
pub struct RateLimit {
    method: Option<Method>,
    path_prefix: Option<&'static str>,
    limiter: Arc<DefaultDirectRateLimiter>,
    description: String,
}

impl std::fmt::Debug for RateLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.description)
    }
}

impl RateLimit {
    /// `per_second` requests a second on average (fractions allowed), bursts of `burst`.
    pub fn new(per_second: f64, burst: u32) -> Self {
        let period = Duration::from_secs_f64(1.0 / per_second.max(1e-6));
        let quota = Quota::with_period(period)
            .expect("a positive period")
            .allow_burst(NonZeroU32::new(burst.max(1)).expect("burst is at least 1"));
        Self {
            method: None,
            path_prefix: None,
            limiter: Arc::new(RateLimiter::direct(quota)),
            description: format!("{per_second}/s burst {burst}"),
        }
    }

    /// Only for requests with this method.
    pub fn for_method(mut self, method: Method) -> Self {
        self.description = format!("{method} {}", self.description);
        self.method = Some(method);
        self
    }

    /// Only for request paths (after the base URL's own path) starting with `prefix`.
    pub fn for_path_prefix(mut self, prefix: &'static str) -> Self {
        self.description = format!("{prefix}… {}", self.description);
        self.path_prefix = Some(prefix);
        self
    }

    pub(crate) fn applies(&self, method: &Method, path: &str) -> bool {
        self.method.as_ref().is_none_or(|m| m == method)
            && self.path_prefix.is_none_or(|p| path.contains(p))
    }
}

/// Waits until every matching bucket has room.
pub(crate) async fn wait(limits: &[RateLimit], method: &Method, path: &str) {
    for limit in limits.iter().filter(|l| l.applies(method, path)) {
        limit.limiter.until_ready().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_match_by_method_and_path() {
        let all = RateLimit::new(1.0, 1);
        let clusters = RateLimit::new(1.0, 1).for_path_prefix("/v1/cluster");
        let posts = RateLimit::new(1.0, 1).for_method(Method::POST);
        assert!(all.applies(&Method::GET, "/v1/role"));
        assert!(!clusters.applies(&Method::GET, "/v1/role"));
        assert!(clusters.applies(&Method::POST, "/api/v1/cluster/w-1:start"));
        assert!(posts.applies(&Method::POST, "/x") && !posts.applies(&Method::GET, "/x"));
    }

    #[tokio::test]
    async fn a_bucket_spaces_requests_after_its_burst() {
        let limits = vec![RateLimit::new(20.0, 2)];
        let started = std::time::Instant::now();
        for _ in 0..6 {
            wait(&limits, &Method::GET, "/x").await;
        }
        // 2 at once, then 4 more at 20/s: at least 4 × 50 ms.
        assert!(
            started.elapsed() >= Duration::from_millis(190),
            "{:?}",
            started.elapsed()
        );
    }
}
