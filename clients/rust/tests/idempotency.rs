//! The `Idempotency-Key` of runs, new sessions and turns: against a stub gateway on loopback that
//! records each request's key (a fresh UUID v4, or the one given, the same on every retry; none on
//! other calls), and against the real server (the same key twice: the first answer again, replayed
//! and billed once).
mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clawdforge::{
    AuditQuery, Client, Error, ErrorCode, NewSession, RetryPolicy, RunEvent, RunRequest, Turn,
    TurnEvent, Upload,
};
use futures_util::StreamExt;
use serde_json::json;

use common::{admin, app};

/// One request as the stub saw it: `METHOD /path`, and its `Idempotency-Key`.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    route: String,
    key: Option<String>,
}

struct Stub {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Stub {
    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn client(&self) -> Client {
        Client::new(&self.url, "cf_stub").unwrap()
    }
}

/// A stub of the gateway: a thread per connection, closed after its answer. A run whose prompt is
/// `flaky` is cut off unanswered the first time its key arrives and refused `429` with
/// `Retry-After: 0` the second; one whose prompt is `slow` is answered after 2 s the first time; an
/// upload is always cut off; the rest is answered as the server would.
fn stub() -> Stub {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let shared = Arc::clone(&seen);
    std::thread::spawn(move || {
        for connection in listener.incoming().flatten() {
            let seen = Arc::clone(&shared);
            std::thread::spawn(move || serve(connection, &seen));
        }
    });
    Stub { url, seen }
}

fn serve(connection: TcpStream, seen: &Mutex<Vec<Seen>>) {
    let mut reader = BufReader::new(connection);
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let path = parts.next().unwrap_or_default().to_string();
    let (mut key, mut length, mut accept) = (None, 0, String::new());
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 {
            return;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            let value = value.trim().to_string();
            match name.to_ascii_lowercase().as_str() {
                "idempotency-key" => key = Some(value),
                "content-length" => length = value.parse().unwrap_or(0),
                "accept" => accept = value,
                _ => {}
            }
        }
    }
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let prompt = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|body| body["prompt"].as_str().map(str::to_string))
        .unwrap_or_default();
    let tries = {
        let mut seen = seen.lock().unwrap();
        let tries = seen
            .iter()
            .filter(|s| key.is_some() && s.key == key)
            .count();
        seen.push(Seen {
            route: format!("{method} {path}"),
            key,
        });
        tries
    };
    let mut connection = reader.into_inner();
    if path == "/files" || (prompt == "flaky" && tries == 0) {
        return; // closed unanswered
    }
    if prompt == "slow" && tries == 0 {
        std::thread::sleep(Duration::from_secs(2));
    }
    let (status, answer) = if prompt == "flaky" && tries == 1 {
        (
            "429 Too Many Requests\r\nRetry-After: 0",
            json!({"ok": false, "error": {"code": "queue_full", "message": "busy"}}),
        )
    } else {
        ("200 OK", answer_to(&method, &path, &prompt))
    };
    let (content_type, content) = if accept == "text/event-stream" && status.starts_with("200") {
        (
            "text/event-stream",
            format!("event: result\ndata: {answer}\n\n"),
        )
    } else {
        ("application/json", answer.to_string())
    };
    let _ = write!(
        connection,
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{content}",
        content.len()
    );
}

fn answer_to(method: &str, path: &str, prompt: &str) -> serde_json::Value {
    let session = |status: &str| {
        json!({"ok": true, "session_id": "s1", "agent": "fake", "model": "m", "status": status, "busy": false,
            "created_at": "2026-01-01T00:00:00Z", "last_activity_at": "2026-01-01T00:00:00Z", "closed_at": null, "turn_count": 0})
    };
    match (method, path) {
        ("POST", "/sessions") => session("open"),
        ("DELETE", _) => session("closed"),
        ("POST", "/sessions/s1/turn") => {
            json!({"ok": true, "session_id": "s1", "turn_index": 1, "events": [], "stop_reason": "end_turn", "duration_ms": 1})
        }
        _ => {
            json!({"ok": true, "result": format!("stub: {prompt}"), "duration_ms": 1, "stop_reason": "end_turn"})
        }
    }
}

fn is_uuid_v4(key: &str) -> bool {
    let groups: Vec<&str> = key.split('-').collect();
    groups.iter().map(|group| group.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
        && key
            .chars()
            .all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c))
        && groups[2].starts_with('4')
        && "89ab".contains(&groups[3][..1])
}

