//! Feishu gateway auth: missing, unknown, wrong-kind and expired tokens (99991661/63/68/77,
//! with the log id echoed) and plain-text 404s for unknown paths and methods.

use crate::common::TestApp;
use crate::feishu::{assert_err, call, invite, tenant_token, user_token, HOST, LIVE};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn missing_token_is_99991661_with_log_id_echoed() {
    let app = TestApp::spawn().await;
    let r = app
        .send(
            Method::GET,
            &format!("/open-apis/vc/v1/meetings/{LIVE}"),
            &[],
            "",
        )
        .await;
    assert_err(
        &r,
        400,
        99991661,
        "Missing access token for authorization. Please make a request with token attached.",
    );
    let log = r.header("x-tt-logid").unwrap().to_string();
    assert_eq!(log.len(), 34);
    assert_eq!(r.json()["error"]["log_id"], log.as_str());
}

#[tokio::test]
async fn unknown_user_token_is_99991668_and_unknown_tenant_token_99991663() {
    let app = TestApp::spawn().await;
    let r = invite(&app, "u-bogus", LIVE, &["ou_guest_0000"]).await;
    assert_err(
        &r,
        400,
        99991668,
        "Invalid access token for authorization. Please make a request with token attached.",
    );
    let r = call(
        &app,
        Method::GET,
        &format!("/open-apis/vc/v1/meetings/{LIVE}"),
        "t-bogus",
        None,
    )
    .await;
    assert_err(
        &r,
        400,
        99991663,
        "Invalid access token for authorization. Please make a request with token attached.",
    );
}

#[tokio::test]
async fn tenant_token_on_invite_is_99991663_not_support() {
    let app = TestApp::spawn().await;
    let t = tenant_token(&app).await;
    let r = invite(&app, &t, LIVE, &["ou_guest_0000"]).await;
    assert_err(&r, 400, 99991663, "tenant access token not support");
}

#[tokio::test]
async fn user_token_on_kickout_is_99991668_not_support() {
    let app = TestApp::spawn().await;
    let u = user_token(&app, HOST).await;
    let r = call(
        &app,
        Method::POST,
        &format!("/open-apis/vc/v1/meetings/{LIVE}/kickout"),
        &u,
        Some(json!({"kickout_users": [{"id": "ou_guest_0000", "user_type": 1}]})),
    )
    .await;
    assert_err(&r, 400, 99991668, "user access token not support");
}

#[tokio::test]
async fn expired_user_token_is_99991677() {
    let app = TestApp::spawn().await;
    let u = user_token(&app, HOST).await;
    app.admin_post("/tokens/expire", json!({"token": u})).await;
    let r = invite(&app, &u, LIVE, &["ou_guest_0000"]).await;
    assert_err(&r, 400, 99991677, "Authentication token expired");
}

#[tokio::test]
async fn unknown_path_and_wrong_method_are_plain_text_404() {
    let app = TestApp::spawn().await;
    for (m, p) in [
        (Method::GET, "/open-apis/vc/v1/nothing"),
        (Method::GET, "/open-apis/vc/v1/meetings/1/invite"),
        (Method::GET, "/oauth/v9"),
    ] {
        let r = app.send(m, p, &[], "").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.text, "404 page not found");
        assert!(r.header("content-type").unwrap().starts_with("text/plain"));
        assert!(r.header("x-tt-logid").is_some());
    }
}
