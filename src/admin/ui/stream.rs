//! `GET /__admin/changes/stream`: the dashboard's live feed, as server-sent events.
//!
//! - `hello` (first): where the change stream stands (`last_seq`, `oldest_kept`) and the status.
//! - `change` (`id:` = its `seq`): every domain change as `GET /__admin/changes` shows it, sent
//!   the moment the store publishes it (a [`ChangeBus::watch`] receiver), secret-named meeting and
//!   participant fields masked. `?since=N` (or `Last-Event-ID: N` on a reconnect) replays the kept
//!   changes after N first; a watcher that fell behind catches up from the kept changes.
//! - `resync`: changes the watcher needed are no longer kept (too far behind, or the store was
//!   reset): read everything again.
//! - `status`: sent when something outside the change stream moved — the clock was frozen or
//!   moved, the journal grew or was cleared, fault rules or their counters changed, the store was
//!   reset or replaced, tenants or scenarios were added, an event delivery or handshake finished
//!   (`events.activity`), a subscription was added, changed or removed (`events.subscriptions`,
//!   a fingerprint), invitee behaviours were declared or removed (`behaviours`, a fingerprint).
//!   Checked every [`PULSE`]; cheap reads only (atomics, counts, the subscriptions' and the
//!   declarations' small lists), never the journal or the outbox themselves.
//! - a `: ping` comment after [`HEARTBEAT`] of silence, so a vanished client is noticed.
//!
//! One task per open stream, writing into a small channel that is the response body; it ends
//! when the client goes away or the server starts shutting down ([`App::stopping`]).
//!
//! [`ChangeBus::watch`]: crate::store::bus::ChangeBus::watch

use crate::app::App;
use crate::body::Body;
use crate::store::Change;
use bytes::Bytes;
use http::request::Parts;
use http::{HeaderValue, Response};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;

/// Where the stream is served.
pub const PATH: &str = "/__admin/changes/stream";
/// How often the status is compared (the latency of journal, fault and clock updates).
pub const PULSE: Duration = Duration::from_millis(100);
/// Silence after which a comment is sent to find out whether the client is still there.
pub const HEARTBEAT: Duration = Duration::from_secs(15);
/// Changes read per step when catching up.
const CATCH_UP_BATCH: usize = 500;

/// Everything outside the change stream a page shows, in cheap-to-read form.
#[derive(Debug, Clone, PartialEq)]
struct Status {
    frozen: bool,
    offset_ms: i64,
    journal: (u64, u64),
    faults: (u64, u64),
    store_clears: u64,
    tenants: usize,
    scenarios: usize,
    /// Background work finished: event sends and handshakes ([`crate::statefile::Persist`]).
    event_activity: u64,
    subscriptions: u64,
    behaviours: u64,
}

/// A fingerprint of every invitee behaviour declaration: the page shows which one applies.
fn behaviours_fingerprint(app: &App) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let all = app.store.living.declarations(None, None);
    serde_json::to_string(&all).unwrap_or_default().hash(&mut h);
    h.finish()
}

/// A fingerprint of every subscription's shown fields (not its secrets): it moves when one is
/// added, removed, paused, resumed or verified.
fn subscriptions_fingerprint(app: &App) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for s in app.store.subscriptions.snapshot().values() {
        (&s.id, &s.url, s.paused, &s.types).hash(&mut h);
        format!("{:?}{:?}", s.mode, s.verification).hash(&mut h);
        (&s.verification_error, s.verified_at_ms).hash(&mut h);
    }
    h.finish()
}

impl Status {
    fn now(app: &App) -> Status {
        let clock = &app.store.clock;
        Status {
            frozen: clock.is_frozen(),
            offset_ms: clock.offset_ms(),
            journal: app.journal.version(),
            faults: app.faults.activity(),
            store_clears: app.store.changes.clears(),
            tenants: app.store.tenants().len(),
            scenarios: app.scenarios.read().len(),
            event_activity: app.persist.touches(),
            subscriptions: subscriptions_fingerprint(app),
            behaviours: behaviours_fingerprint(app),
        }
    }

    fn to_json(&self, app: &App) -> Value {
        json!({
            "clock": {
                "now_ms": app.store.clock.now_ms(),
                "frozen": self.frozen,
                "offset_ms": self.offset_ms,
            },
            "journal": {"pushed": self.journal.0, "clears": self.journal.1},
            "faults": {"revision": self.faults.0, "hits": self.faults.1},
            "store": {
                "clears": self.store_clears,
                "tenants": self.tenants,
                "scenarios": self.scenarios,
            },
            "events": {
                "activity": self.event_activity,
                // A string: a 64-bit fingerprint does not survive a JavaScript number.
                "subscriptions": format!("{:016x}", self.subscriptions),
            },
            "behaviours": format!("{:016x}", self.behaviours),
        })
    }
}

/// One server-sent event. The data is compact JSON (no newline), so one `data:` line.
fn event(name: &str, id: Option<u64>, data: &Value) -> Bytes {
    let mut s = String::with_capacity(256);
    if let Some(id) = id {
        s.push_str("id: ");
        s.push_str(&id.to_string());
        s.push('\n');
    }
    s.push_str("event: ");
    s.push_str(name);
    s.push_str("\ndata: ");
    s.push_str(&data.to_string());
    s.push_str("\n\n");
    Bytes::from(s)
}

