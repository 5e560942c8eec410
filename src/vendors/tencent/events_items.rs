//! The items of Tencent Meeting events: what a domain change becomes inside
//! `{"event","trace_id","payload":[item]}` (cloud.tencent.com/document/product/1095/51615,
//! 51618, 51619, 51620, 51622, 51627, 80737; the real `meeting.created` capture of
//! developer/ask/2104716; notes `shared/vendors/tencent-events.md` §1.2–1.4).
//!
//! Types and units as the notes' §1.3: `operate_time` ms, `start_time`/`end_time` seconds (both
//! integers, unlike REST's strings), `instance_id` a string, subjects and names raw UTF-8 (not
//! base64 as in REST). Keys in the order of the real capture (Person: `userid, user_name, uuid,
//! instance_id, ms_open_id`; meeting_info: `meeting_id … meeting_create_from`); serde keeps
//! struct order, and the JSON is compact.

use super::users::uuid_of;
use crate::store::change::{Change, MeetingSummary, Who};
use crate::store::TenantData;
use serde::Serialize;
use serde_json::Value;

/// `meeting_create_from` 6: REST API (every meeting made here is made through it or a
/// scenario; `extra.meeting_create_from` overrides).
const FROM_REST_API: i64 = 6;

/// Device type of people the REST side knows no device for (instanceid 1: PC).
const DEFAULT_INSTANCE: &str = "1";

/// The device type given to a phone (PSTN) participant.
// DEVIATION: no documented `instance_id` value names PSTN; "0" (unknown device) is ours.
const PHONE_INSTANCE: &str = "0";

/// A person (`operator`, `creator`).
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Person {
    pub userid: String,
    pub user_name: String,
    pub uuid: String,
    pub instance_id: String,
    pub ms_open_id: String,
    /// Waiting-room events only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nick_name: Option<String>,
    /// Join/leave events (and phone status): the number of a PSTN participant, else "".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pstn_number: Option<String>,
}

/// `meeting_info`.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct MeetingInfo {
    pub meeting_id: String,
    pub meeting_code: String,
    pub subject: String,
    /// Absent from phone-status events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creator: Option<Person>,
    pub meeting_type: i64,
    pub start_time: i64,
    pub end_time: i64,
    pub meeting_create_mode: i64,
    pub meeting_create_from: i64,
    /// Join/leave: 0 the main meeting (breakout rooms are not emulated).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meeting_id_type: Option<i64>,
    /// Join/leave: 0 in or out of the main meeting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action_scene_type: Option<i64>,
}

/// `extend_info` of join, leave and waiting-room events.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct ExtendInfo {
    pub customer_data: String,
}

/// One element of `payload`.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Item {
    pub operate_time: i64,
    pub operator: Person,
    pub meeting_info: MeetingInfo,
    /// `meeting.end` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meeting_end_type: Option<i64>,
    /// `meeting.phone.participant-status-updated` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extend_info: Option<ExtendInfo>,
}

/// The envelope.
#[derive(Serialize)]
pub struct Envelope<'a> {
    pub event: &'a str,
    pub trace_id: &'a str,
    pub payload: [&'a Item; 1],
}

fn int(m: &MeetingSummary, key: &str, default: i64) -> i64 {
    m.extra.get(key).and_then(Value::as_i64).unwrap_or(default)
}

/// True for a callee outside the directory whose id is a phone number (`+`, digits, spaces
/// and dashes, at least 5 digits): a PSTN participant.
pub fn is_phone(d: &TenantData, id: &str) -> bool {
    let body = id.strip_prefix('+').unwrap_or(id);
    d.user(id).is_none()
        && !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b' ' || b == b'-')
        && body.bytes().filter(u8::is_ascii_digit).count() >= 5
}

/// The people entitled to start the meeting by entering it: the creator and the `hosts`
/// (alternative hosts) [doc 1095/51618].
pub fn is_host(m: &MeetingSummary, id: &str) -> bool {
    m.creator == id
        || m.extra
            .get("hosts")
            .and_then(Value::as_array)
            .is_some_and(|l| l.iter().any(|v| v.as_str() == Some(id)))
}

