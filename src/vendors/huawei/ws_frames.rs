//! Frames of Huawei's meeting-control WebSocket (会控 WebSocket: pages meeting_21_1508 flow,
//! 1511 Subscribe, 1513 ConfDynamicInfoNotify, 1514 ParticipantsNotify, 1515 AttendeesNotify,
//! 1518 InviteResultNotify, 1520 HeartBeat; notes `shared/vendors/huawei-events.md` §3): what a
//! client sends, what the server answers, and the pushes one session builds from the change
//! stream of its conference. No I/O here (`ws.rs` runs the session).
//!
//! Pushes share the envelope `{action, version, createTime, msgID, msgMode, confID, data}`:
//! `msgMode` 0 is a full message (`version` = its ms timestamp), 1 an incremental one
//! (`version` = the session's ascending sequence). ConfDynamicInfoNotify carries its fields at
//! the top level, as the docs' example does.
//!
//! Invite outcomes — Huawei's only report of them — are InviteResultNotify `{callNumber,
//! errorCode}`: `"0"` when a called number answered; a leave reason when someone in the meeting
//! goes (`11076010` left, `11076002` hung up by the host, `11076016` hung up from the portal).
// DEVIATION: the docs give failed calls only "other values"; meetmock sends the SIP final
// answers: `"603"` declined, `"486"` busy, `"408"` no answer (rang out), `"487"` withdrawn
// before an answer (hung up, or the meeting ended around the call). They use `errorCode` (the table) not `resultCode` (the example); see
// docs/vendors/huawei.md, "Meeting WebSocket".

use super::views;
use crate::store::change::{ChangeKind, LeaveReason, Who};
use crate::store::{Change, Meeting, MeetingState, ParticipantStatus};
use serde_json::{json, Map, Value};
use std::collections::{BTreeSet, HashSet};

/// Subscription types the docs list (table and sample code); others are refused.
pub const TYPES: &[&str] = &[
    "ConfBasicInfoNotify",
    "ConfDynamicInfoNotify",
    "ParticipantsNotify",
    "AttendeesNotify",
    "SpeakerChangeNotify",
    "NetConditionNotify",
    "InviteResultNotify",
    "RealTimeSubtitleNotify",
    "WaitingListNotify",
    "InterpreterGroupNotify",
    "CustomMultiPicNotify",
    "NetworkQualityNotify",
];

pub const DYNAMIC: &str = "ConfDynamicInfoNotify";
pub const PARTICIPANTS: &str = "ParticipantsNotify";
pub const ATTENDEES: &str = "AttendeesNotify";
pub const INVITE_RESULT: &str = "InviteResultNotify";

/// A frame from the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Client {
    Subscribe {
        sequence: String,
        types: Vec<String>,
        conf_token: String,
        conference_id: Option<String>,
    },
    HeartBeat {
        sequence: String,
    },
    /// Not JSON, no `sequence`, an unknown action or a Subscribe without its data.
    Bad {
        action: String,
        sequence: String,
    },
}

fn text(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_string)
}

/// Reads a client frame. Subscribe's `data` may be an object (the parameter table) or a JSON
/// string of one (the docs' sample code).
pub fn parse(frame: &str) -> Client {
    let v: Value = serde_json::from_str(frame).unwrap_or(Value::Null);
    let action = text(&v, "action").unwrap_or_default();
    let bad = |sequence: Option<String>| Client::Bad {
        action: action.clone(),
        sequence: sequence.unwrap_or_default(),
    };
    let Some(sequence) = text(&v, "sequence").filter(|s| !s.is_empty()) else {
        return bad(None);
    };
    match action.as_str() {
        "HeartBeat" => Client::HeartBeat { sequence },
        "Subscribe" => {
            let data = match v.get("data") {
                Some(Value::String(s)) => serde_json::from_str(s).unwrap_or(Value::Null),
                Some(d) => d.clone(),
                None => Value::Null,
            };
            let types: Option<Vec<String>> = data.get("subscribeType").and_then(|t| {
                t.as_array()?
                    .iter()
                    .map(|x| x.as_str().map(str::to_string))
                    .collect()
            });
            match (types, text(&data, "confToken")) {
                (Some(types), Some(conf_token)) => Client::Subscribe {
                    sequence,
                    types,
                    conf_token,
                    conference_id: text(&data, "conferenceID"),
                },
                _ => bad(Some(sequence)),
            }
        }
        _ => bad(Some(sequence)),
    }
}

/// The answer to a Subscribe (or to a bad frame): `{"action","sequence","data":{"returnCode",
/// "returnDesc"}}` [doc 1511 "Successful Subscription Example"].
pub fn answer(action: &str, sequence: &str, code: i64, desc: &str) -> String {
    json!({
        "action": action,
        "sequence": sequence,
        "data": {"returnCode": code, "returnDesc": desc},
    })
    .to_string()
}

/// The heartbeat echo: the same action and sequence [doc 1520].
pub fn heartbeat(sequence: &str) -> String {
    json!({"sequence": sequence, "action": "HeartBeat"}).to_string()
}

