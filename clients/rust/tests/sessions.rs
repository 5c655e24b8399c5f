//! Sessions against the real server: acpx, the Claude ACP adapter and the pinned claude CLI, whose
//! model is the fake Messages API. What a session guarantees: it closes once, by `close` (which
//! consumes it: src/session.rs holds the compile_fail proof) or by being dropped; another token
//! cannot see it; its `Debug` never shows a token.
mod common;

use std::time::Duration;

use clawdforge::{AuditQuery, Error, ErrorCode, NewSession, SessionStatus, TurnEvent};
use futures_util::StreamExt;

use common::{admin, app, capture_log, eventually, server};

async fn status_of(client: &clawdforge::Client, id: &str) -> SessionStatus {
    let session = client.get_session(id).await.expect("the session");
    let status = session.state().await.expect("its state").status;
    session.detach();
    status
}

/// DELETE requests the server answered for session `id` of token `name`.
async fn closes_of(name: &str, id: &str) -> usize {
    let query = AuditQuery {
        token: Some(name.to_string()),
        limit: Some(1000),
        ..Default::default()
    };
    let rows = admin()
        .admin()
        .audit(&query)
        .await
        .expect("the audit log")
        .items;
    rows.iter()
        .filter(|row| row.method == "DELETE" && row.session_id.as_deref() == Some(id))
        .count()
}

#[tokio::test]
async fn close_closes_it_and_closing_again_through_get_session_is_idempotent() {
    let app = app("sessions-close").await;
    let first = app
        .client
        .new_session(NewSession::agent("claude"))
        .await
        .unwrap();
    let id = first.id().to_string();
    let second = app.client.get_session(&id).await.unwrap();
    assert_eq!(second.id(), id);
    let once = first.close().await.unwrap();
    assert_eq!(once.status, SessionStatus::Closed);
    assert!(once.closed_at.is_some());
    assert_eq!(status_of(&app.client, &id).await, SessionStatus::Closed);
    let again = second.close().await.unwrap();
    assert_eq!(
        (again.status, again.closed_at),
        (SessionStatus::Closed, once.closed_at)
    );
}

#[tokio::test]
async fn closed_once_then_dropped_it_is_not_closed_again() {
    let app = app("sessions-once").await;
    let session = app
        .client
        .new_session(NewSession::agent("claude"))
        .await
        .unwrap();
    let id = session.id().to_string();
    session.close().await.unwrap();
    // Time for a close the drop at the end of close() might have spawned.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(closes_of(&app.name, &id).await, 1);
}

#[tokio::test]
async fn dropping_an_unclosed_session_closes_it() {
    let app = app("sessions-drop").await;
    let session = app
        .client
        .new_session(NewSession::agent("claude"))
        .await
        .unwrap();
    let id = session.id().to_string();
    drop(session);
    let closed = eventually(Duration::from_secs(30), || async {
        status_of(&app.client, &id).await == SessionStatus::Closed
    })
    .await;
    assert!(
        closed,
        "session {id} is still open after its handle was dropped"
    );
    assert_eq!(closes_of(&app.name, &id).await, 1);
}

#[tokio::test]
async fn a_drop_whose_close_fails_logs_it_and_does_not_panic() {
    let log = capture_log();
    let app = app("sessions-drop-fails").await;
    let session = app
        .client
        .new_session(NewSession::agent("claude"))
        .await
        .unwrap();
    let id = session.id().to_string();
    admin().admin().revoke_token(&app.name).await.unwrap();
    drop(session);
    let logged = eventually(Duration::from_secs(10), || async {
        log.lines().iter().any(|line| {
            line.starts_with("WARN clawdforge")
                && line.contains(&id)
                && line.contains("invalid_token")
        })
    })
    .await;
    assert!(logged, "no warning for session {id} in {:?}", log.lines());
    assert!(!log.lines().iter().any(|line| line.contains(&app.token)));
}

#[test]
fn dropped_outside_a_runtime_it_only_logs() {
    let log = capture_log();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (client, session) = runtime.block_on(async {
        let app = app("sessions-no-runtime").await;
        let session = app
            .client
            .new_session(NewSession::agent("claude"))
            .await
            .unwrap();
        (app.client, session)
    });
    let id = session.id().to_string();
    drop(session);
    assert!(
        log.lines()
            .iter()
            .any(|line| line.starts_with("WARN clawdforge")
                && line.contains(&id)
                && line.contains("outside a tokio runtime")),
        "no warning for session {id} in {:?}",
        log.lines()
    );
    runtime.block_on(async {
        assert_eq!(status_of(&client, &id).await, SessionStatus::Open);
        client
            .get_session(&id)
            .await
            .unwrap()
            .close()
            .await
            .unwrap();
    });
}

