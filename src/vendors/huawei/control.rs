//! Huawei meeting control (会议控制): LockMeeting, Record, HangUp, DeleteAttendees,
//! ProlongMeeting, StopMeeting, ShowRealTimeInfoOfMeeting, and the control-call gate shared
//! with InviteParticipant.
//!
//! Mirrors support.huaweicloud.com `api-meeting` pages of the same names (notes §2, §3.4, §4).
//! Check order on control calls [REC, notes §6.4]: unknown conference → MMC.111072065; not
//! running → MMC.111072005; past its scheduled end and closing → MMC.111072003; ended/cancelled
//! → MMC.111072006; control token missing → MMC.111070111; wrong, expired or for another
//! meeting → MMC.111072065. Control tokens (`conftoken.rs`) are revoked when the meeting stops
//! or is cancelled.

use super::errors::{fail, note_meeting, ok, ok_empty};
use super::views;
use crate::exchange::{Exchange, Reply};
use crate::store::{EndPhase, Meeting, MeetingState, Tenant, TokenKind, VendorId};
use serde_json::{json, Value};
use std::sync::Arc;

/// Seconds a running meeting takes to close once its scheduled end has passed (DEVIATION: the
/// length of the closing phase is not public; see docs/vendors/huawei.md).
pub const CLOSING_SECS: i64 = 60;

/// The state error of a conference for control calls, if any, after settling its scheduled end:
/// not running 111072005, being closed 111072003, ended or cancelled 111072006.
pub fn state_error(m: &mut Meeting, now: i64) -> Option<&'static str> {
    match m.settle_end(now, CLOSING_SECS) {
        EndPhase::Closing => return Some("conf_is_closing"),
        EndPhase::Concluded | EndPhase::Open => {}
    }
    match m.state {
        MeetingState::InProgress => None,
        MeetingState::Scheduled => Some("conf_not_started"),
        MeetingState::Ended | MeetingState::Cancelled => Some("conf_is_closed"),
    }
}

/// The gate of every control call: the tenant and the running conference, or the error. Order:
/// unknown conference (in `auth.rs`), the conference's state, then the control token (missing
/// 111070111, wrong/expired/another meeting's 111072065).
pub fn control_ctx(ex: &mut Exchange<'_>) -> Result<(Arc<Tenant>, String), Reply> {
    let id = ex.query("conferenceID").unwrap_or_default();
    note_meeting(ex, &id);
    let Some(p) = ex.principal.clone() else {
        return Err(fail("conf_not_found_or_auth_failed"));
    };
    let now = ex.now_secs();
    let state = p
        .tenant
        .with(|d| d.meeting_mut(&id).map(|m| state_error(m, now)));
    match state {
        Err(_) => return Err(fail("conf_not_found_or_auth_failed")),
        Ok(Some(name)) => return Err(fail(name)),
        Ok(None) => {}
    }
    if p.kind != Some(TokenKind::Control) {
        if ex.header("x-conference-authorization").is_none() {
            return Err(fail("request_token_is_null"));
        }
        return Err(fail("conf_not_found_or_auth_failed"));
    }
    Ok((p.tenant, id))
}

/// Runs `f` on the gated meeting under the tenant lock; `Err(name)` renders that error.
fn with_meeting(
    ex: &mut Exchange<'_>,
    f: impl FnOnce(&mut Meeting, i64) -> Result<(), &'static str>,
) -> Reply {
    let (tenant, id) = match control_ctx(ex) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let now = ex.now_secs();
    let r = tenant.with(|d| match d.meeting_mut(&id) {
        Ok(m) => f(m, now),
        Err(_) => Err("conf_not_found_or_auth_failed"),
    });
    match r {
        Ok(()) => ok_empty(),
        Err(name) => fail(name),
    }
}

/// Revokes every control token of a meeting (StopMeeting, CancelMeeting).
pub fn revoke_control_tokens(ex: &Exchange<'_>, tenant: &str, id: &str) {
    for t in ex.app.store.tokens.all() {
        if t.vendor == VendorId::Huawei
            && t.kind == TokenKind::Control
            && t.tenant == tenant
            && t.meeting.as_deref() == Some(id)
        {
            ex.app.store.tokens.revoke(&t.value);
        }
    }
}

/// PUT /v1/mmc/control/conferences/lock — LockMeeting (`isLock` 0/1). Locking stops only
/// self-joining guests; host invitations keep working.
pub fn lock_meeting(ex: &mut Exchange<'_>) -> Reply {
    let lock = ex.json::<Value>().ok().and_then(|v| v["isLock"].as_i64());
    with_meeting(ex, |m, _| match lock {
        Some(l @ (0 | 1)) => {
            m.set_locked(l == 1);
            Ok(())
        }
        _ => Err("conf_bad_request"),
    })
}

/// PUT /v1/mmc/control/conferences/record — Record (`isRecord` 1 starts cloud recording, 0
/// stops it; asking for the state it is in already changes nothing). A meeting that recorded
/// pushes `record.finish` when it ends.
pub fn record(ex: &mut Exchange<'_>) -> Reply {
    let on = ex.json::<Value>().ok().and_then(|v| v["isRecord"].as_i64());
    with_meeting(ex, |m, now| {
        let running = m.recording.as_ref().is_some_and(|r| r.running());
        match on {
            Some(1) if !running => m.start_recording(now).map_err(|_| "conf_status_illegal"),
            Some(0) if running => m.stop_recording(now).map_err(|_| "conf_status_illegal"),
            Some(0 | 1) => Ok(()),
            _ => Err("conf_bad_request"),
        }
    })
}

