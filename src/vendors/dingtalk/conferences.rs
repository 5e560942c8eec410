//! Conference lifecycle: create, query info, close, batch query, a user's ongoing list.
//!
//! Mirrors the DingTalk pages `create-a-video-conference`, `querying-video-conference-information`,
//! `close-audio-video-conference`, `batch-query-of-video-conference-information` and
//! `api-queryuserongoingconference` (notes §6.1, §6.3, §6.5, §6.6). A created conference is an
//! instant one: it is in progress at once, its organiser is its host.

use super::errors::{self, Fail};
use super::schema::{self, extra, Fields};
use crate::exchange::{Exchange, Reply};
use crate::store::{
    Invitee, Meeting, MeetingState, Participant, ParticipantStatus, Tenant, TenantData,
    DEFAULT_CAPACITY,
};
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// `confTitle` is kept up to this many characters, longer titles are cut (notes §9).
pub const TITLE_KEPT: usize = 50;
/// `confTitle` longer than this many characters fails (notes §9).
pub const TITLE_MAX: usize = 256;

/// The authenticated app's tenant.
pub fn tenant(ex: &Exchange<'_>) -> Result<Arc<Tenant>, Fail> {
    ex.principal()
        .map(|p| Arc::clone(&p.tenant))
        .ok_or_else(|| Fail::of("invalid_token"))
}

/// The `{conferenceId}` path parameter; blank → `paramsError` (the seed's "meeting ID is missing").
pub fn conf_id(ex: &Exchange<'_>) -> Result<String, Fail> {
    let id = ex.param("conferenceId").trim();
    if id.is_empty() {
        return Err(Fail::params("conferenceId is empty"));
    }
    Ok(id.to_string())
}

/// A conference of the tenant, in any state.
pub fn find<'d>(d: &'d mut TenantData, id: &str) -> Result<&'d mut Meeting, Fail> {
    d.meeting_mut(id)
        .map_err(|_| Fail::of("conference_not_found"))
}

/// A conference that is in progress; ended / cancelled / not started ones are refused.
pub fn live<'d>(d: &'d mut TenantData, id: &str) -> Result<&'d mut Meeting, Fail> {
    let m = find(d, id)?;
    match m.state {
        MeetingState::InProgress => Ok(m),
        MeetingState::Scheduled => Err(Fail::params("conference has not started")),
        MeetingState::Ended | MeetingState::Cancelled => Err(Fail::of("conference_ended")),
    }
}

/// [`live`] without write access.
pub fn live_ref<'d>(d: &'d TenantData, id: &str) -> Result<&'d Meeting, Fail> {
    let m = d
        .meeting(id)
        .map_err(|_| Fail::of("conference_not_found"))?;
    match m.state {
        MeetingState::InProgress => Ok(m),
        MeetingState::Scheduled => Err(Fail::params("conference has not started")),
        MeetingState::Ended | MeetingState::Cancelled => Err(Fail::of("conference_ended")),
    }
}

/// `POST /v1.0/conference/videoConferences` (CreateVideoConference).
pub fn create(ex: &mut Exchange<'_>) -> Reply {
    let r = create_inner(ex);
    errors::reply(ex, r)
}

