//! In-meeting control of one participant at a time: `PUT /v1/real-control/meetings/
//! {meeting_id}/mutes` and `…/names`, and what every real-control call shares (who may
//! control, how operators and targets are named).
//!
//! Mirrors cloud.tencent.com/document/product/1095/57948 (mute a user), /1095/67794 (rename
//! participants) and the SDK's `meeting_control` models (`wemeet_openapi` 1.0.10, Go SDK
//! v1.0.8). Mute and rename change the participant entry through `Meeting::mute` /
//! `Meeting::rename_participant`, so the real-time participants answer shows them
//! (`audio_state`, `user_name`). Decisions [INF] (the pages' error tables are not in our
//! copies):
//! * operators (`operator_id_type` 1 userid, 2 open id, 4 ms_open_id of a participant) must be
//!   the creator, the host, a `hosts` entry or a co-host (else 403/9042) of a meeting in
//!   progress (else 400/190004 "meeting is not in progress"); `operator_id` is required;
//! * targets are named by ms_open_id (the participants APIs' `ms_open_id`) or userid; one who
//!   is not in the meeting is 500/202007 `成员不在会中。` (the cancel table's text);
//! * names: 1–20 users, `nick_name` 1–20 characters; a host or co-host who renames must be in
//!   the meeting, and only the host renames the host or a co-host (both as the page says; else
//!   9042); any target not in the meeting refuses the whole call.

use super::ctx::{self, Out};
use super::errors;
use crate::exchange::{Exchange, Reply};
use crate::store::{Meeting, MeetingState, TenantData};
use crate::vendors::ErrorDef;
use serde::Deserialize;
use serde_json::json;

/// A target: `{to_operator_id, to_operator_id_type, instanceid, uuid}`.
#[derive(Debug, Deserialize)]
pub struct Target {
    pub to_operator_id: Option<String>,
    pub to_operator_id_type: Option<i64>,
    #[allow(dead_code)]
    pub instanceid: Option<i64>,
    /// The user's uuid (the Go SDK's waiting-room target).
    #[serde(default)]
    pub uuid: Option<String>,
}

