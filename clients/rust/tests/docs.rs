//! The Rust side of "The same three calls in each language" in docs/clients.md: the snippet there is
//! examples/three_calls.rs as written, and it runs against the real server.
mod common;

#[path = "../examples/three_calls.rs"]
#[allow(dead_code)]
mod three_calls;

use common::{app, project_root};

fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("no {start:?}")) + start.len();
    let to = from
        + text[from..]
            .find(end)
            .unwrap_or_else(|| panic!("no {end:?} after {start:?}"));
    &text[from..to]
}

#[test]
fn the_docs_show_the_example_as_written() {
    let docs = std::fs::read_to_string(project_root().join("docs").join("clients.md")).unwrap();
    let example =
        std::fs::read_to_string(project_root().join("clients/rust/examples/three_calls.rs"))
            .unwrap();
    let shown = between(
        &docs,
        "<!-- readme-snippet:three-calls-rust -->\n```rust\n",
        "```",
    );
    let written = between(&example, "// docs/clients.md from here\n", "// to here\n");
    assert_eq!(shown, written);
}

#[tokio::test]
async fn the_three_calls_run_against_the_server() {
    let app = app("docs-three-calls").await;
    let out = three_calls::three_calls(&app.client).await.unwrap();
    assert_eq!(
        out,
        vec![
            r#""You said: Reply with JSON: {\"hello\": \"world\"}""#.to_string(),
            "You said: Help me draft a SQL migration.".to_string(),
            "You said: Postgres 16, table users, add column tier.".to_string(),
            r#""You said: What is on the list?""#.to_string(),
        ]
    );
    assert!(app
        .client
        .list_sessions()
        .await
        .unwrap()
        .items
        .iter()
        .all(|s| s.status == clawdforge::SessionStatus::Closed));
    assert_eq!(app.client.list_files().await.unwrap().items.len(), 1);
}
