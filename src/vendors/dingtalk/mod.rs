//! DingTalk video conference (conference_1_0) on `api.dingtalk.com`, plus the app token calls
//! (oauth2_1_0 `/v1.0/oauth2/accessToken` and the legacy oapi `/gettoken`).
//!
//! Mirrors the seed page "invite-users-to-join" and the fidelity notes
//! `vendors/dingtalk.md`. Layout: `routes` (table), `auth` (token header), `gateway` (the
//! gateway's own parameter checks), `tokens` (internal, third-party and legacy tokens),
//! `conferences` (create / info / close / batch / user's list), `invite`, `members`,
//! `controls` (kick, mute, co-hosts, lock, nick, focus, settings), `schedule` (scheduled
//! conferences), `queries` (room code, org list, data, details), `contact` (the old gateway's
//! user lookups), `schema` (wire shapes), `errors` (THE catalogue and envelopes); `events`,
//! `events_model`, `events_wire` (event callbacks: catalogue, HTTP push crypto).
//! Tenant = appKey (or suiteKey); users' primary id = unionId, staff `userId` as alias.

mod auth;
mod conferences;
mod contact;
mod controls;
mod errors;
pub mod events;
mod events_failed;
mod events_model;
pub mod events_wire;
mod gateway;
mod invite;
mod members;
mod queries;
mod routes;
mod schedule;
mod schema;
pub mod stream;
mod stream_frames;
mod tokens;

use crate::exchange::{Exchange, Reply};
use crate::store::{Store, VendorId};
use crate::vendors::{Auth, ErrorDef, RateLimitDef, Route, Vendor};
use http::StatusCode;

pub(crate) const VENDOR: VendorId = VendorId::Dingtalk;

/// [INF] per (appKey, API) ~20 QPS (notes §8, third-party reports); off unless a scenario
/// says `rate_limits: {dingtalk: documented}`.
static LIMITS: &[RateLimitDef] = &[RateLimitDef {
    limit: 20,
    window_secs: 1,
    per_operation: true,
}];

/// The DingTalk vendor.
pub struct Dingtalk;

impl Vendor for Dingtalk {
    fn id(&self) -> VendorId {
        VENDOR
    }
    fn routes(&self) -> &'static [Route] {
        routes::ROUTES
    }
    fn prefixes(&self) -> &'static [&'static str] {
        &["/v1.0/", "/gettoken", "/topapi/"]
    }
    /// The gateway's request id header; its value is the body's `requestid` (notes §7).
    fn request_id_header(&self) -> &'static str {
        "x-acs-request-id"
    }
    /// Uppercase UUID-like, e.g. `01A08FE7-CD6B-79BB-8B2E-35D8768AD457` (notes §7).
    fn new_request_id(&self, store: &Store) -> String {
        let h = store.secrets.hex_upper(32);
        format!(
            "{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        )
    }
    /// The token first, then the gateway's parameter checks (`gateway.rs`), both before the
    /// service.
    fn authenticate(&self, ex: &mut Exchange<'_>, auth: Auth) -> Result<(), Reply> {
        auth::authenticate(ex, auth)?;
        gateway::check(ex)
    }
    /// [INF] `/v1.0/…`: HTTP 404 with the flat envelope (`InvalidAction.NotFound`), so the SDK
    /// raises a clean error; the notes' recommendation. Elsewhere (`/gettoken…`, the old oapi
    /// gateway): HTTP 200 `{"errcode":404,"errmsg":"请求的URI地址不存在"}` as observed.
    /// `videoConferences//…` (empty conference id) is the seed's paramsError.
    fn not_found(&self, ex: &Exchange<'_>) -> Reply {
        if ex.path.starts_with("/v1.0/conference/videoConferences//") {
            return errors::params(ex, "conferenceId is empty");
        }
        if ex.path.starts_with("/v1.0/") {
            return errors::err(ex, "api_not_found", None);
        }
        Reply::json_as(
            StatusCode::OK,
            "application/json",
            &serde_json::json!({"errcode": 404, "errmsg": "请求的URI地址不存在"}),
        )
        .with_code("404")
    }
    fn errors(&self) -> &'static [ErrorDef] {
        errors::ERRORS
    }
    fn render_error(&self, ex: &Exchange<'_>, err: &ErrorDef, detail: Option<&str>) -> Reply {
        if detail.is_none() && err.message.contains("%s") && err.code.starts_with("Forbidden") {
            // An injected throttle names a ban ending one second from now.
            let end = errors::ban_end_text(ex.now_ms + 1000);
            return errors::render(ex, err, Some(&end));
        }
        errors::render(ex, err, detail)
    }
    fn body_too_large(&self, ex: &Exchange<'_>) -> Reply {
        errors::err(ex, "body_too_large", None)
    }
    fn internal_error(&self, ex: &Exchange<'_>) -> Reply {
        errors::err(ex, "system_error", None)
    }
    fn rate_limits(&self, route: &Route) -> &'static [RateLimitDef] {
        match route.auth {
            Auth::Token(_) => LIMITS,
            _ => &[],
        }
    }
    /// `403 Forbidden.AccessDenied.QpsLimitForApi`, the message naming when the ban ends.
    fn rate_limited(&self, ex: &Exchange<'_>, _def: &RateLimitDef, reset_secs: u64) -> Reply {
        let end = errors::ban_end_text(ex.now_ms + reset_secs as i64 * 1000);
        errors::err(ex, "qps_limit", Some(&end))
    }
    fn tenant_hint(&self, ex: &Exchange<'_>) -> Option<String> {
        auth::tenant_hint(ex)
    }
    fn events(&self) -> Option<&'static dyn crate::vendors::events::EventFormat> {
        Some(&events::DingtalkEvents)
    }
    /// `event_status_enum: examples | field_text`: the conference `status` enum of events
    /// (`events_model.rs`, notes §6.1).
    fn validate_tenant_extra(
        &self,
        extra: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<(), String> {
        for (k, v) in extra {
            if k != events_model::STATUS_ENUM {
                return Err(format!(
                    "dingtalk tenants take no setting {k:?}; valid: {}",
                    events_model::STATUS_ENUM
                ));
            }
            if !matches!(v.as_str(), Some("examples" | "field_text")) {
                return Err(format!(
                    "{k}: {v} is not examples (created 1, closed 2) or field_text (started 2, \
                     ended 1)"
                ));
            }
        }
        Ok(())
    }
}