async fn drain<S: futures_util::Stream<Item = Result<T, Error>> + Unpin, T>(mut stream: S) -> T {
    let mut last = None;
    while let Some(event) = stream.next().await {
        last = Some(event.unwrap());
    }
    last.expect("a result event")
}

#[tokio::test]
async fn runs_new_sessions_and_turns_carry_a_fresh_uuid_and_nothing_else_carries_one() {
    let stub = stub();
    let client = stub.client();
    client.run("fresh").await.unwrap();
    client.run("fresh").await.unwrap();
    let streamed = drain(client.run_stream("streamed").await.unwrap()).await;
    assert!(matches!(streamed, RunEvent::Result(_)), "{streamed:?}");
    let session = client.new_session(NewSession::agent("fake")).await.unwrap();
    session.turn("hello").await.unwrap();
    let turned = drain(session.turn_stream("again").await.unwrap()).await;
    assert!(matches!(turned, TurnEvent::Result(_)), "{turned:?}");
    session.close().await.unwrap();
    client.list_files().await.unwrap_err();

    let seen = stub.seen();
    let routes: Vec<&str> = seen.iter().map(|s| s.route.as_str()).collect();
    assert_eq!(
        routes,
        [
            "POST /run",
            "POST /run",
            "POST /run",
            "POST /sessions",
            "POST /sessions/s1/turn",
            "POST /sessions/s1/turn",
            "DELETE /sessions/s1",
            "GET /files"
        ]
    );
    let mut keys: Vec<&str> = seen[..6]
        .iter()
        .map(|s| s.key.as_deref().expect("a key"))
        .collect();
    assert!(keys.iter().all(|key| is_uuid_v4(key)), "{keys:?}");
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), 6, "a key sent twice: {seen:?}");
    assert_eq!((&seen[6].key, &seen[7].key), (&None, &None));
}

#[tokio::test]
async fn a_key_given_is_sent_as_given() {
    let stub = stub();
    let client = stub.client();
    client
        .run(RunRequest::new("given").idempotency_key("order-42/summary"))
        .await
        .unwrap();
    drain(
        client
            .run_stream(RunRequest::new("streamed").idempotency_key("with a space"))
            .await
            .unwrap(),
    )
    .await;
    let session = client
        .new_session(NewSession::agent("fake").idempotency_key("session-1"))
        .await
        .unwrap();
    session
        .turn(Turn::new("hello").idempotency_key("turn-1"))
        .await
        .unwrap();
    drain(
        session
            .turn_stream(Turn::new("again").idempotency_key("turn-2"))
            .await
            .unwrap(),
    )
    .await;
    session.close().await.unwrap();
    let keys: Vec<Option<String>> = stub.seen().into_iter().map(|s| s.key).collect();
    assert_eq!(
        keys,
        [
            Some("order-42/summary"),
            Some("with a space"),
            Some("session-1"),
            Some("turn-1"),
            Some("turn-2"),
            None
        ]
        .map(|key| key.map(str::to_string))
    );
}

#[tokio::test]
async fn a_lost_answer_a_timeout_and_a_429_are_retried_under_the_same_key() {
    let stub = stub();
    let patient = Client::builder(&stub.url)
        .token("cf_stub")
        .timeout(Duration::from_millis(500))
        .retry(RetryPolicy::new(3).max_wait(Duration::from_millis(10)))
        .build()
        .unwrap();
    // Cut off, then 429, then answered.
    assert_eq!(
        patient.run("flaky").await.unwrap().text(),
        Some("stub: flaky")
    );
    // The client's timeout, then answered.
    assert_eq!(
        patient.run("slow").await.unwrap().text(),
        Some("stub: slow")
    );
    // A streamed run: cut off, then 429, then its events.
    drain(patient.run_stream("flaky").await.unwrap()).await;
    let seen = stub.seen();
    assert_eq!(seen.len(), 8, "{seen:?}");
    let flaky = seen[0].key.clone().expect("a key");
    let slow = seen[3].key.clone().expect("a key");
    let streamed = seen[5].key.clone().expect("a key");
    assert!(is_uuid_v4(&flaky) && is_uuid_v4(&slow) && is_uuid_v4(&streamed));
    assert!(flaky != slow && slow != streamed);
    let keys: Vec<Option<String>> = seen[..8].iter().map(|s| s.key.clone()).collect();
    assert_eq!(
        keys,
        [&flaky, &flaky, &flaky, &slow, &slow, &streamed, &streamed, &streamed]
            .map(|key| Some(key.clone()))
    );
}

