//! Feishu tokens: tenant and app access tokens (flat answers, reuse while thirty minutes
//! remain, 10014/10003 refusals), single-use login codes, OIDC refresh rotation and the
//! OAuth v2 code exchange.

use crate::common::TestApp;
use crate::feishu::{app_token, assert_err, call, login_code, tenant_token, APP, HOST, SECRET};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn tenant_token_is_flat_and_reused_while_thirty_minutes_remain() {
    let app = TestApp::spawn().await;
    let body = json!({"app_id": APP, "app_secret": SECRET}).to_string();
    let r = app
        .send(
            Method::POST,
            "/open-apis/auth/v3/tenant_access_token/internal",
            &[],
            body.clone(),
        )
        .await;
    let v = r.json();
    assert_eq!(v["code"], 0);
    assert_eq!(v["msg"], "ok");
    assert_eq!(v["expire"], 7200);
    assert!(v.get("data").is_none());
    let first = v["tenant_access_token"].as_str().unwrap().to_string();
    assert!(first.starts_with("t-"));
    app.advance_secs(60.0).await;
    let v2 = app
        .send(
            Method::POST,
            "/open-apis/auth/v3/tenant_access_token/internal/",
            &[],
            body.clone(),
        )
        .await
        .json();
    assert_eq!(v2["tenant_access_token"], first.as_str());
    let left = v2["expire"].as_i64().unwrap();
    assert!((7138..=7140).contains(&left), "{left}");
    app.advance_secs(5500.0).await;
    let v3 = app
        .send(
            Method::POST,
            "/open-apis/auth/v3/tenant_access_token/internal",
            &[],
            body,
        )
        .await
        .json();
    assert_ne!(v3["tenant_access_token"], first.as_str());
    assert_eq!(v3["expire"], 7200);
}

#[tokio::test]
async fn wrong_app_secret_is_http_200_with_10014() {
    let app = TestApp::spawn().await;
    let r = app
        .send(
            Method::POST,
            "/open-apis/auth/v3/tenant_access_token/internal",
            &[],
            json!({"app_id": APP, "app_secret": "nope"}).to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json(),
        json!({"code": 10014, "msg": "app secret invalid"})
    );
}

#[tokio::test]
async fn malformed_token_request_is_http_200_with_10003() {
    let app = TestApp::spawn().await;
    let r = app
        .send(
            Method::POST,
            "/open-apis/auth/v3/app_access_token/internal",
            &[],
            "not json",
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json(), json!({"code": 10003, "msg": "invalid param"}));
}

#[tokio::test]
async fn a_self_built_apps_app_token_is_its_tenant_token() {
    let app = TestApp::spawn().await;
    let v = app
        .send(
            Method::POST,
            "/open-apis/auth/v3/app_access_token/internal",
            &[],
            json!({"app_id": APP, "app_secret": SECRET}).to_string(),
        )
        .await
        .json();
    let at = v["app_access_token"].as_str().unwrap();
    assert!(at.starts_with("t-"), "{v}");
    assert_eq!(v["tenant_access_token"], at);
    assert_eq!(v["msg"], "ok");
    assert_eq!(
        tenant_token(&app).await,
        at,
        "the same token from either endpoint"
    );
}

#[tokio::test]
async fn login_code_is_single_use_and_oidc_refresh_rotates() {
    let app = TestApp::spawn().await;
    let code = login_code(&app, HOST).await;
    let a = app_token(&app).await;
    let body = json!({"grant_type": "authorization_code", "code": code});
    let r = call(
        &app,
        Method::POST,
        "/open-apis/authen/v1/oidc/access_token",
        &a,
        Some(body.clone()),
    )
    .await;
    let d = r.json()["data"].clone();
    assert!(d["access_token"].as_str().unwrap().starts_with("u-"));
    assert_eq!(d["token_type"], "Bearer");
    let again = call(
        &app,
        Method::POST,
        "/open-apis/authen/v1/oidc/access_token",
        &a,
        Some(body),
    )
    .await;
    assert_err(
        &again,
        200,
        20003,
        "The code passed is invalid. Please note that the code could only be used once",
    );
    let rt = d["refresh_token"].as_str().unwrap();
    assert!(rt.starts_with("ur-"));
    let rb = json!({"grant_type": "refresh_token", "refresh_token": rt});
    let r2 = call(
        &app,
        Method::POST,
        "/open-apis/authen/v1/oidc/refresh_access_token",
        &a,
        Some(rb.clone()),
    )
    .await;
    assert_eq!(r2.json()["code"], 0);
    let r3 = call(
        &app,
        Method::POST,
        "/open-apis/authen/v1/oidc/refresh_access_token",
        &a,
        Some(rb),
    )
    .await;
    assert_err(
        &r3,
        200,
        20026,
        "The refresh token passed is invalid. Please check the value",
    );
}

#[tokio::test]
async fn login_code_expires_after_five_minutes() {
    let app = TestApp::spawn().await;
    let code = login_code(&app, HOST).await;
    app.advance_secs(301.0).await;
    let r = app
        .send_json(
            Method::POST,
            "/oauth/v3/token",
            &[],
            &json!({"grant_type": "authorization_code",
        "code": code, "client_id": APP, "client_secret": SECRET}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["code"], 20004);
    assert_eq!(r.json()["error"], "invalid_grant");
    assert_eq!(
        r.json()["error_description"],
        "The authorization code has expired."
    );
}

#[tokio::test]
async fn oauth_v2_token_exchanges_a_code_and_rejects_a_bad_secret() {
    let app = TestApp::spawn().await;
    let code = login_code(&app, "on_guest_0001").await;
    let r = app
        .send_json(
            Method::POST,
            "/open-apis/authen/v2/oauth/token",
            &[],
            &json!({"grant_type": "authorization_code",
        "code": code, "client_id": APP, "client_secret": SECRET}),
        )
        .await;
    let v = r.json();
    assert_eq!(v["code"], 0);
    assert!(v["access_token"].as_str().unwrap().starts_with("u-"));
    assert_eq!(v["expires_in"], 7200);
    let bad = app
        .send_json(
            Method::POST,
            "/open-apis/authen/v2/oauth/token",
            &[],
            &json!({"grant_type": "authorization_code",
        "code": "x", "client_id": APP, "client_secret": "wrong"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json()["error"], "invalid_client");
    assert_eq!(bad.json()["code"], 20002);
    // the user token speaks for the user the code was issued to
    let u = v["access_token"].as_str().unwrap();
    let info = call(&app, Method::GET, "/open-apis/authen/v1/user_info", u, None)
        .await
        .json();
    assert_eq!(info["data"]["open_id"], "ou_guest_0001");
    assert_eq!(info["data"]["union_id"], "on_guest_0001");
}
