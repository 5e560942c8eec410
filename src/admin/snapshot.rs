//! The state snapshot: everything `GET /__admin/state` exports, `PUT /__admin/state` imports and
//! `--state-file` persists (one format for all three, so state added to the export is persisted
//! with no extra work) — event subscriptions and the outbox's unfinished deliveries included.
//!
//! An import is checked whole before anything changes ([`Checked::parse`]), then built aside and
//! swapped in ([`restore`]): every tenant is filled before it is published and each key is
//! replaced in place, so a request whose tenant and token exist before and after an import is
//! never refused while it runs. Imports are serialised by [`SWAP`].

use crate::app::App;
use crate::events::outbox::OutboxState;
use crate::store::declaration::{callee_keys, DeclError, Declaration, DeclarationState};
use crate::store::living::CallState;
use crate::store::{Clock, Meeting, Origin, Subscription, Tenant, Token, User, VendorId};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};

/// One tenant in a state export.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantState {
    pub vendor: VendorId,
    pub id: String,
    #[serde(default)]
    pub secret: String,
    #[serde(default)]
    pub credentials: BTreeMap<String, String>,
    #[serde(default)]
    pub origin: Origin,
    #[serde(default)]
    pub users: Vec<User>,
    #[serde(default)]
    pub meetings: Vec<Meeting>,
    /// Vendor-owned tenant settings.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, Value>,
}

fn is_zero(v: &i64) -> bool {
    *v == 0
}

/// Everything the server holds (`GET`/`PUT /__admin/state`, `--state-file`).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateSnapshot {
    #[serde(default)]
    pub clock_offset_ms: i64,
    /// The instant a frozen clock stands at (ms since the epoch); absent while it runs.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub clock_frozen_at_ms: i64,
    #[serde(default)]
    pub ids_drawn: u64,
    #[serde(default)]
    pub tenants: Vec<TenantState>,
    #[serde(default)]
    pub credentials: Vec<(VendorId, String, String)>,
    #[serde(default)]
    pub tokens: Vec<Token>,
    /// The change stream's position, so numbering continues after an import.
    #[serde(default)]
    pub last_change_seq: u64,
    /// Invitee behaviour declarations; absent (an older export): the scenarios' own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub behaviours: Option<Vec<DeclarationState>>,
    /// Calls placed per (meeting, callee) and the remaining planned steps of each.
    #[serde(default)]
    pub calls: Vec<CallState>,
    /// Vendor-owned runtime state by vendor name (e.g. Tencent's used nonces), from
    /// [`crate::vendors::Vendor::export_state`].
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub vendors: BTreeMap<String, Value>,
    /// Event subscriptions (secrets in full: this is the server's own state).
    #[serde(default)]
    pub subscriptions: Vec<Subscription>,
    /// Event deliveries not yet finished, in per-meeting order.
    #[serde(default)]
    pub outbox: OutboxState,
}

/// Serialises imports (admin, state file): two interleaved swaps would mix their states.
static SWAP: Mutex<()> = Mutex::new(());

/// The whole store as a snapshot. Each tenant's lock is held only to copy its data.
pub fn snapshot(app: &App) -> StateSnapshot {
    StateSnapshot {
        clock_offset_ms: app.store.clock.offset_ms(),
        clock_frozen_at_ms: app.store.clock.frozen_at_ms().unwrap_or(0),
        ids_drawn: app.store.ids.drawn(),
        tenants: app
            .store
            .tenants()
            .iter()
            .map(|t| {
                let d = t.snapshot();
                TenantState {
                    vendor: t.vendor,
                    id: t.id.clone(),
                    secret: t.secret.clone(),
                    credentials: t.credentials.clone(),
                    origin: t.origin,
                    users: d.users().cloned().collect(),
                    meetings: d.meetings.values().cloned().collect(),
                    extra: d.extra.clone(),
                }
            })
            .collect(),
        credentials: app.store.credential_index(),
        tokens: app.store.tokens.all(),
        last_change_seq: app.store.changes.last_seq(),
        behaviours: Some(app.store.living.declarations(None, None)),
        calls: app.store.living.calls(false, |_| true),
        vendors: app
            .vendors
            .iter()
            .filter_map(|v| v.export_state().map(|s| (v.id().as_str().to_string(), s)))
            .collect(),
        subscriptions: app
            .store
            .subscriptions
            .all()
            .iter()
            .map(|s| s.as_ref().clone())
            .collect(),
        outbox: app.events.export(app),
    }
}

