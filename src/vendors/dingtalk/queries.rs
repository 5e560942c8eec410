//! Read-only conference queries around an invitation: by room code, the organisation's
//! ongoing list, one conference's data and its participants' session details. Mirrors the
//! conference_1_0 operations `QueryConferenceInfoByRoomCode` (`api-queryconferenceinfobyroomcode`),
//! `QueryOrgConferenceList`, `GetConfDataByConferenceId` (`…/{id}/infos?realData=`) and
//! `GetConfDetailData` (`…/{id}/details`); shapes from the SDK models (v1.7.42).
//!
//! Paging everywhere as the members list: `maxResults` (default 128), `nextToken` = offset.
//! [INF] an unknown room code lists nothing (no error); `status` is 0/1/2 = not started /
//! in progress / ended as for QueryConferenceInfo (the room-code page's own order differs,
//! notes §6.3).

use super::conferences::{conf_id, find, tenant};
use super::errors::{self, Fail};
use super::members::paging;
use super::schema;
use crate::exchange::{Exchange, Reply};
use crate::store::{Meeting, MeetingState, ParticipantStatus, TenantData};
use serde_json::{json, Value};

/// One conference as the list operations show it.
fn listed(d: &TenantData, m: &Meeting, now: i64) -> Value {
    let nick = d.user(&m.creator).map(|u| u.name.as_str()).unwrap_or("");
    let info = schema::conf_info(m, nick, now);
    json!({
        "conferenceId": m.id,
        "title": m.topic,
        "status": schema::status(m),
        "roomCode": m.code,
        "creatorId": m.creator,
        "creatorNick": nick,
        "startTime": info["startTime"],
        "endTime": info["endTime"],
        "confDuration": info["confDuration"],
        "externalLinkUrl": info["externalLinkUrl"],
        "bizType": "videoConf",
        "scheduleConferenceId": info["scheduleConferenceId"],
    })
}

/// `{<key>: page, hasMore, nextToken, totalCount}` over `all`.
fn paged(key: &str, all: Vec<Value>, max: usize, offset: usize) -> Value {
    let total = all.len();
    let next = offset.saturating_add(max);
    let page: Vec<Value> = all.into_iter().skip(offset).take(max).collect();
    let mut out = json!({ key: page, "hasMore": next < total, "totalCount": total });
    if next < total {
        out["nextToken"] = json!(next.to_string());
    }
    out
}

/// `GET /v1.0/conference/roomCodes/{roomCode}/infos` (QueryConferenceInfoByRoomCode).
pub fn by_room_code(ex: &mut Exchange<'_>) -> Reply {
    let r = (|| {
        let code = ex.param("roomCode").trim().replace(' ', "");
        if code.is_empty() {
            return Err(Fail::params("roomCode is empty"));
        }
        let (max, offset) = paging(ex)?;
        let now = ex.now_secs();
        tenant(ex)?.with(|d| {
            let all: Vec<Value> = d
                .meetings
                .values()
                .filter(|m| m.code == code)
                .map(|m| listed(d, m, now))
                .collect();
            Ok(paged("conferenceList", all, max, offset))
        })
    })();
    errors::reply(ex, r)
}

/// `GET /v1.0/conference/orgConferences` (QueryOrgConferenceList): conferences in progress.
pub fn org_ongoing(ex: &mut Exchange<'_>) -> Reply {
    let r = (|| {
        let (max, offset) = paging(ex)?;
        let now = ex.now_secs();
        tenant(ex)?.with(|d| {
            let all: Vec<Value> = d
                .meetings
                .values()
                .filter(|m| m.state == MeetingState::InProgress)
                .map(|m| listed(d, m, now))
                .collect();
            Ok(paged("onGoingConfList", all, max, offset))
        })
    })();
    errors::reply(ex, r)
}

/// `GET /v1.0/conference/videoConferences/{conferenceId}/infos?realData=`
/// (GetConfDataByConferenceId): title, creator, times, people who attended.
pub fn data(ex: &mut Exchange<'_>) -> Reply {
    let r = (|| {
        let id = conf_id(ex)?;
        if !matches!(ex.query("realData").as_deref(), Some("true" | "false")) {
            return Err(Fail::params("realData is invalid"));
        }
        let now = ex.now_secs();
        tenant(ex)?.with(|d| {
            let m = find(d, &id)?.clone();
            let nick = d
                .user(&m.creator)
                .map(|u| u.name.clone())
                .unwrap_or_default();
            let info = schema::conf_info(&m, &nick, now);
            Ok(json!({
                "conferenceId": m.id,
                "title": m.topic,
                "creatorId": m.creator,
                "creatorNick": nick,
                "startTime": info["startTime"],
                "endTime": info["endTime"],
                "timeLength": info["confDuration"],
                "userCount": info["attendNum"],
                "deptName": "",
                "freeType": "",
                "scene": "videoConf",
            }))
        })
    })();
    errors::reply(ex, r)
}

/// `GET /v1.0/conference/videoConferences/{conferenceId}/details?maxResults=&nextToken=&nick=`
/// (GetConfDetailData): one entry per participant who has been in the meeting; `nick`
/// filters by a part of the name. `status` is `online` / `offline`, `role` `host` / `member`
/// ([INF] the values; the model only names the fields).
pub fn details(ex: &mut Exchange<'_>) -> Reply {
    let r = (|| {
        let id = conf_id(ex)?;
        let (max, offset) = paging(ex)?;
        let nick = ex.query("nick").unwrap_or_default();
        let now = ex.now_secs();
        tenant(ex)?.with(|d| {
            let m = find(d, &id)?;
            let all: Vec<Value> = m
                .participants
                .iter()
                .filter(|p| p.joined_at.is_some() && p.name.contains(nick.as_str()))
                .map(|p| {
                    let model = schema::member_model(m, p, now);
                    let online = p.status == ParticipantStatus::Joined;
                    json!({
                        "conferenceId": m.id,
                        "unionId": model.get("unionId").cloned().unwrap_or(json!("")),
                        "nick": p.name,
                        "role": if m.host.as_deref() == Some(p.user_id.as_str()) { "host" } else { "member" },
                        "status": if online { "online" } else { "offline" },
                        "joinTime": model["joinTime"],
                        "leaveTime": model.get("leaveTime").cloned().unwrap_or(json!(0)),
                        "duration": model["duration"],
                        "deviceType": if schema::is_pstn(p) { "pstn" } else { "pc" },
                        "networkQuality": "good",
                        "belongOrg": "",
                        "sessionId": p.participant_id,
                        "version": "",
                    })
                })
                .collect();
            let mut out = paged("list", all, max, offset);
            if let Some(o) = out.as_object_mut() {
                o.remove("hasMore");
                o.remove("totalCount");
            }
            Ok(out)
        })
    })();
    errors::reply(ex, r)
}
