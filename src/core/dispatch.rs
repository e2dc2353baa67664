//! The request path of every generated operation: what each client's `dispatch_request`
//! calls where progenitor would call its `pre`, `exec` and `post` hooks.

use reqwest::Request;
use reqwest::header::USER_AGENT;

use super::decode::{Answer, rejected};
use super::failure::Failure;
use super::transport::{Clock, Purpose, SendError, execute, refusal, share_body};
use super::{AuthError, AuthErrorKind, Context};

/// A per-API adjustment of every request, given the operation's progenitor name.
pub(crate) type Adjust = fn(&mut Request, &str);

/// progenitor's error, as the generated code returns it.
type GenError<E> = progenitor_client::Error<E>;

/// Why the request path has no answer for the generated code: the few kinds of progenitor's
/// error it can end in, without the operation's error type. Small (32 bytes, where
/// progenitor's error is the size of a response), so that the path's outcome moves up its
/// layers as a pointer-sized answer or this; the generated code's `?` turns it into
/// progenitor's error.
#[derive(Debug)]
pub(crate) enum DispatchError {
    /// reqwest failed (connect, timeout, a body cut short): `CommunicationError`.
    Communication(reqwest::Error),
    /// The request may not be sent as it is: `InvalidRequest`.
    Invalid(String),
    /// An answer that is an error as it stands (a rejected credential) or a stand-in that
    /// carries a failure (see `core::failure`): `UnexpectedResponse`.
    Unexpected(Box<reqwest::Response>),
}

impl<E> From<DispatchError> for GenError<E> {
    fn from(error: DispatchError) -> Self {
        match error {
            DispatchError::Communication(e) => GenError::CommunicationError(e),
            DispatchError::Invalid(why) => GenError::InvalidRequest(why),
            DispatchError::Unexpected(response) => GenError::UnexpectedResponse(*response),
        }
    }
}

impl From<SendError> for DispatchError {
    fn from(error: SendError) -> Self {
        match error {
            SendError::Http(e) => Self::Communication(e),
            SendError::Refused(why) => Self::Invalid(why),
        }
    }
}

impl DispatchError {
    /// A stand-in response that carries `failure`.
    fn failure(failure: Failure) -> Self {
        Self::Unexpected(Box::new(failure.into_response()))
    }
}

/// The request path of every generated operation, in one future: the shared adjustments, the
/// API's own, the checks on where it may go, the credential, the transport (retries,
/// redirects, replay, buffering), and a rejection of the credential turned into an error, all
/// within the call's time limit (one timer for the whole call).
///
/// The request is adjusted before the future is made, so that the future holds it once, as it
/// moves into the caller's (an async fn would keep a second copy of its argument).
pub(crate) fn dispatch<'a>(
    context: &'a Context,
    mut request: Request,
    operation: &'static str,
    adjust: Adjust,
    options: &super::CallOptions,
) -> Dispatched<'a> {
    request
        .headers_mut()
        .insert(USER_AGENT, context.user_agent().clone());
    adjust(&mut request, operation);
    let options = *options;
    let limit = options.timeout.unwrap_or(context.timeout());
    // The clock starts now: dispatch runs when the operation's future is first polled.
    let clock = Clock::start(limit);
    // One future, boxed once: the path's state holds the request and the options once (an
    // async fn would hold its arguments and a copy of them), under one timer for the call.
    // Made in the box it lives in (`Box::write`), not made and then copied there: it is
    // about 1 KB.
    let slot = Box::new_uninit();
    let call = Box::write(
        slot,
        Within {
            call: path(context, request, operation, options, clock),
            deadline: tokio::time::sleep_until(clock.deadline),
            limit,
        },
    );
    Box::into_pin(call)
}

pin_project_lite::pin_project! {
    /// `call`, or the call's deadline error once `deadline` has passed: tokio's `timeout` and
    /// the conversion of its error in one future, with nothing to convert on the way out.
    struct Within<F> {
        #[pin]
        call: F,
        #[pin]
        deadline: tokio::time::Sleep,
        limit: std::time::Duration,
    }
}

impl<F, T> Future for Within<F>
where
    F: Future<Output = Result<T, DispatchError>>,
{
    type Output = F::Output;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        use std::task::Poll;
        let mut this = self.project();
        if let Poll::Ready(outcome) = this.call.poll(cx) {
            return Poll::Ready(outcome);
        }
        // A call that spent the task's cooperative budget (data flowing fast) leaves none for
        // the timer, whose poll then says nothing: the clock is read instead (the task is
        // woken again by the budget's own rule).
        let passed = this.deadline.as_mut().poll(cx).is_ready()
            || (!tokio::task::coop::has_budget_remaining()
                && tokio::time::Instant::now() >= this.deadline.deadline());
        if passed {
            return Poll::Ready(Err(DispatchError::failure(Failure::Deadline(*this.limit))));
        }
        Poll::Pending
    }
}

/// The request path's future, boxed: every operation's future holds a pointer to it rather
/// than the path's whole state, and proving it `Send` (for streams and spawned calls) is done
/// once here rather than for every operation, which is what made generated list streams slow
/// to compile.
pub(crate) type Dispatched<'a> =
    std::pin::Pin<Box<dyn Future<Output = Result<Answer<'a>, DispatchError>> + Send + 'a>>;