#[tokio::test]
async fn a_turn_retried_after_a_lost_answer_carries_its_key_again() {
    let stub = stub();
    let patient = Client::builder(&stub.url)
        .token("cf_stub")
        .retry(RetryPolicy::new(2).max_wait(Duration::from_millis(10)))
        .build()
        .unwrap();
    let session = patient.new_session(NewSession::default()).await.unwrap();
    session
        .turn(Turn::new("flaky").idempotency_key("turn-7"))
        .await
        .unwrap();
    session.close().await.unwrap();
    let seen = stub.seen();
    let turns: Vec<(&str, Option<&str>)> = seen[1..4]
        .iter()
        .map(|s| (s.route.as_str(), s.key.as_deref()))
        .collect();
    assert_eq!(turns, [("POST /sessions/s1/turn", Some("turn-7")); 3]);
}

#[tokio::test]
async fn a_lost_answer_is_not_retried_without_a_policy_nor_for_a_call_without_a_key() {
    let stub = stub();
    let error = stub.client().run("flaky").await.unwrap_err();
    assert!(
        matches!(&error, Error::Http(inner) if !inner.is_connect()),
        "{error:?}"
    );
    assert_eq!(stub.seen().len(), 1);

    let policy = RetryPolicy::new(3).max_wait(Duration::from_millis(10));
    let patient = Client::builder(&stub.url)
        .token("cf_stub")
        .retry(policy)
        .build()
        .unwrap();
    let error = patient
        .upload(Upload::from_bytes("notes.txt", "2 cups of rice"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Http(_)), "{error:?}");
    assert_eq!(
        stub.seen()[1],
        Seen {
            route: "POST /files".into(),
            key: None
        }
    );
    assert_eq!(stub.seen().len(), 2);

    let keyless = Client::builder(&stub.url)
        .token("cf_stub")
        .retry(policy)
        .idempotency_keys(false)
        .build()
        .unwrap();
    keyless.run("flaky").await.unwrap_err();
    keyless
        .run(RunRequest::new("flaky").idempotency_key("mine"))
        .await
        .unwrap();
    let keys: Vec<Option<String>> = stub.seen()[2..].iter().map(|s| s.key.clone()).collect();
    assert_eq!(
        keys,
        [None, Some("mine"), Some("mine"), Some("mine")].map(|key| key.map(str::to_string))
    );
}

#[tokio::test]
async fn a_key_the_server_would_refuse_is_refused_before_any_request() {
    let stub = stub();
    let client = stub.client();
    let long = "x".repeat(256);
    for key in [
        "",
        " padded",
        "padded ",
        long.as_str(),
        "naïve",
        "line\nbreak",
    ] {
        let error = client
            .run(RunRequest::new("x").idempotency_key(key))
            .await
            .unwrap_err();
        assert!(
            matches!(error, Error::InvalidIdempotencyKey),
            "{key:?}: {error:?}"
        );
    }
    assert!(stub.seen().is_empty());
}

#[tokio::test]
async fn the_same_key_twice_gets_the_first_answer_again_replayed_and_billed_once() {
    let app = app("idempotency-replay").await;
    let before = app.client.usage().await.unwrap().today.runs;
    let request = RunRequest::new("once, under a key").idempotency_key("rust-retry-1");
    let first = app.client.run(request.clone()).await.unwrap();
    let again = app.client.run(request).await.unwrap();
    assert_eq!(first, again);
    assert_eq!(first.text(), Some("You said: once, under a key"));
    assert_eq!(app.client.usage().await.unwrap().today.runs, before + 1);

    let error = app
        .client
        .run(RunRequest::new("another request").idempotency_key("rust-retry-1"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Api {
                status: 422,
                code: ErrorCode::IdempotencyKeyReused,
                ..
            }
        ),
        "{error:?}"
    );

    let query = AuditQuery {
        token: Some(app.name.clone()),
        route: Some("/run".into()),
        limit: Some(3),
        ..Default::default()
    };
    let mut rows = Vec::new();
    for _ in 0..100 {
        rows = admin().admin().audit(&query).await.unwrap().items;
        if rows.len() == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let seen: Vec<(u16, Option<bool>)> =
        rows.iter().map(|row| (row.status, row.replayed)).collect();
    assert_eq!(seen, [(422, None), (200, Some(true)), (200, None)]);
}
