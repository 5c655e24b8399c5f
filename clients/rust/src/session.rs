use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use reqwest::Method;

use crate::error::Error;
use crate::stream::TurnStream;
use crate::transport::{Call, Transport};
use crate::types::{SessionState, Turn, TurnResult};

/// A multi-turn agent session, owned by this handle.
///
/// [`close`](Session::close) takes the session by value, so it cannot be used after it is closed:
///
/// ```no_run
/// # async fn demo(client: clawdforge::Client) -> Result<(), clawdforge::Error> {
/// let session = client.new_session(clawdforge::NewSession::agent("claude")).await?;
/// session.turn("Help me draft a SQL migration. First describe what you need to know.").await?;
/// let follow_up = session.turn("Postgres 16, table users, add column tier text default 'free'").await?;
/// println!("{}", follow_up.text());
/// session.close().await?;
/// # Ok(()) }
/// ```
///
/// ```compile_fail,E0382
/// # async fn demo(client: clawdforge::Client) -> Result<(), clawdforge::Error> {
/// let session = client.new_session(clawdforge::NewSession::agent("claude")).await?;
/// session.close().await?;
/// session.turn("one more").await?; // error[E0382]: borrow of moved value: `session`
/// # Ok(()) }
/// ```
///
/// A session dropped without `close` inside a tokio runtime is closed on a task spawned there, best
/// effort: a failure is logged (the `log` crate, target `clawdforge`), never a panic. Dropped
/// outside a runtime it can only be logged; the server's idle TTL closes it then. An `AtomicBool`
/// makes sure a session is closed once, whichever way. [`detach`](Session::detach) gives the id
/// back and leaves the session open, to take up later with
/// [`Client::get_session`](crate::Client::get_session).
///
/// Its `Debug` shows the id and never a token.
pub struct Session {
    transport: Arc<Transport>,
    id: String,
    closed: AtomicBool,
}

/// `DELETE /sessions/{id}`.
async fn close_session(transport: &Transport, id: &str) -> Result<SessionState, Error> {
    transport
        .json(Call::new(Method::DELETE, &["sessions", id]))
        .await
}

impl Session {
    /// The handle of session `id`, which closes it when dropped unless `closed` already.
    pub(crate) fn new(transport: Arc<Transport>, id: String, closed: bool) -> Session {
        Session {
            transport,
            id,
            closed: AtomicBool::new(closed),
        }
    }

    /// The session's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// `POST /sessions/{id}/turn`: one turn, answered when the agent has finished. Takes a
    /// prompt or a [`Turn`] with its options.
    ///
    /// ```no_run
    /// # async fn demo(session: &clawdforge::Session) -> Result<(), clawdforge::Error> {
    /// let turn = session.turn("Help me draft a SQL migration.").await?;
    /// println!("turn {}: {}", turn.turn_index, turn.text());
    /// # Ok(()) }
    /// ```
    pub async fn turn(&self, turn: impl Into<Turn>) -> Result<TurnResult, Error> {
        let turn = turn.into();
        let call = Call::new(Method::POST, &["sessions", &self.id, "turn"])
            .json(&turn)?
            .idempotent(turn.idempotency_key);
        self.transport.json(call).await
    }

    /// The turn as Server-Sent Events: each ACP message as the agent sends it, then the answer.
    /// Dropping the stream disconnects, which cancels the turn when it carries no `Idempotency-Key`
    /// (see [`ClientBuilder::idempotency_keys`](crate::ClientBuilder::idempotency_keys)).
    ///
    /// ```no_run
    /// # async fn demo(session: &clawdforge::Session) -> Result<(), clawdforge::Error> {
    /// use clawdforge::TurnEvent;
    /// use futures_util::StreamExt;
    ///
    /// let mut events = session.turn_stream("Count to three.").await?;
    /// while let Some(event) = events.next().await {
    ///     if let TurnEvent::Acp(message) = event? {
    ///         println!("{message}");
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn turn_stream(&self, turn: impl Into<Turn>) -> Result<TurnStream, Error> {
        let turn = turn.into();
        let call = Call::new(Method::POST, &["sessions", &self.id, "turn"])
            .json(&turn)?
            .stream()
            .idempotent(turn.idempotency_key);
        Ok(TurnStream::new(self.transport.send(&call).await?))
    }

    /// `GET /sessions/{id}`: open or closed, busy in a turn or not, how many turns.
    ///
    /// ```no_run
    /// # async fn demo(session: &clawdforge::Session) -> Result<(), clawdforge::Error> {
    /// let state = session.state().await?;
    /// println!("{:?}, {} turns, busy: {}", state.status, state.turn_count, state.busy);
    /// # Ok(()) }
    /// ```
    pub async fn state(&self) -> Result<SessionState, Error> {
        self.transport
            .json(Call::new(Method::GET, &["sessions", &self.id]))
            .await
    }

    /// `DELETE /sessions/{id}`: closes it (the agent ends, its directory goes; its state stays
    /// readable for a while). Idempotent on the server: closing a session another handle closed
    /// answers its closed state.
    ///
    /// ```no_run
    /// # async fn demo(session: clawdforge::Session) -> Result<(), clawdforge::Error> {
    /// let state = session.close().await?;
    /// assert_eq!(state.status, clawdforge::SessionStatus::Closed);
    /// # Ok(()) }
    /// ```
    pub async fn close(self) -> Result<SessionState, Error> {
        let closed = close_session(&self.transport, &self.id).await;
        // Only now: should this future be dropped before the answer, the drop closes it instead.
        self.closed.store(true, Ordering::Release);
        closed
    }

    /// Gives the id back and leaves the session open (no close on drop).
    ///
    /// ```no_run
    /// # async fn demo(client: clawdforge::Client) -> Result<(), clawdforge::Error> {
    /// let session = client.new_session(Default::default()).await?;
    /// let id = session.detach();
    /// // … later, perhaps in another process:
    /// let session = client.get_session(&id).await?;
    /// # Ok(()) }
    /// ```
    pub fn detach(self) -> String {
        self.closed.store(true, Ordering::Release);
        self.id.clone()
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if self.closed.swap(true, Ordering::AcqRel) {
            return;
        }
        let id = std::mem::take(&mut self.id);
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                let transport = Arc::clone(&self.transport);
                runtime.spawn(async move {
                    match close_session(&transport, &id).await {
                        Ok(_) => log::debug!(target: "clawdforge", "session {id} dropped unclosed: closed it"),
                        Err(error) => log::warn!(target: "clawdforge", "session {id} dropped unclosed, and closing it failed: {error}"),
                    }
                });
            }
            Err(_) => log::warn!(
                target: "clawdforge",
                "session {id} dropped unclosed outside a tokio runtime: it stays open until the server's idle TTL closes it"
            ),
        }
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("id", &self.id)
            .field("closed", &self.closed.load(Ordering::Acquire))
            .field("client", &self.transport)
            .finish()
    }
}
