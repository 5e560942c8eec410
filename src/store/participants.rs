//! Who is in a meeting: joins, departures (left, kicked), calls placed by an invite and their
//! outcome (ringing, declined, missed, busy). Each method records its change (see `change`).

use super::change::{ChangeKind, LeaveReason};
use super::{Meeting, MeetingState, Participant, ParticipantStatus, StoreError};

impl Meeting {
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
        let mut rejoined = false;
        let idx = match self.participants.iter().position(|p| p.user_id == user_id) {
            Some(i) => {
                let p = &mut self.participants[i];
                if p.status == ParticipantStatus::Joined {
                    return Ok(());
                }
                // A called invitee has never been in; someone who left and comes back has.
                rejoined = p.joined_at.is_some();
                p.status = ParticipantStatus::Joined;
                p.joined_at = Some(now);
                p.left_at = None;
                if !name.is_empty() {
                    p.name = name.to_string();
                }
                i
            }
            None => {
                self.participants.push(Participant {
                    user_id: user_id.to_string(),
                    name: name.to_string(),
                    status: ParticipantStatus::Joined,
                    joined_at: Some(now),
                    ..Default::default()
                });
                self.participants.len() - 1
            }
        };
        self.record_participant(idx, |mut participant| {
            participant.rejoined = rejoined;
            ChangeKind::ParticipantJoined { participant }
        });
        Ok(())
    }

    /// Takes `user_id` out of the meeting; the host leaving leaves the meeting without a host.
    pub fn leave(&mut self, user_id: &str, now: i64) -> Result<(), StoreError> {
        self.depart(user_id, now, LeaveReason::Left)
    }

    /// Removes `user_id` from the meeting on someone else's order (kick-out).
    pub fn kick(&mut self, user_id: &str, now: i64) -> Result<(), StoreError> {
        self.depart(user_id, now, LeaveReason::Kicked)
    }

    pub(super) fn depart(
        &mut self,
        user_id: &str,
        now: i64,
        reason: LeaveReason,
    ) -> Result<(), StoreError> {
        let Some(idx) = self.participants.iter().position(|p| p.user_id == user_id) else {
            return Err(StoreError::NotInMeeting(user_id.to_string()));
        };
        let p = &mut self.participants[idx];
        if !p.occupies_seat() {
            return Err(StoreError::NotInMeeting(user_id.to_string()));
        }
        if p.status == ParticipantStatus::Joined {
            p.status = ParticipantStatus::Left;
            p.left_at = Some(now);
            self.end_share_of(user_id, now);
            self.record_participant(idx, |participant| ChangeKind::ParticipantLeft {
                participant,
                reason,
            });
        } else {
            // Hanging up a call that was never answered: the calling side withdrew it.
            p.status = ParticipantStatus::Missed;
            p.left_at = Some(now);
            self.record_participant(idx, |participant| ChangeKind::ParticipantMissed {
                participant,
                cancelled: true,
            });
        }
        if self.host.as_deref() == Some(user_id) {
            self.set_host(None);
        }
        Ok(())
    }

    /// Places a call to `user_id` (an invite): the user takes a seat with status `status`
    /// (Calling, Ringing, or Joined for vendors whose invitees connect at once). Someone
    /// already joined or being called is left as they are. Returns the participant entry.
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
        let (idx, placed) = match self.participants.iter().position(|p| p.user_id == user_id) {
            Some(i) => {
                let p = &mut self.participants[i];
                let placed = !p.occupies_seat();
                if placed {
                    p.status = status;
                    p.left_at = None;
                }
                (i, placed)
            }
            None => {
                self.participants.push(Participant {
                    user_id: user_id.to_string(),
                    name: name.to_string(),
                    status,
                    ..Default::default()
                });
                (self.participants.len() - 1, true)
            }
        };
        if placed {
            self.record_participant(idx, |participant| ChangeKind::ParticipantCalled {
                participant,
            });
            match status {
                ParticipantStatus::Ringing => {
                    self.record_participant(idx, |participant| ChangeKind::ParticipantRinging {
                        participant,
                    });
                }
                ParticipantStatus::Joined => {
                    self.record_participant(idx, |participant| ChangeKind::ParticipantJoined {
                        participant,
                    });
                }
                _ => {}
            }
        }
        Ok(&mut self.participants[idx])
    }

    /// The call to `user_id` rings on their device. Refused unless they are being called.
    pub fn ring(&mut self, user_id: &str) -> Result<(), StoreError> {
        self.answer(user_id, ParticipantStatus::Ringing, 0)
    }

    /// The callee refuses the call.
    pub fn decline(&mut self, user_id: &str, now: i64) -> Result<(), StoreError> {
        self.answer(user_id, ParticipantStatus::Declined, now)
    }

    /// The call rang out unanswered.
    pub fn miss(&mut self, user_id: &str, now: i64) -> Result<(), StoreError> {
        self.answer(user_id, ParticipantStatus::Missed, now)
    }

    /// The callee is in another call.
    pub fn busy(&mut self, user_id: &str, now: i64) -> Result<(), StoreError> {
        self.answer(user_id, ParticipantStatus::Busy, now)
    }

    /// Moves a call in progress (calling or ringing) to `to`.
    fn answer(&mut self, user_id: &str, to: ParticipantStatus, now: i64) -> Result<(), StoreError> {
        let Some(idx) = self.participants.iter().position(|p| {
            p.user_id == user_id
                && matches!(
                    p.status,
                    ParticipantStatus::Calling | ParticipantStatus::Ringing
                )
        }) else {
            return Err(StoreError::NotInMeeting(user_id.to_string()));
        };
        let p = &mut self.participants[idx];
        if p.status == to {
            return Ok(());
        }
        p.status = to;
        if to != ParticipantStatus::Ringing {
            p.left_at = Some(now);
        }
        self.record_participant(
            idx,
            match to {
                ParticipantStatus::Ringing => {
                    |participant| ChangeKind::ParticipantRinging { participant }
                }
                ParticipantStatus::Declined => {
                    |participant| ChangeKind::ParticipantDeclined { participant }
                }
                ParticipantStatus::Busy => {
                    |participant| ChangeKind::ParticipantBusy { participant }
                }
                _ => |participant| ChangeKind::ParticipantMissed {
                    participant,
                    cancelled: false,
                },
            },
        );
        Ok(())
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
    fn host_leaving_clears_the_host() {
        let mut m = meeting();
        m.start(1).unwrap();
        m.join("host", "", 1).unwrap();
        m.leave("host", 2).unwrap();
        assert_eq!(m.host, None);
        assert!(!m.is_joined("host"));
    }
}
