//! The one stream of domain changes (DESIGN decision 11): what a change is.
//!
//! Meeting methods record what they changed ([`ChangeKind`]) inside the meeting ([`Pending`]);
//! when the tenant's lock is released ([`super::Tenant::with`]) those records become [`Change`]s
//! — stamped with a stream position, the server-clock time, the tenant, the operator and a
//! summary of the meeting right after the operation — and are published on the
//! [`ChangeBus`](super::bus::ChangeBus). Event delivery, the living-invite scheduler and the
//! dashboard all read this one stream; no vendor handler emits anything by hand. Changes of one
//! meeting are published in the order they happened, under its tenant's lock, so `seq` orders
//! them per meeting (and globally).

use super::meeting::{Meeting, MeetingState, Participant, ParticipantStatus};
use super::VendorId;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use super::pending::{Pending, LISTED_IDS};

/// Why someone left a meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeaveReason {
    /// They hung up (Feishu leave_reason 1).
    Left,
    /// The host or an API call removed them (Feishu leave_reason 3, "kicked out").
    Kicked,
    /// The meeting ended around them (Feishu leave_reason 2).
    MeetingEnded,
    /// Someone in charge moved them from the meeting to its waiting room.
    MovedToWaitingRoom,
}

/// How a meeting came to end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// Ended by the host, an API call or the admin API.
    Ended,
    /// Stopped and put back on the schedule (Huawei StopMeeting).
    Stopped,
    /// Its scheduled time ran out on the server clock.
    Expired,
}

/// Who a participant change is about: the participant entry right after the change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Who {
    pub user_id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The vendor's participant id, once assigned.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub participant_id: String,
    pub status: ParticipantStatus,
    /// When they last joined and left, unix seconds (as on the participant).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub joined_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_at: Option<i64>,
    /// Vendor-owned details (phone numbers, device, role…), as on the participant.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
    /// On a join: they had been in this meeting before (a return, not a first entry).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rejoined: bool,
}

impl Who {
    /// The summary of a participant entry.
    pub fn of(p: &Participant) -> Who {
        Who {
            user_id: p.user_id.clone(),
            name: p.name.clone(),
            participant_id: p.participant_id.clone(),
            status: p.status,
            joined_at: p.joined_at,
            left_at: p.left_at,
            extra: p.extra.clone(),
            rejoined: false,
        }
    }
}

/// What changed. Serialized with a `type` tag (`meeting_started`, `participant_joined`, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChangeKind {
    MeetingCreated,
    /// Settings changed; `fields` names them (`topic`, `end_time`, `capacity`, `settings`…).
    MeetingUpdated {
        fields: Vec<String>,
    },
    MeetingCancelled,
    MeetingStarted,
    MeetingEnded {
        reason: EndReason,
    },
    /// The invitation list was replaced or extended. `added`/`removed` list at most 200 ids
    /// each; the counts are exact.
    InviteesSet {
        added: Vec<String>,
        removed: Vec<String>,
        added_count: usize,
        removed_count: usize,
        total: usize,
    },
    HostChanged {
        from: Option<String>,
        to: Option<String>,
    },
    LockChanged {
        locked: bool,
    },
    /// A call was placed to someone (an invite).
    ParticipantCalled {
        participant: Who,
    },
    ParticipantRinging {
        participant: Who,
    },
    ParticipantJoined {
        participant: Who,
    },
    ParticipantDeclined {
        participant: Who,
    },
    /// The call ended unanswered: it rang out, or (`cancelled`) the calling side withdrew it
    /// before an answer (hung up, or the meeting ended around it).
    ParticipantMissed {
        participant: Who,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        cancelled: bool,
    },
    /// The callee was in another call.
    ParticipantBusy {
        participant: Who,
    },
    ParticipantLeft {
        participant: Who,
        reason: LeaveReason,
    },
    /// Someone arrived and is held in the meeting's waiting room (or was moved back there).
    ParticipantWaiting {
        participant: Who,
    },
}

