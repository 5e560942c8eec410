//! Event subscriptions: where a tenant's vendor events go (DESIGN decision 12).
//!
//! The data is vendor-neutral and lives on the store side so that every writer — a scenario's
//! `events:` entry, the admin API, a vendor's own configuration endpoint (Huawei's webhook API)
//! — can create one without depending on the delivery engine (`src/events/`). Which secret
//! fields a subscription must carry and what they mean is the vendor format's business
//! (`src/vendors/<v>/events.rs`); the store only keeps them. The engine watches
//! [`Subscriptions::changed`] to start URL-verification handshakes and to release paused
//! deliveries.

use super::VendorId;
use parking_lot::RwLock;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use tokio::sync::{watch, Notify};

/// How events reach the receiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// An HTTP(S) POST per event to the subscription's URL.
    #[default]
    Webhook,
    /// Feishu's `lark.ws.Client` long connection.
    LongConnection,
    /// DingTalk Stream mode.
    Stream,
    /// A WebSocket push channel (Tencent, Huawei).
    Websocket,
}

impl Mode {
    /// The snake_case name used in scenarios and the admin API.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Webhook => "webhook",
            Mode::LongConnection => "long_connection",
            Mode::Stream => "stream",
            Mode::Websocket => "websocket",
        }
    }

    /// Parses a mode name.
    pub fn parse(s: &str) -> Option<Mode> {
        match s {
            "webhook" => Some(Mode::Webhook),
            "long_connection" => Some(Mode::LongConnection),
            "stream" => Some(Mode::Stream),
            "websocket" => Some(Mode::Websocket),
            _ => None,
        }
    }
}

/// Where the URL-verification handshake stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Verification {
    /// Never checked: declared in a scenario or imported (configured "in the console" before
    /// the server started). Deliveries flow.
    #[default]
    Unchecked,
    /// A handshake is wanted; the engine will run it. Deliveries wait.
    Pending,
    /// A handshake is running now. Deliveries wait.
    Checking,
    /// The receiver answered the handshake (or the vendor has none). Deliveries flow.
    Verified,
    /// The receiver failed the handshake: no events are produced for this subscription until
    /// a new handshake passes (the vendor console would not have saved the URL).
    Failed,
}

impl Verification {
    /// True when deliveries may be sent.
    pub fn allows_delivery(self) -> bool {
        matches!(self, Verification::Unchecked | Verification::Verified)
    }
}

/// Who made a subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionOrigin {
    #[default]
    Scenario,
    Admin,
    /// A vendor's own configuration endpoint.
    Vendor,
}

/// One subscription of a tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subscription {
    /// Stable id (`<vendor>-<tenant>-<n>` unless given).
    pub id: String,
    pub vendor: VendorId,
    pub tenant: String,
    #[serde(default)]
    pub mode: Mode,
    /// The callback URL (webhook mode).
    #[serde(default)]
    pub url: String,
    /// The vendor's own secret fields by their vendor names (Feishu `encrypt_key`,
    /// `verification_token`). Never logged; masked in admin views.
    #[serde(default)]
    pub secrets: BTreeMap<String, String>,
    /// The vendor format's delivery settings by name (Tencent `plain_base64_padding`,
    /// `retries`, …): not secret, shown as they are. Absent: the format's defaults.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub settings: BTreeMap<String, serde_json::Value>,
    /// Vendor event types delivered; empty means every type the vendor format produces.
    #[serde(default)]
    pub types: Vec<String>,
    #[serde(default)]
    pub paused: bool,
    /// Extra CA certificates (PEM) trusted for this subscription's HTTPS receiver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_pem: Option<String>,
    #[serde(default)]
    pub verification: Verification,
    /// Why the last handshake failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification_error: Option<String>,
    /// Server-clock time of the last handshake, unix ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_at_ms: Option<i64>,
    #[serde(default)]
    pub origin: SubscriptionOrigin,
}

