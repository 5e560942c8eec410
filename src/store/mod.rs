//! The shared domain: tenants, users, meetings (state machine), tokens, a clock and seeded ids.
//!
//! It knows nothing of HTTP or vendor JSON; vendors convert their wire shapes to and from these
//! types. Locking: tenants live in a DashMap (sharded; an entry lock is held only to look a
//! tenant up or insert it), each tenant's data behind its own mutex (see [`Tenant`]), tokens in
//! their own DashMap. There is no global lock on the request path.

pub mod behaviour;
pub mod bus;
pub mod change;
mod clock;
pub mod declaration;
mod error;
mod ids;
mod invitees;
pub mod latency;
pub mod living;
mod lockout;
mod meeting;
mod meeting_ctl;
mod participants;
mod pending;
pub mod plan;
mod recording;
mod secrets;
mod share;
pub mod subscription;
mod tenant;
mod tenant_users;
#[cfg(test)]
mod tests;
mod token;
mod user;
mod waiting;

pub use bus::ChangeBus;
pub use change::{Change, ChangeKind};
pub use clock::Clock;
pub use error::StoreError;
pub use ids::{splitmix64, Ids};
pub use living::Living;
pub use lockout::{LockPolicy, Lockout};
pub use meeting::{
    Invitee, Meeting, MeetingState, Participant, ParticipantStatus, DEFAULT_CAPACITY,
};
pub use meeting_ctl::{part_keys, ControlLogin, EndPhase};
pub use recording::Recording;
pub use secrets::Secrets;
pub use share::Share;
pub use subscription::{Mode, Subscription, SubscriptionOrigin, Subscriptions, Verification};
pub use tenant::{Origin, Publisher, Tenant, TenantData};
pub use tenant_users::LoginCheck;
pub use token::{Token, TokenKind, Tokens, TOKEN_GRACE_MS};
pub use user::User;
pub use waiting::{WaitOutcome, Waiter, WaitingRoom, WAITING_ROOM};

use dashmap::mapref::entry::Entry;
use dashmap::DashMap;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

/// The four emulated vendors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VendorId {
    Tencent,
    Feishu,
    Dingtalk,
    Huawei,
}

impl VendorId {
    /// Every vendor, in registry order.
    pub const ALL: [VendorId; 4] = [
        VendorId::Tencent,
        VendorId::Feishu,
        VendorId::Dingtalk,
        VendorId::Huawei,
    ];

    /// Position in [`VendorId::ALL`] (index of per-vendor tables).
    pub fn index(self) -> usize {
        match self {
            VendorId::Tencent => 0,
            VendorId::Feishu => 1,
            VendorId::Dingtalk => 2,
            VendorId::Huawei => 3,
        }
    }

    /// The lower-case name used in scenarios, flags and the admin API.
    pub fn as_str(self) -> &'static str {
        match self {
            VendorId::Tencent => "tencent",
            VendorId::Feishu => "feishu",
            VendorId::Dingtalk => "dingtalk",
            VendorId::Huawei => "huawei",
        }
    }

    /// Parses a vendor name (case-insensitive; `lark` is Feishu).
    pub fn parse(s: &str) -> Option<VendorId> {
        match s.to_ascii_lowercase().as_str() {
            "tencent" | "wemeet" => Some(VendorId::Tencent),
            "feishu" | "lark" => Some(VendorId::Feishu),
            "dingtalk" => Some(VendorId::Dingtalk),
            "huawei" => Some(VendorId::Huawei),
            _ => None,
        }
    }
}

impl std::fmt::Display for VendorId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything the server knows.
#[derive(Debug)]
pub struct Store {
    /// Per vendor (in `VendorId::ALL` order): tenant id → tenant. Keyed by `String` so a
    /// lookup borrows a `&str` and allocates nothing.
    tenants: [DashMap<String, Arc<Tenant>>; 4],
    /// Per vendor: credential → tenant id, for credentials other than the tenant id itself
    /// (Tencent SecretId, Huawei account names and App IDs).
    credentials: [DashMap<String, String>; 4],
    pub tokens: Tokens,
    /// Shared with every tenant, which stamps its changes with it.
    pub clock: Arc<Clock>,
    /// Seeded, reproducible ids (meeting ids, codes, participant ids).
    pub ids: Ids,
    /// Credential values and request ids: never repeated (see [`Secrets`]).
    pub secrets: Secrets,
    /// The stream of domain changes (see [`change`]); every tenant publishes here.
    pub changes: Arc<ChangeBus>,
    /// Where each tenant's vendor events go (read by `src/events/`, written by scenarios, the
    /// admin API and vendor config endpoints).
    pub subscriptions: Arc<Subscriptions>,
    /// Simulated invitees: behaviour declarations and planned call steps (see [`living`]);
    /// a sink on `changes`.
    pub living: Arc<Living>,
    /// `--strict-tenants`: what [`Store::clear`] returns every vendor's switch to.
    strict_default: bool,
    /// Per vendor: unknown credentials are refused instead of auto-provisioned. Atomics: read
    /// on every token request, flipped by the admin API.
    strict: [AtomicBool; 4],
    /// Tenants auto-provisioned since the process started (health).
    auto_provisioned: AtomicU64,
}

