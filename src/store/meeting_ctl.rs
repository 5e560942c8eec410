//! In-meeting control changes of a [`Meeting`] beyond `meeting.rs`: co-hosts, mute, rename,
//! reschedule and prolong, the chair-password lockout, and the end of a meeting whose scheduled
//! time ran out. Each is one method, so every such change is one recognisable event.

use super::{LockPolicy, Meeting, MeetingState, Participant, StoreError};
use serde_json::Value;

/// Participant `extra` keys the control methods own (vendor-neutral).
pub mod part_keys {
    /// `true` while the participant's microphone is muted by control.
    pub const MUTED: &str = "muted";
    /// `true` while the participant is a co-host.
    pub const COHOST: &str = "cohost";
}

/// What a chair-password attempt on a meeting's control found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlLogin {
    Ok,
    /// Wrong password; `locked` when this failure locked the control login.
    Wrong {
        locked: bool,
    },
    /// Locked by earlier failures until the lock lifts.
    Locked,
}

/// Where a running meeting stands against its scheduled end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndPhase {
    /// Not running, or its scheduled end is still ahead (or it has none).
    Open,
    /// Its scheduled end passed less than the grace ago: it is being closed.
    Closing,
    /// It was just ended because its scheduled end passed more than the grace ago.
    Concluded,
}

fn flag(p: &Participant, key: &str) -> bool {
    p.extra.get(key).and_then(Value::as_bool).unwrap_or(false)
}

impl Participant {
    /// True while muted by control.
    pub fn is_muted(&self) -> bool {
        flag(self, part_keys::MUTED)
    }

    /// True while a co-host.
    pub fn is_cohost(&self) -> bool {
        flag(self, part_keys::COHOST)
    }
}

impl Meeting {
    /// Makes `user_id` a co-host (`on`) or not. Co-hosts live in `extra["co_hosts"]` (a list
    /// of user ids) until the domain models roles. Returns whether anything changed.
    pub fn set_co_host(&mut self, user_id: &str, on: bool) -> bool {
        let mut list: Vec<Value> = self
            .extra
            .get("co_hosts")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let present = list.iter().any(|v| v.as_str() == Some(user_id));
        match (on, present) {
            (true, false) => list.push(Value::String(user_id.to_string())),
            (false, true) => list.retain(|v| v.as_str() != Some(user_id)),
            _ => return false,
        }
        self.set_extra("co_hosts", Value::Array(list));
        true
    }

    /// Changes the scheduled start and end (unix seconds).
    pub fn set_schedule(&mut self, start_time: i64, end_time: i64) {
        if self.start_time != start_time {
            self.start_time = start_time;
            self.updated(&["start_time"]);
        }
        if self.end_time != end_time {
            self.end_time = end_time;
            self.updated(&["end_time"]);
        }
    }

    fn seated_mut(&mut self, user_id: &str) -> Result<&mut Participant, StoreError> {
        self.participants
            .iter_mut()
            .find(|p| p.user_id == user_id && p.occupies_seat())
            .ok_or_else(|| StoreError::NotInMeeting(user_id.to_string()))
    }

    /// Gives or takes the co-host role of someone in the meeting.
    pub fn set_cohost(&mut self, user_id: &str, on: bool) -> Result<(), StoreError> {
        let p = self.seated_mut(user_id)?;
        p.extra.insert(part_keys::COHOST.into(), Value::Bool(on));
        self.updated(&["cohosts"]);
        Ok(())
    }

    /// Mutes or unmutes someone in the meeting.
    pub fn mute(&mut self, user_id: &str, muted: bool) -> Result<(), StoreError> {
        let p = self.seated_mut(user_id)?;
        p.extra.insert(part_keys::MUTED.into(), Value::Bool(muted));
        self.updated(&["mute"]);
        Ok(())
    }

    /// Mutes or unmutes everyone in the meeting except the host; how many changed.
    pub fn mute_all(&mut self, muted: bool) -> usize {
        let host = self.host.clone();
        let mut n = 0;
        for p in self.participants.iter_mut().filter(|p| p.occupies_seat()) {
            if host.as_deref() == Some(p.user_id.as_str()) {
                continue;
            }
            p.extra.insert(part_keys::MUTED.into(), Value::Bool(muted));
            n += 1;
        }
        self.updated(&["mute"]);
        n
    }

