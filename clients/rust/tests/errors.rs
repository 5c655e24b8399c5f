//! Every class of failure, as the server answers it: 401, 403, 404, 400 naming the field, 429
//! with its Retry-After, no answer at all; the error codes held equal to the server's; retries only
//! when asked for; no token in any error.
mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use clawdforge::{Client, Error, ErrorCode, NewToken, RetryPolicy, RunRequest};

use common::{app, app_with, openapi, server};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn the_error_codes_are_the_servers_list_in_its_openapi_document() {
    let document = openapi().await;
    let schemas = &document["components"]["schemas"];
    // The body of every error, {"ok": false, "error": {"code", "message", "field"}}: its error's code.
    let error = &schemas["ErrorBodyDto"]["properties"]["error"];
    let reference = error["$ref"]
        .as_str()
        .or_else(|| error["allOf"][0]["$ref"].as_str())
        .expect("ErrorBodyDto's error refers to its schema");
    let detail = &schemas[reference.trim_start_matches("#/components/schemas/")];
    let served: BTreeSet<&str> = detail["properties"]["code"]["enum"]
        .as_array()
        .expect("the error's code lists its values")
        .iter()
        .map(|code| code.as_str().unwrap())
        .collect();
    let ours: BTreeSet<&str> = ErrorCode::ALL.iter().map(ErrorCode::as_str).collect();
    assert_eq!(
        ours.difference(&served).collect::<Vec<_>>(),
        Vec::<&&str>::new(),
        "codes this crate has that the server does not answer"
    );
    assert_eq!(
        served.difference(&ours).collect::<Vec<_>>(),
        Vec::<&&str>::new(),
        "codes the server answers that this crate lacks"
    );
    assert_eq!(ours.len(), ErrorCode::ALL.len(), "a code listed twice");
    for code in ErrorCode::ALL {
        assert_eq!(&ErrorCode::from(code.as_str()), code);
    }
    assert_eq!(
        ErrorCode::from("a_newer_code"),
        ErrorCode::Other("a_newer_code".into())
    );
}

#[tokio::test]
async fn an_unknown_token_is_401_invalid_token_and_the_error_never_shows_it() {
    let token = "cf_this-token-was-never-minted-0123456789abcdef";
    let client = Client::new(&server().url, token).unwrap();
    let error = client.run("hello").await.unwrap_err();
    match &error {
        Error::Api {
            status: 401,
            code: ErrorCode::InvalidToken,
            request_id: Some(_),
            ..
        } => {}
        other => panic!("not 401 invalid_token: {other:?}"),
    }
    let shown = format!("{error} {error:?} {error:#?}");
    assert!(!shown.contains(token), "the token shows in {shown}");
}

