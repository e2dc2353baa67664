//! A cached, expiring credential, refreshed ahead of expiry with single-flight semantics.
//!
//! However many requests find the token missing or stale at once, exactly one fetch runs; the
//! others await that same fetch (a shared future) and get its result, success or error. A
//! failed fetch is not cached: the next call starts a new one. The only lock is a short
//! `std::sync::Mutex` around the state, never held across an await or an ordinary request.

use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;

use super::AuthError;

/// A bearer-style token and when it stops being valid.
#[derive(Clone)]
pub struct Token {
    /// The token itself (never printed).
    pub secret: SecretString,
    /// How long it is valid from the moment it was received; `None` when the issuer did not say.
    pub lifetime: Option<Duration>,
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("secret", &"[redacted]")
            .field("lifetime", &self.lifetime)
            .finish()
    }
}

/// Something that can obtain a fresh [`Token`] (a token endpoint, a login, a device flow).
pub trait TokenSource: Send + Sync + 'static {
    /// Fetches a new token. Called by [`TokenCache`] only, one call at a time.
    fn fetch(&self) -> BoxFuture<'static, Result<Token, AuthError>>;
}

/// When to refresh ahead of expiry: `min(skew, fraction × lifetime)` before it.
#[derive(Clone, Copy, Debug)]
pub struct RefreshPolicy {
    /// The most a token is refreshed ahead of its expiry (default 60 s).
    pub skew: Duration,
    /// Refresh at the latest this fraction of the lifetime ahead of expiry (default 10 %).
    pub fraction: f64,
}

impl Default for RefreshPolicy {
    fn default() -> Self {
        Self {
            skew: Duration::from_secs(60),
            fraction: 0.10,
        }
    }
}

impl RefreshPolicy {
    /// How long before expiry a token with this lifetime is refreshed.
    pub fn lead(&self, lifetime: Duration) -> Duration {
        self.skew
            .min(lifetime.mul_f64(self.fraction.clamp(0.0, 1.0)))
    }
}

type Fetch = Shared<BoxFuture<'static, Result<Arc<Cached>, AuthError>>>;

struct Cached {
    secret: SecretString,
    /// When to stop using it (expiry minus the refresh lead); `None`: until rejected.
    refresh_at: Option<Instant>,
    /// The header value made from it, built on first use: every request of the token's life
    /// sends the same one.
    header: OnceLock<Option<HeaderValue>>,
}

#[derive(Default)]
struct State {
    current: Option<Arc<Cached>>,
    in_flight: Option<(u64, Fetch)>,
    generation: u64,
}

/// A token cache over a [`TokenSource`]; cheap to clone, clones share the cache.
#[derive(Clone)]
pub struct TokenCache {
    source: Arc<dyn TokenSource>,
    policy: RefreshPolicy,
    state: Arc<Mutex<State>>,
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.lock().expect("token state lock");
        f.debug_struct("TokenCache")
            .field("policy", &self.policy)
            .field("cached", &state.current.is_some())
            .field("refreshing", &state.in_flight.is_some())
            .finish()
    }
}

impl TokenCache {
    /// A cache over `source` with the given refresh policy.
    pub fn new(source: impl TokenSource, policy: RefreshPolicy) -> Self {
        Self {
            source: Arc::new(source),
            policy,
            state: Arc::default(),
        }
    }

    /// A valid token: the cached one, or the result of the one fetch in flight (started if needed).
    pub async fn token(&self) -> Result<SecretString, AuthError> {
        Ok(self.cached().await?.secret.clone())
    }

    /// A valid token as a sensitive header value `<prefix><token>`; `None` when the token
    /// cannot be one (a byte no header may carry).
    pub(crate) async fn header(&self, prefix: &str) -> Result<Option<HeaderValue>, AuthError> {
        let cached = self.cached().await?;
        let value = cached.header.get_or_init(|| {
            let mut value =
                HeaderValue::from_str(&format!("{prefix}{}", cached.secret.expose_secret()))
                    .ok()?;
            value.set_sensitive(true);
            Some(value)
        });
        Ok(value.clone())
    }

    async fn cached(&self) -> Result<Arc<Cached>, AuthError> {
        let fetch = {
            let mut state = self.state.lock().expect("token state lock");
            if let Some(current) = &state.current
                && current.refresh_at.is_none_or(|at| Instant::now() < at)
            {
                return Ok(current.clone());
            }
            match &state.in_flight {
                Some((_, fetch)) => fetch.clone(),
                None => {
                    state.generation += 1;
                    let generation = state.generation;
                    let fetch = self.start_fetch(generation);
                    state.in_flight = Some((generation, fetch.clone()));
                    fetch
                }
            }
        };
        fetch.await
    }

