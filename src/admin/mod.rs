//! The admin API under `/__admin/`: JSON in, JSON out, optional bearer token.
//!
//! `mod.rs` dispatches; `access.rs` decides who may call (token, loopback, Host, CSRF);
//! `meetings.rs` holds the meeting and user controls no vendor API offers; `state.rs` reset,
//! state export/import, scenario upload and the clock (`snapshot.rs` the snapshot itself);
//! `ops.rs` the journal, fault rules, routes and health; `changes.rs` the change stream;
//! `behaviours.rs` simulated invitees' behaviour declarations and planned calls; `library.rs`
//! the shipped scenario files; `ui/` the dashboard and its live stream; `subscriptions.rs`
//! event subscriptions; `events.rs` event deliveries; `connections.rs` open WebSocket sessions.

pub mod access;
mod behaviours;
mod changes;
mod connections;
mod events;
mod library;
mod meetings;
mod ops;
pub mod snapshot;
pub mod state;
mod subscriptions;
pub mod ui;

use crate::app::App;
use crate::exchange::{parse_query, Reply};
use bytes::Bytes;
use http::request::Parts;
use http::{Method, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;

/// An admin answer: JSON with a status.
pub type AdminResult = Result<Value, (StatusCode, String)>;

pub(crate) fn bad(msg: impl Into<String>) -> (StatusCode, String) {
    (StatusCode::BAD_REQUEST, msg.into())
}

pub(crate) fn not_found(msg: impl Into<String>) -> (StatusCode, String) {
    (StatusCode::NOT_FOUND, msg.into())
}

/// The admin request, parsed.
pub struct AdminReq<'a> {
    pub method: &'a Method,
    pub segments: Vec<&'a str>,
    pub query: Vec<(String, String)>,
    pub body: Bytes,
    pub content_type: Option<&'a str>,
}

impl AdminReq<'_> {
    /// A query parameter.
    pub fn q(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON (`{}` when empty).
    pub fn json(&self) -> Result<Value, (StatusCode, String)> {
        if self.body.iter().all(|b| b.is_ascii_whitespace()) {
            return Ok(json!({}));
        }
        serde_json::from_slice(&self.body).map_err(|e| bad(format!("body is not valid JSON: {e}")))
    }

    /// A field from the JSON body or, failing that, the query string.
    pub fn field(&self, body: &Value, name: &str) -> Option<String> {
        match body.get(name) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(Value::Bool(b)) => Some(b.to_string()),
            _ => self.q(name).map(str::to_string),
        }
    }
}

/// The answer to an oversized admin body.
pub fn too_large() -> Reply {
    error(StatusCode::PAYLOAD_TOO_LARGE, "request body too large")
}

/// The answer to a body that stopped arriving.
pub fn body_timeout() -> Reply {
    error(
        StatusCode::REQUEST_TIMEOUT,
        "request body not received in time (--body-timeout-ms)",
    )
    .with_header("connection", "close")
}

fn error(status: StatusCode, message: &str) -> Reply {
    let kind = match status {
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::REQUEST_TIMEOUT => "timeout",
        StatusCode::SERVICE_UNAVAILABLE => "unavailable",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::CONFLICT => "conflict",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        _ => "bad_request",
    };
    Reply::json(status, &json!({"error": kind, "message": message}))
}

/// The access check for admin answers served outside [`handle`] (the dashboard's live
/// stream): `Err` is the refusal to answer with (nothing runs).
pub fn authorize(app: &App, parts: &Parts) -> Result<(), Reply> {
    access::check(app, parts, false).map(|_| ())
}

/// True for `GET /__admin/health` (answered to anyone; see `access.rs`).
pub fn is_health(parts: &Parts, target: &str) -> bool {
    let path = target.split('?').next().unwrap_or("");
    parts.method == Method::GET && path.trim_end_matches('/') == "/__admin/health"
}

/// Decides whether the request may reach the admin API at all (before its body is read).
pub fn admit(app: &App, parts: &Parts, target: &str) -> Result<access::Access, Reply> {
    access::check(app, parts, is_health(parts, target))
}

/// Serves one admin request: access decided from the head (a refused caller's body is never
/// read), then the body read within the limits, then [`handle`]. `None` when the client went
/// away while sending the body.
pub async fn serve<B>(app: &Arc<App>, parts: &Parts, target: &str, body: B) -> Option<Reply>
where
    B: http_body::Body<Data = Bytes> + Send,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    use crate::body::RequestBodyError as E;
    use crate::pipeline::close;
    let access = match admit(app, parts, target) {
        Ok(a) => a,
        Err(reply) => return Some(close(reply)),
    };
    let timeout = std::time::Duration::from_millis(app.config.body_timeout_ms.max(1));
    let max = app.config.max_body_bytes;
    match crate::body::read_request(&parts.headers, body, max, timeout).await {
        Ok(bytes) => {
            // Simulated invitees whose step fell due act first, so what is read is current.
            app.store.run_due();
            Some(handle(app, parts, target, bytes, access).await)
        }
        Err(E::TooLarge) => Some(close(too_large())),
        Err(E::TimedOut) => Some(body_timeout()),
        Err(E::Gone) => None,
    }
}

