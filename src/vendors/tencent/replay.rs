//! The gateway's replay guard: the (`X-TC-Timestamp`, `X-TC-Nonce`) pairs each app (tenant) has
//! already used, checked after the signature (so forged requests cannot fill it) and answered
//! 190301 (cloud.tencent.com/document/api/1095/42413).
//!
//! Entries expire by time, never by count: a request is accepted only while its timestamp lies
//! within ±[`WINDOW_SECS`] of the server clock, so a pair is remembered exactly until
//! `timestamp + WINDOW_SECS` — after that the window check answers 190300 first. With no count
//! cap, one tenant's traffic can never evict another tenant's pairs (nor its own), and memory
//! is bounded by the calls of the last ten minutes. The pairs are part of the state export
//! (`vendors.tencent.replay`), so `--state-file` and `PUT /__admin/state` keep them.

use super::auth::WINDOW_SECS;
use dashmap::DashMap;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};

/// Every this many first uses, tenants that went quiet are swept too.
const SWEEP_EVERY: u64 = 1 << 16;

/// One tenant's used pairs: a set for lookup and the nonces by timestamp for expiry (timestamp
/// order is expiry order).
#[derive(Debug, Default, Clone)]
struct Seen {
    pairs: HashSet<(i64, u64)>,
    by_ts: BTreeMap<i64, Vec<u64>>,
}

impl Seen {
    /// Forgets the pairs whose timestamp the window no longer accepts at `now_s`.
    fn expire(&mut self, now_s: i64) {
        while let Some(entry) = self.by_ts.first_entry() {
            if now_s - *entry.key() <= WINDOW_SECS {
                break;
            }
            let ts = *entry.key();
            for n in entry.remove() {
                self.pairs.remove(&(ts, n));
            }
        }
    }

    fn insert(&mut self, ts: i64, nonce: u64) -> bool {
        if !self.pairs.insert((ts, nonce)) {
            return false;
        }
        self.by_ts.entry(ts).or_default().push(nonce);
        true
    }
}

/// Used pairs per tenant.
///
/// Lock: the DashMap's shard lock of one tenant's entry, held for one expire-check-insert (no
/// await, no I/O); different tenants rarely share a shard.
#[derive(Debug, Default)]
pub struct ReplayCache {
    tenants: DashMap<String, Seen>,
    first_uses: AtomicU64,
}

impl ReplayCache {
    /// Records the pair; `false` when the tenant already used it and it has not expired.
    pub fn first_use(&self, tenant: &str, timestamp: i64, nonce: u64, now_ms: i64) -> bool {
        let now_s = now_ms.div_euclid(1000);
        let fresh = match self.tenants.get_mut(tenant) {
            Some(mut seen) => {
                seen.expire(now_s);
                seen.insert(timestamp, nonce)
            }
            None => self
                .tenants
                .entry(tenant.to_string())
                .or_default()
                .insert(timestamp, nonce),
        };
        if fresh && self.first_uses.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1
        {
            self.tenants.retain(|_, seen| {
                seen.expire(now_s);
                !seen.pairs.is_empty()
            });
        }
        fresh
    }

    /// Forgets everything (the `forget-nonces` admin action).
    pub fn clear(&self) {
        self.tenants.clear();
    }

