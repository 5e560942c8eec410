//! Meetings: a vendor-neutral state machine with host, capacity, lock, participants and invitees.
//!
//! States: `scheduled → in_progress → ended`, and `scheduled → cancelled`. Vendors name these
//! their own way (Tencent MEETING_STATE_INIT/STARTED/ENDED/CANCELLED, Feishu status 1/2/3,
//! Huawei Schedule/Created/Destroyed, DingTalk 0/1/2) and map them at the edge.
//!
//! Every method that changes a meeting records what it changed (see [`super::change`]); the
//! records are published as the change stream when the tenant's lock is released. Change a
//! meeting only through these methods, never by writing its fields from a handler.

use super::change::{ChangeKind, EndReason, LeaveReason, Pending, Who};
use super::{Lockout, StoreError, WaitingRoom};
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
    /// Invited and refused the call.
    Declined,
    /// Invited and the call rang out unanswered (or was cancelled before an answer).
    Missed,
    /// Invited while in another call.
    Busy,
}

impl ParticipantStatus {
    /// The snake_case name used in scenarios and the admin API.
    pub fn as_str(self) -> &'static str {
        match self {
            ParticipantStatus::Calling => "calling",
            ParticipantStatus::Ringing => "ringing",
            ParticipantStatus::Joined => "joined",
            ParticipantStatus::Left => "left",
            ParticipantStatus::Declined => "declined",
            ParticipantStatus::Missed => "missed",
            ParticipantStatus::Busy => "busy",
        }
    }

    /// True for someone who was invited and never got in (declined, missed, busy).
    pub fn is_unanswered(self) -> bool {
        matches!(
            self,
            ParticipantStatus::Declined | ParticipantStatus::Missed | ParticipantStatus::Busy
        )
    }
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

/// One meeting of one tenant. `Meeting::default()` has [`DEFAULT_CAPACITY`] seats, so every
/// creation path (vendor APIs, scenarios, state import) starts with the same capacity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// Who waited or waits in the waiting room, and who may not come back (`waiting.rs`).
    #[serde(default, skip_serializing_if = "WaitingRoom::is_empty")]
    pub waiting_room: WaitingRoom,
    /// The reusable schedule this meeting was opened from (a Feishu reserve's meetings; see
    /// [`TenantData::start_meeting`](super::TenantData::start_meeting)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opened_from: Option<String>,
    /// Cloud recording of the meeting, once someone started one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording: Option<super::Recording>,
    /// The current or last screen share (`share.rs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sharing: Option<super::Share>,
    /// Vendor-owned fields the domain does not interpret (passwords, settings, links…).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
    /// Changes of this meeting published so far: the last
    /// [`meeting_seq`](super::Change::meeting_seq). Kept with the state so the sequence never
    /// restarts.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub published: u64,
    /// Failed chair-password logins to the meeting's control and the lock they caused.
    /// Transient security bookkeeping: not exported with the state (a restart clears it).
    #[serde(skip)]
    pub control_lock: Lockout,
    /// What the methods below changed and nobody has published yet (not state).
    #[serde(skip)]
    pub changes: Pending,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn default_capacity() -> u32 {
    DEFAULT_CAPACITY
}

impl Default for Meeting {
    fn default() -> Self {
        Meeting {
            id: String::new(),
            code: String::new(),
            topic: String::new(),
            creator: String::new(),
            host: None,
            state: MeetingState::default(),
            start_time: 0,
            end_time: 0,
            started_at: None,
            ended_at: None,
            created_at: 0,
            capacity: DEFAULT_CAPACITY,
            locked: false,
            participants: Vec::new(),
            invitees: Vec::new(),
            waiting_room: WaitingRoom::default(),
            opened_from: None,
            recording: None,
            sharing: None,
            extra: Map::new(),
            published: 0,
            changes: Pending::default(),
            control_lock: Lockout::default(),
        }
    }
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

    pub(super) fn refuse(&self, action: &'static str) -> StoreError {
        StoreError::InvalidState {
            state: self.state.as_str(),
            action,
        }
    }

    pub(super) fn record(&mut self, kind: ChangeKind) {
        self.changes.push(kind);
    }

    pub(super) fn record_participant(&mut self, idx: usize, make: impl FnOnce(Who) -> ChangeKind) {
        let who = Who::of(&self.participants[idx]);
        self.record(make(who));
    }

    /// Records that the meeting was created (the store does this when it is inserted).
    pub(crate) fn record_created(&mut self) {
        self.changes.retain(|k| {
            !matches!(
                k,
                ChangeKind::MeetingUpdated { .. }
                    | ChangeKind::HostChanged { .. }
                    | ChangeKind::LockChanged { .. }
                    | ChangeKind::InviteesSet { .. }
            )
        });
        self.changes.push_first(ChangeKind::MeetingCreated);
    }

    /// Starts a scheduled meeting at `now` (unix seconds).
    pub fn start(&mut self, now: i64) -> Result<(), StoreError> {
        if self.state != MeetingState::Scheduled {
            return Err(self.refuse("start"));
        }
        self.state = MeetingState::InProgress;
        self.started_at = Some(now);
        self.ended_at = None;
        self.record(ChangeKind::MeetingStarted);
        Ok(())
    }

