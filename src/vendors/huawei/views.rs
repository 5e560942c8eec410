//! Wire shapes the Huawei APIs answer with, built from the shared domain: ConferenceInfo
//! (CreateMeeting, ShowMeetingDetail, SearchMeetings), ParticipantInfo, OnlineAttendeeRecordInfo,
//! RealTime* models, plus the `yyyy-MM-dd HH:mm` (UTC) time format.
//!
//! Mirrors the API reference's ConferenceInfo / PageParticipant / OnlineAttendeeRecordInfo
//! tables (notes §3.3, §3.6) and the SDK models' attribute maps.
//! State mapping: Scheduled → `Schedule`, InProgress → `Created`, Ended/Cancelled →
//! `Destroyed`.

use crate::store::{Meeting, MeetingState, Participant, TenantData};
use serde_json::{json, Map, Value};

/// `extra` keys a Huawei meeting carries.
pub mod keys {
    pub const CHAIR_PWD: &str = "chairPassword";
    pub const GUEST_PWD: &str = "guestPassword";
    pub const MEDIA: &str = "mediaTypes";
    pub const CONF_TYPE: &str = "confType";
    pub const LANGUAGE: &str = "language";
    pub const TIME_ZONE: &str = "timeZoneID";
    pub const CONCURRENT: &str = "concurrentParticipants";
    pub const GUEST_START: &str = "allowGuestStartConf";
    pub const CONF_UUID: &str = "confUUID";
    /// 1 when the meeting is held in a cloud meeting room (VMR).
    pub const VMR_FLAG: &str = "vmrFlag";
    /// Invitee/participant extra: the Attendee fields as sent, plus `source`.
    pub const SOURCE: &str = "source";
}

/// Text of an extra field ("" when absent).
pub fn extra_str<'a>(extra: &'a Map<String, Value>, key: &str) -> &'a str {
    extra.get(key).and_then(Value::as_str).unwrap_or("")
}

fn extra_i64(extra: &Map<String, Value>, key: &str) -> i64 {
    extra.get(key).and_then(Value::as_i64).unwrap_or(0)
}

/// The Huawei `conferenceState` of a domain state.
pub fn conference_state(s: MeetingState) -> &'static str {
    match s {
        MeetingState::Scheduled => "Schedule",
        MeetingState::InProgress => "Created",
        MeetingState::Ended | MeetingState::Cancelled => "Destroyed",
    }
}

/// Unix seconds → `yyyy-MM-dd HH:mm` (UTC).
pub fn fmt_time(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}",
        rem / 3600,
        (rem % 3600) / 60
    )
}

/// `yyyy-MM-dd HH:mm` (UTC) → unix seconds; `None` when malformed.
pub fn parse_time(s: &str) -> Option<i64> {
    let (date, time) = s.trim().split_once(' ')?;
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, mo, da) = (d.next()??, d.next()??, d.next()??);
    let (h, mi) = time.split_once(':')?;
    let (h, mi) = (h.parse::<i64>().ok()?, mi.parse::<i64>().ok()?);
    if d.next().is_some()
        || !(1970..=9999).contains(&y)
        || !(1..=12).contains(&mo)
        || !(1..=31).contains(&da)
        || !(0..24).contains(&h)
        || !(0..60).contains(&mi)
    {
        return None;
    }
    Some(days_from_civil(y, mo, da) * 86_400 + h * 3600 + mi * 60)
}