impl Store {
    /// An empty store.
    pub fn new(seed: u64, strict_tenants: bool) -> Self {
        let changes = Arc::new(ChangeBus::default());
        let living = Arc::new(Living::new(seed));
        let sink = Arc::clone(&living);
        changes.add_sink(Arc::new(move |c| sink.on_change(c)));
        Store {
            tenants: Default::default(),
            credentials: Default::default(),
            tokens: Tokens::default(),
            clock: Arc::new(Clock::default()),
            ids: Ids::new(seed),
            subscriptions: Arc::new(Subscriptions::default()),
            secrets: Secrets::new(),
            changes,
            living,
            strict_default: strict_tenants,
            strict: std::array::from_fn(|_| AtomicBool::new(strict_tenants)),
            auto_provisioned: AtomicU64::new(0),
        }
    }

    /// Applies every simulated-invitee step due by now (see [`living`]); cheap when none is.
    pub fn run_due(&self) -> usize {
        let now = self.clock.now_ms();
        if self.living.next_due() > now {
            return 0;
        }
        self.living.run_due(self, now)
    }

    /// True when `vendor` refuses unknown credentials instead of provisioning a tenant.
    pub fn is_strict(&self, vendor: VendorId) -> bool {
        self.strict[vendor.index()].load(Ordering::Relaxed)
    }

    /// Turns strict tenants on or off for one vendor (admin API; reset restores the default).
    pub fn set_strict(&self, vendor: VendorId, strict: bool) {
        self.strict[vendor.index()].store(strict, Ordering::Relaxed);
    }

    /// Tenants auto-provisioned since the process started.
    pub fn auto_provisioned(&self) -> u64 {
        self.auto_provisioned.load(Ordering::Relaxed)
    }

    /// The tenant with this id.
    pub fn tenant(&self, vendor: VendorId, id: &str) -> Option<Arc<Tenant>> {
        self.tenants[vendor.index()].get(id).map(|t| Arc::clone(&t))
    }

    /// The tenant a credential (tenant id or registered extra credential) belongs to.
    pub fn tenant_by_credential(&self, vendor: VendorId, credential: &str) -> Option<Arc<Tenant>> {
        if let Some(t) = self.tenant(vendor, credential) {
            return Some(t);
        }
        let id = self.credentials[vendor.index()].get(credential)?.clone();
        self.tenant(vendor, &id)
    }

    /// What a tenant of this store publishes its changes with.
    pub fn publisher(&self) -> Publisher {
        Publisher {
            bus: Arc::clone(&self.changes),
            clock: Arc::clone(&self.clock),
        }
    }

    /// Adds a tenant (replacing one with the same id) and indexes its extra credentials.
    pub fn put_tenant(&self, tenant: Tenant) -> Arc<Tenant> {
        for value in tenant.credentials.values() {
            self.credentials[tenant.vendor.index()].insert(value.clone(), tenant.id.clone());
        }
        tenant.attach(self.publisher());
        let t = Arc::new(tenant);
        self.tenants[t.vendor.index()].insert(t.id.clone(), Arc::clone(&t));
        t
    }

    /// Maps one more credential (a Huawei account name, say) to a tenant.
    pub fn index_credential(&self, vendor: VendorId, credential: &str, tenant_id: &str) {
        self.credentials[vendor.index()].insert(credential.to_string(), tenant_id.to_string());
    }

