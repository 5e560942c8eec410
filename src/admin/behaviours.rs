//! Invitee behaviours at runtime: `GET/PUT/DELETE /__admin/behaviours` (declarations, validated
//! whole against their tenant before any is kept) and `GET /__admin/behaviours/pending` (calls
//! with planned steps). See `store::behaviour` and `store::living`.

use super::{bad, not_found, AdminReq, AdminResult};
use crate::app::App;
use crate::store::behaviour::{ring_timeout_ms, AlertSpec, Behaviour, BehaviourSpec, OutcomeSpec};
use crate::store::declaration::{callee_keys, Callee, DeclError, Declaration, DeclarationState};
use crate::store::latency::DelaySpec;
use crate::store::{Tenant, VendorId};
use http::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};
use std::sync::Arc;

const FIELDS: &str =
    "vendor, tenant, user, number, meeting, alert, ring, outcome, stay, ring_timeout_ms";
const LATENCY: &str = "a number of ms, {fixed_ms}, {min_ms, max_ms} or {median_ms, sigma}";

fn vendor_of(v: Option<&str>) -> Result<VendorId, (StatusCode, String)> {
    let v = v.ok_or_else(|| bad("`vendor` is required"))?;
    VendorId::parse(v).ok_or_else(|| {
        bad(format!(
            "vendor: unknown vendor {v:?}; valid: tencent, feishu, dingtalk, huawei"
        ))
    })
}

fn tenant_of(
    app: &App,
    vendor: VendorId,
    id: Option<&str>,
) -> Result<Arc<Tenant>, (StatusCode, String)> {
    let id = id.ok_or_else(|| bad("`tenant` is required"))?;
    app.store
        .tenant(vendor, id)
        .ok_or_else(|| not_found(format!("tenant: no tenant {vendor}/{id}")))
}

/// `GET /__admin/behaviours?vendor=&tenant=`
pub fn list(app: &App, req: &AdminReq<'_>) -> AdminResult {
    let vendor = req.q("vendor").map(|v| vendor_of(Some(v))).transpose()?;
    let timeouts: Map<String, Value> = VendorId::ALL
        .iter()
        .map(|v| (v.as_str().to_string(), json!(ring_timeout_ms(*v))))
        .collect();
    Ok(json!({
        "default": Behaviour::default_spec(),
        "ring_timeout_ms": timeouts,
        "behaviours": app.store.living.declarations(vendor, req.q("tenant")),
    }))
}

fn field<T: DeserializeOwned>(
    o: &Map<String, Value>,
    name: &str,
    hint: &str,
) -> Result<Option<T>, String> {
    match o.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => serde_json::from_value(v.clone())
            .map(Some)
            .map_err(|_| format!("{name}: expected {hint}, got {v}")),
    }
}

/// One declaration's fields, each checked on its own so the message names it.
fn spec_of(o: &Map<String, Value>) -> Result<BehaviourSpec, String> {
    if let Some(k) = o
        .keys()
        .find(|k| !FIELDS.split(", ").any(|f| f == k.as_str()))
    {
        return Err(format!("unknown field `{k}`; valid: {FIELDS}"));
    }
    let text = "a string";
    Ok(BehaviourSpec {
        user: field(o, "user", text)?,
        number: field(o, "number", text)?,
        meeting: field(o, "meeting", text)?,
        alert: field::<AlertSpec>(o, "alert", &format!("{LATENCY} or \"never\""))?,
        ring: field::<DelaySpec>(o, "ring", LATENCY)?,
        outcome: field::<OutcomeSpec>(
            o,
            "outcome",
            "accept, decline, no_answer, busy, manual or {outcome: weight, …}",
        )?
        .ok_or("outcome is required (accept, decline, no_answer, busy, manual)")?,
        stay: field::<DelaySpec>(o, "stay", LATENCY)?,
        ring_timeout_ms: field(o, "ring_timeout_ms", "a whole number of ms")?,
    })
}