    /// Ends an in-progress meeting: everyone in it leaves, calls still ringing are missed.
    pub fn end(&mut self, now: i64) -> Result<(), StoreError> {
        self.finish(now, EndReason::Ended)
    }

    /// Ends the meeting because its scheduled time ran out (vendors that close on the clock).
    pub fn expire(&mut self, now: i64) -> Result<(), StoreError> {
        self.finish(now, EndReason::Expired)
    }

    fn finish(&mut self, now: i64, reason: EndReason) -> Result<(), StoreError> {
        if self.state != MeetingState::InProgress {
            return Err(self.refuse("end"));
        }
        self.state = MeetingState::Ended;
        self.ended_at = Some(now);
        self.locked = false;
        self.close_waiting_room(now);
        self.close_media(now);
        for i in 0..self.participants.len() {
            let p = &mut self.participants[i];
            match p.status {
                ParticipantStatus::Joined => {
                    p.status = ParticipantStatus::Left;
                    p.left_at = Some(now);
                    self.record_participant(i, |participant| ChangeKind::ParticipantLeft {
                        participant,
                        reason: LeaveReason::MeetingEnded,
                    });
                }
                ParticipantStatus::Calling | ParticipantStatus::Ringing => {
                    p.status = ParticipantStatus::Missed;
                    p.left_at = Some(now);
                    self.record_participant(i, |participant| ChangeKind::ParticipantMissed {
                        participant,
                        cancelled: true,
                    });
                }
                _ => {}
            }
        }
        self.record(ChangeKind::MeetingEnded { reason });
        Ok(())
    }

    /// Stops a running meeting and puts it back on the schedule (Huawei StopMeeting).
    pub fn stop_to_schedule(&mut self, now: i64) -> Result<(), StoreError> {
        self.finish(now, EndReason::Stopped)?;
        self.state = MeetingState::Scheduled;
        Ok(())
    }

    /// Ends a running meeting and cancels it (Huawei CancelMeeting with force).
    pub fn cancel_running(&mut self, now: i64) -> Result<(), StoreError> {
        self.end(now)?;
        self.state = MeetingState::Cancelled;
        self.record(ChangeKind::MeetingCancelled);
        Ok(())
    }

    /// Cancels a scheduled meeting.
    pub fn cancel(&mut self, now: i64) -> Result<(), StoreError> {
        if self.state != MeetingState::Scheduled {
            return Err(self.refuse("cancel"));
        }
        self.state = MeetingState::Cancelled;
        self.ended_at = Some(now);
        self.record(ChangeKind::MeetingCancelled);
        Ok(())
    }

    /// Locks or unlocks the meeting (nobody new may join a locked meeting).
    pub fn set_locked(&mut self, locked: bool) {
        if self.locked != locked {
            self.locked = locked;
            self.record(ChangeKind::LockChanged { locked });
        }
    }

    /// Hands the host role to `user` (or leaves the meeting without a host).
    pub fn set_host(&mut self, user: Option<String>) {
        if self.host != user {
            let from = std::mem::replace(&mut self.host, user.clone());
            self.record(ChangeKind::HostChanged { from, to: user });
        }
    }

    /// Changes the number of seats.
    pub fn set_capacity(&mut self, capacity: u32) {
        if self.capacity != capacity {
            self.capacity = capacity;
            self.updated(&["capacity"]);
        }
    }

    /// Changes the subject.
    pub fn set_topic(&mut self, topic: String) {
        if self.topic != topic {
            self.topic = topic;
            self.updated(&["topic"]);
        }
    }

    /// Sets one vendor-owned setting in `extra` (a password, a settings object…); recorded as
    /// an update of `key` when the value changes.
    pub fn set_extra(&mut self, key: &str, value: Value) {
        if self.extra.get(key) != Some(&value) {
            self.extra.insert(key.to_string(), value);
            self.updated(&[key]);
        }
    }

    /// Records that the named settings changed, for vendor-owned fields changed in place.
    pub fn updated(&mut self, fields: &[&str]) {
        self.record(ChangeKind::MeetingUpdated {
            fields: fields.iter().map(|f| f.to_string()).collect(),
        });
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A meeting of two seats hosted by `host`, for the store's unit tests.
    pub(in crate::store) fn meeting() -> Meeting {
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
    fn entering_starts_a_scheduled_meeting_or_changes_nothing() {
        let mut m = meeting();
        m.enter("a", "A", 5).unwrap();
        assert_eq!(m.state, MeetingState::InProgress);
        assert_eq!(m.started_at, Some(5));
        let mut full = meeting();
        full.capacity = 0;
        let before = full.clone();
        assert_eq!(
            full.enter("a", "A", 5).unwrap_err(),
            StoreError::Full { capacity: 0 }
        );
        assert_eq!(full, before, "a refused entry leaves the meeting scheduled");
        m.end(6).unwrap();
        assert!(m.enter("b", "B", 7).is_err());
    }

    #[test]
    fn a_default_meeting_has_the_default_capacity() {
        assert_eq!(Meeting::default().capacity, DEFAULT_CAPACITY);
        let mut m = Meeting::default();
        m.start(1).unwrap();
        m.join("a", "A", 1).unwrap();
        assert!(m.is_joined("a"));
    }
}
