//! Meeting guests (会议嘉宾: people outside the enterprise, named by phone number):
//! `GET` / `PUT /v1/guests/{meeting_id}`, and the `guests` of create and modify.
//!
//! Mirrors cloud.tencent.com/document/product/1095/54308 (query by meeting id) and /1095/93438
//! (modify by meeting id), the SDK's `meeting_guest` service (`wemeet_openapi` 1.0.10 and the Go
//! SDK v1.0.8). Guests are kept per meeting in `extra.guests` (`[{area, phone_number,
//! guest_name}]`), changed through `Meeting::set_extra` (one `meeting_updated` change).
//! Error tables: 190004, 9002, 500/9042 `权限受限或鉴权失败。`, 500/190001 `用户未创建…`, 13703
//! `查询会议失败。`, 190431 (PUT) and 9003 `会议信息不存在。` (GET). Decisions [INF]:
//! * the operator must be a user of the app (else 190001) and the meeting's creator (else
//!   9042); an unknown meeting is 9003 on GET and 13703 on PUT (the PUT table has no 9003);
//! * the list is overwritten; a missing key, `null` (the Go SDK's nil slice) and `[]` clear it;
//! * `area` 1–4 digits and `phone_number` 6–15 digits are required, `guest_name` ≤ 16
//!   characters (the WeCom twin of this API states that bound); at most 2000 guests (the create
//!   page's bound); a repeated (area, phone) keeps its first entry;
//! * a cancelled meeting answers 9007, an ended one 13603, as for invitees.

use super::ctx::{self, Out};
use super::errors;
use super::state;
use crate::exchange::{Exchange, Reply};
use crate::store::Meeting;
use crate::vendors::ErrorDef;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::HashSet;

/// Most guests on one meeting.
const MAX_GUESTS: usize = 2000;

/// One guest as sent and as answered.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Guest {
    #[serde(default)]
    pub area: Option<String>,
    #[serde(default)]
    pub phone_number: Option<String>,
    #[serde(default)]
    pub guest_name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct PutGuests {
    userid: Option<String>,
    instanceid: Option<i64>,
    #[serde(default)]
    guests: Option<Vec<Guest>>,
}

fn digits(s: &str, lo: usize, hi: usize) -> bool {
    (lo..=hi).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// Checks a guest list; the normalised list to store, or the parameter at fault.
pub fn check(list: Vec<Guest>) -> Result<Value, &'static str> {
    if list.len() > MAX_GUESTS {
        return Err("guests: at most 2000 guests");
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for g in list {
        let area = g.area.unwrap_or_default();
        let phone = g.phone_number.unwrap_or_default();
        if !digits(&area, 1, 4) {
            return Err("guests[].area must be 1 to 4 digits (86, not +86)");
        }
        if !digits(&phone, 6, 15) {
            return Err("guests[].phone_number must be 6 to 15 digits");
        }
        let name = g.guest_name.unwrap_or_default();
        if name.chars().count() > 16 {
            return Err("guests[].guest_name is longer than 16 characters");
        }
        if seen.insert((area.clone(), phone.clone())) {
            out.push(json!({ "area": area, "phone_number": phone, "guest_name": name }));
        }
    }
    Ok(Value::Array(out))
}

/// The meeting's guests as stored.
pub fn of(m: &Meeting) -> Value {
    m.extra.get("guests").cloned().unwrap_or_else(|| json!([]))
}

/// The operator must be a user of the app (190001) and the creator of `m` (9042).
fn owner(d: &crate::store::TenantData, m: &Meeting, op: &str) -> Result<(), &'static ErrorDef> {
    if d.user(op).is_none() {
        return Err(&errors::UNREGISTERED_USERS);
    }
    if m.creator != op {
        return Err(&errors::NO_PERMISSION);
    }
    Ok(())
}

/// `GET /v1/guests/{meeting_id}?userid=&instanceid=`.
pub fn get(ex: &mut Exchange<'_>) -> Reply {
    get_inner(ex).unwrap_or_else(|e| e)
}

fn get_inner(ex: &mut Exchange<'_>) -> Out {
    let t = ctx::tenant(ex)?;
    let op = ex
        .query("userid")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| errors::invalid(ex, "userid is required"))?;
    ctx::query_instance(ex)?;
    let id = ex.param("meeting_id").to_string();
    let v = t.with(|d| {
        let m = d.meeting(&id).map_err(|_| &errors::MEETING_NOT_EXIST)?;
        owner(d, m, &op)?;
        Ok(json!({
            "meeting_id": m.id,
            "meeting_code": m.code,
            "subject": m.topic,
            "guests": of(m),
        }))
    });
    v.map_err(|e| errors::fail(ex, e)).and_then(ctx::ok)
}

/// `PUT /v1/guests/{meeting_id}`: overwrites the list; answers `{}`.
pub fn put(ex: &mut Exchange<'_>) -> Reply {
    put_inner(ex).unwrap_or_else(|e| e)
}

fn put_inner(ex: &mut Exchange<'_>) -> Out {
    let t = ctx::tenant(ex)?;
    let b: PutGuests = ctx::body(ex)?;
    let op = ctx::need_str(ex, b.userid, "userid")?;
    ctx::need(ex, b.instanceid, "instanceid")?;
    let list = check(b.guests.unwrap_or_default()).map_err(|p| errors::invalid(ex, p))?;
    let id = ex.param("meeting_id").to_string();
    let now = ex.now_secs();
    t.with(|d| {
        let m = d.meeting(&id).map_err(|_| &errors::QUERY_MEETING_FAILED)?;
        owner(d, m, &op)?;
        state::editable(m, now)?;
        let m = d
            .meeting_mut(&id)
            .map_err(|_| &errors::QUERY_MEETING_FAILED)?;
        m.set_extra("guests", list);
        Ok(())
    })
    .map_err(|e| errors::fail(ex, e))?;
    ctx::ok(json!({}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(area: &str, phone: &str, name: &str) -> Guest {
        Guest {
            area: Some(area.into()),
            phone_number: Some(phone.into()),
            guest_name: Some(name.into()),
        }
    }

    #[test]
    fn guests_are_checked_and_repeats_collapse() {
        let ok = check(vec![
            g("86", "13800000001", "甲"),
            g("86", "13800000001", "乙"),
        ])
        .unwrap();
        assert_eq!(ok.as_array().unwrap().len(), 1);
        assert!(check(vec![g("+86", "13800000001", "")]).is_err());
        assert!(check(vec![g("86", "138", "")]).is_err());
        assert!(check(vec![g("86", "13800000001", &"名".repeat(17))]).is_err());
        assert!(check(vec![Guest {
            area: Some("86".into()),
            phone_number: None,
            guest_name: None
        }])
        .is_err());
    }
}