/// The token a Subscribe carries: raw, or `Basic base64(token)` as the docs' sample sends it.
pub fn conf_token(raw: &str) -> String {
    use base64::Engine as _;
    let raw = raw.trim();
    match raw.strip_prefix("Basic ") {
        Some(b) => base64::engine::general_purpose::STANDARD
            .decode(b.trim())
            .ok()
            .and_then(|v| String::from_utf8(v).ok())
            .unwrap_or_default(),
        None => raw.to_string(),
    }
}

/// The number a participant is called on, as realTimeInfo shows it (`phone`).
fn tel(w: &Who) -> String {
    w.extra
        .get("phone")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .unwrap_or(&w.user_id)
        .to_string()
}

fn flag(w: &Who, k: &str) -> &'static str {
    if w.extra.get(k).and_then(Value::as_bool).unwrap_or(false) {
        "1"
    } else {
        "0"
    }
}

/// A ParticipantNotifyDTO refreshing `w` (every pinfoMap value is a string [doc 1514]).
fn refresh(w: &Who, host: bool, add_time_ms: i64) -> Value {
    let state = if w.status == ParticipantStatus::Joined {
        "0"
    } else {
        "1"
    };
    let account = w.extra.get("accountId").and_then(Value::as_str);
    json!({
        "pid": w.participant_id,
        "mode": 0,
        "pinfoMap": {
            "NAME": w.name,
            "TEL": tel(w),
            "ROLE": if host { "1" } else { "0" },
            "STATE": state,
            "MUTE": flag(w, "muted"),
            "VIDEO": "1",
            "HAND": "0",
            "SHARE": "0",
            "BROADCAST": "0",
            "ROLLCALL": "0",
            "ADDTIME": add_time_ms.to_string(),
            "ANONYMOUS": "0",
            "ACCOUNT": account.unwrap_or(""),
            "IS_COHOST": flag(w, "cohost"),
            "CLICENT_LOGIN_TYPE": "OtherType",
        },
    })
}

/// A ParticipantNotifyDTO removing `w`.
fn remove(w: &Who) -> Value {
    json!({"pid": w.participant_id, "mode": 1, "pinfoMap": {}})
}

/// The InviteResultNotify code of a change, if it reports one (see the module docs).
fn result_code(c: &Change, called_before: bool) -> Option<&'static str> {
    match &c.kind {
        ChangeKind::ParticipantJoined { .. } if called_before => Some("0"),
        ChangeKind::ParticipantDeclined { .. } => Some("603"),
        ChangeKind::ParticipantBusy { .. } => Some("486"),
        ChangeKind::ParticipantMissed {
            cancelled: false, ..
        } => Some("408"),
        ChangeKind::ParticipantMissed {
            cancelled: true, ..
        } => Some("487"),
        ChangeKind::ParticipantLeft { reason, .. } => match reason {
            LeaveReason::Left => Some("11076010"),
            LeaveReason::Kicked | LeaveReason::MovedToWaitingRoom if c.operator.is_some() => {
                Some("11076002")
            }
            LeaveReason::Kicked | LeaveReason::MovedToWaitingRoom => Some("11076016"),
            LeaveReason::MeetingEnded => None,
        },
        _ => None,
    }
}

/// Builds one session's pushes: the subscribed types, the incremental sequence, the numbers
/// being called (an answer after a call is an invite result; a self-join is not).
#[derive(Debug)]
pub struct Pusher {
    conf: String,
    types: BTreeSet<String>,
    version: u64,
    ids: u64,
    calling: HashSet<String>,
}

impl Pusher {
    /// A session's builder; `seed` draws its message ids.
    pub fn new(conf: &str, seed: u64) -> Pusher {
        Pusher {
            conf: conf.to_string(),
            types: BTreeSet::new(),
            version: 0,
            ids: seed,
            calling: HashSet::new(),
        }
    }

    /// Adds subscribed types (a later Subscribe adds to the earlier ones).
    pub fn subscribe(&mut self, types: &[String]) {
        self.types.extend(types.iter().cloned());
    }

    pub fn wants(&self, t: &str) -> bool {
        self.types.contains(t)
    }

    fn msg_id(&mut self) -> String {
        self.ids = self.ids.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let a = crate::store::splitmix64(self.ids);
        format!("{a:016x}{:016x}", crate::store::splitmix64(a))
    }

    fn frame(&mut self, action: &str, full: bool, now_ms: i64, body: Value) -> String {
        let version = if full {
            now_ms as u64
        } else {
            self.version += 1;
            self.version
        };
        let mut m = Map::new();
        m.insert("action".into(), json!(action));
        m.insert("version".into(), json!(version));
        m.insert("createTime".into(), json!(now_ms));
        m.insert("msgID".into(), json!(self.msg_id()));
        m.insert("msgMode".into(), json!(if full { 0 } else { 1 }));
        m.insert("confID".into(), json!(self.conf));
        match body {
            // ConfDynamicInfoNotify: fields at the top level [doc 1513 example].
            Value::Object(fields) => m.extend(fields),
            data => {
                m.insert("data".into(), data);
            }
        }
        Value::Object(m).to_string()
    }