#[tokio::test]
async fn no_token_is_401_missing_token() {
    let client = Client::builder(&server().url).build().unwrap();
    let error = client.list_files().await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Api {
                status: 401,
                code: ErrorCode::MissingToken,
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn an_app_token_on_an_admin_route_is_403_admin_required() {
    let app = app("errors-not-admin").await;
    let error = app
        .client
        .admin()
        .list_tokens(&Default::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Api {
                status: 403,
                code: ErrorCode::AdminRequired,
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn an_invalid_field_is_400_naming_it() {
    let app = app("errors-field").await;
    let error = app
        .client
        .run(RunRequest::new("hello").model("--dangerously-skip-permissions"))
        .await
        .unwrap_err();
    match &error {
        Error::Api {
            status: 400,
            code: ErrorCode::InvalidRequest,
            field: Some(field),
            ..
        } if field == "model" => {}
        other => panic!("not 400 invalid_request naming model: {other:?}"),
    }
    assert!(
        error.to_string().starts_with("400 invalid_request: ")
            && error.to_string().ends_with(" (field model)"),
        "{error}"
    );
    let error = app
        .client
        .run(RunRequest::new("hello").timeout_secs(0))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Api { status: 400, field: Some(field), .. } if field == "timeout_secs"),
        "{error:?}"
    );
}

#[tokio::test]
async fn what_does_not_exist_is_404_with_its_code() {
    let app = app("errors-404").await;
    let error = app.client.delete_file("ff_nothing-here").await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Api {
                status: 404,
                code: ErrorCode::FileNotFound,
                ..
            }
        ),
        "{error:?}"
    );
    let error = common::admin()
        .admin()
        .get_token("nobody-here")
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Api {
                status: 404,
                code: ErrorCode::TokenNotFound,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.status(), Some(404));
    assert_eq!(error.code(), Some(&ErrorCode::TokenNotFound));
}

#[tokio::test]
async fn past_runs_per_minute_is_429_rate_limited_with_retry_after() {
    let app = app_with(NewToken {
        runs_per_minute: Some(1),
        ..NewToken::named("errors-rate")
    })
    .await;
    app.client.run("the one run this minute").await.unwrap();
    let error = app.client.run("one too many").await.unwrap_err();
    match error {
        Error::Api {
            status: 429,
            code: ErrorCode::RateLimited,
            retry_after: Some(wait),
            ..
        } => {
            assert!(
                wait >= Duration::from_secs(1) && wait <= Duration::from_secs(60),
                "{wait:?}"
            );
        }
        other => panic!("not 429 rate_limited with Retry-After: {other:?}"),
    }
}

#[tokio::test]
async fn a_busy_token_is_429_queue_full_and_retried_only_when_asked() {
    let app = app_with(NewToken {
        max_concurrent_runs: Some(1),
        ..NewToken::named("errors-busy")
    })
    .await;
    // Its one run slot held by a run whose model never answers, until the stream is dropped (a run
    // without an Idempotency-Key: a keyed one would go on).
    let keyless = Client::builder(&server().url)
        .token(&app.token)
        .idempotency_keys(false)
        .build()
        .unwrap();
    let holding = keyless
        .run_stream("a run that never ends [hold]")
        .await
        .unwrap();

    let refused = app.client.run("now").await.unwrap_err();
    assert!(
        matches!(
            refused,
            Error::Api {
                status: 429,
                code: ErrorCode::QueueFull,
                retry_after: Some(_),
                ..
            }
        ),
        "{refused:?}"
    );

    let patient = Client::builder(&server().url)
        .token(&app.token)
        .retry(RetryPolicy::new(60).max_wait(Duration::from_secs(10)))
        .build()
        .unwrap();
    let started = Instant::now();
    let retried = tokio::spawn(async move { patient.run("after the wait").await });
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        !retried.is_finished(),
        "the retrying run did not wait for the slot"
    );
    drop(holding);
    let answer = retried.await.unwrap().unwrap();
    assert_eq!(answer.text(), Some("You said: after the wait"));
    assert!(started.elapsed() >= Duration::from_secs(2));
}

#[tokio::test]
async fn no_server_is_error_http_and_retried_only_when_asked() {
    let url = format!("http://127.0.0.1:{}", free_port());
    let error = Client::new(&url, "cf_x")
        .unwrap()
        .health()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Http(inner) if inner.is_connect()),
        "{error:?}"
    );

    let patient = Client::builder(&url)
        .retry(RetryPolicy::new(2).max_wait(Duration::from_millis(300)))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = patient.health().await.unwrap_err();
    assert!(matches!(error, Error::Http(_)), "{error:?}");
    assert!(
        started.elapsed() >= Duration::from_millis(550),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_base_url_that_is_not_one_is_error_invalid_url() {
    for url in ["192.168.0.5:8800", "ftp://gateway/", "not a url"] {
        let error = Client::new(url, "cf_x").unwrap_err();
        assert!(matches!(error, Error::InvalidUrl(_)), "{url}: {error:?}");
    }
}

#[tokio::test]
async fn credentials_in_the_base_url_stay_out_of_errors() {
    let url = format!("http://user:hunter2@127.0.0.1:{}", free_port());
    let client = Client::new(&url, "cf_x").unwrap();
    let error = client.health().await.unwrap_err();
    let shown = format!("{error} {error:?} {client:?}");
    assert!(
        !shown.contains("hunter2") && shown.contains("127.0.0.1"),
        "{shown}"
    );
}
