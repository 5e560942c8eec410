//! The event engine (DESIGN decision 12): turns the store's change stream into vendor event
//! deliveries and sends them.
//!
//! Flow: the bus calls [`Engine::offer`] for every change, under the changed tenant's lock, so
//! it only checks that someone listens and appends the change to the inbox. The worker
//! (`worker.rs`) pumps the inbox — each change through the vendor format
//! (`src/vendors/<v>/events.rs`) once per subscription — into the outbox (`outbox.rs`), takes
//! due deliveries and sends each in its own task through the webhook transport
//! (`webhook.rs`) or, for connection modes, to a connected client (`live.rs`), applying
//! delivery fault rules; `verify.rs` runs URL-verification handshakes. Retries are due on the server clock; timeouts are real time.
//!
//! Locks (none is held across I/O or while another is taken, except as noted):
//! - `inbox`: the changes not yet pumped. Taken by the sink (push) and the pump (swap out).
//!   The sink runs under a tenant lock; nothing here ever takes a tenant lock while holding it.
//! - `outbox`: every delivery's state. Taken briefly to enqueue, take due sends, record a
//!   finished send, and for admin reads; encoding and HTTP happen outside it.
//! - the webhook client cache, the live clients and the subscriptions map have their own (see
//!   there).

pub mod delivery;
pub mod live;
pub mod outbox;
pub mod spec;
mod verify;
pub mod webhook;
mod worker;

use crate::app::App;
use crate::store::bus::Sink;
use crate::store::{Change, Subscription, Subscriptions};
use crate::vendors::events::EventFormat;
use crate::vendors::Vendor;
use delivery::{Delivery, Filter};
use outbox::{Outbox, OutboxState};
use parking_lot::Mutex;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::Notify;

pub use worker::spawn;

/// Default bound of the outbox (`--events-capacity`): unfinished deliveries, and separately
/// finished ones kept for the admin API.
pub const DEFAULT_CAPACITY: usize = 10_000;

/// Sends in flight at once, across all receivers.
pub const MAX_IN_FLIGHT: usize = 512;

/// Changes waiting to be pumped.
#[derive(Default)]
struct Inbox {
    changes: Vec<Arc<Change>>,
    /// Changes not taken because the inbox was full (the worker fell behind).
    dropped: u64,
}

/// Nonces, IVs and handshake challenges: unpredictable enough for a mock, never needed to be
/// unique (dedupe ids come from the store's `Secrets`, which never repeat).
struct NonceSource {
    epoch: u64,
    counter: AtomicU64,
}

impl NonceSource {
    fn new() -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        NonceSource {
            epoch: crate::store::splitmix64(nanos ^ ((std::process::id() as u64) << 32)),
            counter: AtomicU64::new(0),
        }
    }

    fn next(&self) -> u64 {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        crate::store::splitmix64(self.epoch ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }
}

