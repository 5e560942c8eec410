//! The outbox: every delivery not yet finished, in per-meeting order, plus a bounded history of
//! finished ones for the admin API. A plain data structure (no I/O, no clock, no locks): the
//! engine holds it behind one mutex and calls it with the server-clock time.
//!
//! Ordering: deliveries of one (subscription, meeting) form a lane; only a lane's head is ever
//! due, in flight or parked, so a later event of a meeting waits until the earlier one is
//! delivered, failed or dropped. Heads ready to send sit in `ready`, ordered by due time.
//!
//! Bounds: at most `capacity` unfinished deliveries (a new one beyond that is dropped and
//! counted, never queued), at most `capacity` finished ones kept (the oldest are forgotten).

use super::delivery::{Attempt, Delivery, Filter, Status};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

/// Whether a subscription may receive now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubState {
    Active,
    /// Paused or waiting for its handshake: its heads are parked.
    Inactive,
    /// Removed: its deliveries are dropped.
    Gone,
}

/// One send handed to the worker.
#[derive(Debug, Clone)]
pub struct Job {
    pub generation: u64,
    pub id: u64,
    /// The attempt number of this send.
    pub n: u32,
    pub failures: u32,
    pub can_reorder: bool,
    pub delivery: Delivery,
}

/// How a send ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Delivered,
    Retry {
        at_ms: i64,
    },
    Failed(String),
    Dropped(String),
    /// Put behind its successor (a `reorder` fault); nothing was sent.
    Reorder,
}

/// Counters shown by health and the events API.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counters {
    pub delivered: u64,
    pub failed: u64,
    /// Not queued because the outbox was full.
    pub dropped_outbox_full: u64,
    /// Lost to `drop` faults or removed subscriptions.
    pub dropped: u64,
}

/// The outbox part of a state export: unfinished deliveries in lane order.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OutboxState {
    #[serde(default)]
    pub next_id: u64,
    #[serde(default)]
    pub deliveries: Vec<Delivery>,
}

type Lane = (String, String);

/// See the module documentation.
#[derive(Debug)]
pub struct Outbox {
    pub capacity: usize,
    next_id: u64,
    /// Every kept delivery by id.
    entries: BTreeMap<u64, Delivery>,
    /// Unfinished delivery ids per (subscription, meeting), oldest first.
    lanes: HashMap<Lane, VecDeque<u64>>,
    /// Lane heads waiting to be sent: (due ms, id).
    ready: BTreeSet<(i64, u64)>,
    /// Lane heads of inactive subscriptions.
    parked: BTreeSet<u64>,
    /// Finished ids, oldest first (history eviction).
    finished: VecDeque<u64>,
    unfinished: usize,
    in_flight: usize,
    /// Bumped by `clear`: completions of sends started before are ignored.
    generation: u64,
    pub counters: Counters,
}

impl Outbox {
    pub fn new(capacity: usize) -> Outbox {
        Outbox {
            capacity: capacity.max(1),
            next_id: 1,
            entries: BTreeMap::new(),
            lanes: HashMap::new(),
            ready: BTreeSet::new(),
            parked: BTreeSet::new(),
            finished: VecDeque::new(),
            unfinished: 0,
            in_flight: 0,
            generation: 0,
            counters: Counters::default(),
        }
    }

    /// Unfinished deliveries (pending and in flight).
    pub fn unfinished(&self) -> usize {
        self.unfinished
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight
    }

    /// When the earliest ready head is due.
    pub fn next_due(&self) -> Option<i64> {
        self.ready.first().map(|(due, _)| *due)
    }

    /// Queues a delivery (its `id` and `status` are set here); false when the outbox is full.
    pub fn enqueue(&mut self, mut d: Delivery, now: i64) -> bool {
        if self.unfinished >= self.capacity {
            self.counters.dropped_outbox_full += 1;
            return false;
        }
        d.id = self.next_id;
        self.next_id += 1;
        d.status = Status::Pending;
        self.insert_unfinished(d, now);
        true
    }

    fn insert_unfinished(&mut self, d: Delivery, now: i64) {
        let id = d.id;
        let lane = self
            .lanes
            .entry((d.subscription.clone(), d.meeting.clone()))
            .or_default();
        lane.push_back(id);
        let head = lane.len() == 1;
        let due = d.next_at_ms.unwrap_or(now);
        self.entries.insert(id, d);
        self.unfinished += 1;
        if head {
            self.ready.insert((due, id));
        }
    }