    /// Renames someone in the meeting.
    pub fn rename_participant(&mut self, user_id: &str, name: &str) -> Result<(), StoreError> {
        let p = self.seated_mut(user_id)?;
        p.name = name.to_string();
        self.updated(&["participant_name"]);
        Ok(())
    }

    /// Changes topic and schedule of a meeting that has not started.
    pub fn reschedule(&mut self, topic: &str, start: i64, end: i64) -> Result<(), StoreError> {
        if self.state != MeetingState::Scheduled {
            return Err(StoreError::InvalidState {
                state: self.state.as_str(),
                action: "reschedule",
            });
        }
        self.set_topic(topic.to_string());
        self.set_schedule(start, end);
        Ok(())
    }

    /// Moves the scheduled end `secs` later.
    pub fn prolong(&mut self, secs: i64) {
        self.set_schedule(self.start_time, self.end_time.saturating_add(secs));
    }

    /// Checks a chair-password attempt at `now` against the control lockout: a lock holds
    /// whatever is sent; consecutive wrong passwords lock as `policy` says; a right one clears.
    pub fn check_control_login(
        &mut self,
        password_ok: bool,
        now: i64,
        policy: LockPolicy,
    ) -> ControlLogin {
        if self.control_lock.is_locked(now) {
            return ControlLogin::Locked;
        }
        if password_ok {
            self.control_lock.succeed();
            return ControlLogin::Ok;
        }
        ControlLogin::Wrong {
            locked: self.control_lock.fail(now, policy),
        }
    }

    /// A running meeting whose scheduled end passed is being closed for `grace_secs`, then
    /// ends (at its end plus the grace). Meetings without a scheduled end are never closed.
    pub fn settle_end(&mut self, now: i64, grace_secs: i64) -> EndPhase {
        if self.state != MeetingState::InProgress || self.end_time <= 0 || now < self.end_time {
            return EndPhase::Open;
        }
        let concluded_at = self.end_time.saturating_add(grace_secs);
        if now < concluded_at {
            return EndPhase::Closing;
        }
        match self.expire(concluded_at) {
            Ok(()) => EndPhase::Concluded,
            Err(_) => EndPhase::Open,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn running() -> Meeting {
        let mut m = Meeting {
            id: "m".into(),
            creator: "h".into(),
            host: Some("h".into()),
            capacity: 5,
            end_time: 100,
            ..Default::default()
        };
        m.start(0).unwrap();
        m.join("h", "Host", 0).unwrap();
        m.join("a", "A", 0).unwrap();
        m
    }

    #[test]
    fn mute_all_spares_the_host_and_rename_needs_a_seat() {
        let mut m = running();
        assert_eq!(m.mute_all(true), 1);
        assert!(m.participant("a").unwrap().is_muted());
        assert!(!m.participant("h").unwrap().is_muted());
        m.rename_participant("a", "Anna").unwrap();
        assert_eq!(m.participant("a").unwrap().name, "Anna");
        assert!(m.rename_participant("zz", "x").is_err());
    }

    #[test]
    fn a_meeting_past_its_end_closes_then_concludes() {
        let mut m = running();
        assert_eq!(m.settle_end(99, 60), EndPhase::Open);
        assert_eq!(m.settle_end(120, 60), EndPhase::Closing);
        assert_eq!(m.settle_end(160, 60), EndPhase::Concluded);
        assert_eq!(m.state, MeetingState::Ended);
        assert_eq!(m.ended_at, Some(160));
    }

    #[test]
    fn control_logins_lock_after_the_policy_count() {
        let mut m = running();
        let p = LockPolicy {
            max_failures: 2,
            lock_secs: 10,
        };
        assert_eq!(
            m.check_control_login(false, 0, p),
            ControlLogin::Wrong { locked: false }
        );
        assert_eq!(
            m.check_control_login(false, 0, p),
            ControlLogin::Wrong { locked: true }
        );
        assert_eq!(m.check_control_login(true, 5, p), ControlLogin::Locked);
        assert_eq!(m.check_control_login(true, 10, p), ControlLogin::Ok);
    }
}
