//! AK/SK request signatures ("企业自建应用" JWT mode), as the Tencent gateway checks them.
//!
//! Mirrors cloud.tencent.com/document/api/1095/42413 and the official SDKs
//! (`wemeet_openapi/core/authenticator.py`, Go `core/authenticator.go`):
//! `stringToSign = METHOD\nX-TC-Key=…&X-TC-Nonce=…&X-TC-Timestamp=…\n<request-target>\n<body>`,
//! `X-TC-Signature = base64(lowercase_hex(HMAC-SHA256(SecretKey, stringToSign)))` (88 chars).
//! The request-target and body are the raw bytes received (never re-encoded).
//!
//! Check order [INF, notes §4]: app identity (AppId, X-TC-Key, SdkId) → 190303, timestamp
//! window ±300 s on the server clock → 190300, signature → 200003, replay → 190301. The replay
//! check comes after the signature so forged requests cannot fill the cache.
//! [INF] a missing or malformed `X-TC-Nonce` (not a positive integer of at most 20 digits:
//! the signing doc says "随机正整数") or a missing signature is answered 200003: the signed
//! material is incomplete. A missing/non-numeric timestamp is 190300.
//!
//! After the replay check, the two unsigned public headers the signing doc makes mandatory
//! (/1095/42413 "公共参数"): `X-TC-Registered` must be `1` ("传入值必须为1"; every SDK sends
//! it) and `Content-Type` must be `application/json` ("传入格式必须为 application/json"; every
//! SDK sends it, on GETs too, with `; charset=utf-8`). [INF] both are answered 400/190004
//! naming the header: the docs give no code, and they are parameters, not signature material.

use super::errors;
use super::replay::ReplayCache;
use crate::exchange::{Exchange, Principal};
use crate::store::VendorId;
use crate::vendors::ErrorDef;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The allowed distance between `X-TC-Timestamp` and the server clock.
pub const WINDOW_SECS: i64 = 300;

/// `base64(hex(HMAC-SHA256(secret, string_to_sign)))`.
pub fn sign(secret: &str, string_to_sign: &[u8]) -> String {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(string_to_sign);
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut hex = [0u8; 64];
    for (i, b) in mac.finalize().into_bytes().iter().enumerate() {
        hex[2 * i] = HEX[(b >> 4) as usize];
        hex[2 * i + 1] = HEX[(b & 0xf) as usize];
    }
    base64::engine::general_purpose::STANDARD.encode(hex)
}

/// The string to sign, byte for byte.
pub fn string_to_sign(
    method: &str,
    key: &str,
    nonce: &str,
    timestamp: &str,
    target: &str,
    body: &[u8],
) -> Vec<u8> {
    let mut s = format!(
        "{method}\nX-TC-Key={key}&X-TC-Nonce={nonce}&X-TC-Timestamp={timestamp}\n{target}\n"
    )
    .into_bytes();
    s.extend_from_slice(body);
    s
}

/// Constant-time equality of two byte strings (length is not secret).
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn nonempty<'a>(ex: &'a Exchange<'_>, name: &str) -> Option<&'a str> {
    ex.header(name).map(str::trim).filter(|v| !v.is_empty())
}

/// Why a request was refused: a gateway error, or a header parameter (400/190004 naming it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Gateway(&'static ErrorDef),
    Param(&'static str),
}

impl From<&'static ErrorDef> for Refusal {
    fn from(e: &'static ErrorDef) -> Self {
        Refusal::Gateway(e)
    }
}

/// `application/json`, with or without parameters (`; charset=utf-8`), any case.
fn is_json(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
}

