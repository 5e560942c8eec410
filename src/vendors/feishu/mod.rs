//! Feishu / Lark open platform, VC v1 "invite participants" and its lifecycle.
//!
//! Mirrors open.feishu.cn `server-docs/vc-v1/*`, the auth v3 / authen / OAuth pages and
//! `contact-v3/user/*`, exact to what the official SDKs send and parse (Python `lark-oapi`,
//! Node `@larksuiteoapi/node-sdk`, Go `oapi-sdk-go/v3`, Java `oapi-sdk`;
//! `shared/vendors/feishu.md`). Files: `routes.rs` (the table), `auth.rs` (gateway auth, log
//! ids), `scopes.rs` (API scopes), `apps.rs` (self-built / store apps, granted scopes),
//! `errors.rs` (the catalogue and envelopes), `schema.rs` (wire DTOs, user id types),
//! `view.rs` (meeting/reserve JSON), `tokens.rs` (app-level tokens), `grants.rs` (login codes,
//! refresh tokens), `authen.rs` (authen v1), `oauth.rs` (OAuth v2/v3), `reserves.rs`,
//! `meetings.rs`, `invite.rs` (invite, kickout, set_host), `recording.rs`, `reports.rs`
//! (meeting_list, participant_list), `contact.rs`, `events.rs` + `events_body.rs` +
//! `events_wire.rs` (event callbacks), `longconn.rs` + `pbbp2.rs` (the long connection).

mod apps;
mod auth;
mod authen;
mod contact;
mod errors;
pub mod events;
mod events_body;
mod events_wire;
mod grants;
mod invite;
mod longconn;
mod meetings;
mod oauth;
mod pbbp2;
mod recording;
mod reports;
mod reserves;
mod routes;
mod schema;
mod scopes;
mod tokens;
mod view;

use crate::exchange::{Exchange, Reply};
use crate::store::{Store, VendorId};
use crate::vendors::{AdminError, Auth, ErrorDef, RateLimitDef, Route, Vendor};
use http::StatusCode;
use serde_json::{json, Value};

/// The Feishu vendor.
pub struct Feishu;

/// 50/s and 1000/min per API, per app, per tenant [doc frequency-control].
static DOCUMENTED_LIMITS: &[RateLimitDef] = &[
    RateLimitDef {
        limit: 50,
        window_secs: 1,
        per_operation: true,
    },
    RateLimitDef {
        limit: 1000,
        window_secs: 60,
        per_operation: true,
    },
];

/// 100/min per API, per app [doc: the meeting_list, participant_list, list_by_no pages].
static REPORT_LIMITS: &[RateLimitDef] = &[RateLimitDef {
    limit: 100,
    window_secs: 60,
    per_operation: true,
}];

/// The APIs whose doc page states "100 次/分钟".
const REPORT_OPERATIONS: &[&str] = &[
    "meeting_list.get",
    "participant_list.get",
    "meeting.list_by_no",
];

/// The APIs whose doc page states "1000 次/分钟、50 次/秒".
const LIMITED_OPERATIONS: &[&str] = &[
    "authen.oidc_access_token.create",
    "authen.oidc_refresh_access_token.create",
    "authen.oauth.token",
    "reserve.apply",
    "reserve.get",
    "reserve.update",
    "reserve.delete",
    "reserve.get_active_meeting",
    "meeting.get",
    "meeting.invite",
    "meeting.kickout",
    "meeting.set_host",
    "meeting.end",
    "meeting.recording.get",
    "meeting.recording.set_permission",
    "contact.user.batch_get_id",
    "contact.user.get",
];

