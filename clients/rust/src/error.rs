use std::fmt;
use std::time::Duration;

/// Everything that can go wrong with a call. No variant ever holds the bearer token, so neither
/// `Display` nor `Debug` can print it.
///
/// ```
/// use clawdforge::{Error, ErrorCode};
///
/// fn advice(error: &Error) -> String {
///     match error {
///         Error::Api { code: ErrorCode::RateLimited, retry_after: Some(wait), .. } => {
///             format!("over this token's runs a minute; try again in {} s", wait.as_secs())
///         }
///         Error::Api { status: 400, field: Some(field), .. } => format!("fix the request's {field}"),
///         Error::Api { code, message, .. } => format!("{code}: {message}"),
///         Error::Timeout => "no answer in time".to_string(),
///         other => other.to_string(),
///     }
/// }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with its JSON error (`{"ok":false,"error":{"code","message","field"}}`),
    /// or with a failure status and some other body (`code` is then [`ErrorCode::HttpError`]).
    /// An `error` event in a stream is one too, with the stream's status (200).
    #[error("{status} {code}: {message}{}", field_suffix(.field))]
    Api {
        /// The HTTP status.
        status: u16,
        /// The server's snake_case code, to branch on.
        code: ErrorCode,
        /// For a human; may change between server versions.
        message: String,
        /// The request field at fault, for validation errors (`400 invalid_request`).
        field: Option<String>,
        /// The `X-Request-Id` of the failed request: the server's log line and audit row carry it.
        request_id: Option<String>,
        /// The server's `Retry-After`: on `429` (`queue_full`, `rate_limited`, `budget_exceeded`,
        /// `too_many_sessions`, `too_many_requests`) and some `503`s.
        retry_after: Option<Duration>,
    },
    /// No answer: the connection failed, was refused or broke off.
    #[error("HTTP: {0}")]
    Http(#[source] reqwest::Error),
    /// An answer arrived that does not decode as expected (or, from
    /// [`RunResult::result_as`](crate::RunResult::result_as), a result that is not the caller's type).
    #[error("could not decode {what}: {source}")]
    Decode {
        /// What was being decoded.
        what: &'static str,
        /// What serde said.
        #[source]
        source: serde_json::Error,
    },
    /// The client's own timeout ([`ClientBuilder::timeout`](crate::ClientBuilder::timeout)) passed
    /// before the answer. The server's own timeout is an [`Error::Api`] with [`ErrorCode::Timeout`].
    #[error("the request timed out")]
    Timeout,
    /// A file to upload could not be read.
    #[error("could not read {path}: {source}")]
    Io {
        /// The file's path.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The base URL given to the client is not an absolute `http` or `https` URL.
    #[error("invalid base URL: {0}")]
    InvalidUrl(String),
    /// A token given to the client holds a character an HTTP header cannot carry (a line break,
    /// say); the error names which token, never what it holds.
    #[error("the {0} cannot be sent in a header: it holds a character a header cannot carry")]
    InvalidHeader(&'static str),
    /// An `idempotency_key` given to a call is not what the server takes (1 to 255 printable ASCII
    /// characters, no space at either end); nothing was sent.
    #[error("the idempotency key must be 1 to 255 printable ASCII characters, without a space at either end")]
    InvalidIdempotencyKey,
}

fn field_suffix(field: &Option<String>) -> String {
    field
        .as_ref()
        .map(|field| format!(" (field {field})"))
        .unwrap_or_default()
}

impl Error {
    /// The server's code, for an [`Error::Api`].
    pub fn code(&self) -> Option<&ErrorCode> {
        match self {
            Error::Api { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The HTTP status, for an [`Error::Api`].
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub(crate) fn from_reqwest(error: reqwest::Error) -> Error {
        if error.is_timeout() {
            Error::Timeout
        } else {
            Error::Http(without_url_credentials(error))
        }
    }
}

/// A base URL may carry `user:password@`, and an error's message names the URL: they go.
fn without_url_credentials(mut error: reqwest::Error) -> reqwest::Error {
    if let Some(url) = error.url_mut() {
        let _ = url.set_username("");
        let _ = url.set_password(None);
    }
    error
}

macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident => $code:literal,)*) => {
        /// The server's error codes (its OpenAPI document lists them under the error body's `code`),
        /// and [`ErrorCode::Other`] for one a newer server adds.
        ///
        /// ```
        /// use clawdforge::ErrorCode;
        ///
        /// assert_eq!(ErrorCode::from("session_busy"), ErrorCode::SessionBusy);
        /// assert_eq!(ErrorCode::SessionBusy.as_str(), "session_busy");
        /// assert_eq!(ErrorCode::from("brand_new"), ErrorCode::Other("brand_new".into()));
        /// ```
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)*
            /// A code this version of the crate does not know yet.
            Other(String),
        }

        impl ErrorCode {
            /// Every code this crate knows, in the server's order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The code as the server writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                    ErrorCode::Other(code) => code,
                }
            }
        }

        impl From<&str> for ErrorCode {
            fn from(code: &str) -> ErrorCode {
                match code {
                    $($code => ErrorCode::$variant,)*
                    other => ErrorCode::Other(other.to_string()),
                }
            }
        }
    };
}