fn create_inner(ex: &Exchange<'_>) -> Result<Value, Fail> {
    let f = Fields::parse(&ex.body)?;
    let organiser = f.req_str("userId")?.to_string();
    let title = f.req_str("confTitle")?;
    if title.chars().count() > TITLE_MAX {
        return Err(Fail::params(format!(
            "confTitle exceeds {TITLE_MAX} characters"
        )));
    }
    let title: String = title.chars().take(TITLE_KEPT).collect();
    let mut wanted = f.strings("inviteUserIds")?;
    let invite_caller = f.opt_bool("inviteCaller")?.unwrap_or(true);
    wanted.retain(|id| id != &organiser);
    let mut seen = std::collections::HashSet::new();
    wanted.retain(|id| seen.insert(id.clone()));
    if wanted.len() + 1 > DEFAULT_CAPACITY as usize {
        return Err(Fail::of("conference_full"));
    }
    let tenant = tenant(ex)?;
    let ids = &ex.app.store.ids;
    let now = ex.now_secs();
    tenant.with(|d| {
        let host = d.user(&organiser).ok_or(Fail::of("unknown_user"))?.clone();
        let mut guests = Vec::with_capacity(wanted.len());
        for id in &wanted {
            // Colleagues only: a unionId outside the app's organisation is unknown.
            let u = d.user(id).ok_or(Fail::of("unknown_user"))?;
            guests.push((u.id.clone(), u.name.clone()));
        }
        let mut id = ids.hex(24);
        while d.meetings.contains_key(&id) {
            id = ids.hex(24);
        }
        let code = ids.digits(9);
        let mut ex_fields = Map::new();
        ex_fields.insert("conferencePassword".into(), json!(ids.digits(4)));
        ex_fields.insert("hostPassword".into(), json!(ids.digits(6)));
        ex_fields.insert(
            "externalLinkUrl".into(),
            json!(format!("https://meeting.dingtalk.com/j/{}", ids.hex(12))),
        );
        // [INF] placeholder dial-in numbers in DingTalk's format (no real numbers).
        ex_fields.insert("phoneNumbers".into(), json!(["+86-571-00000000"]));
        let mut m = Meeting {
            id: id.clone(),
            code,
            topic: title,
            creator: host.id.clone(),
            host: Some(host.id.clone()),
            start_time: now,
            end_time: now + 3600,
            created_at: now,
            capacity: DEFAULT_CAPACITY,
            extra: ex_fields,
            ..Default::default()
        };
        m.start(now).map_err(|_| Fail::of("system_error"))?;
        if invite_caller {
            let p = m
                .call(&host.id, &host.name, ParticipantStatus::Calling)
                .map_err(|_| Fail::of("conference_full"))?;
            p.participant_id = ids.hex(32);
        } else {
            // Not called: listed as "initialised" (attendStatus 1) until they join; no call
            // was placed, so there is no change to record.
            let mut organiser_entry = Participant {
                user_id: host.id.clone(),
                name: host.name.clone(),
                status: ParticipantStatus::Left,
                participant_id: ids.hex(32),
                ..Default::default()
            };
            organiser_entry
                .extra
                .insert(extra::ATTEND_STATUS.into(), json!(1));
            m.participants.push(organiser_entry);
        }
        for (uid, name) in &guests {
            let p = m
                .call(uid, name, ParticipantStatus::Calling)
                .map_err(|_| Fail::of("conference_full"))?;
            p.participant_id = ids.hex(32);
            p.extra.insert(extra::PSTN.into(), json!(false));
        }
        m.add_invitees(guests.iter().map(|(uid, name)| Invitee {
            user_id: uid.clone(),
            name: name.clone(),
            ..Default::default()
        }));
        let answer = json!({
            "conferenceId": m.id,
            "conferencePassword": schema::extra_str(&m, "conferencePassword"),
            "hostPassword": schema::extra_str(&m, "hostPassword"),
            "externalLinkUrl": schema::extra_str(&m, "externalLinkUrl"),
            "phoneNumbers": m.extra.get("phoneNumbers").cloned().unwrap_or(json!([])),
            "roomCode": m.code,
        });
        d.insert_meeting(m).map_err(|_| Fail::of("system_error"))?;
        Ok(answer)
    })
}

/// `GET /v1.0/conference/videoConferences/{conferenceId}` (QueryConferenceInfo).
pub fn info(ex: &mut Exchange<'_>) -> Reply {
    let r = (|| {
        let id = conf_id(ex)?;
        let now = ex.now_secs();
        tenant(ex)?.with(|d| {
            let m = find(d, &id)?.clone();
            let nick = d
                .user(&m.creator)
                .map(|u| u.name.clone())
                .unwrap_or_default();
            Ok(json!({ "confInfo": schema::conf_info(&m, &nick, now) }))
        })
    })();
    errors::reply(ex, r)
}

