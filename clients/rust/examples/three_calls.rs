//! The three calls docs/clients.md shows in each language: a run, a session of two turns, and an
//! upload attached to a run.
//!
//! ```sh
//! CLAWDFORGE_URL=http://192.168.0.5:8800 CLAWDFORGE_TOKEN=cf_… cargo run --example three_calls
//! ```

use clawdforge::{Client, Error, NewSession, RunRequest, Upload};

// docs/clients.md from here
pub async fn three_calls(client: &Client) -> Result<Vec<String>, Error> {
    let mut out = Vec::new();

    let run = client
        .run(RunRequest::new(r#"Reply with JSON: {"hello": "world"}"#).timeout_secs(30))
        .await?;
    out.push(run.result.to_string());

    let session = client.new_session(NewSession::agent("claude")).await?;
    out.push(session.turn("Help me draft a SQL migration.").await?.text());
    out.push(
        session
            .turn("Postgres 16, table users, add column tier.")
            .await?
            .text(),
    );
    session.close().await?;

    let notes = client
        .upload(Upload::from_bytes("notes.txt", "2 cups of rice, 1 onion").ttl_secs(600))
        .await?;
    let answer = client
        .run(RunRequest::new("What is on the list?").file(notes.file_token))
        .await?;
    out.push(answer.result.to_string());

    Ok(out)
}
// to here

#[tokio::main]
async fn main() -> Result<(), Error> {
    let url = std::env::var("CLAWDFORGE_URL").expect("CLAWDFORGE_URL");
    let token = std::env::var("CLAWDFORGE_TOKEN").expect("CLAWDFORGE_TOKEN");
    for line in three_calls(&Client::new(url, token)?).await? {
        println!("{line}");
    }
    Ok(())
}
