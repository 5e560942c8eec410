//! Connection faults and latency seen from a real reqwest client: reset and close are
//! connection errors, empty and truncated answers are body errors, slow answers arrive whole
//! but late, a hang ends in the client's timeout, and a delay is slept before answering. Also
//! the two network files of the library (`flaky-network.yaml`, `slow-vendor.yaml`).

use crate::common::TestApp;
use crate::faults_common::*;
use crate::tencent as tc;
use reqwest::StatusCode;
use serde_json::json;
use std::time::{Duration, Instant};

const TOKEN_PATH: &str = "/open-apis/auth/v3/tenant_access_token/internal";

/// The Feishu tenant-token call through `client`.
async fn token_call(app: &TestApp, client: &reqwest::Client) -> reqwest::Result<reqwest::Response> {
    client
        .post(app.url(TOKEN_PATH))
        .header("content-type", "application/json")
        .body(json!({"app_id": FS_APP, "app_secret": FS_SECRET}).to_string())
        .send()
        .await
}

/// A demo server whose Feishu token endpoint breaks with `connection`.
async fn breaking(connection: serde_json::Value) -> TestApp {
    let app = TestApp::spawn().await;
    add_rule(
        &app,
        json!({"name": "net", "match": {"vendor": "feishu", "operation": "auth.tenant_access_token.internal"}, "connection": connection}),
    )
    .await;
    app
}

/// Asserts the journal's last entry names the rule `net`.
async fn journal_names_net(app: &TestApp) {
    let j = journal(app).await;
    assert_eq!(j.last().unwrap()["fault"], "net", "{j:?}");
}

#[tokio::test]
async fn a_reset_is_a_connection_error_for_the_client() {
    let app = breaking(json!("reset")).await;
    let e = token_call(&app, &client(None)).await.unwrap_err();
    assert!(!e.is_timeout() && !e.is_status(), "{e:?}");
    journal_names_net(&app).await;
}

#[tokio::test]
async fn a_close_without_answer_is_a_connection_error_for_the_client() {
    let app = breaking(json!("close")).await;
    let e = token_call(&app, &client(None)).await.unwrap_err();
    assert!(!e.is_timeout() && !e.is_status(), "{e:?}");
    journal_names_net(&app).await;
}

#[tokio::test]
async fn an_empty_answer_has_a_head_but_no_body() {
    let app = breaking(json!("empty")).await;
    let r = token_call(&app, &client(None)).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().contains_key("x-tt-logid"));
    let e = r.bytes().await.unwrap_err();
    assert!(e.is_body() || e.is_decode(), "{e:?}");
    journal_names_net(&app).await;
}

#[tokio::test]
async fn a_truncated_answer_is_a_body_error_and_its_half_does_not_parse() {
    let app = breaking(json!("truncated")).await;
    let r = token_call(&app, &client(None)).await.unwrap();
    let e = r.json::<serde_json::Value>().await.unwrap_err();
    assert!(e.is_body() || e.is_decode(), "{e:?}");
    journal_names_net(&app).await;
}

#[tokio::test]
async fn a_slow_answer_arrives_whole_but_late() {
    let app = breaking(json!({"kind": "slow", "duration_ms": 300, "chunks": 3})).await;
    let started = Instant::now();
    let r = token_call(&app, &client(None)).await.unwrap();
    let v: serde_json::Value = r.json().await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(200),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(v["code"], 0);
    assert!(v["tenant_access_token"].is_string());
    journal_names_net(&app).await;
}

#[tokio::test]
async fn a_hang_ends_in_the_client_timeout() {
    let app = breaking(json!("hang")).await;
    let started = Instant::now();
    let e = token_call(&app, &client(Some(Duration::from_millis(300))))
        .await
        .unwrap_err();
    assert!(e.is_timeout(), "{e:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    journal_names_net(&app).await;
}

#[tokio::test]
async fn a_delay_answers_normally_after_the_delay() {
    let app = TestApp::spawn().await;
    add_rule(
        &app,
        json!({"name": "late", "match": {"vendor": "feishu"}, "delay": 150}),
    )
    .await;
    let started = Instant::now();
    let r = token_call(&app, &client(None)).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(150),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(r.status(), StatusCode::OK);
    let j = journal(&app).await;
    assert_eq!(j.last().unwrap()["fault"], "late");
    assert!(j.last().unwrap()["duration_us"].as_u64().unwrap() >= 150_000);
}

#[tokio::test]
async fn a_delay_with_an_error_answers_the_error_after_the_delay() {
    let app = TestApp::spawn().await;
    add_rule(
        &app,
        json!({"match": {"vendor": "feishu", "operation": "meeting.get"}, "delay": {"fixed_ms": 150}, "error": "internal_error"}),
    )
    .await;
    let t = fs_tenant_token(&app).await;
    let started = Instant::now();
    let r = fs_get(&app, &t, FS_LIVE).await;
    assert!(started.elapsed() >= Duration::from_millis(150));
    fs_err(&r, 500, 121001, "internal error");
}

#[tokio::test]
async fn flaky_network_file_truncates_every_7th_tencent_and_empties_every_10th_huawei_call() {
    let app = with_library("flaky-network.yaml").await;
    let get = format!("/v1/meetings/{}?userid=userA&instanceid=1", tc::SCHEDULED);
    for i in 1..=7 {
        let r = tc::call(&app, reqwest::Method::GET, &get, json!(null)).await;
        assert_eq!(r.status, StatusCode::OK);
        let parses = serde_json::from_str::<serde_json::Value>(&r.text).is_ok();
        assert_eq!(parses, i != 7, "call {i}: {:?}", r.text);
    }
    for i in 1..=10 {
        assert_eq!(
            huawei_login_reads_whole(&app).await,
            i != 10,
            "huawei login {i}"
        );
    }
    let rules = rules(&app).await;
    let fired = |n: &str| rules.iter().find(|r| r["name"] == n).unwrap()["fired"].clone();
    assert_eq!(fired("tencent-truncated-every-7th"), 1);
    assert_eq!(fired("huawei-empty-every-10th"), 1);
}

/// A Huawei account login whose answer is read whole (false when the body breaks).
async fn huawei_login_reads_whole(app: &TestApp) -> bool {
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD.encode("demo@hwcorp:Demo@Passw0rd");
    let r = client(None)
        .post(app.url("/v1/usg/acs/auth/account"))
        .header("content-type", "application/json")
        .header("authorization", format!("Basic {basic}"))
        .body(r#"{"account": "demo@hwcorp", "clientType": 72}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.bytes().await.is_ok()
}

#[tokio::test]
async fn slow_vendor_file_delays_every_call_with_its_long_tail() {
    let app = with_library("slow-vendor.yaml").await;
    for _ in 0..3 {
        let r = token_call(&app, &client(None)).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
    for e in journal(&app).await {
        assert_eq!(e["fault"], "long-tail", "{e}");
        assert!(e["duration_us"].as_u64().unwrap() >= 1_000, "{e}");
    }
    let listed = rules(&app).await;
    assert_eq!(listed.len(), 3);
    assert_eq!(listed[2]["fired"], 3);
}
