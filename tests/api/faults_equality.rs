//! Per vendor, an injected `error:` equals the naturally produced answer byte for byte:
//! status, headers and body, the request id aside (it differs per request and also appears in
//! Feishu's `error.log_id` and DingTalk's `requestid`, so it is replaced before comparing).

use crate::common::{Resp, TestApp};
use crate::faults_common::*;
use crate::{dingtalk as dt, tencent as tc};
use reqwest::Method;
use serde_json::json;

fn assert_same(injected: &Resp, natural: &Resp, id_header: &str) {
    assert_eq!(
        normalise(injected, id_header),
        normalise(natural, id_header),
        "injected {} vs natural {}",
        injected.text,
        natural.text
    );
}

/// Adds `error` on `operation` of `vendor`.
async fn inject(app: &TestApp, vendor: &str, operation: &str, error: &str) {
    app.admin_try(Method::DELETE, "/faults", serde_json::Value::Null)
        .await;
    add_rule(
        app,
        json!({"match": {"vendor": vendor, "operation": operation}, "error": error}),
    )
    .await;
}

#[tokio::test]
async fn feishu_injected_errors_equal_real_locked_and_rate_limited_answers() {
    let app = TestApp::spawn().await;
    let u = fs_user_token(&app, FS_HOST).await;
    app.admin_post(
        &format!("/meetings/{FS_LIVE}/lock"),
        json!({"vendor": "feishu"}),
    )
    .await;
    let natural = fs_invite(&app, &u, FS_LIVE, &["ou_guest_0000"]).await;
    fs_err(&natural, 400, 122008, "meeting is locked");
    inject(&app, "feishu", "meeting.invite", "meeting_is_locked").await;
    let injected = fs_invite(&app, &u, FS_LIVE, &["ou_guest_0000"]).await;
    assert_same(&injected, &natural, "x-tt-logid");

    let t = fs_tenant_token(&app).await;
    freeze_on_a_second(&app).await;
    let mut natural = fs_get(&app, &t, FS_LIVE).await;
    for _ in 0..50 {
        natural = fs_get(&app, &t, FS_LIVE).await;
    }
    fs_err(&natural, 429, 99991400, "request trigger frequency limit");
    app.advance_secs(1.0).await;
    inject(&app, "feishu", "meeting.get", "99991400").await;
    let injected = fs_get(&app, &t, FS_LIVE).await;
    assert_same(&injected, &natural, "x-tt-logid");
}

#[tokio::test]
async fn tencent_injected_errors_equal_real_signature_and_permission_answers() {
    let app = TestApp::spawn().await;
    let natural = tc::set(&app, tc::SCHEDULED, "userB", &[]).await;
    tc::assert_error(&natural, 403, 9042);
    inject(
        &app,
        "tencent",
        "v1_meetings_meeting_id_invitees_put",
        "no_permission",
    )
    .await;
    let injected = tc::set(&app, tc::SCHEDULED, "userA", &[]).await;
    assert_same(&injected, &natural, "x-request-id");

    app.admin_try(Method::DELETE, "/faults", serde_json::Value::Null)
        .await;
    let now = app.admin_get("/clock").await.json()["now_ms"]
        .as_i64()
        .unwrap()
        / 1000;
    let ts = now.to_string();
    let target = format!("/v1/meetings/{}?userid=userA&instanceid=1", tc::SCHEDULED);
    let bad = |nonce: &'static str| {
        vec![
            ("X-TC-Key", tc::SID.to_string()),
            ("X-TC-Timestamp", ts.clone()),
            ("X-TC-Nonce", nonce.to_string()),
            ("X-TC-Signature", "bm90IGEgc2lnbmF0dXJl".to_string()),
            ("AppId", tc::APP.to_string()),
            ("SdkId", tc::SDK.to_string()),
        ]
    };
    let h = bad("123456");
    let h: Vec<(&str, &str)> = h.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let natural = app.send(Method::GET, &target, &h, "").await;
    tc::assert_error(&natural, 500, 200003);
    inject(
        &app,
        "tencent",
        "v1_meetings_meeting_id_get",
        "signature_failed",
    )
    .await;
    let injected = tc::call(&app, Method::GET, &target, json!(null)).await;
    assert_same(&injected, &natural, "x-request-id");
}

#[tokio::test]
async fn dingtalk_injected_errors_equal_real_bad_token_and_unknown_user_answers() {
    let app = TestApp::spawn().await;
    let path = "/v1.0/conference/users/lists?unionId=ghost";
    let tok = dt::token(&app).await;
    let natural = dt::get(&app, &tok, path).await;
    dt::assert_error(&natural, 400, "unknownUserError", "unknownUserError");
    inject(
        &app,
        "dingtalk",
        "QueryUserOnGoingConference",
        "unknown_user",
    )
    .await;
    let injected = dt::get(
        &app,
        &tok,
        &format!("/v1.0/conference/users/lists?unionId={}", dt::ALICE),
    )
    .await;
    assert_same(&injected, &natural, "x-acs-request-id");

    app.admin_try(Method::DELETE, "/faults", serde_json::Value::Null)
        .await;
    let natural = dt::get(&app, "not-a-token", &dt::conf(dt::DEMO_CONF, "")).await;
    dt::assert_error(
        &natural,
        400,
        "InvalidAuthentication",
        "不合法的access_token",
    );
    inject(&app, "dingtalk", "QueryConferenceInfo", "invalid_token").await;
    let injected = dt::get(&app, &tok, &dt::conf(dt::DEMO_CONF, "")).await;
    assert_same(&injected, &natural, "x-acs-request-id");
}

#[tokio::test]
async fn huawei_injected_errors_equal_real_closed_and_bad_control_token_answers() {
    let app = TestApp::spawn().await;
    let (at, ct) = hw_running(&app).await;
    let natural = hw_invite(&app, &at, "stbWRONG", HW_RUNNING, "Bob").await;
    hw_err(
        &natural,
        400,
        "MMC.111072065",
        "CONF_NOT_FOUND_OR_AUTH_FAILED",
    );
    inject(&app, "huawei", "InviteParticipant", "MMC.111072065").await;
    let injected = hw_invite(&app, &at, &ct, HW_RUNNING, "Bob").await;
    assert_same(&injected, &natural, "x-request-id");

    app.admin_try(Method::DELETE, "/faults", serde_json::Value::Null)
        .await;
    app.admin_post(
        &format!("/meetings/{HW_RUNNING}/end"),
        json!({"vendor": "huawei", "tenant": "hwcorp0001"}),
    )
    .await;
    let natural = hw_invite(&app, &at, &ct, HW_RUNNING, "Bob").await;
    hw_err(&natural, 400, "MMC.111072006", "CONF_IS_CLOSED");
    inject(&app, "huawei", "InviteParticipant", "conf_is_closed").await;
    let injected = hw_invite(&app, &at, &ct, HW_RUNNING, "Bob").await;
    assert_same(&injected, &natural, "x-request-id");
}
