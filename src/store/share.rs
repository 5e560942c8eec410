//! Screen sharing in a meeting: one participant shares at a time; the share ends when they
//! stop, leave or the meeting ends. Published as `meeting_updated` with the field `sharing`
//! (the meeting summary carries the last share, so a consumer tells a start from an end).
//!
//! No vendor API emulated here starts a share (it happens in the client apps); the admin API
//! does (`POST /__admin/meetings/{id}/share` and `/unshare`), and vendors map it to their
//! events (Feishu `vc.meeting.share_started_v1` / `share_ended_v1`).

use super::{Meeting, MeetingState, StoreError};
use serde::{Deserialize, Serialize};

/// The meeting's current or last share. Times are unix seconds on the server clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Share {
    pub user: String,
    pub since: i64,
    /// When it ended; `None` while sharing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<i64>,
}

impl Share {
    pub fn active(&self) -> bool {
        self.until.is_none()
    }
}

impl Meeting {
    /// `user`, who is in the meeting, starts sharing. Refused when the meeting is not in
    /// progress, the user is not in it, or someone shares already.
    pub fn start_share(&mut self, user: &str, now: i64) -> Result<(), StoreError> {
        if self.state != MeetingState::InProgress {
            return Err(StoreError::InvalidState {
                state: self.state.as_str(),
                action: "share",
            });
        }
        if !self.is_joined(user) {
            return Err(StoreError::NotInMeeting(user.to_string()));
        }
        if self.sharing.as_ref().is_some_and(Share::active) {
            return Err(StoreError::InvalidState {
                state: "sharing",
                action: "share",
            });
        }
        self.sharing = Some(Share {
            user: user.to_string(),
            since: now,
            until: None,
        });
        self.updated(&["sharing"]);
        Ok(())
    }

    /// The current share stops. Refused when nobody shares.
    pub fn stop_share(&mut self, now: i64) -> Result<(), StoreError> {
        match &mut self.sharing {
            Some(s) if s.active() => {
                s.until = Some(now);
                self.updated(&["sharing"]);
                Ok(())
            }
            _ => Err(StoreError::InvalidState {
                state: "not_sharing",
                action: "stop sharing",
            }),
        }
    }

    /// Ends the share of `user` (who is leaving), if they share.
    pub(super) fn end_share_of(&mut self, user: &str, now: i64) {
        if self
            .sharing
            .as_ref()
            .is_some_and(|s| s.active() && s.user == user)
        {
            let _ = self.stop_share(now);
        }
    }

    /// Closes what runs when the meeting ends: the share, and the recorder (each published as
    /// `meeting_updated`, before the participants leave).
    pub(super) fn close_media(&mut self, now: i64) {
        if self.sharing.as_ref().is_some_and(Share::active) {
            let _ = self.stop_share(now);
        }
        if let Some(r) = &mut self.recording {
            if r.running() {
                r.close(now);
                self.updated(&["recording"]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ChangeKind;

    #[test]
    fn one_share_at_a_time_ended_by_leaving_or_the_end() {
        let mut m = Meeting {
            id: "m".into(),
            creator: "h".into(),
            ..Default::default()
        };
        assert!(m.start_share("h", 0).is_err(), "not started");
        m.start(0).unwrap();
        m.join("h", "H", 1).unwrap();
        m.join("g", "G", 1).unwrap();
        m.start_share("g", 2).unwrap();
        assert!(m.start_share("h", 3).is_err(), "g shares");
        m.leave("g", 4).unwrap();
        assert_eq!(m.sharing.as_ref().unwrap().until, Some(4));
        m.start_share("h", 5).unwrap();
        m.start_recording(5).unwrap();
        m.end(9).unwrap();
        assert_eq!(m.sharing.as_ref().unwrap().until, Some(9));
        assert!(!m.recording.as_ref().unwrap().running());
        let updates = m
            .changes
            .take()
            .into_iter()
            .filter(|k| matches!(k, ChangeKind::MeetingUpdated { .. }))
            .count();
        // Consecutive updates of one operation coalesce (pending.rs): at least two remain.
        assert!(updates >= 2, "{updates}");
    }
}
