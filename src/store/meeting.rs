//! Meetings: a vendor-neutral state machine with host, capacity, lock, participants and invitees.
//!
//! States: `scheduled → in_progress → ended`, and `scheduled → cancelled`. Vendors name these
//! their own way (Tencent MEETING_STATE_INIT/STARTED/ENDED/CANCELLED, Feishu status 1/2/3,
//! Huawei Schedule/Created/Destroyed, DingTalk 0/1/2) and map them at the edge.

use super::StoreError;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Lifecycle state of a meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum MeetingState {
    #[default]
    Scheduled,
    InProgress,
    Ended,
    Cancelled,
}

impl MeetingState {
    /// The snake_case name used in scenarios, the admin API and error messages.
    pub fn as_str(self) -> &'static str {
        match self {
            MeetingState::Scheduled => "scheduled",
            MeetingState::InProgress => "in_progress",
            MeetingState::Ended => "ended",
            MeetingState::Cancelled => "cancelled",
        }
    }
}

/// Where a participant stands in the meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ParticipantStatus {
    /// Invited; the call is being placed (Feishu 1, DingTalk attendStatus 2).
    #[default]
    Calling,
    /// Invited; the device is ringing (Feishu 3).
    Ringing,
    /// In the meeting.
    Joined,
    /// Was in the meeting (or invited) and is not any more.
    Left,
}

/// Someone attached to a meeting: joined, being called, or gone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Participant {
    /// A tenant user id, or a phone number / SIP address for callers outside the directory.
    pub user_id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub status: ParticipantStatus,
    /// The vendor's participant id (Huawei 32-hex participantID), assigned on entry.
    #[serde(default)]
    pub participant_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joined_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_at: Option<i64>,
    /// Vendor-owned details (phone numbers, mute state, role, device type…).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

impl Participant {
    /// True for someone in the meeting or being called into it: they take a seat.
    pub fn occupies_seat(&self) -> bool {
        matches!(
            self.status,
            ParticipantStatus::Joined | ParticipantStatus::Calling | ParticipantStatus::Ringing
        )
    }
}

/// Someone on the invitation list (Tencent's invitees, Huawei's attendee list).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Invitee {
    pub user_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// Seats in a meeting when nothing else is said.
pub const DEFAULT_CAPACITY: u32 = 300;

/// One meeting of one tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Meeting {
    /// The vendor's meeting id (Feishu meeting/reserve id, Tencent meeting_id, DingTalk
    /// conferenceId, Huawei conferenceID).
    pub id: String,
    /// The number people dial (Feishu meeting_no, Tencent meeting_code, DingTalk roomCode);
    /// may equal `id` (Huawei).
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub topic: String,
    /// User id of who created it.
    pub creator: String,
    /// User id of the current host; `None` once the host has left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(default)]
    pub state: MeetingState,
    /// Scheduled start and end, unix seconds.
    #[serde(default)]
    pub start_time: i64,
    #[serde(default)]
    pub end_time: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<i64>,
    #[serde(default)]
    pub created_at: i64,
    /// Most seats that may be taken at once.
    #[serde(default = "default_capacity")]
    pub capacity: u32,
    #[serde(default)]
    pub locked: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub participants: Vec<Participant>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub invitees: Vec<Invitee>,
    /// The reusable schedule this meeting was opened from (a Feishu reserve's meetings; see
    /// [`TenantData::start_meeting`](super::TenantData::start_meeting)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opened_from: Option<String>,
    /// Cloud recording of the meeting, once someone started one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording: Option<super::Recording>,
    /// Vendor-owned fields the domain does not interpret (passwords, settings, links…).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

fn default_capacity() -> u32 {
    DEFAULT_CAPACITY
}

impl Meeting {
    /// Seats taken: joined participants plus those being called.
    pub fn seats_taken(&self) -> usize {
        self.participants
            .iter()
            .filter(|p| p.occupies_seat())
            .count()
    }

    /// The participant entry of this user, if any.
    pub fn participant(&self, user_id: &str) -> Option<&Participant> {
        self.participants.iter().find(|p| p.user_id == user_id)
    }

    /// Mutable participant entry of this user, if any.
    pub fn participant_mut(&mut self, user_id: &str) -> Option<&mut Participant> {
        self.participants.iter_mut().find(|p| p.user_id == user_id)
    }

