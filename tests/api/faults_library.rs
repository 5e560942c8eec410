//! The `scenarios/` library: every rehearsal file is loaded next to the demo (as
//! `meetmock serve --scenario <file>` does) and its effect is observed with real requests.
//! Connection-level files are in `faults_network.rs`.

use crate::common::TestApp;
use crate::faults_common::*;
use crate::{dingtalk as dt, tencent as tc};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// Every library file is exercised by one of the suites (a new file needs a test).
#[test]
fn every_library_file_has_a_test() {
    let tested = [
        "demo.yaml",
        "dingtalk-bad-token.yaml",
        "dingtalk-errors.yaml",
        "dingtalk-third-party.yaml",
        "dingtalk-throttled.yaml",
        "dingtalk-unknown-user.yaml",
        "feishu-callee-busy.yaml",
        "feishu-ip-allowlist.yaml",
        "feishu-meeting-full.yaml",
        "feishu-meeting-locked.yaml",
        "feishu-meeting-not-in-progress.yaml",
        "feishu-missing-scope.yaml",
        "feishu-rate-limited.yaml",
        "feishu-store-app.yaml",
        "feishu-token-expired.yaml",
        "flaky-network.yaml",
        "huawei-bad-control-token.yaml",
        "huawei-conf-closed.yaml",
        "huawei-conf-not-found-500.yaml",
        "huawei-conf-not-started.yaml",
        "huawei-enterprise-resource.yaml",
        "huawei-flow-control.yaml",
        "huawei-invite-dial-failed.yaml",
        "slow-vendor.yaml",
        "tencent-invitee-cap.yaml",
        "tencent-invitee-faults.yaml",
        "tencent-not-creator.yaml",
        "tencent-rate-limits.yaml",
        "tencent-replayed-request.yaml",
        "tencent-signature-failed.yaml",
    ];
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|f| f.ends_with(".yaml"))
        .collect();
    files.sort();
    assert_eq!(files, tested);
    for f in &files {
        assert!(
            library(f).starts_with("# "),
            "{f} must open with a comment saying what it rehearses"
        );
    }
}

// ---- Feishu ----

#[tokio::test]
async fn feishu_locked_file_refuses_invites_with_122008_and_calls_nobody() {
    let app = with_library("feishu-meeting-locked.yaml").await;
    let u = fs_user_token(&app, FS_HOST).await;
    let before = fs_participants(&app, FS_LIVE).await;
    let r = fs_invite(&app, &u, FS_LIVE, &["ou_guest_0000"]).await;
    fs_err(&r, 400, 122008, "meeting is locked");
    assert_eq!(r.json()["error"]["log_id"], r.header("x-tt-logid").unwrap());
    assert_eq!(fs_participants(&app, FS_LIVE).await, before);
}

