//! Tencent's meeting states on the server clock.
//!
//! Mirrors the `status` definitions of /1095/72810 (real-time participants) and /1095/42418
//! (query meeting): `MEETING_STATE_INIT` is "会议待开始。会议预定到预定结束时间前，会议尚无人
//! 进会" — a scheduled meeting nobody joined, *bounded by its scheduled end*. Past that end with
//! nobody having joined, the query APIs answer `MEETING_STATE_NULL` (the notes' reading of the
//! state table: past end time, nobody joined). Derived on read from the store state and the
//! server clock, so moving the clock (`POST /__admin/clock/advance`) moves the state; nothing is
//! written. Vendor-owned: other vendors bound a schedule differently (Feishu reserves expire,
//! Huawei conferences stay scheduled).
//!
//! Decisions [INF]: an expired meeting (NULL) is refused like an ended one by the calls that
//! change a scheduled meeting (set invitees, modify, cancel → 500/13603) and leaves users'
//! upcoming lists; a meeting that has started is not bounded by its scheduled end (people stay
//! until dismissed or they leave), as the docs describe.

use super::errors;
use crate::store::{Meeting, MeetingState};
use crate::vendors::ErrorDef;

/// True when a scheduled meeting nobody joined is past its scheduled end (`end_time` 0 = no
/// end, as for scenario meetings without times).
pub fn expired(m: &Meeting, now: i64) -> bool {
    m.state == MeetingState::Scheduled && m.end_time > 0 && now >= m.end_time
}

/// The `status` string of a meeting at `now`.
pub fn name(m: &Meeting, now: i64) -> &'static str {
    match m.state {
        MeetingState::Scheduled if expired(m, now) => "MEETING_STATE_NULL",
        MeetingState::Scheduled => "MEETING_STATE_INIT",
        MeetingState::InProgress => "MEETING_STATE_STARTED",
        MeetingState::Ended => "MEETING_STATE_ENDED",
        MeetingState::Cancelled => "MEETING_STATE_CANCELLED",
    }
}

/// May a scheduled meeting still be changed (invitees, fields, cancel)? The error otherwise:
/// cancelled 9007, ended or expired 13603.
pub fn editable(m: &Meeting, now: i64) -> Result<(), &'static ErrorDef> {
    match m.state {
        MeetingState::Cancelled => Err(&errors::MEETING_CANCELLED),
        MeetingState::Ended => Err(&errors::MEETING_ENDED),
        MeetingState::Scheduled if expired(m, now) => Err(&errors::MEETING_ENDED),
        _ => Ok(()),
    }
}

/// Listed among a user's upcoming and running meetings.
pub fn upcoming(m: &Meeting, now: i64) -> bool {
    match m.state {
        MeetingState::Scheduled => !expired(m, now),
        MeetingState::InProgress => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_is_bounded_by_the_scheduled_end() {
        let m = Meeting {
            start_time: 100,
            end_time: 200,
            ..Default::default()
        };
        assert_eq!(name(&m, 150), "MEETING_STATE_INIT");
        assert_eq!(name(&m, 200), "MEETING_STATE_NULL");
        assert!(editable(&m, 199).is_ok());
        assert_eq!(editable(&m, 200).unwrap_err().code, "13603");
        assert!(!upcoming(&m, 201));
        let mut started = m.clone();
        started.start(150).unwrap();
        assert_eq!(name(&started, 10_000), "MEETING_STATE_STARTED");
    }
}
