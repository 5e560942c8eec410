//! `/__admin/subscriptions`: event subscriptions per tenant — list, create (with the vendor's
//! URL-verification handshake), replace, delete, pause, resume, verify again. A refused body is
//! a 400 naming the field, and changes nothing.

use super::{bad, not_found, AdminReq, AdminResult};
use crate::app::App;
use crate::events::spec::{vendor_of, view, SubscriptionSpec};
use crate::store::{SubscriptionOrigin, VendorId, Verification};
use crate::vendors::events::{EventFormat, FieldError};
use http::StatusCode;
use serde_json::{json, Value};
use std::sync::Arc;

fn field(e: FieldError) -> (StatusCode, String) {
    bad(e.to_string())
}

fn spec(req: &AdminReq<'_>) -> Result<SubscriptionSpec, (StatusCode, String)> {
    let body = req.json()?;
    if !body.is_object() {
        return Err(bad("the body must be a JSON object"));
    }
    serde_json::from_value(body).map_err(|e| bad(format!("not a subscription: {e}")))
}

fn format_of(app: &App, v: VendorId) -> Result<&'static dyn EventFormat, (StatusCode, String)> {
    app.vendor(v).events().ok_or_else(|| {
        bad(format!(
            "`vendor`: {v} has no event format yet; vendors with events: {}",
            app.vendors
                .iter()
                .filter(|x| x.events().is_some())
                .map(|x| x.id().as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })
}

fn show(app: &App, id: &str) -> AdminResult {
    let s = app
        .store
        .subscriptions
        .get(id)
        .ok_or_else(|| not_found(format!("no subscription {id:?}")))?;
    Ok(shown(app, &s))
}

/// A subscription's view, with the clients connected for it when its clients connect to
/// meetmock (Stream mode).
fn shown(app: &App, s: &crate::store::Subscription) -> Value {
    let mut v = view(s, app.events.unfinished_of(&s.id));
    if s.mode != crate::store::Mode::Webhook {
        v["connected"] = json!(app.events.live.count(s.vendor, &s.tenant));
    }
    v
}

/// `GET /__admin/subscriptions?vendor=&tenant=`
pub fn list(app: &App, req: &AdminReq<'_>) -> AdminResult {
    let vendor = match req.q("vendor") {
        Some(v) => Some(VendorId::parse(v).ok_or_else(|| bad(format!("unknown vendor {v:?}")))?),
        None => None,
    };
    let tenant = req.q("tenant");
    let list: Vec<Value> = app
        .store
        .subscriptions
        .all()
        .iter()
        .filter(|s| vendor.is_none_or(|v| s.vendor == v))
        .filter(|s| tenant.is_none_or(|t| s.tenant == t))
        .map(|s| shown(app, s))
        .collect();
    Ok(json!({ "subscriptions": list }))
}

/// `GET /__admin/subscriptions/{id}`
pub fn get(app: &App, id: &str) -> AdminResult {
    show(app, id)
}

/// Runs the handshake when asked (default), then answers the subscription.
async fn settle(app: &Arc<App>, id: &str, verify: bool) -> AdminResult {
    if verify {
        app.events
            .verify(app, id)
            .await
            .map_err(|e| (StatusCode::CONFLICT, e))?;
    }
    app.events.wake();
    show(app, id)
}

/// `POST /__admin/subscriptions` with `{"vendor","tenant","url", <secret fields>…}`.
pub async fn create(app: &Arc<App>, req: &AdminReq<'_>) -> AdminResult {
    let spec = spec(req)?;
    let vendor = vendor_of(&spec).map_err(field)?;
    let format = format_of(app, vendor)?;
    let tenant = spec
        .tenant
        .clone()
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| bad("`tenant`: is required"))?;
    if app.store.is_strict(vendor) && app.store.tenant(vendor, &tenant).is_none() {
        return Err(bad(format!(
            "`tenant`: {vendor}/{tenant} is not declared (strict tenants)"
        )));
    }
    if spec.ca_file.is_some() {
        return Err(bad(
            "`ca_file`: the admin API takes the PEM text as `ca_pem`",
        ));
    }
    let id = app.store.subscriptions.next_id(vendor, &tenant);
    let mut sub = spec
        .build(format, &tenant, id, SubscriptionOrigin::Admin)
        .map_err(field)?;
    if format.one_per_tenant() {
        if let Some(old) = app.store.subscriptions.of_tenant(vendor, &tenant).first() {
            return Err((
                StatusCode::CONFLICT,
                format!(
                    "{vendor} allows one subscription per tenant and {tenant} has {:?}; replace it with PUT /__admin/subscriptions/{}",
                    old.id, old.id
                ),
            ));
        }
    }
    let verify = spec.verify.unwrap_or(true);
    if verify {
        sub.verification = Verification::Checking;
    }
    let id = sub.id.clone();
    app.store
        .subscriptions
        .insert(sub)
        .map_err(|e| (StatusCode::CONFLICT, e.to_string()))?;
    settle(app, &id, verify).await
}

/// `PUT /__admin/subscriptions/{id}`: replaces every field but vendor, tenant and id; the
/// handshake runs again (unless `"verify": false`).
pub async fn replace(app: &Arc<App>, req: &AdminReq<'_>, id: &str) -> AdminResult {
    let old = app
        .store
        .subscriptions
        .get(id)
        .ok_or_else(|| not_found(format!("no subscription {id:?}")))?;
    let spec = spec(req)?;
    if spec
        .vendor
        .as_deref()
        .is_some_and(|v| VendorId::parse(v) != Some(old.vendor))
    {
        return Err(bad("`vendor`: a subscription's vendor cannot change"));
    }
    if spec.tenant.as_deref().is_some_and(|t| t != old.tenant) {
        return Err(bad("`tenant`: a subscription's tenant cannot change"));
    }
    if spec.id.as_deref().is_some_and(|i| i != id) {
        return Err(bad("`id`: a subscription's id cannot change"));
    }
    let format = format_of(app, old.vendor)?;
    let mut new = spec
        .build(format, &old.tenant, id.to_string(), old.origin)
        .map_err(field)?;
    let verify = spec.verify.unwrap_or(true);
    new.verification = if verify {
        Verification::Checking
    } else {
        old.verification
    };
    app.store.subscriptions.put(new);
    settle(app, id, verify).await
}

/// `DELETE /__admin/subscriptions/{id}`: its waiting deliveries are dropped.
pub fn remove(app: &App, id: &str) -> AdminResult {
    app.store
        .subscriptions
        .remove(id)
        .map_err(|e| not_found(e.to_string()))?;
    app.events.wake();
    Ok(json!({ "removed": id }))
}

/// `POST /__admin/subscriptions/{id}/{pause|resume|verify}`
pub async fn action(app: &Arc<App>, id: &str, action: &str) -> AdminResult {
    let paused = match action {
        "pause" => true,
        "resume" => false,
        "verify" => return settle(app, id, true).await,
        other => {
            return Err(not_found(format!(
                "unknown subscription action {other:?}; valid: pause, resume, verify"
            )))
        }
    };
    app.store
        .subscriptions
        .update(id, |s| s.paused = paused)
        .map_err(|e| not_found(e.to_string()))?;
    app.events.wake();
    show(app, id)
}
