//! A DingTalk HTTP push receiver for the `events_dingtalk*` tests, written from the notes
//! (`dingtalk-events.md` §2.3–§2.4), not from meetmock's code: it verifies each push as the
//! official helper does and answers the encrypted `success` the way each helper writes it
//! (Python: wrapped Base64, seconds; Java: one line, milliseconds).

use crate::common::TestApp;
use crate::dingtalk as dt;
use crate::events_common::*;
use aes::cipher::{block_padding::NoPadding, BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use base64::Engine as _;
use reqwest::Method;
use serde_json::{json, Value};
use sha1::{Digest, Sha1};
use std::sync::Arc;

pub const TOKEN: &str = "mocktoken";
pub const AES: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
pub const MEMBER_TARGET: &str = "meeting_member_status_change_target_push";
pub const STATUS_TARGET: &str = "meeting_status_change_target_push";

/// The key: Base64 of `aes_key + "="`, non-zero trailing bits allowed (notes §2.3).
pub fn key(aes: &str) -> [u8; 32] {
    let lenient = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
    );
    lenient
        .decode(format!("{aes}="))
        .unwrap()
        .try_into()
        .unwrap()
}

/// `sha1_hex(sorted(parts).join(""))`.
pub fn sign(parts: [&str; 4]) -> String {
    let mut p = parts;
    p.sort();
    Sha1::digest(p.concat().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// (message, owner key) of an `encrypt` field.
pub fn open(aes: &str, b64: &str) -> (String, String) {
    let k = key(aes);
    let ct = base64::engine::general_purpose::STANDARD
        .decode(b64.replace('\n', ""))
        .expect("base64");
    let plain = cbc::Decryptor::<aes::Aes256>::new(&k.into(), k[..16].into())
        .decrypt_padded_vec_mut::<NoPadding>(&ct)
        .expect("whole blocks");
    assert_eq!(ct.len() % 32, 0, "padded to 32");
    let pad = *plain.last().unwrap() as usize;
    assert!(
        (1..=32).contains(&pad)
            && plain[plain.len() - pad..]
                .iter()
                .all(|b| *b as usize == pad)
    );
    let body = &plain[..plain.len() - pad];
    let n = u32::from_be_bytes(body[16..20].try_into().unwrap()) as usize;
    (
        String::from_utf8(body[20..20 + n].to_vec()).unwrap(),
        String::from_utf8(body[20 + n..].to_vec()).unwrap(),
    )
}

/// `encrypt` of `msg` (random prefix fixed: tests need no randomness).
pub fn seal(aes: &str, msg: &str, owner: &str) -> String {
    let k = key(aes);
    let mut block = b"0123456789abcdef".to_vec();
    block.extend_from_slice(&(msg.len() as u32).to_be_bytes());
    block.extend_from_slice(msg.as_bytes());
    block.extend_from_slice(owner.as_bytes());
    let pad = 32 - block.len() % 32;
    block.resize(block.len() + pad, pad as u8);
    let ct = cbc::Encryptor::<aes::Aes256>::new(&k.into(), k[..16].into())
        .encrypt_padded_vec_mut::<NoPadding>(&block);
    base64::engine::general_purpose::STANDARD.encode(ct)
}

/// The query of a received request.
pub fn query(g: &Got) -> std::collections::HashMap<String, String> {
    let target = g.request_line.split(' ').nth(1).unwrap_or("");
    let q = target.split_once('?').map(|(_, q)| q).unwrap_or("");
    url::form_urlencoded::parse(q.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Verifies a received push as the helper does and returns its plaintext event.
pub fn event(g: &Got, aes: &str, owner: &str) -> Value {
    let q = query(g);
    let encrypt = g.json()["encrypt"].as_str().expect("encrypt").to_string();
    assert_eq!(
        q["msg_signature"],
        sign([TOKEN, &q["timestamp"], &q["nonce"], &encrypt]),
        "signature over the query's timestamp and nonce"
    );
    let (msg, got_owner) = open(aes, &encrypt);
    assert_eq!(got_owner, owner);
    serde_json::from_str(&msg).expect("JSON inside")
}

/// How the receiver writes its encrypted `success`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Style {
    /// DingCallbackCrypto3.py: Base64 wrapped every 76 characters with a final newline,
    /// `timeStamp` in seconds, a 16-character nonce.
    Python,
    /// DingCallbackCrypto.java: one-line Base64, milliseconds.
    Java,
    /// Plain `success`, not encrypted (the console's classic mistake).
    Plain,
    /// Signed with another token.
    WrongToken,
    /// `success` followed by another owner key.
    WrongOwner,
}

fn wrap76(s: &str) -> String {
    let mut out = String::new();
    for chunk in s.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(chunk).unwrap());
        out.push('\n');
    }
    out
}

/// A receiver that verifies each push (500 when the signature or owner is wrong, as the helper
/// raises) and answers in `style`.
pub fn responder(style: Style, owner: &'static str) -> Answer {
    Answer::With(Responder(Arc::new(move |g: &Got| {
        let q = query(g);
        let Some(encrypt) = g.json()["encrypt"].as_str().map(str::to_string) else {
            return (500, "no encrypt".into());
        };
        let (ts, nonce) = (q.get("timestamp").cloned(), q.get("nonce").cloned());
        let (Some(ts), Some(nonce)) = (ts, nonce) else {
            return (500, "no timestamp/nonce".into());
        };
        if q.get("msg_signature") != Some(&sign([TOKEN, &ts, &nonce, &encrypt])) {
            return (500, "signature check error".into());
        }
        if open(AES, &encrypt).1 != owner {
            return (500, "corpId 校验错误".into());
        }
        let (token, sealed_owner) = match style {
            Style::WrongToken => ("othertoken", owner),
            Style::WrongOwner => (TOKEN, "dingsomeoneelse"),
            _ => (TOKEN, owner),
        };
        let enc = seal(AES, "success", sealed_owner);
        let (enc, ts, nonce) = match style {
            Style::Python => (wrap76(&enc), "1700000000".to_string(), "AbCdEfGhIjKlMnOp"),
            _ => (enc, "1700000000000".to_string(), "n0nce123"),
        };
        if style == Style::Plain {
            return (200, "success".into());
        }
        let sig = sign([token, &ts, nonce, &enc]);
        let body = json!({"msg_signature": sig, "timeStamp": ts, "nonce": nonce, "encrypt": enc});
        (200, body.to_string())
    })))
}

/// Subscribes the demo DingTalk app (HTTP push) to `url`; `extra` adds or overrides fields.
pub async fn subscribe(app: &TestApp, url: &str, extra: Value) -> crate::common::Resp {
    let mut body = json!({
        "vendor": "dingtalk", "tenant": dt::KEY, "url": url,
        "token": TOKEN, "aes_key": AES,
    });
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        body[k] = v;
    }
    app.admin_try(Method::POST, "/subscriptions", body).await
}

/// The received events, verified and decrypted, in arrival order.
pub fn events_of(got: &[Got]) -> Vec<Value> {
    got.iter().map(|g| event(g, AES, dt::KEY)).collect()
}

/// `(EventType, changeScene)` of each event.
pub fn scenes(events: &[Value]) -> Vec<(String, String)> {
    events
        .iter()
        .map(|e| {
            (
                e["EventType"].as_str().unwrap_or("").to_string(),
                e["changeScene"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}
