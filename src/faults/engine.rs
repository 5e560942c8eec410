//! The rule engine: ordered rules, per-rule counters and per-rule seeded random streams; one
//! list for request rules and delivery rules (`check` sees the first, `check_delivery` the
//! second).
//!
//! Rules live in an `Arc<Vec<_>>` swapped whole under a RwLock (written only when rules are
//! added, removed or reloaded; a request takes the read lock just long enough to clone the
//! Arc). Counters are atomics on each rule, so matching never blocks another request.

use super::delivery::{DeliveryDecision, DeliveryFault, DeliveryInput, Target};
use super::rule::{Action, Rule};
use crate::store::{splitmix64, VendorId};
use http::HeaderMap;
use parking_lot::RwLock;
use serde::Serialize;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

/// What a rule is matched against.
pub struct FaultInput<'a> {
    pub vendor: VendorId,
    pub operation: &'a str,
    pub tenant: Option<&'a str>,
    pub meeting: Option<&'a str>,
    pub target: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

/// The outcome for one request.
#[derive(Debug, Clone)]
pub struct Decision {
    pub rule: String,
    pub action: Action,
    /// Milliseconds to wait before acting (0 = none).
    pub delay_ms: f64,
}

/// A rule with its counters.
struct Live {
    rule: Rule,
    /// Requests that matched the rule's `match`.
    matched: AtomicU64,
    /// Times the rule fired.
    fired: AtomicU64,
    /// Draws from the rule's random stream.
    draws: AtomicU64,
    /// Off: the rule is skipped (not even counted) until turned back on (admin API,
    /// dashboard). A reload or reset brings it back on.
    enabled: AtomicBool,
    /// Seed of this rule's stream: the server seed mixed with the rule name, so adding a rule
    /// does not reshuffle the others.
    stream: u64,
}

/// A rule and its counters as listed by `GET /__admin/faults`.
#[derive(Debug, Serialize)]
pub struct RuleView {
    pub name: String,
    pub spec: super::RuleSpec,
    pub matched: u64,
    pub fired: u64,
    pub enabled: bool,
}

/// All fault rules of the server.
pub struct FaultEngine {
    seed: u64,
    rules: RwLock<Arc<Vec<Arc<Live>>>>,
    /// Number of rules, read without the lock so an empty engine costs one atomic load.
    count: AtomicUsize,
    /// Bumped whenever the rule list or a rule's on/off switch changes (live watchers).
    revision: AtomicU64,
}

fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

impl Live {
    fn new(rule: Rule, seed: u64) -> Live {
        let stream = splitmix64(seed ^ name_hash(&rule.name));
        Live {
            rule,
            matched: AtomicU64::new(0),
            fired: AtomicU64::new(0),
            draws: AtomicU64::new(0),
            enabled: AtomicBool::new(true),
            stream,
        }
    }

    /// A uniform number in [0, 1) from the rule's stream.
    fn uniform(&self) -> f64 {
        let n = self.draws.fetch_add(1, Ordering::Relaxed);
        let bits = splitmix64(
            self.stream
                .wrapping_add(n.wrapping_mul(0x9E37_79B9_7F4A_7C15)),
        );
        (bits >> 11) as f64 / (1u64 << 53) as f64
    }

    fn matches(&self, input: &FaultInput<'_>) -> bool {
        let r = &self.rule;
        let m = &r.spec.matcher;
        if !self.enabled.load(Ordering::Relaxed) {
            return false;
        }
        if r.target != Target::Request || r.vendor.is_some_and(|v| v != input.vendor) {
            return false;
        }
        if m.operation.as_deref().is_some_and(|o| o != input.operation) {
            return false;
        }
        if m.tenant.as_deref().is_some_and(|t| input.tenant != Some(t)) {
            return false;
        }
        if let Some(want) = m.meeting.as_deref() {
            let in_path = input.meeting == Some(want);
            if !in_path && !contains_value(input.target, input.body, want) {
                return false;
            }
        }
        if let Some(user) = m.user.as_deref() {
            if !contains_value(input.target, input.body, user) {
                return false;
            }
        }
        m.headers.iter().all(|(k, v)| {
            input
                .headers
                .get_all(k.as_str())
                .iter()
                .any(|h| h.as_bytes() == v.as_bytes())
        }) && r.patterns.accept(input.target, input.body)
    }

