//! The admin routes: tokens, the usage ledger and the audit log.

use std::fmt;

use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::transport::{Call, Transport};
use crate::types::{ListQuery, Page};

/// The admin routes, reached with [`Client::admin`](crate::Client::admin): they carry the admin token given to
/// [`ClientBuilder::admin_token`](crate::ClientBuilder::admin_token), or else the client's own
/// token (which the server refuses with `403 admin_required` unless it is the admin token).
///
/// ```no_run
/// # async fn demo() -> Result<(), clawdforge::Error> {
/// use clawdforge::{Client, NewToken};
///
/// let client = Client::builder("http://192.168.0.5:8800")
///     .admin_token(std::env::var("ADMIN_BOOTSTRAP_TOKEN").unwrap())
///     .build()?;
/// let minted = client.admin().create_token(&NewToken::named("cauldron")).await?;
/// println!("hand this to the app once: {}", minted.token);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Admin<'a> {
    transport: &'a Transport,
}

impl<'a> Admin<'a> {
    pub(crate) fn new(transport: &'a Transport) -> Admin<'a> {
        Admin { transport }
    }

    /// `POST /admin/tokens`: mints a token; its plaintext is in this answer only.
    ///
    /// ```no_run
    /// # async fn demo(client: clawdforge::Client) -> Result<(), clawdforge::Error> {
    /// use clawdforge::NewToken;
    ///
    /// let minted = client.admin().create_token(&NewToken {
    ///     ip_cidrs: vec!["172.24.0.0/16".into()],
    ///     models: Some(vec!["haiku".into()]),
    ///     runs_per_minute: Some(30),
    ///     ..NewToken::named("cauldron")
    /// }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create_token(&self, token: &NewToken) -> Result<CreatedToken, Error> {
        self.transport
            .json(
                Call::new(Method::POST, &["admin", "tokens"])
                    .admin()
                    .json(token)?,
            )
            .await
    }

    /// `GET /admin/tokens`: one page of tokens (never their plaintext or hash).
    ///
    /// ```no_run
    /// # async fn demo(client: clawdforge::Client) -> Result<(), clawdforge::Error> {
    /// use clawdforge::ListQuery;
    ///
    /// let mut query = ListQuery { limit: Some(100), cursor: None };
    /// loop {
    ///     let page = client.admin().list_tokens(&query).await?;
    ///     for token in page.items.iter().filter(|token| token.revoked_at.is_none()) {
    ///         println!("{}", token.name);
    ///     }
    ///     match page.next_cursor { Some(next) => query.cursor = Some(next), None => break }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list_tokens(&self, query: &ListQuery) -> Result<Page<TokenInfo>, Error> {
        self.transport
            .json(
                Call::new(Method::GET, &["admin", "tokens"])
                    .admin()
                    .query(query)?,
            )
            .await
    }

    /// `GET /admin/tokens/{name}`; `404 token_not_found` for a name no token has.
    ///
    /// ```no_run
    /// # async fn demo(client: clawdforge::Client) -> Result<(), clawdforge::Error> {
    /// let token = client.admin().get_token("cauldron").await?;
    /// println!("runs a minute: {:?}, day budget: {:?}", token.runs_per_minute, token.budget_usd_day);
    /// # Ok(()) }
    /// ```
    pub async fn get_token(&self, name: &str) -> Result<TokenInfo, Error> {
        self.transport
            .json(Call::new(Method::GET, &["admin", "tokens", name]).admin())
            .await
    }

    /// `PATCH /admin/tokens/{name}`: changes its limits or `ip_cidrs` from the next request on.
    ///
    /// ```no_run
    /// # async fn demo(client: clawdforge::Client) -> Result<(), clawdforge::Error> {
    /// use clawdforge::TokenUpdate;
    ///
    /// // A day budget of $5, and no more model restriction; the other limits stay.
    /// let update = TokenUpdate { budget_usd_day: Some(Some(5.0)), models: Some(None), ..Default::default() };
    /// client.admin().update_token("cauldron", &update).await?;
    /// # Ok(()) }
    /// ```
    pub async fn update_token(&self, name: &str, update: &TokenUpdate) -> Result<TokenInfo, Error> {
        self.transport
            .json(
                Call::new(Method::PATCH, &["admin", "tokens", name])
                    .admin()
                    .json(update)?,
            )
            .await
    }

    /// `DELETE /admin/tokens/{name}`: revokes it from the next request on. Revoking a revoked
    /// token answers it as it is.
    ///
    /// ```no_run
    /// # async fn demo(client: clawdforge::Client) -> Result<(), clawdforge::Error> {
    /// let revoked = client.admin().revoke_token("cauldron").await?;
    /// assert!(revoked.revoked_at.is_some());
    /// # Ok(()) }
    /// ```
    pub async fn revoke_token(&self, name: &str) -> Result<TokenInfo, Error> {
        self.transport
            .json(Call::new(Method::DELETE, &["admin", "tokens", name]).admin())
            .await
    }

    /// `GET /admin/usage`: the usage ledger, per token, per token and day, or per token and model.
    ///
    /// ```no_run
    /// # async fn demo(client: clawdforge::Client) -> Result<(), clawdforge::Error> {
    /// use clawdforge::{UsageGrouping, UsageQuery};
    ///
    /// let query = UsageQuery { group_by: Some(UsageGrouping::Day), since: Some("2026-11-01T00:00:00Z".into()), ..Default::default() };
    /// for row in client.admin().usage_report(&query).await?.items {
    ///     println!("{} {:?}: {} runs, ${:.4}", row.token, row.day, row.runs, row.cost_usd);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn usage_report(&self, query: &UsageQuery) -> Result<Page<UsageGroup>, Error> {
        self.transport
            .json(
                Call::new(Method::GET, &["admin", "usage"])
                    .admin()
                    .query(query)?,
            )
            .await
    }

    /// `GET /admin/audit`: one page of the audit log, newest first.
    ///
    /// ```no_run
    /// # async fn demo(client: clawdforge::Client) -> Result<(), clawdforge::Error> {
    /// use clawdforge::AuditQuery;
    ///
    /// let query = AuditQuery { token: Some("cauldron".into()), route: Some("/run".into()), limit: Some(50), ..Default::default() };
    /// for row in client.admin().audit(&query).await?.items {
    ///     println!("{} {} {} {} {:?}", row.at, row.method, row.route, row.status, row.error_code);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn audit(&self, query: &AuditQuery) -> Result<Page<AuditRow>, Error> {
        self.transport
            .json(
                Call::new(Method::GET, &["admin", "audit"])
                    .admin()
                    .query(query)?,
            )
            .await
    }
}

