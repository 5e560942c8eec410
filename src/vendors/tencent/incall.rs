//! In-meeting control around the invite flow and the meeting history:
//! `PUT /v1/real-control/meetings/{meeting_id}/kickout`,
//! `PUT /v1/real-control/meetings/{meeting_id}/cohosts` and
//! `GET /v1/history/meetings/{userid}`.
//!
//! Mirrors the SDK's `meeting_control` and `meetings` services (`wemeet_openapi` 1.0.10; the
//! Go SDK types history `start_time`/`end_time` as integers) and the real-control pages of
//! /1095. Decisions [INF]:
//! * the operator (`operator_id_type` 1 userid, or 4 ms_open_id of a participant) must be the
//!   creator, the host, a `hosts` entry or a co-host (else 403/9042) of a meeting in progress
//!   (else 400/190004 "meeting is not in progress");
//! * targets are named by ms_open_id (`to_operator_id_type` 4: the participants APIs'
//!   `ms_open_id`) or userid (1); kickout ignores targets not in the meeting, and answers
//!   400/190004 when none of them is; `allow_rejoin` is accepted and not enforced;
//! * cohosts: the target must be in the meeting (400/190004 otherwise);
//! * history: meetings that ended (dismissed) which the user created, hosted or joined, newest
//!   end first, `page_size` 1–20.

use super::ctx::{self, Out};
use super::errors;
use crate::exchange::{Exchange, Reply};
use crate::store::{Meeting, MeetingState, ParticipantStatus};
use crate::vendors::ErrorDef;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Debug, Deserialize)]
struct Target {
    to_operator_id: Option<String>,
    to_operator_id_type: Option<i64>,
    #[allow(dead_code)]
    instanceid: Option<i64>,
}

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

/// The user id behind an id of `kind` (1 userid, 2/4 open ids resolved through the meeting's
/// participants' `ms_open_id`).
fn resolve(m: &Meeting, id: &str, kind: Option<i64>) -> Option<String> {
    match kind {
        Some(1) | None => Some(id.to_string()),
        Some(2 | 4) => m
            .participants
            .iter()
            .find(|p| p.participant_id == id || p.user_id == id)
            .map(|p| p.user_id.clone()),
        _ => None,
    }
}

/// Creator, host, `hosts` entry or co-host.
fn may_control(m: &Meeting, op: &str) -> bool {
    m.creator == op
        || m.host.as_deref() == Some(op)
        || ctx::extra_ids(m, "hosts").iter().any(|h| h == op)
        || ctx::extra_ids(m, "co_hosts").iter().any(|h| h == op)
}

enum Refused {
    Code(&'static ErrorDef),
    Param(&'static str),
}

fn answer(ex: &Exchange<'_>, r: Refused) -> Reply {
    match r {
        Refused::Code(e) => errors::fail(ex, e),
        Refused::Param(p) => errors::invalid(ex, p),
    }
}

/// The meeting in progress that `op` may control.
fn controlled<'a>(
    d: &'a mut crate::store::TenantData,
    id: &str,
    op: &str,
    op_type: Option<i64>,
) -> Result<&'a mut Meeting, Refused> {
    let m = d
        .meeting_mut(id)
        .map_err(|_| Refused::Code(&errors::MEETING_NOT_EXIST))?;
    let op = resolve(m, op, op_type).ok_or(Refused::Code(&errors::NO_PERMISSION))?;
    if !may_control(m, &op) {
        return Err(Refused::Code(&errors::NO_PERMISSION));
    }
    if m.state != MeetingState::InProgress {
        return Err(Refused::Param("meeting is not in progress"));
    }
    Ok(m)
}

fn op_type_ok(ex: &Exchange<'_>, t: Option<i64>) -> Result<(), Reply> {
    match t {
        Some(1 | 2 | 4) => Ok(()),
        _ => Err(errors::invalid(ex, "operator_id_type must be 1, 2 or 4")),
    }
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
    ctx::need(ex, b.allow_rejoin, "allow_rejoin")?;
    let users = ctx::need(ex, b.users.filter(|u| !u.is_empty()), "users")?;
    let id = ex.param("meeting_id").to_string();
    let now = ex.now_secs();
    t.with(|d| {
        let m = controlled(d, &id, &op, b.operator_id_type)?;
        let targets: Vec<String> = users
            .iter()
            .filter_map(|u| {
                let who = u.to_operator_id.as_deref()?;
                resolve(m, who, u.to_operator_id_type)
            })
            .filter(|u| m.is_joined(u))
            .collect();
        if targets.is_empty() {
            return Err(Refused::Param("users: nobody named is in the meeting"));
        }
        for u in targets {
            let _ = m.leave(&u, now);
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
        let m = controlled(d, &id, &op, b.operator_id_type)?;
        let target = resolve(m, &who, user.to_operator_id_type)
            .filter(|u| {
                m.participant(u)
                    .is_some_and(|p| p.status == ParticipantStatus::Joined)
            })
            .ok_or(Refused::Param("user: not in the meeting"))?;
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
