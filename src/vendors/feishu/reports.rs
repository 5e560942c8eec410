//! The VC v1 reports: `GET /open-apis/vc/v1/meeting_list` (查询会议明细, open.feishu.cn
//! `reference/vc-v1/meeting_list/get`) and `GET /open-apis/vc/v1/participant_list` (查询参会人明细,
//! `reference/vc-v1/participant_list/get`). Request fields and the response models
//! (`GetMeetingListResponseBody{meeting_list: [MeetingInfo], page_token, has_more}`,
//! `GetParticipantListResponseBody{participants: [Participant], page_token, has_more}`) are the
//! ones `lark-oapi` 1.7.5 sends and parses.
//!
//! Both answer from the caller's tenant only (tenant or user token alike: the report permission
//! is tenant-wide), over meetings that ran (`meeting_status` 1 in progress, 2 ended — the
//! default; 3 "to be held" is read-only on meeting_list and matches only reserves, which have
//! no participants, on participant_list). A meeting belongs to a query window when its actual
//! start lies inside it. Only people who joined appear (invitees never answered are no
//! attendees). Filters `meeting_no` / `user_id` / `room_id`: at most one, as the doc says.
//! The pages' own codes [doc]: 126003 / 126004 a meeting number that is not 9 digits, 126005 a
//! start in the future, 126006 an end before the start or more than a year (meeting_list) /
//! a day (participant_list) after it, 126007 user and room together (participant_list), 126008
//! more than one filter (meeting_list), 126009 no meeting with that number in the window
//! (participant_list). Anything else missing or malformed is 121003. Paging: `page_size` 20..=100 (default 20), an opaque
//! `page_token` (an offset) and `has_more`, as `meetings/list_by_no` does.

use super::auth::civil_from_days;
use super::errors::{self, *};
use super::meetings::ok;
use super::schema::{self, find_user, id_type, tri, wire_id, IdType};
use super::view;
use crate::exchange::{Exchange, Reply};
use crate::store::{Meeting, MeetingState, Participant, ParticipantStatus, TenantData};
use serde_json::{json, Map, Value};

// DEVIATION: the doc examples write times as "2022.12.17 21:00:00 (GMT+08:00)" and durations
// as "h:mm:ss"; the real service uses the tenant's time zone, meetmock always GMT+08:00.
const OFFSET_SECS: i64 = 8 * 3600;

/// Page sizes the doc allows [inf: "取值范围 20～100", default 20].
const PAGE_SIZES: std::ops::RangeInclusive<usize> = 20..=100;

fn bad(ex: &Exchange<'_>, why: &str) -> Reply {
    errors::fail_with(ex, &PARAM, why)
}

/// A unix time as the reports write it: `YYYY.MM.DD hh:mm:ss (GMT+08:00)`.
fn when(t: i64) -> String {
    let t = t + OFFSET_SECS;
    let (y, m, d) = civil_from_days(t.div_euclid(86_400));
    let s = t.rem_euclid(86_400);
    format!(
        "{y:04}.{m:02}.{d:02} {:02}:{:02}:{:02} (GMT+08:00)",
        s / 3600,
        s % 3600 / 60,
        s % 60
    )
}

/// A duration as `h:mm:ss`.
fn duration(secs: i64) -> String {
    let s = secs.max(0);
    format!("{}:{:02}:{:02}", s / 3600, s % 3600 / 60, s % 60)
}

/// When the meeting actually started (a seeded ended meeting: its scheduled start).
fn started(m: &Meeting) -> i64 {
    m.started_at.unwrap_or(m.start_time)
}

fn is_room(p: &Participant) -> bool {
    p.extra.get("user_type").and_then(Value::as_i64) == Some(3)
}

fn attended(p: &Participant) -> bool {
    p.joined_at.is_some()
}

/// Copies the media flags a scenario or admin action recorded; unknown flags are left out
/// rather than invented.
fn copy_flags(v: &mut Value, extra: &Map<String, Value>, keys: &[&str]) {
    for k in keys {
        if let Some(b) = extra.get(*k).and_then(Value::as_bool) {
            v[*k] = Value::Bool(b);
        }
    }
}

