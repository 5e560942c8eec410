//! Huawei meeting management (会议管理): CreateMeeting, StartMeeting, CancelMeeting,
//! ShowMeetingDetail, ShowOnlineMeetingDetail, SearchMeetings, SearchOnlineMeetings,
//! ListOnlineConfAttendee.
//!
//! Mirrors support.huaweicloud.com `api-meeting` pages of the same names and notes §2–§4.
//! Decisions: a meeting without `startTime` is immediate (`IMMEDIATELY`) but, like a future one,
//! stays `Schedule` until StartMeeting [REC]; StartMeeting does not join anyone; unknown or
//! ended meetings on management APIs answer MMC.111070005 CONF_DATA_NOT_FOUND [REC]; a wrong
//! password on StartMeeting answers MMC.111072065.

use super::conftoken::CONTROL_LOCK;
use super::errors::{fail, note_meeting, ok, ok_empty};
use super::schema::{validate_attendee, ScheduleBody};
use super::views::{self, keys};
use crate::exchange::{Exchange, Reply};
use crate::store::{ControlLogin, Meeting, MeetingState, DEFAULT_CAPACITY};
use serde_json::{json, Value};

/// POST /v1/mmc/management/conferences — CreateMeeting; answers a JSON array.
pub fn create_meeting(ex: &mut Exchange<'_>) -> Reply {
    let Some(p) = ex.principal.clone() else {
        return fail("token_invalid");
    };
    let Ok(body) = ex.json::<ScheduleBody>() else {
        return fail("conf_bad_request");
    };
    let now = ex.now_secs();
    let (start, conf_type) = match body.start_time.as_deref().filter(|s| !s.is_empty()) {
        None => (now, "IMMEDIATELY"),
        Some(s) => match views::parse_time(s) {
            None => return fail("conf_bad_request"),
            // One minute of grace for clients whose clock runs a little behind.
            Some(t) if t + 60 < now => return fail("conf_start_time_less_than_current_time"),
            Some(t) => (t, "FUTURE"),
        },
    };
    let length = body.length.unwrap_or(30);
    if !(15..=1440).contains(&length) {
        return fail("conf_length_over_range");
    }
    let subject = body.subject.unwrap_or_default();
    if subject.chars().count() > 128 {
        return fail("conf_subject_length_too_long");
    }
    let media = body.media_types.unwrap_or_else(|| "Voice,Video".into());
    if !media_ok(&media) {
        return fail("conf_media_types_illegal");
    }
    let concurrent = body.concurrent_participants.unwrap_or(0);
    if concurrent < 0 {
        return fail("conf_bad_request");
    }
    let vmr = match body.vmr_flag.unwrap_or(0) {
        f @ (0 | 1) => f,
        _ => return fail("conf_bad_request"),
    };
    let cfg = body.conf_config_info.unwrap_or_default();
    let guest_pwd = match cfg.guest_pwd.filter(|g| !g.is_empty()) {
        Some(g) if (4..=16).contains(&g.len()) && g.bytes().all(|b| b.is_ascii_digit()) => g,
        Some(_) => return fail("conf_bad_request"),
        None => ex.app.store.ids.digits(6),
    };
    let attendees = body.attendees.unwrap_or_default();
    let mut invitees = Vec::with_capacity(attendees.len().min(500));
    for a in &attendees {
        match validate_attendee(a, true) {
            Ok(inv) => invitees.push(inv),
            Err(name) => return fail(name),
        }
    }
    let store = &ex.app.store;
    let creator = p.user.clone().unwrap_or_default();
    let chair = store.ids.digits(6);
    // Conference IDs are unique across enterprises: control calls find a conference by its id.
    let mut id = store.ids.digits(9);
    while super::locate::taken(store, &id) {
        id = store.ids.digits(9);
    }
    let info = p.tenant.with(|d| {
        let mut id = id;
        while d.meetings.contains_key(&id) {
            id = store.ids.digits(9);
        }
        let mut extra = serde_json::Map::new();
        extra.insert(keys::CHAIR_PWD.into(), json!(chair));
        extra.insert(keys::GUEST_PWD.into(), json!(guest_pwd));
        extra.insert(keys::MEDIA.into(), json!(media));
        extra.insert(keys::CONF_TYPE.into(), json!(conf_type));
        extra.insert(keys::CONCURRENT.into(), json!(concurrent));
        extra.insert(keys::VMR_FLAG.into(), json!(vmr));
        extra.insert(
            keys::GUEST_START.into(),
            json!(cfg.allow_guest_start_conf.unwrap_or(false)),
        );
        extra.insert(
            keys::LANGUAGE.into(),
            json!(body.language.unwrap_or_else(|| "zh-CN".into())),
        );
        extra.insert(
            keys::TIME_ZONE.into(),
            json!(body.time_zone_id.unwrap_or_else(|| "56".into())),
        );
        if conf_type == "IMMEDIATELY" {
            extra.insert(keys::CONF_UUID.into(), json!(store.ids.hex(32)));
        }
        let mut m = Meeting {
            id: id.clone(),
            code: id,
            topic: subject,
            creator: creator.clone(),
            host: Some(creator),
            state: MeetingState::Scheduled,
            start_time: start,
            end_time: start + length * 60,
            created_at: now,
            capacity: if concurrent > 0 {
                concurrent as u32
            } else {
                DEFAULT_CAPACITY
            },
            extra,
            ..Default::default()
        };
        m.add_invitees(invitees);
        let info = views::conference_info(&m, d);
        let _ = d.insert_meeting(m);
        info
    });
    let id = info["conferenceID"].as_str().unwrap_or("").to_string();
    note_meeting(ex, &id);
    ok(&json!([info]))
}