    /// Takes up to `max` due heads (`due ≤ now`) for sending; heads of inactive subscriptions
    /// are parked, those of removed ones dropped.
    pub fn take_due(&mut self, now: i64, max: usize, state: impl Fn(&str) -> SubState) -> Vec<Job> {
        let mut out = Vec::new();
        while out.len() < max {
            let Some(&(due, id)) = self.ready.first() else {
                break;
            };
            if due > now {
                break;
            }
            self.ready.pop_first();
            let Some(d) = self.entries.get(&id) else {
                continue;
            };
            match state(&d.subscription) {
                SubState::Inactive => {
                    self.parked.insert(id);
                }
                SubState::Gone => self.finish(id, Status::Dropped, "subscription removed", now),
                SubState::Active => {
                    let lane_len = self
                        .lanes
                        .get(&(d.subscription.clone(), d.meeting.clone()))
                        .map_or(0, VecDeque::len);
                    let job = Job {
                        generation: self.generation,
                        id,
                        n: d.attempts.iter().map(|a| a.n).max().unwrap_or(0) + 1,
                        failures: d.failures,
                        can_reorder: lane_len > 1 && !d.reordered,
                        delivery: d.clone(),
                    };
                    if let Some(d) = self.entries.get_mut(&id) {
                        d.status = Status::InFlight;
                    }
                    self.in_flight += 1;
                    out.push(job);
                }
            }
        }
        out
    }

    /// Moves parked heads whose subscription became active back to `ready`, drops those of
    /// removed subscriptions.
    pub fn unpark(&mut self, now: i64, state: impl Fn(&str) -> SubState) {
        for id in std::mem::take(&mut self.parked) {
            let Some(d) = self.entries.get(&id) else {
                continue;
            };
            match state(&d.subscription) {
                SubState::Inactive => {
                    self.parked.insert(id);
                }
                SubState::Gone => self.finish(id, Status::Dropped, "subscription removed", now),
                SubState::Active => {
                    let due = d.next_at_ms.unwrap_or(now);
                    self.ready.insert((due, id));
                }
            }
        }
    }

    /// Records how a send ended. Stale completions (after a reset) are ignored.
    pub fn complete(
        &mut self,
        generation: u64,
        id: u64,
        attempts: Vec<Attempt>,
        verdict: Verdict,
        now: i64,
    ) {
        if generation != self.generation {
            return;
        }
        let Some(d) = self.entries.get_mut(&id) else {
            return;
        };
        if d.status != Status::InFlight {
            return;
        }
        self.in_flight -= 1;
        d.attempts.extend(attempts);
        match verdict {
            Verdict::Delivered => {
                self.counters.delivered += 1;
                d.next_at_ms = None;
                self.finish(id, Status::Delivered, "", now);
            }
            Verdict::Retry { at_ms } => {
                d.failures += 1;
                d.status = Status::Pending;
                d.next_at_ms = Some(at_ms);
                self.ready.insert((at_ms, id));
            }
            Verdict::Failed(why) => {
                d.failures += 1;
                d.next_at_ms = None;
                self.counters.failed += 1;
                self.finish(id, Status::Failed, &why, now);
            }
            Verdict::Dropped(why) => {
                self.counters.dropped += 1;
                self.finish(id, Status::Dropped, &why, now);
            }
            Verdict::Reorder => {
                d.status = Status::Pending;
                d.reordered = true;
                self.reorder(id, now);
            }
        }
    }

    /// Swaps a head with its successor: the successor is due now, the head waits behind it.
    fn reorder(&mut self, id: u64, now: i64) {
        let key = match self.entries.get(&id) {
            Some(d) => (d.subscription.clone(), d.meeting.clone()),
            None => return,
        };
        let next = match self.lanes.get_mut(&key) {
            Some(lane) if lane.len() > 1 && lane[0] == id => {
                lane.swap(0, 1);
                lane[0]
            }
            _ => id,
        };
        if let Some(s) = self.entries.get_mut(&next) {
            s.reordered = true;
        }
        self.ready.insert((now, next));
    }

