use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use reqwest::{Method, Url};

use crate::admin::Admin;
use crate::error::Error;
use crate::session::Session;
use crate::stream::RunStream;
use crate::transport::{Call, RetryPolicy, Transport};
use crate::types::{
    DeletedFile, Health, ListQuery, NewSession, OwnUsage, Page, RunRequest, RunResult,
    SessionState, SessionStatus, SessionSummary, StoredFile, UploadedFile,
};

/// The clawdforge API. Cheap to clone (the clones share one connection pool), `Send` and `Sync`.
/// Its `Debug` shows the base URL and never a token.
///
/// ```no_run
/// # async fn demo() -> Result<(), clawdforge::Error> {
/// let client = clawdforge::Client::new("http://192.168.0.5:8800", std::env::var("CLAWDFORGE_TOKEN").unwrap())?;
/// let answer = client.run("Reply with JSON: {\"hello\": \"world\"}").await?;
/// println!("{}", answer.result); // {"hello":"world"}
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    transport: Arc<Transport>,
}

/// Written by hand in the transport's `Debug`: the base URL and the settings, never a token.
impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.transport, f)
    }
}

/// Settings of a [`Client`]: its tokens, timeouts, retries, or a `reqwest::Client` of your own.
///
/// ```no_run
/// # fn demo() -> Result<(), clawdforge::Error> {
/// use std::time::Duration;
/// use clawdforge::{Client, RetryPolicy};
///
/// let client = Client::builder("http://192.168.0.5:8800")
///     .token(std::env::var("CLAWDFORGE_TOKEN").unwrap())
///     .timeout(Duration::from_secs(180))
///     .retry(RetryPolicy::new(3))
///     .build()?;
/// # Ok(()) }
/// ```
#[must_use]
pub struct ClientBuilder {
    base_url: String,
    token: Option<String>,
    admin_token: Option<String>,
    http: Option<reqwest::Client>,
    timeout: Option<Duration>,
    connect_timeout: Duration,
    retry: RetryPolicy,
    idempotency_keys: bool,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The app token (`cf_…`) every app route carries.
    pub fn token(mut self, token: impl Into<String>) -> ClientBuilder {
        self.token = Some(token.into());
        self
    }

    /// The admin token (`ADMIN_BOOTSTRAP_TOKEN`) the [`Admin`] routes carry.
    pub fn admin_token(mut self, token: impl Into<String>) -> ClientBuilder {
        self.admin_token = Some(token.into());
        self
    }

    /// A whole-request timeout for every call (none by default: the server's own `timeout_secs`
    /// bounds a run or a turn). For a stream it bounds the wait for the stream to start; its events
    /// may then take as long as the run. Past it: [`Error::Timeout`].
    pub fn timeout(mut self, timeout: Duration) -> ClientBuilder {
        self.timeout = Some(timeout);
        self
    }

    /// How long to wait for a connection (10 s by default). Ignored with [`http_client`](Self::http_client),
    /// whose own settings apply.
    pub fn connect_timeout(mut self, timeout: Duration) -> ClientBuilder {
        self.connect_timeout = timeout;
        self
    }

    /// Retries (none by default). See [`RetryPolicy`].
    pub fn retry(mut self, retry: RetryPolicy) -> ClientBuilder {
        self.retry = retry;
        self
    }

    /// Whether every run, new session and turn not given an `idempotency_key` carries a fresh
    /// `Idempotency-Key` (a random UUID), the same on each of its retries (on by default). The
    /// server runs a keyed request once, and goes on with it when its client goes away, so that a
    /// retry gets its answer. Off, only the keys given are sent; a call without one then stops its
    /// work on the server when it is dropped or times out, and is not retried when its answer is lost.
    ///
    /// ```
    /// # fn demo() -> Result<(), clawdforge::Error> {
    /// // A chat UI whose stop button drops the stream, stopping the run.
    /// let client = clawdforge::Client::builder("http://192.168.0.5:8800").token("cf_…").idempotency_keys(false).build()?;
    /// # Ok(()) }
    /// ```
    pub fn idempotency_keys(mut self, on: bool) -> ClientBuilder {
        self.idempotency_keys = on;
        self
    }

