//! What every call shares, and sending one: the base URL, the tokens, the `reqwest::Client`, the
//! timeout and the retry policy. [`Client`](crate::Client), [`Session`](crate::Session) and
//! [`Admin`](crate::Admin) each hold a [`Transport`] and build [`Call`]s; this module knows none of
//! them, so the modules of the routes never import one another.

use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::{BuildHasher, Hash, Hasher};
use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Method, Url};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, ErrorCode};

/// Which calls are tried again, and for how long. None by default.
///
/// With [`RetryPolicy::new`] a call is sent again, up to `max_retries` times, when the server
/// answered `429` or `503` with a `Retry-After` of at most `max_wait` (waiting that long), or when
/// no connection could be made (so nothing was sent; waiting 250 ms, then twice as long each time,
/// up to `max_wait`). A run, a new session or a turn is also sent again, waiting as long, when its
/// answer was lost (the client's timeout, a connection that broke after the request went out): it
/// carries the same `Idempotency-Key` each time, so the server answers the retry with the first
/// one's answer (waiting for it if it still runs) rather than running it again. Nothing else is
/// retried: not a `429` or `503` without `Retry-After`, not another call whose answer was lost (an
/// upload, an admin call), not a stream that failed once it started.
///
/// ```
/// use std::time::Duration;
/// use clawdforge::{Client, RetryPolicy};
///
/// let patient = RetryPolicy::new(5).max_wait(Duration::from_secs(30));
/// assert_eq!(patient.max_retries(), 5);
/// assert_eq!(RetryPolicy::default(), RetryPolicy::none());
///
/// let client = Client::builder("http://192.168.0.5:8800").token("cf_…").retry(patient).build()?;
/// # Ok::<(), clawdforge::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy::none()
    }
}

impl RetryPolicy {
    /// No retries (the default).
    pub const fn none() -> RetryPolicy {
        RetryPolicy::new(0)
    }

    /// Up to `max_retries` retries, each waiting at most 60 s.
    pub const fn new(max_retries: u32) -> RetryPolicy {
        RetryPolicy {
            max_retries,
            max_wait: Duration::from_secs(60),
        }
    }

    /// The longest wait before a retry: a `Retry-After` past it is not waited for, the error is returned.
    pub const fn max_wait(mut self, max_wait: Duration) -> RetryPolicy {
        self.max_wait = max_wait;
        self
    }

    /// How many retries at most.
    pub const fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// The wait before retry number `attempt` (0 for the first) after `failure`, or `None` for no retry.
    fn wait(&self, attempt: u32, failure: &Failure) -> Option<Duration> {
        if attempt >= self.max_retries {
            return None;
        }
        match failure {
            Failure::Answered {
                status: 429 | 503,
                retry_after: Some(wait),
            } if *wait <= self.max_wait => Some(*wait),
            Failure::NotConnected | Failure::Lost => Some(
                Duration::from_millis(250)
                    .saturating_mul(1u32 << attempt.min(16))
                    .min(self.max_wait),
            ),
            _ => None,
        }
    }
}

/// What a retry decision looks at: whether the server answered (and how), or no connection was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    /// The server answered a failure status.
    Answered {
        status: u16,
        retry_after: Option<Duration>,
    },
    /// No connection could be made, so nothing was sent.
    NotConnected,
    /// A call carrying an `Idempotency-Key` whose answer was lost: the client's timeout, or a
    /// connection broken once the request went out. Its retry, under the same key, is answered
    /// the first one's answer.
    Lost,
    /// Anything else: a call without a key whose answer was lost, a bad URL.
    Other,
}

impl Failure {
    /// What `error` was, for a call that carried an `Idempotency-Key` (`keyed`) or not.
    fn of(error: &Error, keyed: bool) -> Failure {
        match error {
            Error::Api {
                status,
                retry_after,
                ..
            } => Failure::Answered {
                status: *status,
                retry_after: *retry_after,
            },
            Error::Http(error) if error.is_connect() => Failure::NotConnected,
            Error::Http(error) if keyed && error.is_request() => Failure::Lost,
            Error::Timeout if keyed => Failure::Lost,
            _ => Failure::Other,
        }
    }
}

/// Which token a call carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Auth {
    App,
    Admin,
}

#[derive(Debug, Clone)]
enum Body {
    Empty,
    Json(Vec<u8>),
    Multipart {
        name: String,
        content: Arc<[u8]>,
        ttl_secs: Option<u32>,
    },
}

/// One request, kept whole so that it can be sent again.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    method: Method,
    segments: Vec<String>,
    query: Vec<(String, String)>,
    body: Body,
    auth: Auth,
    stream: bool,
    idempotent: bool,
    idempotency_key: Option<String>,
}

