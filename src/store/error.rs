//! Domain errors: what can go wrong in the store, independent of any vendor's codes.
//! Each vendor maps these onto its own error catalogue.

use thiserror::Error;

/// A refused domain operation. Nothing was changed when one of these is returned.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StoreError {
    #[error("unknown tenant {0}")]
    UnknownTenant(String),
    #[error("meeting {0} does not exist")]
    MeetingNotFound(String),
    #[error("user {0} does not exist")]
    UserNotFound(String),
    #[error("meeting is {state}, cannot {action}")]
    InvalidState {
        state: &'static str,
        action: &'static str,
    },
    #[error("meeting is locked")]
    Locked,
    #[error("meeting is full ({capacity} participants)")]
    Full { capacity: u32 },
    #[error("user {0} is busy")]
    Busy(String),
    #[error("too many entries: {got} > {max}")]
    TooMany { got: usize, max: usize },
    #[error("user {0} is not in the meeting")]
    NotInMeeting(String),
    #[error("user {0} is not in the waiting room")]
    NotWaiting(String),
    #[error("user {0} was removed and may not rejoin")]
    Barred(String),
    #[error("{0} already exists")]
    AlreadyExists(String),
}
