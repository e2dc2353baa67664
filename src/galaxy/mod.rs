//! Starburst Galaxy public API (v1), generated from `specs/galaxy/effective.json`.

crate::generated_client!("galaxy");

pub mod auth;
#[cfg(feature = "mock")]
pub mod mock;
pub mod wait;

pub use auth::GalaxyCredentials;

use crate::core::{ApiProfile, RateLimit};

/// What is special about Galaxy: Cloudflare's rate limits.
pub const PROFILE: ApiProfile = ApiProfile::new("galaxy").limited(rate_limits);

/// Galaxy's Cloudflare limits: 1.5 req/s burst 10 overall, 0.3 req/s burst 2 on clusters.
pub fn rate_limits() -> Vec<RateLimit> {
    vec![
        RateLimit::new(1.5, 10),
        RateLimit::new(0.3, 2).for_path_prefix("/public/api/v1/cluster"),
    ]
}

crate::core::dispatch::wire_client!();

#[cfg(test)]
mod tests {
    #[test]
    fn cluster_calls_have_their_own_bucket() {
        use reqwest::Method;
        let galaxy = super::rate_limits();
        assert!(galaxy[0].applies(&Method::GET, "/public/api/v1/role"));
        assert!(!galaxy[1].applies(&Method::GET, "/public/api/v1/role"));
        assert!(galaxy[1].applies(&Method::POST, "/public/api/v1/cluster/w-1:start"));
    }
}