/// True for a valid `mediaTypes` list (Video and HDVideo exclude each other).
pub fn media_ok(media: &str) -> bool {
    let items: Vec<&str> = media.split(',').map(str::trim).collect();
    items
        .iter()
        .all(|m| ["Voice", "Video", "HDVideo", "Data"].contains(m))
        && !(items.contains(&"Video") && items.contains(&"HDVideo"))
}

/// POST /v1/mmc/management/conferences/start — StartMeeting (chair password, or the guest
/// password when `allowGuestStartConf`).
pub fn start_meeting(ex: &mut Exchange<'_>) -> Reply {
    let Some(p) = ex.principal.clone() else {
        return fail("token_invalid");
    };
    let Ok(body) = ex.json::<Value>() else {
        return fail("conf_bad_request");
    };
    let id = body["conferenceID"].as_str().unwrap_or("").to_string();
    let password = body["password"].as_str().unwrap_or("").to_string();
    note_meeting(ex, &id);
    let now = ex.now_secs();
    let result = p.tenant.with(|d| {
        let Ok(m) = d.meeting_mut(&id) else {
            return Err("conf_data_not_found");
        };
        if matches!(m.state, MeetingState::Ended | MeetingState::Cancelled) {
            return Err("conf_is_closed");
        }
        if password.is_empty() {
            return Err("conf_authen_need_password");
        }
        let chair = views::extra_str(&m.extra, keys::CHAIR_PWD) == password;
        let guest = views::extra_str(&m.extra, keys::GUEST_PWD) == password
            && m.extra.get(keys::GUEST_START).and_then(Value::as_bool) == Some(true);
        // Activation logs in to the conference like CreateConfToken: same lockout.
        match m.check_control_login(chair || guest, now, CONTROL_LOCK) {
            ControlLogin::Ok => {}
            ControlLogin::Locked => return Err("conf_ctr_login_locked"),
            ControlLogin::Wrong { .. } => return Err("conf_not_found_or_auth_failed"),
        }
        if m.state == MeetingState::Scheduled {
            m.start(now).map_err(|_| "conf_status_illegal")?;
        }
        Ok(())
    });
    match result {
        Ok(()) => ok(&json!({"uuid": "", "regionIP": "127.0.0.1"})),
        Err(name) => fail(name),
    }
}

/// DELETE /v1/mmc/management/conferences — CancelMeeting (`type=1` also ends a running one).
pub fn cancel_meeting(ex: &mut Exchange<'_>) -> Reply {
    let Some(p) = ex.principal.clone() else {
        return fail("token_invalid");
    };
    let id = ex.query("conferenceID").unwrap_or_default();
    let force = ex.query("type").as_deref() == Some("1");
    note_meeting(ex, &id);
    let now = ex.now_secs();
    let result = p.tenant.with(|d| {
        let Ok(m) = d.meeting_mut(&id) else {
            return Err("conf_data_not_found");
        };
        match m.state {
            MeetingState::Ended | MeetingState::Cancelled => Err("conf_data_not_found"),
            MeetingState::InProgress if !force => Err("conf_is_ongoing_cannot_cancel"),
            MeetingState::InProgress => m.cancel_running(now).map_err(|_| "conf_status_illegal"),
            MeetingState::Scheduled => m.cancel(now).map_err(|_| "conf_status_illegal"),
        }
    });
    match result {
        Ok(()) => {
            super::control::revoke_control_tokens(ex, &p.tenant.id, &id);
            ok_empty()
        }
        Err(name) => fail(name),
    }
}

/// GET …/conferences/confDetail — ShowMeetingDetail (scheduled or running meetings).
pub fn show_meeting_detail(ex: &mut Exchange<'_>) -> Reply {
    detail(ex, false)
}

/// GET …/conferences/online/confDetail — ShowOnlineMeetingDetail (running meetings only;
/// lists only the attendees invited at scheduling, as the docs say).
pub fn show_online_meeting_detail(ex: &mut Exchange<'_>) -> Reply {
    detail(ex, true)
}

