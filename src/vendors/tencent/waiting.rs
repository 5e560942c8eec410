//! The waiting room (等候室): `GET /v1/meetings/{meeting_id}/waiting-room-participants` (who
//! waits now), `GET /v1/meeting/{meeting_id}/waiting-room` (every stay, with its times) and
//! `PUT /v1/real-control/meetings/{meeting_id}/waiting-room` (admit, send back, remove).
//!
//! Mirrors cloud.tencent.com/document/product/1095/58522 (real-time waiting-room members),
//! /1095/80579 (waiting-room records) and /1095/57954 (waiting-room control), with the SDK's
//! models (`wemeet_openapi` 1.0.10; the Go SDK v1.0.8 adds a target `uuid`). The room is on
//! while the meeting's `settings.auto_in_waiting_room` (create, modify) or the real-control
//! status switch `auto_waiting_room` says so; arrivals are then held (`store::waiting`).
//! Decisions [INF]:
//! * listing: creator, host or co-host (the pages' operator roles; else 403/9042); unknown
//!   meeting 500/9003; a meeting not in progress lists nobody, as the page says;
//!   `page_size` 1–50 (default 10, records 20); record times are milliseconds, as documented,
//!   `left_time` 0 while someone still waits;
//! * control: operators as in `realctl.rs`; `operate_type` 1 admits, 2 moves someone from the
//!   meeting to the room, 3 removes from the room (`allow_rejoin: false` bars them; the flag
//!   with another operation is 190004, as the page allows it only with 3); targets by
//!   ms_open_id or `uuid`; those not where the operation needs them are skipped, and when
//!   none is, 1/3 answer 400/190004 and 2 answers 500/202007; all or nothing (an admit with no
//!   free seat is 190004 "the meeting is full").

use super::ctx::{self, b64, Out};
use super::errors;
use super::realctl::{answer, controlled, may_control, op_type_ok, Refused, Target};
use super::users::uuid_of;
use crate::exchange::{Exchange, Reply};
use crate::store::{Meeting, MeetingState, StoreError, TenantData};
use serde::Deserialize;
use serde_json::{json, Value};

fn page_args(ex: &Exchange<'_>, default_size: i64) -> Result<(usize, usize), Reply> {
    let page = ctx::query_pos(ex, "page", 1)?.max(1);
    let size = ctx::query_pos(ex, "page_size", default_size)?;
    if size == 0 || size > 50 {
        return Err(errors::invalid(ex, "page_size must be between 1 and 50"));
    }
    Ok((page, size))
}

fn page_of<T>(all: &[T], page: usize, size: usize) -> &[T] {
    let from = (page - 1).saturating_mul(size).min(all.len());
    &all[from..(from.saturating_add(size)).min(all.len())]
}

/// The meeting `op` may look at, or the refusal.
fn viewable<'a>(
    d: &'a TenantData,
    id: &str,
    op: &str,
) -> Result<&'a Meeting, &'static crate::vendors::ErrorDef> {
    let m = d.meeting(id).map_err(|_| &errors::MEETING_NOT_EXIST)?;
    if !may_control(m, op) {
        return Err(&errors::NO_PERMISSION);
    }
    Ok(m)
}

fn ms_open_id(user: &str, pid: &str) -> String {
    if pid.is_empty() { user } else { pid }.to_string()
}

/// `GET /v1/meetings/{meeting_id}/waiting-room-participants?userid=&page=&page_size=`.
pub fn current(ex: &mut Exchange<'_>) -> Reply {
    current_inner(ex).unwrap_or_else(|e| e)
}

fn current_inner(ex: &mut Exchange<'_>) -> Out {
    let t = ctx::tenant(ex)?;
    let op = ctx::query_operator(ex)?;
    let (page, size) = page_args(ex, 10)?;
    let id = ex.param("meeting_id").to_string();
    let v = t.with(|d| {
        let m = viewable(d, &id, &op)?;
        let all: Vec<Value> = m
            .waiting()
            .filter(|_| m.state == MeetingState::InProgress)
            .map(|w| {
                json!({
                    "userid": w.user_id,
                    "user_name": b64(&w.name),
                    "instanceid": 1,
                    "ms_open_id": ms_open_id(&w.user_id, &w.participant_id),
                    "uuid": d.user(&w.user_id).map(uuid_of).unwrap_or_default(),
                    "open_id": "", "customer_data": "", "app_version": "",
                })
            })
            .collect();
        let items = page_of(&all, page, size);
        Ok(json!({
            "total_count": all.len(),
            "current_size": items.len(),
            "current_page": page,
            "total_page": all.len().div_ceil(size),
            "meeting_id": m.id,
            "meeting_code": m.code,
            "subject": b64(&m.topic),
            "schedule_start_time": m.start_time,
            "schedule_end_time": m.end_time,
            "participants": items,
        }))
    });
    v.map_err(|e| errors::fail(ex, e)).and_then(ctx::ok)
}

/// `GET /v1/meeting/{meeting_id}/waiting-room?operator_id=&operator_id_type=&page=&page_size=`.
pub fn records(ex: &mut Exchange<'_>) -> Reply {
    records_inner(ex).unwrap_or_else(|e| e)
}