/// `DELETE /v1.0/conference/videoConferences/{conferenceId}?unionId=` (CloseVideoConference):
/// host (or organiser) only; everyone leaves; `{cause, code}` (notes §6.5). Any body and
/// content type (aiohttp sends `application/octet-stream`) is ignored.
pub fn close(ex: &mut Exchange<'_>) -> Reply {
    let r = (|| {
        let id = conf_id(ex)?;
        let operator = ex.query("unionId").unwrap_or_default();
        if operator.trim().is_empty() {
            return Err(Fail::params("unionId is empty"));
        }
        let now = ex.now_secs();
        tenant(ex)?.with(|d| {
            if d.user(&operator).is_none() {
                return Err(Fail::of("unknown_user"));
            }
            let m = live(d, &id)?;
            if m.host.as_deref() != Some(operator.as_str()) && m.creator != operator {
                return Err(Fail::of("not_host"));
            }
            m.end(now).map_err(|_| Fail::of("conference_ended"))?;
            // Nobody is "initialised" any more: the never-called organiser reads 6 (left).
            for p in &mut m.participants {
                if p.extra.get(extra::ATTEND_STATUS) == Some(&json!(1)) {
                    p.extra.remove(extra::ATTEND_STATUS);
                }
            }
            Ok(json!({ "cause": "success", "code": 200 }))
        })
    })();
    errors::reply(ex, r)
}

/// `POST /v1.0/conference/videoConferences/query` (QueryConferenceInfoBatch): only conferences
/// in progress are reported; unknown or ended ids are skipped.
pub fn query_batch(ex: &mut Exchange<'_>) -> Reply {
    let r = (|| {
        let f = Fields::parse(&ex.body)?;
        let ids = f.strings("conferenceIdList")?;
        if ids.iter().all(|i| i.trim().is_empty()) {
            return Err(Fail::params("conferenceIdList is empty"));
        }
        tenant(ex)?.with(|d| {
            let infos: Vec<Value> = ids
                .iter()
                .filter_map(|id| d.meetings.get(id))
                .filter(|m| m.state == MeetingState::InProgress)
                .map(|m| {
                    let users: Vec<Value> = m
                        .participants
                        .iter()
                        .map(|p| {
                            let muted = p.extra.get(extra::MIC_MUTED).and_then(Value::as_bool);
                            json!({
                                "userId": p.user_id,
                                "nick": p.name,
                                "attendStatus": schema::attend_status(m, p),
                                "micStatus": if muted == Some(true) { 0 } else { 1 },
                                "cameraStatus": 0,
                                "rejectDescription": "",
                            })
                        })
                        .collect();
                    json!({
                        "conferenceId": m.id,
                        "title": m.topic,
                        "status": schema::status(m),
                        "mediaStatus": 1,
                        "startTime": m.started_at.unwrap_or(m.start_time) * 1000,
                        "userList": users,
                    })
                })
                .collect();
            Ok(json!({ "infos": infos }))
        })
    })();
    errors::reply(ex, r)
}

/// `GET /v1.0/conference/users/lists?unionId=` (QueryUserOnGoingConference): conferences in
/// progress where the user is in the meeting or being called.
pub fn user_ongoing(ex: &mut Exchange<'_>) -> Reply {
    let r = (|| {
        let union = ex.query("unionId").unwrap_or_default();
        if union.trim().is_empty() {
            return Err(Fail::params("unionId is empty"));
        }
        let now = ex.now_secs();
        tenant(ex)?.with(|d| {
            if d.user(&union).is_none() {
                return Err(Fail::of("unknown_user"));
            }
            let mut ids = Vec::new();
            let mut map = Map::new();
            for m in d.meetings.values() {
                if m.state != MeetingState::InProgress {
                    continue;
                }
                if let Some(p) = m.participant(&union).filter(|p| p.occupies_seat()) {
                    ids.push(json!(m.id));
                    map.insert(m.id.clone(), schema::member_model(m, p, now));
                }
            }
            Ok(json!({ "onGoingConfIdList": ids, "memberModelMap": map }))
        })
    })();
    errors::reply(ex, r)
}
