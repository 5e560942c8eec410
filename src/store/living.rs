//! The living invite (DESIGN decision 10): simulated invitees on the server clock.
//!
//! A sink on the change bus sees every `participant_called` and plans that call's steps from
//! the most specific [`Declaration`] (see `behaviour`, `plan`); the steps wait in a queue
//! ordered by their server-clock due time. Due steps are applied through the meeting methods
//! (`ring`, `join`, `decline`, `miss`, `busy`, `leave`), so they are ordinary changes, stamped
//! with their due time: synchronously inside a clock advance, before every request (a lock-free
//! "next due" check), and by a background task while the clock runs. Any other change to a
//! planned call (an admin override, a kick, the meeting ending) cancels its plan; a new call to
//! the same person replaces it.
//!
//! Locks, always taken in this order and never the other way: `run` (a runner takes it first,
//! holding nothing else) → a tenant's lock (the sink runs under it) → `decls` (read) → `plans`.
//! Nothing blocks or does I/O while holding `decls` or `plans`.

use super::behaviour::{ring_timeout_ms, Behaviour};
use super::change::{Change, ChangeKind};
use super::declaration::{Callee, Declaration, DeclarationState, Declarations};
use super::plan::{plan, stream, Step};
use super::{Clock, ParticipantStatus, Store, VendorId};
use parking_lot::{Mutex, RwLock};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use tokio::sync::Notify;

/// A call: vendor, tenant, meeting id, callee (the participant's user id or number).
pub type CallKey = (VendorId, String, String, String);

/// The remaining steps of the latest call to someone.
#[derive(Debug)]
struct Plan {
    attempt: u32,
    steps: VecDeque<Step>,
}

#[derive(Debug, Default)]
struct Plans {
    calls: HashMap<CallKey, Plan>,
    /// (due of the call's next step, call): the queue, earliest first.
    queue: BTreeSet<(i64, CallKey)>,
    /// Calls placed so far per (meeting, callee): part of each call's random identity.
    attempts: HashMap<CallKey, u32>,
}

impl Plans {
    fn set(&mut self, key: CallKey, plan: Plan) {
        self.cancel(&key);
        if let Some(first) = plan.steps.front() {
            self.queue.insert((first.due_ms, key.clone()));
            self.calls.insert(key, plan);
        }
    }

    fn cancel(&mut self, key: &CallKey) -> bool {
        match self.calls.remove(key) {
            Some(p) => {
                if let Some(s) = p.steps.front() {
                    self.queue.remove(&(s.due_ms, key.clone()));
                }
                true
            }
            None => false,
        }
    }

    /// Drops the call's next step (applied) and queues the one after it.
    fn advance(&mut self, key: &CallKey) {
        let Some(p) = self.calls.get_mut(key) else {
            return;
        };
        if let Some(s) = p.steps.pop_front() {
            self.queue.remove(&(s.due_ms, key.clone()));
        }
        match p.steps.front() {
            Some(next) => {
                self.queue.insert((next.due_ms, key.clone()));
            }
            None => {
                self.calls.remove(key);
            }
        }
    }

    fn next_due(&self) -> i64 {
        self.queue.first().map_or(i64::MAX, |(d, _)| *d)
    }
}

/// One call's bookkeeping in a state export: how many calls were placed to the callee in the
/// meeting, and the remaining steps of the latest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallState {
    pub vendor: VendorId,
    pub tenant: String,
    pub meeting: String,
    pub callee: String,
    pub attempts: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Step>,
}

/// The scheduler. See the module documentation for the locks.
#[derive(Debug)]
pub struct Living {
    seed: u64,
    /// Every behaviour declaration. Read by the sink for each call placed; written by the
    /// admin API, scenario loading and state import (no tenant lock held then).
    decls: RwLock<Declarations>,
    /// Planned calls and the due queue; held only for a map operation.
    plans: Mutex<Plans>,
    /// The earliest due step (`i64::MAX` when none), updated under `plans`: the lock-free
    /// check every request makes.
    next_due: AtomicI64,
    /// One runner at a time, so steps are applied in time order.
    run: Mutex<()>,
    /// Wakes the background runner when an earlier step is planned.
    wake: Notify,
}

