//! The request and answer bodies, field for field as the server's OpenAPI document (`/docs-json`)
//! names them. Answers ignore fields they do not know, so a newer server does not break them.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::Error;

/// `POST /run`: one prompt through `claude -p`.
///
/// Build it as a struct literal, or from a prompt with the setters:
///
/// ```
/// use clawdforge::RunRequest;
///
/// let literal = RunRequest {
///     prompt: "Sterilize this ingredient line: 'about 2 cups of cooked white rice'".into(),
///     model: Some("sonnet".into()),
///     system: Some("You are a precise recipe parser. Always reply with valid JSON.".into()),
///     timeout_secs: Some(60),
///     ..Default::default()
/// };
/// let built = RunRequest::new("Sterilize this ingredient line: 'about 2 cups of cooked white rice'")
///     .model("sonnet")
///     .system("You are a precise recipe parser. Always reply with valid JSON.")
///     .timeout_secs(60);
/// assert_eq!(literal, built);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RunRequest {
    /// The prompt, sent to the CLI on stdin.
    pub prompt: String,
    /// An alias (`sonnet`, `opus`, `haiku`, …) or a `claude-…` id; the server's `DEFAULT_MODEL` when `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Replaces Claude Code's default system prompt for this run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// File tokens (`ff_…`) from [`Client::upload`](crate::Client::upload), at most 20.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// 1..3600 (the server's default is 120); past it the server stops the run: `504 timeout`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_secs: Option<u32>,
    /// A JSON Schema: the CLI answers in structured form and `result` is that object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub json_schema: Option<Value>,
    /// Sent as the `Idempotency-Key` header, not in the body: the same key with the same request
    /// within a day gets the first run's answer again, run and billed once. A fresh UUID when
    /// `None` (unless [`ClientBuilder::idempotency_keys`](crate::ClientBuilder::idempotency_keys) is off).
    #[serde(skip)]
    pub idempotency_key: Option<String>,
}

impl RunRequest {
    /// A request with only a prompt.
    pub fn new(prompt: impl Into<String>) -> RunRequest {
        RunRequest {
            prompt: prompt.into(),
            ..Default::default()
        }
    }

    /// Sets `model`.
    pub fn model(mut self, model: impl Into<String>) -> RunRequest {
        self.model = Some(model.into());
        self
    }

    /// Sets `system`.
    pub fn system(mut self, system: impl Into<String>) -> RunRequest {
        self.system = Some(system.into());
        self
    }

    /// Attaches an uploaded file by its token.
    ///
    /// ```
    /// # async fn demo(client: clawdforge::Client) -> Result<(), clawdforge::Error> {
    /// use clawdforge::{RunRequest, Upload};
    ///
    /// let receipt = client.upload(Upload::from_path("receipt.png")).await?;
    /// let answer = client.run(RunRequest::new("What is the total?").file(&receipt.file_token)).await?;
    /// # Ok(()) }
    /// ```
    pub fn file(mut self, file_token: impl Into<String>) -> RunRequest {
        self.files.push(file_token.into());
        self
    }

    /// Sets `timeout_secs`.
    pub fn timeout_secs(mut self, secs: u32) -> RunRequest {
        self.timeout_secs = Some(secs);
        self
    }

    /// Sets `json_schema`.
    pub fn json_schema(mut self, schema: Value) -> RunRequest {
        self.json_schema = Some(schema);
        self
    }

    /// Sets `idempotency_key`: a retry of this run, by this client or after a restart, is then
    /// answered the first run's answer rather than run again.
    ///
    /// ```no_run
    /// # async fn demo(client: clawdforge::Client, order_id: u64) -> Result<(), clawdforge::Error> {
    /// use clawdforge::RunRequest;
    ///
    /// let request = RunRequest::new("Summarise the order.").idempotency_key(format!("order-{order_id}-summary"));
    /// let answer = client.run(request).await?;
    /// # Ok(()) }
    /// ```
    pub fn idempotency_key(mut self, key: impl Into<String>) -> RunRequest {
        self.idempotency_key = Some(key.into());
        self
    }
}

impl From<&str> for RunRequest {
    fn from(prompt: &str) -> RunRequest {
        RunRequest::new(prompt)
    }
}

impl From<String> for RunRequest {
    fn from(prompt: String) -> RunRequest {
        RunRequest::new(prompt)
    }
}

