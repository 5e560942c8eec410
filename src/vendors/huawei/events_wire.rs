//! Huawei enterprise meeting-event push on the wire: the body `{appID, timestamp, nonce,
//! signature, eventInfo}`, its HMAC-SHA256 signature, the request headers and the
//! `meeting.verify` handshake nonce (API reference "会议事件推送": body tables, 启用验证事件;
//! notes `shared/vendors/huawei-events.md` §1.2, §2.2, §2.3).
//!
//! `signature = lowercase hex(HMAC-SHA256(key = subscriberKey, appID ‖ timestamp ‖ nonce ‖
//! eventInfo JSON))`. The docs sign "the event info converted to a JSON string" and send it as
//! an object; meetmock serializes `eventInfo` once (compact, keys in the documented order, raw
//! UTF-8), signs exactly those bytes and splices the same bytes into the body, so a receiver
//! that takes the raw `eventInfo` substring verifies what it got.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// `lowercase hex(HMAC-SHA256(key, appID ‖ timestamp ‖ nonce ‖ eventInfo))` (§2.3).
pub fn signature(key: &str, app_id: &str, timestamp: i64, nonce: &str, event_info: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key.as_bytes()) else {
        return String::new();
    };
    mac.update(app_id.as_bytes());
    mac.update(timestamp.to_string().as_bytes());
    mac.update(nonce.as_bytes());
    mac.update(event_info.as_bytes());
    hex(&mac.finalize().into_bytes())
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The compact body, `eventInfo` spliced in as the exact bytes that were signed.
pub fn body(key: &str, app_id: &str, timestamp: i64, nonce: &str, event_info: &str) -> String {
    let sig = signature(key, app_id, timestamp, nonce, event_info);
    let text = |s: &str| serde_json::Value::String(s.to_string()).to_string();
    format!(
        "{{\"appID\":{},\"timestamp\":{timestamp},\"nonce\":{},\"signature\":\"{sig}\",\"eventInfo\":{event_info}}}",
        text(app_id),
        text(nonce)
    )
}

/// The 8-digit nonce every documented example carries, drawn from `n`.
pub fn nonce(n: u128) -> String {
    format!("{:08}", n % 100_000_000)
}

/// The `meeting.verify` nonce for a handshake challenge (the engine's 32-hex challenge): the
/// request carries it and the answer must echo it.
pub fn verify_nonce(challenge: &str) -> String {
    let n =
        u64::from_str_radix(challenge.get(..16).unwrap_or(challenge), 16).unwrap_or_else(|_| {
            challenge.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            })
        });
    nonce(u128::from(n))
}

/// `Date` as the examples send it, RFC 1123 in GMT (`Tue, 17 Dec 2019 09:32:47 GMT`).
pub fn http_date(ms: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = super::views::civil_from_days(days);
    format!(
        "{}, {d:02} {} {y:04} {:02}:{:02}:{:02} GMT",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[(m - 1).clamp(0, 11) as usize],
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// The request headers in the examples' order (§2.2); `Host` and `Content-Length` are the
/// HTTP client's.
pub fn headers(at_ms: i64, request_id: String) -> Vec<(&'static str, String)> {
    vec![
        ("Date", http_date(at_ms)),
        ("Content-Type", "application/json;charset=UTF-8".to_string()),
        ("Connection", "keep-alive".to_string()),
        ("Pragma", "No-cache".to_string()),
        ("Cache-Control", "no-cache".to_string()),
        ("X-Request-ID", request_id),
    ]
}

/// The position of the value of the top-level `"signature"` key in a body this module built.
pub fn signature_span(body: &[u8]) -> Option<(usize, usize)> {
    let key = b"\"signature\":\"";
    let start = body.windows(key.len()).position(|w| w == key)? + key.len();
    let len = body[start..].iter().position(|b| *b == b'"')?;
    Some((start, start + len))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The appkey of the notes' vectors (shared/vendors/huawei-events.md §2.3).
    const KEY: &str = "mockSubscriberKey123";

    #[test]
    fn the_verify_vector_of_the_notes() {
        let info = r#"{"event":"meeting.verify","timestamp":1629183619116}"#;
        assert_eq!(
            signature(KEY, "1988692299", 1_629_183_619_116, "85262798", info),
            "33af16e2b9f326e73cbd24a4c16f6580f6992aadb573aaf4fbfe0e737b8b13b7"
        );
    }

    #[test]
    fn the_join_vector_of_the_notes_and_its_exact_body() {
        let info = r#"{"event":"meeting.join","timestamp":1671523596351,"payload":{"meetingInfo":{"meetingID":"987446316","meetingUUID":"0307e0400f0a11eca58a9fcb8e69dde8"},"attendeeInfo":{"userUUID":"f39228ec18ed4ff88afa754a69832952","userAgent":"WeLink-desktop","account":"yangtest01","participantID":"ebbe4e6cdc6111ee960a91a270e1373e","displayName":"yangtest01","joinTime":1709802363369,"leftTime":0,"role":"CHAIR","callNumber":"+86571264265330456"}}}"#;
        let want = r#"{"appID":"123456789","timestamp":1671523596351,"nonce":"60426560","signature":"29a784f27d41ef8e5e2c88010a40e9eda34058992b1d15091cfa7ca6799542ec","eventInfo":"#
            .to_string()
            + info
            + "}";
        assert_eq!(
            body(KEY, "123456789", 1_671_523_596_351, "60426560", info),
            want
        );
        let (s, e) = signature_span(want.as_bytes()).unwrap();
        assert_eq!(
            &want[s..e],
            "29a784f27d41ef8e5e2c88010a40e9eda34058992b1d15091cfa7ca6799542ec"
        );
    }

    #[test]
    fn a_different_key_or_byte_changes_the_signature() {
        let info = r#"{"event":"meeting.verify","timestamp":1629183619116}"#;
        let good = signature(KEY, "1988692299", 1_629_183_619_116, "85262798", info);
        assert_ne!(
            signature("other", "1988692299", 1_629_183_619_116, "85262798", info),
            good
        );
        let spaced = r#"{"event": "meeting.verify", "timestamp": 1629183619116}"#;
        assert_ne!(
            signature(KEY, "1988692299", 1_629_183_619_116, "85262798", spaced),
            good
        );
    }

    #[test]
    fn nonces_are_eight_digits_and_the_verify_nonce_is_stable() {
        assert_eq!(nonce(7), "00000007");
        assert_eq!(nonce(1_234_567_891), "34567891");
        let c = "00000000075bcd15ffffffffffffffff";
        assert_eq!(verify_nonce(c), "23456789");
        assert_eq!(verify_nonce(c), verify_nonce(c));
        assert_eq!(verify_nonce("zz").len(), 8);
    }

    #[test]
    fn the_date_header_is_rfc_1123() {
        assert_eq!(
            http_date(1_576_575_167_000),
            "Tue, 17 Dec 2019 09:32:47 GMT"
        );
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    }
}
