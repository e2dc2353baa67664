//! A cached, expiring credential, refreshed ahead of expiry with single-flight semantics.
//!
//! However many requests find the token missing or stale at once, exactly one fetch runs; the
//! others await that same fetch (a shared future) and get its result, success or error. A
//! failed fetch is not cached: the next call starts a new one. A fetch that panics is a failed
//! fetch like any other (the panic is caught), so the cache is never left poisoned. The only
//! lock is a short `std::sync::Mutex` around the state, never held across an await or an
//! ordinary request.
//!
//! Lifetimes are clamped to the policy's floor and ceiling ([`MIN_TOKEN_LIFETIME`] and
//! [`MAX_TOKEN_LIFETIME`] by default), whatever the issuer says (`expires_in`, a JWT's `exp`):
//! a lifetime of 0 would cost one token request per API call, and one of 2^64 − 1 seconds does
//! not fit in a clock. A token that dies sooner than the floor is refreshed by the rejection
//! it meets.

use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;

use super::{AuthError, AuthErrorKind, TokenClient};
use crate::core::redact::Secrets;

/// The shortest lifetime a token is given, whatever its issuer says (30 s).
pub const MIN_TOKEN_LIFETIME: Duration = Duration::from_secs(30);
/// The longest lifetime a token is given, whatever its issuer says (7 days); a rejection
/// refreshes it sooner.
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(7 * 24 * 3600);

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
    /// Fetches a new token, sending its requests through `client` (the API client's HTTP
    /// client, checks, retries and limits). Called by [`TokenCache`] only, one call at a time.
    fn fetch(&self, client: TokenClient) -> BoxFuture<'static, Result<Token, AuthError>>;

    /// The secrets this source sends (a client secret, a password): redacted, by value, from
    /// every error and log of the client it serves.
    fn secrets(&self) -> Vec<SecretString> {
        Vec::new()
    }
}

/// When to refresh ahead of expiry: `min(skew, fraction × lifetime)` before it, the lifetime
/// first clamped to `min_lifetime..=max_lifetime`.
#[derive(Clone, Copy, Debug)]
pub struct RefreshPolicy {
    /// The most a token is refreshed ahead of its expiry (default 60 s).
    pub skew: Duration,
    /// Refresh at the latest this fraction of the lifetime ahead of expiry (default 10 %).
    pub fraction: f64,
    /// The shortest lifetime a token is given ([`MIN_TOKEN_LIFETIME`] by default).
    pub min_lifetime: Duration,
    /// The longest lifetime a token is given ([`MAX_TOKEN_LIFETIME`] by default).
    pub max_lifetime: Duration,
}

impl Default for RefreshPolicy {
    fn default() -> Self {
        Self {
            skew: Duration::from_secs(60),
            fraction: 0.10,
            min_lifetime: MIN_TOKEN_LIFETIME,
            max_lifetime: MAX_TOKEN_LIFETIME,
        }
    }
}

impl RefreshPolicy {
    /// `lifetime` within `min_lifetime..=max_lifetime` (a ceiling below the floor is the floor).
    pub fn clamp(&self, lifetime: Duration) -> Duration {
        lifetime.min(self.max_lifetime).max(self.min_lifetime)
    }