impl Vendor for Feishu {
    fn id(&self) -> VendorId {
        VendorId::Feishu
    }
    fn routes(&self) -> &'static [Route] {
        routes::ROUTES
    }
    fn prefixes(&self) -> &'static [&'static str] {
        &["/open-apis/", "/oauth/", "/callback/"]
    }
    fn request_id_header(&self) -> &'static str {
        "X-Tt-Logid"
    }
    fn new_request_id(&self, store: &Store) -> String {
        auth::new_log_id(store)
    }
    fn authenticate(&self, ex: &mut Exchange<'_>, auth: Auth) -> Result<(), Reply> {
        auth::authenticate(ex, auth)
    }
    /// The live gateway answers unknown paths and wrong methods in plain text [obs].
    fn not_found(&self, _ex: &Exchange<'_>) -> Reply {
        Reply::text(StatusCode::NOT_FOUND, "404 page not found")
    }
    fn errors(&self) -> &'static [ErrorDef] {
        errors::ERRORS
    }
    fn render_error(&self, ex: &Exchange<'_>, err: &ErrorDef, detail: Option<&str>) -> Reply {
        if err.code == errors::RATE_LIMITED.code {
            // An injected 99991400 carries the headers of the route's per-second limit, so it
            // equals the real refusal byte for byte.
            if let Some(def) = self.rate_limits(ex.route).first() {
                return self.rate_limited(ex, def, 1);
            }
        }
        errors::render(ex, err, detail)
    }
    // DEVIATION: the gateway's own answer to oversized bodies is undocumented; 121003 keeps
    // the SDK parsing JSON.
    fn body_too_large(&self, ex: &Exchange<'_>) -> Reply {
        errors::fail_with(ex, &errors::PARAM, "request body too large")
    }
    fn internal_error(&self, ex: &Exchange<'_>) -> Reply {
        errors::fail(ex, &errors::INTERNAL)
    }
    fn rate_limits(&self, route: &Route) -> &'static [RateLimitDef] {
        if LIMITED_OPERATIONS.contains(&route.operation) {
            DOCUMENTED_LIMITS
        } else if REPORT_OPERATIONS.contains(&route.operation) {
            REPORT_LIMITS
        } else {
            &[]
        }
    }
    fn rate_limits_on_by_default(&self) -> bool {
        true
    }
    /// 429 + 99991400 with the `x-ogw-ratelimit-*` headers [doc frequency-control].
    fn rate_limited(&self, ex: &Exchange<'_>, def: &RateLimitDef, reset_secs: u64) -> Reply {
        errors::fail(ex, &errors::RATE_LIMITED)
            .with_header("x-ogw-ratelimit-limit", &def.limit.to_string())
            .with_header("x-ogw-ratelimit-reset", &reset_secs.to_string())
    }
    fn admin(
        &self,
        store: &Store,
        action: &str,
        body: &Value,
    ) -> Option<Result<Value, AdminError>> {
        Some(match action {
            "login_code" => grants::admin_login_code(store, body),
            "revoke" => grants::admin_revoke(store, body),
            "calling" => admin_calling(store, body),
            "app" => apps::admin_app(store, body),
            "app_ticket" => tokens::admin_app_ticket(store, body),
            _ => return None,
        })
    }
    fn admin_actions(&self) -> &'static [&'static str] {
        &["login_code", "revoke", "calling", "app", "app_ticket"]
    }
    /// A reserve keeps its id; the meeting id comes into being when the meeting starts
    /// [doc: invite page, "视频会议开始后才会产生"]: 19 digits like the doc examples.
    fn started_meeting_id(&self, store: &Store) -> Option<String> {
        Some(store.ids.digits(19))
    }
    fn validate_tenant_extra(&self, extra: &serde_json::Map<String, Value>) -> Result<(), String> {
        apps::validate(extra)
    }
    fn tenant_hint(&self, ex: &Exchange<'_>) -> Option<String> {
        auth::tenant_hint(ex)
    }
    fn events(&self) -> Option<&'static dyn crate::vendors::events::EventFormat> {
        Some(&events::FeishuEvents)
    }
}

/// Admin `calling {"app_id","meeting","calling": bool}`: puts a running meeting in Feishu's
/// "calling" status (1), where in-meeting operations answer 122001.
fn admin_calling(store: &Store, body: &Value) -> Result<Value, AdminError> {
    let s = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let t = store
        .tenant(VendorId::Feishu, &s("app_id"))
        .ok_or_else(|| AdminError::not_found(format!("no feishu app {:?}", s("app_id"))))?;
    let on = body.get("calling").and_then(Value::as_bool).unwrap_or(true);
    t.with(|d| {
        let m = d
            .meeting_mut(&s("meeting"))
            .map_err(|e| AdminError::not_found(e.to_string()))?;
        m.set_extra("calling", Value::Bool(on));
        Ok(json!({"meeting": m.id, "status": view::status(m)}))
    })
}