impl Call {
    /// A request to the route made of `segments` (each escaped as one path segment).
    pub fn new(method: Method, segments: &[&str]) -> Call {
        Call {
            method,
            segments: segments.iter().map(|segment| segment.to_string()).collect(),
            query: Vec::new(),
            body: Body::Empty,
            auth: Auth::App,
            stream: false,
            idempotent: false,
            idempotency_key: None,
        }
    }

    /// A POST the server dedupes by its `Idempotency-Key`: it carries `key`, or a fresh one (unless
    /// the client sends none), the same on every retry.
    pub fn idempotent(mut self, key: Option<String>) -> Call {
        self.idempotent = true;
        self.idempotency_key = key;
        self
    }

    /// Carries the admin token instead of the app token.
    pub fn admin(mut self) -> Call {
        self.auth = Auth::Admin;
        self
    }

    /// `body` as JSON.
    pub fn json(mut self, body: &impl Serialize) -> Result<Call, Error> {
        self.body = Body::Json(serde_json::to_vec(body).map_err(|source| Error::Decode {
            what: "the request",
            source,
        })?);
        Ok(self)
    }

    /// A multipart upload of one file, `name`d, with its `ttl_secs`.
    pub fn file(mut self, name: String, content: Arc<[u8]>, ttl_secs: Option<u32>) -> Call {
        self.body = Body::Multipart {
            name,
            content,
            ttl_secs,
        };
        self
    }

    /// `query`'s fields as the query string (`None`s left out).
    pub fn query(mut self, query: &impl Serialize) -> Result<Call, Error> {
        let value = serde_json::to_value(query).map_err(|source| Error::Decode {
            what: "the query",
            source,
        })?;
        if let Value::Object(fields) = value {
            for (name, value) in fields {
                let text = match value {
                    Value::String(text) => text,
                    Value::Null => continue,
                    other => other.to_string(),
                };
                self.query.push((name, text));
            }
        }
        Ok(self)
    }

    /// Asks for Server-Sent Events.
    pub fn stream(mut self) -> Call {
        self.stream = true;
        self
    }
}

/// The base URL, the tokens, the HTTP client and the policies every call of a client shares.
pub(crate) struct Transport {
    base: Url,
    /// `Bearer <token>`, marked sensitive.
    token: Option<HeaderValue>,
    /// `Bearer <admin token>`, marked sensitive.
    admin_token: Option<HeaderValue>,
    http: reqwest::Client,
    timeout: Option<Duration>,
    retry: RetryPolicy,
    /// Whether a run, new session or turn given no `Idempotency-Key` gets a fresh one.
    fresh_keys: bool,
}

/// Shows the client's settings, and never a token (nor a password in the base URL).
impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |token: &Option<HeaderValue>| token.as_ref().map(|_| "<redacted>");
        let mut base = self.base.clone();
        if base.password().is_some() {
            let _ = base.set_password(Some("<redacted>"));
        }
        f.debug_struct("Client")
            .field("base_url", &base.as_str())
            .field("token", &redacted(&self.token))
            .field("admin_token", &redacted(&self.admin_token))
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("idempotency_keys", &self.fresh_keys)
            .finish()
    }
}

/// `Bearer <token>` as a header value marked sensitive; [`Error::InvalidHeader`] naming `which`
/// token when it holds a character a header cannot carry.
fn bearer(token: Option<String>, which: &'static str) -> Result<Option<HeaderValue>, Error> {
    token
        .map(|token| {
            let mut value = HeaderValue::from_str(&format!("Bearer {token}"))
                .map_err(|_| Error::InvalidHeader(which))?;
            value.set_sensitive(true);
            Ok(value)
        })
        .transpose()
}

impl Transport {
    pub fn new(
        base: Url,
        token: Option<String>,
        admin_token: Option<String>,
        http: reqwest::Client,
        timeout: Option<Duration>,
        retry: RetryPolicy,
        fresh_keys: bool,
    ) -> Result<Transport, Error> {
        Ok(Transport {
            base,
            token: bearer(token, "token")?,
            admin_token: bearer(admin_token, "admin token")?,
            http,
            timeout,
            retry,
            fresh_keys,
        })
    }

    pub fn base_url(&self) -> &str {
        self.base.as_str()
    }

    /// Sends `call` and decodes its JSON answer (less the `ok` every success carries).
    pub async fn json<T: DeserializeOwned>(&self, call: Call) -> Result<T, Error> {
        let response = self.send(&call).await?;
        let bytes = response.bytes().await.map_err(Error::from_reqwest)?;
        serde_json::from_slice(&bytes).map_err(|source| Error::Decode {
            what: "the answer",
            source,
        })
    }