fn records_inner(ex: &mut Exchange<'_>) -> Out {
    let t = ctx::tenant(ex)?;
    let op = ctx::query_operator(ex)?;
    let (page, size) = page_args(ex, 20)?;
    let id = ex.param("meeting_id").to_string();
    let v = t.with(|d| {
        let m = viewable(d, &id, &op)?;
        let all: Vec<Value> = m
            .waiting_room
            .entries
            .iter()
            .map(|w| {
                json!({
                    "user_name": b64(&w.name),
                    "userid": w.user_id,
                    "open_id": "",
                    "ms_open_id": ms_open_id(&w.user_id, &w.participant_id),
                    "instanceid": "1",
                    "join_time": w.entered_at.saturating_mul(1000),
                    "left_time": w.left_at.unwrap_or(0).saturating_mul(1000),
                })
            })
            .collect();
        let items = page_of(&all, page, size);
        Ok(json!({
            "meeting_id": m.id,
            "subject": m.topic,
            "meeting_code": m.code,
            "schedule_start_time": m.start_time.saturating_mul(1000),
            "schedule_end_time": m.end_time.saturating_mul(1000),
            "participants": items,
            "current_size": items.len(),
            "total_count": all.len(),
            "current_page": page,
            "total_page": all.len().div_ceil(size),
        }))
    });
    v.map_err(|e| errors::fail(ex, e)).and_then(ctx::ok)
}

#[derive(Debug, Deserialize)]
struct Control {
    operator_id: Option<String>,
    operator_id_type: Option<i64>,
    instanceid: Option<i64>,
    operate_type: Option<i64>,
    allow_rejoin: Option<bool>,
    users: Option<Vec<Target>>,
}

/// The user a target names among those waiting (`in_room`) or in the meeting.
fn target(d: &TenantData, m: &Meeting, t: &Target, in_room: bool) -> Option<String> {
    let by_uuid = || {
        let u = t.uuid.as_deref().filter(|u| !u.is_empty())?;
        d.users().find(|x| uuid_of(x) == u).map(|x| x.id.clone())
    };
    let named = t.to_operator_id.as_deref().filter(|s| !s.is_empty());
    let user = match named {
        Some(id) if in_room => m
            .waiting()
            .find(|w| w.participant_id == id || w.user_id == id)
            .map(|w| w.user_id.clone()),
        Some(id) => super::realctl::resolve(m, id, t.to_operator_id_type.or(Some(4))),
        None => by_uuid(),
    }?;
    let here = if in_room {
        m.waiter(&user).is_some()
    } else {
        m.is_joined(&user)
    };
    here.then_some(user)
}

/// `PUT /v1/real-control/meetings/{meeting_id}/waiting-room`.
pub fn control(ex: &mut Exchange<'_>) -> Reply {
    control_inner(ex).unwrap_or_else(|e| e)
}

fn control_inner(ex: &mut Exchange<'_>) -> Out {
    let t = ctx::tenant(ex)?;
    let b: Control = ctx::body(ex)?;
    let op = ctx::need_str(ex, b.operator_id, "operator_id")?;
    op_type_ok(ex, b.operator_id_type)?;
    ctx::need(ex, b.instanceid, "instanceid")?;
    let kind = ctx::need(ex, b.operate_type, "operate_type")?;
    if !(1..=3).contains(&kind) {
        return Err(errors::invalid(ex, "operate_type must be 1, 2 or 3"));
    }
    if kind != 3 && b.allow_rejoin.is_some() {
        return Err(errors::invalid(
            ex,
            "allow_rejoin: only with operate_type 3",
        ));
    }
    let users = ctx::need(ex, b.users.filter(|u| !u.is_empty()), "users")?;
    let may_return = b.allow_rejoin.unwrap_or(true);
    let id = ex.param("meeting_id").to_string();
    let now = ex.now_secs();
    t.with(|d| {
        let snapshot = d
            .meeting(&id)
            .map_err(|_| Refused::Code(&errors::MEETING_NOT_EXIST))?
            .clone();
        let who: Vec<String> = users
            .iter()
            .filter_map(|u| target(d, &snapshot, u, kind != 2))
            .collect();
        let (m, _) = controlled(d, &id, &op, b.operator_id_type)?;
        if who.is_empty() {
            return Err(match kind {
                2 => Refused::Code(&errors::NOT_IN_MEETING),
                _ => Refused::Param("users: nobody named waits in the waiting room"),
            });
        }
        let mut next = m.clone();
        for u in &who {
            let done = match kind {
                1 => next.admit(u, now),
                2 => next.send_to_waiting_room(u, now),
                _ => next.remove_from_waiting_room(u, now, may_return),
            };
            done.map_err(|e| match e {
                StoreError::Full { .. } => Refused::Param("the meeting is full"),
                _ => Refused::Code(&errors::NOT_IN_MEETING),
            })?;
        }
        *m = next;
        Ok(())
    })
    .map_err(|r| answer(ex, r))?;
    ctx::ok(json!({}))
}
