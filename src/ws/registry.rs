//! The open WebSocket sessions, for the admin API (`GET /__admin/connections`, and
//! `DELETE /__admin/connections/{id}` to drop one and rehearse a client's reconnect).
//!
//! One mutex around a small map, taken to add, remove and list; never held across I/O. The
//! counters of a session are atomics on its own [`Info`].

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
    closing: AtomicBool,
    close: Notify,
}

impl Info {
    /// Asks the session to close (1001) as soon as it can.
    pub fn request_close(&self) {
        self.closing.store(true, Ordering::Release);
        self.close.notify_one();
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
    /// Registers a session being opened.
    pub fn open(
        &self,
        vendor: VendorId,
        operation: &'static str,
        tenant: Option<String>,
        target: String,
        now_ms: i64,
    ) -> Arc<Info> {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let info = Arc::new(Info {
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
        });
        self.map.lock().insert(id, Arc::clone(&info));
        info
    }

    /// Forgets a session that ended.
    pub fn close(&self, id: u64) {
        self.map.lock().remove(&id);
    }

    pub fn get(&self, id: u64) -> Option<Arc<Info>> {
        self.map.lock().get(&id).cloned()
    }

    /// Open sessions, oldest first, optionally of one vendor and tenant.
    pub fn list(&self, vendor: Option<VendorId>, tenant: Option<&str>) -> Vec<Arc<Info>> {
        self.map
            .lock()
            .values()
            .filter(|i| vendor.is_none_or(|v| i.vendor == v))
            .filter(|i| tenant.is_none_or(|t| i.tenant.as_deref() == Some(t)))
            .cloned()
            .collect()
    }

    pub fn len(&self) -> usize {
        self.map.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