/// A refusal of the document's shape (the semantic checks name their field instead).
fn not_a_snapshot(e: impl std::fmt::Display) -> String {
    format!("not a state snapshot: {e}")
}

/// A snapshot that passed every check, with the behaviour declarations it resolves to:
/// restoring it cannot fail.
pub struct Checked(StateSnapshot, Vec<Declaration>);

impl Checked {
    /// Parses and checks a snapshot: a JSON object of the export's shape, consistent, with a
    /// clock inside year 0–9999. `Err` says what is wrong; nothing has changed.
    pub fn parse(app: &App, bytes: &[u8]) -> Result<Checked, String> {
        let v: Value = serde_json::from_slice(bytes).map_err(not_a_snapshot)?;
        Self::from_value(app, v)
    }

    /// Like [`Checked::parse`], from JSON already parsed.
    pub fn from_value(app: &App, v: Value) -> Result<Checked, String> {
        if !v.is_object() {
            return Err(not_a_snapshot(
                "it is a JSON object ({\"tenants\": [...], ...})",
            ));
        }
        let s: StateSnapshot = serde_json::from_value(v).map_err(not_a_snapshot)?;
        let now = Clock::wall_ms();
        if s.clock_offset_ms
            .checked_add(now)
            .is_none_or(|t| !(0..=Clock::MAX_MS).contains(&t))
        {
            return Err(format!(
                "clock_offset_ms {} puts the clock outside year 1970–9999",
                s.clock_offset_ms
            ));
        }
        if !(0..=Clock::MAX_MS).contains(&s.clock_frozen_at_ms) {
            return Err("clock_frozen_at_ms is outside year 1970–9999".into());
        }
        let mut tenants = HashSet::new();
        for t in &s.tenants {
            if !tenants.insert((t.vendor, t.id.as_str())) {
                return Err(format!("tenant {}/{} appears twice", t.vendor, t.id));
            }
            // The vendor's settings, checked as a scenario's `extra:` is (a Feishu allow-list
            // entry that is no address would otherwise shut the app out).
            app.vendor(t.vendor)
                .validate_tenant_extra(&t.extra)
                .map_err(|e| format!("tenant {}/{}: extra: {e}", t.vendor, t.id))?;
            let mut ids = HashSet::new();
            for m in &t.meetings {
                if !ids.insert(&m.id) {
                    return Err(format!(
                        "tenant {}/{}: meeting {:?} appears twice",
                        t.vendor, t.id, m.id
                    ));
                }
            }
        }
        for (name, state) in &s.vendors {
            let v = VendorId::parse(name)
                .filter(|v| v.as_str() == name)
                .ok_or_else(|| format!("vendors.{name}: no such vendor"))?;
            app.vendor(v)
                .check_state(state)
                .map_err(|e| format!("vendors.{name}: {e}"))?;
        }
        check_events(app, &s)?;
        let declarations = declarations_of(app, &s)?;
        Ok(Checked(s, declarations))
    }

    /// How many tenants it holds.
    pub fn tenants(&self) -> usize {
        self.0.tenants.len()
    }
}

