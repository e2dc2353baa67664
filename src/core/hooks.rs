//! The request path shared by all generated clients (progenitor's `ClientHooks`).

use reqwest::header::USER_AGENT;
use reqwest::{Request, StatusCode};

use super::{AuthError, AuthErrorKind, Context};

/// Adjustments every request gets, whatever the API. (progenitor's `api-version` header is
/// removed from the generated code: `dataplat_codegen`'s `no_api_version` pass.)
pub(crate) fn prepare(context: &Context, request: &mut Request) {
    request
        .headers_mut()
        .insert(USER_AGENT, context.user_agent().clone());
}

/// Whether an answer (status and buffered body) means the credential itself was refused, as
/// opposed to "this identity may not do that". Such an answer is replayed once with a fresh
/// token when the credential can refresh, and reported as [`Error::Auth`](super::Error::Auth).
pub(crate) type RejectionRule = fn(StatusCode, &[u8]) -> bool;

/// The rejection rule of the API named `api`: 401 everywhere, plus what a vendor answers
/// instead.
pub(crate) fn rejection_rule(api: &str) -> RejectionRule {
    match api {
        // Airflow 2.11 answers wrong credentials with 403 (2.10 answered 401).
        "airflow" => |status, _| matches!(status.as_u16(), 401 | 403),
        // Airflow 3 answers an expired JWT with 401, but one it cannot verify (forged, or
        // signed with a secret the server no longer has, as after a restart without a
        // configured secret) with 403 {"detail": "Invalid JWT token"}. A 403 for a valid token
        // lacking a permission says something else and stays an error status.
        "airflow3" => |status, body| {
            status == StatusCode::UNAUTHORIZED
                || (status == StatusCode::FORBIDDEN && detail_is(body, "Invalid JWT token"))
        },
        _ => |status, _| status == StatusCode::UNAUTHORIZED,
    }
}

/// Whether `body` is a JSON object whose `detail` member is `text`.
fn detail_is(body: &[u8], text: &str) -> bool {
    #[derive(serde::Deserialize)]
    struct Detail<'a> {
        #[serde(borrow)]
        detail: Option<std::borrow::Cow<'a, str>>,
    }
    serde_json::from_slice::<Detail>(body).is_ok_and(|d| d.detail.as_deref() == Some(text))
}

/// Marks a buffered response that its context's [`RejectionRule`] calls a rejection.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rejected;

/// Turns a credential rejection into an error that says which API refused what, with the
/// context's hint (ACM: keys expire after 24 h). `None` when the answer is not a rejection.
pub(crate) fn rejection(
    context: &Context,
    operation: &str,
    response: &reqwest::Response,
) -> Option<AuthError> {
    if context.credential().is_none() || response.extensions().get::<Rejected>().is_none() {
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
        status: Some(response.status().as_u16()),
        detail,
        kind: AuthErrorKind::Rejected,
    })
}

/// Wires a generated `Client` to the shared core: its `ClientHooks` impl (credentials, redirects,
/// replay after a rejection, an optional per-API request adjustment) and the common
/// constructors. What counts as a rejection is the API's [`rejection_rule`].
macro_rules! wire_client {
    ($api:literal) => {
        $crate::core::hooks::wire_client!($api, |_request: &mut ::reqwest::Request, _operation: &str| {});
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
                $crate::core::transport::authorize(context, request).await.map_err(|e| {
                    $crate::core::error::record_auth_failure(&e);
                    ::progenitor_client::Error::Custom(e.to_string())
                })
            }

            // The transport's future itself, not an `async fn` around it: one layer fewer for
            // every poll of every call.
            fn exec(
                &self,
                request: ::reqwest::Request,
                _info: &::progenitor_client::OperationInfo,
            ) -> impl ::std::future::Future<Output = ::reqwest::Result<::reqwest::Response>> {
                let client = ::progenitor_client::ClientInfo::client(self);
                $crate::core::transport::execute(client, ::progenitor_client::ClientInfo::inner(self), request)
            }

            async fn post<E>(
                &self,
                result: &::reqwest::Result<::reqwest::Response>,
                info: &::progenitor_client::OperationInfo,
            ) -> ::std::result::Result<(), ::progenitor_client::Error<E>> {
                let context = ::progenitor_client::ClientInfo::inner(self);
                match result.as_ref().ok().and_then(|r| {
                    $crate::core::hooks::rejection(context, info.operation_id, r)
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