    /// True when this user is currently in the meeting.
    pub fn is_joined(&self, user_id: &str) -> bool {
        self.participant(user_id)
            .is_some_and(|p| p.status == ParticipantStatus::Joined)
    }

    fn refuse(&self, action: &'static str) -> StoreError {
        StoreError::InvalidState {
            state: self.state.as_str(),
            action,
        }
    }

    /// Starts a scheduled meeting at `now` (unix seconds).
    pub fn start(&mut self, now: i64) -> Result<(), StoreError> {
        if self.state != MeetingState::Scheduled {
            return Err(self.refuse("start"));
        }
        self.state = MeetingState::InProgress;
        self.started_at = Some(now);
        self.ended_at = None;
        Ok(())
    }

    /// Ends an in-progress meeting: everyone leaves.
    pub fn end(&mut self, now: i64) -> Result<(), StoreError> {
        if self.state != MeetingState::InProgress {
            return Err(self.refuse("end"));
        }
        self.state = MeetingState::Ended;
        self.ended_at = Some(now);
        self.locked = false;
        if let Some(r) = &mut self.recording {
            r.close(now);
        }
        for p in &mut self.participants {
            if p.status != ParticipantStatus::Left {
                p.status = ParticipantStatus::Left;
                p.left_at = Some(now);
            }
        }
        Ok(())
    }

    /// Stops a running meeting and puts it back on the schedule (Huawei StopMeeting).
    pub fn stop_to_schedule(&mut self, now: i64) -> Result<(), StoreError> {
        self.end(now)?;
        self.state = MeetingState::Scheduled;
        Ok(())
    }

    /// Cancels a scheduled meeting.
    pub fn cancel(&mut self, now: i64) -> Result<(), StoreError> {
        if self.state != MeetingState::Scheduled {
            return Err(self.refuse("cancel"));
        }
        self.state = MeetingState::Cancelled;
        self.ended_at = Some(now);
        Ok(())
    }

    /// Puts `user_id` in the meeting (admin join, invite accepted). Refused when the meeting is
    /// not in progress or every seat is taken by someone else.
    pub fn join(&mut self, user_id: &str, name: &str, now: i64) -> Result<(), StoreError> {
        if self.state != MeetingState::InProgress {
            return Err(self.refuse("join"));
        }
        let already_seated = self.participant(user_id).is_some_and(|p| p.occupies_seat());
        if !already_seated && self.seats_taken() >= self.capacity as usize {
            return Err(StoreError::Full {
                capacity: self.capacity,
            });
        }
        match self.participant_mut(user_id) {
            Some(p) => {
                p.status = ParticipantStatus::Joined;
                p.joined_at = Some(now);
                p.left_at = None;
                if !name.is_empty() {
                    p.name = name.to_string();
                }
            }
            None => self.participants.push(Participant {
                user_id: user_id.to_string(),
                name: name.to_string(),
                status: ParticipantStatus::Joined,
                joined_at: Some(now),
                ..Default::default()
            }),
        }
        Ok(())
    }

    /// Takes `user_id` out of the meeting; the host leaving leaves the meeting without a host.
    pub fn leave(&mut self, user_id: &str, now: i64) -> Result<(), StoreError> {
        let Some(p) = self.participant_mut(user_id) else {
            return Err(StoreError::NotInMeeting(user_id.to_string()));
        };
        if p.status == ParticipantStatus::Left {
            return Err(StoreError::NotInMeeting(user_id.to_string()));
        }
        p.status = ParticipantStatus::Left;
        p.left_at = Some(now);
        if self.host.as_deref() == Some(user_id) {
            self.host = None;
        }
        Ok(())
    }

    /// Places a call to `user_id` (an invite): the user takes a seat with status `status`
    /// (Calling or Ringing). Someone already joined or being called is left as they are.
    /// Returns the participant entry.
    pub fn call(
        &mut self,
        user_id: &str,
        name: &str,
        status: ParticipantStatus,
    ) -> Result<&mut Participant, StoreError> {
        let seated = self.participant(user_id).is_some_and(|p| p.occupies_seat());
        if !seated && self.seats_taken() >= self.capacity as usize {
            return Err(StoreError::Full {
                capacity: self.capacity,
            });
        }
        let idx = match self.participants.iter().position(|p| p.user_id == user_id) {
            Some(i) => {
                let p = &mut self.participants[i];
                if !p.occupies_seat() {
                    p.status = status;
                    p.left_at = None;
                }
                i
            }
            None => {
                self.participants.push(Participant {
                    user_id: user_id.to_string(),
                    name: name.to_string(),
                    status,
                    ..Default::default()
                });
                self.participants.len() - 1
            }
        };
        Ok(&mut self.participants[idx])
    }

