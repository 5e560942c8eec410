//! Arrivals and the waiting room of a [`Meeting`]: someone who comes to a meeting enters it, or,
//! while its waiting room is on, is held outside it (no seat, not in the meeting) until someone
//! admits them or sends them away; someone in the meeting can be moved back out there. Who was
//! held stays on record (`left_at`, `outcome`), so a vendor can list both who waits now and
//! everyone who waited. People removed with no way back are barred from coming again.
//!
//! Whether the room is on is the meeting `extra` key [`WAITING_ROOM`] (a boolean, so scenarios
//! and state files can set it); vendors map their own setting onto it with
//! [`Meeting::set_waiting_room`]. The creator, the host and co-hosts are never held.
//! Every method records its change (`updated(["waiting_room"])`, plus the join or departure it
//! implies, and `participant_waiting` for each arrival held), so the change stream sees each
//! move. A held arrival's `Who` says `calling` (not in the meeting, not yet let in).

use super::change::{ChangeKind, LeaveReason, Who};
use super::{Meeting, MeetingState, ParticipantStatus, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The meeting `extra` key saying the waiting room is on (`true`).
pub const WAITING_ROOM: &str = "waiting_room";

/// How a stay in the waiting room ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaitOutcome {
    /// Let into the meeting.
    Admitted,
    /// Sent away by someone in charge.
    Removed,
    /// The meeting ended while they waited.
    MeetingEnded,
}

/// One stay in the waiting room.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waiter {
    pub user_id: String,
    #[serde(default)]
    pub name: String,
    /// The vendor's participant id, kept when they are admitted (or brought back out).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub participant_id: String,
    pub entered_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<WaitOutcome>,
}

/// The waiting room's record: every stay, and who may not come back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct WaitingRoom {
    /// Every stay, in arrival order; those without `left_at` wait now.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entries: Vec<Waiter>,
    /// Users removed without the right to rejoin.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub barred: Vec<String>,
}

impl WaitingRoom {
    /// True when nobody ever waited and nobody is barred.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.barred.is_empty()
    }
}

impl Meeting {
    /// True while arrivals are held in the waiting room.
    pub fn waiting_room_on(&self) -> bool {
        self.extra.get(WAITING_ROOM).and_then(Value::as_bool) == Some(true)
    }

    /// Turns the waiting room on or off (people already waiting stay there).
    pub fn set_waiting_room(&mut self, on: bool) {
        if self.waiting_room_on() != on {
            self.set_extra(WAITING_ROOM, Value::Bool(on));
        }
    }

    /// Who waits now, in arrival order.
    pub fn waiting(&self) -> impl Iterator<Item = &Waiter> {
        self.waiting_room
            .entries
            .iter()
            .filter(|w| w.left_at.is_none())
    }

    /// The current stay of `user_id`, if they wait now.
    pub fn waiter(&self, user_id: &str) -> Option<&Waiter> {
        self.waiting().find(|w| w.user_id == user_id)
    }

    fn waiter_index(&self, user_id: &str) -> Result<usize, StoreError> {
        self.waiting_room
            .entries
            .iter()
            .position(|w| w.user_id == user_id && w.left_at.is_none())
            .ok_or_else(|| StoreError::NotWaiting(user_id.to_string()))
    }

    /// True when `user_id` was removed without the right to come back.
    pub fn is_barred(&self, user_id: &str) -> bool {
        self.waiting_room.barred.iter().any(|b| b == user_id)
    }

    /// Forbids `user_id` to come back (removed with `allow_rejoin: false`).
    pub fn bar(&mut self, user_id: &str) {
        if !self.is_barred(user_id) {
            self.waiting_room.barred.push(user_id.to_string());
            self.updated(&["barred"]);
        }
    }

    /// True when an arrival of `user_id` would be held: the room is on and they are not the
    /// creator, the host or a co-host.
    pub fn holds(&self, user_id: &str) -> bool {
        let co_host = self
            .extra
            .get("co_hosts")
            .and_then(Value::as_array)
            .is_some_and(|l| l.iter().any(|v| v.as_str() == Some(user_id)));
        self.waiting_room_on()
            && self.creator != user_id
            && self.host.as_deref() != Some(user_id)
            && !co_host
    }

    /// Someone comes to the meeting from a client: they are held in the waiting room (see
    /// [`Meeting::holds`]) or join. A scheduled meeting starts (an arrival is what starts it,
    /// as with Tencent, which has no start API). All or nothing: refused with the meeting
    /// unchanged when it is ended or cancelled, every seat is taken, or they are barred.
    pub fn enter(&mut self, user_id: &str, name: &str, now: i64) -> Result<(), StoreError> {
        if self.is_barred(user_id) {
            return Err(StoreError::Barred(user_id.to_string()));
        }
        let mut next = self.clone();
        if next.state == MeetingState::Scheduled {
            next.start(now)?;
        }
        if next.holds(user_id) && !next.is_joined(user_id) {
            next.hold(user_id, name, now)?;
        } else {
            next.join(user_id, name, now)?;
        }
        *self = next;
        Ok(())
    }

    /// Puts `user_id` in the waiting room of the running meeting (already waiting: nothing).
    pub fn hold(&mut self, user_id: &str, name: &str, now: i64) -> Result<(), StoreError> {
        if self.state != MeetingState::InProgress {
            return Err(self.refuse("wait"));
        }
        if self.is_barred(user_id) {
            return Err(StoreError::Barred(user_id.to_string()));
        }
        if self.waiter(user_id).is_none() {
            self.waiting_room.entries.push(Waiter {
                user_id: user_id.to_string(),
                name: name.to_string(),
                participant_id: String::new(),
                entered_at: now,
                left_at: None,
                outcome: None,
            });
            self.updated(&["waiting_room"]);
            self.record(ChangeKind::ParticipantWaiting {
                participant: Who {
                    user_id: user_id.to_string(),
                    name: name.to_string(),
                    participant_id: String::new(),
                    status: ParticipantStatus::Calling,
                    joined_at: None,
                    left_at: None,
                    extra: Default::default(),
                    rejoined: false,
                },
            });
        }
        Ok(())
    }

