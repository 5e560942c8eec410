//! Create, query and modify meetings: `POST /v1/meetings`, `GET /v1/meetings` (by code or a
//! user's list), `GET /v1/meetings/{meeting_id}`, `PUT /v1/meetings/{meeting_id}`.
//!
//! Mirrors cloud.tencent.com/document/product/1095/42417 (create), /1095/42418 (query by id),
//! /1095/42421 (query list) and /1095/42420 (modify). Decisions [INF]:
//! * the creator must be a registered user of the app, else 400/20001;
//! * create and modify accept at most 300 invitees (400/190004 beyond); unknown or
//!   unregistered invitees are reported in `user_non_registered` and not stored;
//! * an unknown meeting is 500/9003 `MEETING NOT EXIST` (the general error page);
//! * a user's list holds the meetings they created, host or are invited to that are not ended
//!   or cancelled, 20 per page (`pos` / `next_pos` / `remaining`).

use super::ctx::{self, Out};
use super::errors;
use super::guests;
use super::schema::{MeetingBody, UserRef};
use super::state;
use crate::exchange::{Exchange, Reply};
use crate::ratelimit::LimitMode;
use crate::store::{Invitee, Meeting, MeetingState, TenantData, VendorId};
use serde_json::{json, Value};

/// Most invitees on create / modify (PUT invitees takes up to 2000).
const MAX_CREATE_INVITEES: usize = 300;
/// Meetings per page of a user's list.
const LIST_PAGE: usize = 20;

/// `POST /v1/meetings`.
pub fn create(ex: &mut Exchange<'_>) -> Reply {
    create_inner(ex).unwrap_or_else(|e| e)
}

fn create_inner(ex: &mut Exchange<'_>) -> Out {
    let t = ctx::tenant(ex)?;
    let req: MeetingBody = ctx::body(ex)?;
    let userid = ctx::need_str(ex, req.userid.clone(), "userid")?;
    ctx::need(ex, req.instanceid, "instanceid")?;
    let subject = ctx::need_str(ex, req.subject.clone(), "subject")?;
    let kind = ctx::need(ex, req.kind, "type")?;
    if !(0..=1).contains(&kind) {
        return Err(errors::invalid(
            ex,
            "type must be 0 (scheduled) or 1 (quick)",
        ));
    }
    let now = ex.now_secs();
    let (start, end) = match (kind, &req.start_time, &req.end_time) {
        (0, Some(s), Some(e)) => (
            ctx::parse_time(ex, s, "start_time")?,
            ctx::parse_time(ex, e, "end_time")?,
        ),
        (0, _, _) => return Err(errors::invalid(ex, "start_time and end_time are required")),
        _ => (now, now + 3600),
    };
    let mut m = Meeting {
        creator: userid.clone(),
        host: Some(userid.clone()),
        created_at: now,
        ..Default::default()
    };
    m.extra.insert("type".into(), json!(kind));
    m.extra
        .insert("meeting_type".into(), json!(req.meeting_type.unwrap_or(0)));
    apply_fields(ex, &mut m, &req, subject, start, end)?;
    let store = &ex.app.store;
    m.id = store.ids.digits(19);
    m.code = store.ids.digits(9);
    m.extra.insert(
        "join_url".into(),
        json!(format!(
            "https://meeting.tencent.com/dm/{}",
            store.ids.hex(12)
        )),
    );
    let invitees = req.invitees.unwrap_or_default();
    let quotas = documented_limits(ex);
    let out = t.with(|d| {
        if !d.user(&userid).is_some_and(|u| u.registered) {
            return Err(&errors::USER_NOT_EXIST);
        }
        if quotas {
            quota(d, &userid, now)?;
        }
        let (keep, non) = resolve(d, invitees)?;
        m.invitees = keep;
        let mut info = ctx::meeting_info(&m, &userid, now);
        if !non.is_empty() {
            info["user_non_registered"] = json!(non);
        }
        d.insert_meeting(m).map_err(|_| &errors::INTERNAL)?;
        Ok(info)
    });
    let info = out.map_err(|e| errors::fail(ex, e))?;
    ex.note.meeting = info["meeting_id"].as_str().map(str::to_string);
    ctx::ok(json!({ "meeting_number": 1, "meeting_info_list": [info] }))
}

/// True when a scenario switched Tencent's documented limits on (`rate_limits: {tencent:
/// documented}`): the create quotas then apply too.
pub(super) fn documented_limits(ex: &Exchange<'_>) -> bool {
    ex.app.limiter.mode(VendorId::Tencent) == Some(LimitMode::Documented)
}