/// The answer to a run.
///
/// ```no_run
/// # async fn demo(client: clawdforge::Client) -> Result<(), clawdforge::Error> {
/// #[derive(serde::Deserialize)]
/// struct Ingredient { qty: f64, unit: String, food: String }
///
/// let answer = client.run("Reply with JSON: {\"qty\": 2, \"unit\": \"cup\", \"food\": \"rice\"}").await?;
/// let ingredient: Ingredient = answer.result_as()?;
/// println!("{} {} of {} in {} ms, ${:?}", ingredient.qty, ingredient.unit, ingredient.food, answer.duration_ms, answer.cost_usd);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RunResult {
    /// The model's answer with one surrounding code fence removed, parsed when it is JSON, else a
    /// string (the structured object with `json_schema`).
    pub result: Value,
    /// How long the run took.
    pub duration_ms: u64,
    /// Why the model stopped (`end_turn`, …).
    pub stop_reason: Option<String>,
    /// How long the run waited in the queue.
    #[serde(default)]
    pub queue_ms: u64,
    /// The model that answered.
    #[serde(default)]
    pub model: Option<String>,
    /// Token counts as the CLI reports them.
    #[serde(default)]
    pub usage: RunUsage,
    /// The CLI's own `total_cost_usd`.
    #[serde(default)]
    pub cost_usd: Option<f64>,
    /// The CLI's session id for this run.
    #[serde(default)]
    pub session_id: Option<String>,
    /// Tool calls refused during the run; each went back to the model as a tool error.
    #[serde(default)]
    pub tools_refused: u32,
}

impl RunResult {
    /// `result` deserialised into the caller's own type.
    ///
    /// ```
    /// # fn demo(answer: clawdforge::RunResult) -> Result<(), clawdforge::Error> {
    /// let tags: Vec<String> = answer.result_as()?;
    /// # Ok(()) }
    /// ```
    pub fn result_as<T: DeserializeOwned>(&self) -> Result<T, Error> {
        T::deserialize(&self.result).map_err(|source| Error::Decode {
            what: "the run's result",
            source,
        })
    }

    /// `result` when it is text (the model's answer did not parse as JSON).
    pub fn text(&self) -> Option<&str> {
        self.result.as_str()
    }
}

/// A run's token counts, as the CLI reports them (`None` where it reports none).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RunUsage {
    /// Input tokens.
    pub input_tokens: Option<u64>,
    /// Output tokens.
    pub output_tokens: Option<u64>,
    /// Tokens written to the prompt cache.
    pub cache_creation_input_tokens: Option<u64>,
    /// Tokens read from the prompt cache.
    pub cache_read_input_tokens: Option<u64>,
}

/// One event of [`Client::run_stream`](crate::Client::run_stream).
///
/// ```no_run
/// # async fn demo(client: clawdforge::Client) -> Result<(), clawdforge::Error> {
/// use clawdforge::RunEvent;
/// use futures_util::StreamExt;
///
/// let mut events = client.run_stream("Write a haiku about rice.").await?;
/// while let Some(event) = events.next().await {
///     match event? {
///         RunEvent::Delta { text } => print!("{text}"),
///         RunEvent::ToolUse { name, .. } => eprintln!("[tool {name}]"),
///         RunEvent::Result(result) => println!("\n({} ms)", result.duration_ms),
///         _ => {} // kinds a later version of this crate adds
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RunEvent {
    /// Text as the model writes it.
    Delta {
        /// The new text.
        text: String,
    },
    /// The model called a tool.
    ToolUse {
        /// The call's id.
        id: String,
        /// The tool's name.
        name: String,
    },
    /// The run's answer, the last event.
    Result(RunResult),
}

/// A file the server keeps for this token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StoredFile {
    /// The `ff_…` token to attach it to runs with.
    pub file_token: String,
    /// The sanitised name it was uploaded with.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256, hex.
    pub sha256: String,
    /// The type detected from its content.
    pub media_type: String,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub expires_at: String,
}

/// The answer to an upload.
///
/// ```no_run
/// # async fn demo(client: clawdforge::Client) -> Result<(), clawdforge::Error> {
/// let uploaded = client.upload(clawdforge::Upload::from_path("receipt.png").ttl_secs(600)).await?;
/// assert!(uploaded.file_token.starts_with("ff_"));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UploadedFile {
    /// The `ff_…` token to attach it to runs with.
    pub file_token: String,
    /// The sanitised name it was uploaded with.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256, hex.
    pub sha256: String,
    /// The type detected from its content.
    pub media_type: String,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub expires_at: String,
    /// How long the server keeps it.
    pub ttl_secs: u32,
}

