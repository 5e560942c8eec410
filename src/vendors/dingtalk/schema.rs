//! Wire shapes of conference_1_0: a strict reader for request bodies (the gateway's
//! `paramsError` names the field at fault) and the member / conference models the SDK maps
//! (`QueryConferenceMembersResponseBodyMemberModels`, `QueryConferenceInfoResponseBodyConfInfo`).
//!
//! `attendStatus` (notes §6.4): 1 initialised, 2 calling, 3 in meeting, 4 join failed,
//! 5 kicked, 6 left. Calling/ringing participants are 2, joined 3; a participant who is not in
//! the meeting is 6 unless `extra.attendStatus` records why (1, 4 or 5).
//! Conference `status` (notes §6.3 conflict, [INF] choice of the Java SDK comment):
//! 0 not started, 1 in progress, 2 ended (cancelled conferences also read 2).

use crate::store::{Meeting, MeetingState, Participant, ParticipantStatus};
use serde_json::{json, Map, Value};

/// A request body (or list item) as a JSON object, read field by field.
#[derive(Debug, Default)]
pub struct Fields(Map<String, Value>);

impl Fields {
    /// The body as an object; an empty body reads as `{}`.
    pub fn parse(body: &[u8]) -> Result<Fields, String> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Fields::default());
        }
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(m)) => Ok(Fields(m)),
            Ok(_) => Err("request body must be a JSON object".into()),
            Err(_) => Err("request body is not valid JSON".into()),
        }
    }

    fn get(&self, k: &str) -> Option<&Value> {
        self.0.get(k).filter(|v| !v.is_null())
    }

    /// An optional string (`null` = absent).
    pub fn opt_str(&self, k: &str) -> Result<Option<&str>, String> {
        match self.get(k) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(format!("{k} must be a string")),
        }
    }

    /// A required, non-blank string.
    pub fn req_str(&self, k: &str) -> Result<&str, String> {
        match self.opt_str(k)? {
            Some(s) if !s.trim().is_empty() => Ok(s),
            _ => Err(format!("{k} is empty")),
        }
    }

    /// An optional boolean.
    pub fn opt_bool(&self, k: &str) -> Result<Option<bool>, String> {
        match self.get(k) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(format!("{k} must be a boolean")),
        }
    }

    /// An optional integer (`null` = absent).
    pub fn opt_i64(&self, k: &str) -> Result<Option<i64>, String> {
        match self.get(k) {
            None => Ok(None),
            Some(v) => v
                .as_i64()
                .map(Some)
                .ok_or_else(|| format!("{k} must be an integer")),
        }
    }

    /// A nested object (`null` = absent).
    pub fn opt_object(&self, k: &str) -> Result<Option<Fields>, String> {
        match self.get(k) {
            None => Ok(None),
            Some(Value::Object(m)) => Ok(Some(Fields(m.clone()))),
            Some(_) => Err(format!("{k} must be an object")),
        }
    }

    /// The object as JSON (settings recorded as given).
    pub fn to_map(&self) -> Map<String, Value> {
        self.0.clone()
    }

    /// A list of objects; absent and `null` read as empty (the SDK omits unset lists).
    pub fn objects(&self, k: &str) -> Result<Vec<Fields>, String> {
        match self.get(k) {
            None => Ok(Vec::new()),
            Some(Value::Array(a)) => a
                .iter()
                .map(|v| match v {
                    Value::Object(m) => Ok(Fields(m.clone())),
                    _ => Err(format!("{k} items must be objects")),
                })
                .collect(),
            Some(_) => Err(format!("{k} must be an array")),
        }
    }

    /// A list of strings; absent and `null` read as empty.
    pub fn strings(&self, k: &str) -> Result<Vec<String>, String> {
        match self.get(k) {
            None => Ok(Vec::new()),
            Some(Value::Array(a)) => a
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.clone()),
                    _ => Err(format!("{k} items must be strings")),
                })
                .collect(),
            Some(_) => Err(format!("{k} must be an array")),
        }
    }
}

/// Keys of `Participant::extra` this vendor uses.
pub mod extra {
    /// Why someone not in the meeting is not: 1 initialised, 4 join failed, 5 kicked.
    pub const ATTEND_STATUS: &str = "attendStatus";
    pub const PSTN: &str = "pstnJoin";
    pub const CO_HOST: &str = "coHost";
    pub const MIC_MUTED: &str = "micMuted";
    pub const FORBIDDEN_REJOIN: &str = "forbiddenRejoin";
}

