//! The server clock: wall time plus an offset the admin API can advance.
//!
//! Every expiry (tokens, login codes, replay windows, rate-limit windows) and every meeting time
//! is read from here, so tests move time with `POST /__admin/clock/advance` instead of sleeping.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::sync::watch;

/// Wall clock shifted by an offset, or frozen at an instant. Lock-free: two atomics.
#[derive(Debug)]
pub struct Clock {
    /// Milliseconds added to the system time; only ever grows through `advance`.
    offset_ms: AtomicI64,
    /// When non-zero, the clock stands still at this instant (ms since the epoch) until
    /// unfrozen; `advance` moves it.
    frozen_at_ms: AtomicI64,
    /// Counts jumps (advance, freeze, unfreeze, restore): a task waiting for a server-clock
    /// deadline (a WebSocket's heartbeat limit) watches it to notice time it did not sleep.
    jumps: watch::Sender<u64>,
}

impl Default for Clock {
    fn default() -> Self {
        Clock {
            offset_ms: AtomicI64::new(0),
            frozen_at_ms: AtomicI64::new(0),
            jumps: watch::channel(0).0,
        }
    }
}

fn wall_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl Clock {
    /// The latest instant the clock may show: 9999-12-31T23:59:59.999Z. The admin API refuses
    /// moves past it (every vendor formats times as 4-digit years), and arithmetic saturates so
    /// the clock can never wrap to before 1970.
    pub const MAX_MS: i64 = 253_402_300_799_999;

    /// The system's wall time, ms since the epoch.
    pub fn wall_ms() -> i64 {
        wall_ms()
    }

    /// Milliseconds since the Unix epoch, as the server sees them.
    pub fn now_ms(&self) -> i64 {
        let frozen = self.frozen_at_ms.load(Ordering::Relaxed);
        if frozen != 0 {
            return frozen;
        }
        wall_ms().saturating_add(self.offset_ms.load(Ordering::Relaxed))
    }

    /// The instant a frozen clock stands at, `None` while it runs (state export).
    pub fn frozen_at_ms(&self) -> Option<i64> {
        Some(self.frozen_at_ms.load(Ordering::Relaxed)).filter(|f| *f != 0)
    }

    /// Stops the clock at `at_ms` (or at the current server time when `None`).
    pub fn freeze(&self, at_ms: Option<i64>) {
        let at = at_ms.unwrap_or_else(|| self.now_ms()).max(1);
        self.frozen_at_ms.store(at, Ordering::Relaxed);
        self.jumped();
    }

    /// A feed that moves whenever the clock jumps (not as it merely runs).
    pub fn watch(&self) -> watch::Receiver<u64> {
        self.jumps.subscribe()
    }

    fn jumped(&self) {
        self.jumps.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Lets the clock run again from where it stood (the offset keeps the time continuous).
    pub fn unfreeze(&self) {
        let frozen = self.frozen_at_ms.swap(0, Ordering::Relaxed);
        if frozen != 0 {
            self.offset_ms
                .store(frozen.saturating_sub(wall_ms()), Ordering::Relaxed);
        }
        self.jumped();
    }

    /// True while frozen.
    pub fn is_frozen(&self) -> bool {
        self.frozen_at_ms.load(Ordering::Relaxed) != 0
    }

    /// Seconds since the Unix epoch, as the server sees them.
    pub fn now_secs(&self) -> i64 {
        self.now_ms().div_euclid(1000)
    }

    /// Moves the clock forward by `ms` milliseconds (negative values are refused by the caller).
    pub fn advance(&self, ms: i64) {
        if self
            .frozen_at_ms
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |f| {
                (f != 0).then_some(f.saturating_add(ms))
            })
            .is_err()
        {
            let _ = self
                .offset_ms
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |o| {
                    Some(o.saturating_add(ms))
                });
        }
        self.jumped();
    }

    /// The current offset, for state export.
    pub fn offset_ms(&self) -> i64 {
        self.offset_ms.load(Ordering::Relaxed)
    }

    /// Restores an exported offset (state import, reset).
    pub fn set_offset_ms(&self, ms: i64) {
        self.offset_ms.store(ms, Ordering::Relaxed);
        self.frozen_at_ms.store(0, Ordering::Relaxed);
        self.jumped();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frozen_clock_moves_only_when_advanced_and_resumes_continuously() {
        let c = Clock::default();
        c.freeze(Some(1_000_000));
        assert_eq!(c.now_ms(), 1_000_000);
        c.advance(999);
        assert_eq!(c.now_ms(), 1_000_999);
        c.unfreeze();
        assert!(!c.is_frozen());
        assert!((c.now_ms() - 1_000_999).abs() < 1000);
    }
}