/// Directory fields of a user (the `contact:user.employee_id` field permission is assumed).
fn contact(v: &mut Value, d: &TenantData, primary: &str, phone_key: &str) {
    if let Some(u) = d.user(primary) {
        if let Some(e) = u.aliases.get("user_id") {
            v["employee_id"] = json!(e);
        }
        if let Some(e) = &u.email {
            v["email"] = json!(e);
        }
        if let Some(p) = &u.phone {
            v[phone_key] = json!(p);
        }
    }
}

/// A required unix-seconds query parameter.
fn secs(ex: &Exchange<'_>, name: &str) -> Result<i64, Reply> {
    match ex.query(name).map(|s| s.trim().parse::<i64>()) {
        Some(Ok(n)) => Ok(n),
        Some(_) => Err(bad(ex, &format!("{name} must be a unix time in seconds"))),
        None => Err(bad(ex, &format!("{name} is required"))),
    }
}

/// `meeting_status` (default 2): 1 in progress, 2 ended, 3 to be held (when `allow_3`).
fn status(ex: &Exchange<'_>, allow_3: bool) -> Result<MeetingState, Reply> {
    match ex.query("meeting_status").as_deref() {
        None | Some("") | Some("2") => Ok(MeetingState::Ended),
        Some("1") => Ok(MeetingState::InProgress),
        Some("3") if allow_3 => Ok(MeetingState::Scheduled),
        Some(other) => Err(bad(
            ex,
            &format!("meeting_status {other:?} is not supported"),
        )),
    }
}

/// `(offset, size)` from `page_token` / `page_size`.
fn page(ex: &Exchange<'_>) -> Result<(usize, usize), Reply> {
    let size = match ex.query("page_size").map(|s| s.parse::<usize>()) {
        None => *PAGE_SIZES.start(),
        Some(Ok(n)) if PAGE_SIZES.contains(&n) => n,
        _ => return Err(bad(ex, "page_size must be 20..100")),
    };
    let offset = match ex.query("page_token").filter(|s| !s.is_empty()) {
        None => 0,
        Some(t) => match t.parse::<usize>() {
            Ok(n) => n,
            Err(_) => return Err(bad(ex, "page_token is invalid")),
        },
    };
    Ok((offset, size))
}

/// The one optional filter of a report, as sent.
enum Filter {
    Any,
    MeetingNo(String),
    User(String),
    Room(String),
}

/// A filter resolved against the directory.
enum Target {
    Any,
    Nobody,
    MeetingNo(String),
    User(String),
    Room(String),
}

/// Reads `user_id` / `room_id` (and `meeting_no` when `with_no`): at most one of them.
fn filter(ex: &Exchange<'_>, kind: IdType, with_no: bool) -> Result<Filter, Reply> {
    let get = |k: &str| ex.query(k).filter(|s| !s.is_empty());
    let no = if with_no { get("meeting_no") } else { None };
    let (user, room) = (get("user_id"), get("room_id"));
    if [&no, &user, &room].iter().filter(|x| x.is_some()).count() > 1 {
        let err = if with_no { &ONE_FILTER } else { &USER_AND_ROOM };
        return Err(errors::fail(ex, err));
    }
    if let Some(n) = no {
        tri_no(ex, &n)?;
        return Ok(Filter::MeetingNo(n));
    }
    if let Some(u) = user {
        if !kind.well_formed(&u) {
            return Err(bad(ex, "user_id does not match user_id_type"));
        }
        return Ok(Filter::User(u));
    }
    if let Some(r) = room {
        if r.len() > 64 || !r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(bad(ex, "room_id is invalid"));
        }
        return Ok(Filter::Room(r));
    }
    Ok(Filter::Any)
}

/// A meeting number must be 9 digits: 126003 when it is no non-negative number, 126004 when
/// its length is wrong.
fn tri_no(ex: &Exchange<'_>, n: &str) -> Result<(), Reply> {
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return Err(errors::fail(ex, &MEETING_NO_NEGATIVE));
    }
    if n.len() != 9 {
        return Err(errors::fail(ex, &MEETING_NO_LENGTH));
    }
    Ok(())
}

