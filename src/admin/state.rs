//! Admin state operations: reset, export/import of everything (event subscriptions and the
//! outbox included), scenario upload, the clock, token expiry.

use super::{bad, not_found, AdminReq, AdminResult};
use crate::app::App;
use crate::events::outbox::OutboxState;
use crate::store::declaration::{callee_keys, DeclError, Declaration, DeclarationState};
use crate::store::living::CallState;
use crate::store::{Meeting, Origin, Subscription, Tenant, Token, User, VendorId};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;

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

/// Everything the store holds (`GET`/`PUT /__admin/state`).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateSnapshot {
    #[serde(default)]
    pub clock_offset_ms: i64,
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
    /// Event subscriptions (secrets in full: this is the server's own state).
    #[serde(default)]
    pub subscriptions: Vec<Subscription>,
    /// Event deliveries not yet finished, in per-meeting order.
    #[serde(default)]
    pub outbox: OutboxState,
}

/// The whole store as a snapshot.
pub fn snapshot(app: &App) -> StateSnapshot {
    StateSnapshot {
        clock_offset_ms: app.store.clock.offset_ms(),
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

/// The declarations a snapshot asks for: its own (validated), or the scenarios' when it has
/// none. Err names the bad one.
pub fn declarations_of(app: &App, s: &StateSnapshot) -> Result<Vec<Declaration>, String> {
    match &s.behaviours {
        Some(list) => list
            .iter()
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
            .collect(),
        None => Ok(app
            .scenarios
            .read()
            .iter()
            .flat_map(|sc| sc.tenants.iter().flat_map(|t| t.behaviours.iter().cloned()))
            .collect()),
    }
}

/// Replaces the store with a snapshot (its declarations already validated).
pub fn restore(app: &App, s: StateSnapshot, declarations: Vec<Declaration>) {
    app.store.clear();
    app.store.living.set_declarations(declarations);
    app.store.clock.set_offset_ms(s.clock_offset_ms);
    app.store.ids.set_drawn(s.ids_drawn);
    app.store.changes.continue_after(s.last_change_seq);
    for ts in s.tenants {
        let t = app.store.put_tenant(Tenant::new(
            ts.vendor,
            ts.id,
            ts.secret,
            ts.credentials,
            ts.origin,
        ));
        t.with(|d| {
            d.extra = ts.extra;
            for u in ts.users {
                d.put_user(u);
            }
            for m in ts.meetings {
                d.seed_meeting(m);
            }
        });
    }
    for (v, cred, tenant) in s.credentials {
        app.store.index_credential(v, &cred, &tenant);
    }
    for tok in s.tokens {
        app.store.tokens.insert(tok);
    }
    app.store.living.restore_calls(s.calls);
    app.store.subscriptions.replace_all(s.subscriptions);
    app.events.import(s.outbox, app.store.clock.now_ms());
}

/// `POST /__admin/reset`
pub fn reset(app: &App) -> Value {
    app.reset();
    json!({"reset": true, "scenarios": app.scenarios.read().len()})
}

/// `GET /__admin/state`
pub fn export(app: &App) -> Value {
    serde_json::to_value(snapshot(app)).unwrap_or_else(|_| json!({}))
}

/// `PUT /__admin/state`: validated whole before anything changes.
pub fn import(app: &App, req: &AdminReq<'_>) -> AdminResult {
    let s: StateSnapshot =
        serde_json::from_slice(&req.body).map_err(|e| bad(format!("not a state snapshot: {e}")))?;
    for t in &s.tenants {
        let mut ids = std::collections::HashSet::new();
        for m in &t.meetings {
            if !ids.insert(&m.id) {
                return Err(bad(format!(
                    "tenant {}/{}: meeting {:?} appears twice",
                    t.vendor, t.id, m.id
                )));
            }
        }
    }
    check_events(app, &s)?;
    let declarations = declarations_of(app, &s).map_err(bad)?;
    let tenants = s.tenants.len();
    restore(app, s, declarations);
    Ok(json!({"imported": true, "tenants": tenants}))
}

/// Subscriptions valid for their vendor and unique; deliveries of known subscriptions.
fn check_events(app: &App, s: &StateSnapshot) -> Result<(), (http::StatusCode, String)> {
    let mut ids = std::collections::HashSet::new();
    for sub in &s.subscriptions {
        if !ids.insert(sub.id.as_str()) {
            return Err(bad(format!("subscription {:?} appears twice", sub.id)));
        }
        let format = app.vendor(sub.vendor).events().ok_or_else(|| {
            bad(format!(
                "subscription {:?}: {} has no event format",
                sub.id, sub.vendor
            ))
        })?;
        crate::vendors::events::validate(format, sub)
            .map_err(|e| bad(format!("subscription {:?}: {e}", sub.id)))?;
    }
    let mut seen = std::collections::HashSet::new();
    for d in &s.outbox.deliveries {
        if !ids.contains(d.subscription.as_str()) {
            return Err(bad(format!(
                "outbox delivery {}: no subscription {:?} in the snapshot",
                d.id, d.subscription
            )));
        }
        if !seen.insert(d.id) {
            return Err(bad(format!("outbox delivery {} appears twice", d.id)));
        }
    }
    Ok(())
}

/// `POST /__admin/scenarios`: a YAML or JSON scenario, validated whole, then applied.
pub fn load(app: &App, req: &AdminReq<'_>) -> AdminResult {
    let text = std::str::from_utf8(&req.body).map_err(|_| bad("scenario is not UTF-8 text"))?;
    let name = req.q("name").unwrap_or("<admin>");
    match crate::scenario::parse(name, text, &app.vendors) {
        Ok(s) => {
            let summary = json!({
                "loaded": s.name,
                "tenants": s.tenants.len(),
                "faults": s.faults.len(),
            });
            app.load_scenario(s);
            Ok(summary)
        }
        Err(problems) => Err(bad(problems
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join("\n"))),
    }
}

/// `GET /__admin/scenarios`
pub fn list_scenarios(app: &App) -> Value {
    let list: Vec<Value> = app
        .scenarios
        .read()
        .iter()
        .map(|s| json!({"name": s.name, "source": s.source, "tenants": s.tenants.len(), "faults": s.faults.len()}))
        .collect();
    json!({ "scenarios": list })
}

/// `GET /__admin/clock`
pub fn clock(app: &App) -> Value {
    let c = &app.store.clock;
    json!({"now_ms": c.now_ms(), "offset_ms": c.offset_ms(), "frozen": c.is_frozen()})
}

/// `POST /__admin/clock/freeze` with optional `{"at_ms": n}`: the clock stands still (advance
/// still moves it) — for tests that count calls inside one second.
pub fn freeze(app: &App, req: &AdminReq<'_>) -> AdminResult {
    let body = req.json()?;
    let at = match body.get("at_ms") {
        None => None,
        Some(v) => Some(
            v.as_i64()
                .filter(|ms| *ms > 0)
                .ok_or_else(|| bad("`at_ms` must be a positive number of ms since the epoch"))?,
        ),
    };
    app.store.clock.freeze(at);
    app.events.wake();
    Ok(clock(app))
}

/// `POST /__admin/clock/unfreeze`: the clock runs again from where it stood.
pub fn unfreeze(app: &App) -> Value {
    app.store.clock.unfreeze();
    app.events.wake();
    clock(app)
}

/// `POST /__admin/clock/advance` with `{"seconds": n}` or `{"ms": n}`; simulated invitees'
/// steps that fall due meanwhile happen before it answers (`invitee_steps` counts them).
pub fn advance(app: &App, req: &AdminReq<'_>) -> AdminResult {
    let body = req.json()?;
    let ms = match (body.get("ms"), body.get("seconds")) {
        (Some(v), None) => v.as_i64(),
        (None, Some(v)) => v.as_f64().map(|s| (s * 1000.0) as i64),
        _ => None,
    }
    .filter(|ms| *ms >= 0)
    .ok_or_else(|| bad("give exactly one of `ms` or `seconds`, a number ≥ 0"))?;
    app.store.clock.advance(ms);
    let now = app.store.clock.now_ms();
    app.store
        .tokens
        .purge_expired(now, crate::store::TOKEN_GRACE_MS);
    // Simulated invitees act now, in time order, each change stamped with its due time.
    let steps = app.store.run_due();
    // Event retries due on the server clock become due now.
    app.events.wake();
    let mut v = clock(app);
    v["invitee_steps"] = json!(steps);
    Ok(v)
}

/// `POST /__admin/tokens/expire` with `{"token": "..."}`: the token expires now.
pub fn expire_token(app: &App, req: &AdminReq<'_>) -> AdminResult {
    let body = req.json()?;
    let token = req
        .field(&body, "token")
        .ok_or_else(|| bad("`token` is required"))?;
    let now = app.store.clock.now_ms();
    if app.store.tokens.set_expiry(&token, now) {
        Ok(json!({"expired": true}))
    } else {
        Err(not_found("no such token"))
    }
}