/// The answer to [`Client::delete_file`](crate::Client::delete_file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DeletedFile {
    /// The file's token.
    pub file_token: String,
    /// Whether it was deleted.
    pub deleted: bool,
}

/// `POST /sessions`: which agent, which model, which system prompt.
///
/// ```
/// let new = clawdforge::NewSession { agent: Some("claude".into()), model: Some("sonnet".into()), ..Default::default() };
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct NewSession {
    /// One of the server's `SESSION_AGENTS` (its first when `None`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    /// The session's model for its whole life (`DEFAULT_MODEL` when `None`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Replaces the agent's system prompt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// Sent as the `Idempotency-Key` header, not in the body: the same key with the same request
    /// within a day gets the first answer again, one session opened. A fresh UUID when `None`
    /// (unless [`ClientBuilder::idempotency_keys`](crate::ClientBuilder::idempotency_keys) is off).
    #[serde(skip)]
    pub idempotency_key: Option<String>,
}

impl NewSession {
    /// A session of `agent`.
    pub fn agent(agent: impl Into<String>) -> NewSession {
        NewSession {
            agent: Some(agent.into()),
            ..Default::default()
        }
    }

    /// Sets `idempotency_key`.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> NewSession {
        self.idempotency_key = Some(key.into());
        self
    }
}

/// Whether a session takes turns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SessionStatus {
    /// It takes turns.
    Open,
    /// Closed by a client or by the idle sweeper; readable until the server's hard TTL.
    Closed,
    /// A status this version of the crate does not know.
    #[serde(other)]
    Unknown,
}

/// A session as `GET /sessions/{id}` answers.
///
/// ```no_run
/// # async fn demo(session: &clawdforge::Session) -> Result<(), clawdforge::Error> {
/// let state = session.state().await?;
/// println!("{} turns, busy: {}, last active {}", state.turn_count, state.busy, state.last_activity_at);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SessionState {
    /// Its id.
    pub session_id: String,
    /// Its agent.
    pub agent: String,
    /// Its model.
    pub model: String,
    /// Open or closed.
    pub status: SessionStatus,
    /// In a turn now.
    pub busy: bool,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub last_activity_at: String,
    /// ISO-8601, once closed.
    pub closed_at: Option<String>,
    /// Turns so far.
    pub turn_count: u32,
    /// Agent messages of the last turn that arrived after it was answered.
    #[serde(default)]
    pub late_events: Vec<Value>,
}

/// A session as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SessionSummary {
    /// Its id.
    pub session_id: String,
    /// Its agent.
    pub agent: String,
    /// Its model.
    pub model: String,
    /// Open or closed.
    pub status: SessionStatus,
    /// In a turn now.
    pub busy: bool,
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub last_activity_at: String,
    /// ISO-8601, once closed.
    pub closed_at: Option<String>,
    /// Turns so far.
    pub turn_count: u32,
}

/// A turn's prompt and its options; a `&str` or `String` is a turn with the server's defaults.
///
/// ```no_run
/// # async fn demo(session: &clawdforge::Session) -> Result<(), clawdforge::Error> {
/// use clawdforge::Turn;
///
/// session.turn("Describe the table first.").await?;
/// session.turn(Turn::new("Now write the migration.").timeout_secs(600)).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Turn {
    /// What the user says.
    pub prompt: String,
    /// The server's default is 300; past it the turn is cancelled: `504 timeout`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_secs: Option<u32>,
    /// Sent as the `Idempotency-Key` header, not in the body: the same key with the same request
    /// within a day gets the first turn's answer again, the turn taken once. A fresh UUID when
    /// `None` (unless [`ClientBuilder::idempotency_keys`](crate::ClientBuilder::idempotency_keys) is off).
    #[serde(skip)]
    pub idempotency_key: Option<String>,
}

impl Turn {
    /// A turn with the server's defaults.
    pub fn new(prompt: impl Into<String>) -> Turn {
        Turn {
            prompt: prompt.into(),
            ..Default::default()
        }
    }

    /// Sets `timeout_secs`.
    pub fn timeout_secs(mut self, secs: u32) -> Turn {
        self.timeout_secs = Some(secs);
        self
    }

    /// Sets `idempotency_key`.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Turn {
        self.idempotency_key = Some(key.into());
        self
    }
}

impl From<&str> for Turn {
    fn from(prompt: &str) -> Turn {
        Turn::new(prompt)
    }
}

impl From<String> for Turn {
    fn from(prompt: String) -> Turn {
        Turn::new(prompt)
    }
}