/// A token to mint: its name, and any of its limits.
///
/// ```
/// use clawdforge::NewToken;
///
/// let token = NewToken { runs_per_minute: Some(30), budget_usd_day: Some(5.0), ..NewToken::named("cauldron") };
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct NewToken {
    /// `^[a-z0-9][a-z0-9_-]{0,63}$`
    pub name: String,
    /// The token's own allowlist; empty for none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ip_cidrs: Vec<String>,
    /// The models it may name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub models: Option<Vec<String>>,
    /// Its share of the server's concurrent runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_concurrent_runs: Option<u32>,
    /// Runs it may start a minute.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runs_per_minute: Option<u32>,
    /// Dollars per UTC day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget_usd_day: Option<f64>,
    /// Dollars per UTC month.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget_usd_month: Option<f64>,
}

impl NewToken {
    /// A token with a name and no limits.
    pub fn named(name: impl Into<String>) -> NewToken {
        NewToken {
            name: name.into(),
            ..Default::default()
        }
    }
}

/// Changes to a token: a field left `None` stays as it is, `Some(None)` lifts the limit,
/// `Some(Some(value))` sets it.
///
/// ```
/// use clawdforge::TokenUpdate;
///
/// let update = TokenUpdate { runs_per_minute: Some(Some(10)), ip_cidrs: Some(None), ..Default::default() };
/// assert_eq!(serde_json::to_value(&update).unwrap(), serde_json::json!({ "runs_per_minute": 10, "ip_cidrs": null }));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TokenUpdate {
    /// Its own allowlist.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_cidrs: Option<Option<Vec<String>>>,
    /// The models it may name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub models: Option<Option<Vec<String>>>,
    /// Its share of the server's concurrent runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_concurrent_runs: Option<Option<u32>>,
    /// Runs it may start a minute.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runs_per_minute: Option<Option<u32>>,
    /// Dollars per UTC day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget_usd_day: Option<Option<f64>>,
    /// Dollars per UTC month.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget_usd_month: Option<Option<f64>>,
}

