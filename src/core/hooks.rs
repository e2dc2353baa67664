//! The request path shared by all generated clients: what they call for every operation.

use reqwest::header::USER_AGENT;
use reqwest::{Request, StatusCode};

use super::decode::Answer;
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

/// A per-API adjustment of every request, given the operation's progenitor name.
pub(crate) type Adjust = fn(&mut Request, &str);

/// The request path of every generated operation, in one future: the shared adjustments, the
/// API's own, the credential, the transport (retries, redirects, replay, buffering), and a
/// rejection of the credential turned into an error. The generated code calls it through each
/// client's `dispatch_request` where progenitor would call its `pre`, `exec` and `post` hooks
/// (`dataplat_codegen`'s `dispatch` pass).
///
/// The request is adjusted before the future is made, so that the future holds it once, as it
/// moves into the caller's (an async fn would keep a second copy of its argument).
pub(crate) fn dispatch<'a, E>(
    client: &'a reqwest::Client,
    context: &'a Context,
    mut request: Request,
    operation: &'static str,
    adjust: Adjust,
) -> impl Future<Output = Result<Answer, progenitor_client::Error<E>>> + 'a {
    prepare(context, &mut request);
    adjust(&mut request, operation);
    async move {
        super::transport::authorize(context, &mut request)
            .await
            .map_err(auth_failure)?;
        let answer = super::transport::execute(client, context, &mut request).await?;
        match rejection(context, operation, &answer) {
            Some(error) => Err(auth_failure(error)),
            None => Ok(answer),
        }
    }
}

/// progenitor's error can only carry text; the typed error reaches `core::error::scoped`
/// beside it.
fn auth_failure<E>(error: AuthError) -> progenitor_client::Error<E> {
    let text = error.to_string();
    super::error::record_auth_failure(error);
    progenitor_client::Error::Custom(text)
}

/// Turns a credential rejection into an error that says which API refused what, with the
/// context's hint (ACM: keys expire after 24 h). `None` when the answer is not a rejection.
fn rejection(context: &Context, operation: &str, answer: &Answer) -> Option<AuthError> {
    if context.credential().is_none() || !answer.rejected {
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
        status: Some(answer.status().as_u16()),
        detail,
        kind: AuthErrorKind::Rejected,
    })
}

/// Wires a generated `Client` to the shared core: its `dispatch_request`, which the generated
/// operations call (see [`dispatch`]), with an optional per-API [`Adjust`], and the common
/// constructors. What counts as a rejection is the API's [`rejection_rule`].
macro_rules! wire_client {
    ($api:literal) => {
        $crate::core::hooks::wire_client!($api, |_request: &mut ::reqwest::Request, _operation: &str| {});
    };
    ($api:literal, $adjust:expr) => {
        impl Client {
            /// Sends `request` for the operation `info` names through the shared request path.
            pub(crate) fn dispatch_request<E>(
                &self,
                request: ::reqwest::Request,
                info: &::progenitor_client::OperationInfo,
            ) -> impl ::std::future::Future<
                Output = ::std::result::Result<
                    $crate::core::decode::Answer,
                    ::progenitor_client::Error<E>,
                >,
            > {
                $crate::core::hooks::dispatch(
                    ::progenitor_client::ClientInfo::client(self),
                    ::progenitor_client::ClientInfo::inner(self),
                    request,
                    info.operation_id,
                    $adjust,
                )
            }

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
