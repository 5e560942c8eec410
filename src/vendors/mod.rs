//! The vendor contract and the registry of the four emulated vendors.
//!
//! A vendor is a route table, an authenticator, an error catalogue and a few answers the
//! pipeline needs (unknown path, oversized body, internal error, rate limited). Everything a
//! vendor owns lives in `src/vendors/<vendor>/`; the pipeline in `src/pipeline.rs` drives it.
//! Adding a vendor is one module plus one line in [`registry`].

pub mod dingtalk;
pub mod events;
pub mod feishu;
pub mod huawei;
pub mod live;
pub mod router;
pub mod tencent;

use crate::exchange::{Exchange, Reply};
use crate::store::{Store, TokenKind, VendorId};
use http::Method;
use serde_json::Value;

/// A route handler: synchronous, given the authenticated exchange, returns the vendor answer.
pub type Handler = fn(&mut Exchange<'_>) -> Reply;

/// What credential a route demands before its handler runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// None: token endpoints and logins check their own body or headers.
    Open,
    /// A vendor-issued token of one of these kinds.
    Token(&'static [TokenKind]),
    /// A request signature (Tencent AK/SK).
    Signature,
}

impl Auth {
    /// A short description for `meetmock routes`.
    pub fn describe(&self) -> String {
        match self {
            Auth::Open => "none".into(),
            Auth::Signature => "signature".into(),
            Auth::Token(kinds) => kinds
                .iter()
                .map(|k| format!("{k:?}").to_lowercase())
                .collect::<Vec<_>>()
                .join("|"),
        }
    }
}

/// One emulated endpoint.
#[derive(Debug)]
pub struct Route {
    pub method: Method,
    /// The path pattern in `matchit` syntax, e.g. `/open-apis/vc/v1/meetings/{meeting_id}/invite`.
    pub path: &'static str,
    /// The vendor's own API name (`meeting.invite`, `InviteParticipant`, …): used by the
    /// journal, logs and fault rules.
    pub operation: &'static str,
    pub auth: Auth,
    pub handler: Handler,
    /// The path parameter holding the meeting id, if any (journal and fault matching).
    pub meeting_param: Option<&'static str>,
}

/// One entry of a vendor's error catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorDef {
    /// A stable snake_case name for fault rules (`meeting_is_locked`).
    pub name: &'static str,
    /// The vendor code as text (`"122008"`, `"MMC.111072005"`, `"InvalidAuthentication"`).
    pub code: &'static str,
    /// The HTTP status the vendor answers it with.
    pub status: u16,
    /// The vendor's message, exactly.
    pub message: &'static str,
}

/// A documented rate limit: at most `limit` calls per `window_secs`, counted per
/// (tenant, operation) when `per_operation`, else per tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitDef {
    pub limit: u32,
    pub window_secs: u32,
    pub per_operation: bool,
}

/// An error raised by an admin action a vendor offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminError {
    pub status: u16,
    pub message: String,
}

impl AdminError {
    /// A 400 with this message.
    pub fn bad_request(message: impl Into<String>) -> Self {
        AdminError {
            status: 400,
            message: message.into(),
        }
    }

    /// A 404 with this message.
    pub fn not_found(message: impl Into<String>) -> Self {
        AdminError {
            status: 404,
            message: message.into(),
        }
    }
}

