//! In-meeting control around the invite flow and the meeting history:
//! `PUT /v1/real-control/meetings/{meeting_id}/kickout`,
//! `PUT /v1/real-control/meetings/{meeting_id}/cohosts` and
//! `GET /v1/history/meetings/{userid}`.
//!
//! Mirrors the SDK's `meeting_control` and `meetings` services (`wemeet_openapi` 1.0.10; the
//! Go SDK types history `start_time`/`end_time` as integers) and the real-control pages of
//! /1095. Decisions [INF]:
//! * operator and targets as in `realctl.rs` (creator, host, `hosts` entry or co-host of a
//!   meeting in progress; targets by ms_open_id or userid);
//! * kickout ignores targets not in the meeting and answers 500/202007 `成员不在会中。` when
//!   none of them is; `allow_rejoin: false` bars them from coming back (an admin join is then
//!   refused, 409);
//! * cohosts: the target must be in the meeting (500/202007 otherwise);
//! * history: meetings that ended (dismissed) which the user created, hosted or joined, newest
//!   end first, `page_size` 1–20.

use super::ctx::{self, Out};
use super::errors;
use super::realctl::{answer, controlled, op_type_ok, resolve, Refused, Target};
use crate::exchange::{Exchange, Reply};
use crate::store::{Meeting, MeetingState, ParticipantStatus};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Debug, Deserialize)]
struct Kickout {
    operator_id: Option<String>,
    operator_id_type: Option<i64>,
    instanceid: Option<i64>,
    allow_rejoin: Option<bool>,
    #[allow(dead_code)]
    reason: Option<String>,
    users: Option<Vec<Target>>,
}

#[derive(Debug, Deserialize)]
struct Cohosts {
    operator_id: Option<String>,
    operator_id_type: Option<i64>,
    instanceid: Option<i64>,
    action: Option<bool>,
    user: Option<Target>,
}

/// `PUT /v1/real-control/meetings/{meeting_id}/kickout`.
pub fn kickout(ex: &mut Exchange<'_>) -> Reply {
    kickout_inner(ex).unwrap_or_else(|e| e)
}

fn kickout_inner(ex: &mut Exchange<'_>) -> Out {
    let t = ctx::tenant(ex)?;
    let b: Kickout = ctx::body(ex)?;
    let op = ctx::need_str(ex, b.operator_id, "operator_id")?;
    op_type_ok(ex, b.operator_id_type)?;
    ctx::need(ex, b.instanceid, "instanceid")?;
    let allow_rejoin = ctx::need(ex, b.allow_rejoin, "allow_rejoin")?;
    let users = ctx::need(ex, b.users.filter(|u| !u.is_empty()), "users")?;
    let id = ex.param("meeting_id").to_string();
    let now = ex.now_secs();
    t.with(|d| {
        let (m, _) = controlled(d, &id, &op, b.operator_id_type)?;
        let targets: Vec<String> = users
            .iter()
            .filter_map(|u| {
                let who = u.to_operator_id.as_deref()?;
                resolve(m, who, u.to_operator_id_type)
            })
            .filter(|u| m.is_joined(u))
            .collect();
        if targets.is_empty() {
            return Err(Refused::Code(&errors::NOT_IN_MEETING));
        }
        for u in targets {
            let _ = m.kick(&u, now);
            if !allow_rejoin {
                m.bar(&u);
            }
        }
        Ok(())
    })
    .map_err(|r| answer(ex, r))?;
    ctx::ok(json!({}))
}

/// `PUT /v1/real-control/meetings/{meeting_id}/cohosts`.
pub fn cohosts(ex: &mut Exchange<'_>) -> Reply {
    cohosts_inner(ex).unwrap_or_else(|e| e)
}

fn cohosts_inner(ex: &mut Exchange<'_>) -> Out {
    let t = ctx::tenant(ex)?;
    let b: Cohosts = ctx::body(ex)?;
    let op = ctx::need_str(ex, b.operator_id, "operator_id")?;
    op_type_ok(ex, b.operator_id_type)?;
    ctx::need(ex, b.instanceid, "instanceid")?;
    let on = ctx::need(ex, b.action, "action")?;
    let user = ctx::need(ex, b.user, "user")?;
    let who = ctx::need_str(ex, user.to_operator_id, "user.to_operator_id")?;
    let id = ex.param("meeting_id").to_string();
    t.with(|d| {
        let (m, _) = controlled(d, &id, &op, b.operator_id_type)?;
        let target = resolve(m, &who, user.to_operator_id_type)
            .filter(|u| {
                m.participant(u)
                    .is_some_and(|p| p.status == ParticipantStatus::Joined)
            })
            .ok_or(Refused::Code(&errors::NOT_IN_MEETING))?;
        m.set_co_host(&target, on);
        Ok(())
    })
    .map_err(|r| answer(ex, r))?;
    ctx::ok(json!({}))
}

/// `GET /v1/history/meetings/{userid}?page=&page_size=&meeting_code=&start_time=&end_time=`.
pub fn history(ex: &mut Exchange<'_>) -> Reply {
    history_inner(ex).unwrap_or_else(|e| e)
}

fn history_inner(ex: &mut Exchange<'_>) -> Out {
    let t = ctx::tenant(ex)?;
    let user = ex.param("userid").to_string();
    let page = ctx::query_pos(ex, "page", 1)?.max(1);
    let size = ctx::query_pos(ex, "page_size", 20)?;
    if size == 0 || size > 20 {
        return Err(errors::invalid(ex, "page_size must be between 1 and 20"));
    }
    let code = ex.query("meeting_code").filter(|c| !c.is_empty());
    let from = ctx::query_int(ex, "start_time")?;
    let to = ctx::query_int(ex, "end_time")?;
    let v = t.with(|d| {
        if d.user(&user).is_none() {
            return Err(&errors::USER_NOT_EXIST);
        }
        let mut ended: Vec<&Meeting> = d
            .meetings
            .values()
            .filter(|m| m.state == MeetingState::Ended)
            .filter(|m| {
                m.creator == user
                    || m.host.as_deref() == Some(user.as_str())
                    || m.participant(&user).is_some()
            })
            .filter(|m| code.as_deref().is_none_or(|c| m.code == c))
            .filter(|m| from.is_none_or(|f| m.started_at.unwrap_or(m.start_time) >= f))
            .filter(|m| to.is_none_or(|e| m.ended_at.unwrap_or(m.end_time) <= e))
            .collect();
        ended.sort_by_key(|m| std::cmp::Reverse(m.ended_at.unwrap_or(m.end_time)));
        let total = ended.len();
        let items: Vec<Value> = ended
            .iter()
            .skip((page - 1).saturating_mul(size))
            .take(size)
            .map(|m| {
                json!({
                    "meeting_id": m.id,
                    "meeting_code": m.code,
                    "subject": m.topic,
                    "meeting_type": m.extra.get("meeting_type").and_then(Value::as_i64).unwrap_or(0),
                    "start_time": m.started_at.unwrap_or(m.start_time),
                    "end_time": m.ended_at.unwrap_or(m.end_time),
                })
            })
            .collect();
        Ok(json!({
            "total_count": total,
            "total_page": total.div_ceil(size),
            "current_page": page,
            "current_size": items.len(),
            "meeting_info_list": items,
        }))
    });
    v.map_err(|e| errors::fail(ex, e)).and_then(ctx::ok)
}
