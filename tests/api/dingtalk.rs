//! DingTalk conference_1_0: tokens, the gateway's auth refusals and error envelope, the
//! conference lifecycle, InviteUsers and its errors, members, in-meeting controls, throttling.
//! Each test reads state back through the vendor API (or the admin API) after the call.

use crate::common::{Resp, TestApp};

#[path = "dingtalk_controls.rs"]
mod controls;
#[path = "dingtalk_flows.rs"]
mod flows;
#[path = "dingtalk_gateway.rs"]
mod gateway;
#[path = "dingtalk_lifecycle.rs"]
mod lifecycle;
use meetmock::config::Config;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

pub(crate) const KEY: &str = "dingmockappkey";
pub(crate) const SECRET: &str = "mock-app-secret";
pub(crate) const HOST: &str = "host-union-0001";
pub(crate) const ALICE: &str = "union-alice-0001";
pub(crate) const BOB: &str = "union-bob-0002";
pub(crate) const DEMO_CONF: &str = "607452e01401526ee39609e1";
pub(crate) const TOKEN_HEADER: &str = "x-acs-dingtalk-access-token";
/// The gateway's unknown-route message [OBS].
pub(crate) const NOT_FOUND: &str = "Specified api is not found, please check your url and method.";

pub(crate) async fn token_of(app: &TestApp, key: &str, secret: &str) -> Resp {
    app.send_json(
        Method::POST,
        "/v1.0/oauth2/accessToken",
        &[],
        &json!({"appKey": key, "appSecret": secret}),
    )
    .await
}

pub(crate) async fn token(app: &TestApp) -> String {
    let r = token_of(app, KEY, SECRET).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()["accessToken"].as_str().unwrap().to_string()
}

pub(crate) async fn call(
    app: &TestApp,
    tok: &str,
    method: Method,
    path: &str,
    body: Value,
) -> Resp {
    app.send_json(method, path, &[(TOKEN_HEADER, tok)], &body)
        .await
}

pub(crate) async fn get(app: &TestApp, tok: &str, path: &str) -> Resp {
    app.send(Method::GET, path, &[(TOKEN_HEADER, tok)], "")
        .await
}

pub(crate) fn conf(id: &str, rest: &str) -> String {
    format!("/v1.0/conference/videoConferences/{id}{rest}")
}

pub(crate) async fn create(app: &TestApp, tok: &str, body: Value) -> String {
    let r = call(
        app,
        tok,
        Method::POST,
        "/v1.0/conference/videoConferences",
        body,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()["conferenceId"].as_str().unwrap().to_string()
}

pub(crate) async fn new_conf(app: &TestApp, tok: &str) -> String {
    create(
        app,
        tok,
        json!({"userId": HOST, "confTitle": "Sync", "inviteCaller": false}),
    )
    .await
}

pub(crate) async fn invite(app: &TestApp, tok: &str, id: &str, body: Value) -> Resp {
    call(app, tok, Method::POST, &conf(id, "/users/invite"), body).await
}

pub(crate) fn two_and_a_phone() -> Value {
    json!({
        "inviteeList": [{"nick": "Alice", "unionId": ALICE}, {"nick": "Bob", "unionId": BOB}],
        "phoneInviteeList": [{"nick": "Phone Guest", "phoneNumber": "13800000000"}],
        "unionId": HOST
    })
}

pub(crate) async fn members(app: &TestApp, tok: &str, id: &str) -> Vec<Value> {
    let r = get(app, tok, &conf(id, "/members")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()["memberModels"].as_array().unwrap().clone()
}

pub(crate) fn member<'a>(list: &'a [Value], union: &str) -> Option<&'a Value> {
    list.iter().find(|m| m["unionId"] == union)
}

/// Asserts the flat gateway error envelope, and that the header request id equals the body's.
pub(crate) fn assert_error(r: &Resp, status: u16, code: &str, message: &str) {
    assert_eq!(r.status.as_u16(), status, "{}", r.text);
    let b = r.json();
    assert_eq!(b["code"], code, "{}", r.text);
    assert_eq!(b["message"], message, "{}", r.text);
    assert_eq!(
        r.header("x-acs-request-id"),
        b["requestid"].as_str(),
        "header and body request ids differ"
    );
    assert_eq!(
        b.as_object().unwrap().len(),
        3,
        "only code, requestid, message: {}",
        r.text
    );
}

