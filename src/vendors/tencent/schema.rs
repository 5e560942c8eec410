//! Wire DTOs of the emulated Tencent Meeting endpoints (request bodies; answers are built with
//! `serde_json::json!` in the handlers).
//!
//! Mirrors the request models of `wemeet_openapi/service/meetings/model.py` and
//! `meeting_control/model.py` (SDK 1.0.10) and the doc pages named in `routes.rs`. Unknown keys
//! are ignored (the Go gateway's `json.Unmarshal` does the same); wrong JSON types fail decoding
//! and are answered 400/190004 "failed to unmarshal req body: …". Required keys are `Option`s
//! checked by the handlers, so a missing key is a param error naming the key.

use serde::Deserialize;
use serde_json::{Map, Value};

/// `{"userid": "…"}`, an invitee or a host.
#[derive(Debug, Deserialize)]
pub struct UserRef {
    pub userid: String,
}

/// `PUT /v1/meetings/{meeting_id}/invitees`.
#[derive(Debug, Deserialize)]
pub struct SetInvitees {
    pub userid: Option<String>,
    pub instanceid: Option<i64>,
    /// Missing, `null` and `[]` all clear the list.
    #[serde(default)]
    pub invitees: Option<Vec<UserRef>>,
}

/// `POST /v1/meetings` and (all optional but `userid`/`instanceid`) `PUT /v1/meetings/{id}`.
#[derive(Debug, Deserialize)]
pub struct MeetingBody {
    pub userid: Option<String>,
    pub instanceid: Option<i64>,
    pub subject: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<i64>,
    /// Unix seconds as a string (the SDK types them `str`; numbers fail to decode).
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    pub meeting_type: Option<i64>,
    pub password: Option<String>,
    pub hosts: Option<Vec<UserRef>>,
    pub invitees: Option<Vec<UserRef>>,
    /// Guests by phone (`guests.rs`); `null` leaves them as they are.
    pub guests: Option<Vec<super::guests::Guest>>,
    pub settings: Option<Map<String, Value>>,
    pub location: Option<String>,
    pub time_zone: Option<String>,
    pub enable_live: Option<bool>,
}

/// `POST /v1/meetings/{meeting_id}/cancel`.
#[derive(Debug, Deserialize)]
pub struct Cancel {
    pub userid: Option<String>,
    pub instanceid: Option<i64>,
    pub reason_code: Option<i64>,
    pub meeting_type: Option<i64>,
    pub sub_meeting_id: Option<String>,
    pub reason_detail: Option<String>,
}

/// `POST /v1/meetings/{meeting_id}/dismiss`.
#[derive(Debug, Deserialize)]
pub struct Dismiss {
    pub operator_id: Option<String>,
    pub operator_id_type: Option<i64>,
    pub instanceid: Option<i64>,
    pub reason_code: Option<i64>,
    pub reason_detail: Option<String>,
    pub force_dismiss_meeting: Option<i64>,
    pub retrieve_code: Option<i64>,
}

/// `PUT /v1/real-control/meetings/{meeting_id}/status`: the switches are decoded to check
/// their types, then kept as sent (`extra.real_control`).
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
pub struct RealControl {
    pub instanceid: Option<i64>,
    pub operator_id: Option<String>,
    pub operator_id_type: Option<i64>,
    pub meeting_locked: Option<bool>,
    pub mute_all: Option<bool>,
    pub allow_unmute_by_self: Option<bool>,
    pub allow_chat: Option<i64>,
    pub auto_waiting_room: Option<bool>,
    pub hide_meeting_code_password: Option<bool>,
    pub only_enterprise_user_allowed: Option<bool>,
    pub participant_join_mute: Option<i64>,
    pub play_ivr_on_join: Option<bool>,
    pub share_screen: Option<bool>,
    pub enable_red_envelope: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_types_fail_to_decode() {
        assert!(serde_json::from_str::<SetInvitees>(r#"{"userid":"a","instanceid":"1"}"#).is_err());
        assert!(serde_json::from_str::<SetInvitees>(r#"{"invitees":{"userid":"a"}}"#).is_err());
        assert!(serde_json::from_str::<SetInvitees>(r#"{"invitees":[{"nick":"a"}]}"#).is_err());
        assert!(serde_json::from_str::<MeetingBody>(r#"{"start_time":1700000000}"#).is_err());
        let ok: SetInvitees =
            serde_json::from_str(r#"{"userid":"a","instanceid":1,"x":2}"#).unwrap();
        assert!(ok.invitees.is_none());
    }
}
