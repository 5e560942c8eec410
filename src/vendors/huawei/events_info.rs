//! The `eventInfo` of a Huawei push: `{event, timestamp, payload}` with `meetingInfo` and, for
//! joins and departures, `attendeeInfo`, in the field order of the docs' samples (API reference
//! "会议事件推送" tables; notes `shared/vendors/huawei-events.md` §1.2–1.3). Serialized once by
//! `events.rs`, which signs exactly those bytes.

use super::views::keys;
use crate::store::change::{MeetingSummary, Who};
use crate::store::{Change, TenantData};
use serde::Serialize;
use serde_json::Value;

#[derive(Serialize)]
pub(super) struct EventInfo<'a> {
    pub event: &'a str,
    pub timestamp: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<Payload>,
}

#[derive(Serialize)]
pub(super) struct Payload {
    #[serde(rename = "meetingInfo")]
    pub meeting_info: MeetingInfo,
    #[serde(rename = "attendeeInfo", skip_serializing_if = "Option::is_none")]
    pub attendee_info: Option<AttendeeInfo>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct MeetingInfo {
    #[serde(rename = "meetingID")]
    meeting_id: String,
    #[serde(rename = "meetingUUID")]
    meeting_uuid: String,
}

/// `attendeeInfo` in the order of the docs' meeting.join sample [doc H9].
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct AttendeeInfo {
    #[serde(rename = "userUUID")]
    user_uuid: String,
    user_agent: String,
    account: String,
    #[serde(rename = "participantID")]
    participant_id: String,
    display_name: String,
    join_time: i64,
    left_time: i64,
    role: &'static str,
    call_number: String,
}

/// The meeting's 32-hex UUID: `confUUID` when CreateMeeting gave one, else derived from the id.
fn meeting_uuid(m: &MeetingSummary) -> String {
    match m.extra.get(keys::CONF_UUID).and_then(Value::as_str) {
        Some(u) if !u.is_empty() => u.to_string(),
        _ => {
            let h = crate::store::splitmix64(
                m.id.bytes()
                    .fold(0x9e37u64, |a, b| a.wrapping_mul(131) ^ u64::from(b)),
            );
            format!("{h:016x}{:016x}", crate::store::splitmix64(h ^ 0x55))
        }
    }
}

pub(super) fn meeting_info(m: &MeetingSummary) -> MeetingInfo {
    MeetingInfo {
        meeting_id: m.id.clone(),
        meeting_uuid: meeting_uuid(m),
    }
}

fn text<'a>(w: &'a Who, k: &str) -> Option<&'a str> {
    w.extra
        .get(k)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// Who joined or left. Directory users carry their account, UUID and SIP number; numbers
/// called from outside the directory their invite's details. `joinTime` is the participant's
/// join (second precision, as the meeting keeps it), `leftTime` 0 until they leave.
pub(super) fn attendee(c: &Change, w: &Who, d: &TenantData, left: bool) -> AttendeeInfo {
    // Numbers called on behalf of a directory user are that user (the living invite's match).
    let user = d.user_any(&w.user_id).or_else(|| {
        let number = text(w, "phone").unwrap_or(&w.user_id);
        d.users().find(|u| u.phone.as_deref() == Some(number))
    });
    let joined = d
        .meeting(&c.meeting.id)
        .ok()
        .and_then(|m| m.participant(&w.user_id))
        .and_then(|p| p.joined_at)
        .map_or(c.at_ms, |s| s.saturating_mul(1000));
    AttendeeInfo {
        user_uuid: match (text(w, "userUUID"), user) {
            (Some(u), _) => u.to_string(),
            (None, Some(u)) => super::users::uuid(u),
            (None, None) => String::new(),
        },
        user_agent: text(w, "userAgent").unwrap_or("WeLink-desktop").to_string(),
        account: match (user, text(w, "accountId")) {
            (Some(u), _) => u.id.clone(),
            (None, Some(a)) => a.to_string(),
            (None, None) => String::new(),
        },
        participant_id: w.participant_id.clone(),
        display_name: w.name.clone(),
        join_time: joined,
        left_time: if left { c.at_ms } else { 0 },
        role: if c.meeting.host.as_deref() == Some(w.user_id.as_str()) {
            "CHAIR"
        } else {
            "GENERAL"
        },
        call_number: match (text(w, "phone"), user) {
            (Some(p), _) => p.to_string(),
            (None, Some(u)) => super::users::sip_number(u),
            (None, None) => w.user_id.clone(),
        },
    }
}
