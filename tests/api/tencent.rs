//! Tencent Meeting over real HTTP: requests are signed exactly as the official SDK signs them
//! (`base64(hex(HMAC-SHA256))` over method, key/nonce/timestamp, raw request-target and raw
//! body), against the embedded demo tenant. One behaviour per test; state is read back.

use crate::common::{Resp, TestApp};
use base64::Engine;
use hmac::{Hmac, Mac};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::Sha256;
use std::sync::atomic::{AtomicU64, Ordering};

pub(crate) const APP: &str = "211000001";
pub(crate) const SDK: &str = "28370000001";
pub(crate) const SID: &str = "AKIDmeetmockDemoSecretId0001";
pub(crate) const SKEY: &str = "meetmockDemoSecretKey0001";
pub(crate) const SCHEDULED: &str = "5417310002754750436";
pub(crate) const RUNNING: &str = "5417310002754750437";

/// 20-digit nonces, unique per test process.
static NONCE: AtomicU64 = AtomicU64::new(18_000_000_000_000_000_000);

/// A fresh nonce (never used before in this test process).
pub(crate) fn next_nonce() -> String {
    NONCE.fetch_add(1, Ordering::Relaxed).to_string()
}

pub(crate) fn sign(
    secret: &str,
    method: &str,
    key: &str,
    nonce: &str,
    ts: &str,
    target: &str,
    body: &[u8],
) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(
        format!("{method}\nX-TC-Key={key}&X-TC-Nonce={nonce}&X-TC-Timestamp={ts}\n{target}\n")
            .as_bytes(),
    );
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    base64::engine::general_purpose::STANDARD.encode(hex)
}

/// One signed request; fields can be spoiled to exercise the gateway checks.
pub(crate) struct Req {
    method: Method,
    target: String,
    body: Vec<u8>,
    app_id: Option<String>,
    sdk_id: Option<String>,
    key: String,
    secret: String,
    ts: Option<String>,
    nonce: Option<String>,
    /// Sign this target instead of the one sent.
    signed_target: Option<String>,
    signature: Option<String>,
}

impl Req {
    pub(crate) fn new(method: Method, target: &str, body: impl Into<Vec<u8>>) -> Req {
        Req {
            method,
            target: target.to_string(),
            body: body.into(),
            app_id: Some(APP.into()),
            sdk_id: Some(SDK.into()),
            key: SID.into(),
            secret: SKEY.into(),
            ts: None,
            nonce: None,
            signed_target: None,
            signature: None,
        }
    }

    pub(crate) fn set_nonce(&mut self, n: &str) {
        self.nonce = Some(n.into());
    }

    pub(crate) fn set_ts(&mut self, t: &str) {
        self.ts = Some(t.into());
    }

    pub(crate) async fn send(self, app: &TestApp) -> Resp {
        let now = app.admin_get("/clock").await.json()["now_ms"]
            .as_i64()
            .unwrap()
            / 1000;
        let ts = self.ts.unwrap_or_else(|| now.to_string());
        let nonce = self
            .nonce
            .unwrap_or_else(|| NONCE.fetch_add(1, Ordering::Relaxed).to_string());
        let st = self.signed_target.as_deref().unwrap_or(&self.target);
        let sig = self.signature.unwrap_or_else(|| {
            sign(
                &self.secret,
                self.method.as_str(),
                &self.key,
                &nonce,
                &ts,
                st,
                &self.body,
            )
        });
        let mut h: Vec<(&str, &str)> = vec![
            ("Content-Type", "application/json; charset=utf-8"),
            ("X-TC-Key", &self.key),
            ("X-TC-Timestamp", &ts),
            ("X-TC-Nonce", &nonce),
            ("X-TC-Signature", &sig),
            ("X-TC-Registered", "1"),
        ];
        if let Some(a) = &self.app_id {
            h.push(("AppId", a));
        }
        if let Some(s) = &self.sdk_id {
            h.push(("SdkId", s));
        }
        app.send(self.method.clone(), &self.target, &h, self.body.clone())
            .await
    }
}

pub(crate) async fn call(app: &TestApp, method: Method, target: &str, body: Value) -> Resp {
    let b = if body.is_null() {
        Vec::new()
    } else {
        body.to_string().into_bytes()
    };
    Req::new(method, target, b).send(app).await
}

pub(crate) fn assert_error(r: &Resp, status: u16, code: i64) {
    assert_eq!(r.status.as_u16(), status, "{}", r.text);
    let v = r.json();
    assert_eq!(
        v.as_object().unwrap().len(),
        1,
        "only error_info at top level: {v}"
    );
    let e = &v["error_info"];
    assert_eq!(e["error_code"], code, "{v}");
    assert_eq!(
        e["new_error_code"].as_i64().unwrap() % 1_000_000,
        code,
        "{v}"
    );
    assert!(e["message"].is_string());
}

