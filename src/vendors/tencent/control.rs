//! In-meeting views and controls: `GET /v1/meetings/{meeting_id}/participants`,
//! `GET /v1/meetings/{meeting_id}/real-time-participants` and
//! `PUT /v1/real-control/meetings/{meeting_id}/status` (lock and meeting-wide switches).
//!
//! Mirrors cloud.tencent.com/document/product/1095/42701 (participants), /1095/72810
//! (real-time participants) and the real-control status API of the SDK's `meeting_control`
//! service. Names and subjects are base64 here, as those pages document. Decisions [INF]:
//! * participants: the creator only (9042); a meeting nobody joined yet lists nobody;
//! * real-time participants: creator, host or co-host; only those in the meeting now;
//! * status: host or co-host of an in-progress meeting (9042 otherwise; not in progress →
//!   400/190004); `meeting_locked` locks the meeting, `auto_waiting_room` turns the waiting
//!   room on or off (arrivals are then held, `waiting.rs`), the other switches are kept in
//!   `extra.real_control`.

use super::ctx::{self, b64, Out};
use super::errors;
use super::schema::RealControl;
use super::state;
use crate::exchange::{Exchange, Reply};
use crate::store::{part_keys, Meeting, MeetingState, Participant, ParticipantStatus, TenantData};
use serde_json::{json, Value};

/// `user_role`: 0 member, 1 creator, 2 host, 3 creator+host, 4 guest, 5 guest+host,
/// 6 co-host, 7 creator+co-host.
fn role(d: &TenantData, m: &Meeting, user: &str) -> i64 {
    let creator = m.creator == user;
    let host = m.host.as_deref() == Some(user);
    let co = ctx::extra_ids(m, "co_hosts").iter().any(|c| c == user);
    let guest = d.user(user).is_none();
    match (creator, host, co, guest) {
        (true, true, _, _) => 3,
        (true, _, true, _) => 7,
        (true, _, _, _) => 1,
        (_, true, _, true) => 5,
        (_, true, _, _) => 2,
        (_, _, true, _) => 6,
        (_, _, _, true) => 4,
        _ => 0,
    }
}

fn secs(t: Option<i64>) -> String {
    t.map(|t| t.to_string()).unwrap_or_default()
}

fn entry(d: &TenantData, m: &Meeting, p: &Participant) -> Value {
    let x = |k: &str| p.extra.get(k).cloned();
    json!({
        "userid": p.user_id,
        "open_id": "",
        "ms_open_id": if p.participant_id.is_empty() { p.user_id.clone() } else { p.participant_id.clone() },
        "user_name": b64(&p.name),
        "instanceid": x("instanceid").unwrap_or(json!(1)),
        "join_time": secs(p.joined_at),
        "left_time": secs(p.left_at),
        "user_role": role(d, m, &p.user_id),
        "join_type": 1,
        "is_enterprise_user": d.user(&p.user_id).is_some(),
        // Muted by control (`mutes`) → microphone off; unmuted → on.
        "audio_state": p.extra.get(part_keys::MUTED).and_then(Value::as_bool).map(|m| json!(!m))
            .or_else(|| x("audio_state")).unwrap_or(json!(false)),
        "video_state": x("video_state").unwrap_or(json!(false)),
        "screen_shared_state": false,
        "webinar_member_role": 0,
        "ip": "", "location": "", "link_type": 1, "net": "", "app_version": "",
        "phone": "", "customer_data": "",
    })
}

/// `GET /v1/meetings/{meeting_id}/participants?userid=|operator_id=&pos=&size=`.
pub fn participants(ex: &mut Exchange<'_>) -> Reply {
    participants_inner(ex).unwrap_or_else(|e| e)
}

fn participants_inner(ex: &mut Exchange<'_>) -> Out {
    let t = ctx::tenant(ex)?;
    let op = ctx::query_operator(ex)?;
    let pos = ctx::query_pos(ex, "pos", 0)?;
    let size = ctx::query_pos(ex, "size", 20)?;
    if size == 0 || size > 100 {
        return Err(errors::invalid(ex, "size must be between 1 and 100"));
    }
    let id = ex.param("meeting_id").to_string();
    let v = t.with(|d| {
        let m = d.meeting(&id).map_err(|_| &errors::MEETING_NOT_EXIST)?;
        if m.creator != op {
            return Err(&errors::NO_PERMISSION);
        }
        let all: Vec<&Participant> = m
            .participants
            .iter()
            .filter(|p| p.joined_at.is_some())
            .collect();
        let page: Vec<Value> = all
            .iter()
            .skip(pos)
            .take(size)
            .map(|p| entry(d, m, p))
            .collect();
        let next = pos.saturating_add(page.len());
        Ok(json!({
            "meeting_id": m.id,
            "meeting_code": m.code,
            "subject": b64(&m.topic),
            "schedule_start_time": m.start_time.to_string(),
            "schedule_end_time": m.end_time.to_string(),
            "participants": page,
            "has_remaining": next < all.len(),
            "next_pos": next,
            "total_count": all.len(),
        }))
    });
    v.map_err(|e| errors::fail(ex, e)).and_then(ctx::ok)
}

