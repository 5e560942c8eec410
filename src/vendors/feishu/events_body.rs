//! The Feishu event body (`shared/vendors/feishu-events.md` §1.1): the schema 2.0 envelope,
//! `meeting_event_meeting` and its reduced `recording_ready_v1` form, `meeting_event_user`
//! with the ids an app may see, and the rules for operators, roles and leave reasons.
//! `events.rs` decides which change fires what.

use super::events::OPEN_PLATFORM;
use crate::store::change::{LeaveReason, MeetingSummary, Who};
use crate::store::{Change, TenantData};
use serde::Serialize;
use serde_json::Value;

#[derive(Serialize)]
pub(super) struct Envelope<'a> {
    pub(super) schema: &'static str,
    pub(super) header: Header<'a>,
    pub(super) event: Body,
}

#[derive(Serialize)]
pub(super) struct Header<'a> {
    pub(super) event_id: &'a str,
    pub(super) event_type: &'a str,
    /// Milliseconds, as a string [doc S2 field table].
    pub(super) create_time: String,
    pub(super) token: &'a str,
    pub(super) app_id: &'a str,
    pub(super) tenant_key: String,
}

#[derive(Serialize, Default)]
pub(super) struct Body {
    /// `meeting_event_meeting`, or its reduced form in `recording_ready_v1`.
    pub(super) meeting: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) operator: Option<EventUser>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) leave_reason: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) leave_user: Option<EventUser>,
    /// `recording_ready_v1`: the minutes link and the recorded milliseconds, a string [doc S6].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) duration: Option<String>,
    /// `participant_meeting_ended_v1` [doc S7].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) subscriber_ids: Option<Vec<UserIds>>,
}

/// `meeting_event_meeting`: ids and unix-second times as strings, enums as numbers [doc S6].
#[derive(Serialize)]
pub(super) struct EventMeeting {
    pub(super) id: String,
    pub(super) topic: String,
    pub(super) meeting_no: String,
    pub(super) meeting_source: i64,
    pub(super) start_time: String,
    pub(super) end_time: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) host_user: Option<EventUser>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) owner: Option<EventUser>,
}

/// `meeting_event_user`: all three ids (events carry no `user_id_type`) [doc S6,S7].
#[derive(Serialize)]
pub(super) struct EventUser {
    pub(super) id: UserIds,
    pub(super) user_role: u8,
    pub(super) user_type: i64,
}

#[derive(Serialize, Clone)]
pub(super) struct UserIds {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) union_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) user_id: Option<String>,
    pub(super) open_id: String,
}

pub(super) fn meeting_source(m: &MeetingSummary) -> i64 {
    m.extra
        .get("meeting_source")
        .and_then(Value::as_i64)
        .unwrap_or(OPEN_PLATFORM)
}

/// The scope without which events carry no `user_id` [doc S6,S7 field notes].
const EMPLOYEE_ID_SCOPE: &str = "contact:user.employee_id:readonly";

/// A user's ids: events have no `user_id_type`, they carry all three [doc S6,S7] — `union_id`
/// and `user_id` when the directory has them, `user_id` only if the app was granted
/// [`EMPLOYEE_ID_SCOPE`] (`extra.scopes`; every scope by default).
pub(super) fn ids(d: &TenantData, id: &str) -> UserIds {
    let u = d.user(id);
    let alias = |k: &str| u.and_then(|u| u.aliases.get(k).cloned());
    let employee_ids =
        super::apps::granted_scopes(d).is_none_or(|s| s.iter().any(|x| x == EMPLOYEE_ID_SCOPE));
    UserIds {
        union_id: alias("union_id"),
        user_id: alias("user_id").filter(|_| employee_ids),
        open_id: id.to_string(),
    }
}

/// `user_role`: 2 for the meeting's host, 1 otherwise.
pub(super) fn user(d: &TenantData, m: &MeetingSummary, id: &str, user_type: i64) -> EventUser {
    EventUser {
        id: ids(d, id),
        user_role: if m.host.as_deref() == Some(id) { 2 } else { 1 },
        user_type,
    }
}

pub(super) fn who_type(w: &Who) -> i64 {
    w.extra
        .get("user_type")
        .and_then(Value::as_i64)
        .unwrap_or(1)
}

pub(super) fn meeting(d: &TenantData, m: &MeetingSummary) -> Value {
    serde_json::to_value(EventMeeting {
        id: m.id.clone(),
        topic: m.topic.clone(),
        meeting_no: m.code.clone(),
        meeting_source: meeting_source(m),
        start_time: m.started_at.unwrap_or(m.start_time).to_string(),
        end_time: m.ended_at.unwrap_or(m.end_time).to_string(),
        host_user: m.host.as_deref().map(|h| user(d, m, h, 1)),
        owner: Some(user(d, m, &m.creator, 1)),
    })
    .unwrap_or_default()
}

/// `recording_ready_v1`'s reduced meeting: ids, topic, number, source, the owner's ids [doc S6].
pub(super) fn ready_meeting(d: &TenantData, m: &MeetingSummary) -> Value {
    serde_json::json!({
        "id": m.id,
        "topic": m.topic,
        "meeting_no": m.code,
        "meeting_source": meeting_source(m),
        "owner": {"id": ids(d, &m.creator)},
    })
}

/// Who acted: the request's user, else the host, else the owner.
pub(super) fn actor(d: &TenantData, c: &Change) -> EventUser {
    let m = &c.meeting;
    let id = c
        .operator
        .as_deref()
        .or(m.host.as_deref())
        .unwrap_or(&m.creator);
    user(d, m, id, 1)
}

/// The app's `tenant_key`: the same one its user profiles and store-app tokens carry
/// (`apps.rs`).
pub fn tenant_key(app_id: &str) -> String {
    super::apps::tenant_key(app_id)
}

/// `leave_reason`: 1 left, 2 meeting ended, 3 kicked out [doc S6]. Being moved to a waiting
/// room (Tencent's; Feishu meetings here have none) is a removal by someone in charge: 3 [inf].
pub(super) fn leave_reason(r: LeaveReason) -> u8 {
    match r {
        LeaveReason::Left => 1,
        LeaveReason::MeetingEnded => 2,
        LeaveReason::Kicked | LeaveReason::MovedToWaitingRoom => 3,
    }
}
