//! Huawei request DTOs and the Attendee validation shared by CreateMeeting and
//! InviteParticipant.
//!
//! Mirrors the API reference's RestScheduleConfDTO / RestConfConfigDTO / Attendee tables
//! (notes §3.2, §3.5). Attendees are checked field by field from raw JSON so each fault gets its
//! own MMC code instead of one decode error. Check order within an attendee: name (missing →
//! 111072046, > 96 → 111072034), a number (phone/email/sms, → 111072031), phone > 127 →
//! 111072032 (control characters or spaces → 111072033), email > 255 → 111072036, sms > 32 →
//! 111072037, role ∉ {0,1} → 111072035, unknown `type` → 111070001 [REC].

use crate::store::Invitee;
use serde::Deserialize;
use serde_json::{Map, Value};

/// RestScheduleConfDTO (the fields the mock uses; the rest is accepted and ignored).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleBody {
    pub start_time: Option<String>,
    pub length: Option<i64>,
    pub subject: Option<String>,
    pub media_types: Option<String>,
    pub attendees: Option<Vec<Value>>,
    pub language: Option<String>,
    #[serde(rename = "timeZoneID")]
    pub time_zone_id: Option<String>,
    pub conf_config_info: Option<ConfConfig>,
    pub concurrent_participants: Option<i64>,
    /// 1: held in a cloud meeting room (VMR), whose size caps the meeting.
    pub vmr_flag: Option<i64>,
}

/// RestConfConfigDTO (the fields the mock uses).
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ConfConfig {
    pub allow_guest_start_conf: Option<bool>,
    pub guest_pwd: Option<String>,
}

/// Attendee `type` values: the SDK/current docs' enum plus the seed's older reserved ones.
pub const ATTENDEE_TYPES: &[&str] = &[
    "normal",
    "terminal",
    "outside",
    "mobile",
    "ideahub",
    "board",
    "hwvision",
    "telepresence",
    "telephone",
];

/// Text fields of an Attendee kept in the invitee's `extra`.
const KEPT: &[(&str, usize)] = &[
    ("userUUID", 64),
    ("accountId", 255),
    ("phone2", 127),
    ("phone3", 127),
    ("deptUUID", 64),
    ("deptName", 128),
];

/// An optional string field: `Ok(None)` when absent or null, `Err` when not a string.
fn opt_str<'a>(o: &'a Map<String, Value>, k: &str) -> Result<Option<&'a str>, &'static str> {
    match o.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str()).filter(|s| !s.is_empty())),
        Some(_) => Err("conf_bad_request"),
    }
}

/// Validates one attendee; on success the invitee keyed by its call number.
/// `scheduling` adds the scheduling-only format checks (email / sms syntax).
pub fn validate_attendee(a: &Value, scheduling: bool) -> Result<Invitee, &'static str> {
    let Some(o) = a.as_object() else {
        return Err("conf_bad_request");
    };
    let Some(name) = opt_str(o, "name")? else {
        return Err("site_name_is_empty");
    };
    if name.chars().count() > 96 {
        return Err("site_name_length_too_long");
    }
    let (phone, email, sms) = (
        opt_str(o, "phone")?,
        opt_str(o, "email")?,
        opt_str(o, "sms")?,
    );
    let Some(number) = phone.or(email).or(sms) else {
        return Err("site_call_number_is_empty");
    };
    if let Some(p) = phone {
        if p.chars().count() > 127 {
            return Err("site_call_number_length_too_long");
        }
        if p.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err("site_call_number_illegal_uri");
        }
    }
    if email.is_some_and(|e| e.chars().count() > 255) {
        return Err("site_email_length_too_long");
    }
    if sms.is_some_and(|s| s.chars().count() > 32) {
        return Err("site_sms_length_too_long");
    }
    let role = match o.get("role") {
        None | Some(Value::Null) => 0,
        Some(v) => match v.as_i64() {
            Some(r @ (0 | 1)) => r,
            _ => return Err("site_role_not_in_range"),
        },
    };
    let kind = opt_str(o, "type")?.unwrap_or("normal");
    if !ATTENDEE_TYPES.contains(&kind) {
        return Err("conf_bad_request");
    }
    if scheduling {
        if email.is_some_and(|e| !e.contains('@')) {
            return Err("conf_email_illegal");
        }
        if sms.is_some_and(|s| !s.bytes().all(|b| b.is_ascii_digit() || b == b'+')) {
            return Err("conf_sms_illegal");
        }
    }
    let mut extra = Map::new();
    for (k, max) in KEPT {
        if let Some(v) = opt_str(o, k)? {
            if v.chars().count() > *max {
                return Err("conf_bad_request");
            }
            extra.insert((*k).into(), Value::from(v));
        }
    }
    for (k, v) in [("phone", phone), ("email", email), ("sms", sms)] {
        if let Some(v) = v {
            extra.insert(k.into(), Value::from(v));
        }
    }
    extra.insert("role".into(), Value::from(role));
    extra.insert("type".into(), Value::from(kind));
    let source = if scheduling { "schedule" } else { "invite" };
    extra.insert(super::views::keys::SOURCE.into(), Value::from(source));
    Ok(Invitee {
        user_id: number.to_string(),
        name: name.to_string(),
        extra,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn attendee_checks_follow_the_documented_order() {
        let v = |a: Value| validate_attendee(&a, false).map(|i| i.user_id);
        assert_eq!(v(json!({"phone": "1"})), Err("site_name_is_empty"));
        assert_eq!(
            v(json!({"name": "x".repeat(97)})),
            Err("site_name_length_too_long")
        );
        assert_eq!(v(json!({"name": "a"})), Err("site_call_number_is_empty"));
        assert_eq!(
            v(json!({"name": "a", "phone": "1".repeat(128)})),
            Err("site_call_number_length_too_long")
        );
        assert_eq!(
            v(json!({"name": "a", "email": "e".repeat(256)})),
            Err("site_email_length_too_long")
        );
        assert_eq!(
            v(json!({"name": "a", "sms": "1".repeat(33)})),
            Err("site_sms_length_too_long")
        );
        assert_eq!(
            v(json!({"name": "a", "phone": "1", "role": 2})),
            Err("site_role_not_in_range")
        );
        assert_eq!(
            v(json!({"name": "a", "phone": "1", "type": "x"})),
            Err("conf_bad_request")
        );
        assert_eq!(v(json!({"name": 5, "phone": "1"})), Err("conf_bad_request"));
        assert_eq!(
            v(json!({"name": "a", "email": "e@x", "sms": "1"})),
            Ok("e@x".into())
        );
    }
}