    fn matches_delivery(&self, input: &DeliveryInput<'_>) -> bool {
        let r = &self.rule;
        let m = &r.spec.matcher;
        r.target == Target::Delivery
            && r.vendor.is_none_or(|v| v == input.vendor)
            && m.tenant.as_deref().is_none_or(|t| t == input.tenant)
            && m.meeting.as_deref().is_none_or(|id| id == input.meeting)
            && m.event_type
                .as_deref()
                .is_none_or(|t| t == input.event_type)
            && (input.can_reorder || r.delivery != Some(DeliveryFault::Reorder))
            && r.patterns.accept("", input.payload)
    }

    /// Counts a match and decides whether the rule fires now.
    fn fires(&self) -> bool {
        let n = self.matched.fetch_add(1, Ordering::Relaxed) + 1;
        let Some(w) = &self.rule.spec.when else {
            self.fired.fetch_add(1, Ordering::Relaxed);
            return true;
        };
        if w.every.is_some_and(|e| !n.is_multiple_of(e))
            || w.first.is_some_and(|f| n > f)
            || w.after.is_some_and(|a| n <= a)
        {
            return false;
        }
        if let Some(p) = w.probability {
            if self.uniform() >= p {
                return false;
            }
        }
        match w.times {
            Some(max) => self
                .fired
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |f| {
                    (f < max).then_some(f + 1)
                })
                .is_ok(),
            None => {
                self.fired.fetch_add(1, Ordering::Relaxed);
                true
            }
        }
    }

    fn delay_ms(&self) -> f64 {
        self.rule
            .delay
            .as_ref()
            .map_or(0.0, |d| d.sample(|| self.uniform()))
    }
}