    /// How long before expiry a token with this lifetime is refreshed.
    pub fn lead(&self, lifetime: Duration) -> Duration {
        let lifetime = self.clamp(lifetime);
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

impl Cached {
    /// Whether it may still be sent.
    fn fresh(&self) -> bool {
        self.refresh_at.is_none_or(|at| Instant::now() < at)
    }
}

/// `<prefix><token>` as a sensitive header value, built once per token; `None` when the token
/// cannot be one.
fn header_of(cached: &Cached, prefix: &str) -> Option<HeaderValue> {
    cached
        .header
        .get_or_init(|| {
            let mut value =
                HeaderValue::from_str(&format!("{prefix}{}", cached.secret.expose_secret()))
                    .ok()?;
            value.set_sensitive(true);
            Some(value)
        })
        .clone()
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
    secrets: Secrets,
}

/// The state, whatever a panic elsewhere left it marked as (it is never left half-changed).
fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = lock(&self.state);
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
            secrets: Secrets::default(),
        }
    }

    /// The same cache, adding every token it fetches to `secrets` (to redact them).
    pub(crate) fn remembering(mut self, secrets: Secrets) -> Self {
        self.secrets = secrets;
        self
    }

    /// A valid token: the cached one, or the result of the one fetch in flight (started if
    /// needed), its requests sent through `context`'s token path.
    pub async fn token(&self, context: &crate::core::Context) -> Result<SecretString, AuthError> {
        Ok(self.cached(context).await?.secret.clone())
    }

    /// A valid token as a sensitive header value `<prefix><token>`; `None` when the token
    /// cannot be one (a byte no header may carry).
    pub(crate) async fn header(
        &self,
        prefix: &str,
        context: &crate::core::Context,
    ) -> Result<Option<HeaderValue>, AuthError> {
        let cached = self.cached(context).await?;
        Ok(header_of(&cached, prefix))
    }

    /// The header [`header`](Self::header) would give, when a fresh token is at hand: without
    /// a future, as every call but the few that fetch a token can.
    pub(crate) fn header_now(&self, prefix: &str) -> Option<Option<HeaderValue>> {
        let state = lock(&self.state);
        let current = state.current.as_ref().filter(|current| current.fresh())?;
        Some(header_of(current, prefix))
    }

    async fn cached(&self, context: &crate::core::Context) -> Result<Arc<Cached>, AuthError> {
        let fetch = {
            let mut state = lock(&self.state);
            if let Some(current) = &state.current
                && current.fresh()
            {
                return Ok(current.clone());
            }
            match &state.in_flight {
                Some((_, fetch)) => fetch.clone(),
                None => {
                    state.generation += 1;
                    let generation = state.generation;
                    let fetch = self.start_fetch(generation, context);
                    state.in_flight = Some((generation, fetch.clone()));
                    fetch
                }
            }
        };
        fetch.await
    }

    /// Builds the shared fetch; whoever completes it first stores its outcome.
    fn start_fetch(&self, generation: u64, context: &crate::core::Context) -> Fetch {
        let state = self.state.clone();
        let policy = self.policy;
        let secrets = self.secrets.clone();
        let api = context.api();
        // A source that panics while starting its fetch fails it like one that panics later.
        let fetch = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.source.fetch(TokenClient::new(context.for_tokens()))
        }));
        async move {
            let fetched = match fetch {
                Ok(fetch) => std::panic::AssertUnwindSafe(fetch)
                    .catch_unwind()
                    .await
                    .unwrap_or_else(|_| Err(panicked(api))),
                Err(_) => Err(panicked(api)),
            };
            let outcome = fetched.map(|token| {
                secrets.add_fetched(token.secret.expose_secret());
                let life = token.lifetime.map(|l| policy.clamp(l));
                let refresh_at = life.map(|life| Instant::now() + life - policy.lead(life));
                Arc::new(Cached {
                    secret: token.secret,
                    refresh_at,
                    header: OnceLock::new(),
                })
            });
            let mut state = lock(&state);
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
        let mut state = lock(&self.state);
        if let Some(current) = &state.current
            && current.secret.expose_secret() == rejected
        {
            state.current = None;
        }
        true
    }
}

