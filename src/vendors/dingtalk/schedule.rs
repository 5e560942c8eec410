//! Scheduled conferences (预约会议): create, update, cancel, query one, and the conferences
//! held under it. Mirrors the conference_1_0 operations `CreateScheduleConference`,
//! `UpdateScheduleConference`, `CancelScheduleConference`, `QueryScheduleConference`
//! (`scheduleConferences/{id}/infos`) and `QueryScheduleConferenceInfo`
//! (`videoConferences/scheduleConferences/{id}`); shapes from the SDK models
//! (`github.com/alibabacloud-go/dingtalk` v1.7.42).
//!
//! A schedule is a meeting in state `scheduled` whose id is the scheduleConferenceId (a
//! lowercase UUID, as the SDK's example `2a489c68-xxxx-…`); times are unix milliseconds on the
//! wire (kept to the second). [INF] DEVIATION: when it starts (`POST
//! /__admin/meetings/{id}/start`) the same record becomes the conference, so its conferenceId
//! equals its scheduleConferenceId (the live service mints a separate conferenceId); it is
//! then listed by `QueryScheduleConferenceInfo` and served by every conference route.
//! [INF] Only the creator may update or cancel (`paramsError error:only the creator can
//! change the conference`); end not after start → `error:endTime must be after startTime`.

use super::conferences::{tenant, TITLE_KEPT, TITLE_MAX};
use super::errors::{self, Fail};
use super::members::paging;
use super::schema::{self, Fields};
use crate::exchange::{Exchange, Reply};
use crate::store::{Meeting, MeetingState, TenantData, DEFAULT_CAPACITY};
use serde_json::{json, Map, Value};

/// The schedule's creator, title and times (seconds) from a create/update body.
fn plan(f: &Fields) -> Result<(String, String, i64, i64), Fail> {
    let creator = f.req_str("creatorUnionId")?.to_string();
    let title = f.req_str("title")?;
    if title.chars().count() > TITLE_MAX {
        return Err(Fail::params(format!(
            "title exceeds {TITLE_MAX} characters"
        )));
    }
    let title: String = title.chars().take(TITLE_KEPT).collect();
    let start = f
        .opt_i64("startTime")?
        .ok_or_else(|| Fail::params("startTime is empty"))?;
    let end = f
        .opt_i64("endTime")?
        .ok_or_else(|| Fail::params("endTime is empty"))?;
    if end <= start {
        return Err(Fail::params("endTime must be after startTime"));
    }
    Ok((creator, title, start.div_euclid(1000), end.div_euclid(1000)))
}

fn uuid(hex: &str) -> String {
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// The schedule `id` as its creator may change it.
fn own<'d>(d: &'d mut TenantData, id: &str, creator: &str) -> Result<&'d mut Meeting, Fail> {
    if d.user(creator).is_none() {
        return Err(Fail::of("unknown_user"));
    }
    let m = d
        .meeting_mut(id)
        .map_err(|_| Fail::of("conference_not_found"))?;
    if m.creator != creator {
        return Err(Fail::params("only the creator can change the conference"));
    }
    match m.state {
        MeetingState::Scheduled => Ok(m),
        MeetingState::InProgress => Err(Fail::params("conference has started")),
        MeetingState::Ended | MeetingState::Cancelled => Err(Fail::of("conference_ended")),
    }
}

/// `POST /v1.0/conference/scheduleConferences` (CreateScheduleConference).
pub fn create(ex: &mut Exchange<'_>) -> Reply {
    let r = (|| {
        let f = Fields::parse(&ex.body)?;
        let (creator, title, start, end) = plan(&f)?;
        let settings = f.opt_object("scheduleConfSettingModel")?;
        let host = match &settings {
            Some(s) => s.opt_str("hostUnionId")?.map(str::to_string),
            None => None,
        };
        let ids = &ex.app.store.ids;
        let now = ex.now_secs();
        let request_id = ex.request_id.clone();
        tenant(ex)?.with(|d| {
            if d.user(&creator).is_none() || host.as_ref().is_some_and(|h| d.user(h).is_none()) {
                return Err(Fail::of("unknown_user"));
            }
            let mut id = uuid(&ids.hex(32));
            while d.meetings.contains_key(&id) {
                id = uuid(&ids.hex(32));
            }
            let code = ids.digits(9);
            let mut extra = Map::new();
            extra.insert(
                "url".into(),
                json!(format!("https://meeting.dingtalk.com/j/{}", ids.hex(12))),
            );
            // [INF] placeholder dial-in number, as CreateVideoConference.
            extra.insert("phones".into(), json!(["+86-571-00000000"]));
            extra.insert("scheduleConferenceId".into(), json!(id));
            if let Some(s) = &settings {
                extra.insert("scheduleConfSettingModel".into(), Value::Object(s.to_map()));
            }
            let m = Meeting {
                id: id.clone(),
                code,
                topic: title,
                host: Some(host.unwrap_or_else(|| creator.clone())),
                creator,
                start_time: start,
                end_time: end,
                created_at: now,
                capacity: DEFAULT_CAPACITY,
                extra,
                ..Default::default()
            };
            let answer = schedule_model(&m, &request_id);
            d.insert_meeting(m).map_err(|_| Fail::of("system_error"))?;
            Ok(answer)
        })
    })();
    errors::reply(ex, r)
}

