//! What every Tencent handler needs: the caller's tenant, body decoding with the vendor's own
//! param error, required fields, the operator, invitee resolution and the `MeetingInfo` shape.
//!
//! Mirrors the MeetingInfo model of /1095/42418 (query meeting) and the SDK's
//! `V1MeetingsMeetingIdGet200ResponseMeetingInfoListInner`.

use super::errors;
use super::schema::UserRef;
use super::state;
use crate::exchange::{Exchange, Reply};
use crate::store::{Invitee, Meeting, Tenant, TenantData};
use base64::Engine;
use http::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};
use std::collections::HashSet;
use std::sync::Arc;

/// A handler's outcome: the answer, or the error answer.
pub type Out = Result<Reply, Reply>;

/// 200 with this JSON (every 2xx is valid JSON; `{}` when there is no output).
pub fn ok(value: Value) -> Out {
    Ok(Reply::json(StatusCode::OK, &value).with_code("0"))
}

/// The authenticated tenant (always set for signed routes).
pub fn tenant(ex: &Exchange<'_>) -> Result<Arc<Tenant>, Reply> {
    ex.principal()
        .map(|p| Arc::clone(&p.tenant))
        .ok_or_else(|| errors::fail(ex, &errors::INTERNAL))
}

/// The body decoded into `T`, or 400/190004 "failed to unmarshal req body: …".
pub fn body<T: DeserializeOwned>(ex: &Exchange<'_>) -> Result<T, Reply> {
    ex.json::<T>().map_err(|e| errors::unmarshal(ex, &e))
}

/// A required body field.
pub fn need<T>(ex: &Exchange<'_>, v: Option<T>, name: &str) -> Result<T, Reply> {
    v.ok_or_else(|| errors::invalid(ex, &format!("{name} is required")))
}

/// A required, non-empty string field.
pub fn need_str(ex: &Exchange<'_>, v: Option<String>, name: &str) -> Result<String, Reply> {
    need(ex, v.filter(|s| !s.trim().is_empty()), name)
}

/// An integer query parameter; absent → `None`, not an integer → 190004.
pub fn query_int(ex: &Exchange<'_>, name: &str) -> Result<Option<i64>, Reply> {
    match ex.query(name) {
        None => Ok(None),
        Some(v) if v.is_empty() => Ok(None),
        Some(v) => v
            .parse::<i64>()
            .map(Some)
            .map_err(|_| errors::invalid(ex, &format!("{name} must be an integer"))),
    }
}

/// A non-negative integer query parameter with a default.
pub fn query_pos(ex: &Exchange<'_>, name: &str, default: i64) -> Result<usize, Reply> {
    let v = query_int(ex, name)?.unwrap_or(default);
    usize::try_from(v).map_err(|_| errors::invalid(ex, &format!("{name} must be ≥ 0")))
}

/// Checks an operator type: only 1 (userid) is emulated.
// DEVIATION: operator_id_type 2 (openid), 3 (rooms_id) and 4 (ms_open_id) need OAuth or
// Rooms, which the mock does not emulate; they are answered 190004.
pub fn operator_type(ex: &Exchange<'_>, t: Option<i64>) -> Result<(), Reply> {
    match t {
        Some(1) => Ok(()),
        Some(_) => Err(errors::invalid(
            ex,
            "operator_id_type: only 1 (userid) is supported",
        )),
        None => Err(errors::invalid(ex, "operator_id_type is required")),
    }
}

/// The operator of a GET: `operator_id` + `operator_id_type`, or the older `userid`.
pub fn query_operator(ex: &Exchange<'_>) -> Result<String, Reply> {
    if let Some(op) = ex.query("operator_id").filter(|s| !s.is_empty()) {
        operator_type(ex, query_int(ex, "operator_id_type")?)?;
        return Ok(op);
    }
    ex.query("userid")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| errors::invalid(ex, "operator_id or userid is required"))
}

/// `instanceid` must be present in the query and an integer.
pub fn query_instance(ex: &Exchange<'_>) -> Result<i64, Reply> {
    query_int(ex, "instanceid")?.ok_or_else(|| errors::invalid(ex, "instanceid is required"))
}

/// Splits requested invitees into those stored (registered users of the tenant, first
/// occurrence order, duplicates collapsed) and the ids reported in `user_non_registered`
/// (unknown or unregistered users: reported, never stored). `Err` names an empty userid.
pub fn resolve_invitees(
    d: &TenantData,
    list: Vec<UserRef>,
) -> Result<(Vec<Invitee>, Vec<String>), ()> {
    let mut seen = HashSet::with_capacity(list.len());
    let (mut keep, mut non) = (Vec::new(), Vec::new());
    for r in list {
        if r.userid.trim().is_empty() {
            return Err(());
        }
        if !seen.insert(r.userid.clone()) {
            continue;
        }
        match d.user(&r.userid) {
            Some(u) if u.registered => keep.push(Invitee {
                user_id: u.id.clone(),
                name: u.name.clone(),
                ..Default::default()
            }),
            _ => non.push(r.userid),
        }
    }
    Ok((keep, non))
}

