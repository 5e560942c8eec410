//! `/__admin/events`: event deliveries — list and count with filters (vendor, tenant, meeting,
//! type, status, subscription, event_id), one delivery with every attempt (request with
//! secrets masked, response status and body, latency, next retry time), redeliver.
//! Reads first turn every published change into deliveries, so they see what just happened.

use super::{bad, not_found, AdminReq, AdminResult};
use crate::app::App;
use crate::events::delivery::{Filter, Status};
use crate::store::VendorId;
use http::StatusCode;
use serde_json::json;

/// At most this many deliveries per answer.
const MAX_LIMIT: usize = 10_000;

fn filter(req: &AdminReq<'_>) -> Result<Filter, (StatusCode, String)> {
    Ok(Filter {
        vendor: match req.q("vendor") {
            Some(v) => {
                Some(VendorId::parse(v).ok_or_else(|| bad(format!("unknown vendor {v:?}")))?)
            }
            None => None,
        },
        status: match req.q("status") {
            Some(s) => Some(Status::parse(s).ok_or_else(|| {
                bad(format!(
                    "unknown status {s:?}; valid: pending, in_flight, delivered, failed, dropped"
                ))
            })?),
            None => None,
        },
        tenant: req.q("tenant").map(str::to_string),
        meeting: req.q("meeting").map(str::to_string),
        event_type: req.q("type").map(str::to_string),
        subscription: req.q("subscription").map(str::to_string),
        event_id: req.q("event_id").map(str::to_string),
    })
}

fn id_of(raw: &str) -> Result<u64, (StatusCode, String)> {
    raw.parse()
        .map_err(|_| bad(format!("delivery id {raw:?} is not a number")))
}

/// `GET /__admin/events?…&limit=` — newest first, with the engine's counters.
pub fn list(app: &App, req: &AdminReq<'_>) -> AdminResult {
    let f = filter(req)?;
    let limit = match req.q("limit") {
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|l| (1..=MAX_LIMIT).contains(l))
            .ok_or_else(|| bad(format!("`limit` must be between 1 and {MAX_LIMIT}")))?,
        None => 100,
    };
    app.events.pump(app);
    Ok(json!({
        "events": app.events.list(&f, limit),
        "stats": app.events.stats(),
    }))
}

/// `GET /__admin/events/count?…`
pub fn count(app: &App, req: &AdminReq<'_>) -> AdminResult {
    let f = filter(req)?;
    app.events.pump(app);
    Ok(json!({ "count": app.events.count(&f) }))
}

/// `GET /__admin/events/{id}`
pub fn get(app: &App, raw: &str) -> AdminResult {
    let id = id_of(raw)?;
    app.events.pump(app);
    app.events.get(id).ok_or_else(|| {
        not_found(format!(
            "no delivery {id} (finished ones are kept up to the outbox capacity)"
        ))
    })
}

/// `POST /__admin/events/{id}/redeliver`: the same event (same dedupe id) is sent again,
/// after the waiting events of its meeting.
pub fn redeliver(app: &App, raw: &str) -> AdminResult {
    let id = id_of(raw)?;
    let now = app.store.clock.now_ms();
    app.events.redeliver(id, now).map_err(|e| {
        if e.starts_with("no delivery") {
            not_found(e)
        } else {
            (StatusCode::CONFLICT, e)
        }
    })
}
