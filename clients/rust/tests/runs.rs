//! Runs against the real server and the pinned claude CLI (its model the fake Messages API):
//! answers typed, streamed in order, stopped when the stream or the client gives up, and files
//! uploaded and attached.
mod common;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use clawdforge::{Client, Error, ErrorCode, RunEvent, RunRequest, Upload};
use futures_util::StreamExt;
use serde_json::json;
use tokio::sync::RwLock;

use common::{app, assert_fields_match, eventually, run_processes, server};

/// The tests that count the processes of runs hold it alone; every other run test shares it.
fn runs() -> &'static RwLock<()> {
    static RUNS: Mutex<Option<&'static RwLock<()>>> = Mutex::new(None);
    common::once(&RUNS, || RwLock::new(()))
}

const PNG_1X1: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x02, 0x01, 0xab, 0x6a, 0x7e, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

#[tokio::test]
async fn a_json_answer_comes_back_parsed_with_model_usage_and_cost() {
    let _shared = runs().read().await;
    let app = app("runs-json").await;
    let answer = app
        .client
        .run("reply: ```json\n{\"qty\": 2, \"unit\": \"cup\", \"food\": \"rice\"}\n```")
        .await
        .unwrap();
    assert_eq!(
        answer.result,
        json!({"qty": 2, "unit": "cup", "food": "rice"})
    );
    assert_eq!(answer.stop_reason.as_deref(), Some("end_turn"));
    assert!(
        answer
            .model
            .as_deref()
            .map_or(false, |model| model.starts_with("claude-")),
        "{:?}",
        answer.model
    );
    assert_eq!(
        (answer.usage.input_tokens, answer.usage.output_tokens),
        (Some(21), Some(9))
    );
    assert!(
        answer.cost_usd.map_or(false, |cost| cost > 0.0),
        "{:?}",
        answer.cost_usd
    );
    assert!(answer.session_id.is_some());
    assert_eq!(answer.tools_refused, 0);
    assert_fields_match("RunResponseDto", &answer).await;
    assert_fields_match("RunUsageDto", &answer.usage).await;
}

#[tokio::test]
async fn a_plain_answer_is_text() {
    let _shared = runs().read().await;
    let app = app("runs-text").await;
    let answer = app
        .client
        .run(
            RunRequest::new("say something")
                .model("haiku")
                .timeout_secs(60),
        )
        .await
        .unwrap();
    assert_eq!(answer.text(), Some("You said: say something"));
}

#[tokio::test]
async fn result_as_deserialises_the_result_into_the_callers_type() {
    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Ingredient {
        qty: f64,
        unit: String,
    }
    let _shared = runs().read().await;
    let app = app("runs-typed").await;
    let answer = app
        .client
        .run("reply: {\"qty\": 2.5, \"unit\": \"cup\"}")
        .await
        .unwrap();
    assert_eq!(
        answer.result_as::<Ingredient>().unwrap(),
        Ingredient {
            qty: 2.5,
            unit: "cup".into()
        }
    );
    let wrong = answer.result_as::<Vec<String>>().unwrap_err();
    assert!(matches!(wrong, Error::Decode { .. }), "{wrong:?}");
}

#[tokio::test]
async fn system_reaches_the_model_as_its_system_prompt() {
    let _shared = runs().read().await;
    let app = app("runs-system").await;
    let request = RunRequest {
        system: Some("You are a precise recipe parser.".into()),
        ..RunRequest::new("system?")
    };
    let answer = app.client.run(request).await.unwrap();
    assert!(
        answer
            .text()
            .unwrap()
            .split("\n---\n")
            .any(|block| block == "You are a precise recipe parser."),
        "{answer:?}"
    );
}

#[tokio::test]
async fn a_json_schema_answers_its_structured_object() {
    let _shared = runs().read().await;
    let app = app("runs-schema").await;
    let schema =
        json!({"type": "object", "properties": {"qty": {"type": "number"}}, "required": ["qty"]});
    let answer = app
        .client
        .run(RunRequest::new("schema: {\"qty\": 3}").json_schema(schema))
        .await
        .unwrap();
    assert_eq!(answer.result, json!({"qty": 3}));
}

#[tokio::test]
async fn a_streamed_run_yields_its_deltas_as_written_then_its_result() {
    let _shared = runs().read().await;
    let app = app("runs-stream").await;
    let mut stream = app
        .client
        .run_stream("reply: {\"qty\": 2, \"unit\": \"cup\"} [drip]")
        .await
        .unwrap();
    let mut events = Vec::new();
    while let Some(event) = stream.next().await {
        events.push((Instant::now(), event.unwrap()));
    }
    let ((result_at, last), deltas) = events.split_last().expect("events");
    let result = match last {
        RunEvent::Result(result) => result,
        other => panic!("the last event is not the result: {other:?}"),
    };
    assert_eq!(result.result, json!({"qty": 2, "unit": "cup"}));
    let text: String = deltas
        .iter()
        .map(|(_, event)| match event {
            RunEvent::Delta { text } => text.as_str(),
            other => panic!("not a delta before the result: {other:?}"),
        })
        .collect();
    assert_eq!(text, "{\"qty\": 2, \"unit\": \"cup\"}");
    assert!(deltas.len() >= 2, "{deltas:?}");
    // The first delta came while the model was still writing, not with the result.
    assert!(result_at.duration_since(deltas[0].0) >= Duration::from_millis(250));
}

