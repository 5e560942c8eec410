//! Reserves: apply / get / update / delete / get_active_meeting. Mirrors open.feishu.cn
//! `vc-v1/reserve/apply`, `reserve/get`, `reserve/update`, `reserve/delete`,
//! `reserve/get_active_meeting` (`shared/vendors/feishu.md` §3.4).
//!
//! A reserve is a reusable schedule: it keeps its id and stays `scheduled` until deleted;
//! each time it starts (admin `start`, i.e. someone joins) a meeting with an id of its own
//! opens from it ([`TenantData::start_meeting`]), one at a time.

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

/// Most hosts a reserve may name [doc: 123003 "assign host exceed max limit 10"].
const MAX_HOSTS: usize = 10;

/// Checks `meeting_settings` and returns its topic, or the refusal: 121003 for wrong types,
/// 121002 for a 1v1 call whose callee is not a PSTN user, 123002 for auto-recording a 1v1
/// call, 123003 for more than 10 hosts, 123006 for a password that is not 4–9 digits [doc].
fn settings(v: &Value) -> Result<String, (&'static ErrorDef, &'static str)> {
    let o = v
        .as_object()
        .ok_or((&PARAM, "meeting_settings must be an object"))?;
    let one_on_one = match o.get("meeting_initial_type").map(Value::as_i64) {
        None | Some(Some(1)) => false,
        Some(Some(2)) => true,
        Some(_) => return Err((&PARAM, "meeting_initial_type must be 1 or 2")),
    };
    if one_on_one {
        call_setting(o.get("call_setting"))?;
    }
    match o.get("auto_record") {
        None | Some(Value::Bool(false)) => {}
        Some(Value::Bool(true)) if one_on_one => {
            return Err((&RECORD_PARAM, "1v1 calls cannot be recorded automatically"))
        }
        Some(Value::Bool(true)) => {}
        Some(_) => return Err((&PARAM, "auto_record must be a boolean")),
    }
    match o.get("assign_host_list") {
        None | Some(Value::Null) => {}
        Some(Value::Array(a)) if a.len() > MAX_HOSTS => {
            return Err((&HOST_LIMIT, "at most 10 hosts"))
        }
        Some(Value::Array(_)) => {}
        Some(_) => return Err((&PARAM, "assign_host_list must be a list")),
    }
    match o.get("password") {
        None => {}
        Some(Value::String(p))
            if p.is_empty()
                || ((4..=9).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())) => {}
        Some(_) => return Err((&BAD_PASSWORD, "password must be empty or 4 to 9 digits")),
    }
    match o.get("topic") {
        None => Ok(String::new()),
        Some(Value::String(s)) if s.chars().count() <= 255 => Ok(s.clone()),
        Some(_) => Err((
            &PARAM,
            "meeting_settings.topic must be a string of at most 255 characters",
        )),
    }
}

/// A 1v1 call (`meeting_initial_type` 2) needs `call_setting.callee`, a PSTN user (type 6)
/// with `pstn_sip_info.main_address` `+<country>-<number>` [doc: "1v1呼叫(仅支持预约PSTN用户)"].
fn call_setting(v: Option<&Value>) -> Result<(), (&'static ErrorDef, &'static str)> {
    let callee = v
        .and_then(|c| c.get("callee"))
        .ok_or((&PARAM, "a 1v1 call needs call_setting.callee"))?;
    if callee.get("user_type").and_then(Value::as_i64) != Some(6) {
        return Err((
            &NOT_SUPPORT,
            "only PSTN callees (user_type 6) are supported",
        ));
    }
    let addr = callee
        .pointer("/pstn_sip_info/main_address")
        .and_then(Value::as_str)
        .unwrap_or("");
    let ok = addr
        .strip_prefix('+')
        .and_then(|r| r.split_once('-'))
        .is_some_and(|(cc, n)| {
            !cc.is_empty()
                && !n.is_empty()
                && format!("{cc}{n}").bytes().all(|b| b.is_ascii_digit())
        });
    if !ok {
        return Err((
            &PARAM,
            "pstn_sip_info.main_address must look like +86-02187654321",
        ));
    }
    Ok(())
}

/// Checks `assign_host_list` entries before anything changes: an entry that is no Lark user
/// (`user_type` ≠ 1) or an id of the wrong shape for `user_id_type` is 123004 [doc].
fn check_hosts(s: &Value, kind: IdType) -> Result<(), (&'static ErrorDef, &'static str)> {
    for h in s
        .get("assign_host_list")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let id = h.get("id").and_then(Value::as_str).unwrap_or("");
        let user_type = h.get("user_type").and_then(Value::as_i64).unwrap_or(1);
        if user_type != 1 || !kind.well_formed(id) {
            return Err((
                &HOST_ERROR,
                "assign_host_list takes Lark users (user_type 1) named by user_id_type",
            ));
        }
    }
    Ok(())
}

/// Resolves `assign_host_list` ids: (valid primary ids, well-formed ids naming nobody, which
/// the answer lists in `reserve_correction_check_info.invalid_host_id_list`).
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
    let topic = match settings(ms).and_then(|tp| check_hosts(ms, kind).map(|_| tp)) {
        Ok(tp) => tp,
        Err((err, why)) => return errors::fail_with(ex, err, why),
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
        d.meetings.insert(m.id.clone(), m);
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
    let checked = ms
        .as_ref()
        .map(|ms| settings(ms).and_then(|tp| check_hosts(ms, kind).map(|_| tp)));
    let topic = match checked {
        None => None,
        Some(Ok(t)) => Some(t),
        Some(Err((err, why))) => return errors::fail_with(ex, err, why),
    };
    let v = tri!(with_reserve(ex, |d, m| {
        if let Some(e) = end {
            m.set_schedule(m.start_time, e);
        }
        if let (Some(tp), true) = (
            topic,
            ms.as_ref().is_some_and(|ms| ms.get("topic").is_some()),
        ) {
            m.set_topic(tp);
        }
        if let Some(ms) = ms {
            m.set_extra("meeting_settings", ms);
        }
        Ok(view::reserve(d, m, kind, false, now))
    }));
    ok(json!({"reserve": v}))
}

/// `DELETE /open-apis/vc/v1/reserves/{reserve_id}`: final; a meeting it opened carries on.
pub fn delete(ex: &mut Exchange<'_>) -> Reply {
    let now = ex.now_secs();
    tri!(with_reserve(ex, |_, m| {
        m.set_extra("reserve_deleted", Value::Bool(true));
        m.cancel(now).map_err(|_| (&DATA_NOT_EXIST, String::new()))
    }));
    ok(json!({}))
}

/// `GET /open-apis/vc/v1/reserves/{reserve_id}/get_active_meeting`: the meeting the reserve
/// opened that is in progress ("一个预约最多有一个正在进行中的会议" [doc]); its id is the
/// meeting's own, not the reserve's.
// [inf] a reserve with no meeting in progress answers 121004 "data not exist".
pub fn get_active_meeting(ex: &mut Exchange<'_>) -> Reply {
    let kind = tri!(id_type(ex));
    let with_p = query_bool(ex, "with_participants");
    let now = ex.now_secs();
    let v = tri!(with_reserve(ex, |d, r| {
        let m = d
            .opened_from(&r.id)
            .find(|m| m.state == MeetingState::InProgress)
            .ok_or((&DATA_NOT_EXIST, String::new()))?;
        Ok(view::meeting(d, m, kind, with_p, now))
    }));
    ok(json!({"meeting": v}))
}
