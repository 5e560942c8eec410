//! Vendor rate limits as behaviour: fixed windows on the server clock, counted per
//! (vendor, tenant, operation) or per (vendor, tenant), switchable per scenario.

use crate::store::VendorId;
use crate::vendors::RateLimitDef;
use dashmap::DashMap;
use parking_lot::RwLock;
use serde::{Deserialize, Serialize};

/// How a vendor's limits are applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitMode {
    /// The vendor's documented limits.
    Documented,
    /// No limits.
    Off,
    /// These limits on every route instead.
    Custom(Vec<CustomLimit>),
}

/// A custom limit from a scenario: `limit` calls per `window_secs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomLimit {
    pub limit: u32,
    pub window_secs: u32,
    #[serde(default = "yes")]
    pub per_operation: bool,
}

fn yes() -> bool {
    true
}

type Key = (VendorId, String, &'static str, u32);

/// The limiter. Counters live in a DashMap (sharded; one entry lock per check, released
/// before the handler runs); the per-vendor modes behind one RwLock that is written only when
/// a scenario is loaded.
#[derive(Default)]
pub struct RateLimiter {
    /// (vendor, tenant, operation or "*", window) → (window index, calls counted in it).
    windows: DashMap<Key, (i64, u32)>,
    /// Mode per vendor; `None` = the vendor's default.
    modes: RwLock<[Option<LimitMode>; 4]>,
}

fn slot(v: VendorId) -> usize {
    v.index()
}

impl RateLimiter {
    /// Sets a vendor's mode (`None` restores the default).
    pub fn set_mode(&self, vendor: VendorId, mode: Option<LimitMode>) {
        self.modes.write()[slot(vendor)] = mode;
    }

    /// The vendor's mode, if a scenario set one.
    pub fn mode(&self, vendor: VendorId) -> Option<LimitMode> {
        self.modes.read()[slot(vendor)].clone()
    }

    /// Counts one call; `Err((limit, seconds until its window resets))` when a limit is
    /// exceeded, in which case nothing is counted.
    pub fn check(
        &self,
        vendor: VendorId,
        tenant: &str,
        operation: &'static str,
        documented: &'static [RateLimitDef],
        on_by_default: bool,
        now_ms: i64,
    ) -> Result<(), (RateLimitDef, u64)> {
        let custom: Vec<RateLimitDef>;
        let defs: &[RateLimitDef] = match &self.modes.read()[slot(vendor)] {
            None if on_by_default => documented,
            None | Some(LimitMode::Off) => return Ok(()),
            Some(LimitMode::Documented) => documented,
            Some(LimitMode::Custom(c)) => {
                custom = c
                    .iter()
                    .map(|c| RateLimitDef {
                        limit: c.limit,
                        window_secs: c.window_secs,
                        per_operation: c.per_operation,
                    })
                    .collect();
                &custom
            }
        };
        if defs.is_empty() {
            return Ok(());
        }
        let key = |d: &RateLimitDef| -> Key {
            let op = if d.per_operation { operation } else { "*" };
            (vendor, tenant.to_string(), op, d.window_secs)
        };
        let index = |d: &RateLimitDef| now_ms.div_euclid(1000 * d.window_secs.max(1) as i64);
        for d in defs {
            let idx = index(d);
            if let Some(w) = self.windows.get(&key(d)) {
                if w.0 == idx && w.1 >= d.limit {
                    let window_ms = 1000 * d.window_secs.max(1) as i64;
                    let reset_ms = (idx + 1) * window_ms - now_ms;
                    let reset = ((reset_ms + 999) / 1000).max(1) as u64;
                    return Err((*d, reset));
                }
            }
        }
        for d in defs {
            let idx = index(d);
            let mut w = self.windows.entry(key(d)).or_insert((idx, 0));
            if w.0 != idx {
                *w = (idx, 0);
            }
            w.1 += 1;
        }
        Ok(())
    }

    /// Forgets every counter (reset) and every mode.
    pub fn clear(&self) {
        self.windows.clear();
        *self.modes.write() = Default::default();
    }

    /// Forgets every counter, keeping modes.
    pub fn clear_counters(&self) {
        self.windows.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIFTY: &[RateLimitDef] = &[RateLimitDef {
        limit: 50,
        window_secs: 1,
        per_operation: true,
    }];

    #[test]
    fn the_51st_call_in_a_second_is_refused_and_the_next_second_passes() {
        let rl = RateLimiter::default();
        let t0 = 1_000_000;
        for _ in 0..50 {
            rl.check(VendorId::Feishu, "app", "op", FIFTY, true, t0)
                .unwrap();
        }
        let (_, reset) = rl
            .check(VendorId::Feishu, "app", "op", FIFTY, true, t0 + 500)
            .unwrap_err();
        assert_eq!(reset, 1);
        rl.check(VendorId::Feishu, "other", "op", FIFTY, true, t0 + 500)
            .unwrap();
        rl.check(VendorId::Feishu, "app", "op", FIFTY, true, t0 + 1000)
            .unwrap();
    }

    #[test]
    fn off_by_default_unless_switched_on() {
        let rl = RateLimiter::default();
        for _ in 0..100 {
            rl.check(VendorId::Tencent, "a", "op", FIFTY, false, 0)
                .unwrap();
        }
        rl.set_mode(VendorId::Tencent, Some(LimitMode::Documented));
        rl.clear_counters();
        for _ in 0..50 {
            rl.check(VendorId::Tencent, "a", "op", FIFTY, false, 0)
                .unwrap();
        }
        assert!(rl
            .check(VendorId::Tencent, "a", "op", FIFTY, false, 0)
            .is_err());
    }
}