/// The user id behind an id of `kind` (1 userid, 2/4 open ids resolved through the meeting's
/// participants' `ms_open_id`).
pub fn resolve(m: &Meeting, id: &str, kind: Option<i64>) -> Option<String> {
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
pub fn may_control(m: &Meeting, op: &str) -> bool {
    m.creator == op
        || m.host.as_deref() == Some(op)
        || ctx::extra_ids(m, "hosts").iter().any(|h| h == op)
        || ctx::extra_ids(m, "co_hosts").iter().any(|h| h == op)
}

/// Why a control call is refused.
pub enum Refused {
    Code(&'static ErrorDef),
    Param(&'static str),
}

/// The answer for a refusal.
pub fn answer(ex: &Exchange<'_>, r: Refused) -> Reply {
    match r {
        Refused::Code(e) => errors::fail(ex, e),
        Refused::Param(p) => errors::invalid(ex, p),
    }
}

/// The meeting in progress that `op` may control, and the operator's user id.
pub fn controlled<'a>(
    d: &'a mut TenantData,
    id: &str,
    op: &str,
    op_type: Option<i64>,
) -> Result<(&'a mut Meeting, String), Refused> {
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
    Ok((m, op))
}

/// `operator_id_type` must be 1, 2 or 4.
pub fn op_type_ok(ex: &Exchange<'_>, t: Option<i64>) -> Result<(), Reply> {
    match t {
        Some(1 | 2 | 4) => Ok(()),
        _ => Err(errors::invalid(ex, "operator_id_type must be 1, 2 or 4")),
    }
}

#[derive(Debug, Deserialize)]
struct Mutes {
    operator_id: Option<String>,
    operator_id_type: Option<i64>,
    instanceid: Option<i64>,
    mute: Option<bool>,
    user: Option<Target>,
}

/// `PUT /v1/real-control/meetings/{meeting_id}/mutes`.
pub fn mutes(ex: &mut Exchange<'_>) -> Reply {
    mutes_inner(ex).unwrap_or_else(|e| e)
}

fn mutes_inner(ex: &mut Exchange<'_>) -> Out {
    let t = ctx::tenant(ex)?;
    let b: Mutes = ctx::body(ex)?;
    let op = ctx::need_str(ex, b.operator_id, "operator_id")?;
    op_type_ok(ex, b.operator_id_type)?;
    ctx::need(ex, b.instanceid, "instanceid")?;
    let mute = ctx::need(ex, b.mute, "mute")?;
    let user = ctx::need(ex, b.user, "user")?;
    let who = ctx::need_str(ex, user.to_operator_id, "user.to_operator_id")?;
    let id = ex.param("meeting_id").to_string();
    t.with(|d| {
        let (m, _) = controlled(d, &id, &op, b.operator_id_type)?;
        let target = resolve(m, &who, user.to_operator_id_type)
            .filter(|u| m.is_joined(u))
            .ok_or(Refused::Code(&errors::NOT_IN_MEETING))?;
        m.mute(&target, mute)
            .map_err(|_| Refused::Code(&errors::NOT_IN_MEETING))
    })
    .map_err(|r| answer(ex, r))?;
    ctx::ok(json!({}))
}

#[derive(Debug, Deserialize)]
struct Rename {
    ms_open_id: Option<String>,
    #[allow(dead_code)]
    instanceid: Option<i64>,
    nick_name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Names {
    operator_id: Option<String>,
    operator_id_type: Option<i64>,
    instanceid: Option<i64>,
    users: Option<Vec<Rename>>,
}

/// `PUT /v1/real-control/meetings/{meeting_id}/names`.
pub fn names(ex: &mut Exchange<'_>) -> Reply {
    names_inner(ex).unwrap_or_else(|e| e)
}

fn names_inner(ex: &mut Exchange<'_>) -> Out {
    let t = ctx::tenant(ex)?;
    let b: Names = ctx::body(ex)?;
    let op = ctx::need_str(ex, b.operator_id, "operator_id")?;
    op_type_ok(ex, b.operator_id_type)?;
    ctx::need(ex, b.instanceid, "instanceid")?;
    let users = ctx::need(ex, b.users.filter(|u| !u.is_empty()), "users")?;
    if users.len() > 20 {
        return Err(errors::invalid(ex, "users: at most 20 per call"));
    }
    let mut wanted = Vec::with_capacity(users.len());
    for u in users {
        let who = ctx::need_str(ex, u.ms_open_id, "users[].ms_open_id")?;
        let nick = ctx::need_str(ex, u.nick_name, "users[].nick_name")?;
        if nick.chars().count() > 20 {
            return Err(errors::invalid(
                ex,
                "users[].nick_name: at most 20 characters",
            ));
        }
        wanted.push((who, nick));
    }
    let id = ex.param("meeting_id").to_string();
    t.with(|d| {
        let (m, op) = controlled(d, &id, &op, b.operator_id_type)?;
        let host_here = m.host.as_deref() == Some(op.as_str()) && m.is_joined(&op);
        if m.creator != op && !m.is_joined(&op) {
            return Err(Refused::Code(&errors::NO_PERMISSION));
        }
        let mut next = m.clone();
        for (who, nick) in &wanted {
            let target = resolve(&next, who, Some(4))
                .filter(|u| next.is_joined(u))
                .ok_or(Refused::Code(&errors::NOT_IN_MEETING))?;
            let privileged = next.host.as_deref() == Some(target.as_str())
                || ctx::extra_ids(&next, "co_hosts").contains(&target);
            if privileged && !host_here {
                return Err(Refused::Code(&errors::NO_PERMISSION));
            }
            next.rename_participant(&target, nick)
                .map_err(|_| Refused::Code(&errors::NOT_IN_MEETING))?;
        }
        *m = next;
        Ok(())
    })
    .map_err(|r| answer(ex, r))?;
    ctx::ok(json!({}))
}