/// Meetings one user may create per hour (500029).
const CREATES_PER_HOUR: usize = 2000;

/// The create quotas of /1095/105276, from state: 2000 creates per user per hour → 500029;
/// per account per month, (users × 10) with at least 50 users, else (users × 2) → 500168.
/// Counted from the meetings the store holds (`created_at`, cancelled ones included).
/// [INF] every user counts as a paid seat; a month is 30 days on the server clock.
fn quota(d: &TenantData, user: &str, now: i64) -> Result<(), &'static crate::vendors::ErrorDef> {
    let hour = d
        .meetings
        .values()
        .filter(|m| m.creator == user && m.created_at > now - 3600)
        .count();
    if hour >= CREATES_PER_HOUR {
        return Err(&errors::CREATE_LIMIT);
    }
    let seats = d.users().count();
    let monthly = seats * if seats >= 50 { 10 } else { 2 };
    let month = d
        .meetings
        .values()
        .filter(|m| m.created_at > now - 30 * 86_400)
        .count();
    if month >= monthly {
        return Err(&errors::MONTHLY_LIMIT);
    }
    Ok(())
}

fn resolve(
    d: &TenantData,
    list: Vec<UserRef>,
) -> Result<(Vec<Invitee>, Vec<String>), &'static crate::vendors::ErrorDef> {
    ctx::resolve_invitees(d, list).map_err(|_| &errors::INVALID_PARAM)
}

/// Validates and writes subject, times, password, hosts, settings and location.
fn apply_fields(
    ex: &Exchange<'_>,
    m: &mut Meeting,
    req: &MeetingBody,
    subject: String,
    start: i64,
    end: i64,
) -> Result<(), Reply> {
    if subject.len() > 512 {
        return Err(errors::invalid(ex, "subject is longer than 512 bytes"));
    }
    if end <= start {
        return Err(errors::invalid(
            ex,
            "end_time must be later than start_time",
        ));
    }
    if req
        .invitees
        .as_ref()
        .is_some_and(|l| l.len() > MAX_CREATE_INVITEES)
    {
        return Err(errors::invalid(ex, "invitees: at most 300 invitees, use PUT /v1/meetings/{meeting_id}/invitees for up to 2000"));
    }
    if req
        .invitees
        .as_ref()
        .is_some_and(|l| l.iter().any(|u| u.userid.trim().is_empty()))
    {
        return Err(errors::invalid(ex, "invitees[].userid is required"));
    }
    if let Some(p) = req.password.as_deref().filter(|p| !p.is_empty()) {
        if !(4..=6).contains(&p.len()) || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(errors::invalid(ex, "password must be 4 to 6 digits"));
        }
        m.set_extra("password", json!(p));
    }
    if let Some(hosts) = &req.hosts {
        let ids: Vec<String> = hosts
            .iter()
            .map(|h| h.userid.clone())
            .filter(|h| !h.is_empty())
            .collect();
        if let Some(first) = ids.first() {
            m.set_host(Some(first.clone()));
        }
        m.set_extra("hosts", json!(ids));
    }
    if let Some(s) = &req.settings {
        let mut merged = m
            .extra
            .get("settings")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        merged.extend(s.clone());
        // The waiting room setting drives the store's waiting room (arrivals are held).
        if let Some(on) = s.get("auto_in_waiting_room").and_then(Value::as_bool) {
            m.set_waiting_room(on);
        }
        merged.remove("auto_in_waiting_room");
        m.set_extra("settings", Value::Object(merged));
    }
    if let Some(list) = &req.guests {
        let list = guests::check(list.clone()).map_err(|p| errors::invalid(ex, p))?;
        m.set_extra("guests", list);
    }
    for (k, v) in [("location", &req.location), ("time_zone", &req.time_zone)] {
        if let Some(v) = v {
            m.set_extra(k, json!(v));
        }
    }
    if let Some(l) = req.enable_live {
        m.set_extra("enable_live", json!(l));
    }
    m.set_topic(subject);
    m.set_schedule(start, end);
    Ok(())
}

/// `GET /v1/meetings/{meeting_id}?operator_id=&operator_id_type=&instanceid=`.
pub fn get(ex: &mut Exchange<'_>) -> Reply {
    get_inner(ex).unwrap_or_else(|e| e)
}

fn get_inner(ex: &mut Exchange<'_>) -> Out {
    let t = ctx::tenant(ex)?;
    let op = ctx::query_operator(ex)?;
    ctx::query_instance(ex)?;
    let id = ex.param("meeting_id").to_string();
    let now = ex.now_secs();
    let info = t
        .with(|d| d.meeting(&id).map(|m| ctx::meeting_info(m, &op, now)))
        .map_err(|_| errors::fail(ex, &errors::MEETING_NOT_EXIST))?;
    ctx::ok(json!({ "meeting_number": 1, "meeting_info_list": [info] }))
}

