//! Shared by the `huawei_webhook` / `huawei_events` / `huawei_retries` modules: an enterprise
//! event receiver written from Huawei's documentation (notes `huawei-events.md` §2.3, §4) —
//! never from meetmock's code — plus setup helpers (a server trusting a test CA, an HTTPS
//! receiver, the configuration calls).
//!
//! The receiver takes the raw text of `eventInfo` from the body, checks
//! `hex(HMAC-SHA256(subscriberKey, appID + timestamp + nonce + eventInfo)) == signature`,
//! answers `meeting.verify` with `{"event":"meeting.verify","nonce":<the request's>}` and every
//! other event with 200 and no body; a bad signature gets 401 (the app refuses it).

#![allow(dead_code)]

use crate::common::{Resp, TestApp};
use crate::events_common::{Answer, Got, Receiver, Responder};
use crate::huawei::Hw;
use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::{json, Value};
use sha2::Sha256;
use std::sync::Arc;

pub const TENANT: &str = "hwcorp0001";
pub const SUBSCRIBER: &str = "1988692299";
pub const KEY: &str = "mockSubscriberKey123";

/// The raw text of the top-level `eventInfo` value (an object), as it arrived.
pub fn raw_event_info(body: &str) -> Option<&str> {
    let start = body.find("\"eventInfo\":")? + "\"eventInfo\":".len();
    let rest = &body[start..];
    let (mut depth, mut in_str, mut esc) = (0i32, false, false);
    for (i, c) in rest.char_indices() {
        match c {
            _ if esc => esc = false,
            '\\' if in_str => esc = true,
            '"' => in_str = !in_str,
            '{' if !in_str => depth += 1,
            '}' if !in_str => {
                depth -= 1;
                if depth == 0 {
                    return Some(&rest[..=i]);
                }
            }
            _ => {}
        }
    }
    None
}

/// A request header by name, whatever its case.
pub fn header<'a>(g: &'a Got, name: &str) -> Option<&'a str> {
    g.headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Lower-case hex HMAC-SHA256.
pub fn hmac_hex(key: &str, msg: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(msg.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The body parsed, when its signature verifies with `key`.
pub fn verified(key: &str, body: &[u8]) -> Result<Value, String> {
    let text = std::str::from_utf8(body).map_err(|e| e.to_string())?;
    let j: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let ei = raw_event_info(text).ok_or("no eventInfo")?;
    let msg = format!(
        "{}{}{}{}",
        j["appID"].as_str().ok_or("appID not a string")?,
        j["timestamp"].as_i64().ok_or("timestamp not an integer")?,
        j["nonce"].as_str().ok_or("nonce not a string")?,
        ei
    );
    if hmac_hex(key, &msg) != j["signature"] {
        return Err(format!("signature mismatch: {text}"));
    }
    Ok(j)
}

/// The documented receiver (see the module documentation).
pub fn docs_receiver(key: &'static str) -> Answer {
    Answer::With(Responder(Arc::new(move |g: &Got| {
        match verified(key, &g.body) {
            Err(e) => (401, json!({ "error": e }).to_string()),
            Ok(j) if j["eventInfo"]["event"] == "meeting.verify" => (
                200,
                json!({"event": "meeting.verify", "nonce": j["nonce"]}).to_string(),
            ),
            Ok(_) => (200, String::new()),
        }
    })))
}

/// A receiver that answers the verification with the wrong nonce.
pub fn wrong_nonce() -> Answer {
    Answer::With(Responder(Arc::new(|_g: &Got| {
        (
            200,
            json!({"event": "meeting.verify", "nonce": "00000000x"}).to_string(),
        )
    })))
}

/// The server with the demo scenario, trusting `ca` for receivers (`--events-ca`).
pub async fn server_trusting(ca: &str) -> (Hw, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "meetmock-hw-ca-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("ca.pem");
    std::fs::write(&path, ca).unwrap();
    let config = meetmock::config::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        events_ca: Some(path),
        ..Default::default()
    };
    (Hw::of(TestApp::spawn_config(config, "").await), dir)
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
}

/// An HTTPS receiver signed by a fresh CA, and a server trusting that CA.
pub async fn https_setup(answer: Answer) -> (Hw, Receiver, std::path::PathBuf) {
    let (ca, cfg) = crate::events_state::ca_and_server();
    let (hw, dir) = server_trusting(&ca).await;
    let rx = Receiver::start_tls(answer, Some(cfg)).await;
    (hw, rx, dir)
}

/// SetWebHookConfig.
pub async fn set_config(hw: &Hw, at: &str, body: Value) -> Resp {
    hw.at(
        Method::POST,
        "/v1/mmc/management/webhook/link-config",
        at,
        &body.to_string(),
    )
    .await
}

/// ShowWebHookConfig's JSON.
pub async fn show_config(hw: &Hw, at: &str) -> Value {
    let r = hw
        .at(
            Method::GET,
            &format!("/v1/mmc/management/webhook/link-config?corpId={TENANT}"),
            at,
            "",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()
}

/// UpdateWebHookConfigStatus.
pub async fn set_status(hw: &Hw, at: &str, id: &str, status: &str) -> Resp {
    hw.at(
        Method::PUT,
        &format!("/v1/mmc/management/webhook/change-status?id={id}&status={status}"),
        at,
        "",
    )
    .await
}

/// Sets and enables the enterprise's configuration to `url`; returns its id.
pub async fn configure(hw: &Hw, at: &str, url: &str) -> String {
    let r = set_config(
        hw,
        at,
        json!({"corpId": TENANT, "subscriberId": SUBSCRIBER, "subscriberKey": KEY, "url": url}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let id = show_config(hw, at).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = set_status(hw, at, &id, "0").await;
    assert_eq!(r.status, 200, "{}", r.text);
    id
}

/// A console-made subscription (admin API: plain HTTP allowed) verified against `url`.
pub async fn subscribe(app: &TestApp, url: &str) -> Value {
    let s = app
        .admin_post(
            "/subscriptions",
            json!({"vendor": "huawei", "tenant": TENANT, "url": url,
                   "subscriberId": SUBSCRIBER, "subscriberKey": KEY}),
        )
        .await;
    assert_eq!(s["verification"]["state"], "verified", "{s}");
    s
}

/// Received bodies (verified), skipping `meeting.verify`.
pub fn pushed(got: &[Got]) -> Vec<Value> {
    got.iter()
        .map(|g| verified(KEY, &g.body).expect("every push verifies"))
        .filter(|j| j["eventInfo"]["event"] != "meeting.verify")
        .collect()
}

/// The event names of received pushes, in arrival order.
pub fn names(got: &[Got]) -> Vec<String> {
    pushed(got)
        .iter()
        .map(|j| j["eventInfo"]["event"].as_str().unwrap().to_string())
        .collect()
}