/// The conference `status` integer.
pub fn status(m: &Meeting) -> i64 {
    match m.state {
        MeetingState::Scheduled => 0,
        MeetingState::InProgress => 1,
        MeetingState::Ended | MeetingState::Cancelled => 2,
    }
}

/// The member `attendStatus` integer (1 initialised, 2 calling, 3 in meeting, 4 join failed,
/// 5 kicked, 6 left).
pub fn attend_status(m: &Meeting, p: &Participant) -> i64 {
    match p.status {
        ParticipantStatus::Calling | ParticipantStatus::Ringing => 2,
        ParticipantStatus::Joined => 3,
        // A call that rang out unanswered before the conference ended: "join failed".
        ParticipantStatus::Missed
            if m.ended_at
                .is_none_or(|end| p.left_at.is_some_and(|l| l < end)) =>
        {
            4
        }
        // A call cut off unanswered (the conference closed around it) reads as left.
        ParticipantStatus::Left | ParticipantStatus::Missed => p
            .extra
            .get(extra::ATTEND_STATUS)
            .and_then(Value::as_i64)
            .filter(|s| matches!(s, 1 | 4 | 5))
            .unwrap_or(6),
        // A call that was refused or hit a busy line: "join failed".
        ParticipantStatus::Declined | ParticipantStatus::Busy => 4,
    }
}

fn flag(p: &Participant, key: &str) -> bool {
    p.extra.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// True for a dial-out phone participant.
pub fn is_pstn(p: &Participant) -> bool {
    flag(p, extra::PSTN)
}

/// True when the member is a co-host.
pub fn is_co_host(p: &Participant) -> bool {
    flag(p, extra::CO_HOST)
}

/// Milliseconds spent in the meeting so far (joined → left or `now`).
fn duration_ms(p: &Participant, now_secs: i64) -> i64 {
    match p.joined_at {
        Some(j) => (p.left_at.unwrap_or(now_secs) - j).max(0) * 1000,
        None => 0,
    }
}

/// One `memberModels` entry. Phone members carry no `unionId`.
pub fn member_model(m: &Meeting, p: &Participant, now_secs: i64) -> Value {
    let mut v = json!({
        "conferenceId": m.id,
        "userNick": p.name,
        "host": m.host.as_deref() == Some(p.user_id.as_str()),
        "coHost": is_co_host(p),
        "attendStatus": attend_status(m, p),
        "outerOrgMember": false,
        "pstnJoin": is_pstn(p),
        "duration": duration_ms(p, now_secs),
    });
    if !is_pstn(p) {
        v["unionId"] = json!(p.user_id);
    }
    if let Some(j) = p.joined_at {
        v["joinTime"] = json!(j * 1000);
    }
    if let (Some(l), Some(_)) = (p.left_at, p.joined_at) {
        v["leaveTime"] = json!(l * 1000);
    }
    v
}

/// A string field of `Meeting::extra`.
pub fn extra_str<'m>(m: &'m Meeting, key: &str) -> &'m str {
    m.extra.get(key).and_then(Value::as_str).unwrap_or("")
}

/// The `confInfo` object of QueryConferenceInfo.
pub fn conf_info(m: &Meeting, creator_nick: &str, now_secs: i64) -> Value {
    let start = m.started_at.unwrap_or(m.start_time);
    let end = m.ended_at;
    let ever_joined = m.participants.iter().filter(|p| p.joined_at.is_some());
    json!({
        "conferenceId": m.id,
        "title": m.topic,
        "status": status(m),
        "roomCode": m.code,
        "externalLinkUrl": extra_str(m, "externalLinkUrl"),
        "creatorId": m.creator,
        "creatorNick": creator_nick,
        "startTime": start * 1000,
        "endTime": end.unwrap_or(0) * 1000,
        "confDuration": (end.unwrap_or(now_secs) - start).max(0) * 1000,
        "activeNum": m.participants.iter().filter(|p| p.status == ParticipantStatus::Joined).count(),
        "attendNum": ever_joined.count(),
        "invitedNum": m.invitees.len(),
        "bizType": "videoConf",
        "scheduleConferenceId": extra_str(m, "scheduleConferenceId"),
        "cloudRecordStatus": 0,
        "minutesStatus": 0,
        "extensionAppSettings": [],
    })
}