/// Verifies the request and sets `ex.principal`; `Err` is the refusal to answer with.
pub fn verify(ex: &mut Exchange<'_>, replay: &ReplayCache) -> Result<(), Refusal> {
    let app_id = nonempty(ex, "appid").ok_or(&errors::INVALID_APP)?;
    let key = nonempty(ex, "x-tc-key").ok_or(&errors::INVALID_APP)?;
    // Tencent tenants are strict: a SecretKey cannot be learned from a signature, so unknown
    // apps are refused (declare them in a scenario or via `POST /__admin/vendors/tencent/apps`).
    let tenant = ex
        .app
        .store
        .tenant(VendorId::Tencent, app_id)
        .ok_or(&errors::INVALID_APP)?;
    if tenant.credential("secret_id").is_some_and(|id| id != key) {
        return Err(Refusal::Gateway(&errors::INVALID_APP));
    }
    let sdk = nonempty(ex, "sdkid");
    if sdk != tenant.credential("sdk_id").filter(|s| !s.is_empty()) {
        return Err(Refusal::Gateway(&errors::INVALID_APP));
    }

    let ts_text = nonempty(ex, "x-tc-timestamp").ok_or(&errors::TIMESTAMP_EXPIRED)?;
    let ts: i64 = ts_text
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| ts_text.parse().ok())
        .flatten()
        .ok_or(&errors::TIMESTAMP_EXPIRED)?;
    if (ex.now_secs() - ts).abs() > WINDOW_SECS {
        return Err(Refusal::Gateway(&errors::TIMESTAMP_EXPIRED));
    }

    let nonce = nonempty(ex, "x-tc-nonce").ok_or(&errors::SIGNATURE_FAILED)?;
    // Up to 20 digits (the Go SDK uses uint64): parse as u64, never a narrower type.
    let nonce_value: u64 = match nonce.parse() {
        Ok(n) if n > 0 && nonce.len() <= 20 && nonce.bytes().all(|b| b.is_ascii_digit()) => n,
        _ => return Err(Refusal::Gateway(&errors::SIGNATURE_FAILED)),
    };
    let presented = nonempty(ex, "x-tc-signature").ok_or(&errors::SIGNATURE_FAILED)?;
    let sts = string_to_sign(ex.method.as_str(), key, nonce, ts_text, ex.target, &ex.body);
    if !same(sign(&tenant.secret, &sts).as_bytes(), presented.as_bytes()) {
        return Err(Refusal::Gateway(&errors::SIGNATURE_FAILED));
    }
    if !replay.first_use(&tenant.id, ts, nonce_value, ex.now_ms) {
        return Err(Refusal::Gateway(&errors::REPLAYED));
    }
    if ex.header("x-tc-registered").map(str::trim) != Some("1") {
        return Err(Refusal::Param("X-TC-Registered 必须为 1"));
    }
    if !ex.header("content-type").is_some_and(is_json) {
        return Err(Refusal::Param("Content-Type 必须为 application/json"));
    }
    ex.principal = Some(Principal {
        tenant,
        kind: None,
        user: None,
        token: None,
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "AKIDmockSecretId0001";
    const KEY: &str = "mockSecretKey0001";

    #[test]
    fn worked_example_1_put_invitees() {
        let body = br#"{"instanceid":1,"invitees":[{"userid":"userB"},{"userid":"ghost_x"}],"userid":"userA"}"#;
        let s = string_to_sign(
            "PUT",
            ID,
            "1234567890",
            "1700000000",
            "/v1/meetings/7567173273889276131/invitees",
            body,
        );
        assert_eq!(
            sign(KEY, &s),
            "NGEzZTljNzc1Mjg3NTVkMDk4ZmRmZjY2NjdkOThkYjNjZDM1YzFhZWRhMTY2Zjg2M2JkN2UzODBlODAyNTk4ZA=="
        );
    }

    #[test]
    fn worked_example_2_get_with_query_and_empty_body() {
        let s = string_to_sign(
            "GET",
            ID,
            "1234567891",
            "1700000000",
            "/v1/meetings/7567173273889276131/invitees?userid=userA&instanceid=1&pos=0",
            b"",
        );
        assert!(s.ends_with(b"pos=0\n"));
        let sig = sign(KEY, &s);
        assert_eq!(sig.len(), 88);
        assert_eq!(
            sig,
            "YTNlNTNhMTQyZWMwY2MxZTc3ZjhhMjFmNTVjODA4ZjM2ZjJhN2I3MDA0YWVhZTRlZWJhZjBhNDMxNzJjMzIyOA=="
        );
    }

    #[test]
    fn captured_sdk_create_request_verifies() {
        let body = r#"{"end_time":"1795253605","instanceid":1,"invitees":[{"userid":"userB"}],"settings":{"mute_enable_join":true},"start_time":"1795250005","subject":"探针会议 probe","type":0,"userid":"userA"}"#;
        let s = string_to_sign(
            "POST",
            "probe-secret-id",
            "1795246405068727133",
            "1795246405",
            "/v1/meetings",
            body.as_bytes(),
        );
        assert_eq!(
            sign("probe-secret-key", &s),
            "M2NkZDFlOWI0NzNkNjJlYmMwYThjZWE2YTMxNTI0ODMzYjBjYmEzMGE0MDVhNmIxYTc0YTQxNTU0Njc3ODlmZg=="
        );
    }

    #[test]
    fn constant_time_compare_checks_length_and_bytes() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"ab"));
    }
}
