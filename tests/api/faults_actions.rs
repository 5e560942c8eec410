//! The `response` action and every matcher (vendor, operation, meeting, user, tenant, header)
//! and `when` clause (every, first, after, times, probability), each observed on real
//! requests, with the hit counts `GET /__admin/faults` reports.

use crate::common::{Resp, TestApp};
use crate::dingtalk as dt;
use crate::faults_common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// A demo server with one rule answering a raw 503 when `matcher` and `when` hold.
async fn with_503(matcher: Value, when: Value) -> TestApp {
    let app = TestApp::spawn().await;
    let mut rule = json!({"name": "r", "match": matcher, "response": {"status": 503, "body": "x"}});
    if !when.is_null() {
        rule["when"] = when;
    }
    add_rule(&app, rule).await;
    app
}

/// The Feishu tenant-token call for `app_id` with extra headers.
async fn token_as(app: &TestApp, app_id: &str, headers: &[(&str, &str)]) -> Resp {
    app.send_json(
        Method::POST,
        "/open-apis/auth/v3/tenant_access_token/internal",
        headers,
        &json!({"app_id": app_id, "app_secret": FS_SECRET}),
    )
    .await
}

/// Whether each of `n` Feishu token calls was answered by the rule.
async fn pattern(app: &TestApp, n: usize) -> Vec<bool> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(token_as(app, FS_APP, &[]).await.status == StatusCode::SERVICE_UNAVAILABLE);
    }
    out
}

async fn counters(app: &TestApp) -> (u64, u64) {
    let r = &rules(app).await[0];
    (r["matched"].as_u64().unwrap(), r["fired"].as_u64().unwrap())
}

#[tokio::test]
async fn a_response_rule_answers_its_raw_status_headers_and_body() {
    let app = TestApp::spawn().await;
    add_rule(
        &app,
        json!({"match": {"vendor": "dingtalk"}, "response": {"status": 503,
            "headers": {"Retry-After": "1", "Content-Type": "text/plain"}, "body": "busy"}}),
    )
    .await;
    let r = dt::get(&app, "any", &dt::conf(dt::DEMO_CONF, "")).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.text, "busy");
    assert_eq!(r.header("retry-after"), Some("1"));
    assert_eq!(r.header("content-type"), Some("text/plain"));
    assert_eq!(r.headers.get_all("content-type").iter().count(), 1);
    assert!(r.header("x-acs-request-id").is_some());
}

#[tokio::test]
async fn a_vendor_matcher_leaves_other_vendors_alone() {
    let app = with_503(json!({"vendor": "feishu"}), Value::Null).await;
    assert_eq!(pattern(&app, 1).await, [true]);
    let r = dt::token_of(&app, dt::KEY, dt::SECRET).await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn an_operation_matcher_faults_only_that_operation() {
    let app = with_503(
        json!({"vendor": "feishu", "operation": "meeting.get"}),
        Value::Null,
    )
    .await;
    let t = fs_tenant_token(&app).await;
    assert_eq!(
        fs_get(&app, &t, FS_LIVE).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    let u = fs_user_token(&app, FS_HOST).await;
    let r = fs_invite(&app, &u, FS_LIVE, &["ou_guest_0000"]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn a_meeting_matcher_faults_only_that_meeting() {
    let app = with_503(json!({"vendor": "feishu", "meeting": FS_LIVE}), Value::Null).await;
    let t = fs_tenant_token(&app).await;
    assert_eq!(
        fs_get(&app, &t, FS_LIVE).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    let other = fs_get(&app, &t, "6911188411934973029").await;
    fs_err(&other, 404, 121004, "data not exist");
}

#[tokio::test]
async fn a_user_matcher_faults_calls_naming_that_user_in_the_body() {
    let app = with_503(
        json!({"vendor": "feishu", "user": "ou_guest_0001"}),
        Value::Null,
    )
    .await;
    let u = fs_user_token(&app, FS_HOST).await;
    let r = fs_invite(&app, &u, FS_LIVE, &["ou_guest_0001"]).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    let r = fs_invite(&app, &u, FS_LIVE, &["ou_guest_0002"]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn a_tenant_matcher_faults_only_that_tenant() {
    let app = with_503(json!({"vendor": "feishu", "tenant": FS_APP}), Value::Null).await;
    assert_eq!(
        token_as(&app, FS_APP, &[]).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(
        token_as(&app, "cli_other_app", &[]).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_header_matcher_needs_the_exact_value() {
    let app = with_503(json!({"headers": {"X-Test-Case": "42"}}), Value::Null).await;
    let hit = token_as(&app, FS_APP, &[("x-test-case", "42")]).await;
    assert_eq!(hit.status, StatusCode::SERVICE_UNAVAILABLE);
    let other = token_as(&app, FS_APP, &[("x-test-case", "43")]).await;
    assert_eq!(other.status, StatusCode::OK);
    assert_eq!(token_as(&app, FS_APP, &[]).await.status, StatusCode::OK);
}

#[tokio::test]
async fn every_n_faults_the_nth_2nth_calls() {
    let app = with_503(json!({"vendor": "feishu"}), json!({"every": 3})).await;
    assert_eq!(
        pattern(&app, 6).await,
        [false, false, true, false, false, true]
    );
    assert_eq!(counters(&app).await, (6, 2));
}

#[tokio::test]
async fn first_n_faults_only_the_first_calls() {
    let app = with_503(json!({"vendor": "feishu"}), json!({"first": 2})).await;
    assert_eq!(pattern(&app, 4).await, [true, true, false, false]);
    assert_eq!(counters(&app).await, (4, 2));
}

#[tokio::test]
async fn after_n_lets_the_first_calls_through() {
    let app = with_503(json!({"vendor": "feishu"}), json!({"after": 2})).await;
    assert_eq!(pattern(&app, 4).await, [false, false, true, true]);
}

#[tokio::test]
async fn times_caps_how_often_a_rule_fires() {
    let app = with_503(json!({"vendor": "feishu"}), json!({"after": 1, "times": 2})).await;
    assert_eq!(pattern(&app, 5).await, [false, true, true, false, false]);
    assert_eq!(counters(&app).await, (5, 2));
}

#[tokio::test]
async fn probability_faults_some_calls_and_zero_or_one_are_never_and_always() {
    let app = with_503(json!({"vendor": "feishu"}), json!({"probability": 0.5})).await;
    let fired = pattern(&app, 40).await.iter().filter(|b| **b).count();
    assert!((8..=32).contains(&fired), "{fired} of 40");
    let never = with_503(json!({"vendor": "feishu"}), json!({"probability": 0.0})).await;
    assert_eq!(pattern(&never, 5).await, [false; 5]);
    let always = with_503(json!({"vendor": "feishu"}), json!({"probability": 1.0})).await;
    assert_eq!(pattern(&always, 5).await, [true; 5]);
}

#[tokio::test]
async fn the_first_matching_rule_that_fires_wins() {
    let app = TestApp::spawn().await;
    add_rule(&app, json!({"faults": [
        {"name": "a", "match": {"vendor": "feishu"}, "when": {"every": 2}, "response": {"status": 502}},
        {"name": "b", "match": {"vendor": "feishu"}, "response": {"status": 503}}]}))
    .await;
    let mut statuses = Vec::new();
    for _ in 0..2 {
        statuses.push(token_as(&app, FS_APP, &[]).await.status.as_u16());
    }
    assert_eq!(statuses, [503, 502]);
    let faults: Vec<Value> = journal(&app)
        .await
        .iter()
        .map(|e| e["fault"].clone())
        .collect();
    assert_eq!(faults, [json!("b"), json!("a")]);
}