/// `GET /v1/meetings?meeting_code=…` or `?userid=…` (a user's upcoming and running meetings).
pub fn list(ex: &mut Exchange<'_>) -> Reply {
    list_inner(ex).unwrap_or_else(|e| e)
}

fn list_inner(ex: &mut Exchange<'_>) -> Out {
    let t = ctx::tenant(ex)?;
    let op = ctx::query_operator(ex)?;
    ctx::query_instance(ex)?;
    let now = ex.now_secs();
    if let Some(code) = ex.query("meeting_code").filter(|c| !c.is_empty()) {
        let info = t.with(|d| {
            d.meetings
                .values()
                .find(|m| m.code == code && m.state != MeetingState::Cancelled)
                .map(|m| ctx::meeting_info(m, &op, now))
        });
        let info = info.ok_or_else(|| errors::fail(ex, &errors::MEETING_NOT_EXIST))?;
        return ctx::ok(json!({ "meeting_number": 1, "meeting_info_list": [info] }));
    }
    let pos = ctx::query_pos(ex, "pos", 0)?;
    let all: Vec<Value> = t.with(|d| {
        d.meetings
            .values()
            .filter(|m| state::upcoming(m, now))
            .filter(|m| {
                m.creator == op
                    || ctx::hosts(m).contains(&op)
                    || m.invitees.iter().any(|i| i.user_id == op)
            })
            .map(|m| ctx::meeting_info(m, &op, now))
            .collect()
    });
    let page: Vec<Value> = all.iter().skip(pos).take(LIST_PAGE).cloned().collect();
    let next = pos.saturating_add(page.len());
    ctx::ok(json!({
        "meeting_number": page.len(),
        "meeting_info_list": page,
        "remaining": all.len().saturating_sub(next),
        "next_pos": next,
        "next_cursory": 0,
    }))
}

/// `PUT /v1/meetings/{meeting_id}`: the creator changes subject, times, hosts, invitees…
pub fn modify(ex: &mut Exchange<'_>) -> Reply {
    modify_inner(ex).unwrap_or_else(|e| e)
}

fn modify_inner(ex: &mut Exchange<'_>) -> Out {
    let t = ctx::tenant(ex)?;
    let req: MeetingBody = ctx::body(ex)?;
    let userid = ctx::need_str(ex, req.userid.clone(), "userid")?;
    ctx::need(ex, req.instanceid, "instanceid")?;
    let id = ex.param("meeting_id").to_string();
    let now = ex.now_secs();
    let invitees = req.invitees.as_ref().map(|l| {
        l.iter()
            .map(|u| UserRef {
                userid: u.userid.clone(),
            })
            .collect::<Vec<_>>()
    });
    // One lock for read-check-write, so a concurrent join or cancel is never overwritten.
    let code = t.with(|d| -> Result<String, Reply> {
        let mut m = d
            .meeting(&id)
            .map_err(|_| errors::fail(ex, &errors::MEETING_NOT_EXIST))?
            .clone();
        if m.creator != userid {
            return Err(errors::fail(ex, &errors::NO_PERMISSION));
        }
        state::editable(&m, now).map_err(|e| errors::fail(ex, e))?;
        let subject = match req.subject.clone() {
            Some(s) if s.trim().is_empty() => return Err(errors::invalid(ex, "subject is empty")),
            Some(s) => s,
            None => m.topic.clone(),
        };
        let start = match &req.start_time {
            Some(s) => ctx::parse_time(ex, s, "start_time")?,
            None => m.start_time,
        };
        let end = match &req.end_time {
            Some(s) => ctx::parse_time(ex, s, "end_time")?,
            None => m.end_time,
        };
        apply_fields(ex, &mut m, &req, subject, start, end)?;
        if let Some(list) = invitees {
            let (keep, _) = resolve(d, list).map_err(|e| errors::fail(ex, e))?;
            // apply_fields() already enforced the cap.
            let _ = m.set_invitees(keep, MAX_CREATE_INVITEES);
        }
        let code = m.code.clone();
        if let Ok(slot) = d.meeting_mut(&id) {
            *slot = m;
        }
        Ok(code)
    })?;
    ctx::ok(json!({
        "meeting_number": 1,
        "meeting_info_list": [{ "meeting_id": id, "meeting_code": code }],
    }))
}