impl Living {
    /// A scheduler drawing from `seed`.
    pub fn new(seed: u64) -> Living {
        Living {
            seed,
            decls: RwLock::new(Declarations::default()),
            plans: Mutex::new(Plans::default()),
            next_due: AtomicI64::new(i64::MAX),
            run: Mutex::new(()),
            wake: Notify::new(),
        }
    }

    fn with_plans<R>(&self, f: impl FnOnce(&mut Plans) -> R) -> R {
        let mut p = self.plans.lock();
        let before = self.next_due.load(Ordering::Relaxed);
        let r = f(&mut p);
        let next = p.next_due();
        self.next_due.store(next, Ordering::Relaxed);
        if next < before {
            self.wake.notify_one();
        }
        r
    }

    /// The bus sink: plans new calls, cancels plans that something else overtook. Runs under
    /// the changed tenant's lock.
    pub fn on_change(&self, c: &Arc<Change>) {
        if steps::applying() {
            return;
        }
        let Some(who) = c.kind.participant() else {
            return;
        };
        let placed = matches!(c.kind, ChangeKind::ParticipantCalled { .. })
            && who.status == ParticipantStatus::Calling;
        if !placed && self.plans.lock().calls.is_empty() {
            return;
        }
        let key: CallKey = (
            c.vendor,
            c.tenant.clone(),
            c.meeting.id.clone(),
            who.user_id.clone(),
        );
        if !placed {
            self.with_plans(|p| p.cancel(&key));
            return;
        }
        let behaviour: Arc<Behaviour> = self
            .decls
            .read()
            .lookup(c.vendor, &c.tenant, &c.meeting.id, &who.user_id)
            .map(|d| Arc::clone(&d.behaviour))
            .unwrap_or_else(|| Arc::new(Behaviour::default_unanswered()));
        let timeout = behaviour
            .ring_timeout_ms
            .unwrap_or_else(|| ring_timeout_ms(c.vendor));
        self.with_plans(|p| {
            let n = p.attempts.entry(key.clone()).or_insert(0);
            *n = n.saturating_add(1);
            let attempt = *n;
            let s = stream(self.seed, key.0, &key.1, &key.2, &key.3, attempt);
            let steps = plan(&behaviour, timeout, c.at_ms, s).into();
            p.set(key, Plan { attempt, steps });
        });
    }

    /// The earliest due step, `i64::MAX` when nothing is planned.
    pub fn next_due(&self) -> i64 {
        self.next_due.load(Ordering::Relaxed)
    }

    /// The earliest due step, if any.
    pub fn next_due_ms(&self) -> Option<i64> {
        Some(self.next_due()).filter(|d| *d != i64::MAX)
    }

    /// Applies every step due at `now` (unix ms), in time order, each stamped with its due
    /// time. Returns how many were applied.
    pub fn run_due(&self, store: &Store, now: i64) -> usize {
        if self.next_due() > now {
            return 0;
        }
        let _one_runner = self.run.lock();
        let _applying = steps::Applying::start();
        let mut applied = 0;
        loop {
            let next = self.with_plans(|p| {
                let (due, key) = p.queue.first().filter(|(d, _)| *d <= now)?.clone();
                match p
                    .calls
                    .get(&key)
                    .and_then(|pl| Some((pl.attempt, *pl.steps.front()?)))
                {
                    Some((attempt, step)) => Some(Some((due, key, attempt, step.step))),
                    None => {
                        p.queue.remove(&(due, key));
                        Some(None)
                    }
                }
            });
            let Some(next) = next else { break };
            let Some((due, key, attempt, kind)) = next else {
                continue;
            };
            let Some(tenant) = store.tenant(key.0, &key.1) else {
                self.with_plans(|p| p.cancel(&key));
                continue;
            };
            let done = tenant.with_at(due, |d| {
                let current = self.with_plans(|p| {
                    let ok = p.calls.get(&key).is_some_and(|pl| {
                        pl.attempt == attempt
                            && pl
                                .steps
                                .front()
                                .is_some_and(|s| s.due_ms == due && s.step == kind)
                    });
                    if ok {
                        p.advance(&key);
                    }
                    ok
                });
                if current && !steps::apply(d, &key, kind, due) {
                    self.with_plans(|p| p.cancel(&key));
                }
                current
            });
            applied += usize::from(done);
        }
        applied
    }