    /// The tenant for `id`, auto-provisioned with `secret` when unknown and tenants are not
    /// strict. `Err` when strict and unknown.
    pub fn tenant_or_provision(
        &self,
        vendor: VendorId,
        id: &str,
        secret: &str,
        credentials: BTreeMap<String, String>,
    ) -> Result<Arc<Tenant>, StoreError> {
        if let Some(t) = self.tenant(vendor, id) {
            return Ok(t);
        }
        if self.is_strict(vendor) {
            return Err(StoreError::UnknownTenant(id.to_string()));
        }
        let t = match self.tenants[vendor.index()].entry(id.to_string()) {
            Entry::Occupied(e) => Arc::clone(e.get()),
            Entry::Vacant(e) => {
                let t = Tenant::new(
                    vendor,
                    id.to_string(),
                    secret.to_string(),
                    credentials.clone(),
                    Origin::Auto,
                );
                t.attach(self.publisher());
                let t = Arc::new(t);
                e.insert(Arc::clone(&t));
                self.auto_provisioned.fetch_add(1, Ordering::Relaxed);
                // Logged once per tenant: the moment it comes to exist.
                tracing::warn!(
                    vendor = %vendor,
                    tenant = id,
                    "unknown credential: tenant auto-provisioned (trust on first use); \
                     --strict-tenants or PUT /__admin/tenants/strict refuses it instead"
                );
                t
            }
        };
        for value in credentials.values() {
            self.credentials[vendor.index()]
                .entry(value.clone())
                .or_insert_with(|| id.to_string());
        }
        Ok(t)
    }

    /// Every tenant, ordered by vendor and id.
    pub fn tenants(&self) -> Vec<Arc<Tenant>> {
        let mut v: Vec<Arc<Tenant>> = self
            .tenants
            .iter()
            .flat_map(|m| m.iter().map(|e| Arc::clone(e.value())).collect::<Vec<_>>())
            .collect();
        v.sort_by(|a, b| (a.vendor, &a.id).cmp(&(b.vendor, &b.id)));
        v
    }

    /// Replaces every tenant, credential and token with these (state import). Each key is
    /// replaced in place — the new entries first, then the ones the new state lacks are
    /// removed — so a request whose tenant and token exist in both states finds them
    /// throughout. Tenants must arrive filled (seeded silently): they are attached to the bus
    /// and published as they are. Like [`Store::clear`], kept changes are dropped, the
    /// credential nonce is redrawn and the strict switches return to their default.
    pub fn replace_all(
        &self,
        tenants: Vec<Tenant>,
        credentials: Vec<(VendorId, String, String)>,
        tokens: Vec<Token>,
    ) {
        let mut keep_tenants: [HashSet<String>; 4] = Default::default();
        let mut keep_creds: [HashSet<String>; 4] = Default::default();
        for t in tenants {
            let i = t.vendor.index();
            for value in t.credentials.values() {
                keep_creds[i].insert(value.clone());
                self.credentials[i].insert(value.clone(), t.id.clone());
            }
            keep_tenants[i].insert(t.id.clone());
            t.attach(self.publisher());
            self.tenants[i].insert(t.id.clone(), Arc::new(t));
        }
        for (vendor, credential, tenant) in credentials {
            let i = vendor.index();
            keep_creds[i].insert(credential.clone());
            self.credentials[i].insert(credential, tenant);
        }
        self.tokens.replace_all(tokens);
        for i in 0..4 {
            self.tenants[i].retain(|id, _| keep_tenants[i].contains(id));
            self.credentials[i].retain(|c, _| keep_creds[i].contains(c));
        }
        self.changes.clear();
        self.secrets.rekey();
        for s in &self.strict {
            s.store(self.strict_default, Ordering::Relaxed);
        }
    }

    /// Forgets every tenant, credential, token, subscription, kept change and planned call
    /// step; resets ids, the clock offset and the strict-tenant switches (the change stream keeps
    /// counting); draws a new credential nonce (no token issued before the reset can be issued
    /// again after it). Behaviour declarations are the caller's to reset (they come back with
    /// the scenarios).
    pub fn clear(&self) {
        self.living.clear_calls();
        self.tenants.iter().for_each(DashMap::clear);
        self.subscriptions.clear();
        self.credentials.iter().for_each(DashMap::clear);
        self.tokens.clear();
        self.changes.clear();
        self.secrets.rekey();
        for s in &self.strict {
            s.store(self.strict_default, Ordering::Relaxed);
        }
        self.ids.set_drawn(0);
        self.clock.set_offset_ms(0);
    }

    /// Every extra credential → tenant mapping (state export).
    pub fn credential_index(&self) -> Vec<(VendorId, String, String)> {
        let mut v: Vec<_> = VendorId::ALL
            .iter()
            .flat_map(|vendor| {
                self.credentials[vendor.index()]
                    .iter()
                    .map(|e| (*vendor, e.key().clone(), e.value().clone()))
                    .collect::<Vec<_>>()
            })
            .collect();
        v.sort();
        v
    }
}
