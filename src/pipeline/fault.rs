//! A fault rule that fired, carried out: a vendor error from the vendor's own catalogue, a
//! custom answer, or a broken connection (reset, close, hang, an empty, truncated or slow
//! answer). The entry is journaled with the rule's name.

use super::record::{add_request_id, finish, push_entry, to_response};
use super::{safety_net, Outcome};
use crate::body::Body;
use crate::exchange::{Exchange, Reply};
use crate::faults::{Action, ConnectionFault, Decision};
use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode};
use std::time::{Duration, Instant};

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