pub(crate) async fn invitees_of(app: &TestApp, id: &str) -> Vec<String> {
    let v = app
        .admin_get(&format!("/meetings/{id}?vendor=tencent"))
        .await
        .json();
    v["meeting"]["invitees"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|i| i["user_id"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) async fn state_of(app: &TestApp, id: &str) -> Value {
    app.admin_get(&format!("/meetings/{id}?vendor=tencent"))
        .await
        .json()["meeting"]
        .clone()
}

pub(crate) fn inv_path(id: &str) -> String {
    format!("/v1/meetings/{id}/invitees")
}

pub(crate) async fn set(app: &TestApp, id: &str, who: &str, list: &[&str]) -> Resp {
    let inv: Vec<Value> = list.iter().map(|u| json!({ "userid": u })).collect();
    call(
        app,
        Method::PUT,
        &inv_path(id),
        json!({"instanceid": 1, "invitees": inv, "userid": who}),
    )
    .await
}

pub(crate) async fn add_users(app: &TestApp, n: usize) -> Vec<String> {
    let ids: Vec<String> = (0..n).map(|i| format!("bulk{i:05}")).collect();
    let users: Vec<Value> = ids.iter().map(|id| json!({"id": id, "name": id})).collect();
    app.admin_post(
        &format!("/tenants/tencent/{APP}/users"),
        json!({ "users": users }),
    )
    .await;
    ids
}

// ---------- signature gateway ----------

#[tokio::test]
async fn a_request_signed_like_the_sdk_is_accepted() {
    let app = TestApp::spawn().await;
    let r = call(
        &app,
        Method::GET,
        &format!("/v1/meetings/{SCHEDULED}?operator_id=userA&operator_id_type=1&instanceid=1"),
        Value::Null,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let info = &r.json()["meeting_info_list"][0];
    assert_eq!(info["meeting_id"], SCHEDULED);
    assert_eq!(info["status"], "MEETING_STATE_INIT");
    assert_eq!(
        info["start_time"].as_str().unwrap().len(),
        10,
        "times are strings"
    );
}

#[tokio::test]
async fn a_wrong_signature_is_answered_200003_signature_failed_with_the_exact_envelope() {
    let app = TestApp::spawn().await;
    let mut req = Req::new(
        Method::GET,
        &format!("{}?userid=userA&instanceid=1", inv_path(SCHEDULED)),
        "",
    );
    req.secret = "not-the-secret".into();
    let r = req.send(&app).await;
    // 500: the only public sample with a status (Tencent expert article 1739992).
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        r.text,
        r#"{"error_info":{"error_code":200003,"new_error_code":200200003,"message":"Signature failed!"}}"#
    );
}

#[tokio::test]
async fn the_signature_covers_the_raw_body_bytes() {
    let app = TestApp::spawn().await;
    let mut req = Req::new(
        Method::PUT,
        &inv_path(SCHEDULED),
        r#"{"instanceid":1,"userid":"userA"}"#,
    );
    req.signature = Some(sign(SKEY, "PUT", SID, "1", "1", "/x", b"{}"));
    req.nonce = Some("1".into());
    assert_error(&req.send(&app).await, 500, 200003);
}

#[tokio::test]
async fn the_signature_covers_the_raw_query_string_not_a_re_encoded_one() {
    let app = TestApp::spawn().await;
    app.admin_post(
        &format!("/tenants/tencent/{APP}/users"),
        json!({"users": [{"id": "a b@c/é", "name": "Odd"}]}),
    )
    .await;
    let raw = "/v1/meetings/123/invitees?userid=a+b%40c%2F%C3%A9&instanceid=1";
    // Signed over a decoded form: refused.
    let mut bad = Req::new(Method::GET, raw, "");
    bad.signed_target = Some("/v1/meetings/123/invitees?userid=a b@c/é&instanceid=1".into());
    assert_error(&bad.send(&app).await, 500, 200003);
    // Signed over the bytes sent: accepted (the meeting does not exist: 190457).
    assert_error(
        &Req::new(Method::GET, raw, "").send(&app).await,
        400,
        190457,
    );
}

#[tokio::test]
async fn a_path_prefix_is_served_and_signed_as_part_of_the_target() {
    let app = TestApp::spawn().await;
    set(&app, SCHEDULED, "userA", &["userB"]).await;
    let r = call(
        &app,
        Method::GET,
        &format!("/tencent{}?userid=userA&instanceid=1", inv_path(SCHEDULED)),
        Value::Null,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["invitees"][0]["userid"], "userB");
}

#[tokio::test]
async fn an_unknown_app_id_is_refused_with_190303() {
    let app = TestApp::spawn().await;
    let mut req = Req::new(
        Method::GET,
        &format!("/v1/meetings/{SCHEDULED}?userid=userA&instanceid=1"),
        "",
    );
    req.app_id = Some("999".into());
    let r = req.send(&app).await;
    assert_eq!(
        r.text,
        r#"{"error_info":{"error_code":190303,"new_error_code":200190303,"message":"未认证的 secret 信息，请检查请求头公共参数里字段 AppId 和 X-TC-Key 内容是否正确。字段 SdkId 如未分配不要携带。"}}"#
    );
}

#[tokio::test]
async fn a_wrong_secret_id_or_sdk_id_or_no_app_id_is_refused_with_190303() {
    let app = TestApp::spawn().await;
    let t = format!("/v1/meetings/{SCHEDULED}?userid=userA&instanceid=1");
    let mut a = Req::new(Method::GET, &t, "");
    a.key = "AKIDother".into();
    assert_error(&a.send(&app).await, 400, 190303);
    let mut b = Req::new(Method::GET, &t, "");
    b.sdk_id = Some("1".into());
    assert_error(&b.send(&app).await, 400, 190303);
    let mut c = Req::new(Method::GET, &t, "");
    c.sdk_id = None;
    assert_error(&c.send(&app).await, 400, 190303);
    let mut d = Req::new(Method::GET, &t, "");
    d.app_id = None;
    assert_error(&d.send(&app).await, 400, 190303);
}

#[tokio::test]
async fn a_timestamp_more_than_five_minutes_off_or_not_a_number_is_190300() {
    let app = TestApp::spawn().await;
    // A frozen clock: a second ticking between reading it and sending would move the edges.
    app.admin_post("/clock/freeze", json!({})).await;
    let now = app.admin_get("/clock").await.json()["now_ms"]
        .as_i64()
        .unwrap()
        / 1000;
    let t = format!("/v1/meetings/{SCHEDULED}?userid=userA&instanceid=1");
    for ts in [
        (now - 301).to_string(),
        (now + 301).to_string(),
        "soon".into(),
        "".into(),
    ] {
        let mut r = Req::new(Method::GET, &t, "");
        r.ts = Some(ts.clone());
        assert_error(&r.send(&app).await, 400, 190300);
    }
    let mut ok = Req::new(Method::GET, &t, "");
    ok.ts = Some((now - 299).to_string());
    assert_eq!(ok.send(&app).await.status, StatusCode::OK);
}

#[tokio::test]
async fn replaying_a_timestamp_and_nonce_is_190301_until_the_time_window_closes() {
    let app = TestApp::spawn().await;
    let now = app.admin_get("/clock").await.json()["now_ms"]
        .as_i64()
        .unwrap()
        / 1000;
    let t = format!("/v1/meetings/{SCHEDULED}?userid=userA&instanceid=1");
    let mk = || {
        let mut r = Req::new(Method::GET, &t, "");
        r.ts = Some(now.to_string());
        r.nonce = Some("424242".into());
        r
    };
    assert_eq!(mk().send(&app).await.status, StatusCode::OK);
    assert_error(&mk().send(&app).await, 400, 190301);
    app.advance_secs(299.0).await;
    assert_error(&mk().send(&app).await, 400, 190301);
    app.advance_secs(2.0).await;
    assert_error(&mk().send(&app).await, 400, 190300);
}

#[tokio::test]
async fn nonces_up_to_twenty_digits_are_accepted_and_longer_ones_refused() {
    let app = TestApp::spawn().await;
    let t = format!("/v1/meetings/{SCHEDULED}?userid=userA&instanceid=1");
    let mut max = Req::new(Method::GET, &t, "");
    max.nonce = Some(u64::MAX.to_string());
    assert_eq!(max.send(&app).await.status, StatusCode::OK);
    for n in ["184467440737095516150", "12ab", ""] {
        let mut r = Req::new(Method::GET, &t, "");
        r.nonce = Some(n.into());
        assert_error(&r.send(&app).await, 500, 200003);
    }
}

#[tokio::test]
async fn an_unknown_path_under_v1_is_a_404_in_the_vendor_envelope() {
    let app = TestApp::spawn().await;
    let r = call(&app, Method::GET, "/v1/nothing", Value::Null).await;
    assert_error(&r, 404, 404);
    let r = call(&app, Method::POST, &inv_path(SCHEDULED), json!({})).await;
    assert_error(&r, 404, 404);
}

#[tokio::test]
async fn an_app_declared_through_the_admin_action_can_sign_requests() {
    let app = TestApp::spawn().await;
    app.admin_post(
        "/vendors/tencent/apps",
        json!({"app_id": "777", "secret_id": "k7", "secret_key": "s7", "users": [{"id": "u7"}]}),
    )
    .await;
    let mut r = Req::new(Method::GET, "/v1/meetings?userid=u7&instanceid=1", "");
    (r.app_id, r.sdk_id, r.key, r.secret) = (
        Some("777".into()),
        Some("".into()),
        "k7".into(),
        "s7".into(),
    );
    let r = r.send(&app).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["meeting_number"], 0);
}
