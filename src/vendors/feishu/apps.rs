//! What meetmock knows about a Feishu app beyond its id and secret: self-built (企业自建) or
//! store (商店, ISV) app, the API scopes the tenant granted it, and its tenant key. Kept in the
//! tenant's vendor-owned settings (`TenantData::extra`), seeded by a scenario's tenant
//! `extra:` and changed with the admin action `app`.
//!
//! Sources: the access-token overview (self-built apps use `*/internal`; store apps get an
//! `app_ticket` pushed hourly and exchange it), the scope pages (`权限要求` of every API), the
//! generic error-code page (99991672 when the app lacks the API's scope).

use crate::store::{splitmix64, TenantData};
use crate::vendors::AdminError;
use serde_json::{json, Map, Value};

/// How the app was built, which decides its token flows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppType {
    /// 企业自建应用: `tenant_access_token/internal`, app token = tenant token.
    SelfBuilt,
    /// 应用商店应用 (ISV): `app_ticket` → `a-` app token → per-tenant `t-` token.
    Store,
}

/// The app's type (`extra.app_type`: `self_built`, the default, or `store`).
pub fn app_type(d: &TenantData) -> AppType {
    match d.extra.get("app_type").and_then(Value::as_str) {
        Some("store") => AppType::Store,
        _ => AppType::SelfBuilt,
    }
}

/// The scopes the tenant granted the app; `None` means every scope (the default, so a
/// scenario that does not care about scopes never meets 99991672).
pub fn granted_scopes(d: &TenantData) -> Option<Vec<String>> {
    let list = d.extra.get("scopes")?.as_array()?;
    Some(
        list.iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
    )
}

/// A stable tenant key for an app (meetmock has one tenant per app): the `tenant_key` of
/// user profiles and the one a store app must name to get a tenant token.
pub fn tenant_key(app: &str) -> String {
    let h = splitmix64(
        app.bytes()
            .fold(0u64, |a, b| a.wrapping_mul(31).wrapping_add(b as u64)),
    );
    format!("{h:016x}")
}

/// Validates settings written by a scenario or the admin API: `app_type` is `self_built` or
/// `store`, `scopes` a list of strings or null, `ws_client_config` the long connection's
/// `ClientConfig` overrides (`longconn.rs`). Unknown keys are refused.
pub fn validate(settings: &Map<String, Value>) -> Result<(), String> {
    for (k, v) in settings {
        match k.as_str() {
            "app_type" => match v.as_str() {
                Some("self_built") | Some("store") => {}
                _ => return Err("`app_type` must be \"self_built\" or \"store\"".into()),
            },
            "scopes" => {
                let ok = v.is_null()
                    || v.as_array().is_some_and(|a| {
                        a.iter().all(|s| s.as_str().is_some_and(|s| !s.is_empty()))
                    });
                if !ok {
                    return Err("`scopes` must be a list of scope names, or null for all".into());
                }
            }
            "ws_client_config" => super::longconn::validate_client_config(v)?,
            other => {
                return Err(format!(
                "unknown feishu app setting {other:?}; valid: app_type, scopes, ws_client_config"
            ))
            }
        }
    }
    Ok(())
}

/// Admin `app {"app_id", "app_type"?, "scopes"?}`: changes the app's settings (all or
/// nothing; `scopes: null` grants every scope again) and answers the settings now in force.
pub fn admin_app(store: &crate::store::Store, body: &Value) -> Result<Value, AdminError> {
    let app = body.get("app_id").and_then(Value::as_str).unwrap_or("");
    let t = store
        .tenant(crate::store::VendorId::Feishu, app)
        .ok_or_else(|| AdminError::not_found(format!("no feishu app {app:?}")))?;
    let mut changes = body.as_object().cloned().unwrap_or_default();
    changes.remove("app_id");
    validate(&changes).map_err(AdminError::bad_request)?;
    Ok(t.with(|d| {
        for (k, v) in changes {
            if v.is_null() {
                d.extra.remove(&k);
            } else {
                d.extra.insert(k, v);
            }
        }
        json!({
            "app_id": t.id,
            "app_type": if app_type(d) == AppType::Store { "store" } else { "self_built" },
            "scopes": granted_scopes(d),
            "ws_client_config": d.extra.get("ws_client_config"),
            "tenant_key": tenant_key(&t.id),
        })
    }))
}
