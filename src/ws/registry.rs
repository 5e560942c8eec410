//! The open WebSocket sessions, for the admin API (`GET /__admin/connections`, and
//! `DELETE /__admin/connections/{id}` to drop one and rehearse a client's reconnect).
//!
//! One mutex around a small map, taken to add, remove and list; never held across I/O. The
//! counters of a session are atomics on its own [`Info`].
//!
//! A session is shown only while it is served: it is [`Sessions::show`]n once its protocol
//! has started (before the client gets its `101`), and leaves the view the moment it starts
//! closing ([`Info::request_close`], or its loop ending) although its socket may wait a moment
//! for the client's Close. Engines that count a tenant's connected clients (the event
//! engine's live connections) read the same [`Info::is_open`], so the view and "who is
//! online" never disagree.

use crate::store::VendorId;
use parking_lot::Mutex;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::Notify;

/// One open session.
#[derive(Debug)]
pub struct Info {
    pub id: u64,
    pub vendor: VendorId,
    pub operation: &'static str,
    pub tenant: Option<String>,
    /// The request target, secrets masked.
    pub target: String,
    /// Server-clock time of the upgrade, unix ms.
    pub opened_at_ms: i64,
    pub messages_in: AtomicU64,
    pub messages_out: AtomicU64,
    /// Server-clock time of the last message from the client, unix ms.
    pub last_in_ms: AtomicI64,
    /// What the session serves (set by it, e.g. `feishu long connection device 7…`).
    pub label: Mutex<String>,
    /// Closing or closed: no longer served.
    closing: AtomicBool,
    close: Notify,
}

impl Info {
    /// Asks the session to close (1001) as soon as it can; it is no longer open from now on.
    pub fn request_close(&self) {
        self.closing.store(true, Ordering::Release);
        self.close.notify_one();
    }

    /// The session's loop ended (whatever the reason): it is no longer open.
    pub(super) fn end(&self) {
        self.closing.store(true, Ordering::Release);
    }

    /// Served: shown by the admin API and counted online by engines.
    pub fn is_open(&self) -> bool {
        !self.closing.load(Ordering::Acquire)
    }

    /// Resolves once a close was requested.
    pub async fn close_requested(&self) {
        loop {
            let notified = self.close.notified();
            if self.closing.load(Ordering::Acquire) {
                return;
            }
            notified.await;
        }
    }

    pub fn view(&self) -> Value {
        json!({
            "id": self.id,
            "vendor": self.vendor,
            "operation": self.operation,
            "tenant": self.tenant,
            "target": self.target,
            "label": *self.label.lock(),
            "opened_at_ms": self.opened_at_ms,
            "last_in_ms": self.last_in_ms.load(Ordering::Relaxed),
            "messages_in": self.messages_in.load(Ordering::Relaxed),
            "messages_out": self.messages_out.load(Ordering::Relaxed),
        })
    }
}

/// See the module documentation.
#[derive(Debug, Default)]
pub struct Sessions {
    map: Mutex<BTreeMap<u64, Arc<Info>>>,
    next: AtomicU64,
}

impl Sessions {
    /// A session being opened, not shown yet ([`Sessions::show`]).
    pub fn create(
        &self,
        vendor: VendorId,
        operation: &'static str,
        tenant: Option<String>,
        target: String,
        now_ms: i64,
    ) -> Arc<Info> {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        Arc::new(Info {
            id,
            vendor,
            operation,
            tenant,
            target,
            opened_at_ms: now_ms,
            messages_in: AtomicU64::new(0),
            messages_out: AtomicU64::new(0),
            last_in_ms: AtomicI64::new(now_ms),
            label: Mutex::new(String::new()),
            closing: AtomicBool::new(false),
            close: Notify::new(),
        })
    }

    /// Shows a session whose protocol has started.
    pub fn show(&self, info: &Arc<Info>) {
        self.map.lock().insert(info.id, Arc::clone(info));
    }

    /// Forgets a session that ended.
    pub fn close(&self, id: u64) {
        self.map.lock().remove(&id);
    }

    /// An open session.
    pub fn get(&self, id: u64) -> Option<Arc<Info>> {
        self.map.lock().get(&id).filter(|i| i.is_open()).cloned()
    }

    /// Open sessions, oldest first, optionally of one vendor and tenant.
    pub fn list(&self, vendor: Option<VendorId>, tenant: Option<&str>) -> Vec<Arc<Info>> {
        self.map
            .lock()
            .values()
            .filter(|i| i.is_open())
            .filter(|i| vendor.is_none_or(|v| i.vendor == v))
            .filter(|i| tenant.is_none_or(|t| i.tenant.as_deref() == Some(t)))
            .cloned()
            .collect()
    }

    /// How many sessions are open.
    pub fn len(&self) -> usize {
        self.map.lock().values().filter(|i| i.is_open()).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
