//! Where changes are published: kept for `since=` reads, handed to synchronous sinks (event
//! delivery, the living-invite scheduler) and broadcast to live watchers (the dashboard); and
//! the operator a request's changes are stamped with.

use super::change::{Change, ChangeKind, MeetingSummary};
use super::VendorId;
use parking_lot::{Mutex, RwLock};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::broadcast;

/// Called synchronously for every change, in order, while the changed tenant is still locked:
/// keep it short, never block, never lock a tenant. Event delivery and the living-invite
/// scheduler register one each.
pub type Sink = Arc<dyn Fn(&Arc<Change>) + Send + Sync>;

/// Changes kept for `since=` reads (admin API, dashboard catch-up).
pub const RECENT_CAPACITY: usize = 10_000;

/// Where changes are published.
pub struct ChangeBus {
    /// The stream position of the last change and the most recent changes. One short-held mutex:
    /// taken once per published change (assign `seq`, push), never across I/O.
    recent: Mutex<Recent>,
    /// Synchronous consumers that must see every change (nothing acknowledged is lost).
    /// Written when a consumer registers (start-up), read per change.
    sinks: RwLock<Vec<Sink>>,
    /// Live watchers (dashboard). Lossy: a watcher that falls behind is told how many it missed
    /// and catches up with `since()`.
    live: broadcast::Sender<Arc<Change>>,
    /// How many times the kept changes were forgotten (reset, state import): a live watcher
    /// that sees it move knows the store was replaced without changes being published.
    clears: AtomicU64,
}

#[derive(Default)]
struct Recent {
    last_seq: u64,
    kept: VecDeque<Arc<Change>>,
}

impl std::fmt::Debug for ChangeBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangeBus")
            .field("last_seq", &self.last_seq())
            .finish_non_exhaustive()
    }
}

impl Default for ChangeBus {
    fn default() -> Self {
        ChangeBus {
            recent: Mutex::new(Recent::default()),
            sinks: RwLock::new(Vec::new()),
            live: broadcast::channel(1024).0,
            clears: AtomicU64::new(0),
        }
    }
}

/// A change before it is stamped with its stream position.
pub struct Draft {
    /// Position in its meeting's own stream (see [`Change::meeting_seq`]).
    pub meeting_seq: u64,
    pub at_ms: i64,
    pub vendor: VendorId,
    pub tenant: String,
    pub operator: Option<String>,
    pub meeting: MeetingSummary,
    pub kind: ChangeKind,
}

impl ChangeBus {
    /// Stamps and publishes one change: kept for `since()`, handed to every sink, broadcast.
    pub fn publish(&self, d: Draft) -> Arc<Change> {
        let change = {
            let mut r = self.recent.lock();
            r.last_seq += 1;
            let c = Arc::new(Change {
                seq: r.last_seq,
                meeting_seq: d.meeting_seq,
                at_ms: d.at_ms,
                vendor: d.vendor,
                tenant: d.tenant,
                operator: d.operator,
                meeting: d.meeting,
                kind: d.kind,
            });
            if r.kept.len() == RECENT_CAPACITY {
                r.kept.pop_front();
            }
            r.kept.push_back(Arc::clone(&c));
            c
        };
        for sink in self.sinks.read().iter() {
            sink(&change);
        }
        // No receiver is not an error: nobody is watching.
        let _ = self.live.send(Arc::clone(&change));
        change
    }

    /// Registers a synchronous consumer of every future change.
    pub fn add_sink(&self, sink: Sink) {
        self.sinks.write().push(sink);
    }

    /// A live feed of future changes (lossy; see [`ChangeBus::since`] to catch up).
    pub fn watch(&self) -> broadcast::Receiver<Arc<Change>> {
        self.live.subscribe()
    }

    /// Kept changes with `seq > after`, oldest first, at most `limit`.
    pub fn since(&self, after: u64, limit: usize) -> Vec<Arc<Change>> {
        let r = self.recent.lock();
        let start = r.kept.partition_point(|c| c.seq <= after);
        r.kept.iter().skip(start).take(limit).cloned().collect()
    }

    /// The stream position of the last published change (0 before the first).
    pub fn last_seq(&self) -> u64 {
        self.recent.lock().last_seq
    }

    /// The oldest kept position (what `since` can still return), 0 when none is kept.
    pub fn oldest_kept(&self) -> u64 {
        self.recent.lock().kept.front().map_or(0, |c| c.seq)
    }

    /// Forgets the kept changes (reset). The stream position keeps counting, so a `seq` is
    /// never reused and watchers can tell old changes from new.
    pub fn clear(&self) {
        self.recent.lock().kept.clear();
        self.clears.fetch_add(1, Ordering::Relaxed);
    }

    /// How many times [`ChangeBus::clear`] ran (the store was reset or replaced).
    pub fn clears(&self) -> u64 {
        self.clears.load(Ordering::Relaxed)
    }

    /// Continues numbering after `seq` (state import), never going backwards.
    pub fn continue_after(&self, seq: u64) {
        let mut r = self.recent.lock();
        r.last_seq = r.last_seq.max(seq);
    }
}

thread_local! {
    /// The user the request being handled on this thread authenticated as (see
    /// [`acting_as`]). Handlers are synchronous, so a thread-local scope is exact.
    static ACTING: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f` with `user` as the default operator of every change it causes (the pipeline wraps
/// each vendor handler with the authenticated user). A handler that knows better says so with
/// [`super::TenantData::act_as`].
pub fn acting_as<R>(user: Option<&str>, f: impl FnOnce() -> R) -> R {
    /// Restores the previous operator even when `f` panics (the pipeline's safety net catches
    /// handler panics, and the thread goes on serving).
    struct Restore(Option<String>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            ACTING.with(|a| *a.borrow_mut() = previous);
        }
    }
    let _restore = Restore(ACTING.with(|a| a.replace(user.map(str::to_string))));
    f()
}

/// The default operator of the current thread's request.
pub fn current_operator() -> Option<String> {
    ACTING.with(|a| a.borrow().clone())
}
