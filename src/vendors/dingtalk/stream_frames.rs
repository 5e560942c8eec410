//! Stream-mode frames, as the official `dingtalk-stream` SDKs read and write them (notes
//! `shared/vendors/dingtalk-events.md` §3.2; Python `frames.py`, Go `payload/data_frame.go`,
//! Java `EventHeaders`/`HeaderNames`): server → client
//! `{"specVersion":"1.0","type":"EVENT"|"SYSTEM","headers":{…},"data":"<JSON string>"}`, client →
//! server ACK `{"code":200,"headers":{"contentType","messageId"},"message":…,"data":"<string>"}`.
//!
//! Header values are strings; `time` and `eventBornTime` are ms as numeric strings (Python
//! `int()`s them: anything else aborts the frame with no ACK). EVENT frames carry topic `*`
//! (Go looks handlers up by (type, topic) and registers all-event handlers under `*`).

use super::stream::{acked, Acked};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;

pub const PING: &str = "ping";
pub const DISCONNECT: &str = "disconnect";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Headers<'a> {
    app_id: &'a str,
    connection_id: &'a str,
    content_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    event_born_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    event_corp_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    event_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    event_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    event_unified_app_id: Option<&'a str>,
    message_id: &'a str,
    time: String,
    topic: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Frame<'a> {
    spec_version: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    headers: Headers<'a>,
    data: String,
}

/// The Stream view a delivery carries (`events_model::StreamView`), read back.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct View<'a> {
    event_unified_app_id: &'a str,
    event_corp_id: &'a str,
    event_type: &'a str,
    event_id: &'a str,
    event_born_time: i64,
    #[serde(borrow)]
    data: &'a RawValue,
}

/// A SYSTEM frame (`ping`, `disconnect`) with `data` as its JSON string.
pub fn system(
    topic: &str,
    connection: &str,
    message_id: &str,
    now_ms: i64,
    data: &Value,
) -> String {
    let f = Frame {
        spec_version: "1.0",
        kind: "SYSTEM",
        headers: Headers {
            app_id: "",
            connection_id: connection,
            content_type: "application/json",
            event_born_time: None,
            event_corp_id: None,
            event_id: None,
            event_type: None,
            event_unified_app_id: None,
            message_id,
            time: now_ms.to_string(),
            topic,
        },
        data: data.to_string(),
    };
    serde_json::to_string(&f).unwrap_or_default()
}

/// The EVENT frame of a delivery's Stream view; `None` when the payload is not one.
pub fn event(view: &[u8], connection: &str, message_id: &str, now_ms: i64) -> Option<String> {
    let v: View<'_> = serde_json::from_slice(view).ok()?;
    let f = Frame {
        spec_version: "1.0",
        kind: "EVENT",
        headers: Headers {
            app_id: v.event_unified_app_id,
            connection_id: connection,
            content_type: "application/json",
            event_born_time: Some(v.event_born_time.to_string()),
            event_corp_id: Some(v.event_corp_id),
            event_id: Some(v.event_id),
            event_type: Some(v.event_type),
            event_unified_app_id: Some(v.event_unified_app_id),
            message_id,
            time: now_ms.to_string(),
            topic: "*",
        },
        data: v.data.get().to_string(),
    };
    serde_json::to_string(&f).ok()
}

/// Reads a client message as an ACK: its `headers.messageId` and what it says; `Err` when it
/// is not one (not JSON, no numeric `code`, no message id).
pub fn read_ack(text: &str) -> Result<(String, Acked), String> {
    let v: Value =
        serde_json::from_str(text).map_err(|_| "a frame that is not JSON".to_string())?;
    let code = v
        .get("code")
        .and_then(Value::as_u64)
        .and_then(|c| u16::try_from(c).ok())
        .ok_or("an ACK without a numeric code")?;
    let id = v
        .pointer("/headers/messageId")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or("an ACK without headers.messageId")?;
    let data = match v.get("data") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    Ok((id.to_string(), acked(code, text, &data)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const VIEW: &str = r#"{"eventUnifiedAppId":"u-1","eventCorpId":"dingc","eventType":"meeting_member_status_change_target_push","eventId":"e1","eventBornTime":1700000000123,"data":{"openMemberModels":[{"userNick":"会议参会者"}],"statusSeqNum":2,"changeScene":"user_join"}}"#;

    #[test]
    fn an_event_frame_carries_the_sdk_headers_as_strings_and_data_as_a_json_string() {
        let text = event(VIEW.as_bytes(), "conn1", "msg1", 1_700_000_000_999).unwrap();
        let f: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(f["specVersion"], "1.0");
        assert_eq!(f["type"], "EVENT");
        let h = &f["headers"];
        assert_eq!(h["eventBornTime"], "1700000000123");
        assert_eq!(h["time"], "1700000000999");
        assert_eq!(h["messageId"], "msg1");
        assert_eq!(h["connectionId"], "conn1");
        assert_eq!(h["topic"], "*");
        assert_eq!(h["eventType"], "meeting_member_status_change_target_push");
        assert_eq!(h["contentType"], "application/json");
        assert_eq!(
            f["data"].as_str().unwrap(),
            r#"{"openMemberModels":[{"userNick":"会议参会者"}],"statusSeqNum":2,"changeScene":"user_join"}"#,
            "the data object as written, key order kept"
        );
        assert!(event(b"{}", "c", "m", 0).is_none());
    }

    #[test]
    fn acks_of_each_sdk_are_read_and_judged() {
        let python = r#"{"code": 200, "headers": {"messageId": "m1", "contentType": "application/json"}, "message": "OK", "data": "{\"changeScene\": \"user_join\"}"}"#;
        let (id, a) = read_ack(python).unwrap();
        assert_eq!(
            (id.as_str(), a.code, a.verdict.clone()),
            ("m1", Some(200), Ok(()))
        );
        let later = r#"{"code":200,"headers":{"messageId":"m2"},"message":"","data":"{\"status\":\"LATER\"}"}"#;
        assert!(read_ack(later)
            .unwrap()
            .1
            .verdict
            .unwrap_err()
            .contains("LATER"));
        let go = r#"{"code":200,"headers":{"messageId":"m3"},"data":"{\"status\":\"SUCCESS\"}"}"#;
        assert!(read_ack(go).unwrap().1.verdict.is_ok());
        let refused = r#"{"code":404,"headers":{"messageId":"m4"},"message":"no handler"}"#;
        assert!(read_ack(refused).unwrap().1.verdict.is_err());
        assert!(read_ack("hello").is_err());
        assert!(read_ack(r#"{"code":200,"headers":{}}"#).is_err());
        assert!(read_ack(r#"{"specVersion":"1.0","type":"EVENT"}"#).is_err());
    }

    #[test]
    fn a_system_ping_echoes_its_data_as_a_string() {
        let f: Value = serde_json::from_str(&system(
            PING,
            "c",
            "p1",
            5,
            &serde_json::json!({"opaque": "x"}),
        ))
        .unwrap();
        assert_eq!(f["type"], "SYSTEM");
        assert_eq!(f["headers"]["topic"], "ping");
        assert_eq!(f["data"], r#"{"opaque":"x"}"#);
    }
}