/// Strings of a JSON array field; `Err` REQUEST_BODY_IS_NULL when missing or empty.
fn list_of(body: &Value, key: &str) -> Result<Vec<Value>, &'static str> {
    match &body[key] {
        Value::Array(a) if !a.is_empty() => Ok(a.clone()),
        Value::Null => Err("request_body_is_null"),
        Value::Array(_) => Err("request_body_is_null"),
        _ => Err("conf_bad_request"),
    }
}

/// POST /v1/mmc/control/conferences/participants/delete — HangUp (all or nothing).
pub fn hang_up(ex: &mut Exchange<'_>) -> Reply {
    let body = ex.json::<Value>().unwrap_or(Value::Null);
    with_meeting(ex, |m, now| {
        let pids = list_of(&body, "bulkHangUpParticipants")?;
        let mut users = Vec::with_capacity(pids.len());
        for pid in &pids {
            let pid = pid.as_str().ok_or("conf_bad_request")?;
            let p = m
                .participants
                .iter()
                .find(|p| p.participant_id == pid && p.occupies_seat())
                .ok_or("conf_participant_not_exist")?;
            users.push(p.user_id.clone());
        }
        for u in users {
            let _ = m.kick(&u, now);
        }
        Ok(())
    })
}

/// POST /v1/mmc/control/conferences/attendees/delete — DeleteAttendees: removes invited
/// attendees by number and hangs them up when they are in the meeting.
pub fn delete_attendees(ex: &mut Exchange<'_>) -> Reply {
    let body = ex.json::<Value>().unwrap_or(Value::Null);
    with_meeting(ex, |m, now| {
        let items = list_of(&body, "bulkDelAttendInfo")?;
        let mut numbers = Vec::with_capacity(items.len());
        for it in &items {
            let number = it["number"].as_str().filter(|s| !s.is_empty());
            let number = number.ok_or("site_call_number_is_empty")?;
            let pid = it["participantID"].as_str().unwrap_or("");
            let invited = m.invitees.iter().any(|i| i.user_id == number);
            let seated = m.participants.iter().any(|p| {
                (p.user_id == number || (!pid.is_empty() && p.participant_id == pid))
                    && p.occupies_seat()
            });
            if !invited && !seated {
                return Err("conf_participant_not_exist");
            }
            numbers.push((number.to_string(), pid.to_string()));
        }
        for (number, pid) in numbers {
            m.remove_invitees(std::slice::from_ref(&number));
            let users: Vec<String> = m
                .participants
                .iter()
                .filter(|p| p.user_id == number || (!pid.is_empty() && p.participant_id == pid))
                .map(|p| p.user_id.clone())
                .collect();
            for u in users {
                let _ = m.kick(&u, now);
            }
        }
        Ok(())
    })
}

/// PUT /v1/mmc/control/conferences/duration — ProlongMeeting (`auto` required, `duration`
/// minutes, default 15, 1..=1440).
pub fn prolong_meeting(ex: &mut Exchange<'_>) -> Reply {
    let body = ex.json::<Value>().unwrap_or(Value::Null);
    with_meeting(ex, |m, _| {
        if !matches!(body["auto"].as_i64(), Some(0 | 1)) {
            return Err("conf_bad_request");
        }
        let minutes = match &body["duration"] {
            Value::Null => 15,
            v => v.as_i64().ok_or("conf_bad_request")?,
        };
        if !(1..=1440).contains(&minutes) {
            return Err("conf_duration_over_range");
        }
        m.prolong(minutes * 60);
        Ok(())
    })
}

/// PUT /v1/mmc/control/conferences/stop — StopMeeting: back to `Schedule` (the enterprise
/// default keeps the booking), everyone hung up, control tokens revoked.
pub fn stop_meeting(ex: &mut Exchange<'_>) -> Reply {
    let reply = with_meeting(ex, |m, now| {
        m.stop_to_schedule(now).map_err(|_| "conf_status_illegal")
    });
    if reply.status.is_success() {
        if let Some(p) = ex.principal.clone() {
            let id = ex.query("conferenceID").unwrap_or_default();
            revoke_control_tokens(ex, &p.tenant.id, &id);
        }
    }
    reply
}

/// GET /v1/mmc/control/conferences/realTimeInfo — ShowRealTimeInfoOfMeeting.
pub fn show_real_time_info(ex: &mut Exchange<'_>) -> Reply {
    let (tenant, id) = match control_ctx(ex) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let out = tenant.with(|d| {
        let m = d.meeting(&id).ok()?;
        let attendees: Vec<Value> = m
            .invitees
            .iter()
            .map(|i| {
                json!({
                    "accountID": views::extra_str(&i.extra, "accountId"),
                    "userUUID": views::extra_str(&i.extra, "userUUID"),
                    "name": i.name,
                    "phone": i.user_id,
                    "phoneLeft": views::extra_str(&i.extra, "phone2"),
                    "phoneRight": views::extra_str(&i.extra, "phone3"),
                })
            })
            .collect();
        let participants: Vec<Value> = m
            .participants
            .iter()
            .filter(|p| p.occupies_seat())
            .map(views::real_time_participant)
            .collect();
        let chair = m
            .host
            .as_deref()
            .and_then(|h| m.participant(h))
            .filter(|p| p.occupies_seat())
            .map(|p| p.participant_id.clone())
            .unwrap_or_default();
        let co_hosts: Vec<&str> = m
            .participants
            .iter()
            .filter(|p| p.occupies_seat() && p.is_cohost())
            .map(|p| p.participant_id.as_str())
            .collect();
        Some(json!({
            "attendees": attendees,
            "participants": participants,
            "confInfo": {"chairID": chair, "coHosts": co_hosts},
        }))
    });
    match out {
        Some(v) => ok(&v),
        None => fail("conf_not_found_or_auth_failed"),
    }
}