fn detail(ex: &mut Exchange<'_>, online: bool) -> Reply {
    let Some(p) = ex.principal.clone() else {
        return fail("token_invalid");
    };
    let id = ex.query("conferenceID").unwrap_or_default();
    note_meeting(ex, &id);
    let Some((offset, limit)) = paging(ex, "offset", "limit", 20, 500) else {
        return fail("conf_bad_request");
    };
    let key = ex.query("searchKey").unwrap_or_default();
    let out = p.tenant.with(|d| {
        let m = d.meeting(&id).ok()?;
        let visible = match m.state {
            MeetingState::InProgress => true,
            MeetingState::Scheduled => !online,
            _ => false,
        };
        if !visible {
            return None;
        }
        let list: Vec<Value> = m
            .invitees
            .iter()
            .filter(|i| !online || views::extra_str(&i.extra, keys::SOURCE) != "invite")
            .filter(|i| key.is_empty() || i.name.contains(&key) || i.user_id.contains(&key))
            .map(|i| views::participant_info(&i.user_id, &i.name, &i.extra))
            .collect();
        let count = list.len();
        let page: Vec<Value> = list.into_iter().skip(offset).take(limit).collect();
        Some(json!({
            "conferenceData": views::conference_info(m, d),
            "data": {"data": page, "offset": offset, "limit": limit, "count": count},
        }))
    });
    match out {
        Some(v) => ok(&v),
        None => fail("conf_data_not_found"),
    }
}

/// `offset`/`limit` from the query: defaults, `limit` in 1..=max; `None` when invalid.
pub fn paging(
    ex: &Exchange<'_>,
    o: &str,
    l: &str,
    def: usize,
    max: usize,
) -> Option<(usize, usize)> {
    let offset = match ex.query(o).filter(|v| !v.is_empty()) {
        None => 0,
        Some(v) => v.parse::<usize>().ok()?,
    };
    let limit = match ex.query(l).filter(|v| !v.is_empty()) {
        None => def,
        Some(v) => v.parse::<usize>().ok().filter(|n| (1..=max).contains(n))?,
    };
    Some((offset, limit))
}

/// GET /v1/mmc/management/conferences — SearchMeetings (scheduled and running).
pub fn search_meetings(ex: &mut Exchange<'_>) -> Reply {
    search(ex, false)
}

/// GET /v1/mmc/management/conferences/online — SearchOnlineMeetings.
pub fn search_online_meetings(ex: &mut Exchange<'_>) -> Reply {
    search(ex, true)
}

fn search(ex: &mut Exchange<'_>, online: bool) -> Reply {
    let Some(p) = ex.principal.clone() else {
        return fail("token_invalid");
    };
    let Some((offset, limit)) = paging(ex, "offset", "limit", 20, 500) else {
        return fail("conf_bad_request");
    };
    let all = ex.query("queryAll").as_deref() == Some("true");
    let key = ex.query("searchKey").unwrap_or_default();
    let me = p.user.clone().unwrap_or_default();
    let list: Vec<Value> = p.tenant.with(|d| {
        let mut ms: Vec<&Meeting> = d
            .meetings
            .values()
            .filter(|m| match m.state {
                MeetingState::InProgress => true,
                MeetingState::Scheduled => !online,
                _ => false,
            })
            .filter(|m| all || m.creator == me || m.host.as_deref() == Some(me.as_str()))
            .filter(|m| key.is_empty() || m.topic.contains(&key) || m.id.contains(&key))
            .collect();
        ms.sort_by_key(|m| (m.start_time, m.id.clone()));
        ms.into_iter()
            .map(|m| views::conference_info(m, d))
            .collect()
    });
    let count = list.len();
    let page: Vec<Value> = list.into_iter().skip(offset).take(limit).collect();
    ok(&json!({"offset": offset, "limit": limit, "count": count, "data": page}))
}

/// GET …/conferences/online/conf-attendee — ListOnlineConfAttendee (snake_case query,
/// `limit` ≤ 500).
pub fn list_online_conf_attendee(ex: &mut Exchange<'_>) -> Reply {
    let Some(p) = ex.principal.clone() else {
        return fail("token_invalid");
    };
    let id = ex.query("conf_id").unwrap_or_default();
    note_meeting(ex, &id);
    let Some((offset, limit)) = paging(ex, "offset", "limit", 20, 500) else {
        return fail("conf_bad_request");
    };
    if id.is_empty() {
        return fail("conf_bad_request");
    }
    let key = ex.query("search_key").unwrap_or_default();
    let out = p.tenant.with(|d| {
        let m = d.meeting(&id).map_err(|_| "conf_data_not_found")?;
        match m.state {
            MeetingState::InProgress => {}
            MeetingState::Scheduled => return Err("conf_not_started"),
            _ => return Err("conf_is_closed"),
        }
        Ok(m.participants
            .iter()
            .filter(|p| p.occupies_seat())
            .map(|p| views::online_attendee(m, p))
            .filter(|v| {
                key.is_empty()
                    || ["name", "call_number", "third_account"]
                        .iter()
                        .any(|k| v[k].as_str().is_some_and(|s| s.contains(&key)))
            })
            .collect::<Vec<Value>>())
    });
    match out {
        Ok(list) => {
            let count = list.len();
            let page: Vec<Value> = list.into_iter().skip(offset).take(limit).collect();
            ok(&json!({"data": page, "offset": offset, "limit": limit, "count": count}))
        }
        Err(name) => fail(name),
    }
}