/// Base64 of a UTF-8 text (names and subjects of the participant APIs).
pub fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s.as_bytes())
}

/// A list of user ids kept in `meeting.extra[key]`.
pub fn extra_ids(m: &Meeting, key: &str) -> Vec<String> {
    m.extra
        .get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn users(ids: &[String]) -> Value {
    Value::Array(ids.iter().map(|u| json!({ "userid": u })).collect())
}

/// The meeting's hosts: `extra.hosts`, else the creator.
pub fn hosts(m: &Meeting) -> Vec<String> {
    let h = extra_ids(m, "hosts");
    if h.is_empty() {
        vec![m.creator.clone()]
    } else {
        h
    }
}

/// The meeting's settings: what was sent, over the defaults.
fn settings(m: &Meeting) -> Value {
    let mut s = Map::new();
    for (k, v) in [
        ("mute_enable_join", json!(true)),
        ("allow_unmute_self", json!(false)),
        ("allow_in_before_host", json!(true)),
        ("auto_in_waiting_room", json!(false)),
        ("allow_screen_shared_watermark", json!(false)),
        ("only_enterprise_user_allowed", json!(false)),
    ] {
        s.insert(k.to_string(), v);
    }
    if let Some(Value::Object(o)) = m.extra.get("settings") {
        for (k, v) in o {
            s.insert(k.clone(), v.clone());
        }
    }
    // The store's waiting room is the truth (create, modify, or the real-control switch).
    s.insert("auto_in_waiting_room".into(), json!(m.waiting_room_on()));
    Value::Object(s)
}

/// The join link (kept in `extra.join_url`, else derived from the code).
pub fn join_url(m: &Meeting) -> String {
    match m.extra.get("join_url").and_then(Value::as_str) {
        Some(u) => u.to_string(),
        None => format!("https://meeting.tencent.com/dm/{}", m.code),
    }
}

fn text(m: &Meeting, key: &str) -> String {
    m.extra
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

fn int(m: &Meeting, key: &str) -> i64 {
    m.extra.get(key).and_then(Value::as_i64).unwrap_or(0)
}

/// `MeetingInfo` as the query APIs answer it. The password is shown to the creator only.
// [INF] the subject is plain text: a 2020 capture showed base64 subjects on create/query, but
// current docs and SDK models describe plain text there (base64 only on participant APIs).
pub fn meeting_info(m: &Meeting, operator: &str, now: i64) -> Value {
    let password = text(m, "password");
    let current_hosts: Vec<String> = m.host.iter().filter(|h| m.is_joined(h)).cloned().collect();
    let co_hosts = extra_ids(m, "co_hosts");
    let invitees: Vec<String> = m
        .invitees
        .iter()
        .take(300)
        .map(|i| i.user_id.clone())
        .collect();
    let mut v = json!({
        "subject": m.topic,
        "meeting_id": m.id,
        "meeting_code": m.code,
        "type": int(m, "type"),
        "meeting_type": int(m, "meeting_type"),
        "status": state::name(m, now),
        "start_time": m.start_time.to_string(),
        "end_time": m.end_time.to_string(),
        "need_password": !password.is_empty(),
        "join_url": join_url(m),
        "hosts": users(&hosts(m)),
        "current_hosts": users(&current_hosts),
        "current_co_hosts": users(&co_hosts),
        "participants": users(&invitees),
        "settings": settings(m),
        "location": text(m, "location"),
        "time_zone": text(m, "time_zone"),
        "enable_live": m.extra.get("enable_live").and_then(Value::as_bool).unwrap_or(false),
        "sync_to_wework": false,
        "has_vote": false,
    });
    if !password.is_empty() && operator == m.creator {
        v["password"] = json!(password);
    }
    if m.extra
        .get("guests")
        .and_then(Value::as_array)
        .is_some_and(|g| !g.is_empty())
    {
        v["guests"] = super::guests::of(m);
    }
    v
}

/// Unix seconds from a string field; `Err` names the field.
pub fn parse_time(ex: &Exchange<'_>, v: &str, name: &str) -> Result<i64, Reply> {
    if v.is_empty() || v.len() > 12 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(errors::invalid(
            ex,
            &format!("{name} must be unix seconds as a string"),
        ));
    }
    v.parse::<i64>()
        .map_err(|_| errors::invalid(ex, &format!("{name} must be unix seconds as a string")))
}
