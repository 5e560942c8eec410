//! Huawei InviteParticipant: `POST /v1/mmc/control/conferences/participants?conferenceID=`.
//!
//! Mirrors support.huaweicloud.com `api-meeting/InviteParticipant` (the seed) and notes §3.5,
//! §6.5. Order: the control gate (unknown conference 111072065, not started 111072005, closed
//! 111072006, bad token 111072065), then the body (missing/empty `attendees` 111072057, not an
//! array 111070001), then each attendee (see `schema.rs`), then capacity
//! (`concurrentParticipants`, 111072101; in a cloud meeting room, `vmrFlag: 1`, the room's size:
//! 111076003 CONF_PORTAL_PARTICIPANT_VMR_LOGIC_RESOURCE_NOT_ENOUGH), then the enterprise's
//! concurrent parties (`resource.rs`, 111076004). All or nothing: a refused call changes nothing.
//! A locked meeting still accepts host invitations (lock stops only self-joining guests).
//! Invited attendees are called (RealTimeParticipant state 1 "calling") with a new 32-hex
//! participant id and then answer as their declared behaviour says (the living invite,
//! `store::living`: in the meeting, declined, no answer or busy); inviting a number already
//! in the meeting or being called changes nothing.

use super::control::control_ctx;
use super::errors::{fail, ok_empty};
use super::resource;
use super::schema::validate_attendee;
use super::views::keys;
use crate::exchange::{Exchange, Reply};
use crate::store::ParticipantStatus;
use serde_json::Value;
use std::collections::HashSet;

/// POST /v1/mmc/control/conferences/participants — InviteParticipant.
pub fn invite_participant(ex: &mut Exchange<'_>) -> Reply {
    let (tenant, id) = match control_ctx(ex) {
        Ok(x) => x,
        Err(r) => return r,
    };
    if ex.body.iter().all(u8::is_ascii_whitespace) {
        return fail("request_body_is_null");
    }
    let Ok(body) = ex.json::<Value>() else {
        return fail("conf_bad_request");
    };
    let list = match body.get("attendees") {
        None | Some(Value::Null) => return fail("request_body_is_null"),
        Some(Value::Array(a)) if a.is_empty() => return fail("request_body_is_null"),
        Some(Value::Array(a)) => a,
        Some(_) => return fail("conf_bad_request"),
    };
    let mut invitees = Vec::with_capacity(list.len().min(1000));
    for a in list {
        match validate_attendee(a, false) {
            Ok(i) => invitees.push(i),
            Err(name) => return fail(name),
        }
    }
    let store = &ex.app.store;
    let result = tenant.with(|d| {
        let Ok(m) = d.meeting(&id) else {
            return Err("conf_not_found_or_auth_failed");
        };
        let mut new: HashSet<&str> = HashSet::new();
        for i in &invitees {
            if !m.participant(&i.user_id).is_some_and(|p| p.occupies_seat()) {
                new.insert(i.user_id.as_str());
            }
        }
        if m.seats_taken() + new.len() > m.capacity as usize {
            // A cloud meeting room's size is its resource: 111076003; else the meeting's cap.
            let vmr = m.extra.get(keys::VMR_FLAG).and_then(Value::as_i64) == Some(1);
            return Err(if vmr {
                "vmr_resource_not_enough"
            } else {
                "over_max_participant_number"
            });
        }
        // Then the enterprise's concurrent parties across its running meetings: 111076004.
        resource::check(d, new.len())?;
        let Ok(m) = d.meeting_mut(&id) else {
            return Err("conf_not_found_or_auth_failed");
        };
        for inv in &invitees {
            let Ok(p) = m.call(&inv.user_id, &inv.name, ParticipantStatus::Calling) else {
                return Err("over_max_participant_number");
            };
            if p.participant_id.is_empty() {
                p.participant_id = store.ids.hex(32);
            }
            p.extra = inv.extra.clone();
        }
        // Re-invited attendees keep their scheduling record (add_invitees skips them).
        m.add_invitees(invitees);
        Ok(())
    });
    match result {
        Ok(()) => ok_empty(),
        Err(name) => fail(name),
    }
}
