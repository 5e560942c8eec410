//! The request lifecycle, written once for every vendor:
//! request id + span → route → fault rules → auth → rate limit → handler (body decoded by the
//! handler with the vendor's own errors) → vendor request-id header → journal and log line.
//!
//! `fault.rs` carries out a fired fault rule; `record.rs` ends every request (journal entry,
//! log line, response).

mod fault;
mod record;

pub(crate) use fault::apply_fault;
pub(crate) use record::finish;
pub use record::{close, to_response, UNMATCHED};

use crate::app::App;
use crate::body::{Body, RequestBodyError};
use crate::exchange::{Exchange, Note, Reply};
use crate::faults::{Action, ConnectionFault, FaultInput};
use crate::store::VendorId;
use crate::vendors::router::Lookup;
use crate::vendors::{Auth, Route};
use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use std::net::IpAddr;
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
    operation: UNMATCHED,
    auth: Auth::Open,
    handler: |ex| ex.app.vendor(ex.vendor).not_found(ex),
    meeting_param: None,
};

/// Serves one request that came from `peer` (the connection's client address, canonical:
/// see [`Exchange::peer`]).
pub async fn handle<B>(app: &Arc<App>, scope: Scope, peer: IpAddr, req: Request<B>) -> Outcome
where
    B: http_body::Body<Data = Bytes> + Send,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let started = Instant::now();
    app.stats.requests.fetch_add(1, Ordering::Relaxed);
    let (parts, body) = req.into_parts();
    // WebSocket endpoints (vendors' and the event engine's) have their own pipeline.
    if let Some((route, params)) = app.ws.find(scope, &parts.method, parts.uri.path()) {
        return crate::ws::serve(app, parts, peer, route, params).await;
    }
    // Borrowed from the request head, which lives until the answer is built.
    let uri = &parts.uri;
    let path = uri.path();
    let target = uri.path_and_query().map_or(path, |p| p.as_str());

    if path.starts_with("/__admin") && scope.admin {
        // The dashboard's files and its live stream (src/admin/ui).
        if let Some(resp) = crate::admin::ui::serve(app, &parts, path) {
            record::admin_line(&parts.method, path, resp.status(), started);
            return Outcome::Respond(resp);
        }
        return match crate::admin::serve(app, &parts, target, body).await {
            Some(reply) => {
                record::admin_line(&parts.method, path, reply.status, started);
                Outcome::Respond(to_response(reply))
            }
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
                let resp = crate::admin::ui::root(app, scope);
                record::admin_line(&parts.method, path, resp.status(), started);
                return Outcome::Respond(resp);
            }
            None => {
                return Outcome::Respond(record::no_vendor(app, &parts.method, target, started));
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
        peer: Some(peer),
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
            // Answered (or shaped) before auth: the journal keeps the tenant it named.
            ex.note.tenant = tenant;
            if d.delay_ms > 0.0 {
                // No lock is held here: the exchange owns only request data.
                tokio::time::sleep(Duration::from_secs_f64(d.delay_ms / 1000.0)).await;
            }
            if d.action == Action::Connection(ConnectionFault::Panic) {
                rehearse_panic = true;
            } else if let Some(outcome) = fault::apply_fault(&mut ex, d, started) {
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
pub(super) fn safety_net<'a>(
    ex: &mut Exchange<'a>,
    serve: impl FnOnce(&mut Exchange<'a>) -> Reply,
) -> Reply {
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