    /// A `reqwest::Client` of your own (proxies, TLS roots, pooling). It must not follow redirects
    /// to another host with the `Authorization` header; reqwest's default policy drops it there.
    ///
    /// ```
    /// # fn demo() -> Result<(), clawdforge::Error> {
    /// let http = clawdforge::reqwest::Client::builder().pool_max_idle_per_host(4).build().unwrap();
    /// let client = clawdforge::Client::builder("http://192.168.0.5:8800").token("cf_…").http_client(http).build()?;
    /// # Ok(()) }
    /// ```
    pub fn http_client(mut self, http: reqwest::Client) -> ClientBuilder {
        self.http = Some(http);
        self
    }

    /// The client; [`Error::InvalidUrl`] unless the base URL is an absolute `http` or `https` URL.
    ///
    /// ```
    /// assert!(clawdforge::Client::builder("192.168.0.5:8800").build().is_err());
    /// ```
    pub fn build(self) -> Result<Client, Error> {
        let base = Url::parse(&self.base_url)
            .map_err(|error| Error::InvalidUrl(format!("{}: {error}", self.base_url)))?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(Error::InvalidUrl(format!(
                "{}: not an http or https URL",
                self.base_url
            )));
        }
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .build()
                .map_err(Error::from_reqwest)?,
        };
        let transport = Transport::new(
            base,
            self.token,
            self.admin_token,
            http,
            self.timeout,
            self.retry,
            self.idempotency_keys,
        )?;
        Ok(Client {
            transport: Arc::new(transport),
        })
    }
}

/// A file to upload: from a path or from bytes, with a name and a `ttl_secs`.
///
/// ```no_run
/// # async fn demo(client: clawdforge::Client) -> Result<(), clawdforge::Error> {
/// use clawdforge::Upload;
///
/// let receipt = client.upload(Upload::from_path("scans/receipt.png").ttl_secs(600)).await?;
/// let notes = client.upload(Upload::from_bytes("notes.txt", b"2 cups of rice".to_vec())).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct Upload {
    source: UploadSource,
    name: Option<String>,
    ttl_secs: Option<u32>,
}

#[derive(Debug, Clone)]
enum UploadSource {
    Path(PathBuf),
    Bytes(Arc<[u8]>),
}

impl Upload {
    /// The file at `path`, read when it is uploaded, named by its file name.
    pub fn from_path(path: impl Into<PathBuf>) -> Upload {
        Upload {
            source: UploadSource::Path(path.into()),
            name: None,
            ttl_secs: None,
        }
    }

    /// `content`, named `name`.
    pub fn from_bytes(name: impl Into<String>, content: impl Into<Vec<u8>>) -> Upload {
        Upload {
            source: UploadSource::Bytes(content.into().into()),
            name: Some(name.into()),
            ttl_secs: None,
        }
    }

    /// The name the server keeps (a path's file name by default).
    pub fn name(mut self, name: impl Into<String>) -> Upload {
        self.name = Some(name.into());
        self
    }

    /// How long the server keeps it, 60..86400 s (its default 3600).
    pub fn ttl_secs(mut self, ttl_secs: u32) -> Upload {
        self.ttl_secs = Some(ttl_secs);
        self
    }
}

impl Client {
    /// A client for the gateway at `base_url` (`http://192.168.0.5:8800`, or with a path prefix
    /// behind a proxy) with an app token. [`Error::InvalidUrl`] for a base URL that is not one.
    ///
    /// ```no_run
    /// # fn demo() -> Result<(), clawdforge::Error> {
    /// let client = clawdforge::Client::new("http://192.168.0.5:8800", std::env::var("CLAWDFORGE_TOKEN").unwrap())?;
    /// # Ok(()) }
    /// ```
    pub fn new(base_url: impl Into<String>, token: impl Into<String>) -> Result<Client, Error> {
        Client::builder(base_url).token(token).build()
    }