    /// Waits until a step may be due (at most a second, so a clock moved by other means is
    /// noticed), or until an earlier step is planned.
    pub async fn wait(&self, clock: &Clock) {
        let now = clock.now_ms();
        let next = self.next_due();
        if next <= now {
            return;
        }
        let ms = if clock.is_frozen() || next == i64::MAX {
            1000
        } else {
            (next - now).clamp(1, 1000)
        };
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_millis(ms as u64)) => {}
            _ = self.wake.notified() => {}
        }
    }

    // ---- declarations ------------------------------------------------------------------

    /// Adds declarations (each replacing the one with its scope).
    pub fn declare(&self, list: Vec<Declaration>) {
        let mut d = self.decls.write();
        for x in list {
            d.put(x);
        }
    }

    /// Replaces one tenant's declarations (a scenario seeding it).
    pub fn declare_tenant(&self, vendor: VendorId, tenant: &str, list: Vec<Declaration>) {
        self.decls.write().set_tenant(vendor, tenant, list);
    }

    /// Removes the declaration with exactly this scope.
    pub fn undeclare(
        &self,
        vendor: VendorId,
        tenant: &str,
        meeting: Option<&str>,
        callee: Option<&Callee>,
    ) -> bool {
        self.decls.write().remove(vendor, tenant, meeting, callee)
    }

    /// Every declaration, optionally narrowed to a vendor and tenant.
    pub fn declarations(
        &self,
        vendor: Option<VendorId>,
        tenant: Option<&str>,
    ) -> Vec<DeclarationState> {
        self.decls
            .read()
            .list(vendor, tenant)
            .into_iter()
            .map(DeclarationState::from)
            .collect()
    }

    /// Replaces every declaration.
    pub fn set_declarations(&self, list: Vec<Declaration>) {
        let mut d = self.decls.write();
        d.clear();
        for x in list {
            d.put(x);
        }
    }

    // ---- calls ---------------------------------------------------------------------------

    /// Every call's bookkeeping (state export), or only pending ones, optionally narrowed.
    pub fn calls(&self, pending_only: bool, filter: impl Fn(&CallKey) -> bool) -> Vec<CallState> {
        let p = self.plans.lock();
        let mut out: Vec<CallState> = p
            .attempts
            .iter()
            .filter(|(k, _)| filter(k))
            .map(|(k, n)| CallState {
                vendor: k.0,
                tenant: k.1.clone(),
                meeting: k.2.clone(),
                callee: k.3.clone(),
                attempts: *n,
                steps: p
                    .calls
                    .get(k)
                    .map(|pl| pl.steps.iter().copied().collect())
                    .unwrap_or_default(),
            })
            .filter(|c| !pending_only || !c.steps.is_empty())
            .collect();
        out.sort_by(|a, b| {
            let first = |c: &CallState| c.steps.first().map_or(i64::MAX, |s| s.due_ms);
            (first(a), a.vendor, &a.tenant, &a.meeting, &a.callee).cmp(&(
                first(b),
                b.vendor,
                &b.tenant,
                &b.meeting,
                &b.callee,
            ))
        });
        out
    }

    /// Replaces every call's bookkeeping (state import).
    pub fn restore_calls(&self, list: Vec<CallState>) {
        self.with_plans(|p| {
            *p = Plans::default();
            for c in list {
                let key = (c.vendor, c.tenant, c.meeting, c.callee);
                p.attempts.insert(key.clone(), c.attempts);
                let mut steps = c.steps;
                steps.sort_by_key(|s| s.due_ms);
                p.set(
                    key,
                    Plan {
                        attempt: c.attempts,
                        steps: steps.into(),
                    },
                );
            }
        });
    }

    /// Drops every plan and attempt count (reset).
    pub fn clear_calls(&self) {
        self.with_plans(|p| *p = Plans::default());
    }

    /// Drops the plans and attempt counts of one tenant (re-seeded by a scenario).
    pub fn forget_tenant(&self, vendor: VendorId, tenant: &str) {
        self.with_plans(|p| {
            let keys: Vec<CallKey> = p
                .attempts
                .keys()
                .chain(p.calls.keys())
                .filter(|k| k.0 == vendor && k.1 == tenant)
                .cloned()
                .collect();
            for k in keys {
                p.cancel(&k);
                p.attempts.remove(&k);
            }
        });
    }
}

mod steps;

#[cfg(test)]
mod tests;