fn panicked(api: &'static str) -> AuthError {
    AuthError::new(
        api,
        "token fetch",
        AuthErrorKind::Endpoint,
        "the token source panicked; the next call fetches again",
    )
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

    static TEST: crate::core::ApiProfile = crate::core::ApiProfile::new("test");

    fn ctx() -> crate::core::Context {
        crate::core::Context::new(&TEST)
    }

    impl TokenSource for Counting {
        fn fetch(&self, _client: TokenClient) -> BoxFuture<'static, Result<Token, AuthError>> {
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
        let context = ctx();
        let tasks: Vec<_> = (0..1000)
            .map(|_| {
                tokio::spawn({
                    let cache = cache.clone();
                    let context = context.clone();
                    async move {
                        cache
                            .token(&context)
                            .await
                            .map(|t| t.expose_secret().to_string())
                    }
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
        let (a, b) = {
            let c = ctx();
            tokio::join!(cache.token(&c), cache.token(&c))
        };
        assert!(a.is_err() && b.is_err());
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "waiters share the failed fetch"
        );
        assert_eq!(cache.token(&ctx()).await.unwrap().expose_secret(), "t1");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn refreshes_ahead_of_expiry() {
        let (cache, calls) = cache(false, Duration::from_secs(600));
        assert_eq!(cache.token(&ctx()).await.unwrap().expose_secret(), "t0");
        tokio::time::advance(Duration::from_secs(539)).await;
        assert_eq!(
            cache.token(&ctx()).await.unwrap().expose_secret(),
            "t0",
            "still inside 600 - 60 s"
        );
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(
            cache.token(&ctx()).await.unwrap().expose_secret(),
            "t1",
            "refreshed 60 s before expiry"
        );
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn invalidation_only_drops_the_rejected_token() {
        let (cache, calls) = cache(false, Duration::from_secs(600));
        let first = cache.token(&ctx()).await.unwrap();
        cache.invalidate("some-older-token");
        assert_eq!(
            cache.token(&ctx()).await.unwrap().expose_secret(),
            first.expose_secret()
        );
        cache.invalidate(first.expose_secret());
        assert_eq!(cache.token(&ctx()).await.unwrap().expose_secret(), "t1");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    /// Panics on its first fetch, then hands out `ok`.
    struct PanicsOnce(Arc<AtomicUsize>);

    impl TokenSource for PanicsOnce {
        fn fetch(&self, _client: TokenClient) -> BoxFuture<'static, Result<Token, AuthError>> {
            let n = self.0.fetch_add(1, Ordering::SeqCst);
            async move {
                tokio::time::sleep(Duration::from_millis(10)).await;
                if n == 0 {
                    panic!("token source bug");
                }
                Ok(Token {
                    secret: SecretString::from("ok-token"),
                    lifetime: Some(Duration::from_secs(u64::MAX)),
                })
            }
            .boxed()
        }
    }

    #[tokio::test]
    async fn a_panicking_fetch_fails_and_leaves_the_cache_usable() {
        let calls = Arc::new(AtomicUsize::new(0));
        let cache = TokenCache::new(PanicsOnce(calls.clone()), RefreshPolicy::default());
        let c = ctx();
        let (a, b) = tokio::join!(cache.token(&c), cache.token(&c));
        let a = a.unwrap_err();
        assert!(a.detail.contains("panicked"), "{a}");
        assert!(b.is_err(), "the waiter shares the failed fetch");
        // The next call fetches again, and a lifetime of 2^64-1 s does not overflow the clock.
        assert_eq!(cache.token(&c).await.unwrap().expose_secret(), "ok-token");
        assert_eq!(cache.token(&c).await.unwrap().expose_secret(), "ok-token");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn lifetimes_are_clamped() {
        let p = RefreshPolicy::default();
        assert_eq!(p.clamp(Duration::ZERO), MIN_TOKEN_LIFETIME);
        assert_eq!(p.clamp(Duration::MAX), MAX_TOKEN_LIFETIME);
        assert_eq!(p.clamp(Duration::from_secs(600)), Duration::from_secs(600));
    }

    #[tokio::test(start_paused = true)]
    async fn a_zero_lifetime_does_not_fetch_per_call() {
        let (cache, calls) = cache(false, Duration::ZERO);
        let c = ctx();
        for _ in 0..50 {
            cache.token(&c).await.unwrap();
            tokio::time::advance(Duration::from_millis(100)).await;
        }
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "5 s of calls, one 30 s token"
        );
    }
}