/// A token as the admin routes show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TokenInfo {
    /// Its name.
    pub name: String,
    /// Its own allowlist.
    pub ip_cidrs: Option<Vec<String>>,
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
    /// ISO-8601.
    pub created_at: String,
    /// ISO-8601.
    pub last_used_at: Option<String>,
    /// ISO-8601, once revoked.
    pub revoked_at: Option<String>,
}

/// A minted token: its plaintext, shown this once, and what the admin routes show of it. Its
/// `Debug` leaves the plaintext out.
///
/// ```no_run
/// # async fn demo(client: clawdforge::Client) -> Result<(), clawdforge::Error> {
/// let minted = client.admin().create_token(&clawdforge::NewToken::named("cauldron")).await?;
/// println!("{minted:?}"); // CreatedToken { token: "<redacted>", info: TokenInfo { name: "cauldron", … } }
/// std::fs::write("cauldron.token", &minted.token).unwrap();
/// # Ok(()) }
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreatedToken {
    /// The bearer token, `cf_…`.
    pub token: String,
    /// The token's record.
    #[serde(flatten)]
    pub info: TokenInfo,
}

impl fmt::Debug for CreatedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreatedToken")
            .field("token", &"<redacted>")
            .field("info", &self.info)
            .finish()
    }
}

/// How [`Admin::usage_report`] groups the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UsageGrouping {
    /// Per token (the server's default).
    Token,
    /// Per token and UTC day.
    Day,
    /// Per token and model.
    Model,
}

/// Filters of [`Admin::usage_report`].
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UsageQuery {
    /// One token's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// ISO-8601, inclusive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// ISO-8601, exclusive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// How to group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_by: Option<UsageGrouping>,
    /// Page size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// A row of the usage ledger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UsageGroup {
    /// The token's name.
    pub token: String,
    /// The UTC day, with [`UsageGrouping::Day`].
    #[serde(default)]
    pub day: Option<String>,
    /// The model, with [`UsageGrouping::Model`].
    #[serde(default)]
    pub model: Option<String>,
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
    /// Dollars.
    pub cost_usd: f64,
}

/// Filters of [`Admin::audit`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AuditQuery {
    /// One token's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// One route, as the rows name it (`/run`, `/sessions/:id/turn`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    /// ISO-8601.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// Page size, up to 1000.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// A row of the audit log: one request, never its token or, by default, its prompt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AuditRow {
    /// Its id.
    pub id: u64,
    /// ISO-8601.
    pub at: String,
    /// The token's name.
    pub token_name: Option<String>,
    /// The HTTP method.
    pub method: String,
    /// The route (`/sessions/:id/turn`, …).
    pub route: String,
    /// The status answered.
    pub status: u16,
    /// How long the answer took.
    pub duration_ms: u64,
    /// The error code answered (or `cancelled`, `interrupted`).
    pub error_code: Option<String>,
    /// The model.
    pub model: Option<String>,
    /// The prompt's length.
    pub prompt_chars: Option<u64>,
    /// The answer's length.
    pub response_chars: Option<u64>,
    /// Input tokens.
    pub input_tokens: Option<u64>,
    /// Output tokens.
    pub output_tokens: Option<u64>,
    /// Dollars.
    pub cost_usd: Option<f64>,
    /// Tool calls refused.
    #[serde(default)]
    pub tools_refused: Option<u32>,
    /// The session.
    pub session_id: Option<String>,
    /// The turn.
    pub turn_index: Option<u32>,
    /// Time in the run queue.
    pub queue_ms: Option<u64>,
    /// The request's `X-Request-Id`.
    #[serde(default)]
    pub request_id: Option<String>,
    /// The caller's address.
    #[serde(default)]
    pub client_ip: Option<String>,
    /// The end user an OpenAI or Anthropic request named.
    #[serde(default)]
    pub end_user: Option<String>,
    /// How many requests the row stands for (a summary of refusals), `None` for one.
    #[serde(default)]
    pub requests: Option<u64>,
    /// `Some(true)`: answered again from the answer kept for its `Idempotency-Key` (nothing ran,
    /// nothing was billed); `None` otherwise.
    #[serde(default)]
    pub replayed: Option<bool>,
}
