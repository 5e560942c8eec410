//! Issued credentials and request ids never repeat — across tenants, `POST /__admin/reset` and
//! restarts — while seeded ids stay reproducible (store::Secrets vs store::Ids). For every
//! vendor: app A takes a token, the server resets, app B takes one; A's cached token must not
//! become B's (it is refused, it never acts as B).

use crate::common::TestApp;
use crate::dingtalk::{token, token_of, TOKEN_HEADER};
use crate::faults_common::{config, fs_call, hw_login, hw_send};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn ding_token(app: &TestApp, key: &str) -> String {
    let r = token_of(app, key, "secret-of-app").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()["accessToken"].as_str().unwrap().to_string()
}

async fn feishu_token(app: &TestApp, app_id: &str) -> String {
    let r = app
        .send_json(
            Method::POST,
            "/open-apis/auth/v3/tenant_access_token/internal",
            &[],
            &json!({"app_id": app_id, "app_secret": "secret-of-app"}),
        )
        .await;
    assert_eq!(r.json()["code"], 0, "{}", r.text);
    r.json()["tenant_access_token"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_dingtalk_token_from_before_a_reset_is_refused_not_handed_to_another_app() {
    let app = TestApp::spawn().await;
    let a = ding_token(&app, "ding-app-a").await;
    app.admin_post("/reset", json!({})).await;
    let b = ding_token(&app, "ding-app-b").await;
    assert_ne!(a, b);
    let r = app
        .send(
            Method::GET,
            "/v1.0/conference/users/lists?unionId=x",
            &[(TOKEN_HEADER, a.as_str())],
            "",
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["code"], "InvalidAuthentication", "{}", r.text);
    let tenants = app.admin_get("/tenants").await.json();
    let known: Vec<&str> = tenants["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["id"].as_str())
        .collect();
    assert!(!known.contains(&"ding-app-a"), "A was not re-provisioned");
}

#[tokio::test]
async fn a_feishu_token_from_before_a_reset_is_refused_not_handed_to_another_app() {
    let app = TestApp::spawn().await;
    let a = feishu_token(&app, "cli_app_a").await;
    app.admin_post("/reset", json!({})).await;
    let b = feishu_token(&app, "cli_app_b").await;
    assert_ne!(a, b);
    let r = fs_call(
        &app,
        Method::GET,
        "/open-apis/vc/v1/meetings/7000000000000000028",
        &a,
        None,
    )
    .await;
    assert_ne!(r.json()["code"], 0, "{}", r.text);
    assert_eq!(r.json()["code"], 99991663, "{}", r.text);
}

#[tokio::test]
async fn a_huawei_token_from_before_a_reset_is_refused() {
    let app = TestApp::spawn().await;
    let a = hw_login(&app).await;
    app.admin_post("/reset", json!({})).await;
    let b = hw_login(&app).await;
    assert_ne!(a, b);
    let r = hw_send(
        &app,
        Method::POST,
        "/v1/usg/acs/token/validate",
        &[("X-Access-Token", &a)],
        &json!({"token": a, "needGenNewToken": false}).to_string(),
    )
    .await;
    assert_ne!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn tokens_and_request_ids_differ_between_two_servers_with_the_same_seed() {
    let (a, b) = (
        TestApp::spawn_config(config(), "").await,
        TestApp::spawn_config(config(), "").await,
    );
    let (ta, tb) = (
        ding_token(&a, "ding-same").await,
        ding_token(&b, "ding-same").await,
    );
    assert_ne!(ta, tb, "a restart never hands out the same token");
    let (fa, fb) = (
        feishu_token(&a, "cli_same").await,
        feishu_token(&b, "cli_same").await,
    );
    assert_ne!(fa, fb);
    let (ha, hb) = (hw_login(&a).await, hw_login(&b).await);
    assert_ne!(ha, hb);
    // Tencent issues no tokens: its request ids must not repeat either.
    let tencent = |app: &TestApp| {
        let url = app.url("/v1/meetings/1");
        async move {
            let r = reqwest::get(url).await.unwrap();
            r.headers()
                .get("X-Request-Id")
                .map(|v| v.to_str().unwrap().to_string())
        }
    };
    let (ra, rb) = (tencent(&a).await, tencent(&b).await);
    assert!(ra.is_some());
    assert_ne!(ra, rb);
}

#[tokio::test]
async fn seeded_ids_stay_reproducible_across_a_reset() {
    let app = TestApp::spawn().await;
    let create = |tok: String| {
        let app = &app;
        async move {
            let r = app
                .send_json(
                    Method::POST,
                    "/v1.0/conference/videoConferences",
                    &[(TOKEN_HEADER, tok.as_str())],
                    &json!({"userId": "host-union-0001", "confTitle": "t"}),
                )
                .await;
            let v: Value = r.json();
            (v["conferenceId"].clone(), v["roomCode"].clone())
        }
    };
    let first = create(token(&app).await).await;
    app.admin_post("/reset", json!({})).await;
    let second = create(token(&app).await).await;
    assert!(first.0.is_string());
    assert_eq!(first, second, "meeting ids come from --seed");
}
