//! Meetings: get, list_by_no, end. Mirrors open.feishu.cn `vc-v1/meeting/get`,
//! `meeting/list_by_no`, `meeting/end` (`shared/vendors/feishu.md` §3.3, §3.5).

use super::errors::{self, *};
use super::schema::{self, id_type, query_bool, tri};
use super::view;
use crate::exchange::{Exchange, Reply};
use crate::store::{Meeting, MeetingState, TenantData};
use crate::vendors::ErrorDef;
use http::StatusCode;
use serde::Serialize;
use serde_json::{json, Value};

pub fn ok(data: impl Serialize) -> Reply {
    Reply::json(
        StatusCode::OK,
        &Success {
            code: 0,
            data,
            msg: "success",
        },
    )
    .with_code("0")
}

/// The success envelope. Fields in alphabetical order, as the gateway writes them.
#[derive(Serialize)]
struct Success<T: Serialize> {
    code: i32,
    data: T,
    msg: &'static str,
}

/// A handler step's refusal: a catalogue entry and an optional reason.
pub type Refusal = (&'static ErrorDef, String);

/// Shorthand for a refusal without a reason.
pub fn no(err: &'static ErrorDef) -> Refusal {
    (err, String::new())
}

/// Runs `f` on the meeting named by the `meeting_id` path parameter under the tenant lock.
/// A non-numeric id is 121003; an id that is no meeting (unknown, or a reserve not started)
/// is `missing`. Changes made by `f` are kept only when it succeeds.
pub fn with_meeting<R>(
    ex: &Exchange<'_>,
    missing: &'static ErrorDef,
    f: impl FnOnce(&mut TenantData, &mut Meeting) -> Result<R, Refusal>,
) -> Result<R, Reply> {
    let t = schema::tenant(ex)?;
    let id = ex.param("meeting_id").to_string();
    if id.is_empty() || id.len() > 19 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(errors::fail_with(
            ex,
            &PARAM,
            "meeting_id must be a numeric string",
        ));
    }
    let r = t.with(|d| {
        let mut m = match d.meetings.get(&id) {
            Some(m) if view::is_meeting(m) => m.clone(),
            _ => return Err(no(missing)),
        };
        let out = f(d, &mut m)?;
        d.replace_meeting(m);
        Ok(out)
    });
    r.map_err(|refusal| refused(ex, refusal))
}

/// The answer to a refusal: the catalogue entry, with its reason when there is one.
pub fn refused(ex: &Exchange<'_>, (err, why): Refusal) -> Reply {
    if why.is_empty() {
        errors::fail(ex, err)
    } else {
        errors::fail_with(ex, err, &why)
    }
}

/// `GET /open-apis/vc/v1/meetings/{meeting_id}`: a user token sees only meetings it created,
/// hosts or takes part in (else 121005).
pub fn get(ex: &mut Exchange<'_>) -> Reply {
    let kind = tri!(id_type(ex));
    let with_p = query_bool(ex, "with_participants");
    let ability = query_bool(ex, "with_meeting_ability") && schema::operator(ex).is_none();
    let op = schema::operator(ex);
    let now = ex.now_secs();
    let v = tri!(with_meeting(ex, &DATA_NOT_EXIST, |d, m| {
        if let Some(u) = &op {
            let involved =
                m.creator == *u || m.host.as_ref() == Some(u) || m.participant(u).is_some();
            if !involved {
                return Err(no(&NO_PERMISSION));
            }
        }
        let mut v = view::meeting(d, m, kind, with_p, now);
        if ability {
            v["ability"] = json!({"use_video": true, "use_audio": true, "use_share_screen": false,
                "use_follow_screen": false, "use_recording": false, "use_pstn": false});
        }
        Ok(v)
    }));
    ok(json!({"meeting": v}))
}

/// `PATCH /open-apis/vc/v1/meetings/{meeting_id}/end` (user token): the operator must be in the
/// meeting (122003) and its current host (121005) [doc: end page].
pub fn end(ex: &mut Exchange<'_>) -> Reply {
    let op = schema::operator(ex).unwrap_or_default();
    let now = ex.now_secs();
    tri!(with_meeting(ex, &MEETING_NOT_EXIST, |_, m| {
        if m.state != MeetingState::InProgress || super::view::is_calling(m) {
            return Err(no(&STATUS_UNEXPECTED));
        }
        if !m.is_joined(&op) {
            return Err(no(&OPERATOR_NOT_IN));
        }
        if m.host.as_deref() != Some(op.as_str()) {
            return Err(no(&NO_PERMISSION));
        }
        m.end(now).map_err(|_| no(&STATUS_UNEXPECTED))
    }));
    ok(json!({}))
}

/// `GET /open-apis/vc/v1/meetings/list_by_no?meeting_no&start_time&end_time&page_token&page_size`:
/// meetings with that number started inside the window, oldest first.
pub fn list_by_no(ex: &mut Exchange<'_>) -> Reply {
    let t = tri!(schema::tenant(ex));
    let no_ = ex.query("meeting_no").unwrap_or_default();
    let start = ex.query("start_time").and_then(|s| s.parse::<i64>().ok());
    let end = ex.query("end_time").and_then(|s| s.parse::<i64>().ok());
    let (Some(start), Some(end)) = (start, end) else {
        return errors::fail_with(
            ex,
            &PARAM,
            "start_time and end_time (unix seconds) are required",
        );
    };
    if no_.len() != 9 || !no_.bytes().all(|b| b.is_ascii_digit()) || start > end {
        return errors::fail_with(
            ex,
            &PARAM,
            "meeting_no must be 9 digits and start_time ≤ end_time",
        );
    }
    let size = match ex.query("page_size").map(|s| s.parse::<usize>()) {
        None => 20,
        Some(Ok(n)) if (1..=50).contains(&n) => n,
        _ => return errors::fail_with(ex, &PARAM, "page_size must be 1..50"),
    };
    let offset = match ex
        .query("page_token")
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<usize>())
    {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => return errors::fail_with(ex, &PARAM, "page_token is invalid"),
    };
    let all: Vec<Value> = t.with(|d| {
        let mut v: Vec<&Meeting> = d
            .meetings
            .values()
            .filter(|m| view::is_meeting(m) && m.code == no_)
            .filter(|m| m.started_at.unwrap_or(m.start_time) >= start && m.started_at.unwrap_or(m.start_time) <= end)
            .collect();
        v.sort_by_key(|m| m.started_at.unwrap_or(m.start_time));
        v.iter()
            .map(|m| json!({"id": m.id, "meeting_no": m.code,
                "password": m.extra.get("password").cloned().unwrap_or(json!("")), "topic": m.topic}))
            .collect()
    });
    let page: Vec<Value> = all.iter().skip(offset).take(size).cloned().collect();
    let more = offset + page.len() < all.len();
    let mut data = json!({"has_more": more, "meeting_briefs": page});
    if more {
        data["page_token"] = json!((offset + size).to_string());
    }
    // The doc example of this endpoint has an empty msg.
    Reply::json(StatusCode::OK, &json!({"code": 0, "msg": "", "data": data})).with_code("0")
}