    /// ConfDynamicInfoNotify of the meeting as it stands.
    fn dynamic(&mut self, state: MeetingState, m: &Meeting, now_ms: i64) -> String {
        let rec = m.recording.as_ref();
        let body = json!({
            "state": views::conference_state(state),
            "endTime": (m.end_time * 1000).to_string(),
            "mode": "FREE",
            "lock": i64::from(m.locked),
            "recState": i64::from(rec.is_some_and(|r| r.running())),
            "recOccurred": i64::from(rec.is_some()),
            "canUnmute": 1,
            "waitingRoomState": 0,
        });
        self.frame(DYNAMIC, true, now_ms, body)
    }

    /// AttendeesNotify: the invited list, whole.
    fn attendees(&mut self, m: &Meeting, now_ms: i64) -> String {
        let list: Vec<Value> = m
            .invitees
            .iter()
            .map(|i| {
                let x = &i.extra;
                json!({
                    "userUUID": views::extra_str(x, "userUUID"),
                    "participantID": m.participant(&i.user_id).map_or("", |p| p.participant_id.as_str()),
                    "mode": 0,
                    "phone": i.user_id,
                    "name": i.name,
                    "accountId": views::extra_str(x, "accountId"),
                    "role": x.get("role").and_then(Value::as_i64).unwrap_or(0),
                    "email": views::extra_str(x, "email"),
                    "sms": views::extra_str(x, "sms"),
                    "isMute": 0,
                })
            })
            .collect();
        self.frame(ATTENDEES, true, now_ms, Value::Array(list))
    }

    /// Full messages of every subscribed type, from the meeting as it stands (after a
    /// Subscribe, or to resynchronise a session that fell too far behind).
    pub fn snapshot(&mut self, m: &Meeting, now_ms: i64) -> Vec<String> {
        let mut out = Vec::new();
        if self.wants(DYNAMIC) {
            out.push(self.dynamic(m.state, m, now_ms));
        }
        let seated: Vec<&crate::store::Participant> = m
            .participants
            .iter()
            .filter(|p| p.occupies_seat())
            .collect();
        for p in &seated {
            if p.status != ParticipantStatus::Joined {
                self.calling.insert(p.user_id.clone());
            }
        }
        if self.wants(PARTICIPANTS) {
            let data: Vec<Value> = seated
                .iter()
                .map(|p| {
                    let at = p.joined_at.map_or(now_ms, |s| s.saturating_mul(1000));
                    refresh(&Who::of(p), m.host.as_deref() == Some(&p.user_id), at)
                })
                .collect();
            out.push(self.frame(PARTICIPANTS, true, now_ms, Value::Array(data)));
        }
        if self.wants(ATTENDEES) {
            out.push(self.attendees(m, now_ms));
        }
        out
    }

    /// The pushes one change of this conference makes; `m` is the meeting now (or `None`
    /// once gone).
    pub fn change(&mut self, c: &Change, m: Option<&Meeting>) -> Vec<String> {
        let mut out = Vec::new();
        let now = c.at_ms;
        let host = |w: &Who| c.meeting.host.as_deref() == Some(w.user_id.as_str());
        if let Some(w) = c.kind.participant() {
            let called_before = self.calling.contains(&w.user_id);
            match &c.kind {
                ChangeKind::ParticipantCalled { .. } | ChangeKind::ParticipantRinging { .. } => {
                    self.calling.insert(w.user_id.clone());
                }
                _ => {
                    self.calling.remove(&w.user_id);
                }
            }
            let dto = match &c.kind {
                ChangeKind::ParticipantCalled { .. } | ChangeKind::ParticipantJoined { .. } => {
                    Some(refresh(w, host(w), now))
                }
                ChangeKind::ParticipantRinging { .. } => None,
                _ => Some(remove(w)),
            };
            if let (Some(dto), true) = (dto, self.wants(PARTICIPANTS)) {
                out.push(self.frame(PARTICIPANTS, false, now, json!([dto])));
            }
            if let (Some(code), true) = (result_code(c, called_before), self.wants(INVITE_RESULT)) {
                let data = json!([{"callNumber": tel(w), "errorCode": code}]);
                out.push(self.frame(INVITE_RESULT, false, now, data));
            }
            return out;
        }
        let Some(m) = m else {
            return out;
        };
        match &c.kind {
            ChangeKind::InviteesSet { .. } if self.wants(ATTENDEES) => {
                out.push(self.attendees(m, now));
            }
            ChangeKind::MeetingStarted
            | ChangeKind::MeetingEnded { .. }
            | ChangeKind::LockChanged { .. }
            | ChangeKind::MeetingUpdated { .. }
                if self.wants(DYNAMIC) =>
            {
                out.push(self.dynamic(c.meeting.state, m, now));
            }
            _ => {}
        }
        out
    }
}

#[cfg(test)]
#[path = "ws_frames_tests.rs"]
mod tests;