/// The window checks: start not in the future (126005, unless looking at meetings to be
/// held), end not before the start nor more than `max_span` after it (`span_err`).
fn window(
    ex: &Exchange<'_>,
    (start, end): (i64, i64),
    future_ok: bool,
    max_span: i64,
    span_err: &'static crate::vendors::ErrorDef,
) -> Result<(), Reply> {
    if start < 0 || (!future_ok && start > ex.now_secs()) {
        return Err(errors::fail(ex, &START_TIME_ERROR));
    }
    if end < start || end - start > max_span {
        return Err(errors::fail(ex, span_err));
    }
    Ok(())
}

impl Filter {
    fn resolve(&self, d: &TenantData, kind: IdType) -> Target {
        match self {
            Filter::Any => Target::Any,
            Filter::MeetingNo(n) => Target::MeetingNo(n.clone()),
            Filter::User(u) => find_user(d, kind, u).map_or(Target::Nobody, Target::User),
            Filter::Room(r) => Target::Room(r.clone()),
        }
    }
}

impl Target {
    fn takes(&self, p: &Participant) -> bool {
        match self {
            Target::Any | Target::MeetingNo(_) => true,
            Target::Nobody => false,
            Target::User(u) => p.user_id == *u && !is_room(p),
            Target::Room(r) => p.user_id == *r && is_room(p),
        }
    }

    fn meeting(&self, m: &Meeting) -> bool {
        match self {
            Target::MeetingNo(n) => m.code == *n,
            _ => m.participants.iter().any(|p| attended(p) && self.takes(p)),
        }
    }
}

/// `data` of a page: `{<key>: [...], "has_more", "page_token"?}`.
fn paged(all: Vec<Value>, (offset, size): (usize, usize), key: &str) -> Reply {
    let total = all.len();
    let list: Vec<Value> = all.into_iter().skip(offset).take(size).collect();
    let more = offset + list.len() < total;
    let mut data = Map::new();
    data.insert("has_more".into(), Value::Bool(more));
    data.insert(key.into(), Value::Array(list));
    if more {
        data.insert("page_token".into(), json!((offset + size).to_string()));
    }
    ok(Value::Object(data))
}

/// One `MeetingInfo`.
fn meeting_info(d: &TenantData, m: &Meeting, kind: IdType, now: i64) -> Value {
    let start = started(m);
    let people = m.participants.iter().filter(|p| attended(p)).count();
    let mut v = json!({
        "meeting_id": m.id,
        "meeting_topic": m.topic,
        // [inf] 1 = an ordinary video meeting; webinars are not emulated.
        "meeting_type": 1,
        "organizer": d.user(&m.creator).map(|u| u.name.as_str()).unwrap_or(""),
        "user_id": wire_id(d, kind, &m.creator),
        "meeting_start_time": when(start),
        "meeting_end_time": m.ended_at.map(when).unwrap_or_default(),
        "meeting_duration": duration(m.ended_at.unwrap_or(now) - start),
        "number_of_participants": people.to_string(),
        // DEVIATION: one device per attendee (devices are not modelled).
        "number_of_devices": people.to_string(),
        "is_external": false,
    });
    contact(&mut v, d, &m.creator, "mobile");
    copy_flags(
        &mut v,
        &m.extra,
        &["audio", "video", "sharing", "recording", "telephone"],
    );
    v
}

/// One report `Participant`.
// DEVIATION: device, network and client fields (device, app_version, ips, location,
// microphone…) and leave_reason are not modelled and left out instead of invented.
fn participant_row(d: &TenantData, p: &Participant, kind: IdType, now: i64) -> Value {
    let joined = p.joined_at.unwrap_or(0);
    let left = p.left_at.filter(|_| p.status == ParticipantStatus::Left);
    let mut v = json!({
        "participant_name": p.name,
        "join_time": when(joined),
        "leave_time": left.map(when).unwrap_or_default(),
        "time_in_meeting": duration(left.unwrap_or(now) - joined),
        "is_external": false,
    });
    if is_room(p) {
        v["meeting_room_id"] = json!(p.user_id);
    } else {
        v["user_id"] = json!(wire_id(d, kind, &p.user_id));
        contact(&mut v, d, &p.user_id, "phone");
    }
    copy_flags(&mut v, &p.extra, &["audio", "video", "sharing"]);
    v
}