    /// How many pairs are remembered.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.tenants.iter().map(|t| t.pairs.len()).sum()
    }

    /// `{"replay": {"<AppId>": [[timestamp, "nonce"], …]}}`, sorted; nonces as strings (20
    /// digits do not survive a JavaScript number). `None` when nothing is remembered.
    pub fn export(&self) -> Option<Value> {
        let mut out = BTreeMap::new();
        for t in self.tenants.iter() {
            let mut pairs: Vec<(i64, u64)> = t.pairs.iter().copied().collect();
            pairs.sort_unstable();
            if !pairs.is_empty() {
                let list: Vec<Value> = pairs
                    .into_iter()
                    .map(|(ts, n)| json!([ts, n.to_string()]))
                    .collect();
                out.insert(t.key().clone(), Value::Array(list));
            }
        }
        (!out.is_empty()).then(|| json!({ "replay": out }))
    }

    /// Parses an export; `Err` says what is wrong.
    fn parse(state: &Value) -> Result<Vec<(String, Seen)>, String> {
        let shape = "expected {\"replay\": {\"<AppId>\": [[timestamp, \"nonce\"], ...]}}";
        let obj = state.as_object().ok_or(shape)?;
        if obj.keys().any(|k| k != "replay") {
            return Err(shape.into());
        }
        let Some(replay) = obj.get("replay") else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for (tenant, list) in replay.as_object().ok_or(shape)? {
            let mut seen = Seen::default();
            for pair in list.as_array().ok_or(shape)? {
                let (ts, nonce) = match pair.as_array().map(Vec::as_slice) {
                    Some([ts, nonce]) => (ts.as_i64(), nonce.as_str().and_then(|n| n.parse().ok())),
                    _ => (None, None),
                };
                let (Some(ts), Some(nonce)) = (ts, nonce) else {
                    return Err(format!(
                        "replay.{tenant}: {pair} is not [timestamp, \"nonce\"]"
                    ));
                };
                seen.insert(ts, nonce);
            }
            out.push((tenant.clone(), seen));
        }
        Ok(out)
    }

    /// Checks an export without applying it.
    pub fn check(state: &Value) -> Result<(), String> {
        Self::parse(state).map(|_| ())
    }

    /// Replaces everything with an export [`ReplayCache::check`] accepted (`None`: empty).
    pub fn import(&self, state: Option<&Value>) {
        let parsed = state
            .map(Self::parse)
            .and_then(Result::ok)
            .unwrap_or_default();
        let keep: HashSet<&str> = parsed.iter().map(|(t, _)| t.as_str()).collect();
        self.tenants.retain(|t, _| keep.contains(t.as_str()));
        for (tenant, seen) in parsed {
            self.tenants.insert(tenant, seen);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_800_000_000;

    #[test]
    fn a_pair_is_refused_while_the_window_accepts_its_timestamp() {
        let c = ReplayCache::default();
        assert!(c.first_use("t", T0, 2, T0 * 1000));
        assert!(!c.first_use("t", T0, 2, (T0 + WINDOW_SECS) * 1000 + 999));
        assert!(c.first_use("u", T0, 2, T0 * 1000), "per tenant");
        // A timestamp from the future is remembered until it, too, leaves the window.
        assert!(c.first_use("t", T0 + 300, 3, T0 * 1000));
        assert!(!c.first_use("t", T0 + 300, 3, (T0 + 600) * 1000));
        assert!(
            c.first_use("t", T0, 2, (T0 + WINDOW_SECS + 1) * 1000),
            "expired by time"
        );
    }

    #[test]
    fn another_tenants_traffic_never_evicts_a_pair() {
        let c = ReplayCache::default();
        let now = T0 * 1000;
        assert!(c.first_use("victim", T0, 7, now));
        for n in 0..250_001u64 {
            assert!(c.first_use("noisy", T0, n, now));
        }
        assert!(!c.first_use("victim", T0, 7, now), "still refused");
        assert_eq!(c.len(), 250_002);
    }

    #[test]
    fn quiet_tenants_are_swept_once_their_pairs_expire() {
        let c = ReplayCache::default();
        assert!(c.first_use("quiet", T0, 1, T0 * 1000));
        let later = (T0 + 2 * WINDOW_SECS) * 1000;
        for n in 0..SWEEP_EVERY {
            c.first_use("busy", T0 + 2 * WINDOW_SECS, n, later);
        }
        assert!(!c.tenants.contains_key("quiet"));
    }

    #[test]
    fn an_export_imports_back_to_the_same_pairs() {
        let c = ReplayCache::default();
        c.first_use("a", T0, u64::MAX, T0 * 1000);
        c.first_use("b", T0 + 1, 5, T0 * 1000);
        let e = c.export().unwrap();
        assert_eq!(e["replay"]["a"][0][1], u64::MAX.to_string());
        ReplayCache::check(&e).unwrap();
        let d = ReplayCache::default();
        d.first_use("stale", T0, 9, T0 * 1000);
        d.import(Some(&e));
        assert_eq!(d.export(), Some(e));
        assert!(!d.first_use("a", T0, u64::MAX, T0 * 1000));
        for bad in [
            json!([]),
            json!({"replay": {"a": [[1]]}}),
            json!({"other": 1}),
        ] {
            assert!(ReplayCache::check(&bad).is_err(), "{bad}");
        }
        d.import(None);
        assert_eq!(d.len(), 0);
    }
}
