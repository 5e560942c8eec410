//! The request lifecycle, written once for every vendor:
//! request id + span → route → fault rules → auth → rate limit → handler (body decoded by the
//! handler with the vendor's own errors) → vendor request-id header → journal.

use crate::app::App;
use crate::body::{Body, RequestBodyError};
use crate::exchange::{Exchange, Note, Reply};
use crate::faults::{Action, ConnectionFault, Decision, FaultInput};
use crate::journal::Entry;
use crate::store::VendorId;
use crate::vendors::router::Lookup;
use crate::vendors::{Auth, Route};
use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode};
use std::borrow::Cow;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What a listener serves.
#[derive(Debug, Clone, Copy)]
pub struct Scope {
    /// Only this vendor (a `--listen-<vendor>` listener), or every vendor.
    pub only: Option<VendorId>,
    /// Vendor routes are served here.
    pub vendors: bool,
    /// The admin API is served here.
    pub admin: bool,
}

/// How a request ends.
pub enum Outcome {
    Respond(Response<Body>),
    /// Break the connection without answering; `reset` sends a TCP RST.
    Abort {
        reset: bool,
    },
    /// Never answer (until shutdown).
    Hang,
}

static UNKNOWN_ROUTE: Route = Route {
    method: Method::GET,
    path: "",
    operation: "unknown",
    auth: Auth::Open,
    handler: |ex| ex.app.vendor(ex.vendor).not_found(ex),
    meeting_param: None,
};

