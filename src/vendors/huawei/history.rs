//! Huawei history and presence lookups: SearchHisMeetings (`GET …/conferences/history`),
//! ShowHisMeetingDetail (`GET …/conferences/history/confDetail?confUUID=`) and
//! CheckCallNumberInConf (`GET /v2/mms/ncms/conferences/online/check-callnumber-in-conf`).
//!
//! Mirrors the API reference pages of the same names and the SDK responses (SearchHisMeetings
//! `{offset, limit, count, data:[ConferenceInfo]}`, ShowHisMeetingDetail `{conferenceData,
//! data: PageParticipant}`, CheckCallNumberInConf `{in_conf, conf_id}`, snake_case).
//! A history record is a meeting that was held and has ended (StopMeeting, CancelMeeting
//! `type=1`, or its scheduled end); its `confUUID` names that session. Its participant page
//! lists everyone who took part. `startDate`/`endDate` (ms) bound the session's start.

use super::errors::{fail, note_meeting, ok};
use super::meetings::paging;
use super::views;
use crate::exchange::{Exchange, Reply};
use crate::store::{splitmix64, Meeting, MeetingState};
use serde_json::{json, Value};

/// The 32-hex UUID of a meeting's last held session.
pub fn session_uuid(m: &Meeting) -> String {
    let seed =
        m.id.bytes()
            .fold(0u64, |a, b| a.wrapping_mul(131).wrapping_add(u64::from(b)))
            ^ (m.started_at.unwrap_or(0) as u64);
    let h = splitmix64(seed);
    format!("{:016x}{:016x}", h, splitmix64(h))
}

/// True for a meeting that was held and is over (its last session is history).
fn is_history(m: &Meeting) -> bool {
    m.started_at.is_some() && m.ended_at.is_some() && m.state != MeetingState::InProgress
}

/// ConferenceInfo of a history record: ended state, the session's UUID and times.
fn history_info(m: &Meeting, d: &crate::store::TenantData) -> Value {
    let mut v = views::conference_info(m, d);
    v["conferenceState"] = json!("Destroyed");
    v["confUUID"] = json!(session_uuid(m));
    if let (Some(s), Some(e)) = (m.started_at, m.ended_at) {
        v["startTime"] = json!(views::fmt_time(s));
        v["endTime"] = json!(views::fmt_time(e));
    }
    v
}

/// GET /v1/mmc/management/conferences/history — SearchHisMeetings.
pub fn search_his_meetings(ex: &mut Exchange<'_>) -> Reply {
    let Some(p) = ex.principal.clone() else {
        return fail("token_invalid");
    };
    let Some((offset, limit)) = paging(ex, "offset", "limit", 20, 500) else {
        return fail("conf_bad_request");
    };
    let ms = |k: &str| {
        ex.query(k)
            .filter(|v| !v.is_empty())
            .map(|v| v.parse::<i64>())
    };
    let (from, to) = match (ms("startDate"), ms("endDate")) {
        (Some(Err(_)), _) | (_, Some(Err(_))) => return fail("conf_bad_request"),
        (f, t) => (
            f.and_then(Result::ok).unwrap_or(i64::MIN),
            t.and_then(Result::ok).unwrap_or(i64::MAX),
        ),
    };
    let all = ex.query("queryAll").as_deref() == Some("true");
    let key = ex.query("searchKey").unwrap_or_default();
    let me = p.user.clone().unwrap_or_default();
    let desc = ex.query("sortType").as_deref() != Some("ASC_StartTIME");
    let list: Vec<Value> = p.tenant.with(|d| {
        let mut ms: Vec<&Meeting> = d
            .meetings
            .values()
            .filter(|m| is_history(m))
            .filter(|m| all || m.creator == me)
            .filter(|m| key.is_empty() || m.topic.contains(&key) || m.id.contains(&key))
            .filter(|m| {
                let s = m.started_at.unwrap_or(0).saturating_mul(1000);
                s >= from && s <= to
            })
            .collect();
        ms.sort_by_key(|m| (m.started_at, m.id.clone()));
        if desc {
            ms.reverse();
        }
        ms.into_iter().map(|m| history_info(m, d)).collect()
    });
    let count = list.len();
    let page: Vec<Value> = list.into_iter().skip(offset).take(limit).collect();
    ok(&json!({"offset": offset, "limit": limit, "count": count, "data": page}))
}

/// GET /v1/mmc/management/conferences/history/confDetail — ShowHisMeetingDetail.
pub fn show_his_meeting_detail(ex: &mut Exchange<'_>) -> Reply {
    let Some(p) = ex.principal.clone() else {
        return fail("token_invalid");
    };
    let uuid = ex.query("confUUID").unwrap_or_default();
    let Some((offset, limit)) = paging(ex, "offset", "limit", 20, 500) else {
        return fail("conf_bad_request");
    };
    let key = ex.query("searchKey").unwrap_or_default();
    let out = p.tenant.with(|d| {
        let m = d
            .meetings
            .values()
            .find(|m| is_history(m) && session_uuid(m) == uuid)?;
        let list: Vec<Value> = m
            .participants
            .iter()
            .filter(|x| key.is_empty() || x.name.contains(&key) || x.user_id.contains(&key))
            .map(|x| views::participant_info(views::call_number(x), &x.name, &x.extra))
            .collect();
        let count = list.len();
        let page: Vec<Value> = list.into_iter().skip(offset).take(limit).collect();
        Some((
            m.id.clone(),
            json!({
                "conferenceData": history_info(m, d),
                "data": {"data": page, "offset": offset, "limit": limit, "count": count},
            }),
        ))
    });
    match out {
        Some((id, v)) => {
            note_meeting(ex, &id);
            ok(&v)
        }
        None => fail("conf_data_not_found"),
    }
}

/// GET /v2/mms/ncms/conferences/online/check-callnumber-in-conf — CheckCallNumberInConf:
/// whether a number is in one of the enterprise's running meetings, and which.
pub fn check_call_number_in_conf(ex: &mut Exchange<'_>) -> Reply {
    let Some(p) = ex.principal.clone() else {
        return fail("token_invalid");
    };
    let number = ex.query("call_number").unwrap_or_default();
    if number.is_empty() {
        return fail("conf_bad_request");
    }
    let found = p.tenant.with(|d| {
        d.meetings
            .values()
            .filter(|m| m.state == MeetingState::InProgress)
            .find(|m| {
                m.participants
                    .iter()
                    .any(|x| x.occupies_seat() && views::call_number(x) == number)
            })
            .map(|m| m.id.clone())
    });
    match found {
        Some(id) => {
            note_meeting(ex, &id);
            ok(&json!({"in_conf": true, "conf_id": id}))
        }
        None => ok(&json!({"in_conf": false, "conf_id": ""})),
    }
}