/// Subscriptions valid for their vendor and unique; deliveries of known subscriptions, once.
fn check_events(app: &App, s: &StateSnapshot) -> Result<(), String> {
    let mut ids = HashSet::new();
    for sub in &s.subscriptions {
        if !ids.insert(sub.id.as_str()) {
            return Err(format!("subscription {:?} appears twice", sub.id));
        }
        let format = app.vendor(sub.vendor).events().ok_or_else(|| {
            format!(
                "subscription {:?}: {} has no event format",
                sub.id, sub.vendor
            )
        })?;
        crate::vendors::events::validate(format, sub)
            .map_err(|e| format!("subscription {:?}: {e}", sub.id))?;
    }
    let mut seen = HashSet::new();
    for d in &s.outbox.deliveries {
        if !ids.contains(d.subscription.as_str()) {
            return Err(format!(
                "outbox delivery {}: no subscription {:?} in the snapshot",
                d.id, d.subscription
            ));
        }
        if !seen.insert(d.id) {
            return Err(format!("outbox delivery {} appears twice", d.id));
        }
    }
    Ok(())
}

/// The declarations a snapshot asks for: its own (validated), or the scenarios' when it has
/// none. Err names the bad one.
fn declarations_of(app: &App, s: &StateSnapshot) -> Result<Vec<Declaration>, String> {
    let Some(list) = &s.behaviours else {
        return Ok(app
            .scenarios
            .read()
            .iter()
            .flat_map(|sc| sc.tenants.iter().flat_map(|t| t.behaviours.iter().cloned()))
            .collect());
    };
    list.iter()
        .enumerate()
        .map(|(i, d)| {
            let t = s
                .tenants
                .iter()
                .find(|t| t.vendor == d.vendor && t.id == d.tenant)
                .ok_or_else(|| {
                    format!(
                        "behaviours[{i}]: tenant {}/{} is not in the snapshot",
                        d.vendor, d.tenant
                    )
                })?;
            let user = |u: &str| {
                t.users
                    .iter()
                    .find(|x| x.id == u || x.aliases.values().any(|a| a == u))
                    .map(callee_keys)
            };
            let meeting = |m: &str| t.meetings.iter().any(|x| x.id == m);
            Declaration::resolve(d.vendor, &d.tenant, &d.behaviour, &d.source, user, meeting)
                .map_err(|(DeclError::Bad(e) | DeclError::Unknown(e))| {
                    format!("behaviours[{i}]: {e}")
                })
        })
        .collect()
}

/// Replaces the whole state with a checked snapshot, built aside and swapped in.
pub fn restore(app: &App, checked: Checked) {
    let Checked(s, declarations) = checked;
    let _swap = SWAP.lock();
    let tenants: Vec<Tenant> = s
        .tenants
        .into_iter()
        .map(|ts| {
            let t = Tenant::new(ts.vendor, ts.id, ts.secret, ts.credentials, ts.origin);
            // Not yet shared: the lock is uncontended; the tenant is published full.
            t.with(|d| {
                d.extra = ts.extra;
                for u in ts.users {
                    d.put_user(u);
                }
                for m in ts.meetings {
                    d.seed_meeting(m);
                }
            });
            t
        })
        .collect();
    app.store.living.set_declarations(declarations);
    app.store.replace_all(tenants, s.credentials, s.tokens);
    app.store.living.restore_calls(s.calls);
    app.store.changes.continue_after(s.last_change_seq);
    app.store.ids.set_drawn(s.ids_drawn);
    app.store.clock.set_offset_ms(s.clock_offset_ms);
    if s.clock_frozen_at_ms != 0 {
        app.store.clock.freeze(Some(s.clock_frozen_at_ms));
    }
    for v in &app.vendors {
        v.import_state(s.vendors.get(v.id().as_str()));
    }
    // A handshake cut short by the export (or a crash) is run again by the engine.
    let subs = s.subscriptions.into_iter().map(|mut x| {
        if x.verification == crate::store::Verification::Checking {
            x.verification = crate::store::Verification::Pending;
        }
        x
    });
    app.store.subscriptions.replace_all(subs.collect());
    app.events.import(s.outbox, app.store.clock.now_ms());
}
