//! Tencent Meeting (腾讯会议 / wemeet) REST API: AK/SK signatures, meetings, invitees,
//! cancel/dismiss, participants and real-time control.
//!
//! Mirrors cloud.tencent.com/document/product/1095 and the official Python SDK
//! `wemeet-openapi-sdk-python` 1.0.10. Layout: `routes.rs` (table + router tests), `auth.rs`
//! (signature, time window), `replay.rs` (used nonces per app), `errors.rs` (THE catalogue and envelope),
//! `schema.rs` (request DTOs), `ctx.rs` (handler helpers, MeetingInfo), `meetings.rs`,
//! `invitees.rs`, `guests.rs`, `lifecycle.rs`, `control.rs` (participants, status),
//! `realctl.rs` (mutes, names), `incall.rs` (kickout, co-hosts, history), `waiting.rs`,
//! `users.rs`, `activation.rs`, `state.rs`; event callbacks in `events.rs` (+ `events_items.rs`,
//! `events_settings.rs`, `events_wire.rs`). See docs/vendors/tencent.md.
//!
//! Tenants: tenant id = AppId, secret = SecretKey, credentials `secret_id` (X-TC-Key) and
//! `sdk_id`. Tencent tenants are strict (see `auth.rs`): new apps come from scenarios or the
//! `apps` admin action.

mod activation;
mod auth;
/// The request signature, public for the micro-benchmarks and for clients written in Rust.
pub use auth::{sign, string_to_sign};
mod control;
mod ctx;
mod errors;
pub mod events;
mod events_items;
mod events_settings;
mod events_wire;
mod guests;
mod incall;
mod invitees;
mod lifecycle;
mod meetings;
mod realctl;
mod replay;
mod routes;
mod schema;
mod state;
mod users;
mod waiting;