#[tokio::test]
async fn dropping_a_stream_without_a_key_stops_the_run_and_leaves_no_claude() {
    let _alone = runs().write().await;
    let app = app("runs-drop").await;
    // A keyed run goes on when its client goes away (for its retry to be answered): this one has none.
    let keyless = Client::builder(&server().url)
        .token(&app.token)
        .idempotency_keys(false)
        .build()
        .unwrap();
    let stream = keyless
        .run_stream("a run that never ends [hold]")
        .await
        .unwrap();
    assert!(
        eventually(Duration::from_secs(60), || async {
            !run_processes().is_empty()
        })
        .await,
        "the run's claude never started"
    );
    drop(stream);
    let gone = eventually(Duration::from_secs(20), || async {
        run_processes().is_empty()
    })
    .await;
    assert!(gone, "left running: {:?}", run_processes());
}

#[tokio::test]
async fn the_clients_timeout_is_error_timeout_and_stops_a_run_without_a_key() {
    let _alone = runs().write().await;
    let app = app("runs-timeout").await;
    let impatient = Client::builder(&server().url)
        .token(&app.token)
        .timeout(Duration::from_secs(3))
        .idempotency_keys(false)
        .build()
        .unwrap();
    let started = Instant::now();
    let error = impatient
        .run("a run that never ends [hold]")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Timeout), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(20));
    let gone = eventually(Duration::from_secs(20), || async {
        run_processes().is_empty()
    })
    .await;
    assert!(gone, "left running: {:?}", run_processes());
}

#[tokio::test]
async fn an_upload_from_bytes_is_attached_to_a_run() {
    let _shared = runs().read().await;
    let app = app("files-bytes").await;
    let notes = "Groceries: 2 cups of rice, 1 onion \u{2014} and \u{fc}mlauts.\n";
    let uploaded = app
        .client
        .upload(Upload::from_bytes("notes.txt", notes).ttl_secs(120))
        .await
        .unwrap();
    assert!(uploaded.file_token.starts_with("ff_"), "{uploaded:?}");
    assert_eq!(
        (
            uploaded.name.as_str(),
            uploaded.media_type.as_str(),
            uploaded.ttl_secs,
            uploaded.size
        ),
        (
            "notes.txt",
            "text/plain; charset=utf-8",
            120,
            notes.len() as u64
        )
    );
    assert_fields_match("UploadedFileResponse", &uploaded).await;

    let answer = app
        .client
        .run(RunRequest::new("files?").file(&uploaded.file_token))
        .await
        .unwrap();
    assert_eq!(
        answer.text(),
        Some(format!("File: notes.txt\n\n{notes}\nfiles?").as_str())
    );

    let listed = app.client.list_files().await.unwrap();
    assert_eq!(
        listed
            .items
            .iter()
            .map(|file| file.file_token.as_str())
            .collect::<Vec<_>>(),
        vec![uploaded.file_token.as_str()]
    );
    assert_fields_match("StoredFileView", &listed.items[0]).await;
    let deleted = app.client.delete_file(&uploaded.file_token).await.unwrap();
    assert!(deleted.deleted);
    assert_fields_match("DeletedFileResponse", &deleted).await;
    let again = app
        .client
        .delete_file(&uploaded.file_token)
        .await
        .unwrap_err();
    assert!(
        matches!(
            again,
            Error::Api {
                status: 404,
                code: ErrorCode::FileNotFound,
                ..
            }
        ),
        "{again:?}"
    );
}

#[tokio::test]
async fn an_upload_from_a_path_keeps_its_file_name_and_reaches_the_model_as_an_image() {
    let _shared = runs().read().await;
    let app = app("files-path").await;
    let dir = std::env::temp_dir().join(common::unique("clawdforge-rust"));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("receipt scan.png");
    std::fs::write(&path, PNG_1X1).unwrap();
    let uploaded = app.client.upload(Upload::from_path(&path)).await.unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        (
            uploaded.name.as_str(),
            uploaded.media_type.as_str(),
            uploaded.ttl_secs
        ),
        ("receipt scan.png", "image/png", 3600)
    );
    let answer = app
        .client
        .run(RunRequest::new("files?").file(uploaded.file_token))
        .await
        .unwrap();
    assert_eq!(answer.text(), Some("[image]\nfiles?"));
}

#[tokio::test]
async fn a_file_that_cannot_be_read_is_error_io_before_any_request() {
    let app = app("files-missing").await;
    let error = app
        .client
        .upload(Upload::from_path("/nonexistent/receipt.png"))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Io { path, .. } if path.ends_with("receipt.png")),
        "{error:?}"
    );
    assert!(app.client.list_files().await.unwrap().items.is_empty());
}
