use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::Stream;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use crate::error::Error;
use crate::sse::{self, Decoded, EventStream};
use crate::types::{RunEvent, TurnEvent};

/// The events of [`Client::run_stream`](crate::Client::run_stream), ending after
/// [`RunEvent::Result`] or the first error. Dropping it disconnects, which stops a run that
/// carries no `Idempotency-Key` (a keyed run goes on, for its retry to be answered).
///
/// ```no_run
/// # async fn demo() -> Result<(), clawdforge::Error> {
/// use futures_util::StreamExt;
///
/// let client = clawdforge::Client::builder("http://192.168.0.5:8800").token("cf_…").idempotency_keys(false).build()?;
/// let mut events = client.run_stream("Write a long essay.").await?;
/// let first = events.next().await; // enough of it
/// drop(events); // the server stops the run and its claude process
/// # Ok(()) }
/// ```
pub struct RunStream {
    events: EventStream<RunEvent>,
}

impl RunStream {
    /// The events of a run's `text/event-stream` answer.
    pub(crate) fn new(response: reqwest::Response) -> RunStream {
        RunStream {
            events: sse::events(response, decode_run_event),
        }
    }
}

impl Stream for RunStream {
    type Item = Result<RunEvent, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.events.as_mut().poll_next(cx)
    }
}

impl fmt::Debug for RunStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunStream").finish_non_exhaustive()
    }
}

/// The events of [`Session::turn_stream`](crate::Session::turn_stream), ending after
/// [`TurnEvent::Result`] or the first error. Dropping it disconnects, which cancels a turn that
/// carries no `Idempotency-Key`.
///
/// ```no_run
/// # async fn demo(session: &clawdforge::Session) -> Result<(), clawdforge::Error> {
/// use clawdforge::TurnEvent;
/// use futures_util::StreamExt;
///
/// let mut events = session.turn_stream("Describe the users table.").await?;
/// while let Some(event) = events.next().await {
///     if let TurnEvent::Result(turn) = event? {
///         println!("{}", turn.text());
///     }
/// }
/// # Ok(()) }
/// ```
pub struct TurnStream {
    events: EventStream<TurnEvent>,
}

impl TurnStream {
    /// The events of a turn's `text/event-stream` answer.
    pub(crate) fn new(response: reqwest::Response) -> TurnStream {
        TurnStream {
            events: sse::events(response, decode_turn_event),
        }
    }
}

impl Stream for TurnStream {
    type Item = Result<TurnEvent, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.events.as_mut().poll_next(cx)
    }
}

impl fmt::Debug for TurnStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TurnStream").finish_non_exhaustive()
    }
}

fn decode<T: DeserializeOwned>(what: &'static str, data: Value) -> Result<T, Error> {
    T::deserialize(data).map_err(|source| Error::Decode { what, source })
}

fn decode_run_event(name: &str, data: Value) -> Result<Decoded<RunEvent>, Error> {
    #[derive(Deserialize)]
    struct Delta {
        text: String,
    }
    #[derive(Deserialize)]
    struct ToolUse {
        id: String,
        name: String,
    }
    Ok(match name {
        "delta" => Decoded::Event(
            RunEvent::Delta {
                text: decode::<Delta>("a delta event", data)?.text,
            },
            false,
        ),
        "tool_use" => {
            let ToolUse { id, name } = decode("a tool_use event", data)?;
            Decoded::Event(RunEvent::ToolUse { id, name }, false)
        }
        "result" => Decoded::Event(RunEvent::Result(decode("the result event", data)?), true),
        _ => Decoded::Skip,
    })
}

fn decode_turn_event(name: &str, data: Value) -> Result<Decoded<TurnEvent>, Error> {
    Ok(match name {
        "acp" => Decoded::Event(TurnEvent::Acp(data), false),
        "result" => Decoded::Event(TurnEvent::Result(decode("the result event", data)?), true),
        _ => Decoded::Skip,
    })
}
