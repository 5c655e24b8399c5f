//! The admin routes with the admin token, an app token's own usage, and health: each answer typed
//! with the fields of the server's OpenAPI document.
mod common;

use clawdforge::{
    AuditQuery, Client, Error, ErrorCode, ListQuery, NewToken, TokenUpdate, UsageGrouping,
    UsageQuery,
};

use common::{admin, app, assert_fields_match, server, unique};

#[tokio::test]
async fn mints_reads_lists_updates_and_revokes_a_token() {
    let admin = admin();
    let name = unique("admin-minted");
    let new = NewToken {
        ip_cidrs: vec!["127.0.0.0/8".into()],
        models: Some(vec!["haiku".into()]),
        runs_per_minute: Some(10),
        ..NewToken::named(&name)
    };
    let minted = admin.admin().create_token(&new).await.unwrap();
    assert!(minted.token.starts_with("cf_"));
    assert_eq!(
        (
            &minted.info.name,
            &minted.info.ip_cidrs,
            &minted.info.models,
            minted.info.runs_per_minute,
            minted.info.budget_usd_day
        ),
        (
            &name,
            &Some(vec!["127.0.0.0/8".to_string()]),
            &Some(vec!["haiku".to_string()]),
            Some(10),
            None
        )
    );
    let shown = format!("{minted:?} {minted:#?}");
    assert!(
        !shown.contains(&minted.token) && shown.contains("<redacted>"),
        "{shown}"
    );
    assert_fields_match("CreatedTokenResponse", &minted).await;

    let app = Client::new(&server().url, &minted.token).unwrap();
    assert_eq!(
        app.usage().await.unwrap().limits.models,
        Some(vec!["haiku".to_string()])
    );

    let read = admin.admin().get_token(&name).await.unwrap();
    let mut expected = minted.info.clone();
    expected.last_used_at = read.last_used_at.clone();
    assert_eq!(read, expected);
    assert_fields_match("TokenView", &read).await;
    let listed = admin
        .admin()
        .list_tokens(&ListQuery {
            limit: Some(1000),
            cursor: None,
        })
        .await
        .unwrap();
    assert!(listed.items.iter().any(|token| token.name == name));

    let update = TokenUpdate {
        models: Some(None),
        budget_usd_day: Some(Some(2.5)),
        ip_cidrs: Some(None),
        ..Default::default()
    };
    let updated = admin.admin().update_token(&name, &update).await.unwrap();
    assert_eq!(
        (
            updated.models,
            updated.budget_usd_day,
            updated.runs_per_minute,
            updated.ip_cidrs
        ),
        (None, Some(2.5), Some(10), None)
    );

    let revoked = admin.admin().revoke_token(&name).await.unwrap();
    assert!(revoked.revoked_at.is_some());
    let error = app.usage().await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Api {
                status: 401,
                code: ErrorCode::InvalidToken,
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn an_invalid_update_is_400_naming_the_field_and_a_taken_name_409() {
    let admin = admin();
    let app = app("admin-invalid").await;
    let update = TokenUpdate {
        runs_per_minute: Some(Some(0)),
        ..Default::default()
    };
    let error = admin
        .admin()
        .update_token(&app.name, &update)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Api { status: 400, field: Some(field), .. } if field == "runs_per_minute"),
        "{error:?}"
    );
    let error = admin
        .admin()
        .create_token(&NewToken::named(&app.name))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Api {
                status: 409,
                code: ErrorCode::TokenNameTaken,
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn the_usage_ledger_and_a_tokens_own_usage_count_its_runs() {
    let app = app("admin-usage").await;
    let before = app.client.usage().await.unwrap();
    assert_eq!(
        (before.today.runs, before.month.runs, before.budget_left_day),
        (0, 0, None)
    );
    app.client
        .run(clawdforge::RunRequest::new("counted").model("haiku"))
        .await
        .unwrap();
    let after = app.client.usage().await.unwrap();
    assert_eq!(
        (after.token.as_str(), after.today.runs, after.month.runs),
        (app.name.as_str(), 1, 1)
    );
    assert!(after.today.cost_usd > 0.0 && after.today.output_tokens > 0);
    assert_fields_match("OwnUsageResponse", &after).await;
    assert_fields_match("UsageTotalsView", &after.today).await;
    assert_fields_match("TokenLimitsView", &after.limits).await;

    let query = UsageQuery {
        token: Some(app.name.clone()),
        group_by: Some(UsageGrouping::Model),
        ..Default::default()
    };
    let ledger = admin().admin().usage_report(&query).await.unwrap();
    assert_eq!(ledger.items.len(), 1, "{ledger:?}");
    let row = &ledger.items[0];
    assert_eq!(
        (row.token.as_str(), row.runs, row.turns),
        (app.name.as_str(), 1, 0)
    );
    assert!(
        row.model
            .as_deref()
            .map_or(false, |model| model.contains("haiku")),
        "{row:?}"
    );
    assert_fields_match("UsageGroupView", row).await;
    let by_day = UsageQuery {
        token: Some(app.name.clone()),
        group_by: Some(UsageGrouping::Day),
        ..Default::default()
    };
    assert!(
        admin().admin().usage_report(&by_day).await.unwrap().items[0]
            .day
            .is_some()
    );
}

#[tokio::test]
async fn the_audit_log_pages_newest_first() {
    let app = app("admin-audit").await;
    app.client.list_files().await.unwrap();
    app.client.list_sessions().await.unwrap();
    let query = AuditQuery {
        token: Some(app.name.clone()),
        limit: Some(1),
        ..Default::default()
    };
    let first = admin().admin().audit(&query).await.unwrap();
    assert_eq!(
        first
            .items
            .iter()
            .map(|row| (row.method.as_str(), row.route.as_str(), row.status))
            .collect::<Vec<_>>(),
        vec![("GET", "/sessions", 200)]
    );
    assert_fields_match("AuditEventView", &first.items[0]).await;
    let next = AuditQuery {
        cursor: first.next_cursor.clone(),
        ..query
    };
    let second = admin().admin().audit(&next).await.unwrap();
    assert_eq!(
        second
            .items
            .iter()
            .map(|row| (row.method.as_str(), row.route.as_str()))
            .collect::<Vec<_>>(),
        vec![("GET", "/files")]
    );
    assert!(
        second.items[0].token_name.as_deref() == Some(app.name.as_str())
            && second.items[0].id < first.items[0].id
    );
}

#[tokio::test]
async fn health_needs_no_token() {
    let anonymous = Client::builder(&server().url).build().unwrap();
    let health = anonymous.health().await.unwrap();
    assert!(
        health.ok && health.db_ok && health.claude_present && health.acpx_present,
        "{health:?}"
    );
    assert!(
        health
            .claude_version
            .as_deref()
            .map_or(false, |version| version.contains("Claude Code")),
        "{health:?}"
    );
    assert_fields_match("HealthResponse", &health).await;
}
