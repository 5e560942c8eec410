//! The admin API under `/__admin/`: JSON in, JSON out, optional bearer token.
//!
//! `mod.rs` authenticates and dispatches; `meetings.rs` holds the meeting and user controls no
//! vendor API offers; `state.rs` reset, state export/import, scenario upload and the clock;
//! `ops.rs` the journal, fault rules, routes and health; `changes.rs` the change stream;
//! `behaviours.rs` simulated invitees' behaviour declarations and planned calls; `library.rs`
//! the shipped scenario files; `ui/` the dashboard and its live stream; `subscriptions.rs`
//! event subscriptions; `events.rs` event deliveries.

mod behaviours;
mod changes;
mod events;
mod library;
mod meetings;
mod ops;
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

fn error(status: StatusCode, message: &str) -> Reply {
    let kind = match status {
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::CONFLICT => "conflict",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        _ => "bad_request",
    };
    Reply::json(status, &json!({"error": kind, "message": message}))
}

/// The admin token check: `Err` is the refusal to answer with (nothing runs).
pub fn authorize(app: &App, parts: &Parts) -> Result<(), Reply> {
    if let Some(token) = &app.config.admin_token {
        let presented = parts
            .headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if presented != Some(token.as_str()) {
            return Err(error(
                StatusCode::UNAUTHORIZED,
                "admin API needs `Authorization: Bearer <admin token>`",
            ));
        }
    }
    Ok(())
}

/// Serves one admin request.
pub async fn handle(app: &Arc<App>, parts: &Parts, target: &str, body: Bytes) -> Reply {
    if let Err(refused) = authorize(app, parts) {
        return refused;
    }
    let (path, raw_query) = target.split_once('?').unwrap_or((target, ""));
    let segments: Vec<&str> = path
        .trim_start_matches("/__admin")
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
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
        ("GET", ["health"]) => Ok(ops::health(app)),
        ("GET", ["routes"]) => Ok(ops::routes(app)),
        ("POST", ["reset"]) => Ok(state::reset(app)),
        ("GET", ["state"]) => Ok(state::export(app)),
        ("PUT", ["state"]) => state::import(app, req),
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
