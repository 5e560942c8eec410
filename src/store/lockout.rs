//! Failed-password bookkeeping: consecutive failures and a lock that lifts on the server clock.
//!
//! Vendor-neutral: a vendor gives the policy (how many failures lock, for how long) and keeps
//! one `Lockout` per thing a password guards (a user's login, a meeting's chair password).

use serde::{Deserialize, Serialize};

/// How many consecutive failures lock, and for how long (seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockPolicy {
    pub max_failures: u32,
    pub lock_secs: i64,
}

/// Consecutive failed attempts and the time (unix seconds) a lock lifts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Lockout {
    #[serde(default)]
    pub failures: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_until: Option<i64>,
}

impl Lockout {
    /// True when nothing is recorded (skipped when serializing).
    pub fn is_clear(&self) -> bool {
        self.failures == 0 && self.locked_until.is_none()
    }

    /// True while the lock holds at `now`.
    pub fn is_locked(&self, now: i64) -> bool {
        self.locked_until.is_some_and(|until| now < until)
    }

    /// Records a failed attempt at `now`; true when this failure locks.
    pub fn fail(&mut self, now: i64, policy: LockPolicy) -> bool {
        if self.locked_until.is_some_and(|until| now >= until) {
            *self = Lockout::default();
        }
        self.failures = self.failures.saturating_add(1);
        if self.failures >= policy.max_failures.max(1) {
            self.failures = 0;
            self.locked_until = Some(now.saturating_add(policy.lock_secs));
            return true;
        }
        false
    }

    /// A successful attempt clears the count (failures must be consecutive).
    pub fn succeed(&mut self) {
        *self = Lockout::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: LockPolicy = LockPolicy {
        max_failures: 3,
        lock_secs: 60,
    };

    #[test]
    fn the_nth_consecutive_failure_locks_until_the_lock_lifts() {
        let mut l = Lockout::default();
        assert!(!l.fail(0, P));
        assert!(!l.fail(1, P));
        assert!(l.fail(2, P));
        assert!(l.is_locked(61));
        assert!(!l.is_locked(62));
        assert!(!l.fail(62, P), "the count starts again after the lock");
    }

    #[test]
    fn a_success_clears_the_count() {
        let mut l = Lockout::default();
        l.fail(0, P);
        l.fail(0, P);
        l.succeed();
        assert!(l.is_clear());
        assert!(!l.fail(0, P));
    }
}