/// The `{scheduleConferenceId, roomCode, url, phones, requestId, title, startTime, endTime}`
/// model both create and query answer with.
fn schedule_model(m: &Meeting, request_id: &str) -> Value {
    json!({
        "scheduleConferenceId": m.id,
        "title": m.topic,
        "startTime": m.start_time * 1000,
        "endTime": m.end_time * 1000,
        "roomCode": m.code,
        "url": schema::extra_str(m, "url"),
        "phones": m.extra.get("phones").cloned().unwrap_or(json!([])),
        "requestId": request_id,
    })
}

/// `PUT /v1.0/conference/scheduleConferences` (UpdateScheduleConference) → `{success}`.
pub fn update(ex: &mut Exchange<'_>) -> Reply {
    let r = (|| {
        let f = Fields::parse(&ex.body)?;
        let id = f.req_str("scheduleConferenceId")?.to_string();
        let (creator, title, start, end) = plan(&f)?;
        tenant(ex)?.with(|d| {
            // `own` admits scheduled conferences only.
            let m = own(d, &id, &creator)?;
            m.set_topic(title);
            m.set_schedule(start, end);
            Ok::<(), Fail>(())
        })?;
        Ok(json!({ "success": true }))
    })();
    errors::reply(ex, r)
}

/// `POST /v1.0/conference/scheduleConferences/cancel` (CancelScheduleConference) → `{success}`.
pub fn cancel(ex: &mut Exchange<'_>) -> Reply {
    let r = (|| {
        let f = Fields::parse(&ex.body)?;
        let id = f.req_str("scheduleConferenceId")?.to_string();
        let creator = f.req_str("creatorUnionId")?.to_string();
        let now = ex.now_secs();
        tenant(ex)?.with(|d| {
            own(d, &id, &creator)?
                .cancel(now)
                .map_err(|_| Fail::of("conference_ended"))
        })?;
        Ok(json!({ "success": true }))
    })();
    errors::reply(ex, r)
}

/// `GET /v1.0/conference/scheduleConferences/{scheduleConferenceId}/infos?requestUnionId=`
/// (QueryScheduleConference). [INF] any user of the app may read it; cancelled ones too.
pub fn query(ex: &mut Exchange<'_>) -> Reply {
    let r = (|| {
        let id = ex.param("scheduleConferenceId").trim().to_string();
        let who = ex.query("requestUnionId").unwrap_or_default();
        let request_id = ex.request_id.clone();
        tenant(ex)?.with(|d| {
            if d.user(&who).is_none() {
                return Err(Fail::of("unknown_user"));
            }
            let m = d
                .meeting(&id)
                .map_err(|_| Fail::of("conference_not_found"))?;
            Ok(schedule_model(m, &request_id))
        })
    })();
    errors::reply(ex, r)
}

/// `GET /v1.0/conference/videoConferences/scheduleConferences/{scheduleConferenceId}`
/// (QueryScheduleConferenceInfo): the conferences held under the schedule, paged like the
/// members list; `nextToken` is always present (the SDK model requires it), empty on the last
/// page.
pub fn conferences(ex: &mut Exchange<'_>) -> Reply {
    let r = (|| {
        let id = ex.param("scheduleConferenceId").trim().to_string();
        let (max, offset) = paging(ex)?;
        tenant(ex)?.with(|d| {
            let m = d
                .meeting(&id)
                .map_err(|_| Fail::of("conference_not_found"))?;
            let held: Vec<Value> = match m.state {
                MeetingState::InProgress | MeetingState::Ended => vec![json!({
                    "conferenceId": m.id,
                    "title": m.topic,
                    "roomCode": m.code,
                    "status": schema::status(m),
                    "startTime": m.started_at.unwrap_or(m.start_time) * 1000,
                    "endTime": m.ended_at.unwrap_or(0) * 1000,
                })],
                _ => Vec::new(),
            };
            let total = held.len();
            let page: Vec<Value> = held.into_iter().skip(offset).take(max).collect();
            let next = offset.saturating_add(max);
            let token = if next < total {
                next.to_string()
            } else {
                String::new()
            };
            Ok(json!({ "conferenceList": page, "totalCount": total, "nextToken": token }))
        })
    })();
    errors::reply(ex, r)
}