/// A change as the page receives it: vendor-owned meeting and participant fields whose names
/// say they are secrets (passwords, keys, tokens) are masked.
pub fn masked(c: &Change) -> Value {
    let mut v = serde_json::to_value(c).unwrap_or(Value::Null);
    for at in ["/meeting/extra", "/participant/extra"] {
        if let Some(extra) = v.pointer_mut(at) {
            crate::journal::mask_json(extra);
        }
    }
    v
}

/// The position to replay from: `?since=N`, else `Last-Event-ID` (a reconnect), else none.
fn requested_since(parts: &Parts) -> Option<u64> {
    let query = parts.uri.query().unwrap_or("");
    crate::exchange::parse_query(query)
        .into_iter()
        .find(|(k, _)| k == "since")
        .and_then(|(_, v)| v.trim().parse().ok())
        .or_else(|| {
            parts
                .headers
                .get("last-event-id")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse().ok())
        })
}

/// Opens a stream: the response now, its events from a task.
pub fn open(app: &Arc<App>, parts: &Parts) -> Response<Body> {
    let since = requested_since(parts);
    // Subscribe before anything is read, so no change falls between catch-up and live.
    let live = app.store.changes.watch();
    let (tx, rx) = mpsc::channel(64);
    tokio::spawn(run(Arc::clone(app), Out::new(tx), live, since));
    let mut resp = Response::new(Body::Stream(rx));
    let h = resp.headers_mut();
    for (k, v) in [
        ("content-type", "text/event-stream; charset=utf-8"),
        ("cache-control", "no-cache, no-transform"),
        ("x-accel-buffering", "no"),
        ("x-content-type-options", "nosniff"),
    ] {
        h.insert(k, HeaderValue::from_static(v));
    }
    resp
}

/// The writing end, remembering when it last wrote (for the heartbeat).
struct Out {
    tx: mpsc::Sender<Bytes>,
    last_write: Instant,
}

/// The client went away.
struct Gone;

impl Out {
    fn new(tx: mpsc::Sender<Bytes>) -> Out {
        Out {
            tx,
            last_write: Instant::now(),
        }
    }

    async fn send(&mut self, b: Bytes) -> Result<(), Gone> {
        self.last_write = Instant::now();
        self.tx.send(b).await.map_err(|_| Gone)
    }
}

async fn run(
    app: Arc<App>,
    mut out: Out,
    mut live: tokio::sync::broadcast::Receiver<Arc<Change>>,
    since: Option<u64>,
) {
    let mut stopping = app.stopping.subscribe();
    if *stopping.borrow() {
        return;
    }
    let bus = &app.store.changes;
    let mut last = since.unwrap_or_else(|| bus.last_seq());
    let mut status = Status::now(&app);
    let hello = json!({
        "last_seq": bus.last_seq(),
        "oldest_kept": bus.oldest_kept(),
        "status": status.to_json(&app),
    });
    if out.send(event("hello", None, &hello)).await.is_err() {
        return;
    }
    if since.is_some() && catch_up(&app, &mut out, &mut last).await.is_err() {
        return;
    }
    let mut pulse = tokio::time::interval(PULSE);
    pulse.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        let sent = tokio::select! {
            r = live.recv() => match r {
                Ok(c) if c.seq > last => {
                    last = c.seq;
                    out.send(event("change", Some(c.seq), &masked(&c))).await
                }
                Ok(_) => Ok(()),
                Err(RecvError::Lagged(_)) => catch_up(&app, &mut out, &mut last).await,
                Err(RecvError::Closed) => break,
            },
            _ = pulse.tick() => {
                let now = Status::now(&app);
                if now != status {
                    status = now;
                    out.send(event("status", None, &status.to_json(&app))).await
                } else if out.last_write.elapsed() >= HEARTBEAT {
                    out.send(Bytes::from_static(b": ping\n\n")).await
                } else {
                    Ok(())
                }
            }
            _ = stopping.changed() => break,
        };
        if sent.is_err() {
            break;
        }
    }
}

/// Sends the kept changes after `last`, or `resync` when some of them are no longer kept.
async fn catch_up(app: &App, out: &mut Out, last: &mut u64) -> Result<(), Gone> {
    let bus = &app.store.changes;
    loop {
        let batch = bus.since(*last, CATCH_UP_BATCH);
        let gap = match batch.first() {
            Some(first) => first.seq > *last + 1,
            None => bus.last_seq() != *last,
        };
        if gap {
            *last = bus.last_seq();
            let data = json!({"last_seq": *last, "oldest_kept": bus.oldest_kept()});
            return out.send(event("resync", None, &data)).await;
        }
        if batch.is_empty() {
            return Ok(());
        }
        for c in &batch {
            *last = c.seq;
            out.send(event("change", Some(c.seq), &masked(c))).await?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_is_one_data_line_with_its_id() {
        let e = event("change", Some(7), &json!({"a": "x\ny"}));
        assert_eq!(
            std::str::from_utf8(&e).unwrap(),
            "id: 7\nevent: change\ndata: {\"a\":\"x\\ny\"}\n\n"
        );
    }
}