/// Serves one request.
pub async fn handle<B>(app: &Arc<App>, scope: Scope, req: Request<B>) -> Outcome
where
    B: http_body::Body<Data = Bytes> + Send,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let started = Instant::now();
    app.stats.requests.fetch_add(1, Ordering::Relaxed);
    let (parts, body) = req.into_parts();
    // WebSocket endpoints (vendors' and the event engine's) have their own pipeline.
    if let Some((route, params)) = app.ws.find(scope, &parts.method, parts.uri.path()) {
        return crate::ws::serve(app, parts, route, params).await;
    }
    // Borrowed from the request head, which lives until the answer is built.
    let uri = &parts.uri;
    let path = uri.path();
    let target = uri.path_and_query().map_or(path, |p| p.as_str());

    if path.starts_with("/__admin") && scope.admin {
        // The dashboard's files and its live stream (src/admin/ui).
        if let Some(resp) = crate::admin::ui::serve(app, &parts, path) {
            return Outcome::Respond(resp);
        }
        return match crate::admin::serve(app, &parts, target, body).await {
            Some(reply) => Outcome::Respond(to_response(reply)),
            // The client went away while sending the body: nobody to answer.
            None => Outcome::Abort { reset: false },
        };
    }

    let lookup = if scope.vendors {
        app.router.lookup(&parts.method, path)
    } else {
        Lookup::Unknown(None)
    };
    let (vendor, route, params, known) = match lookup {
        Lookup::Found {
            vendor,
            route,
            params,
        } if scope.only.is_none_or(|o| o == vendor) => (vendor, route, params, true),
        Lookup::Found { vendor, .. } | Lookup::WrongMethod(vendor) => (
            scope.only.unwrap_or(vendor),
            &UNKNOWN_ROUTE,
            Vec::new(),
            false,
        ),
        Lookup::Unknown(Some(vendor)) => (
            scope.only.unwrap_or(vendor),
            &UNKNOWN_ROUTE,
            Vec::new(),
            false,
        ),
        Lookup::Unknown(None) => match scope.only {
            Some(v) => (v, &UNKNOWN_ROUTE, Vec::new(), false),
            None if path == "/" && matches!(parts.method, Method::GET | Method::HEAD) => {
                return Outcome::Respond(crate::admin::ui::root(app, scope));
            }
            None => {
                return Outcome::Respond(to_response(no_vendor(&parts.method, target)));
            }
        },
    };
    let v = app.vendor(vendor);
    let (raw_path, raw_query) = target.split_once('?').unwrap_or((target, ""));
    let mut ex = Exchange {
        app,
        vendor,
        route,
        method: &parts.method,
        target,
        path: raw_path,
        raw_query,
        params,
        headers: &parts.headers,
        body: Bytes::new(),
        request_id: v.new_request_id(&app.store),
        principal: None,
        now_ms: app.store.clock.now_ms(),
        note: Note::default(),
        secure: parts.extensions.get::<crate::server::Tls>().is_some(),
        later: None,
    };
    let span = tracing::debug_span!("request", id = %ex.request_id, vendor = %vendor, op = route.operation);
    let _enter = span.enter();

    let body_timeout = Duration::from_millis(app.config.body_timeout_ms.max(1));
    let max = app.config.max_body_bytes;
    match crate::body::read_request(&parts.headers, body, max, body_timeout).await {
        Ok(b) => ex.body = b,
        Err(RequestBodyError::TooLarge) => {
            // The rest of the body may still be on its way: close after answering.
            let reply = close(v.body_too_large(&ex));
            return Outcome::Respond(finish(&mut ex, reply, None, started));
        }
        Err(RequestBodyError::TimedOut) => {
            // No vendor documents this; a gateway (nginx `client_body_timeout`) answers 408.
            let reply = close(Reply::text(
                StatusCode::REQUEST_TIMEOUT,
                "request body not received in time",
            ));
            return Outcome::Respond(finish(&mut ex, reply, None, started));
        }
        // The client went away while sending the body: nobody to answer.
        Err(RequestBodyError::Gone) => return Outcome::Abort { reset: false },
    }

    if !known {
        let reply = v.not_found(&ex);
        return Outcome::Respond(finish(&mut ex, reply, None, started));
    }

    let mut fired: Option<String> = None;
    // A `connection: panic` rule fired: panic inside the safety net below.
    let mut rehearse_panic = false;
    if !app.faults.is_empty() {
        let tenant = v.tenant_hint(&ex);
        let meeting = route.meeting_param.map(|p| ex.param(p).to_string());
        let decision = app.faults.check(&FaultInput {
            vendor,
            operation: route.operation,
            tenant: tenant.as_deref(),
            meeting: meeting.as_deref(),
            target,
            headers: &parts.headers,
            body: &ex.body,
        });
        if let Some(d) = decision {
            fired = Some(d.rule.clone());
            if d.delay_ms > 0.0 {
                // No lock is held here: the exchange owns only request data.
                tokio::time::sleep(Duration::from_secs_f64(d.delay_ms / 1000.0)).await;
            }
            if d.action == Action::Connection(ConnectionFault::Panic) {
                rehearse_panic = true;
            } else if let Some(outcome) = apply_fault(&mut ex, d, started) {
                return outcome;
            }
        }
    }

    // Simulated invitees whose step fell due act first, so what is read is current (one
    // atomic load when nothing is due).
    app.store.run_due();
    // The journal names a rate limit that refused the call, like a fault rule.
    let mut limited: Option<String> = None;
    let reply = safety_net(&mut ex, |ex| {
        if rehearse_panic {
            // Deliberate, and only when a scenario asks for it: the fault `connection: panic`
            // rehearses this safety net, which catches it right here.
            panic!("rehearsed panic (fault rule `connection: panic`)");
        }
        if let Err(reply) = v.authenticate(ex, route.auth) {
            return reply;
        }
        if let Some(p) = &ex.principal {
            let limits = v.rate_limits(route);
            if let Err((def, reset)) = app.limiter.check(
                vendor,
                &p.tenant.id,
                route.operation,
                limits,
                v.rate_limits_on_by_default(),
                ex.now_ms,
            ) {
                limited = Some(format!("rate_limit:{}/{}s", def.limit, def.window_secs));
                return v.rate_limited(ex, &def, reset);
            }
        }
        let operator = ex.principal.as_ref().and_then(|p| p.user.clone());
        crate::store::bus::acting_as(operator.as_deref(), || (route.handler)(ex))
    });
    // A handler waiting for I/O it started (no lock is held: the future owns its data).
    let reply = match ex.later.take() {
        Some(later) => later.await,
        None => reply,
    };
    let fired = match (fired, limited) {
        (Some(f), Some(l)) => Some(format!("{f}, {l}")),
        (f, l) => f.or(l),
    };
    Outcome::Respond(finish(&mut ex, reply, fired, started))
}

/// Runs auth, rate limit and handler with a safety net: a panic that slips through is caught
/// per request, answered as the vendor's internal error, logged and counted (`panics` in
/// `GET /__admin/health`). The store's locks are `parking_lot` ones, which a panic does not
/// poison.
fn safety_net<'a>(ex: &mut Exchange<'a>, serve: impl FnOnce(&mut Exchange<'a>) -> Reply) -> Reply {
    match std::panic::catch_unwind(AssertUnwindSafe(|| serve(&mut *ex))) {
        Ok(r) => r,
        Err(payload) => {
            ex.app.stats.panics.fetch_add(1, Ordering::Relaxed);
            let what = payload
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
                .unwrap_or("a panic without a message");
            tracing::error!(
                operation = ex.route.operation,
                panic = what,
                "request panicked; answered as the vendor's internal error"
            );
            ex.app.vendor(ex.vendor).internal_error(ex)
        }
    }
}