// Howard Hinnant's civil-date algorithms.
pub(super) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// ConferenceInfo as the host sees it (both passwords in `passwordEntry`).
pub fn conference_info(m: &Meeting, d: &TenantData) -> Value {
    let x = &m.extra;
    let scheduler = d
        .user(&m.creator)
        .map(|u| u.name.clone())
        .unwrap_or_default();
    let part: Vec<Value> = m
        .invitees
        .iter()
        .take(20)
        .map(|i| {
            json!({
                "name": i.name,
                "phone": extra_str(&i.extra, "phone"),
                "type": type_of(&i.extra),
                "role": extra_i64(&i.extra, "role"),
                "isMute": 0,
            })
        })
        .collect();
    let token48 = |salt: &str| -> String {
        let h = crate::store::splitmix64(
            m.id.bytes()
                .fold(0u64, |a, b| a.wrapping_mul(31).wrapping_add(u64::from(b))),
        ) ^ salt.len() as u64;
        format!(
            "{:016x}{:016x}{:016x}",
            h,
            h.rotate_left(17),
            h.rotate_left(41)
        )
    };
    json!({
        "conferenceID": m.id,
        "subject": m.topic,
        "size": m.invitees.len(),
        "timeZoneID": default(extra_str(x, keys::TIME_ZONE), "56"),
        "startTime": fmt_time(m.start_time),
        "endTime": fmt_time(m.end_time),
        "mediaTypes": default(extra_str(x, keys::MEDIA), "Voice,Video"),
        "conferenceState": conference_state(m.state),
        "language": default(extra_str(x, keys::LANGUAGE), "zh-CN"),
        "accessNumber": "+991117",
        "passwordEntry": [
            {"conferenceRole": "chair", "password": extra_str(x, keys::CHAIR_PWD)},
            {"conferenceRole": "general", "password": extra_str(x, keys::GUEST_PWD)},
        ],
        "userUUID": m.creator,
        "scheduserName": scheduler,
        "conferenceType": 0,
        "confType": default(extra_str(x, keys::CONF_TYPE), "FUTURE"),
        "isAutoMute": 0,
        "isAutoRecord": 0,
        "chairJoinUri": format!("https://c.meeting.huaweicloud.com/#/j/{}/{}", m.id, token48("chair")),
        "guestJoinUri": format!("https://c.meeting.huaweicloud.com/#/j/{}/{}", m.id, token48("guest")),
        "recordType": 0,
        "recordAuxStream": 0,
        "recordAuthType": 0,
        "confConfigInfo": {
            "isSendNotify": true,
            "isSendSms": true,
            "isAutoMute": false,
            "allowGuestStartConf": x.get(keys::GUEST_START).and_then(Value::as_bool).unwrap_or(false),
            "callInRestriction": 0,
        },
        "vmrFlag": extra_i64(x, keys::VMR_FLAG),
        "isHasRecordFile": false,
        "confUUID": extra_str(x, keys::CONF_UUID),
        "partAttendeeInfo": part,
        "terminlCount": 0,
        "normalCount": m.invitees.len(),
        "deptName": "",
        "role": "chair",
        "webinar": false,
        "onlineAttendeeAmount": m.seats_taken(),
        "multiStreamFlag": 1,
        "confMode": "RTC",
        "scheduleVmr": false,
        "concurrentParticipants": extra_i64(x, keys::CONCURRENT),
        "supportSimultaneousInterpretation": false,
        "isLocked": i64::from(m.locked),
    })
}

fn default<'a>(v: &'a str, d: &'a str) -> &'a str {
    if v.is_empty() {
        d
    } else {
        v
    }
}

fn type_of(extra: &Map<String, Value>) -> &str {
    default(extra_str(extra, "type"), "normal")
}

/// ParticipantInfo (confDetail `data.data`) for one invited attendee.
pub fn participant_info(user_id: &str, name: &str, extra: &Map<String, Value>) -> Value {
    json!({
        "participantID": user_id,
        "name": name,
        "subscriberID": "",
        "role": extra_i64(extra, "role"),
        "state": "MEETTING",
        "address": "",
        "attendeeType": type_of(extra),
        "accountId": extra_str(extra, "accountId"),
        "phone2": extra_str(extra, "phone2"),
        "phone3": extra_str(extra, "phone3"),
        "email": extra_str(extra, "email"),
        "sms": extra_str(extra, "sms"),
        "deptName": extra_str(extra, "deptName"),
        "userUUID": extra_str(extra, "userUUID"),
        "appId": "",
        "isAutoInvite": 1,
        "isNotOverlayPidName": false,
    })
}

/// The number a participant is called on (its domain user id unless recorded).
pub fn call_number(p: &Participant) -> &str {
    default(extra_str(&p.extra, "phone"), &p.user_id)
}

/// OnlineAttendeeRecordInfo (snake_case on the wire).
pub fn online_attendee(m: &Meeting, p: &Participant) -> Value {
    let chair = m.host.as_deref() == Some(p.user_id.as_str()) || extra_i64(&p.extra, "role") == 1;
    json!({
        "participant_id": p.participant_id,
        "name": p.name,
        "call_number": call_number(p),
        "role": i64::from(chair),
        "third_account": extra_str(&p.extra, "accountId"),
        "account": extra_str(&p.extra, "accountId"),
        "user_id": default(extra_str(&p.extra, "userUUID"), &p.user_id),
    })
}

/// RealTimeParticipant. `state`: 0 in the meeting, 1 calling — placed or ringing at the
/// callee (the MCU is still calling: huawei.md §3.6, ParticipantsNotify `STATE` "1"). 2
/// "joining" (answered, media connecting) has no domain phase: an answer joins at once.
/// Declined, missed and busy calls, like those who left, are not listed at all.
pub fn real_time_participant(p: &Participant) -> Value {
    let state = match p.status {
        crate::store::ParticipantStatus::Joined => 0,
        _ => 1,
    };
    json!({
        "pid": p.participant_id,
        "name": p.name,
        "phone": call_number(p),
        "state": state,
        "video": 1,
        "mute": i64::from(p.is_muted()),
        "hand": 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_in_utc() {
        let t = parse_time("2030-01-01 08:00").unwrap();
        assert_eq!(t, 1_893_484_800);
        assert_eq!(fmt_time(t), "2030-01-01 08:00");
        assert_eq!(fmt_time(0), "1970-01-01 00:00");
        assert!(parse_time("2030-13-01 08:00").is_none());
        assert!(parse_time("2030-01-01T08:00").is_none());
        assert!(parse_time("").is_none());
    }
}