/// `GET /open-apis/vc/v1/meeting_list?start_time&end_time[&meeting_status][&meeting_no|user_id|
/// room_id][&meeting_type][&page_size&page_token][&user_id_type]`: newest first.
pub fn meeting_list(ex: &mut Exchange<'_>) -> Reply {
    let kind = tri!(id_type(ex));
    let t = tri!(schema::tenant(ex));
    let start = tri!(secs(ex, "start_time"));
    let end = tri!(secs(ex, "end_time"));
    let state = tri!(status(ex, false));
    tri!(window(
        ex,
        (start, end),
        false,
        366 * 86_400,
        &END_TIME_YEAR
    ));
    let filter = tri!(filter(ex, kind, true));
    if ex
        .query("meeting_type")
        .is_some_and(|s| s.parse::<i64>().is_err())
    {
        return bad(ex, "meeting_type must be an integer");
    }
    let pg = tri!(page(ex));
    let now = ex.now_secs();
    let all = t.with(|d| {
        let target = filter.resolve(d, kind);
        let mut list: Vec<&Meeting> = d
            .meetings
            .values()
            .filter(|m| m.state == state && view::is_meeting(m))
            .filter(|m| (start..=end).contains(&started(m)) && target.meeting(m))
            .collect();
        list.sort_by(|a, b| started(b).cmp(&started(a)).then_with(|| a.id.cmp(&b.id)));
        list.iter()
            .map(|m| meeting_info(d, m, kind, now))
            .collect::<Vec<_>>()
    });
    paged(all, pg, "meeting_list")
}

/// `GET /open-apis/vc/v1/participant_list?meeting_start_time&meeting_end_time&meeting_no
/// [&meeting_status][&user_id|room_id][&page_size&page_token][&user_id_type]`: the attendees of
/// the meetings with that number started inside the window, in join order.
pub fn participant_list(ex: &mut Exchange<'_>) -> Reply {
    let kind = tri!(id_type(ex));
    let t = tri!(schema::tenant(ex));
    let start = tri!(secs(ex, "meeting_start_time"));
    let end = tri!(secs(ex, "meeting_end_time"));
    let Some(no) = ex.query("meeting_no").filter(|s| !s.is_empty()) else {
        return bad(ex, "meeting_no (9 digits) is required");
    };
    tri!(tri_no(ex, &no));
    let state = tri!(status(ex, true));
    let future_ok = state == MeetingState::Scheduled;
    tri!(window(ex, (start, end), future_ok, 86_400, &END_TIME_DAY));
    let filter = tri!(filter(ex, kind, false));
    let pg = tri!(page(ex));
    let now = ex.now_secs();
    let all = t.with(|d| {
        let target = filter.resolve(d, kind);
        let meetings: Vec<&Meeting> = d
            .meetings
            .values()
            .filter(|m| m.state == state && m.code == no)
            .filter(|m| (start..=end).contains(&started(m)))
            .collect();
        if meetings.is_empty() {
            return None;
        }
        let mut rows: Vec<(i64, &Participant)> = meetings
            .iter()
            .flat_map(|m| m.participants.iter())
            .filter(|p| attended(p) && target.takes(p))
            .map(|p| (p.joined_at.unwrap_or(0), p))
            .collect();
        rows.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.user_id.cmp(&b.1.user_id)));
        Some(
            rows.iter()
                .map(|(_, p)| participant_row(d, p, kind, now))
                .collect::<Vec<_>>(),
        )
    });
    match all {
        Some(all) => paged(all, pg, "participants"),
        None => errors::fail(ex, &NO_SUCH_MEETING),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_in_gmt_plus_8() {
        assert_eq!(when(0), "1970.01.01 08:00:00 (GMT+08:00)");
        assert_eq!(when(1_671_282_000), "2022.12.17 21:00:00 (GMT+08:00)");
    }

    #[test]
    fn durations_are_hours_minutes_seconds() {
        assert_eq!(duration(3_723), "1:02:03");
        assert_eq!(duration(-5), "0:00:00");
    }
}
