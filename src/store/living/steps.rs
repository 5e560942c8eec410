//! Applying one planned step of a call through the meeting's methods, and the thread mark that
//! tells the bus sink a change is the plan's own (so it does not cancel the plan).

use super::CallKey;
use crate::store::plan::StepKind;
use crate::store::{ParticipantStatus, TenantData};
use std::cell::Cell;

thread_local! {
    /// True while this thread applies planned steps: their changes are the plan's own and
    /// must not cancel it.
    static APPLYING: Cell<bool> = const { Cell::new(false) };
}

/// True while this thread applies planned steps.
pub(super) fn applying() -> bool {
    APPLYING.with(Cell::get)
}

/// Marks the current thread as applying planned steps until dropped.
pub(super) struct Applying(bool);

impl Applying {
    pub(super) fn start() -> Applying {
        Applying(APPLYING.with(|a| a.replace(true)))
    }
}

impl Drop for Applying {
    fn drop(&mut self) {
        let previous = self.0;
        APPLYING.with(|a| a.set(previous));
    }
}

/// True when the callee is a user of the tenant (by id, alias or phone) marked busy.
fn busy_user(d: &TenantData, callee: &str) -> bool {
    d.user(callee)
        .or_else(|| d.user_any(callee))
        .or_else(|| d.users().find(|u| u.phone.as_deref() == Some(callee)))
        .is_some_and(|u| u.busy)
}

/// Applies one step through the meeting's methods. Returns whether the rest of the plan still
/// stands (false: the call is over or was not in the expected state).
pub(super) fn apply(d: &mut TenantData, key: &CallKey, kind: StepKind, due_ms: i64) -> bool {
    let callee = key.3.as_str();
    let now = due_ms.div_euclid(1000);
    let reaches = matches!(kind, StepKind::Reach | StepKind::Ring);
    let busy = reaches && busy_user(d, callee);
    let Ok(m) = d.meeting_mut(&key.2) else {
        return false;
    };
    let status = m.participant(callee).map(|p| p.status);
    let calling = matches!(
        status,
        Some(ParticipantStatus::Calling | ParticipantStatus::Ringing)
    );
    if !calling && kind != StepKind::Leave {
        return false;
    }
    if busy {
        // A user marked busy answers busy when the call reaches them.
        let _ = m.busy(callee, now);
        return false;
    }
    let result = match kind {
        StepKind::Reach => Ok(()),
        StepKind::Ring => m.ring(callee),
        StepKind::Accept => m.join(callee, "", now),
        StepKind::Decline => m.decline(callee, now),
        StepKind::Miss => m.miss(callee, now),
        StepKind::Busy => m.busy(callee, now),
        StepKind::Leave if status == Some(ParticipantStatus::Joined) => m.leave(callee, now),
        StepKind::Leave => return false,
    };
    result.is_ok()
}
