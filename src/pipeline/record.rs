//! The end of every request: the vendor's request-id header, the journal entry and the log
//! line (`logging::request`), then the hyper response. Requests no route matched — under a
//! vendor's prefix or under none — are journaled like the rest (operation `unknown`), so
//! `GET /__admin/requests/unmatched` can list them.

use crate::app::App;
use crate::body::Body;
use crate::exchange::{Exchange, Reply};
use crate::journal::Entry;
use crate::logging::{self, RequestLine};
use bytes::Bytes;
use http::{Method, Response, StatusCode};
use std::borrow::Cow;
use std::time::Instant;

/// The operation name of a request no route matched.
pub const UNMATCHED: &str = "unknown";

pub(super) fn add_request_id(ex: &Exchange<'_>, mut reply: Reply) -> Reply {
    let name = ex.app.vendor(ex.vendor).request_id_header();
    if reply.header(name).is_none() {
        reply = reply.with_header(name, &ex.request_id);
    }
    reply
}

/// Journals and logs a vendor exchange. The tenant is the authenticated one, else the one the
/// request named when a fault rule answered it before auth ran.
pub(super) fn push_entry(
    ex: &Exchange<'_>,
    status: u16,
    code: Option<Cow<'static, str>>,
    fault: Option<String>,
    started: Instant,
    response: Bytes,
) {
    let meeting = ex
        .note
        .meeting
        .clone()
        .or_else(|| ex.route.meeting_param.map(|p| ex.param(p).to_string()))
        .filter(|m| !m.is_empty());
    let tenant = match &ex.principal {
        Some(p) => Some(p.tenant.id.clone()),
        None => ex.note.tenant.clone(),
    };
    let micros = started.elapsed().as_micros() as u64;
    logging::request(&RequestLine {
        method: ex.method,
        path: ex.path,
        vendor: ex.vendor.as_str(),
        operation: Some(ex.route.operation),
        status,
        code: code.as_deref(),
        fault: fault.as_deref(),
        tenant: tenant.as_deref(),
        micros,
    });
    ex.app.journal.push(Entry {
        seq: 0,
        request_id: ex.request_id.clone(),
        time_ms: ex.now_ms,
        vendor: Some(ex.vendor),
        operation: Some(ex.route.operation),
        method: ex.method.clone(),
        target: ex.target.to_string(),
        status,
        code,
        tenant,
        meeting,
        fault,
        duration_us: micros,
        body: ex.body.clone(),
        response,
    });
}

/// Adds the vendor's request-id header, journals and logs the exchange and builds the
/// response.
pub(crate) fn finish(
    ex: &mut Exchange<'_>,
    reply: Reply,
    fault: Option<String>,
    started: Instant,
) -> Response<Body> {
    let reply = add_request_id(ex, reply);
    let code = reply
        .code
        .clone()
        .or_else(|| ex.note.code.clone().map(Cow::Owned));
    let answer = reply.body.clone();
    push_entry(ex, reply.status.as_u16(), code, fault, started, answer);
    to_response(reply)
}

/// The answer for a path no vendor owns, journaled (no vendor, operation `unknown`) and
/// logged.
pub(super) fn no_vendor(
    app: &App,
    method: &Method,
    target: &str,
    started: Instant,
) -> Response<Body> {
    let reply = Reply::json(
        StatusCode::NOT_FOUND,
        &serde_json::json!({
            "error": "not_found",
            "message": format!("meetmock emulates no endpoint {method} {target}; `meetmock routes` lists them"),
        }),
    );
    let path = target.split('?').next().unwrap_or(target);
    let micros = started.elapsed().as_micros() as u64;
    let status = reply.status.as_u16();
    logging::request(&RequestLine {
        method,
        path,
        vendor: "none",
        operation: Some(UNMATCHED),
        status,
        code: None,
        fault: None,
        tenant: None,
        micros,
    });
    app.journal.push(Entry {
        seq: 0,
        request_id: String::new(),
        time_ms: app.store.clock.now_ms(),
        vendor: None,
        operation: Some(UNMATCHED),
        method: method.clone(),
        target: target.to_string(),
        status,
        code: None,
        tenant: None,
        meeting: None,
        fault: None,
        duration_us: micros,
        body: Bytes::new(),
        response: reply.body.clone(),
    });
    to_response(reply)
}

/// Logs an answered admin or dashboard request (never journaled: the journal is the vendor
/// traffic a test verifies).
pub(super) fn admin_line(method: &Method, path: &str, status: StatusCode, started: Instant) {
    logging::request(&RequestLine {
        method,
        path,
        vendor: "admin",
        operation: None,
        status: status.as_u16(),
        code: None,
        fault: None,
        tenant: None,
        micros: started.elapsed().as_micros() as u64,
    });
}

/// The reply with `Connection: close`: the request's body was not read to its end, so the
/// connection cannot carry another request.
pub fn close(reply: Reply) -> Reply {
    reply.with_header("connection", "close")
}

/// A reply as a hyper response.
pub fn to_response(reply: Reply) -> Response<Body> {
    let mut resp = Response::new(Body::full(reply.body));
    *resp.status_mut() = reply.status;
    let h = resp.headers_mut();
    for (k, v) in reply.headers {
        h.append(k, v);
    }
    resp
}