    /// Ends an unfinished delivery: out of its lane (the next one becomes due), into history.
    fn finish(&mut self, id: u64, status: Status, note: &str, now: i64) {
        let Some(d) = self.entries.get_mut(&id) else {
            return;
        };
        d.status = status;
        if !note.is_empty() {
            d.note = Some(note.to_string());
        }
        let key = (d.subscription.clone(), d.meeting.clone());
        self.unfinished -= 1;
        self.finished.push_back(id);
        if let Some(lane) = self.lanes.get_mut(&key) {
            lane.retain(|x| *x != id);
            match lane.front().copied() {
                Some(head) => {
                    let due = self
                        .entries
                        .get(&head)
                        .and_then(|h| h.next_at_ms)
                        .unwrap_or(now)
                        .max(now);
                    self.ready.insert((due, head));
                }
                None => {
                    self.lanes.remove(&key);
                }
            }
        }
        while self.finished.len() > self.capacity {
            if let Some(old) = self.finished.pop_front() {
                self.entries.remove(&old);
            }
        }
    }

    /// Sends a finished delivery again (same event id), behind its meeting's waiting ones.
    pub fn redeliver(&mut self, id: u64, now: i64) -> Result<&Delivery, String> {
        let status = match self.entries.get(&id) {
            Some(d) => d.status,
            None => {
                return Err(format!(
                    "no delivery {id} (kept: the unfinished ones and the last {} finished)",
                    self.capacity
                ))
            }
        };
        if !status.finished() {
            return Err(format!("delivery {id} is {} already", status.as_str()));
        }
        if self.unfinished >= self.capacity {
            return Err(format!("the outbox is full ({} unfinished)", self.capacity));
        }
        self.finished.retain(|x| *x != id);
        let mut d = self.entries.remove(&id).ok_or("gone")?;
        d.status = Status::Pending;
        d.failures = 0;
        d.next_at_ms = None;
        d.note = None;
        d.reordered = false;
        self.insert_unfinished(d, now);
        self.entries.get(&id).ok_or_else(|| "gone".to_string())
    }

    /// Kept deliveries matching `f`, newest first, at most `limit`.
    pub fn list(&self, f: &Filter, limit: usize) -> Vec<&Delivery> {
        self.entries
            .values()
            .rev()
            .filter(|d| f.accepts(d))
            .take(limit)
            .collect()
    }

    /// Kept deliveries matching `f` and `keep`, oldest first, at most `limit`; and whether
    /// more matched.
    pub fn oldest(
        &self,
        f: &Filter,
        keep: impl Fn(&Delivery) -> bool,
        limit: usize,
    ) -> (Vec<&Delivery>, bool) {
        let mut it = self.entries.values().filter(|d| f.accepts(d) && keep(d));
        let out: Vec<&Delivery> = it.by_ref().take(limit).collect();
        let more = it.next().is_some();
        (out, more)
    }

    pub fn count(&self, f: &Filter) -> usize {
        self.entries.values().filter(|d| f.accepts(d)).count()
    }

    pub fn get(&self, id: u64) -> Option<&Delivery> {
        self.entries.get(&id)
    }

    /// Forgets everything (reset); ids keep counting.
    pub fn clear(&mut self) {
        let next_id = self.next_id;
        let capacity = self.capacity;
        let generation = self.generation + 1;
        *self = Outbox::new(capacity);
        self.next_id = next_id;
        self.generation = generation;
    }

    /// Unfinished deliveries in lane order (in-flight ones as pending: their send is repeated
    /// after an import — at least once).
    pub fn export(&self) -> OutboxState {
        let mut keys: Vec<&Lane> = self.lanes.keys().collect();
        keys.sort();
        let mut deliveries = Vec::with_capacity(self.unfinished);
        for k in keys {
            for id in &self.lanes[k] {
                if let Some(d) = self.entries.get(id) {
                    let mut d = d.clone();
                    d.status = Status::Pending;
                    deliveries.push(d);
                }
            }
        }
        OutboxState {
            next_id: self.next_id,
            deliveries,
        }
    }

    /// Replaces the outbox with an export (unfinished ones queued in order, finished ones kept
    /// as history); ids continue after the highest seen.
    pub fn import(&mut self, s: OutboxState, now: i64) {
        self.clear();
        let top = s.deliveries.iter().map(|d| d.id).max().unwrap_or(0);
        self.next_id = self.next_id.max(s.next_id).max(top + 1);
        for mut d in s.deliveries {
            if d.status.finished() {
                self.finished.push_back(d.id);
                self.entries.insert(d.id, d);
            } else {
                d.status = Status::Pending;
                self.insert_unfinished(d, now);
            }
        }
    }

    /// Unfinished deliveries of one subscription.
    pub fn unfinished_of(&self, sub: &str) -> usize {
        self.lanes
            .iter()
            .filter(|((s, _), _)| s == sub)
            .map(|(_, lane)| lane.len())
            .sum()
    }
}

#[cfg(test)]
#[path = "outbox_tests.rs"]
mod tests;
