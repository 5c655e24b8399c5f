//! Async client for clawdforge, the LAN gateway that runs Claude Code
//! (`claude -p` and `acpx` agent sessions) for many apps behind per-app bearer tokens.
//!
//! One [`Client`] per gateway and token; every call is a method on it:
//!
//! ```no_run
//! use clawdforge::{Client, NewSession, RunRequest, Upload};
//!
//! # async fn demo() -> Result<(), clawdforge::Error> {
//! let client = Client::new("http://192.168.0.5:8800", std::env::var("CLAWDFORGE_TOKEN").unwrap())?;
//!
//! // A run: the answer parsed when it is JSON.
//! let answer = client.run(RunRequest::new("Reply with JSON: {\"hello\": \"world\"}").timeout_secs(30)).await?;
//! println!("{}", answer.result);
//!
//! // A session of two turns, closed at the end (or when dropped).
//! let session = client.new_session(NewSession::agent("claude")).await?;
//! session.turn("Help me draft a SQL migration. First describe what you need to know.").await?;
//! println!("{}", session.turn("Postgres 16, table users, add column tier").await?.text());
//! session.close().await?;
//!
//! // An upload, attached to a run.
//! let receipt = client.upload(Upload::from_path("receipt.png")).await?;
//! client.run(RunRequest::new("What is the total on this receipt?").file(receipt.file_token)).await?;
//! # Ok(()) }
//! ```
//!
//! Runs and turns also stream ([`Client::run_stream`], [`Session::turn_stream`]). Runs, new sessions
//! and turns carry an `Idempotency-Key` (a fresh UUID, or the `idempotency_key` given), the same on
//! every retry, so the server runs each once; a keyed run goes on when its client goes away, while
//! without a key ([`ClientBuilder::idempotency_keys`]) dropping the stream stops the work on the
//! server. Failures are one [`Error`] enum: the server's JSON errors as
//! [`Error::Api`] with their [`ErrorCode`], `field` and `Retry-After`. Nothing is retried unless a
//! [`RetryPolicy`] says so. With the admin token, [`Client::admin`] mints, lists, updates and revokes
//! tokens and reads the usage ledger and the audit log.
//!
//! No token is ever printed: [`Client`], [`Session`] and [`CreatedToken`] write their `Debug` by
//! hand, and no [`Error`] holds one.
//!
//! The client needs a tokio runtime with its time driver (as `#[tokio::main]` starts it).

#![warn(missing_docs)]

mod admin;
mod client;
mod error;
mod session;
mod sse;
mod stream;
mod transport;
mod types;

pub use admin::{
    Admin, AuditQuery, AuditRow, CreatedToken, NewToken, TokenInfo, TokenUpdate, UsageGroup,
    UsageGrouping, UsageQuery,
};
pub use client::{Client, ClientBuilder, Upload};
pub use error::{Error, ErrorCode};
pub use session::Session;
pub use stream::{RunStream, TurnStream};
pub use transport::RetryPolicy;
pub use types::{
    AgentsHealth, ClaudeLogin, DeletedFile, Health, ListQuery, LoginHealth, NewSession, OwnUsage,
    Page, RunEvent, RunRequest, RunResult, RunUsage, SessionState, SessionStatus, SessionSummary,
    StoredFile, TokenLimits, ToolRunsHealth, Turn, TurnEvent, TurnResult, UploadedFile,
    UsageTotals, WarmPoolHealth,
};

/// The `reqwest` this crate is built on, for [`ClientBuilder::http_client`].
pub use reqwest;

#[cfg(test)]
mod tests {
    use super::*;

    fn shared<T: Clone + Send + Sync + 'static>() {}
    fn sync<T: Send + Sync + 'static>() {}
    fn sendable<T: Send + 'static>() {}
    fn error<T: std::error::Error + Send + Sync + 'static>() {}

    #[test]
    fn clients_sessions_and_streams_move_between_tasks() {
        shared::<Client>();
        sync::<Session>();
        sendable::<RunStream>();
        sendable::<TurnStream>();
        error::<Error>();
    }

    /// Each module's source, by name.
    const MODULES: &[(&str, &str)] = &[
        ("admin", include_str!("admin.rs")),
        ("client", include_str!("client.rs")),
        ("error", include_str!("error.rs")),
        ("session", include_str!("session.rs")),
        ("sse", include_str!("sse.rs")),
        ("stream", include_str!("stream.rs")),
        ("transport", include_str!("transport.rs")),
        ("types", include_str!("types.rs")),
    ];

    /// The modules `source` names in its code (`crate::<module>`), comments and docs aside.
    fn imports(source: &str) -> Vec<&str> {
        let mut found = Vec::new();
        for line in source.lines() {
            let code = line.split("//").next().unwrap_or("");
            let mut rest = code;
            while let Some(at) = rest.find("crate::") {
                rest = &rest[at + "crate::".len()..];
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                found.push(&rest[..end]);
            }
        }
        found
    }

    #[test]
    fn modules_import_one_another_through_their_names_and_never_in_a_loop() {
        let names: Vec<&str> = MODULES.iter().map(|(name, _)| *name).collect();
        let mut edges: Vec<(&str, Vec<&str>)> = Vec::new();
        for (name, source) in MODULES {
            let mut uses = imports(source);
            for used in &uses {
                assert!(
                    names.contains(used),
                    "{name}.rs reaches crate::{used}: import it from its module, not through the crate root"
                );
            }
            uses.sort_unstable();
            uses.dedup();
            uses.retain(|used| used != name);
            edges.push((name, uses));
        }
        // Take away modules that import nothing left, until none are left or none can go: a loop.
        while !edges.is_empty() {
            let leaves: Vec<&str> = edges
                .iter()
                .filter(|(_, uses)| uses.is_empty())
                .map(|(name, _)| *name)
                .collect();
            assert!(
                !leaves.is_empty(),
                "modules importing each other in a loop: {edges:?}"
            );
            edges.retain(|(name, _)| !leaves.contains(name));
            for (_, uses) in &mut edges {
                uses.retain(|used| !leaves.contains(used));
            }
        }
        assert_eq!(
            imports("use crate::error::Error; // crate::client"),
            vec!["error"]
        );
    }
}
