//! Helpers of the fault-rule suites (`faults_*`): servers with the demo plus a library file,
//! per-vendor callers (Feishu and Huawei are copied from their suites, Tencent and DingTalk
//! reuse theirs), raw clients for connection faults, and normalisation of answers so an
//! injected error can be compared byte for byte with a natural one.

#![allow(dead_code)]

use crate::common::{Resp, TestApp};
use base64::Engine;
use meetmock::config::Config;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;

pub const FS_APP: &str = "cli_demo_feishu";
pub const FS_SECRET: &str = "demo_feishu_secret";
pub const FS_LIVE: &str = "7000000000000000028";
pub const FS_HOST: &str = "ou_host_0001";
pub const HW_RUNNING: &str = "914673889";
pub const HW_RUNNING_PWD: &str = "246810";
pub const HW_SCHEDULED: &str = "916206899";

/// A test configuration on port 0 with the demo loaded.
pub fn config() -> Config {
    Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        no_demo: false,
        ..Config::default()
    }
}

/// The text of `scenarios/<file>`.
pub fn library(file: &str) -> String {
    let path = format!("{}/scenarios/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The demo plus `scenarios/<file>`.
pub async fn with_library(file: &str) -> TestApp {
    TestApp::spawn_config(config(), &library(file)).await
}

/// The demo plus a scenario given as text.
pub async fn with_yaml(yaml: &str) -> TestApp {
    TestApp::spawn_config(config(), yaml).await
}

/// A server started from `config` exactly as `meetmock serve` would (its `scenarios` loaded
/// from disk, so `--watch` knows them by path).
pub async fn spawn_loaded(config: Config) -> TestApp {
    let scenarios = meetmock::scenarios_for(&config).expect("scenarios load");
    let running = meetmock::start_with(config, scenarios)
        .await
        .expect("server starts");
    TestApp {
        base: format!("http://{}", running.addr()),
        running,
        client: client(None),
    }
}

/// A plain client, optionally with a total timeout.
pub fn client(timeout: Option<Duration>) -> reqwest::Client {
    let mut b = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .no_proxy();
    if let Some(t) = timeout {
        b = b.timeout(t);
    }
    b.build().unwrap()
}

/// Adds a rule through the admin API.
pub async fn add_rule(app: &TestApp, rule: Value) {
    app.admin_post("/faults", rule).await;
}

/// The journal, oldest first.
pub async fn journal(app: &TestApp) -> Vec<Value> {
    let mut v = app.admin_get("/requests?limit=1000").await.json()["requests"]
        .as_array()
        .unwrap()
        .clone();
    v.sort_by_key(|e| e["seq"].as_u64());
    v
}

/// The listed rules (`GET /__admin/faults`).
pub async fn rules(app: &TestApp) -> Vec<Value> {
    app.admin_get("/faults").await.json()["faults"]
        .as_array()
        .unwrap()
        .clone()
}

/// Status, headers (minus `date` and the request-id header) and body, with the request id
/// replaced by `<ID>` wherever it appears.
pub fn normalise(r: &Resp, id_header: &str) -> (u16, Vec<(String, String)>, String) {
    let id = r.header(id_header).unwrap_or("").to_string();
    assert!(!id.is_empty(), "no {id_header} in {:?}", r.headers);
    let mut headers: Vec<(String, String)> = r
        .headers
        .iter()
        .filter(|(k, _)| {
            let k = k.as_str();
            k != "date" && !k.eq_ignore_ascii_case(id_header) && k != "content-length"
        })
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    headers.sort();
    (r.status.as_u16(), headers, r.text.replace(&id, "<ID>"))
}

// ---- Feishu ----

pub async fn fs_call(app: &TestApp, m: Method, path: &str, tok: &str, body: Option<Value>) -> Resp {
    let auth = format!("Bearer {tok}");
    match body {
        Some(b) => {
            app.send_json(m, path, &[("authorization", &auth)], &b)
                .await
        }
        None => app.send(m, path, &[("authorization", &auth)], "").await,
    }
}

pub async fn fs_tenant_token(app: &TestApp) -> String {
    let r = app
        .send_json(
            Method::POST,
            "/open-apis/auth/v3/tenant_access_token/internal",
            &[],
            &json!({"app_id": FS_APP, "app_secret": FS_SECRET}),
        )
        .await;
    r.json()["tenant_access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("no tenant token: {}", r.text))
        .to_string()
}

pub async fn fs_user_token(app: &TestApp, user: &str) -> String {
    let code = app
        .admin_post(
            "/vendors/feishu/login_code",
            json!({"app_id": FS_APP, "user": user}),
        )
        .await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .send_json(
            Method::POST,
            "/open-apis/auth/v3/app_access_token/internal",
            &[],
            &json!({"app_id": FS_APP, "app_secret": FS_SECRET}),
        )
        .await;
    let a = r.json()["app_access_token"].as_str().unwrap().to_string();
    let r = fs_call(
        app,
        Method::POST,
        "/open-apis/authen/v1/oidc/access_token",
        &a,
        Some(json!({"grant_type": "authorization_code", "code": code})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()["data"]["access_token"]
        .as_str()
        .unwrap()
        .to_string()
}

pub async fn fs_invite(app: &TestApp, tok: &str, meeting: &str, ids: &[&str]) -> Resp {
    let invitees: Vec<Value> = ids
        .iter()
        .map(|i| json!({"id": i, "user_type": 1}))
        .collect();
    fs_call(
        app,
        Method::PATCH,
        &format!("/open-apis/vc/v1/meetings/{meeting}/invite"),
        tok,
        Some(json!({ "invitees": invitees })),
    )
    .await
}

pub async fn fs_get(app: &TestApp, tok: &str, meeting: &str) -> Resp {
    fs_call(
        app,
        Method::GET,
        &format!("/open-apis/vc/v1/meetings/{meeting}"),
        tok,
        None,
    )
    .await
}

/// Asserts a Feishu error: status, code, msg.
pub fn fs_err(r: &Resp, status: u16, code: i64, msg: &str) {
    assert_eq!(r.status.as_u16(), status, "{}", r.text);
    let v = r.json();
    assert_eq!(v["code"], code, "{}", r.text);
    assert_eq!(v["msg"], msg, "{}", r.text);
}

/// The Feishu meeting's participants as the admin API shows them.
pub async fn fs_participants(app: &TestApp, meeting: &str) -> Vec<String> {
    let m = app
        .admin_get(&format!("/meetings/{meeting}?vendor=feishu"))
        .await
        .json();
    m["meeting"]["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["user_id"].as_str().unwrap().to_string())
        .collect()
}

// ---- Huawei ----

pub async fn hw_send(app: &TestApp, m: Method, path: &str, h: &[(&str, &str)], body: &str) -> Resp {
    let mut headers = vec![("Content-Type", "application/json")];
    headers.extend_from_slice(h);
    app.send(m, path, &headers, body.to_string()).await
}

pub async fn hw_login(app: &TestApp) -> String {
    let basic = base64::engine::general_purpose::STANDARD.encode("demo@hwcorp:Demo@Passw0rd");
    let auth = format!("Basic {basic}");
    let r = hw_send(
        app,
        Method::POST,
        "/v1/usg/acs/auth/account",
        &[("Authorization", &auth)],
        r#"{"account": "demo@hwcorp", "clientType": 72}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()["accessToken"].as_str().unwrap().to_string()
}

pub async fn hw_conf_token(app: &TestApp, at: &str, conf: &str, pwd: &str) -> Resp {
    let path = format!("/v1/mmc/control/conferences/token?conferenceID={conf}");
    let h = [
        ("X-Access-Token", at),
        ("X-Password", pwd),
        ("X-Login-Type", "1"),
    ];
    hw_send(app, Method::GET, &path, &h, "").await
}

/// Access token and control token of the running demo meeting.
pub async fn hw_running(app: &TestApp) -> (String, String) {
    let at = hw_login(app).await;
    let r = hw_conf_token(app, &at, HW_RUNNING, HW_RUNNING_PWD).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let ct = r.json()["data"]["token"].as_str().unwrap().to_string();
    (at, ct)
}

pub async fn hw_invite(app: &TestApp, at: &str, ct: &str, conf: &str, name: &str) -> Resp {
    let path = format!("/v1/mmc/control/conferences/participants?conferenceID={conf}");
    let body = json!({"attendees": [{"name": name, "phone": "+8613800000002", "type": "normal"}]});
    let h = [("X-Access-Token", at), ("X-Conference-Authorization", ct)];
    hw_send(app, Method::POST, &path, &h, &body.to_string()).await
}

/// Asserts a Huawei error: status, error_code, error_msg.
pub fn hw_err(r: &Resp, status: u16, code: &str, msg: &str) {
    assert_eq!(r.status.as_u16(), status, "{}", r.text);
    let v = r.json();
    assert_eq!(v["error_code"], code, "{}", r.text);
    assert_eq!(v["error_msg"], msg, "{}", r.text);
}

/// Freezes the server clock at the start of a whole second and returns that time (ms).
pub async fn freeze_on_a_second(app: &TestApp) -> i64 {
    let now = app.admin_get("/clock").await.json()["now_ms"]
        .as_i64()
        .unwrap();
    let at = (now / 1000 + 1) * 1000;
    app.admin_post("/clock/freeze", json!({ "at_ms": at }))
        .await;
    at
}
