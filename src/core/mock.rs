//! What every API's typed mock server shares (the `mock` feature): httpmock re-exported, pages
//! served from a list, a resource that moves through states, and requests recorded for the test
//! to decode afterwards. Each API's `mock` module adds its operations (one method per operation
//! on [`MockServer`], from the same document as the client) and its login endpoints.
//!
//! httpmock rather than wiremock: progenitor generates typed httpmock helpers from the document
//! (as oxide.rs ships them), so the `then` side of each operation takes only its documented
//! answer types and a fixture that drifts from the document stops compiling. Its mocks are also
//! synchronous to set up, which keeps a test short.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub use httpmock;
pub use httpmock::{HttpMockRequest, HttpMockResponse, Mock, MockServer, Then, When};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The query parameters of a request the mock received (last value of a repeated name).
pub fn query(request: &HttpMockRequest) -> HashMap<String, String> {
    url::form_urlencoded::parse(request.uri().query().unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

/// A JSON answer.
pub fn json_answer(status: u16, body: &impl Serialize) -> HttpMockResponse {
    HttpMockResponse::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(serde_json::to_vec(body).expect("a mock answer serialises"))
        .build()
}

/// A number in a request's query parameters, if it is there and parses.
pub fn query_number(query: &HashMap<String, String>, name: &str) -> Option<usize> {
    query.get(name).and_then(|v| v.parse().ok())
}

/// Answers `GET <path>` (path exactly, any query) with what `page` makes of each request's query
/// parameters and `items` (serialised once, here): the building block of each API's paging
/// helper.
pub fn serve_pages<'a, T, F>(server: &'a MockServer, path: &str, items: &[T], page: F) -> Mock<'a>
where
    T: Serialize,
    F: Fn(&HashMap<String, String>, &[serde_json::Value]) -> serde_json::Value
        + Send
        + Sync
        + 'static,
{
    let items: Vec<serde_json::Value> = items
        .iter()
        .map(|i| serde_json::to_value(i).expect("an item serialises"))
        .collect();
    let path = path.to_string();
    server.mock(move |when, then| {
        when.method(httpmock::Method::GET).path(path);
        then.respond_with(move |request| json_answer(200, &page(&query(request), &items)));
    })
}

/// A resource that moves through states: `GET <path>` answers each of `states` once, in order,
/// then the last one for ever (what a waiter polls). Each state is the operation's answer type.
pub fn states<'a, T: Serialize>(server: &'a MockServer, path: &str, states: &[T]) -> Vec<Mock<'a>> {
    assert!(!states.is_empty(), "at least one state");
    states
        .iter()
        .enumerate()
        .map(|(i, state)| {
            let body = serde_json::to_value(state).expect("a state serialises");
            let last = i + 1 == states.len();
            let path = path.to_string();
            server.mock(move |when, then| {
                when.method(httpmock::Method::GET).path(path);
                let then = then
                    .status(200)
                    .header("content-type", "application/json")
                    .json_body(body);
                if !last {
                    then.up_to_n_times(1);
                }
            })
        })
        .collect()
}

/// Requests a mock received, kept so that the test can decode them afterwards as the
/// operation's request type (`T`).
pub struct Recorder<T> {
    bodies: Arc<Mutex<Vec<Vec<u8>>>>,
    _type: std::marker::PhantomData<fn() -> T>,
}

impl<T> Clone for Recorder<T> {
    fn clone(&self) -> Self {
        Self {
            bodies: self.bodies.clone(),
            _type: std::marker::PhantomData,
        }
    }
}

impl<T: DeserializeOwned> Default for Recorder<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: DeserializeOwned> Recorder<T> {
    /// A recorder with nothing recorded.
    pub fn new() -> Self {
        Self {
            bodies: Arc::default(),
            _type: std::marker::PhantomData,
        }
    }

    /// Makes `then` record each request's body and answer `status` with `body` as JSON.
    pub fn answer(&self, then: Then, status: u16, body: &impl Serialize) -> Then {
        let bodies = self.bodies.clone();
        let answer = serde_json::to_vec(body).expect("a mock answer serialises");
        then.respond_with(move |request| {
            bodies
                .lock()
                .expect("recorder lock")
                .push(request.body_vec());
            HttpMockResponse::builder()
                .status(status)
                .header("content-type", "application/json")
                .body(answer.clone())
                .build()
        })
    }

    /// The recorded request bodies, decoded as `T`, in the order they came. Panics, naming the
    /// body, when one is not a `T`: the code under test sent what the operation does not take.
    pub fn requests(&self) -> Vec<T> {
        self.bodies
            .lock()
            .expect("recorder lock")
            .iter()
            .map(|body| {
                serde_json::from_slice(body).unwrap_or_else(|e| {
                    panic!(
                        "a recorded request is not a {}: {e}: {}",
                        std::any::type_name::<T>(),
                        String::from_utf8_lossy(body)
                    )
                })
            })
            .collect()
    }
}

/// A token that looks like a JWT (header, payload with `exp` an hour ahead, signature), for
/// login endpoints whose clients read the lifetime from the token.
pub fn jwt(subject: &str) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() + 3600)
        .unwrap_or(0);
    format!(
        "{}.{}.{}",
        b64.encode(br#"{"alg":"HS256","typ":"JWT"}"#),
        b64.encode(format!(r#"{{"sub":"{subject}","exp":{exp}}}"#)),
        b64.encode(b"mock-signature")
    )
}