/// `GET /v1/meetings/{meeting_id}/real-time-participants?operator_id=&operator_id_type=&page=&page_size=`.
pub fn real_time_participants(ex: &mut Exchange<'_>) -> Reply {
    real_time_inner(ex).unwrap_or_else(|e| e)
}

fn real_time_inner(ex: &mut Exchange<'_>) -> Out {
    let t = ctx::tenant(ex)?;
    let op = ctx::query_operator(ex)?;
    let page = ctx::query_pos(ex, "page", 1)?.max(1);
    let size = ctx::query_pos(ex, "page_size", 20)?;
    if size == 0 || size > 100 {
        return Err(errors::invalid(ex, "page_size must be between 1 and 100"));
    }
    let id = ex.param("meeting_id").to_string();
    let now = ex.now_secs();
    let v = t.with(|d| {
        let m = d.meeting(&id).map_err(|_| &errors::MEETING_NOT_EXIST)?;
        if !may_control(m, &op) && m.creator != op {
            return Err(&errors::NO_PERMISSION);
        }
        let inside: Vec<&Participant> = m
            .participants
            .iter()
            .filter(|p| {
                m.state == MeetingState::InProgress && p.status == ParticipantStatus::Joined
            })
            .collect();
        let items: Vec<Value> = inside
            .iter()
            .skip((page - 1).saturating_mul(size))
            .take(size)
            .map(|p| entry(d, m, p))
            .collect();
        Ok(json!({
            "meeting_id": m.id,
            "meeting_code": m.code,
            "status": state::name(m, now),
            "subject": b64(&m.topic),
            "schedule_start_time": m.start_time.to_string(),
            "schedule_end_time": m.end_time.to_string(),
            "total_count": inside.len(),
            "total_page": inside.len().div_ceil(size),
            "current_page": page,
            "current_size": items.len(),
            "participants": items,
        }))
    });
    v.map_err(|e| errors::fail(ex, e)).and_then(ctx::ok)
}

/// Host or co-host.
fn may_control(m: &Meeting, op: &str) -> bool {
    m.host.as_deref() == Some(op)
        || ctx::extra_ids(m, "hosts").iter().any(|h| h == op)
        || ctx::extra_ids(m, "co_hosts").iter().any(|h| h == op)
}

/// `PUT /v1/real-control/meetings/{meeting_id}/status`.
pub fn status(ex: &mut Exchange<'_>) -> Reply {
    status_inner(ex).unwrap_or_else(|e| e)
}

fn status_inner(ex: &mut Exchange<'_>) -> Out {
    let t = ctx::tenant(ex)?;
    let raw: Value = ctx::body(ex)?;
    let req: RealControl = ctx::body(ex)?;
    ctx::need(ex, req.instanceid, "instanceid")?;
    let op = ctx::need_str(ex, req.operator_id.clone(), "operator_id")?;
    ctx::operator_type(ex, req.operator_id_type)?;
    let id = ex.param("meeting_id").to_string();
    let done = t.with(|d| {
        let m = d
            .meeting_mut(&id)
            .map_err(|_| Some(&errors::MEETING_NOT_EXIST))?;
        if !may_control(m, &op) {
            return Err(Some(&errors::NO_PERMISSION));
        }
        if m.state != MeetingState::InProgress {
            return Err(None);
        }
        if let Some(l) = req.meeting_locked {
            m.set_locked(l);
        }
        if let Some(w) = req.auto_waiting_room {
            m.set_waiting_room(w);
        }
        let mut rc = m
            .extra
            .get("real_control")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        if let Value::Object(o) = &raw {
            for (k, v) in o {
                if !matches!(
                    k.as_str(),
                    "instanceid"
                        | "operator_id"
                        | "operator_id_type"
                        | "meeting_locked"
                        | "auto_waiting_room"
                ) {
                    rc.insert(k.clone(), v.clone());
                }
            }
        }
        m.set_extra("real_control", Value::Object(rc));
        Ok(())
    });
    match done {
        Ok(()) => ctx::ok(json!({})),
        Err(Some(e)) => Err(errors::fail(ex, e)),
        Err(None) => Err(errors::invalid(ex, "meeting is not in progress")),
    }
}
