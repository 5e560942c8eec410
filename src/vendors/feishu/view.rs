//! Domain meeting → Feishu wire JSON: the `meeting` object of meeting get /
//! get_active_meeting (open.feishu.cn `vc-v1/meeting/get`) and the `reserve` object of the
//! reserve pages. Ids and times are strings, enums numbers.
//!
//! Reserve ↔ meeting: a reserve is a store meeting in state `scheduled` (a reusable
//! schedule); starting it opens a meeting with an id of its own (`opened_from` = the reserve),
//! as the real service creates the meeting id when the meeting starts [doc: invite page,
//! "会议ID（视频会议的唯一标识，视频会议开始后才会产生）"]. Meeting endpoints answer a reserve
//! id as unknown; reserve endpoints answer a meeting id as unknown.

use super::schema::{meeting_user, wire_id, IdType};
use crate::store::{Meeting, MeetingState, ParticipantStatus, TenantData};
use serde_json::{json, Value};

/// True when the record is (or was) a running meeting.
pub fn is_meeting(m: &Meeting) -> bool {
    matches!(m.state, MeetingState::InProgress | MeetingState::Ended)
}

/// True when the record is a live (not deleted) reserve.
pub fn is_reserve(m: &Meeting) -> bool {
    m.state == MeetingState::Scheduled && m.extra.get("reserve_deleted") != Some(&Value::Bool(true))
}

/// True when a vendor admin action put the meeting in the "calling" state (status 1).
pub fn is_calling(m: &Meeting) -> bool {
    m.extra.get("calling") == Some(&Value::Bool(true))
}

/// Feishu meeting status: 1 calling, 2 in progress, 3 ended.
pub fn status(m: &Meeting) -> u8 {
    match m.state {
        MeetingState::InProgress if is_calling(m) => 1,
        MeetingState::InProgress => 2,
        _ => 3,
    }
}

fn s(v: i64) -> String {
    v.to_string()
}

fn extra_str<'m>(m: &'m Meeting, key: &str) -> &'m str {
    m.extra.get(key).and_then(Value::as_str).unwrap_or("")
}

/// `https://vc.feishu.cn/j/<meeting_no>`
pub fn url(m: &Meeting) -> String {
    format!("https://vc.feishu.cn/j/{}", m.code)
}

fn user_type(extra: &serde_json::Map<String, Value>) -> i64 {
    extra.get("user_type").and_then(Value::as_i64).unwrap_or(1)
}

/// The `meeting` object.
pub fn meeting(
    d: &TenantData,
    m: &Meeting,
    kind: IdType,
    with_participants: bool,
    now: i64,
) -> Value {
    // DEVIATION: `participant_count` (documented as the peak) and the accumulated count are
    // both the number of people who ever joined.
    let ever = m
        .participants
        .iter()
        .filter(|p| p.joined_at.is_some())
        .count();
    let mut v = json!({
        "id": m.id,
        "topic": m.topic,
        "url": url(m),
        "meeting_no": m.code,
        "password": extra_str(m, "password"),
        "create_time": s(m.created_at),
        "start_time": s(m.started_at.unwrap_or(m.start_time)),
        "end_time": s(m.ended_at.unwrap_or(0)),
        "meeting_connect": m.extra.get("meeting_connect").and_then(Value::as_bool).unwrap_or(false),
        "status": status(m),
        "participant_count": s(ever as i64),
        "participant_count_accumulated": s(ever as i64),
    });
    if let Some(h) = &m.host {
        v["host_user"] = meeting_user(d, kind, h, 1);
    }
    if with_participants {
        let list: Vec<Value> = m
            .participants
            .iter()
            .filter(|p| {
                // With user_id the doc drops Rooms/PSTN/SIP users.
                kind != IdType::UserId || user_type(&p.extra) == 1
            })
            .map(|p| {
                let st = match p.status {
                    ParticipantStatus::Calling => 1,
                    ParticipantStatus::Joined => 2,
                    ParticipantStatus::Ringing => 3,
                    // 4: "拒绝或超时" — left, declined or timed out.
                    ParticipantStatus::Left
                    | ParticipantStatus::Declined
                    | ParticipantStatus::Missed
                    | ParticipantStatus::Busy => 4,
                };
                let dur = match (p.joined_at, p.left_at) {
                    (Some(j), Some(l)) => (l - j).max(0),
                    (Some(j), None) => (now - j).max(0),
                    _ => 0,
                };
                json!({
                    "id": wire_id(d, kind, &p.user_id),
                    "first_join_time": s(p.joined_at.unwrap_or(0)),
                    "final_leave_time": s(p.left_at.unwrap_or(0)),
                    "in_meeting_duration": s(dur),
                    "user_type": user_type(&p.extra),
                    "is_host": m.host.as_deref() == Some(p.user_id.as_str()),
                    "is_cohost": false,
                    "is_external": false,
                    "status": st,
                })
            })
            .collect();
        v["participants"] = Value::Array(list);
    }
    v
}

/// The `reserve` object of apply / update; `full` adds the fields of reserve get.
pub fn reserve(d: &TenantData, m: &Meeting, kind: IdType, full: bool, now: i64) -> Value {
    let mut v = json!({
        "id": m.id,
        "meeting_no": m.code,
        "password": extra_str(m, "password"),
        "url": url(m),
        "app_link": format!(
            "https://applink.feishu.cn/client/videochat/open?source=openplatform&action=join&idtype=reservationid&id={}",
            m.id
        ),
        "live_link": format!("https://meetings.feishu.cn/s/{}", m.code),
        "end_time": s(m.end_time),
    });
    if full {
        v["expire_status"] = json!(if m.end_time > now { 1 } else { 2 });
        v["reserve_user_id"] = json!(wire_id(d, kind, &m.creator));
        v["meeting_settings"] = m
            .extra
            .get("meeting_settings")
            .cloned()
            .unwrap_or_else(|| json!({"topic": m.topic}));
    }
    v
}
