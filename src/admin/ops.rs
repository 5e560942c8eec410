//! Admin operations on the server itself: health, routes, the request journal, fault rules and
//! vendor-specific actions.

use super::{bad, not_found, AdminReq, AdminResult};
use crate::app::App;
use crate::exchange::Reply;
use crate::faults::{Rule, RuleSpec};
use crate::journal::{EntryView, Filter};
use crate::store::VendorId;
use http::StatusCode;
use serde_json::{json, Value};

/// `GET /__admin/health`: 200 `ok`, or 503 `degraded` while the state file cannot be written.
/// `full` adds the counters; without it only liveness shows (no token needed, see access.rs).
pub fn health_reply(app: &App, full: bool) -> Reply {
    let failing = app.persist.failing();
    let mut v = json!({
        "status": if failing { "degraded" } else { "ok" },
        "version": env!("CARGO_PKG_VERSION"),
        "uptime_ms": app.started.elapsed().as_millis() as u64,
    });
    if full {
        let more = json!({
            "requests": app.requests(),
            "panics": app.stats.panics.load(std::sync::atomic::Ordering::Relaxed),
            "tenants": app.store.tenants().len(),
            // Tenants made on first use of an unknown credential: now, and since the start.
            "tenants_auto": app.store.tenants().iter().filter(|t| t.origin == crate::store::Origin::Auto).count(),
            "auto_provisioned": app.store.auto_provisioned(),
            "journal": {"kept": app.journal.len(), "capacity": app.journal.capacity()},
            "faults": app.faults.len(),
            "persist": app.persist.status(&app.config),
            "events": app.events.stats(),
        });
        if let (Some(v), Value::Object(more)) = (v.as_object_mut(), more) {
            v.extend(more);
        }
    }
    let status = if failing {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    Reply::json(status, &v)
}

/// Every emulated endpoint, from the registry.
pub fn route_list(app: &App) -> Vec<Value> {
    app.vendors
        .iter()
        .flat_map(|v| {
            v.routes().iter().map(move |r| {
                json!({
                    "vendor": v.id(),
                    "method": r.method.as_str(),
                    "path": r.path,
                    "operation": r.operation,
                    "auth": r.auth.describe(),
                })
            })
        })
        .collect()
}

/// `GET /__admin/routes`
pub fn routes(app: &App) -> Value {
    json!({ "routes": route_list(app) })
}

fn filter(req: &AdminReq<'_>) -> Result<Filter, (StatusCode, String)> {
    Ok(Filter {
        vendor: match req.q("vendor") {
            Some(v) => {
                Some(VendorId::parse(v).ok_or_else(|| bad(format!("unknown vendor {v:?}")))?)
            }
            None => None,
        },
        operation: req.q("operation").map(str::to_string),
        status: match req.q("status") {
            Some(s) => Some(
                s.parse()
                    .map_err(|_| bad(format!("status {s:?} is not a number")))?,
            ),
            None => None,
        },
        meeting: req.q("meeting").map(str::to_string),
        tenant: req.q("tenant").map(str::to_string),
        code: req.q("code").map(str::to_string),
    })
}

/// `GET /__admin/requests?vendor=&operation=&status=&meeting=&tenant=&code=&limit=&before=`
pub fn requests(app: &App, req: &AdminReq<'_>) -> AdminResult {
    let f = filter(req)?;
    let limit = match req.q("limit") {
        Some(l) => l.parse().map_err(|_| bad("limit must be a number"))?,
        None => 100,
    };
    // Paging: only entries older than `before` (a `seq` from an earlier page).
    let before = match req.q("before") {
        Some(b) => Some(
            b.parse::<u64>()
                .map_err(|_| bad("`before` must be an entry's seq (a whole number)"))?,
        ),
        None => None,
    };
    let listed = match before {
        None => app.journal.list(&f, limit),
        Some(_) => app.journal.list(&f, usize::MAX),
    };
    let entries: Vec<EntryView> = listed
        .iter()
        .filter(|e| before.is_none_or(|b| e.seq < b))
        .take(limit)
        .map(EntryView::from)
        .collect();
    Ok(json!({ "requests": entries }))
}

/// `GET /__admin/requests/count?…` (same filters).
pub fn count(app: &App, req: &AdminReq<'_>) -> AdminResult {
    let f = filter(req)?;
    Ok(json!({ "count": app.journal.count(&f) }))
}

/// `GET /__admin/faults`
pub fn faults(app: &App) -> Value {
    json!({ "faults": app.faults.list() })
}

/// `POST /__admin/faults` with one rule or `{"faults": [...]}`; all validated before any is added.
pub fn add_faults(app: &App, req: &AdminReq<'_>) -> AdminResult {
    let body = req.json()?;
    let specs: Vec<RuleSpec> = match body.get("faults") {
        Some(list) => serde_json::from_value(list.clone()),
        None => serde_json::from_value(body.clone()).map(|r| vec![r]),
    }
    .map_err(|e| bad(format!("not a fault rule: {e}")))?;
    let base = app.faults.len();
    let mut rules = Vec::new();
    for (i, s) in specs.iter().enumerate() {
        rules.push(
            Rule::compile(s, base + i, &app.vendors)
                .map_err(|e| bad(format!("faults[{i}]: {e}")))?,
        );
    }
    let names: Vec<String> = rules.iter().map(|r| r.name.clone()).collect();
    app.faults.add_all(rules);
    Ok(json!({ "added": names }))
}

/// `DELETE /__admin/faults/{name}`
pub fn remove_fault(app: &App, name: &str) -> AdminResult {
    if app.faults.remove(name) {
        Ok(json!({"removed": name}))
    } else {
        Err(not_found(format!("no fault rule named {name:?}")))
    }
}

/// `POST /__admin/faults/{name}/enable` / `disable`: a disabled rule is skipped (not even
/// counted) until enabled again; reset and reload bring every rule back on.
pub fn switch_fault(app: &App, name: &str, on: bool) -> AdminResult {
    if app.faults.set_enabled(name, on) {
        Ok(json!({"name": name, "enabled": on}))
    } else {
        Err(not_found(format!("no fault rule named {name:?}")))
    }
}

/// `POST /__admin/vendors/{vendor}/{action}`
pub fn vendor_action(app: &App, req: &AdminReq<'_>, vendor: &str, action: &str) -> AdminResult {
    let v = VendorId::parse(vendor).ok_or_else(|| bad(format!("unknown vendor {vendor:?}")))?;
    let body = req.json()?;
    let vd = app.vendor(v);
    match vd.admin(&app.store, action, &body) {
        Some(Ok(v)) => Ok(v),
        Some(Err(e)) => Err((
            StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST),
            e.message,
        )),
        None => Err(not_found(format!(
            "unknown {vendor} action {action:?}; valid: {}",
            vd.admin_actions().join(", ")
        ))),
    }
}