    /// Sends `call`, retrying as the policy allows; any answer but a success is an [`Error::Api`].
    pub async fn send(&self, call: &Call) -> Result<reqwest::Response, Error> {
        let key = match (&call.idempotency_key, call.idempotent) {
            (_, false) => None,
            (Some(given), true) => Some(idempotency_key(given)?),
            (None, true) if self.fresh_keys => {
                Some(HeaderValue::from_str(&uuid_v4()).expect("a UUID is a header value"))
            }
            (None, true) => None,
        };
        let mut attempt = 0;
        loop {
            let error = match self.send_once(call, key.as_ref()).await {
                Ok(response) if response.status().is_success() => return Ok(response),
                Ok(response) => api_error(response).await,
                Err(error) => error,
            };
            match self
                .retry
                .wait(attempt, &Failure::of(&error, key.is_some()))
            {
                Some(wait) => tokio::time::sleep(wait).await,
                None => return Err(error),
            }
            attempt += 1;
        }
    }

    async fn send_once(
        &self,
        call: &Call,
        idempotency_key: Option<&HeaderValue>,
    ) -> Result<reqwest::Response, Error> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|()| Error::InvalidUrl(self.base.to_string()))?
            .pop_if_empty()
            .extend(&call.segments);
        let mut request = self.http.request(call.method.clone(), url);
        if !call.query.is_empty() {
            request = request.query(&call.query);
        }
        let token = match call.auth {
            Auth::App => self.token.as_ref(),
            Auth::Admin => self.admin_token.as_ref().or(self.token.as_ref()),
        };
        if let Some(token) = token {
            request = request.header(AUTHORIZATION, token.clone());
        }
        request = match &call.body {
            Body::Empty => request,
            Body::Json(bytes) => request
                .header(CONTENT_TYPE, "application/json")
                .body(bytes.clone()),
            Body::Multipart {
                name,
                content,
                ttl_secs,
            } => {
                let part =
                    reqwest::multipart::Part::bytes(content.to_vec()).file_name(name.clone());
                let mut form = reqwest::multipart::Form::new().part("file", part);
                if let Some(ttl_secs) = ttl_secs {
                    form = form.text("ttl_secs", ttl_secs.to_string());
                }
                request.multipart(form)
            }
        };
        if call.stream {
            request = request.header(ACCEPT, "text/event-stream");
        }
        if let Some(key) = idempotency_key {
            request = request.header(IDEMPOTENCY_KEY, key.clone());
        }
        match (self.timeout, call.stream) {
            // A stream's events may take as long as the run: the timeout bounds its start only.
            (Some(timeout), true) => tokio::time::timeout(timeout, request.send())
                .await
                .map_err(|_| Error::Timeout)?
                .map_err(Error::from_reqwest),
            (Some(timeout), false) => request
                .timeout(timeout)
                .send()
                .await
                .map_err(Error::from_reqwest),
            (None, _) => request.send().await.map_err(Error::from_reqwest),
        }
    }
}

const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// A key given to a call as a header value, when the server takes it: 1 to 255 printable ASCII
/// characters, no space at either end.
fn idempotency_key(key: &str) -> Result<HeaderValue, Error> {
    let printable = |c: u8| (0x20..=0x7e).contains(&c);
    let bytes = key.as_bytes();
    let fits = (1..=255).contains(&bytes.len())
        && bytes.iter().all(|&c| printable(c))
        && bytes[0] != b' '
        && bytes[bytes.len() - 1] != b' ';
    match HeaderValue::from_str(key) {
        Ok(value) if fits => Ok(value),
        _ => Err(Error::InvalidIdempotencyKey),
    }
}

/// A random (version 4) UUID: 122 bits from the operating system's `/dev/urandom`, or where there
/// is none from std's randomly keyed `RandomState` hashing the time and a counter.
pub(crate) fn uuid_v4() -> String {
    let mut bytes = [0u8; 16];
    let read = std::fs::File::open("/dev/urandom").and_then(|mut file| file.read_exact(&mut bytes));
    if read.is_err() {
        static CALLS: AtomicU64 = AtomicU64::new(0);
        let call = CALLS.fetch_add(1, Ordering::Relaxed);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_nanos());
        for (half, chunk) in bytes.chunks_mut(8).enumerate() {
            let mut hasher = RandomState::new().build_hasher();
            (now, call, half).hash(&mut hasher);
            chunk.copy_from_slice(&hasher.finish().to_le_bytes());
        }
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    code: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    field: Option<String>,
}