impl Subscription {
    /// A secret field's value.
    pub fn secret(&self, name: &str) -> Option<&str> {
        self.secrets
            .get(name)
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    }

    /// A delivery setting's value, when the subscription sets it.
    pub fn setting(&self, name: &str) -> Option<&serde_json::Value> {
        self.settings.get(name)
    }

    /// True when events of `event_type` are wanted.
    pub fn wants(&self, event_type: &str) -> bool {
        self.types.is_empty() || self.types.iter().any(|t| t == event_type)
    }

    /// True when deliveries may be sent now (not paused, handshake not in the way).
    pub fn active(&self) -> bool {
        !self.paused && self.verification.allows_delivery()
    }
}

/// Every subscription of the server, by id.
///
/// One `RwLock` around an immutable map swapped whole: readers (the change sink, under a
/// tenant's lock; the engine per change) take the read lock only to clone an `Arc`, writers
/// (admin, scenarios, vendor config endpoints: rare) build a new map. Never held across I/O.
#[derive(Debug)]
pub struct Subscriptions {
    map: RwLock<Arc<BTreeMap<String, Arc<Subscription>>>>,
    /// Woken on every change so the engine can start handshakes and release deliveries.
    changed: Notify,
    /// Counts writes; any number of watchers (a vendor request waiting for the handshake it
    /// asked for) see it move. Sent after the map is swapped, never under its lock.
    version: watch::Sender<u64>,
}

impl Default for Subscriptions {
    fn default() -> Self {
        Subscriptions {
            map: RwLock::default(),
            changed: Notify::new(),
            version: watch::channel(0).0,
        }
    }
}

/// Why a subscription write was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubscriptionError {
    #[error("subscription {0:?} already exists")]
    Exists(String),
    #[error("no subscription {0:?}")]
    NotFound(String),
}

impl Subscriptions {
    /// The current map (cheap: an `Arc` clone).
    pub fn snapshot(&self) -> Arc<BTreeMap<String, Arc<Subscription>>> {
        Arc::clone(&self.map.read())
    }

    /// Every subscription, in id order.
    pub fn all(&self) -> Vec<Arc<Subscription>> {
        self.snapshot().values().cloned().collect()
    }

    /// The subscription with this id.
    pub fn get(&self, id: &str) -> Option<Arc<Subscription>> {
        self.map.read().get(id).cloned()
    }

    /// The subscriptions of one tenant, in id order.
    pub fn of_tenant(&self, vendor: VendorId, tenant: &str) -> Vec<Arc<Subscription>> {
        self.snapshot()
            .values()
            .filter(|s| s.vendor == vendor && s.tenant == tenant)
            .cloned()
            .collect()
    }

    /// True when some subscription of the tenant could produce events (the change sink's
    /// fast path: a tenant nobody listens to costs one read lock).
    pub fn listens(&self, vendor: VendorId, tenant: &str) -> bool {
        self.map.read().values().any(|s| {
            s.vendor == vendor && s.tenant == tenant && s.verification != Verification::Failed
        })
    }

    /// The first free id `<vendor>-<tenant>-<n>`.
    pub fn next_id(&self, vendor: VendorId, tenant: &str) -> String {
        let map = self.map.read();
        (1..)
            .map(|n| format!("{vendor}-{tenant}-{n}"))
            .find(|id| !map.contains_key(id))
            .unwrap_or_default()
    }

    fn write(&self, f: impl FnOnce(&mut BTreeMap<String, Arc<Subscription>>)) {
        {
            let mut guard = self.map.write();
            let mut next = guard.as_ref().clone();
            f(&mut next);
            *guard = Arc::new(next);
        }
        self.changed.notify_one();
        self.version.send_modify(|v| *v += 1);
    }

    /// Adds a subscription; refused when the id is taken.
    pub fn insert(&self, sub: Subscription) -> Result<Arc<Subscription>, SubscriptionError> {
        let sub = Arc::new(sub);
        let mut result = Ok(Arc::clone(&sub));
        self.write(|m| {
            if m.contains_key(&sub.id) {
                result = Err(SubscriptionError::Exists(sub.id.clone()));
            } else {
                m.insert(sub.id.clone(), sub);
            }
        });
        result
    }