#[tokio::test]
async fn feishu_full_file_lets_two_invites_through_then_answers_122006() {
    let app = with_library("feishu-meeting-full.yaml").await;
    let u = fs_user_token(&app, FS_HOST).await;
    for g in ["ou_guest_0000", "ou_guest_0001"] {
        let r = fs_invite(&app, &u, FS_LIVE, &[g]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    let r = fs_invite(&app, &u, FS_LIVE, &["ou_guest_0002"]).await;
    fs_err(&r, 400, 122006, "participant count reach limit");
    assert!(!fs_participants(&app, FS_LIVE)
        .await
        .contains(&"ou_guest_0002".to_string()));
}

#[tokio::test]
async fn feishu_busy_file_refuses_only_the_busy_callee() {
    let app = with_library("feishu-callee-busy.yaml").await;
    let u = fs_user_token(&app, FS_HOST).await;
    let r = fs_invite(&app, &u, FS_LIVE, &["ou_guest_0003"]).await;
    fs_err(&r, 400, 122007, "callee is busy");
    let r = fs_invite(&app, &u, FS_LIVE, &["ou_guest_0004"]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn feishu_not_in_progress_file_answers_122001_to_invite_and_kickout() {
    let app = with_library("feishu-meeting-not-in-progress.yaml").await;
    let u = fs_user_token(&app, FS_HOST).await;
    let r = fs_invite(&app, &u, FS_LIVE, &["ou_guest_0000"]).await;
    fs_err(&r, 400, 122001, "meeting status unexpected");
    let t = fs_tenant_token(&app).await;
    let r = fs_call(
        &app,
        Method::POST,
        &format!("/open-apis/vc/v1/meetings/{FS_LIVE}/kickout"),
        &t,
        Some(json!({"kickout_users": [{"id": "ou_guest_0001", "user_type": 1}]})),
    )
    .await;
    fs_err(&r, 400, 122001, "meeting status unexpected");
    assert_eq!(fs_get(&app, &t, FS_LIVE).await.status, StatusCode::OK);
}

#[tokio::test]
async fn feishu_rate_limited_file_refuses_the_sixth_call_in_a_second() {
    let app = with_library("feishu-rate-limited.yaml").await;
    let t = fs_tenant_token(&app).await;
    freeze_on_a_second(&app).await;
    for _ in 0..5 {
        assert_eq!(fs_get(&app, &t, FS_LIVE).await.status, StatusCode::OK);
    }
    let r = fs_get(&app, &t, FS_LIVE).await;
    fs_err(&r, 429, 99991400, "request trigger frequency limit");
    assert_eq!(r.header("x-ogw-ratelimit-limit"), Some("5"));
    assert_eq!(r.header("x-ogw-ratelimit-reset"), Some("1"));
    app.advance_secs(1.0).await;
    assert_eq!(fs_get(&app, &t, FS_LIVE).await.status, StatusCode::OK);
}

#[tokio::test]
async fn feishu_token_expired_file_fails_the_first_invite_and_the_retry_passes() {
    let app = with_library("feishu-token-expired.yaml").await;
    let u = fs_user_token(&app, FS_HOST).await;
    let r = fs_invite(&app, &u, FS_LIVE, &["ou_guest_0000"]).await;
    fs_err(&r, 400, 99991677, "Authentication token expired");
    let r = fs_invite(&app, &u, FS_LIVE, &["ou_guest_0000"]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

// ---- Tencent ----

#[tokio::test]
async fn tencent_signature_file_fails_the_first_call_with_200003_only() {
    let app = with_library("tencent-signature-failed.yaml").await;
    let get = format!("/v1/meetings/{}?userid=userA&instanceid=1", tc::SCHEDULED);
    tc::assert_error(
        &tc::call(&app, Method::GET, &get, json!(null)).await,
        500,
        200003,
    );
    let r = tc::call(&app, Method::GET, &get, json!(null)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn tencent_replay_file_refuses_the_second_invitee_put_with_190301() {
    let app = with_library("tencent-replayed-request.yaml").await;
    assert_eq!(
        tc::set(&app, tc::SCHEDULED, "userA", &["userC"])
            .await
            .status,
        StatusCode::OK
    );
    let r = tc::set(&app, tc::SCHEDULED, "userA", &["userD"]).await;
    tc::assert_error(&r, 400, 190301);
    assert_eq!(tc::invitees_of(&app, tc::SCHEDULED).await, ["userC"]);
    let r = tc::set(&app, tc::SCHEDULED, "userA", &["userD"]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn tencent_not_creator_file_refuses_user_b_with_9042() {
    let app = with_library("tencent-not-creator.yaml").await;
    tc::assert_error(&tc::set(&app, tc::SCHEDULED, "userB", &[]).await, 403, 9042);
    let cancel = format!("/v1/meetings/{}/cancel", tc::SCHEDULED);
    let body = json!({"userid": "userB", "instanceid": 1, "reason_code": 1});
    tc::assert_error(
        &tc::call(&app, Method::POST, &cancel, body).await,
        403,
        9042,
    );
    let r = tc::set(&app, tc::SCHEDULED, "userA", &["userC"]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn tencent_cap_file_answers_exactly_what_2001_real_invitees_get() {
    let natural = TestApp::spawn().await;
    let ids = tc::add_users(&natural, 2001).await;
    let list: Vec<&str> = ids.iter().map(String::as_str).collect();
    let real = tc::set(&natural, tc::SCHEDULED, "userA", &list).await;
    tc::assert_error(&real, 400, 190004);
    let app = with_library("tencent-invitee-cap.yaml").await;
    let injected = tc::set(&app, tc::SCHEDULED, "userA", &["userB"]).await;
    assert_eq!(
        normalise(&injected, "x-request-id"),
        normalise(&real, "x-request-id")
    );
    assert!(tc::invitees_of(&app, tc::SCHEDULED).await.is_empty());
}

#[tokio::test]
async fn tencent_rate_limit_file_refuses_the_301st_call_in_a_minute_with_190310() {
    let app = with_library("tencent-rate-limits.yaml").await;
    freeze_on_a_second(&app).await;
    let get = format!("/v1/meetings/{}?userid=userA&instanceid=1", tc::SCHEDULED);
    for i in 0..300 {
        let r = tc::call(&app, Method::GET, &get, json!(null)).await;
        assert_eq!(r.status, StatusCode::OK, "call {i}: {}", r.text);
    }
    let r = tc::call(&app, Method::GET, &get, json!(null)).await;
    tc::assert_error(&r, 500, 190310);
    app.advance_secs(60.0).await;
    assert_eq!(
        tc::call(&app, Method::GET, &get, json!(null)).await.status,
        StatusCode::OK
    );
}

// ---- DingTalk ----

#[tokio::test]
async fn dingtalk_bad_token_file_refuses_the_first_invite_and_the_retry_passes() {
    let app = with_library("dingtalk-bad-token.yaml").await;
    let tok = dt::token(&app).await;
    let body = json!({"inviteeList": [{"nick": "Alice", "unionId": dt::ALICE}]});
    let r = dt::invite(&app, &tok, dt::DEMO_CONF, body.clone()).await;
    dt::assert_error(&r, 400, "InvalidAuthentication", "不合法的access_token");
    let r = dt::invite(&app, &tok, dt::DEMO_CONF, body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn dingtalk_unknown_user_file_refuses_bob_only() {
    let app = with_library("dingtalk-unknown-user.yaml").await;
    let tok = dt::token(&app).await;
    let bob = json!({"inviteeList": [{"nick": "Bob", "unionId": dt::BOB}]});
    let r = dt::invite(&app, &tok, dt::DEMO_CONF, bob).await;
    dt::assert_error(&r, 400, "unknownUserError", "unknownUserError");
    assert!(dt::member(&dt::members(&app, &tok, dt::DEMO_CONF).await, dt::BOB).is_none());
    let alice = json!({"inviteeList": [{"nick": "Alice", "unionId": dt::ALICE}]});
    let r = dt::invite(&app, &tok, dt::DEMO_CONF, alice).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn dingtalk_throttled_file_refuses_the_21st_call_in_a_second() {
    let app = with_library("dingtalk-throttled.yaml").await;
    let tok = dt::token(&app).await;
    freeze_on_a_second(&app).await;
    let path = dt::conf(dt::DEMO_CONF, "");
    for _ in 0..20 {
        assert_eq!(dt::get(&app, &tok, &path).await.status, StatusCode::OK);
    }
    let r = dt::get(&app, &tok, &path).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(r.json()["code"], "Forbidden.AccessDenied.QpsLimitForApi");
    app.advance_secs(1.0).await;
    assert_eq!(dt::get(&app, &tok, &path).await.status, StatusCode::OK);
}

// ---- Huawei ----

#[tokio::test]
async fn huawei_not_started_file_refuses_the_first_control_token_then_grants_it() {
    let app = with_library("huawei-conf-not-started.yaml").await;
    let at = hw_login(&app).await;
    let r = hw_conf_token(&app, &at, HW_RUNNING, HW_RUNNING_PWD).await;
    hw_err(&r, 400, "MMC.111072005", "CONF_NOT_STARTED");
    let r = hw_conf_token(&app, &at, HW_RUNNING, HW_RUNNING_PWD).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn huawei_closed_file_lets_one_invite_through_then_answers_conf_is_closed() {
    let app = with_library("huawei-conf-closed.yaml").await;
    let (at, ct) = hw_running(&app).await;
    let r = hw_invite(&app, &at, &ct, HW_RUNNING, "Bob").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = hw_invite(&app, &at, &ct, HW_RUNNING, "Carol").await;
    hw_err(&r, 400, "MMC.111072006", "CONF_IS_CLOSED");
}

#[tokio::test]
async fn huawei_bad_control_token_file_refuses_the_first_control_call_only() {
    let app = with_library("huawei-bad-control-token.yaml").await;
    let (at, ct) = hw_running(&app).await;
    let r = hw_invite(&app, &at, &ct, HW_RUNNING, "Bob").await;
    hw_err(&r, 400, "MMC.111072065", "CONF_NOT_FOUND_OR_AUTH_FAILED");
    let r = hw_invite(&app, &at, &ct, HW_RUNNING, "Bob").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn huawei_conf_not_found_500_file_answers_111072065_with_500_once() {
    let app = with_library("huawei-conf-not-found-500.yaml").await;
    let (at, ct) = hw_running(&app).await;
    let r = hw_invite(&app, &at, &ct, HW_RUNNING, "Bob").await;
    assert_eq!(r.status.as_u16(), 500, "{}", r.text);
    assert_eq!(r.json()["error_code"], "MMC.111072065");
    assert_eq!(r.json()["error_msg"], "CONF_NOT_FOUND_OR_AUTH_FAILED");
    let r = hw_invite(&app, &at, &ct, HW_RUNNING, "Bob").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn huawei_flow_control_file_refuses_the_51st_call_in_a_second_with_429() {
    let app = with_library("huawei-flow-control.yaml").await;
    let at = hw_login(&app).await;
    freeze_on_a_second(&app).await;
    let path = "/v1/mmc/management/conferences?queryAll=true";
    let h = [("X-Access-Token", at.as_str())];
    for _ in 0..50 {
        let r = hw_send(&app, Method::GET, path, &h, "").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    let r = hw_send(&app, Method::GET, path, &h, "").await;
    hw_err(&r, 429, "MMC.100000429", "SERVER_FLOW_CONTROL");
    app.advance_secs(1.0).await;
    let r = hw_send(&app, Method::GET, path, &h, "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}
