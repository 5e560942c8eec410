//! Admin operations on the server itself: health, the vendor route list and vendor-specific
//! actions.

use super::{bad, not_found, AdminReq, AdminResult};
use crate::app::App;
use crate::exchange::Reply;
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