    /// Builds the shared fetch; whoever completes it first stores its outcome.
    fn start_fetch(&self, generation: u64) -> Fetch {
        let source = self.source.clone();
        let state = self.state.clone();
        let policy = self.policy;
        async move {
            let outcome = source.fetch().await.map(|token| {
                let refresh_at = token
                    .lifetime
                    .map(|life| Instant::now() + life.saturating_sub(policy.lead(life)));
                Arc::new(Cached {
                    secret: token.secret,
                    refresh_at,
                    header: OnceLock::new(),
                })
            });
            let mut state = state.lock().expect("token state lock");
            if state
                .in_flight
                .as_ref()
                .is_some_and(|(g, _)| *g == generation)
            {
                state.in_flight = None;
                // A failure is not cached: the next call fetches again.
                state.current = outcome.as_ref().ok().cloned();
            }
            outcome
        }
        .boxed()
        .shared()
    }

    /// Drops the cached token if it is still `rejected` (the one a 401 answered); returns whether
    /// a replay with a fresh token makes sense. Comparing avoids a stampede of refreshes when
    /// many requests carrying the same old token are rejected together.
    pub fn invalidate(&self, rejected: &str) -> bool {
        let mut state = self.state.lock().expect("token state lock");
        if let Some(current) = &state.current
            && current.secret.expose_secret() == rejected
        {
            state.current = None;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Counting {
        calls: Arc<AtomicUsize>,
        fail_first: bool,
        lifetime: Duration,
    }

    impl TokenSource for Counting {
        fn fetch(&self) -> BoxFuture<'static, Result<Token, AuthError>> {
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            let fail = self.fail_first && n == 0;
            let lifetime = self.lifetime;
            async move {
                tokio::time::sleep(Duration::from_millis(20)).await;
                if fail {
                    return Err(AuthError::token_endpoint(
                        "test",
                        "token endpoint",
                        Some(500),
                        "boom",
                    ));
                }
                Ok(Token {
                    secret: SecretString::from(format!("t{n}")),
                    lifetime: Some(lifetime),
                })
            }
            .boxed()
        }
    }

    fn cache(fail_first: bool, lifetime: Duration) -> (TokenCache, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        let source = Counting {
            calls: calls.clone(),
            fail_first,
            lifetime,
        };
        (TokenCache::new(source, RefreshPolicy::default()), calls)
    }

    #[test]
    fn lead_is_the_smaller_of_skew_and_ten_percent() {
        let p = RefreshPolicy::default();
        assert_eq!(p.lead(Duration::from_secs(600)), Duration::from_secs(60));
        assert_eq!(p.lead(Duration::from_secs(300)), Duration::from_secs(30));
        assert_eq!(p.lead(Duration::from_secs(86_400)), Duration::from_secs(60));
    }

    #[tokio::test]
    async fn a_thousand_waiters_share_one_fetch() {
        let (cache, calls) = cache(false, Duration::from_secs(600));
        let tasks: Vec<_> = (0..1000)
            .map(|_| {
                tokio::spawn({
                    let cache = cache.clone();
                    async move { cache.token().await.map(|t| t.expose_secret().to_string()) }
                })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap().unwrap(), "t0");
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_failed_fetch_fails_its_waiters_then_the_next_call_retries() {
        let (cache, calls) = cache(true, Duration::from_secs(600));
        let (a, b) = tokio::join!(cache.token(), cache.token());
        assert!(a.is_err() && b.is_err());
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "waiters share the failed fetch"
        );
        assert_eq!(cache.token().await.unwrap().expose_secret(), "t1");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn refreshes_ahead_of_expiry() {
        let (cache, calls) = cache(false, Duration::from_secs(600));
        assert_eq!(cache.token().await.unwrap().expose_secret(), "t0");
        tokio::time::advance(Duration::from_secs(539)).await;
        assert_eq!(
            cache.token().await.unwrap().expose_secret(),
            "t0",
            "still inside 600 - 60 s"
        );
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(
            cache.token().await.unwrap().expose_secret(),
            "t1",
            "refreshed 60 s before expiry"
        );
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn invalidation_only_drops_the_rejected_token() {
        let (cache, calls) = cache(false, Duration::from_secs(600));
        let first = cache.token().await.unwrap();
        cache.invalidate("some-older-token");
        assert_eq!(
            cache.token().await.unwrap().expose_secret(),
            first.expose_secret()
        );
        cache.invalidate(first.expose_secret());
        assert_eq!(cache.token().await.unwrap().expose_secret(), "t1");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }
}