    /// Replaces the invitation list with `list` (overwrite semantics): duplicates collapse to
    /// their first occurrence, order is kept, and more than `max` distinct entries is refused
    /// with the list unchanged.
    pub fn set_invitees(&mut self, list: Vec<Invitee>, max: usize) -> Result<(), StoreError> {
        let mut seen = std::collections::HashSet::with_capacity(list.len());
        let mut out = Vec::with_capacity(list.len().min(max + 1));
        for inv in list {
            if seen.insert(inv.user_id.clone()) {
                out.push(inv);
            }
        }
        if out.len() > max {
            return Err(StoreError::TooMany {
                got: out.len(),
                max,
            });
        }
        self.invitees = out;
        Ok(())
    }

    /// Makes `user_id` the host (vendor set-host calls, admin `set-host`).
    pub fn set_host(&mut self, user_id: &str) {
        self.host = Some(user_id.to_string());
    }

    /// Sets (or with `Value::Null`, removes) a vendor-owned field.
    pub fn set_extra(&mut self, key: &str, value: Value) {
        if value.is_null() {
            self.extra.remove(key);
        } else {
            self.extra.insert(key.to_string(), value);
        }
    }

    /// Changes what a schedule says: topic and/or scheduled end (vendor update calls).
    pub fn reschedule(&mut self, topic: Option<String>, end_time: Option<i64>) {
        if let Some(t) = topic {
            self.topic = t;
        }
        if let Some(e) = end_time {
            self.end_time = e;
        }
    }

    /// Adds invitees not yet on the list, keeping order; returns how many were new.
    pub fn add_invitees(&mut self, list: impl IntoIterator<Item = Invitee>) -> usize {
        let mut added = 0;
        for inv in list {
            if !self.invitees.iter().any(|i| i.user_id == inv.user_id) {
                self.invitees.push(inv);
                added += 1;
            }
        }
        added
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meeting() -> Meeting {
        Meeting {
            id: "m1".into(),
            creator: "host".into(),
            host: Some("host".into()),
            capacity: 2,
            ..Default::default()
        }
    }

    #[test]
    fn lifecycle_follows_the_state_machine() {
        let mut m = meeting();
        assert!(m.end(1).is_err());
        m.start(1).unwrap();
        assert!(m.cancel(2).is_err());
        m.end(3).unwrap();
        assert_eq!(m.state, MeetingState::Ended);
        assert!(m.start(4).is_err());
    }

    #[test]
    fn capacity_counts_calls_and_joins() {
        let mut m = meeting();
        m.start(1).unwrap();
        m.join("host", "Host", 1).unwrap();
        m.call("a", "A", ParticipantStatus::Calling).unwrap();
        assert_eq!(
            m.call("b", "B", ParticipantStatus::Calling).unwrap_err(),
            StoreError::Full { capacity: 2 }
        );
        // calling someone already seated does not need a new seat
        m.call("a", "A", ParticipantStatus::Calling).unwrap();
    }

    #[test]
    fn set_invitees_overwrites_dedups_and_caps() {
        let mut m = meeting();
        let inv = |id: &str| Invitee {
            user_id: id.into(),
            ..Default::default()
        };
        m.set_invitees(vec![inv("a"), inv("b"), inv("a")], 3)
            .unwrap();
        assert_eq!(m.invitees.len(), 2);
        let err = m
            .set_invitees(vec![inv("x"), inv("y"), inv("z"), inv("w")], 3)
            .unwrap_err();
        assert_eq!(err, StoreError::TooMany { got: 4, max: 3 });
        assert_eq!(
            m.invitees[0].user_id, "a",
            "refused overwrite changes nothing"
        );
        m.set_invitees(vec![], 3).unwrap();
        assert!(m.invitees.is_empty());
    }

    #[test]
    fn host_leaving_clears_the_host() {
        let mut m = meeting();
        m.start(1).unwrap();
        m.join("host", "", 1).unwrap();
        m.leave("host", 2).unwrap();
        assert_eq!(m.host, None);
        assert!(!m.is_joined("host"));
    }
}
