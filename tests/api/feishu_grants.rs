//! Feishu user-token grants: the legacy `authen/v1/refresh_access_token`, the authen v1
//! refusals (HTTP 200, the historical pages' messages) and every OAuth v2/v3 refusal told
//! apart — code not found / expired / used (20003 / 20004 / 20065), refresh token invalid /
//! expired / revoked / used (20026 / 20037 / 20064 / 20073), 20010, 20036, 20049, 20067 /
//! 20068, 20070, 20071 — plus Basic client auth and form-encoded bodies.

use crate::common::{Resp, TestApp};
use crate::feishu::{assert_err, call, login_code, tenant_token, APP, HOST, SECRET};
use base64::Engine;
use reqwest::Method;
use serde_json::{json, Value};

const V2: &str = "/open-apis/authen/v2/oauth/token";

async fn oauth(app: &TestApp, body: Value) -> Resp {
    app.send_json(Method::POST, V2, &[], &body).await
}

fn code_body(code: &Value) -> Value {
    json!({"grant_type": "authorization_code", "client_id": APP, "client_secret": SECRET, "code": code})
}

/// Asserts an OAuth-style refusal.
fn assert_oauth(r: &Resp, code: i64, error: &str, description: &str) {
    assert_eq!(r.status.as_u16(), 400, "{}", r.text);
    assert_eq!(
        r.json(),
        json!({"code": code, "error": error, "error_description": description}),
        "{}",
        r.text
    );
}

async fn code_with(app: &TestApp, extra: Value) -> Value {
    let mut body = json!({"app_id": APP, "user": HOST});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    app.admin_post("/vendors/feishu/login_code", body).await["code"].clone()
}

#[tokio::test]
async fn legacy_v1_refresh_returns_a_new_pair_with_the_profile() {
    let app = TestApp::spawn().await;
    let t = tenant_token(&app).await;
    let code = login_code(&app, HOST).await;
    let r = call(
        &app,
        Method::POST,
        "/open-apis/authen/v1/access_token",
        &t,
        Some(json!({"grant_type": "authorization_code", "code": code})),
    )
    .await;
    let rt = r.json()["data"]["refresh_token"].clone();
    let body = json!({"grant_type": "refresh_token", "refresh_token": rt});
    let r = call(
        &app,
        Method::POST,
        "/open-apis/authen/v1/refresh_access_token",
        &t,
        Some(body.clone()),
    )
    .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.text);
    let d = r.json()["data"].clone();
    assert!(d["access_token"].as_str().unwrap().starts_with("u-"));
    assert_eq!(d["open_id"], HOST);
    assert_eq!(d["union_id"], "on_host_0001");
    assert!(d["sid"].is_string() && d["tenant_key"].is_string());
    let again = call(
        &app,
        Method::POST,
        "/open-apis/authen/v1/refresh_access_token",
        &t,
        Some(body),
    )
    .await;
    assert_err(
        &again,
        200,
        20026,
        "The refresh token passed is invalid. Please check the value",
    );
}

