//! Cloud recording of a meeting: started and stopped while the meeting runs, closed when it
//! ends, and ready some time after that (the vendor decides how long processing takes).
//!
//! Vendors map it at the edge (Feishu `recording/start|stop|get`, 124002 while processing).
//! Starting and stopping are published as `meeting_updated` with the field `recording`.

use super::{Meeting, MeetingState, StoreError};
use serde::{Deserialize, Serialize};

/// What the recorder did in one meeting. Times are unix seconds on the server clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Recording {
    /// When the running segment started; `None` while the recorder is stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<i64>,
    /// Seconds recorded in closed segments.
    #[serde(default)]
    pub recorded_secs: i64,
    /// When the last segment was closed (stop, or the meeting ending).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_stop: Option<i64>,
}

impl Recording {
    /// True while the recorder runs.
    pub fn running(&self) -> bool {
        self.since.is_some()
    }

    /// Closes the running segment at `now` (no-op when stopped).
    pub fn close(&mut self, now: i64) {
        if let Some(s) = self.since.take() {
            self.recorded_secs += (now - s).max(0);
            self.last_stop = Some(now);
        }
    }

    /// Seconds recorded up to `now`, the running segment included.
    pub fn total_secs(&self, now: i64) -> i64 {
        self.recorded_secs + self.since.map_or(0, |s| (now - s).max(0))
    }
}

impl Meeting {
    /// Starts (or resumes) recording an in-progress meeting. Refused when the meeting is not in
    /// progress or already recording.
    pub fn start_recording(&mut self, now: i64) -> Result<(), StoreError> {
        if self.state != MeetingState::InProgress {
            return Err(StoreError::InvalidState {
                state: self.state.as_str(),
                action: "start recording",
            });
        }
        let r = self.recording.get_or_insert_with(Recording::default);
        if r.running() {
            return Err(StoreError::InvalidState {
                state: "recording",
                action: "start recording",
            });
        }
        r.since = Some(now);
        self.updated(&["recording"]);
        Ok(())
    }

    /// Stops the recorder of an in-progress meeting. Refused when the meeting is not in
    /// progress or not recording.
    pub fn stop_recording(&mut self, now: i64) -> Result<(), StoreError> {
        if self.state != MeetingState::InProgress {
            return Err(StoreError::InvalidState {
                state: self.state.as_str(),
                action: "stop recording",
            });
        }
        match &mut self.recording {
            Some(r) if r.running() => {
                r.close(now);
                self.updated(&["recording"]);
                Ok(())
            }
            _ => Err(StoreError::InvalidState {
                state: "not_recording",
                action: "stop recording",
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_add_up_and_the_end_closes_the_running_one() {
        let mut m = Meeting {
            id: "m".into(),
            creator: "h".into(),
            ..Default::default()
        };
        assert!(m.start_recording(0).is_err(), "not started yet");
        m.start(0).unwrap();
        m.start_recording(10).unwrap();
        assert!(m.start_recording(11).is_err());
        m.stop_recording(40).unwrap();
        assert!(m.stop_recording(41).is_err());
        m.start_recording(50).unwrap();
        m.end(60).unwrap();
        let r = m.recording.unwrap();
        assert_eq!(
            (r.recorded_secs, r.last_stop, r.running()),
            (40, Some(60), false)
        );
    }
}