use crate::exchange::{Exchange, Reply};
use crate::store::{Origin, Store, Tenant, User, VendorId};
use crate::vendors::{AdminError, Auth, ErrorDef, RateLimitDef, Route, Vendor};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The Tencent vendor. Owns the replay cache of (timestamp, nonce) pairs per app (see
/// `replay.rs` for its lock and expiry); one instance per running server.
#[derive(Default)]
pub struct Tencent {
    replay: replay::ReplayCache,
}

/// 300 calls/min/app (190310) and 200 000/day/app (190311) over all APIs.
static LIMITS: &[RateLimitDef] = &[
    RateLimitDef {
        limit: 300,
        window_secs: 60,
        per_operation: false,
    },
    RateLimitDef {
        limit: 200_000,
        window_secs: 86_400,
        per_operation: false,
    },
];

/// Account-level (enterprise) APIs add 100/min/app per API (190313, /1095/105276): here, the
/// user directory.
static ACCOUNT_LIMITS: &[RateLimitDef] = &[
    RateLimitDef {
        limit: 300,
        window_secs: 60,
        per_operation: false,
    },
    RateLimitDef {
        limit: 200_000,
        window_secs: 86_400,
        per_operation: false,
    },
    RateLimitDef {
        limit: 100,
        window_secs: 60,
        per_operation: true,
    },
];

impl Vendor for Tencent {
    fn id(&self) -> VendorId {
        VendorId::Tencent
    }
    fn routes(&self) -> &'static [Route] {
        routes::ROUTES
    }
    fn prefixes(&self) -> &'static [&'static str] {
        &["/v1/", "/tencent/"]
    }
    // [INF] Tencent documents no request-id response header.
    fn request_id_header(&self) -> &'static str {
        "X-Request-Id"
    }
    fn new_request_id(&self, store: &Store) -> String {
        store.secrets.hex(32)
    }
    fn authenticate(&self, ex: &mut Exchange<'_>, auth: Auth) -> Result<(), Reply> {
        if auth != Auth::Signature {
            return Ok(());
        }
        auth::verify(ex, &self.replay).map_err(|e| match e {
            auth::Refusal::Gateway(e) => errors::fail(ex, e),
            auth::Refusal::Param(what) => errors::invalid(ex, what),
        })
    }
    fn not_found(&self, ex: &Exchange<'_>) -> Reply {
        errors::render(ex.route.operation, &errors::API_NOT_FOUND, None)
    }
    fn errors(&self) -> &'static [ErrorDef] {
        errors::ERRORS
    }
    fn render_error(&self, ex: &Exchange<'_>, err: &ErrorDef, detail: Option<&str>) -> Reply {
        errors::render(ex.route.operation, err, detail)
    }
    // [INF] the gateway's answer to an oversized body is undocumented: a param error.
    fn body_too_large(&self, ex: &Exchange<'_>) -> Reply {
        errors::fail_with(
            ex,
            &errors::INVALID_PARAM,
            "failed to unmarshal req body: request body too large",
        )
    }
    fn internal_error(&self, ex: &Exchange<'_>) -> Reply {
        errors::fail_with(ex, &errors::INTERNAL, "internal error")
    }
    fn rate_limits(&self, route: &Route) -> &'static [RateLimitDef] {
        if route.operation.starts_with("v1_users_") {
            ACCOUNT_LIMITS
        } else {
            LIMITS
        }
    }
    fn rate_limited(&self, ex: &Exchange<'_>, def: &RateLimitDef, _reset: u64) -> Reply {
        let err = if def.window_secs > 60 {
            &errors::DAILY_LIMIT
        } else if def.per_operation {
            &errors::API_LIMIT
        } else {
            &errors::RATE_LIMITED
        };
        errors::fail(ex, err)
    }
    fn admin(
        &self,
        store: &Store,
        action: &str,
        body: &Value,
    ) -> Option<Result<Value, AdminError>> {
        match action {
            "apps" => Some(provision(store, body)),
            "forget-nonces" => {
                self.replay.clear();
                Some(Ok(json!({ "cleared": true })))
            }
            _ => None,
        }
    }
    fn admin_actions(&self) -> &'static [&'static str] {
        &["apps", "forget-nonces"]
    }
    fn tenant_hint(&self, ex: &Exchange<'_>) -> Option<String> {
        ex.header("appid").map(str::to_string)
    }
    fn export_state(&self) -> Option<Value> {
        self.replay.export()
    }
    fn check_state(&self, state: &Value) -> Result<(), String> {
        replay::ReplayCache::check(state)
    }
    fn import_state(&self, state: Option<&Value>) {
        self.replay.import(state);
    }
    fn events(&self) -> Option<&'static dyn crate::vendors::events::EventFormat> {
        Some(&events::TencentEvents)
    }
}

/// `POST /__admin/vendors/tencent/apps` `{"app_id","sdk_id","secret_id","secret_key","users"}`:
/// declares an app at runtime (replacing one with the same AppId). Forgotten on reset, like
/// all runtime state; declare it in a scenario to keep it.
fn provision(store: &Store, body: &Value) -> Result<Value, AdminError> {
    let field = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_string);
    let app_id = field("app_id").filter(|s| !s.is_empty());
    let secret_id = field("secret_id").filter(|s| !s.is_empty());
    let secret_key = field("secret_key").filter(|s| !s.is_empty());
    let (Some(app_id), Some(secret_id), Some(secret_key)) = (app_id, secret_id, secret_key) else {
        return Err(AdminError::bad_request(
            "`app_id`, `secret_id` and `secret_key` are required (`sdk_id`, `users` optional)",
        ));
    };
    let users: Vec<User> = match body.get("users") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => serde_json::from_value(v.clone()).map_err(|e| {
            AdminError::bad_request(format!("`users` must be a list of users: {e}"))
        })?,
    };
    let mut creds = BTreeMap::from([("secret_id".to_string(), secret_id)]);
    if let Some(sdk) = field("sdk_id").filter(|s| !s.is_empty()) {
        creds.insert("sdk_id".into(), sdk);
    }
    let t = store.put_tenant(Tenant::new(
        VendorId::Tencent,
        app_id.clone(),
        secret_key,
        creds,
        Origin::Auto,
    ));
    let n = users.len();
    t.with(|d| users.into_iter().for_each(|u| d.put_user(u)));
    Ok(json!({ "app_id": app_id, "users": n }))
}