pub(crate) async fn info(app: &TestApp, tok: &str, id: &str) -> Value {
    let r = get(app, tok, &conf(id, "")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()["confInfo"].clone()
}

// ---- tokens ----------------------------------------------------------------------------

#[tokio::test]
async fn the_token_call_returns_an_access_token_valid_for_7200_seconds() {
    let app = TestApp::spawn().await;
    let r = token_of(&app, KEY, SECRET).await;
    assert_eq!(r.status, StatusCode::OK);
    let b = r.json();
    assert_eq!(b["expireIn"], 7200);
    assert_eq!(b["accessToken"].as_str().unwrap().len(), 32);
}

#[tokio::test]
async fn asking_again_before_expiry_returns_the_same_token() {
    let app = TestApp::spawn().await;
    let a = token(&app).await;
    app.advance_secs(7000.0).await;
    assert_eq!(token(&app).await, a);
    // ... and extends it: 7000 s later it still works.
    app.advance_secs(7000.0).await;
    assert_eq!(
        get(&app, &a, &conf(DEMO_CONF, "")).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_expired_token_is_invalid_authentication_and_a_new_one_is_issued() {
    let app = TestApp::spawn().await;
    let a = token(&app).await;
    app.advance_secs(7201.0).await;
    let r = get(&app, &a, &conf(DEMO_CONF, "")).await;
    assert_error(&r, 400, "InvalidAuthentication", "不合法的access_token");
    let b = token(&app).await;
    assert_ne!(a, b);
    assert_eq!(
        get(&app, &b, &conf(DEMO_CONF, "")).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_wrong_secret_is_400_invalid_client_id_or_secret() {
    let app = TestApp::spawn().await;
    let r = token_of(&app, KEY, "WRONG").await;
    assert_error(
        &r,
        400,
        "invalidClientIdOrSecret",
        "无效的clientId或者clientSecret",
    );
}

#[tokio::test]
async fn an_unknown_app_key_is_trusted_on_first_use_of_its_secret() {
    let app = TestApp::spawn().await;
    assert_eq!(
        token_of(&app, "dingnewapp", "s1").await.status,
        StatusCode::OK
    );
    let r = token_of(&app, "dingnewapp", "s2").await;
    assert_error(
        &r,
        400,
        "invalidClientIdOrSecret",
        "无效的clientId或者clientSecret",
    );
}

#[tokio::test]
async fn strict_tenants_refuse_an_unknown_app_key() {
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        strict_tenants: true,
        ..Config::default()
    };
    let app = TestApp::spawn_config(config, "").await;
    let r = token_of(&app, "dingnewapp", "s1").await;
    assert_error(
        &r,
        400,
        "invalidClientIdOrSecret",
        "无效的clientId或者clientSecret",
    );
    assert_eq!(token_of(&app, KEY, SECRET).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_missing_app_secret_or_a_non_json_body_is_invalid_client() {
    let app = TestApp::spawn().await;
    let r = app
        .send_json(
            Method::POST,
            "/v1.0/oauth2/accessToken",
            &[],
            &json!({"appKey": KEY}),
        )
        .await;
    assert_error(
        &r,
        400,
        "invalidClientIdOrSecret",
        "无效的clientId或者clientSecret",
    );
    let r = app
        .send(Method::POST, "/v1.0/oauth2/accessToken", &[], "not json")
        .await;
    assert_error(
        &r,
        400,
        "invalidClientIdOrSecret",
        "无效的clientId或者clientSecret",
    );
}

#[tokio::test]
async fn gettoken_answers_200_with_errcode_and_shares_the_token() {
    let app = TestApp::spawn().await;
    let r = app
        .send(
            Method::GET,
            &format!("/gettoken?appkey={KEY}&appsecret={SECRET}"),
            &[],
            "",
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let b = r.json();
    assert_eq!(b["errcode"], 0);
    assert_eq!(b["errmsg"], "ok");
    assert_eq!(b["expires_in"], 7200);
    assert_eq!(b["access_token"].as_str().unwrap(), token(&app).await);
}

#[tokio::test]
async fn gettoken_errors_are_http_200_with_errcodes() {
    let app = TestApp::spawn().await;
    let r = app.send(Method::GET, "/gettoken", &[], "").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json(),
        json!({"errcode": 40035, "errmsg": "缺少参数 corpid or appkey"})
    );
    let r = app
        .send(
            Method::GET,
            &format!("/gettoken?appkey={KEY}&appsecret=bad"),
            &[],
            "",
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json(),
        json!({"errcode": 40096, "errmsg": "不合法的appKey或appSecret"})
    );
}

// ---- auth and envelope -------------------------------------------------------------------

#[tokio::test]
async fn a_missing_token_header_is_400_missing_parameter() {
    let app = TestApp::spawn().await;
    let r = app.send(Method::GET, &conf(DEMO_CONF, ""), &[], "").await;
    assert_error(
        &r,
        400,
        "AuthenticationFailed.MissingParameter",
        "缺少参数：x-acs-dingtalk-access-token",
    );
}

#[tokio::test]
async fn a_token_in_the_query_or_authorization_header_counts_as_missing() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let path = format!("{}?access_token={tok}", conf(DEMO_CONF, ""));
    let auth = format!("Bearer {tok}");
    let r = app
        .send(Method::GET, &path, &[("authorization", auth.as_str())], "")
        .await;
    assert_error(
        &r,
        400,
        "AuthenticationFailed.MissingParameter",
        "缺少参数：x-acs-dingtalk-access-token",
    );
}

#[tokio::test]
async fn an_unknown_token_is_400_invalid_authentication() {
    let app = TestApp::spawn().await;
    let r = invite(&app, "bogus", DEMO_CONF, two_and_a_phone()).await;
    assert_error(&r, 400, "InvalidAuthentication", "不合法的access_token");
    let tok = token(&app).await;
    assert_eq!(
        members(&app, &tok, DEMO_CONF).await.len(),
        2,
        "nothing invited"
    );
}

#[tokio::test]
async fn request_ids_are_uppercase_uuids_also_on_success() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let r = get(&app, &tok, &conf(DEMO_CONF, "")).await;
    let id = r.header("x-acs-request-id").unwrap();
    let parts: Vec<usize> = id.split('-').map(str::len).collect();
    assert_eq!(parts, vec![8, 4, 4, 4, 12]);
    assert_eq!(id, id.to_ascii_uppercase());
    assert_eq!(
        r.header("content-type"),
        Some("application/json;charset=utf-8")
    );
}

#[tokio::test]
async fn an_unknown_route_under_v1_0_is_a_json_404() {
    let app = TestApp::spawn().await;
    let r = app
        .send(Method::GET, "/v1.0/conference/nothing", &[], "")
        .await;
    assert_error(&r, 404, "InvalidAction.NotFound", NOT_FOUND);
    let r = app
        .send(Method::PATCH, &conf(DEMO_CONF, "/users/invite"), &[], "")
        .await;
    assert_error(&r, 404, "InvalidAction.NotFound", NOT_FOUND);
}

#[tokio::test]
async fn another_apps_token_cannot_see_the_demo_conference() {
    let app = TestApp::spawn().await;
    let r = token_of(&app, "dingotherapp", "x").await;
    let other = r.json()["accessToken"].as_str().unwrap().to_string();
    let r = get(&app, &other, &conf(DEMO_CONF, "")).await;
    assert_error(&r, 400, "paramsError", "error:conference not found");
}

#[tokio::test]
async fn odd_host_headers_are_accepted() {
    let app = TestApp::spawn().await;
    let r = app
        .send_json(
            Method::POST,
            "/v1.0/oauth2/accessToken",
            &[("host", "http://127.0.0.1:1")],
            &json!({"appKey": KEY, "appSecret": SECRET}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}