#[tokio::test]
async fn authen_v1_refusals_are_http_200_with_the_pages_messages() {
    let app = TestApp::spawn().await;
    let t = tenant_token(&app).await;
    let oidc = "/open-apis/authen/v1/oidc/access_token";
    let refresh = "/open-apis/authen/v1/oidc/refresh_access_token";
    let r = call(
        &app,
        Method::POST,
        oidc,
        &t,
        Some(json!({"grant_type": "authorization_code"})),
    )
    .await;
    assert_err(
        &r,
        200,
        20001,
        "Invalid request. Please check request param",
    );
    let r = call(
        &app,
        Method::POST,
        oidc,
        &t,
        Some(json!({"grant_type": "password", "code": "x"})),
    )
    .await;
    assert_err(&r, 200, 20036, "The grant_type passed is not supported");
    let code = login_code(&app, HOST).await;
    app.advance_secs(301.0).await;
    let r = call(
        &app,
        Method::POST,
        oidc,
        &t,
        Some(json!({"grant_type": "authorization_code", "code": code})),
    )
    .await;
    assert_err(
        &r,
        200,
        20004,
        "The code passed has expired. Please generate a new one",
    );
    let t = tenant_token(&app).await;
    let r = call(
        &app,
        Method::POST,
        refresh,
        &t,
        Some(json!({"grant_type": "refresh_token", "refresh_token": "ur-nobody"})),
    )
    .await;
    assert_err(
        &r,
        200,
        20038,
        "The refresh token passed is not found. Please check the value",
    );
    let r = call(
        &app,
        Method::POST,
        refresh,
        &t,
        Some(json!({"grant_type": "refresh_token", "refresh_token": "junk"})),
    )
    .await;
    assert_err(
        &r,
        200,
        20026,
        "The refresh token passed is invalid. Please check the value",
    );
    // A refresh token expires after 30 days.
    let code = login_code(&app, HOST).await;
    let r = call(
        &app,
        Method::POST,
        oidc,
        &t,
        Some(json!({"grant_type": "authorization_code", "code": code})),
    )
    .await;
    let rt = r.json()["data"]["refresh_token"].clone();
    app.advance_secs(30.0 * 86_400.0 + 1.0).await;
    let t = tenant_token(&app).await;
    let r = call(
        &app,
        Method::POST,
        refresh,
        &t,
        Some(json!({"grant_type": "refresh_token", "refresh_token": rt})),
    )
    .await;
    assert_err(
        &r,
        200,
        20037,
        "The refresh token passed has expired. Please generate a new one",
    );
    // A user outside the app's availability.
    app.admin_post(
        &format!("/users/{HOST}/unregistered"),
        json!({"vendor": "feishu"}),
    )
    .await;
    let code = login_code(&app, HOST).await;
    let r = call(
        &app,
        Method::POST,
        oidc,
        &t,
        Some(json!({"grant_type": "authorization_code", "code": code})),
    )
    .await;
    assert_err(&r, 200, 20023, "User not registered");
}

#[tokio::test]
async fn oauth_codes_not_found_expired_and_used_are_told_apart() {
    let app = TestApp::spawn().await;
    let r = oauth(&app, code_body(&json!("nope"))).await;
    assert_oauth(&r, 20003, "invalid_grant", "The authorization code is not found. Please note that an authorization code can only be used once.");
    let code = login_code(&app, HOST).await;
    assert_eq!(oauth(&app, code_body(&json!(code))).await.json()["code"], 0);
    let r = oauth(&app, code_body(&json!(code))).await;
    assert_oauth(&r, 20065, "invalid_grant", "The authorization code has been used. Please note that an authorization code can only be used once.");
    let code = login_code(&app, HOST).await;
    app.advance_secs(301.0).await;
    let r = oauth(&app, code_body(&json!(code))).await;
    assert_oauth(
        &r,
        20004,
        "invalid_grant",
        "The authorization code has expired.",
    );
}

#[tokio::test]
async fn oauth_refresh_tokens_invalid_expired_revoked_and_used_are_told_apart() {
    let app = TestApp::spawn().await;
    let refresh = |rt: &Value| json!({"grant_type": "refresh_token", "client_id": APP, "client_secret": SECRET, "refresh_token": rt});
    let r = oauth(&app, refresh(&json!("ur-nobody"))).await;
    assert_oauth(
        &r,
        20026,
        "invalid_grant",
        "The refresh token passed is invalid. Please check the value.",
    );
    let first = oauth(&app, code_body(&json!(login_code(&app, HOST).await)))
        .await
        .json();
    let rt = first["refresh_token"].clone();
    let second = oauth(&app, refresh(&rt)).await;
    assert_eq!(second.json()["code"], 0, "{}", second.text);
    let r = oauth(&app, refresh(&rt)).await;
    assert_oauth(
        &r,
        20073,
        "invalid_grant",
        "The refresh token has been used. Please note that a refresh token can only be used once.",
    );
    // The user withdraws the authorization: the newest refresh token is revoked, the user
    // token stops working.
    let rt2 = second.json()["refresh_token"].clone();
    let at2 = second.json()["access_token"].as_str().unwrap().to_string();
    let rv = app
        .admin_post(
            "/vendors/feishu/revoke",
            json!({"app_id": APP, "user": HOST}),
        )
        .await;
    assert!(rv["revoked"].as_u64().unwrap() >= 2, "{rv}");
    let r = oauth(&app, refresh(&rt2)).await;
    assert_oauth(&r, 20064, "invalid_grant", "The refresh token has been revoked. Please note that a refresh token can only be used once.");
    let info = call(
        &app,
        Method::GET,
        "/open-apis/authen/v1/user_info",
        &at2,
        None,
    )
    .await;
    assert_eq!(info.json()["code"], 99991668);
    let third = oauth(&app, code_body(&json!(login_code(&app, HOST).await)))
        .await
        .json();
    app.advance_secs(30.0 * 86_400.0 + 1.0).await;
    let r = oauth(&app, refresh(&third["refresh_token"])).await;
    assert_oauth(
        &r,
        20037,
        "invalid_grant",
        "The refresh token passed has expired. Please generate a new one.",
    );
}

