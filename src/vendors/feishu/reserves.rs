//! Reserves: apply / get / update / delete / get_active_meeting. Mirrors open.feishu.cn
//! `vc-v1/reserve/apply`, `reserve/get`, `reserve/update`, `reserve/delete`,
//! `reserve/get_active_meeting` (`shared/vendors/feishu.md` §3.4). See `view.rs` for how a
//! reserve becomes a meeting.

use super::errors::{self, *};
use super::schema::{self, find_or_learn_user, id_type, query_bool, tri, unix_secs, IdType};
use super::view;
use crate::exchange::{Exchange, Reply};
use crate::store::{Meeting, MeetingState, Tenant, TenantData};
use crate::vendors::ErrorDef;
use http::StatusCode;
use serde_json::{json, Map, Value};

/// A reserve's end may be at most 30 days ahead [doc].
const MAX_AHEAD_S: i64 = 30 * 86_400;

fn ok(data: Value) -> Reply {
    Reply::json(
        StatusCode::OK,
        &json!({"code": 0, "msg": "success", "data": data}),
    )
    .with_code("0")
}

/// Validates `end_time` (string unix seconds, in the future, ≤ 30 days ahead).
fn end_time(v: &Value, now: i64) -> Result<i64, &'static str> {
    let t = unix_secs(v).ok_or("end_time must be unix seconds as a string")?;
    if t <= now || t > now + MAX_AHEAD_S {
        return Err("end_time must be in the future and at most 30 days ahead");
    }
    Ok(t)
}

/// Checks `meeting_settings` and returns its topic.
fn settings(v: &Value) -> Result<String, &'static str> {
    let o = v.as_object().ok_or("meeting_settings must be an object")?;
    match o.get("meeting_initial_type").map(Value::as_i64) {
        None | Some(Some(1)) => {}
        Some(Some(2)) => return Err("1v1 calls (meeting_initial_type 2) need a PSTN callee"),
        Some(_) => return Err("meeting_initial_type must be 1 or 2"),
    }
    match o.get("topic") {
        None => Ok(String::new()),
        Some(Value::String(s)) if s.chars().count() <= 255 => Ok(s.clone()),
        Some(_) => Err("meeting_settings.topic must be a string of at most 255 characters"),
    }
}

/// Resolves `assign_host_list` ids: (valid primary ids, invalid wire ids).
fn hosts(
    t: &Tenant,
    d: &mut TenantData,
    kind: IdType,
    s: &Value,
    ids: &crate::store::Ids,
) -> (Vec<String>, Vec<String>) {
    let (mut ok, mut bad) = (Vec::new(), Vec::new());
    for h in s
        .get("assign_host_list")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let id = h.get("id").and_then(Value::as_str).unwrap_or("");
        match find_or_learn_user(t, d, kind, id, || format!("ou_{}", ids.hex(32))) {
            Some(u) => ok.push(u),
            None => bad.push(id.to_string()),
        }
    }
    (ok, bad)
}

/// `POST /open-apis/vc/v1/reserves/apply`
pub fn apply(ex: &mut Exchange<'_>) -> Reply {
    let kind = tri!(id_type(ex));
    let t = tri!(schema::tenant(ex));
    let body: Value = tri!(schema::body(ex));
    let now = ex.now_secs();
    let end = match end_time(body.get("end_time").unwrap_or(&Value::Null), now) {
        Ok(e) => e,
        Err(why) => return errors::fail_with(ex, &PARAM, why),
    };
    let ms = body.get("meeting_settings").unwrap_or(&Value::Null);
    let topic = match settings(ms) {
        Ok(tp) => tp,
        Err(why) if why.contains("PSTN") => return errors::fail_with(ex, &NOT_SUPPORT, why),
        Err(why) => return errors::fail_with(ex, &PARAM, why),
    };
    let operator = schema::operator(ex);
    let owner_wire = body
        .get("owner_id")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let ids = &ex.app.store.ids;
    let result = t.with(|d| -> Result<Value, (&'static ErrorDef, &'static str)> {
        // owner_id counts only with a tenant token; a user token's user owns the reserve.
        let owner = match operator.clone() {
            Some(u) => u,
            None => find_or_learn_user(&t, d, kind, &owner_wire, || format!("ou_{}", ids.hex(32)))
                .ok_or((
                    &PARAM,
                    "owner_id is required with a tenant token and must be a user of the app",
                ))?,
        };
        let (valid, invalid) = hosts(&t, d, kind, ms, ids);
        let mut extra = Map::new();
        extra.insert("meeting_settings".into(), ms.clone());
        for k in ["password"] {
            if let Some(v) = body.get(k).or_else(|| ms.get(k)).and_then(Value::as_str) {
                extra.insert(k.into(), json!(v));
            }
        }
        if let Some(c) = ms.get("meeting_connect").and_then(Value::as_bool) {
            extra.insert("meeting_connect".into(), json!(c));
        }
        let m = Meeting {
            id: ids.digits(19),
            code: ids.digits(9),
            topic,
            creator: owner.clone(),
            host: Some(valid.first().cloned().unwrap_or(owner)),
            state: MeetingState::Scheduled,
            start_time: now,
            end_time: end,
            created_at: now,
            capacity: crate::store::DEFAULT_CAPACITY,
            extra,
            ..Default::default()
        };
        let reserve = view::reserve(d, &m, kind, false, now);
        d.insert_meeting(m).map_err(|_| (&INTERNAL, "id clash"))?;
        Ok(json!({"reserve": reserve,
                  "reserve_correction_check_info": {"invalid_host_id_list": invalid}}))
    });
    match result {
        Ok(data) => ok(data),
        Err((err, why)) => errors::fail_with(ex, err, why),
    }
}

