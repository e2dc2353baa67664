//! The request path shared by all generated clients (progenitor's `ClientHooks`).

use reqwest::Request;
use reqwest::header::USER_AGENT;

use super::{AuthError, AuthErrorKind, Context};

/// progenitor adds `api-version: <info.version>` to every request; no vendor here defines that
/// header, and some proxies reject unknown ones.
const PROGENITOR_VERSION_HEADER: &str = "api-version";

/// Adjustments every request gets, whatever the API.
pub(crate) fn prepare(context: &Context, request: &mut Request) {
    let headers = request.headers_mut();
    headers.remove(PROGENITOR_VERSION_HEADER);
    headers.insert(USER_AGENT, context.user_agent().clone());
}

/// Turns a credential rejection into an error that says which API refused what, with the
/// context's hint (ACM: keys expire after 24 h). `None` when the answer is not a rejection.
pub(crate) fn rejection(
    context: &Context,
    operation: &str,
    status: u16,
    statuses: &[u16],
) -> Option<AuthError> {
    if context.credential().is_none() || !statuses.contains(&status) {
        return None;
    }
    let mut detail = format!("the credentials were rejected for {operation}");
    if let Some(hint) = context.rejection_hint() {
        detail.push_str("; ");
        detail.push_str(hint);
    }
    Some(AuthError {
        api: context.api(),
        step: "request",
        status: Some(status),
        detail,
        kind: AuthErrorKind::Rejected,
    })
}

/// Wires a generated `Client` to the shared core: its `ClientHooks` impl (credentials, redirects,
/// 401 replay, an optional per-API request adjustment) and the common constructors.
///
/// `rejected` lists the statuses that mean "credentials refused" for this API (401 everywhere;
/// Airflow 2.11 also answers 403).
macro_rules! wire_client {
    ($api:literal) => {
        $crate::core::hooks::wire_client!($api, rejected = [401]);
    };
    ($api:literal, rejected = $rejected:expr) => {
        $crate::core::hooks::wire_client!($api, rejected = $rejected, |_request: &mut ::reqwest::Request, _operation: &str| {});
    };
    ($api:literal, rejected = $rejected:expr, $adjust:expr) => {
        impl ::progenitor_client::ClientHooks<$crate::core::Context> for Client {
            async fn pre<E>(
                &self,
                request: &mut ::reqwest::Request,
                info: &::progenitor_client::OperationInfo,
            ) -> ::std::result::Result<(), ::progenitor_client::Error<E>> {
                let context = ::progenitor_client::ClientInfo::inner(self);
                $crate::core::hooks::prepare(context, request);
                ($adjust)(request, info.operation_id);
                $crate::core::transport::authorize(context, request).await.map_err(|e| {
                    $crate::core::error::record_auth_failure(&e);
                    ::progenitor_client::Error::Custom(e.to_string())
                })
            }

            async fn exec(
                &self,
                request: ::reqwest::Request,
                _info: &::progenitor_client::OperationInfo,
            ) -> ::reqwest::Result<::reqwest::Response> {
                let client = ::progenitor_client::ClientInfo::client(self);
                $crate::core::transport::execute(client, ::progenitor_client::ClientInfo::inner(self), request).await
            }

            async fn post<E>(
                &self,
                result: &::reqwest::Result<::reqwest::Response>,
                info: &::progenitor_client::OperationInfo,
            ) -> ::std::result::Result<(), ::progenitor_client::Error<E>> {
                let context = ::progenitor_client::ClientInfo::inner(self);
                match result.as_ref().ok().and_then(|r| {
                    $crate::core::hooks::rejection(context, info.operation_id, r.status().as_u16(), &$rejected)
                }) {
                    Some(e) => {
                        $crate::core::error::record_auth_failure(&e);
                        Err(::progenitor_client::Error::Custom(e.to_string()))
                    }
                    None => Ok(()),
                }
            }
        }

        impl Client {
            #[doc = concat!("An unauthenticated `", $api, "` client for `base_url`, with dataplat's defaults.")]
            ///
            /// A trailing `/` is dropped: operation paths start with one, and some servers
            /// (ACM) reject the resulting `//`.
            pub fn from_base_url(base_url: &str) -> Self {
                Self::with_context(base_url, $crate::core::Context::new($api))
            }

            /// A client for `base_url` with an explicit [`Context`](crate::core::Context)
            /// (credential, hints) over dataplat's default HTTP client.
            pub fn with_context(base_url: &str, context: $crate::core::Context) -> Self {
                let http = $crate::core::http_client();
                Self::new_with_client(base_url.trim_end_matches('/'), http, context)
            }
        }
    };
}
pub(crate) use wire_client;