/// Carries out a fault decision; `None` when the request should proceed (delay only).
pub(crate) fn apply_fault(ex: &mut Exchange<'_>, d: Decision, started: Instant) -> Option<Outcome> {
    let v = ex.app.vendor(ex.vendor);
    let rule = Some(d.rule.clone());
    match d.action {
        Action::None => None,
        Action::Error { key, message } => {
            let reply = match v.error_by_key(&key) {
                Some(def) => v.render_error(ex, def, message.as_deref()),
                None => v.internal_error(ex),
            };
            Some(Outcome::Respond(finish(ex, reply, rule, started)))
        }
        Action::Response(r) => {
            let mut reply = Reply::new(
                StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                "application/json",
                r.body.clone(),
            );
            for (k, val) in &r.headers {
                if k.eq_ignore_ascii_case("content-type") {
                    reply
                        .headers
                        .retain(|(n, _)| n != http::header::CONTENT_TYPE);
                }
                reply = reply.with_header(k, val);
            }
            Some(Outcome::Respond(finish(ex, reply, rule, started)))
        }
        Action::Connection(c) => {
            journal(ex, d.rule.as_str(), started, c);
            Some(match c {
                ConnectionFault::Reset => Outcome::Abort { reset: true },
                ConnectionFault::Close => Outcome::Abort { reset: false },
                ConnectionFault::Hang => Outcome::Hang,
                // Handled by the caller, inside the safety net; never reaches here.
                ConnectionFault::Panic => Outcome::Abort { reset: false },
                ConnectionFault::Empty
                | ConnectionFault::Truncated
                | ConnectionFault::Slow { .. } => {
                    // The route's real answer, delivered broken or slowly.
                    let reply = safety_net(ex, |ex| {
                        match ex.app.vendor(ex.vendor).authenticate(ex, ex.route.auth) {
                            Ok(()) => (ex.route.handler)(ex),
                            Err(r) => r,
                        }
                    });
                    let full_len = reply.body.len();
                    let mut resp = to_response(add_request_id(ex, reply));
                    *resp.body_mut() = match c {
                        ConnectionFault::Empty => Body::truncated(Bytes::new(), 0),
                        ConnectionFault::Truncated => {
                            let b = body_bytes(&resp);
                            Body::truncated(b, full_len / 2)
                        }
                        ConnectionFault::Slow {
                            duration_ms,
                            chunks,
                        } => {
                            let b = body_bytes(&resp);
                            let interval =
                                Duration::from_millis(duration_ms / chunks.max(1) as u64);
                            Body::slow(b, chunks, interval)
                        }
                        _ => Body::full(Bytes::new()),
                    };
                    if let Ok(v) = HeaderValue::from_str(&full_len.to_string()) {
                        resp.headers_mut().insert(http::header::CONTENT_LENGTH, v);
                    }
                    Outcome::Respond(resp)
                }
            })
        }
    }
}

fn body_bytes(resp: &Response<Body>) -> Bytes {
    match resp.body() {
        Body::Full(Some(b)) => b.clone(),
        _ => Bytes::new(),
    }
}

fn journal(ex: &Exchange<'_>, rule: &str, started: Instant, c: ConnectionFault) {
    let status = match c {
        ConnectionFault::Empty | ConnectionFault::Truncated | ConnectionFault::Slow { .. } => 200,
        _ => 0,
    };
    push_entry(
        ex,
        status,
        None,
        Some(rule.to_string()),
        started,
        Bytes::new(),
    );
}

fn add_request_id(ex: &Exchange<'_>, mut reply: Reply) -> Reply {
    let name = ex.app.vendor(ex.vendor).request_id_header();
    if reply.header(name).is_none() {
        reply = reply.with_header(name, &ex.request_id);
    }
    reply
}

fn push_entry(
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
        tenant: ex.principal.as_ref().map(|p| p.tenant.id.clone()),
        meeting,
        fault,
        duration_us: started.elapsed().as_micros() as u64,
        body: ex.body.clone(),
        response,
    });
}

/// Adds the vendor's request-id header, journals the exchange and builds the response.
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
    tracing::debug!(status = reply.status.as_u16(), "answered");
    to_response(reply)
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

/// The answer for a path no vendor owns.
fn no_vendor(method: &Method, target: &str) -> Reply {
    Reply::json(
        StatusCode::NOT_FOUND,
        &serde_json::json!({
            "error": "not_found",
            "message": format!("meetmock emulates no endpoint {method} {target}; `meetmock routes` lists them"),
        }),
    )
}