/// Validates one declaration of the body against its tenant.
fn declaration(app: &App, v: &Value) -> Result<Declaration, (StatusCode, String)> {
    let o = v
        .as_object()
        .ok_or_else(|| bad("a behaviour is a JSON object"))?;
    let vendor = vendor_of(o.get("vendor").and_then(Value::as_str))?;
    let t = tenant_of(app, vendor, o.get("tenant").and_then(Value::as_str))?;
    let spec = spec_of(o).map_err(bad)?;
    t.with(|d| {
        Declaration::resolve(
            vendor,
            &t.id,
            &spec,
            "<admin>",
            |u| d.user_any(u).map(callee_keys),
            |m| d.meetings.contains_key(m),
        )
    })
    .map_err(|e| match e {
        DeclError::Bad(m) => bad(m),
        DeclError::Unknown(m) => not_found(m),
    })
}

/// `PUT /__admin/behaviours` with one declaration or `{"behaviours": […]}`: every one is
/// validated before any is kept; each replaces the declaration of its scope.
pub fn put(app: &App, req: &AdminReq<'_>) -> AdminResult {
    let body = req.json()?;
    let (items, listed) = match body.get("behaviours") {
        Some(Value::Array(a)) => (a.clone(), true),
        Some(_) => return Err(bad("`behaviours` must be a list")),
        None => (vec![body], false),
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, v) in items.iter().enumerate() {
        out.push(declaration(app, v).map_err(|(s, m)| {
            if listed {
                (s, format!("behaviours[{i}]: {m}"))
            } else {
                (s, m)
            }
        })?);
    }
    let declared: Vec<_> = out.iter().map(DeclarationState::from).collect();
    app.store.living.declare(out);
    Ok(json!({ "declared": declared }))
}

/// `DELETE /__admin/behaviours?vendor=&tenant=[&user=|&number=][&meeting=]` removes the
/// declaration of exactly that scope; with no query at all, every declaration.
pub fn delete(app: &App, req: &AdminReq<'_>) -> AdminResult {
    if req.query.is_empty() {
        app.store.living.set_declarations(Vec::new());
        return Ok(json!({"cleared": true}));
    }
    let vendor = vendor_of(req.q("vendor"))?;
    let t = tenant_of(app, vendor, req.q("tenant"))?;
    let callee = match (req.q("user"), req.q("number")) {
        (Some(_), Some(_)) => return Err(bad("give `user` or `number`, not both")),
        (Some(u), None) => Some(Callee::User(
            t.with(|d| d.user_any(u).map(|x| x.id.clone()))
                .ok_or_else(|| {
                    not_found(format!("user: {u:?} is not a user of {vendor}/{}", t.id))
                })?,
        )),
        (None, Some(n)) => Some(Callee::Number(n.trim().to_string())),
        (None, None) => None,
    };
    let meeting = req.q("meeting");
    if app
        .store
        .living
        .undeclare(vendor, &t.id, meeting, callee.as_ref())
    {
        Ok(json!({"removed": true}))
    } else {
        Err(not_found(
            "no behaviour is declared for exactly that scope (see GET /__admin/behaviours)",
        ))
    }
}

/// `GET /__admin/behaviours/pending?vendor=&tenant=&meeting=&limit=`: calls with steps still
/// to come, the soonest first.
pub fn pending(app: &App, req: &AdminReq<'_>) -> AdminResult {
    let vendor = req.q("vendor").map(|v| vendor_of(Some(v))).transpose()?;
    let limit: usize = match req.q("limit") {
        Some(l) => l.parse().map_err(|_| bad("limit must be a whole number"))?,
        None => 100,
    };
    let (tenant, meeting) = (req.q("tenant"), req.q("meeting"));
    let mut calls = app.store.living.calls(true, |k| {
        vendor.is_none_or(|v| v == k.0)
            && tenant.is_none_or(|t| t == k.1)
            && meeting.is_none_or(|m| m == k.2)
    });
    calls.truncate(limit);
    Ok(json!({ "calls": calls, "next_due_ms": app.store.living.next_due_ms() }))
}
