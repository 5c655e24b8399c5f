//! Server-Sent Events read from a response body as it arrives.

use std::pin::Pin;

use futures_util::stream::{self, Stream};
use serde_json::Value;

use crate::error::{Error, ErrorCode};

/// One event: its name (`message` when the server gave none) and its data lines joined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SseEvent {
    pub name: String,
    pub data: String,
}

/// Splits bytes into events. Lines may end in `\n` or `\r\n`, chunks may split anywhere (inside a
/// line or a UTF-8 character), comments (`: keepalive`) are skipped.
#[derive(Debug, Default)]
pub(crate) struct SseDecoder {
    pending: Vec<u8>,
    name: Option<String>,
    data: Vec<String>,
}

impl SseDecoder {
    pub fn push(&mut self, chunk: &[u8]) {
        self.pending.extend_from_slice(chunk);
    }

    pub fn next_event(&mut self) -> Option<SseEvent> {
        while let Some(end) = self.pending.iter().position(|&byte| byte == b'\n') {
            let mut line: Vec<u8> = self.pending.drain(..=end).collect();
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            let line = String::from_utf8_lossy(&line);
            if line.is_empty() {
                let name = self.name.take();
                if !self.data.is_empty() {
                    let data = std::mem::take(&mut self.data).join("\n");
                    return Some(SseEvent {
                        name: name.unwrap_or_else(|| "message".to_string()),
                        data,
                    });
                }
                continue;
            }
            if line.starts_with(':') {
                continue;
            }
            let (field, value) = match line.split_once(':') {
                Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
                None => (&*line, ""),
            };
            match field {
                "event" => self.name = Some(value.to_string()),
                "data" => self.data.push(value.to_string()),
                _ => {}
            }
        }
        None
    }
}

/// A boxed stream of typed events, ending after the first `Ok` that `decode` marks last, or the first error.
pub(crate) type EventStream<T> = Pin<Box<dyn Stream<Item = Result<T, Error>> + Send>>;

/// What `decode` made of one event.
pub(crate) enum Decoded<T> {
    /// An event for the caller; the last one when `true`.
    Event(T, bool),
    /// Not for the caller (an unknown event name).
    Skip,
}

/// The events of `response` decoded by `decode`; an `error` event becomes an [`Error::Api`].
pub(crate) fn events<T: Send + 'static>(
    response: reqwest::Response,
    decode: fn(&str, Value) -> Result<Decoded<T>, Error>,
) -> EventStream<T> {
    let status = response.status().as_u16();
    let request_id = response
        .headers()
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .map(str::to_string);
    let state = Some((response, SseDecoder::default()));
    Box::pin(stream::unfold(state, move |state| {
        let request_id = request_id.clone();
        async move {
            let (mut response, mut decoder) = state?;
            loop {
                while let Some(event) = decoder.next_event() {
                    let data: Value = match serde_json::from_str(&event.data) {
                        Ok(data) => data,
                        Err(source) => {
                            return Some((
                                Err(Error::Decode {
                                    what: "an event of the stream",
                                    source,
                                }),
                                None,
                            ))
                        }
                    };
                    if event.name == "error" {
                        return Some((Err(stream_error(status, &data, request_id)), None));
                    }
                    match decode(&event.name, data) {
                        Ok(Decoded::Event(item, last)) => {
                            let next = if last {
                                None
                            } else {
                                Some((response, decoder))
                            };
                            return Some((Ok(item), next));
                        }
                        Ok(Decoded::Skip) => {}
                        Err(error) => return Some((Err(error), None)),
                    }
                }
                match response.chunk().await {
                    Ok(Some(chunk)) => decoder.push(&chunk),
                    Ok(None) => return None,
                    Err(error) => return Some((Err(Error::from_reqwest(error)), None)),
                }
            }
        }
    }))
}

fn stream_error(status: u16, data: &Value, request_id: Option<String>) -> Error {
    let error = data.get("error");
    let text = |name: &str| {
        error
            .and_then(|error| error.get(name))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    Error::Api {
        status,
        code: ErrorCode::from(text("code").unwrap_or_else(|| "http_error".to_string())),
        message: text("message").unwrap_or_else(|| "the stream reported an error".to_string()),
        field: text("field"),
        request_id,
        retry_after: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(decoder: &mut SseDecoder) -> Vec<SseEvent> {
        std::iter::from_fn(|| decoder.next_event()).collect()
    }

    fn event(name: &str, data: &str) -> SseEvent {
        SseEvent {
            name: name.to_string(),
            data: data.to_string(),
        }
    }

    #[test]
    fn reads_events_split_anywhere_with_comments_and_crlf() {
        let text =
            ": keepalive\n\nevent: delta\r\ndata: {\"text\":\"St\u{e9}am\"}\r\n\r\nevent: result\ndata: {\"a\":1,\ndata: \"b\":2}\n\n";
        for split in 0..text.len() {
            let mut decoder = SseDecoder::default();
            decoder.push(&text.as_bytes()[..split]);
            let mut events = all(&mut decoder);
            decoder.push(&text.as_bytes()[split..]);
            events.extend(all(&mut decoder));
            assert_eq!(
                events,
                vec![
                    event("delta", "{\"text\":\"St\u{e9}am\"}"),
                    event("result", "{\"a\":1,\n\"b\":2}")
                ],
                "split at {split}"
            );
        }
    }

    #[test]
    fn names_an_unnamed_event_message_and_waits_for_its_blank_line() {
        let mut decoder = SseDecoder::default();
        decoder.push(b"data: 1\n");
        assert_eq!(decoder.next_event(), None);
        decoder.push(b"\n");
        assert_eq!(decoder.next_event(), Some(event("message", "1")));
    }

    #[test]
    fn reads_an_error_event_as_the_server_error() {
        let data = serde_json::json!({"ok": false, "error": {"code": "cli_failed", "message": "upstream 529"}});
        let error = stream_error(200, &data, Some("id-1".into()));
        assert!(
            matches!(error, Error::Api { status: 200, code: ErrorCode::CliFailed, ref message, .. } if message == "upstream 529")
        );
    }
}