    /// A [`ClientBuilder`] for the gateway at `base_url`.
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            base_url: base_url.into(),
            token: None,
            admin_token: None,
            http: None,
            timeout: None,
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::none(),
            idempotency_keys: true,
        }
    }

    /// The base URL.
    pub fn base_url(&self) -> &str {
        self.transport.base_url()
    }

    /// `GET /healthz` (needs no token).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), clawdforge::Error> {
    /// let anyone = clawdforge::Client::builder("http://192.168.0.5:8800").build()?;
    /// let health = anyone.health().await?;
    /// println!("clawdforge {}, claude {:?}", health.version, health.claude_version);
    /// # Ok(()) }
    /// ```
    pub async fn health(&self) -> Result<Health, Error> {
        self.transport
            .json(Call::new(Method::GET, &["healthz"]))
            .await
    }

    /// `POST /run`: one prompt through `claude -p`, answered when the run ends. Takes a
    /// [`RunRequest`] or just a prompt. It carries an `Idempotency-Key`
    /// ([`RunRequest::idempotency_key`], or a fresh one), so the server runs it once however often
    /// it is retried.
    ///
    /// ```no_run
    /// # async fn demo(client: clawdforge::Client) -> Result<(), clawdforge::Error> {
    /// use clawdforge::RunRequest;
    ///
    /// let answer = client.run(RunRequest {
    ///     prompt: "Sterilize this ingredient line: 'about 2 cups of cooked white rice'".into(),
    ///     system: Some("You are a precise recipe parser. Always reply with valid JSON.".into()),
    ///     ..Default::default()
    /// }).await?;
    /// println!("{} ({:?}, {} ms)", answer.result, answer.stop_reason, answer.duration_ms);
    /// # Ok(()) }
    /// ```
    pub async fn run(&self, request: impl Into<RunRequest>) -> Result<RunResult, Error> {
        let request = request.into();
        let call = Call::new(Method::POST, &["run"])
            .json(&request)?
            .idempotent(request.idempotency_key);
        self.transport.json(call).await
    }

    /// `POST /run` as Server-Sent Events: text as the model writes it, tool calls, then the
    /// answer. Dropping the stream closes the connection; that stops the run on the server only
    /// when it carries no `Idempotency-Key` (see [`ClientBuilder::idempotency_keys`]).
    ///
    /// ```no_run
    /// # async fn demo(client: clawdforge::Client) -> Result<(), clawdforge::Error> {
    /// use clawdforge::RunEvent;
    /// use futures_util::StreamExt;
    ///
    /// let mut events = client.run_stream("Write a haiku about rice.").await?;
    /// while let Some(event) = events.next().await {
    ///     if let RunEvent::Delta { text } = event? {
    ///         print!("{text}");
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn run_stream(&self, request: impl Into<RunRequest>) -> Result<RunStream, Error> {
        let request = request.into();
        let call = Call::new(Method::POST, &["run"])
            .json(&request)?
            .stream()
            .idempotent(request.idempotency_key);
        Ok(RunStream::new(self.transport.send(&call).await?))
    }

    /// `POST /files`: uploads a file for runs to attach by its `ff_…` token.
    ///
    /// ```no_run
    /// # async fn demo(client: clawdforge::Client) -> Result<(), clawdforge::Error> {
    /// use clawdforge::{RunRequest, Upload};
    ///
    /// let receipt = client.upload(Upload::from_path("receipt.png").ttl_secs(600)).await?;
    /// let answer = client.run(RunRequest::new("What is the total on this receipt?").file(receipt.file_token)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn upload(&self, upload: Upload) -> Result<UploadedFile, Error> {
        let (content, default_name) = match upload.source {
            UploadSource::Bytes(content) => (content, "file".to_string()),
            UploadSource::Path(path) => {
                let content = tokio::fs::read(&path).await.map_err(|source| Error::Io {
                    path: path.clone(),
                    source,
                })?;
                let name = path
                    .file_name()
                    .map(|name| name.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "file".to_string());
                (content.into(), name)
            }
        };
        let name = upload.name.unwrap_or(default_name);
        self.transport
            .json(Call::new(Method::POST, &["files"]).file(name, content, upload.ttl_secs))
            .await
    }

    /// `GET /files`: the first page of this token's live files.
    ///
    /// ```no_run
    /// # async fn demo(client: clawdforge::Client) -> Result<(), clawdforge::Error> {
    /// for file in client.list_files().await?.items {
    ///     println!("{} {} ({} bytes, until {})", file.file_token, file.name, file.size, file.expires_at);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list_files(&self) -> Result<Page<StoredFile>, Error> {
        self.list_files_page(&ListQuery::default()).await
    }

    /// `GET /files`: one page.
    pub async fn list_files_page(&self, query: &ListQuery) -> Result<Page<StoredFile>, Error> {
        self.transport
            .json(Call::new(Method::GET, &["files"]).query(query)?)
            .await
    }

    /// `DELETE /files/{file_token}`: the file goes now rather than at its `ttl_secs`; another
    /// token's file, or one already gone, is `404 file_not_found`.
    ///
    /// ```no_run
    /// # async fn demo(client: clawdforge::Client) -> Result<(), clawdforge::Error> {
    /// let receipt = client.upload(clawdforge::Upload::from_path("receipt.png")).await?;
    /// // … runs that attach it …
    /// client.delete_file(&receipt.file_token).await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_file(&self, file_token: &str) -> Result<DeletedFile, Error> {
        self.transport
            .json(Call::new(Method::DELETE, &["files", file_token]))
            .await
    }

    /// `POST /sessions`: a multi-turn agent session, closed by [`Session::close`] or when dropped.
    ///
    /// ```no_run
    /// # async fn demo(client: clawdforge::Client) -> Result<(), clawdforge::Error> {
    /// use clawdforge::NewSession;
    ///
    /// let session = client.new_session(NewSession { agent: Some("claude".into()), model: Some("sonnet".into()), ..Default::default() }).await?;
    /// println!("{}", session.turn("Help me draft a SQL migration.").await?.text());
    /// session.close().await?;
    /// # Ok(()) }
    /// ```
    pub async fn new_session(&self, new: NewSession) -> Result<Session, Error> {
        let call = Call::new(Method::POST, &["sessions"])
            .json(&new)?
            .idempotent(new.idempotency_key);
        let state: SessionState = self.transport.json(call).await?;
        Ok(Session::new(
            Arc::clone(&self.transport),
            state.session_id,
            false,
        ))
    }

    /// `GET /sessions/{id}`: takes up a session by its id, such as one an earlier process opened.
    /// The session is this handle's now: dropping it closes the session (see [`Session`];
    /// [`Session::detach`] gives the id back instead). Another token's session, or an unknown id,
    /// is `404 session_not_found`.
    ///
    /// ```no_run
    /// # async fn demo(client: clawdforge::Client, saved_id: String) -> Result<(), clawdforge::Error> {
    /// let session = client.get_session(&saved_id).await?;
    /// session.turn("Where were we?").await?;
    /// # Ok(()) }
    /// ```
    pub async fn get_session(&self, id: &str) -> Result<Session, Error> {
        let state: SessionState = self
            .transport
            .json(Call::new(Method::GET, &["sessions", id]))
            .await?;
        let closed = state.status == SessionStatus::Closed;
        Ok(Session::new(
            Arc::clone(&self.transport),
            state.session_id,
            closed,
        ))
    }

    /// `GET /sessions`: the first page of this token's sessions, newest first.
    ///
    /// ```no_run
    /// # async fn demo(client: clawdforge::Client) -> Result<(), clawdforge::Error> {
    /// use clawdforge::SessionStatus;
    ///
    /// for session in client.list_sessions().await?.items {
    ///     if session.status == SessionStatus::Open {
    ///         println!("{}: {} turns, last active {}", session.session_id, session.turn_count, session.last_activity_at);
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list_sessions(&self) -> Result<Page<SessionSummary>, Error> {
        self.list_sessions_page(&ListQuery::default()).await
    }

    /// `GET /sessions`: one page.
    pub async fn list_sessions_page(
        &self,
        query: &ListQuery,
    ) -> Result<Page<SessionSummary>, Error> {
        self.transport
            .json(Call::new(Method::GET, &["sessions"]).query(query)?)
            .await
    }

    /// `GET /usage`: this token's spend today and this month, its limits and the budget left.
    ///
    /// ```no_run
    /// # async fn demo(client: clawdforge::Client) -> Result<(), clawdforge::Error> {
    /// let usage = client.usage().await?;
    /// if usage.budget_left_day.map_or(false, |left| left < 0.10) {
    ///     eprintln!("less than 10 cents left today");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn usage(&self) -> Result<OwnUsage, Error> {
        self.transport
            .json(Call::new(Method::GET, &["usage"]))
            .await
    }

    /// The admin routes (see [`Admin`]), carrying the builder's
    /// [`admin_token`](ClientBuilder::admin_token).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), clawdforge::Error> {
    /// let client = clawdforge::Client::builder("http://192.168.0.5:8800")
    ///     .admin_token(std::env::var("ADMIN_BOOTSTRAP_TOKEN").unwrap())
    ///     .build()?;
    /// for token in client.admin().list_tokens(&Default::default()).await?.items {
    ///     println!("{} (last used {:?})", token.name, token.last_used_at);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn admin(&self) -> Admin<'_> {
        Admin::new(&self.transport)
    }
}
