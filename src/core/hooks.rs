//! The request path shared by all generated clients (progenitor's `ClientHooks`).

use reqwest::Request;
use reqwest::header::USER_AGENT;

use super::Context;

/// progenitor adds `api-version: <info.version>` to every request; no vendor here defines that
/// header, and some proxies reject unknown ones.
const PROGENITOR_VERSION_HEADER: &str = "api-version";

/// Adjustments every request gets, whatever the API.
pub(crate) fn prepare(context: &Context, request: &mut Request) {
    let headers = request.headers_mut();
    headers.remove(PROGENITOR_VERSION_HEADER);
    headers.insert(USER_AGENT, context.user_agent().clone());
}

/// Wires a generated `Client` to the shared core: its `ClientHooks` impl (with an optional
/// per-API request adjustment) and a `from_base_url` constructor.
macro_rules! wire_client {
    ($api:literal) => {
        $crate::core::hooks::wire_client!(
            $api,
            |_request: &mut ::reqwest::Request, _operation: &str| {}
        );
    };
    ($api:literal, $adjust:expr) => {
        impl ::progenitor_client::ClientHooks<$crate::core::Context> for Client {
            async fn pre<E>(
                &self,
                request: &mut ::reqwest::Request,
                info: &::progenitor_client::OperationInfo,
            ) -> ::std::result::Result<(), ::progenitor_client::Error<E>> {
                let context = ::progenitor_client::ClientInfo::inner(self);
                $crate::core::hooks::prepare(context, request);
                ($adjust)(request, info.operation_id);
                Ok(())
            }
        }

        impl Client {
            #[doc = concat!("A `", $api, "` client for `base_url`, with dataplat's defaults.")]
            ///
            /// A trailing `/` is dropped: operation paths start with one, and some servers
            /// (ACM) reject the resulting `//`.
            pub fn from_base_url(base_url: &str) -> Self {
                Self::new(
                    base_url.trim_end_matches('/'),
                    $crate::core::Context::new($api),
                )
            }
        }
    };
}
pub(crate) use wire_client;
