//! A Tencent Meeting callback receiver written from Tencent's docs (1095/51608 回调服务要求,
//! 51612 签名校验, 54658 事件加解密) and the procedure of the notes
//! (`shared/vendors/tencent-events.md` §4) — not from meetmock's code: it URL-decodes the
//! query like a form decoder (a raw `+` would become a space), checks the SHA-1 signature over
//! the four sorted values, base64-decodes leniently, AES-256-CBC-decrypts with IV = key[..16]
//! and strict PKCS#7, and answers the GET with the bare plaintext and a POST with 200
//! `successfully received callback` (403 on a bad signature). Plus admin helpers for the
//! `tencent_events*` modules.

#![allow(dead_code)]

use crate::common::TestApp;
use crate::events_common::{Answer, Got, Receiver, Responder};
use crate::tencent::APP;
use aes::cipher::{block_padding::Pkcs7, BlockDecryptMut, KeyIvInit};
use base64::Engine as _;
use serde_json::{json, Value};
use sha1::{Digest, Sha1};
use std::sync::Arc;

pub const TOKEN: &str = "mockWebhookToken000000001";
pub const AES_KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

/// `lowercase_hex(sha1(concat(sorted([token, timestamp, nonce, x]))))`.
pub fn sha1_signature(token: &str, ts: &str, nonce: &str, x: &str) -> String {
    let mut v = [token, ts, nonce, x];
    v.sort();
    Sha1::digest(v.concat().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Base64 with the padding added when missing (receivers in Java/Node accept unpadded input).
pub fn b64decode_lenient(s: &str) -> Vec<u8> {
    let mut p = s.to_string();
    while !p.len().is_multiple_of(4) {
        p.push('=');
    }
    base64::engine::general_purpose::STANDARD
        .decode(p)
        .expect("base64")
}

/// `k = b64decode(EncodingAESKey + "=")`; AES-256-CBC(k, iv = k[:16]); strict PKCS#7.
pub fn aes_decrypt(encoding_aes_key: &str, ct: &[u8]) -> Vec<u8> {
    let k = base64::engine::general_purpose::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::general_purpose::GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true),
    )
    .decode(format!("{encoding_aes_key}="))
    .expect("key");
    let key: [u8; 32] = k.try_into().expect("32 bytes");
    let iv: [u8; 16] = key[..16].try_into().unwrap();
    cbc::Decryptor::<aes::Aes256>::new(&key.into(), &iv.into())
        .decrypt_padded_vec_mut::<Pkcs7>(ct)
        .expect("PKCS#7")
}

/// The plaintext inside a `data` / `check_str` value.
pub fn open(key: Option<&str>, x: &str) -> Vec<u8> {
    let raw = b64decode_lenient(x);
    match key {
        Some(k) => aes_decrypt(k, &raw),
        None => raw,
    }
}

/// The request's query parameters, form-decoded.
pub fn query(got: &Got) -> Vec<(String, String)> {
    let target = got.request_line.split(' ').nth(1).unwrap_or("");
    let q = target.split_once('?').map_or("", |(_, q)| q);
    url::form_urlencoded::parse(q.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub fn is_get(got: &Got) -> bool {
    got.request_line.starts_with("GET ")
}

/// True when the `signature` header verifies over `x`.
pub fn verifies(got: &Got, token: &str, x: &str) -> bool {
    let h = |n: &str| got.header(n).unwrap_or("").to_string();
    h("signature") == sha1_signature(token, &h("timestamp"), &h("nonce"), x)
}

/// The `data` of a POST.
pub fn data(got: &Got) -> String {
    got.json()["data"].as_str().expect("data").to_string()
}

/// The event JSON of a POST, checked: signature, envelope, one-element payload.
pub fn event(got: &Got, token: &str, key: Option<&str>) -> Value {
    let d = data(got);
    assert!(verifies(got, token, &d), "signature over data: {got:?}");
    let ev: Value = serde_json::from_slice(&open(key, &d)).expect("event JSON");
    assert_eq!(ev["payload"].as_array().map(Vec::len), Some(1), "{ev}");
    ev
}

/// The receiver's answer: the GET handshake echoes the plaintext, a POST gets
/// `successfully received callback`; a bad signature gets 403.
pub fn responder(token: &str, key: Option<&str>) -> Answer {
    let (token, key) = (token.to_string(), key.map(str::to_string));
    Answer::With(Responder(Arc::new(move |got: &Got| {
        if is_get(got) {
            let cs = query(got)
                .into_iter()
                .find(|(k, _)| k == "check_str")
                .map(|(_, v)| v)
                .unwrap_or_default();
            if !verifies(got, &token, &cs) {
                return (403, "bad signature".into());
            }
            let plain = open(key.as_deref(), &cs);
            return (200, String::from_utf8(plain).unwrap_or_default());
        }
        let body: Value = serde_json::from_slice(&got.body).unwrap_or(Value::Null);
        let d = body["data"].as_str().unwrap_or_default();
        if !verifies(got, &token, d) {
            return (403, "bad signature".into());
        }
        (200, "successfully received callback".into())
    })))
}

/// A receiver for the token and key, answering as [`responder`] does.
pub async fn receiver(key: Option<&str>) -> Receiver {
    Receiver::start(responder(TOKEN, key)).await
}

/// Subscribes the demo Tencent app; `extra` adds settings or overrides fields.
pub async fn subscribe(app: &TestApp, url: &str, key: Option<&str>, extra: Value) -> Value {
    let mut body = json!({
        "vendor": "tencent", "tenant": APP, "url": url, "token": TOKEN, "verify": false,
    });
    if let Some(k) = key {
        body["encoding_aes_key"] = json!(k);
    }
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        body[k] = v;
    }
    app.admin_post("/subscriptions", body).await
}

/// The POSTed events (GETs skipped), verified and decoded, in arrival order.
pub fn posted(got: &[Got], key: Option<&str>) -> Vec<Value> {
    got.iter()
        .filter(|g| !is_get(g))
        .map(|g| event(g, TOKEN, key))
        .collect()
}

/// Their event names.
pub fn names(evs: &[Value]) -> Vec<String> {
    evs.iter()
        .map(|e| e["event"].as_str().unwrap_or("").to_string())
        .collect()
}

/// Admin meeting action on the demo Tencent app.
pub async fn meeting(app: &TestApp, id: &str, action: &str, body: Value) -> Value {
    let mut b = json!({"vendor": "tencent", "tenant": APP});
    for (k, v) in body.as_object().cloned().unwrap_or_default() {
        b[k] = v;
    }
    app.admin_post(&format!("/meetings/{id}/{action}"), b).await
}

/// Waits until every delivery of the app is finished (10 s at most); returns them oldest first.
pub async fn settled(app: &TestApp) -> Vec<Value> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let r = app
            .admin_get("/events?vendor=tencent&limit=500")
            .await
            .json();
        let mut all = r["events"].as_array().cloned().unwrap_or_default();
        if all.iter().all(|d| {
            matches!(
                d["status"].as_str(),
                Some("delivered" | "failed" | "dropped")
            )
        }) {
            all.reverse();
            return all;
        }
        assert!(std::time::Instant::now() < deadline, "unsettled: {all:#?}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
