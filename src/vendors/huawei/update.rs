//! Huawei UpdateMeeting (`PUT /v1/mmc/management/conferences?conferenceID=`, page "编辑预约会议"):
//! edits a meeting that has not started and answers the JSON array CreateMeeting answers.
//!
//! Body: RestScheduleConfDTO, as CreateMeeting. Fields left out keep their values; `attendees`,
//! when given, replaces the scheduled attendee list. Checks as CreateMeeting (start time in the
//! past 111071013, length 15–1440 111071021, subject ≤ 128 111071022, media types 111071018,
//! attendees per `schema.rs`). A running meeting answers MMC.111071065
//! CONF_MODIFY_FAIL_AS_CONF_ALREADY_STARTED; an unknown, ended or cancelled one 111070005.

use super::errors::{fail, note_meeting, ok};
use super::schema::{validate_attendee, ScheduleBody};
use super::views::{self, keys};
use crate::exchange::{Exchange, Reply};
use crate::store::MeetingState;
use serde_json::json;

/// PUT /v1/mmc/management/conferences — UpdateMeeting.
pub fn update_meeting(ex: &mut Exchange<'_>) -> Reply {
    let Some(p) = ex.principal.clone() else {
        return fail("token_invalid");
    };
    let id = ex.query("conferenceID").unwrap_or_default();
    note_meeting(ex, &id);
    let Ok(body) = ex.json::<ScheduleBody>() else {
        return fail("conf_bad_request");
    };
    let now = ex.now_secs();
    let start = match body.start_time.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match views::parse_time(s) {
            None => return fail("conf_bad_request"),
            Some(t) if t + 60 < now => return fail("conf_start_time_less_than_current_time"),
            Some(t) => Some(t),
        },
    };
    if body.length.is_some_and(|l| !(15..=1440).contains(&l)) {
        return fail("conf_length_over_range");
    }
    if body
        .subject
        .as_ref()
        .is_some_and(|s| s.chars().count() > 128)
    {
        return fail("conf_subject_length_too_long");
    }
    if body
        .media_types
        .as_deref()
        .is_some_and(|m| !super::meetings::media_ok(m))
    {
        return fail("conf_media_types_illegal");
    }
    let mut invitees = None;
    if let Some(list) = &body.attendees {
        let mut v = Vec::with_capacity(list.len().min(500));
        for a in list {
            match validate_attendee(a, true) {
                Ok(inv) => v.push(inv),
                Err(name) => return fail(name),
            }
        }
        invitees = Some(v);
    }
    let r = p.tenant.with(|d| {
        let m = d.meeting_mut(&id).map_err(|_| "conf_data_not_found")?;
        match m.state {
            MeetingState::Scheduled => {}
            MeetingState::InProgress => return Err("conf_modify_fail_as_conf_already_started"),
            _ => return Err("conf_data_not_found"),
        }
        let start = start.unwrap_or(m.start_time);
        let length = body.length.unwrap_or((m.end_time - m.start_time) / 60);
        let topic = body.subject.clone().unwrap_or_else(|| m.topic.clone());
        if let Some(list) = invitees {
            m.set_invitees(list, 500).map_err(|_| "conf_bad_request")?;
        }
        m.reschedule(&topic, start, start + length * 60)
            .map_err(|_| "conf_modify_fail_as_conf_already_started")?;
        if let Some(media) = &body.media_types {
            m.set_extra(keys::MEDIA, json!(media));
        }
        let m = d.meeting(&id).map_err(|_| "conf_data_not_found")?;
        Ok(views::conference_info(m, d))
    });
    match r {
        Ok(info) => ok(&json!([info])),
        Err(name) => fail(name),
    }
}