#[tokio::test]
async fn oauth_client_authentication_basic_or_body_but_not_both() {
    let app = TestApp::spawn().await;
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{APP}:{SECRET}"))
    );
    let code = login_code(&app, HOST).await;
    let both = app
        .send_json(
            Method::POST,
            V2,
            &[("authorization", &basic)],
            &code_body(&json!(code)),
        )
        .await;
    assert_oauth(
        &both,
        20070,
        "invalid_request",
        "Multiple authentication methods were provided. Please only use one to proceed.",
    );
    // Basic alone, form-encoded body as a standard OAuth client sends it.
    let form = format!("grant_type=authorization_code&code={code}");
    let r = app
        .send(
            Method::POST,
            V2,
            &[
                ("authorization", &basic),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            form,
        )
        .await;
    assert_eq!(r.json()["code"], 0, "{}", r.text);
    assert_eq!(r.json()["token_type"], "Bearer");
    let r = oauth(
        &app,
        json!({"grant_type": "password", "client_id": APP, "client_secret": SECRET}),
    )
    .await;
    assert_oauth(
        &r,
        20036,
        "unsupported_grant_type",
        "The specified grant_type is not supported.",
    );
}

#[tokio::test]
async fn oauth_checks_redirect_uri_pkce_scope_and_availability() {
    let app = TestApp::spawn().await;
    let code = code_with(&app, json!({"redirect_uri": "https://app.example/cb"})).await;
    let mut b = code_body(&code);
    b["redirect_uri"] = json!("https://evil.example/cb");
    assert_oauth(
        &oauth(&app, b).await,
        20071,
        "invalid_request",
        "The provided redirect URI does not match the one used during authorization.",
    );
    // PKCE S256: the verifier must hash to the challenge.
    let verifier = "TxYmzM4PHLBlqm5NtnCmwxMH8mFlRWl_ipie3O0aVzo";
    let challenge = {
        use sha2::Digest;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier))
    };
    let pk = json!({"code_challenge": challenge, "code_challenge_method": "S256"});
    let mut b = code_body(&code_with(&app, pk.clone()).await);
    b["code_verifier"] = json!("X".repeat(43));
    assert_oauth(
        &oauth(&app, b).await,
        20049,
        "invalid_grant",
        "PKCE code challenge failed.",
    );
    let mut b = code_body(&code_with(&app, pk).await);
    b["code_verifier"] = json!(verifier);
    assert_eq!(oauth(&app, b).await.json()["code"], 0);
    // scope narrowing
    let scoped = json!({"scope": "vc:meeting vc:meeting:readonly offline_access"});
    let mut b = code_body(&code_with(&app, scoped.clone()).await);
    b["scope"] = json!("vc:meeting vc:meeting");
    assert_oauth(
        &oauth(&app, b).await,
        20067,
        "invalid_scope",
        "The provided scope list contains duplicate scopes. Please ensure all scopes are unique.",
    );
    let mut b = code_body(&code_with(&app, scoped.clone()).await);
    b["scope"] = json!("vc:record");
    assert_oauth(&oauth(&app, b).await, 20068, "invalid_scope", "The provided scope list contains scopes that are not permitted. Please ensure all scopes are allowed.");
    let mut b = code_body(&code_with(&app, scoped).await);
    b["scope"] = json!("vc:meeting:readonly");
    assert_eq!(oauth(&app, b).await.json()["scope"], "vc:meeting:readonly");
    app.admin_post(
        &format!("/users/{HOST}/unregistered"),
        json!({"vendor": "feishu"}),
    )
    .await;
    let r = oauth(&app, code_body(&json!(login_code(&app, HOST).await))).await;
    assert_oauth(
        &r,
        20010,
        "invalid_request",
        "The user does not have permission to use this app.",
    );
}