/// Serves one admin request that [`admit`] let in.
pub async fn handle(
    app: &Arc<App>,
    parts: &Parts,
    target: &str,
    body: Bytes,
    access: access::Access,
) -> Reply {
    let (path, raw_query) = target.split_once('?').unwrap_or((target, ""));
    let segments: Vec<&str> = path
        .trim_start_matches("/__admin")
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    if access == access::Access::HealthOnly {
        return ops::health_reply(app, false);
    }
    if segments == ["health"] && parts.method == Method::GET {
        return ops::health_reply(app, true);
    }
    let req = AdminReq {
        method: &parts.method,
        segments,
        query: parse_query(raw_query)
            .into_iter()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
        body,
        content_type: parts
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
    };
    let result = dispatch(app, &req).await;
    match result {
        Ok(v) => Reply::json(StatusCode::OK, &v),
        Err((status, msg)) => error(status, &msg),
    }
}

async fn dispatch(app: &Arc<App>, req: &AdminReq<'_>) -> AdminResult {
    let m = req.method;
    let s = req.segments.as_slice();
    match (m.as_str(), s) {
        ("GET", ["routes"]) => Ok(ops::routes(app)),
        ("POST", ["reset"]) => Ok(state::reset(app)),
        ("GET", ["state"]) => Ok(state::export(app)),
        ("PUT", ["state"]) => state::import(app, req),
        ("POST", ["state", "save"]) => state::save_now(app).await,
        ("POST", ["scenarios"]) => state::load(app, req),
        ("GET", ["scenarios"]) => Ok(state::list_scenarios(app)),
        ("GET", ["scenarios", "library"]) => Ok(library::list()),
        ("POST", ["scenarios", "library", name]) => library::load(app, name),
        ("GET", ["clock"]) => Ok(state::clock(app)),
        ("POST", ["clock", "advance"]) => state::advance(app, req),
        ("POST", ["clock", "freeze"]) => state::freeze(app, req),
        ("POST", ["clock", "unfreeze"]) => Ok(state::unfreeze(app)),
        ("GET", ["meetings"]) => Ok(meetings::list(app, req)),
        ("GET", ["meetings", id]) => meetings::get(app, req, id),
        ("POST", ["meetings", id, action]) => meetings::control(app, req, id, action),
        ("POST", ["users", id, action]) => meetings::user_control(app, req, id, action),
        ("GET", ["tenants"]) => Ok(meetings::tenants(app)),
        ("PUT", ["tenants", "strict"]) => meetings::set_strict(app, req),
        ("POST", ["tenants", vendor, tenant, "users"]) => {
            meetings::add_users(app, req, vendor, tenant)
        }
        ("POST", ["tokens", "expire"]) => state::expire_token(app, req),
        ("GET", ["changes"]) => changes::list(app, req),
        ("GET", ["subscriptions"]) => subscriptions::list(app, req),
        ("POST", ["subscriptions"]) => subscriptions::create(app, req).await,
        ("GET", ["subscriptions", id]) => subscriptions::get(app, id),
        ("PUT", ["subscriptions", id]) => subscriptions::replace(app, req, id).await,
        ("DELETE", ["subscriptions", id]) => subscriptions::remove(app, id),
        ("POST", ["subscriptions", id, action]) => subscriptions::action(app, id, action).await,
        ("GET", ["connections"]) => connections::list(app, req),
        ("DELETE", ["connections", id]) => connections::close(app, id),
        ("GET", ["events"]) => events::list(app, req),
        ("GET", ["events", "count"]) => events::count(app, req),
        ("GET", ["events", id]) => events::get(app, id),
        ("POST", ["events", id, "redeliver"]) => events::redeliver(app, id),
        ("GET", ["behaviours"]) => behaviours::list(app, req),
        ("PUT", ["behaviours"]) => behaviours::put(app, req),
        ("DELETE", ["behaviours"]) => behaviours::delete(app, req),
        ("GET", ["behaviours", "pending"]) => behaviours::pending(app, req),
        ("GET", ["requests"]) => ops::requests(app, req),
        ("GET", ["requests", "count"]) => ops::count(app, req),
        ("DELETE", ["requests"]) => {
            app.journal.clear();
            Ok(json!({"cleared": true}))
        }
        ("GET", ["faults"]) => Ok(ops::faults(app)),
        ("POST", ["faults"]) => ops::add_faults(app, req),
        ("DELETE", ["faults"]) => {
            app.faults.clear();
            Ok(json!({"cleared": true}))
        }
        ("DELETE", ["faults", name]) => ops::remove_fault(app, name),
        ("POST", ["faults", name, "enable"]) => ops::switch_fault(app, name, true),
        ("POST", ["faults", name, "disable"]) => ops::switch_fault(app, name, false),
        ("POST", ["vendors", vendor, action]) => ops::vendor_action(app, req, vendor, action),
        _ => Err(not_found(format!(
            "no admin endpoint {} /__admin/{}; see README.md#admin-api",
            m,
            s.join("/")
        ))),
    }
}