    /// Adds or replaces a subscription (scenarios re-applied, vendor config endpoints).
    pub fn put(&self, sub: Subscription) -> Arc<Subscription> {
        let sub = Arc::new(sub);
        self.write(|m| {
            m.insert(sub.id.clone(), Arc::clone(&sub));
        });
        sub
    }

    /// Changes one subscription in place (all or nothing: `f` works on a copy).
    pub fn update<R>(
        &self,
        id: &str,
        f: impl FnOnce(&mut Subscription) -> R,
    ) -> Result<(R, Arc<Subscription>), SubscriptionError> {
        let mut out = Err(SubscriptionError::NotFound(id.to_string()));
        self.write(|m| {
            if let Some(old) = m.get(id) {
                let mut copy = old.as_ref().clone();
                let r = f(&mut copy);
                copy.id = id.to_string();
                let new = Arc::new(copy);
                m.insert(id.to_string(), Arc::clone(&new));
                out = Ok((r, new));
            }
        });
        out
    }

    /// Removes a subscription.
    pub fn remove(&self, id: &str) -> Result<Arc<Subscription>, SubscriptionError> {
        let mut out = Err(SubscriptionError::NotFound(id.to_string()));
        self.write(|m| {
            if let Some(old) = m.remove(id) {
                out = Ok(old);
            }
        });
        out
    }

    /// Replaces every subscription (state import).
    pub fn replace_all(&self, subs: Vec<Subscription>) {
        self.write(|m| {
            m.clear();
            for s in subs {
                m.insert(s.id.clone(), Arc::new(s));
            }
        });
    }

    /// Forgets every subscription (reset, before the scenarios are re-applied).
    pub fn clear(&self) {
        self.write(BTreeMap::clear);
    }

    /// A feed that moves on every write, for any number of watchers (see `version`).
    pub fn watch(&self) -> watch::Receiver<u64> {
        self.version.subscribe()
    }

    /// Resolves when a subscription changed since the last call (one waiter: the engine).
    pub async fn changed(&self) {
        self.changed.notified().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(id: &str) -> Subscription {
        Subscription {
            id: id.into(),
            vendor: VendorId::Feishu,
            tenant: "cli_a".into(),
            mode: Mode::Webhook,
            url: "http://127.0.0.1:9/".into(),
            secrets: BTreeMap::new(),
            settings: BTreeMap::new(),
            types: vec![],
            paused: false,
            ca_pem: None,
            verification: Verification::Unchecked,
            verification_error: None,
            verified_at_ms: None,
            origin: SubscriptionOrigin::Admin,
        }
    }

    #[test]
    fn ids_are_unique_and_updates_are_whole() {
        let s = Subscriptions::default();
        assert!(!s.listens(VendorId::Feishu, "cli_a"));
        let id = s.next_id(VendorId::Feishu, "cli_a");
        assert_eq!(id, "feishu-cli_a-1");
        s.insert(sub(&id)).unwrap();
        assert_eq!(
            s.insert(sub(&id)).unwrap_err(),
            SubscriptionError::Exists(id.clone())
        );
        assert_eq!(s.next_id(VendorId::Feishu, "cli_a"), "feishu-cli_a-2");
        assert!(s.listens(VendorId::Feishu, "cli_a"));
        assert!(!s.listens(VendorId::Feishu, "cli_b"));
        let (_, new) = s.update(&id, |x| x.paused = true).unwrap();
        assert!(new.paused && !new.active());
        s.update(&id, |x| x.verification = Verification::Failed)
            .unwrap();
        assert!(
            !s.listens(VendorId::Feishu, "cli_a"),
            "a failed URL gets nothing"
        );
        s.remove(&id).unwrap();
        assert!(s.get(&id).is_none());
    }
}