/// Runs `f` on the reserve named by the path, after the common checks: it exists and is not
/// deleted (else 121004), and a user token's user owns it (else 121005).
fn with_reserve<R>(
    ex: &Exchange<'_>,
    f: impl FnOnce(&mut TenantData, &mut Meeting) -> Result<R, (&'static ErrorDef, String)>,
) -> Result<R, Reply> {
    let t = schema::tenant(ex)?;
    let id = ex.param("reserve_id").to_string();
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(errors::fail_with(
            ex,
            &PARAM,
            "reserve_id must be a numeric string",
        ));
    }
    let op = schema::operator(ex);
    let r = t.with(|d| {
        let mut m = match d.meetings.get(&id) {
            Some(m) if view::is_reserve(m) => m.clone(),
            _ => return Err((&DATA_NOT_EXIST, String::new())),
        };
        if op.as_ref().is_some_and(|u| *u != m.creator) {
            return Err((&NO_PERMISSION, String::new()));
        }
        let out = f(d, &mut m)?;
        d.replace_meeting(m);
        Ok(out)
    });
    r.map_err(|refusal| super::meetings::refused(ex, refusal))
}

/// `GET /open-apis/vc/v1/reserves/{reserve_id}`
pub fn get(ex: &mut Exchange<'_>) -> Reply {
    let kind = tri!(id_type(ex));
    let now = ex.now_secs();
    let v = tri!(with_reserve(ex, |d, m| Ok(view::reserve(
        d, m, kind, true, now
    ))));
    ok(json!({"reserve": v}))
}

/// `PUT /open-apis/vc/v1/reserves/{reserve_id}`: new end time and/or settings.
pub fn update(ex: &mut Exchange<'_>) -> Reply {
    let kind = tri!(id_type(ex));
    let body: Value = tri!(schema::body(ex));
    let now = ex.now_secs();
    let end = match body.get("end_time") {
        None => None,
        Some(v) => match end_time(v, now) {
            Ok(e) => Some(e),
            Err(why) => return errors::fail_with(ex, &PARAM, why),
        },
    };
    let ms = body.get("meeting_settings").cloned();
    let topic = match ms.as_ref().map(settings) {
        None => None,
        Some(Ok(t)) => Some(t),
        Some(Err(why)) => return errors::fail_with(ex, &PARAM, why),
    };
    let v = tri!(with_reserve(ex, |d, m| {
        if let Some(e) = end {
            m.set_schedule(m.start_time, e);
        }
        if let (Some(ms), Some(topic)) = (ms, topic) {
            if ms.get("topic").is_some() {
                m.set_topic(topic);
            }
            m.set_extra("meeting_settings", ms);
        }
        Ok(view::reserve(d, m, kind, false, now))
    }));
    ok(json!({"reserve": v}))
}

/// `DELETE /open-apis/vc/v1/reserves/{reserve_id}`: final; a running meeting carries on.
pub fn delete(ex: &mut Exchange<'_>) -> Reply {
    let now = ex.now_secs();
    tri!(with_reserve(ex, |_, m| {
        m.extra.insert("reserve_deleted".into(), Value::Bool(true));
        if m.state == MeetingState::Scheduled {
            let _ = m.cancel(now);
        }
        Ok(())
    }));
    ok(json!({}))
}

/// `GET /open-apis/vc/v1/reserves/{reserve_id}/get_active_meeting`
// [inf] a reserve with no meeting in progress answers 121004 "data not exist".
pub fn get_active_meeting(ex: &mut Exchange<'_>) -> Reply {
    let kind = tri!(id_type(ex));
    let with_p = query_bool(ex, "with_participants");
    let now = ex.now_secs();
    let v = tri!(with_reserve(ex, |d, m| {
        if m.state != MeetingState::InProgress {
            return Err((&DATA_NOT_EXIST, String::new()));
        }
        Ok(view::meeting(d, m, kind, with_p, now))
    }));
    ok(json!({"meeting": v}))
}