#[tokio::test]
async fn detach_leaves_it_open_for_get_session() {
    let app = app("sessions-detach").await;
    let session = app
        .client
        .new_session(NewSession::agent("claude"))
        .await
        .unwrap();
    let id = session.detach();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let again = app.client.get_session(&id).await.unwrap();
    assert_eq!(again.state().await.unwrap().status, SessionStatus::Open);
    again.close().await.unwrap();
}

#[tokio::test]
async fn a_new_session_is_open_and_its_turns_answer_text_whole_or_streamed() {
    let app = app("sessions-turns").await;
    let session = app
        .client
        .new_session(NewSession {
            agent: Some("claude".into()),
            model: Some("haiku".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let state = session.state().await.unwrap();
    assert_eq!(
        (
            state.session_id.as_str(),
            state.agent.as_str(),
            state.model.as_str()
        ),
        (session.id(), "claude", "haiku")
    );
    assert_eq!(
        (state.status, state.busy, state.turn_count, state.closed_at),
        (SessionStatus::Open, false, 0, None)
    );

    let first = session.turn("hello").await.unwrap();
    assert_eq!(
        (
            first.text().as_str(),
            first.turn_index,
            first.stop_reason.as_str()
        ),
        ("You said: hello", 1, "end_turn")
    );
    assert!(first
        .events
        .iter()
        .any(|event| event.get("method").and_then(|m| m.as_str()) == Some("session/update")));

    // The second turn as Server-Sent Events: each ACP message as it came, then the answer.
    let events: Vec<TurnEvent> = session
        .turn_stream(clawdforge::Turn::new("and again").timeout_secs(120))
        .await
        .unwrap()
        .map(Result::unwrap)
        .collect()
        .await;
    let (last, acp) = events.split_last().expect("events");
    let second = match last {
        TurnEvent::Result(result) => result,
        other => panic!("the last event is not the result: {other:?}"),
    };
    assert_eq!(
        (second.text().as_str(), second.turn_index),
        ("You said: and again", 2)
    );
    assert!(!acp.is_empty() && acp.iter().all(|event| matches!(event, TurnEvent::Acp(_))));
    assert_eq!(
        acp.iter()
            .map(|event| match event {
                TurnEvent::Acp(message) => message,
                _ => unreachable!(),
            })
            .collect::<Vec<_>>(),
        second.events.iter().collect::<Vec<_>>()
    );

    let state = session.state().await.unwrap();
    assert_eq!(
        (state.status, state.busy, state.turn_count),
        (SessionStatus::Open, false, 2)
    );
    session.close().await.unwrap();
}

#[tokio::test]
async fn an_unknown_session_is_404() {
    let app = app("sessions-unknown").await;
    let error = app
        .client
        .get_session("00000000-0000-4000-8000-000000000000")
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Api {
                status: 404,
                code: ErrorCode::SessionNotFound,
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn another_token_neither_lists_it_nor_reaches_it() {
    let owner = app("sessions-owner").await;
    let stranger = app("sessions-stranger").await;
    let session = owner
        .client
        .new_session(NewSession::agent("claude"))
        .await
        .unwrap();
    let listed = owner.client.list_sessions().await.unwrap();
    assert_eq!(
        listed
            .items
            .iter()
            .map(|s| (s.session_id.as_str(), s.status))
            .collect::<Vec<_>>(),
        vec![(session.id(), SessionStatus::Open)]
    );
    assert_eq!(listed.next_cursor, None);
    assert!(stranger
        .client
        .list_sessions()
        .await
        .unwrap()
        .items
        .is_empty());
    let error = stranger.client.get_session(session.id()).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Api {
                status: 404,
                code: ErrorCode::SessionNotFound,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(session.state().await.unwrap().status, SessionStatus::Open);
    session.close().await.unwrap();
}

#[tokio::test]
async fn debug_never_shows_the_token() {
    let app = app("sessions-debug").await;
    let session = app
        .client
        .new_session(NewSession::agent("claude"))
        .await
        .unwrap();
    let shown = format!(
        "{:?} {:#?} {:?} {:#?}",
        app.client, app.client, session, session
    );
    assert!(!shown.contains(&app.token), "the token shows in {shown}");
    assert!(
        shown.contains("<redacted>")
            && shown.contains(session.id())
            && shown.contains(&server().url)
    );
    session.close().await.unwrap();
}