impl ChangeKind {
    /// The `type` tag of this change, as serialized (filters, logs).
    pub fn name(&self) -> &'static str {
        match self {
            ChangeKind::MeetingCreated => "meeting_created",
            ChangeKind::MeetingUpdated { .. } => "meeting_updated",
            ChangeKind::MeetingCancelled => "meeting_cancelled",
            ChangeKind::MeetingStarted => "meeting_started",
            ChangeKind::MeetingEnded { .. } => "meeting_ended",
            ChangeKind::InviteesSet { .. } => "invitees_set",
            ChangeKind::HostChanged { .. } => "host_changed",
            ChangeKind::LockChanged { .. } => "lock_changed",
            ChangeKind::ParticipantCalled { .. } => "participant_called",
            ChangeKind::ParticipantRinging { .. } => "participant_ringing",
            ChangeKind::ParticipantJoined { .. } => "participant_joined",
            ChangeKind::ParticipantDeclined { .. } => "participant_declined",
            ChangeKind::ParticipantMissed { .. } => "participant_missed",
            ChangeKind::ParticipantBusy { .. } => "participant_busy",
            ChangeKind::ParticipantLeft { .. } => "participant_left",
            ChangeKind::ParticipantWaiting { .. } => "participant_waiting",
        }
    }

    /// The participant a participant change is about.
    pub fn participant(&self) -> Option<&Who> {
        match self {
            ChangeKind::ParticipantCalled { participant }
            | ChangeKind::ParticipantRinging { participant }
            | ChangeKind::ParticipantJoined { participant }
            | ChangeKind::ParticipantDeclined { participant }
            | ChangeKind::ParticipantMissed { participant, .. }
            | ChangeKind::ParticipantBusy { participant }
            | ChangeKind::ParticipantLeft { participant, .. }
            | ChangeKind::ParticipantWaiting { participant } => Some(participant),
            _ => None,
        }
    }

    /// The participant a participant change is about, to fill in details.
    pub fn participant_mut(&mut self) -> Option<&mut Who> {
        match self {
            ChangeKind::ParticipantCalled { participant }
            | ChangeKind::ParticipantRinging { participant }
            | ChangeKind::ParticipantJoined { participant }
            | ChangeKind::ParticipantDeclined { participant }
            | ChangeKind::ParticipantMissed { participant, .. }
            | ChangeKind::ParticipantBusy { participant }
            | ChangeKind::ParticipantLeft { participant, .. }
            | ChangeKind::ParticipantWaiting { participant } => Some(participant),
            _ => None,
        }
    }

    /// Every `type` tag, for validating filters.
    pub const NAMES: [&'static str; 16] = [
        "meeting_created",
        "meeting_updated",
        "meeting_cancelled",
        "meeting_started",
        "meeting_ended",
        "invitees_set",
        "host_changed",
        "lock_changed",
        "participant_called",
        "participant_ringing",
        "participant_joined",
        "participant_declined",
        "participant_missed",
        "participant_busy",
        "participant_left",
        "participant_waiting",
    ];
}

/// The meeting right after a change, without its participant and invitee lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeetingSummary {
    pub id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub code: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub topic: String,
    pub creator: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    pub state: MeetingState,
    pub start_time: i64,
    pub end_time: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<i64>,
    pub locked: bool,
    pub capacity: u32,
    /// Seats taken (joined plus being called).
    pub seats_taken: usize,
    /// Participants in the meeting now.
    #[serde(default)]
    pub joined: usize,
    /// Participants who have joined at some point (those who left included).
    #[serde(default)]
    pub attended: usize,
    /// Entries on the invitation list.
    #[serde(default)]
    pub invited: usize,
    /// Vendor-owned fields (reserve ids, passwords, settings…), as on the meeting.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
    /// The cloud recorder, once someone started it (running or not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording: Option<super::Recording>,
    /// The current or last screen share.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sharing: Option<super::Share>,
}

impl MeetingSummary {
    /// The summary of a meeting as it stands.
    pub fn of(m: &Meeting) -> MeetingSummary {
        MeetingSummary {
            id: m.id.clone(),
            code: m.code.clone(),
            topic: m.topic.clone(),
            creator: m.creator.clone(),
            host: m.host.clone(),
            state: m.state,
            start_time: m.start_time,
            end_time: m.end_time,
            started_at: m.started_at,
            ended_at: m.ended_at,
            locked: m.locked,
            capacity: m.capacity,
            seats_taken: m.seats_taken(),
            joined: m
                .participants
                .iter()
                .filter(|p| p.status == ParticipantStatus::Joined)
                .count(),
            attended: m
                .participants
                .iter()
                .filter(|p| p.joined_at.is_some())
                .count(),
            invited: m.invitees.len(),
            extra: m.extra.clone(),
            recording: m.recording.clone(),
            sharing: m.sharing.clone(),
        }
    }
}

/// One published change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// Position in the server's stream: strictly increasing, never reused (it continues after
    /// a reset or a state import). A stable id for dedupe and for `since=` reads.
    pub seq: u64,
    /// Position in its meeting's own stream, from 1: rises by one with every change of the
    /// meeting and is kept with the meeting (state, restarts), so it orders one meeting's
    /// changes for receivers that want a per-meeting sequence (DingTalk `statusSeqNum`).
    #[serde(default)]
    pub meeting_seq: u64,
    /// Server-clock time of the change, unix milliseconds.
    pub at_ms: i64,
    pub vendor: VendorId,
    pub tenant: String,
    /// The user the acting request authenticated as (the inviter, the host who ended…), when
    /// the handler said so; `None` for the admin API and for simulated invitees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
    pub meeting: MeetingSummary,
    #[serde(flatten)]
    pub kind: ChangeKind,
}