/// What [`dispatch`] runs within the call's deadline. A function returning an `async move`
/// block rather than an async fn, so that its future holds each argument once.
#[allow(clippy::manual_async_fn)] // on purpose: see above
fn path<'a>(
    context: &'a Context,
    mut request: Request,
    operation: &'static str,
    options: super::CallOptions,
    clock: Clock,
) -> impl Future<Output = Result<Answer<'a>, DispatchError>> + 'a {
    async move {
        if let Some(why) = refusal(context, &request, Purpose::Api) {
            // With a credential, the refusal is about it; otherwise about the body.
            return Err(if context.credential().is_some() {
                auth_failure(AuthError::new(
                    context.api(),
                    "configuration",
                    AuthErrorKind::Configuration,
                    why,
                ))
            } else {
                DispatchError::Invalid(why)
            });
        }
        if let Some(credential) = context.credential() {
            let value = match credential.header_now() {
                Some(value) => value,
                None => fetch_header(context, credential)
                    .await
                    .map_err(auth_failure)?,
            };
            request
                .headers_mut()
                .insert(credential.header_name().clone(), value);
        }
        let mut answer = execute(context, &mut request, Purpose::Api, &options, clock).await?;
        // Kept (shared, not copied) so that an error built from this answer can redact what the
        // request body carried.
        answer.sent = request.body_mut().as_mut().and_then(share_body);
        if answer.rejected {
            let error = rejection(context, operation, &answer);
            return Err(DispatchError::Unexpected(Box::new(rejected(
                answer,
                Failure::Auth(error),
            ))));
        }
        Ok(answer)
    }
}

/// The credential's header when it was not at hand: a token to fetch, or a credential that
/// cannot be a header (the error says which API).
async fn fetch_header(
    context: &Context,
    credential: &super::Credential,
) -> Result<reqwest::header::HeaderValue, AuthError> {
    credential.header_value(context).await.map_err(|mut e| {
        e.api = context.api();
        e
    })
}

/// A credential failure as progenitor's error: a stand-in response that carries it (see
/// `core::failure`).
fn auth_failure(error: AuthError) -> DispatchError {
    DispatchError::failure(Failure::Auth(error))
}

/// The error a credential rejection becomes: which API refused what, with the profile's hint
/// (keys that expire, say).
fn rejection(context: &Context, operation: &str, answer: &Answer<'_>) -> AuthError {
    let mut detail = format!("the credentials were rejected for {operation}");
    if let Some(hint) = context.rejection_hint() {
        detail.push_str("; ");
        detail.push_str(hint);
    }
    AuthError {
        api: context.api(),
        step: "request",
        status: Some(answer.status().as_u16()),
        detail,
        kind: AuthErrorKind::Rejected,
    }
}

/// Wires a generated `Client` to the shared core: its `dispatch_request`, which the generated
/// operations call (see [`dispatch`]), with an optional per-API [`Adjust`], and the common
/// constructors, for the API its `PROFILE` describes.
macro_rules! wire_client {
    () => {
        $crate::core::dispatch::wire_client!(
            |_request: &mut ::reqwest::Request, _operation: &str| {}
        );
    };
    ($adjust:expr) => {
        impl Client {
            /// Sends `request` for the operation `info` names through the shared request path,
            /// with the call's options.
            pub(crate) fn dispatch_request<'s>(
                &'s self,
                request: ::reqwest::Request,
                info: &::progenitor_client::OperationInfo,
                options: &$crate::core::CallOptions,
            ) -> $crate::core::dispatch::Dispatched<'s> {
                $crate::core::dispatch::dispatch(
                    ::progenitor_client::ClientInfo::inner(self),
                    request,
                    info.operation_id,
                    $adjust,
                    options,
                )
            }

            /// Obtains the client's credential now (a login, a token request, the device flow),
            /// without a call's time limit: to check credentials at start-up, or to let a user
            /// approve a device login before the first call. Each request of it is still
            /// bounded by the client's limits.
            pub async fn authenticate(&self) -> ::std::result::Result<(), $crate::core::AuthError> {
                let context = ::progenitor_client::ClientInfo::inner(self);
                match context.credential() {
                    Some(credential) => credential.header_value(context).await.map(|_| ()),
                    None => Ok(()),
                }
            }

            /// An unauthenticated client for `base_url`, with dataplat's defaults.
            ///
            /// A trailing `/` is dropped: operation paths start with one, and some servers
            /// reject the resulting `//`.
            pub fn from_base_url(base_url: &str) -> Self {
                Self::with_context(base_url, $crate::core::Context::new(&PROFILE))
            }

            /// A client for `base_url` with an explicit [`Context`](crate::core::Context)
            /// (credential, HTTP client, retries, limits). Every request it makes, token
            /// requests included, goes through the context's HTTP client.
            pub fn with_context(base_url: &str, context: $crate::core::Context) -> Self {
                Self::new(base_url.trim_end_matches('/'), context)
            }
        }
    };
}
pub(crate) use wire_client;

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{DispatchError, Within};

    /// A call that spends the task's whole cooperative budget on every poll leaves none for
    /// the timer's own poll, which then never reports the deadline: the clock is read instead.
    #[tokio::test]
    async fn the_deadline_holds_when_the_call_spends_the_whole_cooperative_budget() {
        let call = async {
            loop {
                tokio::task::coop::consume_budget().await;
            }
            #[allow(unreachable_code)]
            Ok::<(), DispatchError>(())
        };
        let limit = Duration::from_millis(200);
        let within = Within {
            call,
            deadline: tokio::time::sleep(limit),
            limit,
        };
        // tokio's own timeout polls its timer outside the budget, so it ends the test if the
        // deadline does not.
        let outcome = tokio::time::timeout(Duration::from_secs(5), within).await;
        assert!(
            matches!(outcome, Ok(Err(DispatchError::Unexpected(_)))),
            "the call's deadline did not end it: {outcome:?}"
        );
    }
}