/// One finished turn: the server's answer, and [`text`](TurnResult::text) joining what the agent said.
///
/// ```no_run
/// # async fn demo(session: &clawdforge::Session) -> Result<(), clawdforge::Error> {
/// let turn = session.turn("Help me draft a SQL migration.").await?;
/// println!("{}", turn.text());
/// println!("{} ACP messages, stopped: {}", turn.events.len(), turn.stop_reason);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TurnResult {
    /// The session.
    pub session_id: String,
    /// 1 for the first turn.
    pub turn_index: u32,
    /// The ACP (JSON-RPC) messages the agent sent during this turn, ending with the prompt's result.
    pub events: Vec<Value>,
    /// Why the agent stopped (`end_turn`, `cancelled`, …).
    pub stop_reason: String,
    /// Tool calls refused during the turn; each went back to the model as a tool error.
    #[serde(default)]
    pub tools_refused: u32,
    /// How long the turn took.
    pub duration_ms: u64,
    /// Agent messages of the previous turn that arrived after it was answered.
    #[serde(default)]
    pub late_events: Vec<Value>,
}

impl TurnResult {
    /// The agent's message text of this turn: its `agent_message_chunk` updates, joined.
    ///
    /// ```
    /// let turn: clawdforge::TurnResult = serde_json::from_value(serde_json::json!({
    ///     "session_id": "4b1c…", "turn_index": 1, "stop_reason": "end_turn", "duration_ms": 900,
    ///     "events": [
    ///         {"jsonrpc": "2.0", "method": "session/update", "params": {"update":
    ///             {"sessionUpdate": "agent_message_chunk", "content": {"type": "text", "text": "Hello, "}}}},
    ///         {"jsonrpc": "2.0", "method": "session/update", "params": {"update":
    ///             {"sessionUpdate": "agent_thought_chunk", "content": {"type": "text", "text": "(thinking)"}}}},
    ///         {"jsonrpc": "2.0", "method": "session/update", "params": {"update":
    ///             {"sessionUpdate": "agent_message_chunk", "content": {"type": "text", "text": "world."}}}},
    ///         {"jsonrpc": "2.0", "id": 3, "result": {"stopReason": "end_turn"}}
    ///     ]
    /// })).unwrap();
    /// assert_eq!(turn.text(), "Hello, world.");
    /// ```
    pub fn text(&self) -> String {
        self.events.iter().filter_map(message_chunk_text).collect()
    }
}

fn message_chunk_text(message: &Value) -> Option<&str> {
    let update = message.get("params")?.get("update")?;
    if update.get("sessionUpdate")?.as_str()? != "agent_message_chunk" {
        return None;
    }
    let content = update.get("content")?;
    if content.get("type")?.as_str()? != "text" {
        return None;
    }
    content.get("text")?.as_str()
}

/// One event of [`Session::turn_stream`](crate::Session::turn_stream).
///
/// ```no_run
/// # async fn demo(session: &clawdforge::Session) -> Result<(), clawdforge::Error> {
/// use clawdforge::TurnEvent;
/// use futures_util::StreamExt;
///
/// let mut events = session.turn_stream("Count to three.").await?;
/// while let Some(event) = events.next().await {
///     match event? {
///         TurnEvent::Acp(message) => eprintln!("{message}"),
///         TurnEvent::Result(turn) => println!("{}", turn.text()),
///         _ => {}
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TurnEvent {
    /// An ACP message, as the agent sends it.
    Acp(Value),
    /// The turn's answer, the last event.
    Result(TurnResult),
}

/// One page of a list; pass `next_cursor` back as the query's `cursor` for the next.
///
/// ```no_run
/// # async fn demo(client: clawdforge::Client) -> Result<(), clawdforge::Error> {
/// use clawdforge::ListQuery;
///
/// let mut query = ListQuery { limit: Some(100), cursor: None };
/// loop {
///     let page = client.list_sessions_page(&query).await?;
///     for session in &page.items { println!("{}", session.session_id); }
///     match page.next_cursor { Some(next) => query.cursor = Some(next), None => break }
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Page<T> {
    /// This page's items.
    pub items: Vec<T>,
    /// `None` on the last page.
    pub next_cursor: Option<String>,
}

/// Paging for the plain lists.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ListQuery {
    /// Page size, 1..1000 (the server's default 100).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// A token's spend today and this month, its limits and the budget left (`GET /usage`).