/// What each emulated vendor provides to the pipeline.
pub trait Vendor: Send + Sync + 'static {
    fn id(&self) -> VendorId;

    /// Every emulated endpoint.
    fn routes(&self) -> &'static [Route];

    /// Path prefixes this vendor owns (for unknown paths and dedicated listeners).
    fn prefixes(&self) -> &'static [&'static str];

    /// The response header carrying the request id (`X-Tt-Logid`, `X-Request-Id`, …).
    fn request_id_header(&self) -> &'static str;

    /// A new request id in the vendor's format.
    fn new_request_id(&self, store: &Store) -> String;

    /// Checks the credential `auth` demands and sets `ex.principal`; `Err` is the vendor's
    /// refusal, sent as is.
    fn authenticate(&self, ex: &mut Exchange<'_>, auth: Auth) -> Result<(), Reply>;

    /// The answer to a path this vendor owns but does not serve, or a wrong method.
    fn not_found(&self, ex: &Exchange<'_>) -> Reply;

    /// The whole error catalogue (fault rules pick from it by name or code).
    fn errors(&self) -> &'static [ErrorDef];

    /// Renders an error of the catalogue exactly as the vendor does; `detail` replaces or
    /// extends the message where the vendor puts specifics there.
    fn render_error(&self, ex: &Exchange<'_>, err: &ErrorDef, detail: Option<&str>) -> Reply;

    /// The answer when the request body exceeds the server's limit.
    fn body_too_large(&self, ex: &Exchange<'_>) -> Reply;

    /// The answer when a handler panicked (the vendor's internal error).
    fn internal_error(&self, ex: &Exchange<'_>) -> Reply;

    /// The limits documented for this route, empty when none.
    fn rate_limits(&self, route: &Route) -> &'static [RateLimitDef] {
        let _ = route;
        &[]
    }

    /// The id of the meeting a start opens, for vendors whose scheduled meetings are reusable
    /// schedules (Feishu: a reserve keeps its id; the meeting id comes into being when the
    /// meeting starts). `None` (the default): the scheduled meeting itself starts.
    fn started_meeting_id(&self, store: &Store) -> Option<String> {
        let _ = store;
        None
    }

    /// Checks a scenario tenant's vendor-owned `extra:` settings (most vendors take none).
    fn validate_tenant_extra(&self, extra: &serde_json::Map<String, Value>) -> Result<(), String> {
        match extra.keys().next() {
            None => Ok(()),
            Some(k) => Err(format!("{} tenants take no setting {k:?}", self.id())),
        }
    }

    /// Whether documented limits apply when a scenario does not say.
    fn rate_limits_on_by_default(&self) -> bool {
        false
    }

    /// The answer to a call over `def`; the window resets in `reset_secs`.
    fn rate_limited(&self, ex: &Exchange<'_>, def: &RateLimitDef, reset_secs: u64) -> Reply;

    /// Vendor-specific admin actions under `POST /__admin/vendors/<vendor>/<action>`.
    /// `None` when the action is unknown.
    fn admin(
        &self,
        store: &Store,
        action: &str,
        body: &Value,
    ) -> Option<Result<Value, AdminError>> {
        let _ = (store, action, body);
        None
    }

    /// The names of the admin actions [`Vendor::admin`] understands (for help and errors).
    fn admin_actions(&self) -> &'static [&'static str] {
        &[]
    }

    /// Vendor-owned runtime state that belongs to the state export (`vendors.<vendor>` in
    /// `GET /__admin/state`, persisted by `--state-file`), e.g. Tencent's used nonces; `None`
    /// when the vendor keeps none.
    fn export_state(&self) -> Option<Value> {
        None
    }

    /// Checks an exported `vendors.<vendor>` value without applying it (imports are all or
    /// nothing).
    fn check_state(&self, state: &Value) -> Result<(), String> {
        let _ = state;
        Ok(())
    }

    /// Replaces the runtime state with a value [`Vendor::check_state`] accepted; `None` (the
    /// import has no entry for this vendor) empties it.
    fn import_state(&self, state: Option<&Value>) {
        let _ = state;
    }

    /// The tenant id a request's credentials point at, without verifying them (fault rules
    /// match on tenant before auth runs).
    fn tenant_hint(&self, ex: &Exchange<'_>) -> Option<String>;

    /// The vendor's WebSocket endpoints (`src/ws/`), built once at start. Push endpoints of
    /// an event format are registered by the engine instead (`events::live`).
    fn websockets(&self) -> Vec<crate::ws::Route> {
        Vec::new()
    }

    /// The vendor's event format (`src/vendors/<v>/events.rs`), once it has one.
    fn events(&self) -> Option<&'static dyn events::EventFormat> {
        None
    }

    /// Finds an error of the catalogue by name or code.
    fn error_by_key(&self, key: &str) -> Option<&'static ErrorDef> {
        self.errors()
            .iter()
            .find(|e| e.name == key || e.code == key)
    }
}

/// The four vendors, in a fixed order. One line per vendor.
pub fn registry() -> Vec<Box<dyn Vendor>> {
    vec![
        Box::new(tencent::Tencent::default()),
        Box::new(feishu::Feishu),
        Box::new(dingtalk::Dingtalk),
        Box::new(huawei::Huawei),
    ]
}