/// The [`Error::Api`] of an answer that is not a success.
async fn api_error(response: reqwest::Response) -> Error {
    let status = response.status().as_u16();
    let headers: HeaderMap = response.headers().clone();
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_string)
    };
    let request_id = header("x-request-id");
    let retry_after = header(RETRY_AFTER.as_str())
        .and_then(|value| value.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let body = response.bytes().await.unwrap_or_default();
    match serde_json::from_slice::<ErrorBody>(&body) {
        Ok(ErrorBody { error }) => Error::Api {
            status,
            code: ErrorCode::from(error.code),
            message: error.message,
            field: error.field,
            request_id,
            retry_after,
        },
        Err(_) => Error::Api {
            status,
            code: ErrorCode::HttpError,
            message: format!("HTTP {status}, and not the gateway's error body"),
            field: None,
            request_id,
            retry_after,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    fn answered(status: u16, retry_after: Option<Duration>) -> Failure {
        Failure::Answered {
            status,
            retry_after,
        }
    }

    #[test]
    fn nothing_is_retried_by_default() {
        let policy = RetryPolicy::default();
        for failure in [
            answered(429, Some(SECOND)),
            answered(503, Some(SECOND)),
            Failure::NotConnected,
            Failure::Lost,
        ] {
            assert_eq!(policy.wait(0, &failure), None, "{failure:?}");
        }
    }

    #[test]
    fn only_429_and_503_with_retry_after_and_connections_never_made_are_retried() {
        let policy = RetryPolicy::new(3).max_wait(Duration::from_secs(30));
        assert_eq!(policy.wait(0, &answered(429, Some(SECOND))), Some(SECOND));
        assert_eq!(
            policy.wait(2, &answered(503, Some(2 * SECOND))),
            Some(2 * SECOND)
        );
        assert_eq!(
            policy.wait(0, &Failure::NotConnected),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            policy.wait(2, &Failure::NotConnected),
            Some(Duration::from_millis(1000))
        );
        assert_eq!(
            policy.wait(1, &Failure::Lost),
            Some(Duration::from_millis(500))
        );
        for failure in [
            answered(429, None),
            answered(503, None),
            answered(500, Some(SECOND)),
            answered(502, Some(SECOND)),
            answered(504, Some(SECOND)),
            answered(400, None),
            answered(409, Some(SECOND)),
            Failure::Other,
        ] {
            assert_eq!(policy.wait(0, &failure), None, "{failure:?}");
        }
    }

    #[test]
    fn retries_stop_at_max_retries_and_at_a_retry_after_past_max_wait() {
        let policy = RetryPolicy::new(2).max_wait(Duration::from_secs(5));
        assert_eq!(policy.wait(2, &answered(429, Some(SECOND))), None);
        assert_eq!(policy.wait(2, &Failure::NotConnected), None);
        assert_eq!(policy.wait(0, &answered(429, Some(6 * SECOND))), None);
        assert_eq!(
            policy.wait(1, &Failure::NotConnected),
            Some(Duration::from_millis(500))
        );
        let short = RetryPolicy::new(10).max_wait(Duration::from_millis(300));
        assert_eq!(
            short.wait(5, &Failure::NotConnected),
            Some(Duration::from_millis(300))
        );
    }

    #[test]
    fn what_is_a_connection_never_made_and_an_answer_lost() {
        assert_eq!(Failure::of(&Error::Timeout, false), Failure::Other);
        assert_eq!(Failure::of(&Error::Timeout, true), Failure::Lost);
        for keyed in [false, true] {
            assert_eq!(
                Failure::of(&Error::InvalidUrl("x".into()), keyed),
                Failure::Other
            );
            assert_eq!(
                Failure::of(&Error::InvalidIdempotencyKey, keyed),
                Failure::Other
            );
        }
        let api = Error::Api {
            status: 503,
            code: ErrorCode::UpstreamUnavailable,
            message: String::new(),
            field: None,
            request_id: None,
            retry_after: Some(SECOND),
        };
        assert_eq!(Failure::of(&api, true), answered(503, Some(SECOND)));
    }

    #[test]
    fn uuids_are_version_4_and_differ() {
        let shape = |uuid: &str| {
            let groups: Vec<&str> = uuid.split('-').collect();
            groups.iter().map(|group| group.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
                && uuid
                    .chars()
                    .all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c))
                && groups[2].starts_with('4')
                && "89ab".contains(&groups[3][..1])
        };
        let uuids: Vec<String> = (0..100).map(|_| uuid_v4()).collect();
        for uuid in &uuids {
            assert!(shape(uuid), "{uuid}");
        }
        let mut distinct = uuids.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), uuids.len());
    }

    #[test]
    fn a_key_is_taken_as_the_server_takes_it() {
        for key in ["k", "order-42/summary", "with a space", &"x".repeat(255)] {
            assert_eq!(idempotency_key(key).unwrap().to_str().unwrap(), key);
        }
        for key in [
            "",
            " padded",
            "padded ",
            &"x".repeat(256),
            "naïve",
            "line\nbreak",
        ] {
            assert!(
                matches!(idempotency_key(key), Err(Error::InvalidIdempotencyKey)),
                "{key:?}"
            );
        }
    }
}