///
/// ```no_run
/// # async fn demo(client: clawdforge::Client) -> Result<(), clawdforge::Error> {
/// let usage = client.usage().await?;
/// println!("{} runs today, ${:.4}; left today: {:?}", usage.today.runs, usage.today.cost_usd, usage.budget_left_day);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OwnUsage {
    /// The token's name.
    pub token: String,
    /// This UTC day.
    pub today: UsageTotals,
    /// This UTC month.
    pub month: UsageTotals,
    /// The token's limits.
    pub limits: TokenLimits,
    /// Dollars left today, when the token has a day budget.
    pub budget_left_day: Option<f64>,
    /// Dollars left this month, when the token has a month budget.
    pub budget_left_month: Option<f64>,
}

/// Counts of the usage ledger.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UsageTotals {
    /// Runs.
    pub runs: u64,
    /// Session turns.
    pub turns: u64,
    /// Input tokens.
    pub input_tokens: u64,
    /// Output tokens.
    pub output_tokens: u64,
    /// Tokens read from the prompt cache.
    pub cache_read_tokens: u64,
    /// Dollars, the CLI's own figures, unrounded.
    pub cost_usd: f64,
}

/// A token's limits; `None` where it has none.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TokenLimits {
    /// The models it may name.
    pub models: Option<Vec<String>>,
    /// Its share of the server's concurrent runs.
    pub max_concurrent_runs: Option<u32>,
    /// Runs it may start a minute.
    pub runs_per_minute: Option<u32>,
    /// Dollars per UTC day.
    pub budget_usd_day: Option<f64>,
    /// Dollars per UTC month.
    pub budget_usd_month: Option<f64>,
}

/// `GET /healthz`.
///
/// ```no_run
/// # async fn demo(client: clawdforge::Client) -> Result<(), clawdforge::Error> {
/// let health = client.health().await?;
/// if !health.claude_logged_in { eprintln!("the gateway's claude needs `claude /login`"); }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Health {
    /// False when the database does not answer (the server then answers 503).
    pub ok: bool,
    /// The server's version.
    pub version: String,
    /// The claude CLI is there.
    pub claude_present: bool,
    /// `claude --version`.
    pub claude_version: Option<String>,
    /// The server's Claude login is there and valid.
    #[serde(default)]
    pub claude_logged_in: bool,
    /// How it is logged in.
    #[serde(default)]
    pub claude_login: Option<ClaudeLogin>,
    /// The acpx CLI is there.
    pub acpx_present: bool,
    /// `acpx --version`.
    pub acpx_version: Option<String>,
    /// The database answers.
    pub db_ok: bool,
    /// What agents may do.
    #[serde(default)]
    pub agents: Option<AgentsHealth>,
    /// Audit rows that could not be written since start.
    #[serde(default)]
    pub audit_write_failures: u64,
    /// CLI processes running now.
    #[serde(default)]
    pub cli_children: u64,
    /// The warm pool of claude processes.
    #[serde(default)]
    pub warm_pool: Option<WarmPoolHealth>,
    /// The `/v1` runs with client tools.
    #[serde(default)]
    pub tool_runs: Option<ToolRunsHealth>,
    /// Each Claude login of the server.
    #[serde(default)]
    pub claude_logins: Vec<LoginHealth>,
}

/// How the server's claude is logged in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ClaudeLogin {
    /// `claude.ai`, `api_key`, `oauth_token`, …
    pub method: String,
    /// ISO-8601, when it expires.
    pub expires_at: Option<String>,
}

/// What the server's agents may do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AgentsHealth {
    /// `restricted`.
    pub file_tools: String,
    /// `deny-all`, `approve-reads` or `approve-all`.
    pub session_permissions: String,
    /// `bwrap`, `none` or `not_needed`.
    pub shell_sandbox: String,
    /// `ALLOW_UNSANDBOXED_AGENTS` is set.
    pub unsandboxed_agents: bool,
}

/// The warm pool of claude processes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WarmPoolHealth {
    /// Spare processes waiting.
    pub spares: u64,
    /// Runs served warm.
    pub warm_runs: u64,
    /// Runs started cold.
    pub cold_runs: u64,
    /// Session clients started ahead.
    pub session_clients: u64,
}

/// The `/v1` runs with client tools.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ToolRunsHealth {
    /// Between a request and its answer.
    pub running: u64,
    /// Waiting for the client's tool results.
    pub parked: u64,
}

/// One Claude login of the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LoginHealth {
    /// Its place in the pool.
    pub index: u32,
    /// Its label.
    pub label: String,
    /// Logged in.
    pub logged_in: bool,
    /// Runs on it now.
    pub runs_in_flight: u32,
    /// ISO-8601, while it cools after a limit.
    pub cooling_until: Option<String>,
}
