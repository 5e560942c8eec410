//! The server side of the RFC 6455 opening handshake (§4.2): what an upgrade request must
//! carry and the `101 Switching Protocols` answer. `tungstenite` derives the accept key.
//!
//! Refusals (§4.2.2): a request that is no valid WebSocket upgrade gets 400; a request for a
//! version other than 13 gets 426 Upgrade Required with `Sec-WebSocket-Version: 13`.

use crate::exchange::{Exchange, Reply};
use http::request::Parts;
use http::{HeaderValue, Method, StatusCode, Version};

/// A plain-text refusal of the handshake.
pub fn refuse(status: StatusCode, why: &str) -> Reply {
    Reply::text(status, why.to_string())
}

/// The answer to a request on a WebSocket path that is no upgrade at all.
pub fn not_an_upgrade(_ex: &mut Exchange<'_>) -> Reply {
    refuse(
        StatusCode::BAD_REQUEST,
        "this is a WebSocket endpoint: send an HTTP/1.1 GET with Upgrade: websocket",
    )
}

/// True when a comma-separated header holds `token` (case-insensitively) in any of its values.
fn has_token(parts: &Parts, name: &str, token: &str) -> bool {
    parts.headers.get_all(name).iter().any(|v| {
        v.to_str()
            .unwrap_or("")
            .split(',')
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    })
}

/// Checks an upgrade request (§4.2.1) and returns its `Sec-WebSocket-Key`, or the refusal.
pub fn check(parts: &Parts) -> Result<String, Reply> {
    let bad = |why: &str| Err(refuse(StatusCode::BAD_REQUEST, why));
    if parts.method != Method::GET || parts.version != Version::HTTP_11 {
        return bad("a WebSocket handshake is an HTTP/1.1 GET");
    }
    if !has_token(parts, "upgrade", "websocket") {
        return bad("missing `Upgrade: websocket`");
    }
    if !has_token(parts, "connection", "upgrade") {
        return bad("missing `Connection: Upgrade`");
    }
    let version = parts
        .headers
        .get("sec-websocket-version")
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    if version != Some("13") {
        let mut r = refuse(
            StatusCode::UPGRADE_REQUIRED,
            "unsupported Sec-WebSocket-Version (13 is served)",
        );
        r.headers.push((
            http::header::SEC_WEBSOCKET_VERSION,
            HeaderValue::from_static("13"),
        ));
        return Err(r);
    }
    let key = parts
        .headers
        .get("sec-websocket-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .unwrap_or("");
    use base64::Engine as _;
    let decoded = base64::engine::general_purpose::STANDARD.decode(key);
    if decoded.map(|k| k.len()) != Ok(16) {
        return bad("`Sec-WebSocket-Key` must be 16 bytes, base64-encoded");
    }
    Ok(key.to_string())
}

/// The `101 Switching Protocols` answer for a request's key.
pub fn switching(key: &str) -> Reply {
    let accept = tokio_tungstenite::tungstenite::handshake::derive_accept_key(key.as_bytes());
    let mut r = Reply {
        status: StatusCode::SWITCHING_PROTOCOLS,
        headers: Vec::with_capacity(4),
        body: bytes::Bytes::new(),
        code: None,
    };
    r.headers
        .push((http::header::UPGRADE, HeaderValue::from_static("websocket")));
    r.headers.push((
        http::header::CONNECTION,
        HeaderValue::from_static("Upgrade"),
    ));
    if let Ok(v) = HeaderValue::from_str(&accept) {
        r.headers.push((http::header::SEC_WEBSOCKET_ACCEPT, v));
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(headers: &[(&str, &str)]) -> Parts {
        let mut b = http::Request::builder().method("GET").uri("/ws");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(()).unwrap().into_parts().0
    }

    const GOOD: &[(&str, &str)] = &[
        ("Upgrade", "websocket"),
        ("Connection", "keep-alive, Upgrade"),
        ("Sec-WebSocket-Version", "13"),
        ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
    ];

    #[test]
    fn the_rfc_example_key_gets_the_rfc_accept_value() {
        let key = check(&parts(GOOD)).unwrap();
        let r = switching(&key);
        assert_eq!(r.status, StatusCode::SWITCHING_PROTOCOLS);
        assert_eq!(
            r.header("sec-websocket-accept"),
            Some("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        );
    }

    #[test]
    fn a_wrong_version_is_426_naming_13_and_a_missing_key_is_400() {
        let mut h = GOOD.to_vec();
        h[2] = ("Sec-WebSocket-Version", "8");
        let r = check(&parts(&h)).unwrap_err();
        assert_eq!(r.status, StatusCode::UPGRADE_REQUIRED);
        assert_eq!(r.header("sec-websocket-version"), Some("13"));
        let r = check(&parts(&GOOD[..3])).unwrap_err();
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let r = check(&parts(&GOOD[1..])).unwrap_err();
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
    }
}