/// A person by id as of `d` (the tenant at delivery time): a directory user with their uuid,
/// else someone outside it (empty userid and uuid). `ms_open_id` is the in-meeting id the REST
/// participant lists show (the participant id, else the userid).
pub fn person(d: &TenantData, m: &MeetingSummary, id: &str, who: Option<&Who>) -> Person {
    let in_meeting = d.meeting(&m.id).ok().and_then(|mt| mt.participant(id));
    let pid = who
        .map(|w| w.participant_id.clone())
        .filter(|p| !p.is_empty())
        .or_else(|| in_meeting.map(|p| p.participant_id.clone()))
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| id.to_string());
    let extra = who.map(|w| &w.extra).or(in_meeting.map(|p| &p.extra));
    let instance = extra.and_then(|x| x.get("instanceid")).map(|v| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    });
    let phone = is_phone(d, id);
    let name = who.map(|w| w.name.clone()).filter(|n| !n.is_empty());
    match d.user(id) {
        Some(u) => Person {
            userid: u.id.clone(),
            user_name: name.unwrap_or_else(|| u.name.clone()),
            uuid: uuid_of(u),
            instance_id: instance.unwrap_or_else(|| DEFAULT_INSTANCE.into()),
            ms_open_id: pid,
            nick_name: None,
            pstn_number: None,
        },
        None => Person {
            userid: String::new(),
            user_name: name.unwrap_or_else(|| id.to_string()),
            uuid: String::new(),
            instance_id: instance.unwrap_or_else(|| {
                if phone {
                    PHONE_INSTANCE
                } else {
                    DEFAULT_INSTANCE
                }
                .into()
            }),
            ms_open_id: pid,
            nick_name: None,
            pstn_number: phone.then(|| id.to_string()),
        },
    }
}

/// `meeting_info` of the meeting as the change left it.
pub fn meeting_info(d: &TenantData, m: &MeetingSummary, with_creator: bool) -> MeetingInfo {
    MeetingInfo {
        meeting_id: m.id.clone(),
        meeting_code: m.code.clone(),
        subject: m.topic.clone(),
        creator: with_creator.then(|| person(d, m, &m.creator, None)),
        meeting_type: int(m, "meeting_type", 0),
        start_time: m.start_time,
        end_time: m.end_time,
        // REST `type`: 0 scheduled, 1 quick — the event's 0 normal, 1 quick meeting.
        meeting_create_mode: int(m, "type", 0),
        meeting_create_from: int(m, "meeting_create_from", FROM_REST_API),
        meeting_id_type: None,
        action_scene_type: None,
    }
}

/// Who acted on the meeting: the request's user, else the creator.
pub fn actor(d: &TenantData, c: &Change) -> Person {
    let id = c.operator.as_deref().unwrap_or(&c.meeting.creator);
    person(d, &c.meeting, id, None)
}

/// An item with the common shape.
pub fn item(c: &Change, operator: Person, meeting_info: MeetingInfo) -> Item {
    Item {
        operate_time: c.at_ms,
        operator,
        meeting_info,
        meeting_end_type: None,
        status: None,
        extend_info: None,
    }
}

/// The item of a join, leave or waiting-room event about `who`.
pub fn presence(d: &TenantData, c: &Change, who: &Who, waiting: bool) -> Item {
    let m = &c.meeting;
    let mut operator = person(d, m, &who.user_id, Some(who));
    let mut info = meeting_info(d, m, true);
    if waiting {
        operator.nick_name = Some(operator.user_name.clone());
        operator.pstn_number = None;
        if let Some(cr) = info.creator.as_mut() {
            cr.nick_name = Some(cr.user_name.clone());
        }
    } else {
        operator.pstn_number = Some(operator.pstn_number.take().unwrap_or_default());
        info.meeting_id_type = Some(0);
        info.action_scene_type = Some(0);
    }
    let customer_data = who
        .extra
        .get("customer_data")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    Item {
        extend_info: Some(ExtendInfo { customer_data }),
        ..item(c, operator, info)
    }
}

/// The item of a phone call-out status change: the callee as operator, no creator.
pub fn phone_status(d: &TenantData, c: &Change, who: &Who, status: &'static str) -> Item {
    let operator = person(d, &c.meeting, &who.user_id, Some(who));
    Item {
        status: Some(status),
        ..item(c, operator, meeting_info(d, &c.meeting, false))
    }
}

/// The trace id: a v4-style UUID from 128 bits that never repeat.
pub fn trace_id(bits: u128) -> String {
    let versioned = (bits & !(0xfu128 << 76)) | (0x4u128 << 76);
    let b = (versioned & !(0x3u128 << 62)) | (0x2u128 << 62);
    let h = format!("{b:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_ids_are_uuid_shaped() {
        let t = trace_id(u128::MAX);
        assert_eq!(t.len(), 36);
        assert_eq!(&t[14..15], "4");
        assert!(matches!(&t[19..20], "8" | "9" | "a" | "b"), "{t}");
        assert_ne!(trace_id(1), trace_id(2));
    }

    #[test]
    fn phones_are_numbers_outside_the_directory() {
        let d = TenantData::default();
        assert!(is_phone(&d, "+86 138-0000-0001"));
        assert!(is_phone(&d, "13900000000"));
        assert!(!is_phone(&d, "guest-0a1b2c3d"));
        assert!(!is_phone(&d, "1234"));
        assert!(!is_phone(&d, "sip:100@example.com"));
    }
}