/// See the module documentation.
pub struct Engine {
    /// Changes published and not yet pumped; guards only the vector and its drop counter.
    inbox: Mutex<Inbox>,
    /// Serialises pumps (the worker's and the admin API's): a batch is taken, turned into
    /// deliveries and enqueued under it, so a later batch can never be enqueued before an
    /// earlier one and a meeting's events stay in order. Lock order: this, then a tenant's lock
    /// (read-only), then the outbox; the bus sink takes only the inbox.
    pumping: Mutex<()>,
    /// Every delivery's state (lanes, due times, history, counters); see `outbox.rs`.
    outbox: Mutex<Outbox>,
    /// Wakes the worker: a change arrived, a send finished, the clock moved, a reset.
    wake: Notify,
    /// The HTTP(S) transport and its client cache.
    pub webhook: webhook::Webhook,
    /// Connected clients of connection modes (Feishu's long connection), see `live.rs`.
    pub live: live::Live,
    /// Seeds of nonces and IVs, handshake challenges (one atomic counter).
    ids: NonceSource,
    /// The store's subscriptions (shared; read by the sink and the worker).
    subs: Arc<Subscriptions>,
    /// The outbox bound, also the inbox bound (read by the sink without the outbox lock).
    capacity: usize,
    /// Each vendor's event format (in `VendorId::ALL` order), for the sink's fast filter.
    formats: [Option<&'static dyn EventFormat>; 4],
}

impl Engine {
    /// An engine holding at most `capacity` unfinished deliveries, for these vendors.
    pub fn new(
        capacity: usize,
        subs: Arc<Subscriptions>,
        vendors: &[Box<dyn Vendor>],
    ) -> Arc<Engine> {
        let mut formats: [Option<&'static dyn EventFormat>; 4] = [None; 4];
        for v in vendors {
            formats[v.id().index()] = v.events();
        }
        Arc::new(Engine {
            inbox: Mutex::new(Inbox::default()),
            pumping: Mutex::new(()),
            outbox: Mutex::new(Outbox::new(capacity)),
            wake: Notify::new(),
            webhook: webhook::Webhook::default(),
            live: live::Live::default(),
            ids: NonceSource::new(),
            subs,
            capacity: capacity.max(1),
            formats,
        })
    }

    /// The bus sink: every change of a tenant someone listens to goes to the inbox.
    pub fn sink(self: &Arc<Self>) -> Sink {
        let e = Arc::clone(self);
        Arc::new(move |c: &Arc<Change>| e.offer(c))
    }

    /// Called under the changed tenant's lock: O(1), never blocks on I/O.
    pub fn offer(&self, c: &Arc<Change>) {
        let wanted = self.formats[c.vendor.index()].is_some_and(|f| f.interested(&c.kind));
        if !wanted || !self.subs.listens(c.vendor, &c.tenant) {
            return;
        }
        let capacity = self.capacity;
        {
            let mut inbox = self.inbox.lock();
            if inbox.changes.len() >= capacity {
                inbox.dropped += 1;
                if inbox.dropped.is_power_of_two() {
                    tracing::warn!(
                        dropped = inbox.dropped,
                        "event inbox full ({capacity} changes): changes dropped"
                    );
                }
                return;
            }
            inbox.changes.push(Arc::clone(c));
            // The worker drains the whole inbox: one wake-up per batch is enough.
            if inbox.changes.len() > 1 {
                return;
            }
        }
        self.wake.notify_one();
    }

    /// Wakes the worker (clock moved, subscription changed, state imported).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Turns every waiting change into deliveries (what the worker does first on each turn;
    /// state export calls it so nothing published is left out).
    pub fn pump(&self, app: &App) {
        let _pumping = self.pumping.lock();
        let batch = std::mem::take(&mut self.inbox.lock().changes);
        if batch.is_empty() {
            return;
        }
        let mut out = Vec::new();
        for c in &batch {
            let Some(format) = app.vendor(c.vendor).events() else {
                continue;
            };
            let subs: Vec<Arc<Subscription>> = self
                .subs
                .of_tenant(c.vendor, &c.tenant)
                .into_iter()
                .filter(|s| s.verification != crate::store::Verification::Failed)
                .collect();
            let Some(tenant) = app.store.tenant(c.vendor, &c.tenant) else {
                continue;
            };
            tenant.with(|d| {
                for sub in &subs {
                    let secrets = &app.store.secrets;
                    for ev in
                        format.events_of_tenant(c, sub, &tenant, d, &mut || secrets.next_u128())
                    {
                        let due = format.not_before(ev.event_type, c);
                        out.push(Delivery {
                            id: 0,
                            event_id: ev.event_id,
                            event_type: ev.event_type.to_string(),
                            vendor: c.vendor,
                            tenant: c.tenant.clone(),
                            subscription: sub.id.clone(),
                            meeting: c.meeting.id.clone(),
                            change_seq: c.seq,
                            created_at_ms: c.at_ms,
                            payload: Arc::from(ev.payload),
                            status: delivery::Status::Pending,
                            failures: 0,
                            next_at_ms: due,
                            reordered: false,
                            note: None,
                            attempts: Vec::new(),
                        });
                    }
                }
            });
        }
        let now = app.store.clock.now_ms();
        let queued = !out.is_empty();
        {
            let mut o = self.outbox.lock();
            for d in out {
                if !o.enqueue(d, now) && o.counters.dropped_outbox_full.is_power_of_two() {
                    tracing::warn!(
                        dropped = o.counters.dropped_outbox_full,
                        capacity = o.capacity,
                        "event outbox full: deliveries dropped"
                    );
                }
            }
        }
        // An admin read may pump before the worker does: make sure the worker sees the new
        // deliveries now rather than at its next timer.
        if queued {
            self.wake();
        }
    }

    /// Deliveries matching `f`, newest first, secrets masked.
    pub fn list(&self, f: &Filter, limit: usize) -> Vec<Value> {
        let subs = self.subs.snapshot();
        let o = self.outbox.lock();
        o.list(f, limit)
            .into_iter()
            .map(|d| d.view(subs.get(&d.subscription).map(Arc::as_ref)))
            .collect()
    }

    /// Deliveries matching `f` and `keep`, oldest first, unmasked (each as `map` makes it,
    /// under the outbox lock: keep it cheap), at most `limit`, and
    /// whether more matched: for a vendor's own failed-event query (DingTalk
    /// `GetCallBackFaileResult`), which answers the plaintext as the app would have read it.
    pub fn oldest<T>(
        &self,
        f: &Filter,
        keep: impl Fn(&Delivery) -> bool,
        limit: usize,
        map: impl Fn(&Delivery) -> T,
    ) -> (Vec<T>, bool) {
        let o = self.outbox.lock();
        let (list, more) = o.oldest(f, keep, limit);
        (list.into_iter().map(map).collect(), more)
    }

    pub fn count(&self, f: &Filter) -> usize {
        self.outbox.lock().count(f)
    }

    /// One delivery's view.
    pub fn get(&self, id: u64) -> Option<Value> {
        let sub_of = |d: &Delivery| self.subs.get(&d.subscription);
        let o = self.outbox.lock();
        o.get(id).map(|d| d.view(sub_of(d).as_deref()))
    }

    /// Queues a finished delivery again (same event id).
    pub fn redeliver(&self, id: u64, now: i64) -> Result<Value, String> {
        let view = {
            let mut o = self.outbox.lock();
            let d = o.redeliver(id, now)?;
            d.view(self.subs.get(&d.subscription).as_deref())
        };
        self.wake();
        Ok(view)
    }

    /// Unfinished deliveries of one subscription.
    pub fn unfinished_of(&self, sub: &str) -> usize {
        self.outbox.lock().unfinished_of(sub)
    }

    /// Counters and bounds (health, events API).
    pub fn stats(&self) -> Value {
        let inbox_dropped = self.inbox.lock().dropped;
        let o = self.outbox.lock();
        json!({
            "subscriptions": self.subs.snapshot().len(),
            "capacity": o.capacity,
            "unfinished": o.unfinished(),
            "in_flight": o.in_flight(),
            "delivered": o.counters.delivered,
            "failed": o.counters.failed,
            "dropped": o.counters.dropped,
            "dropped_outbox_full": o.counters.dropped_outbox_full + inbox_dropped,
        })
    }

    /// The unfinished deliveries, after pumping every waiting change.
    pub fn export(&self, app: &App) -> OutboxState {
        self.pump(app);
        self.outbox.lock().export()
    }

    /// Replaces the outbox with an export.
    pub fn import(&self, s: OutboxState, now: i64) {
        self.inbox.lock().changes.clear();
        self.outbox.lock().import(s, now);
        self.wake();
    }

    /// Forgets every delivery and waiting change (reset); sends in flight finish unrecorded.
    pub fn clear(&self) {
        *self.inbox.lock() = Inbox::default();
        self.outbox.lock().clear();
        self.wake();
    }
}