/// True when `value` appears as a path segment, a query value or a JSON string in the body.
fn contains_value(target: &str, body: &[u8], value: &str) -> bool {
    if value.is_empty() {
        return false;
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path.split('/').any(|s| s == value) {
        return true;
    }
    if query
        .split('&')
        .any(|p| p.split_once('=').is_some_and(|(_, v)| v == value))
    {
        return true;
    }
    let quoted = format!("\"{value}\"");
    body.windows(quoted.len()).any(|w| w == quoted.as_bytes())
}

impl FaultEngine {
    /// An engine with no rules; `seed` drives probabilities and delays.
    pub fn new(seed: u64) -> Self {
        FaultEngine {
            seed,
            rules: RwLock::new(Arc::new(Vec::new())),
            count: AtomicUsize::new(0),
            revision: AtomicU64::new(0),
        }
    }

    /// The first rule that matches and fires, if any.
    pub fn check(&self, input: &FaultInput<'_>) -> Option<Decision> {
        if self.count.load(Ordering::Relaxed) == 0 {
            return None;
        }
        let rules = Arc::clone(&self.rules.read());
        for live in rules.iter() {
            if live.matches(input) && live.fires() {
                return Some(Decision {
                    rule: live.rule.name.clone(),
                    action: live.rule.action.clone(),
                    delay_ms: live.delay_ms(),
                });
            }
        }
        None
    }

    /// The first delivery rule that matches and fires for one delivery attempt, if any.
    pub fn check_delivery(&self, input: &DeliveryInput<'_>) -> Option<DeliveryDecision> {
        if self.count.load(Ordering::Relaxed) == 0 {
            return None;
        }
        let rules = Arc::clone(&self.rules.read());
        for live in rules.iter() {
            if live.matches_delivery(input) && live.fires() {
                return Some(DeliveryDecision {
                    rule: live.rule.name.clone(),
                    fault: live.rule.delivery.unwrap_or(DeliveryFault::DelayOnly),
                    delay_ms: live.delay_ms(),
                });
            }
        }
        None
    }

    fn replace(&self, f: impl FnOnce(&mut Vec<Arc<Live>>)) {
        let mut guard = self.rules.write();
        let mut next: Vec<Arc<Live>> = guard.as_ref().clone();
        f(&mut next);
        self.count.store(next.len(), Ordering::Relaxed);
        *guard = Arc::new(next);
        self.revision.fetch_add(1, Ordering::Relaxed);
    }

    /// Turns the rule with this name on or off; false when there is none.
    pub fn set_enabled(&self, name: &str, on: bool) -> bool {
        let rules = Arc::clone(&self.rules.read());
        let Some(live) = rules.iter().find(|l| l.rule.name == name) else {
            return false;
        };
        if live.enabled.swap(on, Ordering::Relaxed) != on {
            self.revision.fetch_add(1, Ordering::Relaxed);
        }
        true
    }

    /// Where the rules stand without listing them: (revision of the list and switches, total
    /// matches + fires). A live watcher (the dashboard) compares it to know when to read again.
    pub fn activity(&self) -> (u64, u64) {
        let hits = self.rules.read().iter().fold(0u64, |acc, l| {
            acc.wrapping_add(l.matched.load(Ordering::Relaxed))
                .wrapping_add(l.fired.load(Ordering::Relaxed))
        });
        (self.revision.load(Ordering::Relaxed), hits)
    }

    /// Appends rules; a rule with the name of an existing one replaces it in place.
    pub fn add_all(&self, rules: Vec<Rule>) {
        let seed = self.seed;
        self.replace(|list| {
            for r in rules {
                let live = Arc::new(Live::new(r, seed));
                match list.iter().position(|l| l.rule.name == live.rule.name) {
                    Some(i) => list[i] = live,
                    None => list.push(live),
                }
            }
        });
    }

    /// Replaces every rule that came from `source` with `rules` (scenario reload), in the
    /// place the source's first rule held (so first-match-wins precedence between files does
    /// not change on reload; at the end when the source had none). Rules of other sources keep
    /// their place and counters.
    pub fn replace_source(&self, source: &str, rules: Vec<Rule>) {
        let seed = self.seed;
        self.replace(|list| {
            let at = list.iter().position(|l| l.rule.source == source);
            list.retain(|l| l.rule.source != source);
            for r in &rules {
                list.retain(|l| l.rule.name != r.name);
            }
            let at = at.map_or(list.len(), |i| i.min(list.len()));
            let fresh = rules.into_iter().map(|r| Arc::new(Live::new(r, seed)));
            list.splice(at..at, fresh);
        });
    }

    /// Zeroes every rule's counters and random streams (reset).
    pub fn zero_counters(&self) {
        self.revision.fetch_add(1, Ordering::Relaxed);
        for l in self.rules.read().iter() {
            l.matched.store(0, Ordering::Relaxed);
            l.fired.store(0, Ordering::Relaxed);
            l.draws.store(0, Ordering::Relaxed);
        }
    }

    /// Removes the rule with this name; false when there is none.
    pub fn remove(&self, name: &str) -> bool {
        let mut found = false;
        self.replace(|list| {
            let before = list.len();
            list.retain(|l| l.rule.name != name);
            found = list.len() != before;
        });
        found
    }

    /// Removes every rule.
    pub fn clear(&self) {
        self.replace(|list| list.clear());
    }

    /// The rules in order, with their counters.
    pub fn list(&self) -> Vec<RuleView> {
        self.rules
            .read()
            .iter()
            .map(|l| RuleView {
                name: l.rule.name.clone(),
                spec: l.rule.spec.clone(),
                matched: l.matched.load(Ordering::Relaxed),
                fired: l.fired.load(Ordering::Relaxed),
                enabled: l.enabled.load(Ordering::Relaxed),
            })
            .collect()
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }

    /// True when there are no rules.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