error_codes! {
    /// 400: the request is invalid; `field` names the part at fault.
    InvalidRequest => "invalid_request",
    /// 400: the body is not acceptable JSON.
    InvalidJson => "invalid_json",
    /// 400: a list's `cursor` is not one the server gave.
    InvalidCursor => "invalid_cursor",
    /// 400: the model is not allowed (`MODEL_ALLOWLIST` or the token's `models`).
    ModelNotAllowed => "model_not_allowed",
    /// 400: a parameter of the `/v1` routes that the gateway refuses.
    UnsupportedParameter => "unsupported_parameter",
    /// 400: the prompt passes the model's context window (`/v1` routes).
    ContextLengthExceeded => "context_length_exceeded",
    /// 401: no token was sent.
    MissingToken => "missing_token",
    /// 401: the token is unknown, revoked, malformed, or used from outside its `ip_cidrs`.
    InvalidToken => "invalid_token",
    /// 401: not authorised.
    Unauthorized => "unauthorized",
    /// 403: the caller's address is outside `ALLOW_CIDRS`.
    IpNotAllowed => "ip_not_allowed",
    /// 403: an admin route called with an app token.
    AdminRequired => "admin_required",
    /// 403: forbidden.
    Forbidden => "forbidden",
    /// 404: no such route.
    NotFound => "not_found",
    /// 404: no token of that name.
    TokenNotFound => "token_not_found",
    /// 404: no such file for this token.
    FileNotFound => "file_not_found",
    /// 404: no such session for this token (another token's session answers this too).
    SessionNotFound => "session_not_found",
    /// 404: no such background run for this token (another token's run answers this too).
    RunNotFound => "run_not_found",
    /// 404: a `/v1` route's unknown model.
    ModelNotFound => "model_not_found",
    /// 405: the route does not take that method.
    MethodNotAllowed => "method_not_allowed",
    /// 408: the request was not sent in time.
    RequestTimeout => "request_timeout",
    /// 409: conflict.
    Conflict => "conflict",
    /// 409: a token of that name exists.
    TokenNameTaken => "token_name_taken",
    /// 409: the session is in a turn.
    SessionBusy => "session_busy",
    /// 409: the session is closed.
    SessionClosed => "session_closed",
    /// 409: another instance holds the session and this one cannot forward to it.
    SessionElsewhere => "session_elsewhere",
    /// 413: the body or the upload is too large.
    PayloadTooLarge => "payload_too_large",
    /// 413: the attached files are too large together.
    AttachmentsTooLarge => "attachments_too_large",
    /// 415: an upload the model cannot read, or a body in another charset than UTF-8.
    UnsupportedMediaType => "unsupported_media_type",
    /// 422: this token sent the same `Idempotency-Key` before with another request.
    IdempotencyKeyReused => "idempotency_key_reused",
    /// 431: the header block is too large.
    HeadersTooLarge => "headers_too_large",
    /// 429: too many uploads in flight (with `Retry-After`).
    TooManyRequests => "too_many_requests",
    /// 429: the run queue is full (with `Retry-After`).
    QueueFull => "queue_full",
    /// 429: too many open sessions (with `Retry-After`).
    TooManySessions => "too_many_sessions",
    /// 429: past the token's `runs_per_minute` (with `Retry-After`).
    RateLimited => "rate_limited",
    /// 429: the token's budget is spent (with `Retry-After`).
    BudgetExceeded => "budget_exceeded",
    /// A failure status without a code of its own (also what this crate reports for a failure
    /// whose body is not the server's error JSON, such as a proxy's page).
    HttpError => "http_error",
    /// 500: the server failed; details only in its log.
    InternalError => "internal_error",
    /// 502: the CLI or the upstream API failed.
    CliFailed => "cli_failed",
    /// 502: the CLI's output passed the server's cap.
    OutputTooLarge => "output_too_large",
    /// 502: a `json_schema` run ended without its structured output.
    StructuredOutputMissing => "structured_output_missing",
    /// 502: the session's agent failed.
    AgentFailed => "agent_failed",
    /// 502: the session's agent is gone.
    SessionLost => "session_lost",
    /// 502: a permission request could not be answered.
    PermissionUnavailable => "permission_unavailable",
    /// 502: the first request with this `Idempotency-Key` was cut short by the server stopping; not done again.
    Interrupted => "interrupted",
    /// 503: the CLI is missing on the server.
    CliNotFound => "cli_not_found",
    /// 503: the server is shutting down.
    ShuttingDown => "shutting_down",
    /// 503: the server's Claude login is missing or expired.
    UpstreamAuth => "upstream_auth",
    /// 503: every Claude login is cooling after a limit (with `Retry-After`).
    UpstreamUnavailable => "upstream_unavailable",
    /// 503: the instance holding the session is down (with `Retry-After`).
    InstanceUnavailable => "instance_unavailable",
    /// 504: the run or turn passed its `timeout_secs`.
    Timeout => "timeout",
}

impl From<String> for ErrorCode {
    fn from(code: String) -> ErrorCode {
        match ErrorCode::from(code.as_str()) {
            ErrorCode::Other(_) => ErrorCode::Other(code),
            known => known,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for ErrorCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(ErrorCode::from)
    }
}
