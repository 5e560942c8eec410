//! Huawei Cloud Meeting (华为云会议): login and tokens, meeting management and meeting control,
//! centred on InviteParticipant. See `docs/vendors/huawei.md` and the notes
//! `vendors/huawei.md`; each file names the API reference page it mirrors.
//!
//! Layout: `routes.rs` (table), `auth.rs` (logins incl. proxy, the authenticator),
//! `appauth.rs` (App-ID login and its HMAC signature), `tokens.rs` (token APIs), `users.rs`
//! (user management, corporate directory), `errors.rs` (the catalogue + envelope), `schema.rs`
//! (request DTOs, attendee checks), `views.rs` (response shapes), `meetings.rs` and `update.rs`
//! (management), `history.rs` (history, number lookup), `locate.rs` (a conference's
//! enterprise), `conftoken.rs` (control and WebSocket tokens, chair-password lockout),
//! `control.rs` (control gate and control APIs), `participants.rs` (per-participant controls,
//! InviteWithPwd), `invite.rs` (InviteParticipant), `resource.rs` (the enterprise's
//! concurrent parties, 111076004), `events.rs` + `events_info.rs` + `events_wire.rs`
//! (the enterprise event push: catalogue, payloads, body and signature), `webhook.rs` (its configuration
//! endpoints), `ws.rs` + `ws_frames.rs` (the meeting-control WebSocket: session and frames).

mod appauth;
mod auth;
mod conftoken;
mod control;
mod errors;
pub mod events;
mod events_info;
mod events_wire;
mod history;
mod invite;
mod locate;
mod meetings;
mod participants;
mod resource;
mod routes;
mod schema;
mod tokens;
mod update;
mod users;
mod views;
mod webhook;
mod ws;
mod ws_frames;

use crate::exchange::{Exchange, Reply};
use crate::store::{Store, VendorId};
use crate::vendors::{Auth, ErrorDef, RateLimitDef, Route, Vendor};

pub use errors::ERRORS;
pub use routes::ROUTES;

/// The Huawei vendor.
pub struct Huawei;

/// The flow-control limit applied when a scenario switches limits on (`rate_limits: {huawei:
/// documented}`). DEVIATION: Huawei documents no per-API numbers; 50 calls/s per tenant and
/// operation stands in. Off by default.
static LIMITS: &[RateLimitDef] = &[RateLimitDef {
    limit: 50,
    window_secs: 1,
    per_operation: true,
}];

impl Vendor for Huawei {
    fn id(&self) -> VendorId {
        VendorId::Huawei
    }
    fn routes(&self) -> &'static [Route] {
        ROUTES
    }
    fn prefixes(&self) -> &'static [&'static str] {
        &["/v1/mmc/", "/v1/usg/", "/v2/usg/", "/v2/mms/"]
    }
    fn request_id_header(&self) -> &'static str {
        "X-Request-Id"
    }
    fn new_request_id(&self, store: &Store) -> String {
        store.secrets.hex(32)
    }
    fn authenticate(&self, ex: &mut Exchange<'_>, auth: Auth) -> Result<(), Reply> {
        auth::authenticate(ex, auth)
    }
    fn not_found(&self, _ex: &Exchange<'_>) -> Reply {
        errors::fail("api_not_found")
    }
    fn errors(&self) -> &'static [ErrorDef] {
        ERRORS
    }
    fn render_error(&self, _ex: &Exchange<'_>, err: &ErrorDef, detail: Option<&str>) -> Reply {
        errors::render(err, detail)
    }
    fn body_too_large(&self, _ex: &Exchange<'_>) -> Reply {
        errors::fail("request_too_large")
    }
    fn internal_error(&self, _ex: &Exchange<'_>) -> Reply {
        errors::fail("internal_error")
    }
    fn rate_limits(&self, _route: &Route) -> &'static [RateLimitDef] {
        LIMITS
    }
    fn rate_limited(&self, _ex: &Exchange<'_>, _def: &RateLimitDef, _reset: u64) -> Reply {
        errors::fail("server_flow_control")
    }
    fn tenant_hint(&self, ex: &Exchange<'_>) -> Option<String> {
        auth::tenant_hint(ex)
    }
    fn events(&self) -> Option<&'static dyn crate::vendors::events::EventFormat> {
        Some(&events::HuaweiEvents)
    }
    fn websockets(&self) -> Vec<crate::ws::Route> {
        ws::routes()
    }
    /// `concurrent_participants`: the enterprise's concurrent parties (`resource.rs`).
    fn validate_tenant_extra(
        &self,
        extra: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<(), String> {
        resource::validate(extra)
    }
}