    /// Gives a participant id to the current stay of `user_id` when it has none.
    pub fn set_waiter_id(&mut self, user_id: &str, id: String) {
        if let Ok(i) = self.waiter_index(user_id) {
            let w = &mut self.waiting_room.entries[i];
            if w.participant_id.is_empty() {
                w.participant_id = id;
            }
        }
    }

    /// Lets `user_id` from the waiting room into the meeting (they keep their participant id).
    /// Refused with nothing changed when they do not wait or no seat is free.
    pub fn admit(&mut self, user_id: &str, now: i64) -> Result<(), StoreError> {
        let i = self.waiter_index(user_id)?;
        let Waiter {
            name,
            participant_id,
            ..
        } = self.waiting_room.entries[i].clone();
        self.join(user_id, &name, now)?;
        if let Some(p) = self.participant_mut(user_id) {
            if p.participant_id.is_empty() {
                p.participant_id = participant_id;
            }
        }
        self.close_stay(i, now, WaitOutcome::Admitted);
        Ok(())
    }

    /// Moves `user_id` from the meeting to the waiting room.
    pub fn send_to_waiting_room(&mut self, user_id: &str, now: i64) -> Result<(), StoreError> {
        let p = self
            .participant(user_id)
            .filter(|_| self.is_joined(user_id))
            .ok_or_else(|| StoreError::NotInMeeting(user_id.to_string()))?;
        let (name, pid) = (p.name.clone(), p.participant_id.clone());
        self.depart(user_id, now, LeaveReason::MovedToWaitingRoom)?;
        self.hold(user_id, &name, now)?;
        self.set_waiter_id(user_id, pid);
        Ok(())
    }

    /// Sends `user_id` away from the waiting room; without `may_return` they are barred.
    pub fn remove_from_waiting_room(
        &mut self,
        user_id: &str,
        now: i64,
        may_return: bool,
    ) -> Result<(), StoreError> {
        let i = self.waiter_index(user_id)?;
        self.close_stay(i, now, WaitOutcome::Removed);
        if !may_return {
            self.bar(user_id);
        }
        Ok(())
    }

    /// Everyone still waiting leaves with the meeting's end.
    pub(super) fn close_waiting_room(&mut self, now: i64) {
        for i in 0..self.waiting_room.entries.len() {
            if self.waiting_room.entries[i].left_at.is_none() {
                self.close_stay(i, now, WaitOutcome::MeetingEnded);
            }
        }
    }

    fn close_stay(&mut self, i: usize, now: i64, outcome: WaitOutcome) {
        if let Some(w) = self.waiting_room.entries.get_mut(i) {
            w.left_at = Some(now);
            w.outcome = Some(outcome);
            self.updated(&["waiting_room"]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meeting() -> Meeting {
        let mut m = Meeting {
            id: "m".into(),
            creator: "h".into(),
            host: Some("h".into()),
            capacity: 2,
            ..Default::default()
        };
        m.set_waiting_room(true);
        m
    }

    #[test]
    fn arrivals_wait_while_the_room_is_on_and_the_host_walks_in() {
        let mut m = meeting();
        m.enter("a", "A", 1).unwrap();
        assert_eq!(m.state, MeetingState::InProgress);
        assert!(!m.is_joined("a"));
        assert_eq!(m.waiter("a").unwrap().entered_at, 1);
        m.enter("h", "H", 2).unwrap();
        assert!(m.is_joined("h"));
        m.set_waiting_room(false);
        m.enter("b", "B", 3).unwrap();
        assert!(m.is_joined("b"));
        assert!(
            m.waiter("a").is_some(),
            "turning the room off admits nobody"
        );
    }

    #[test]
    fn admit_needs_a_seat_and_keeps_the_participant_id() {
        let mut m = meeting();
        m.enter("a", "A", 1).unwrap();
        m.set_waiter_id("a", "pid-a".into());
        m.enter("h", "H", 1).unwrap();
        m.enter("b", "B", 1).unwrap();
        m.admit("a", 2).unwrap();
        assert_eq!(m.participant("a").unwrap().participant_id, "pid-a");
        let before = m.clone();
        assert_eq!(m.admit("b", 3), Err(StoreError::Full { capacity: 2 }));
        assert_eq!(
            m.waiting_room, before.waiting_room,
            "a refused admit changes nothing"
        );
        assert_eq!(m.admit("zz", 3), Err(StoreError::NotWaiting("zz".into())));
    }

    #[test]
    fn moved_out_removed_and_barred() {
        let mut m = meeting();
        m.set_waiting_room(false);
        m.enter("a", "A", 1).unwrap();
        m.send_to_waiting_room("a", 2).unwrap();
        assert!(!m.is_joined("a") && m.waiter("a").is_some());
        m.remove_from_waiting_room("a", 3, false).unwrap();
        assert!(m.waiter("a").is_none());
        assert_eq!(m.enter("a", "A", 4), Err(StoreError::Barred("a".into())));
        m.enter("b", "B", 4).unwrap();
        m.set_waiting_room(true);
        m.send_to_waiting_room("b", 5).unwrap();
        m.end(6).unwrap();
        let last = m.waiting_room.entries.last().unwrap();
        assert_eq!(
            (last.left_at, last.outcome),
            (Some(6), Some(WaitOutcome::MeetingEnded))
        );
    }
}
