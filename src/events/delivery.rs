//! One delivery (a vendor event bound for one subscription) and its attempts, as kept in the
//! outbox, exported with the state, and shown by `GET /__admin/events` (secrets masked).

use crate::store::{Subscription, VendorId};
use crate::vendors::events::AttemptSeed;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Bytes of a request or response body kept per attempt.
pub const BODY_KEEP: usize = 8 * 1024;

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Waiting: for its turn in its meeting's queue, a retry time, or a paused subscription.
    Pending,
    /// An attempt is on the wire.
    InFlight,
    /// The receiver acknowledged it.
    Delivered,
    /// Every retry of the vendor's schedule failed; given up.
    Failed,
    /// Lost on purpose (a `drop` fault) or its subscription was removed.
    Dropped,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::InFlight => "in_flight",
            Status::Delivered => "delivered",
            Status::Failed => "failed",
            Status::Dropped => "dropped",
        }
    }

    /// Parses a status filter.
    pub fn parse(s: &str) -> Option<Status> {
        [
            Status::Pending,
            Status::InFlight,
            Status::Delivered,
            Status::Failed,
            Status::Dropped,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }

    /// True once nothing more will be sent (unless redelivered).
    pub fn finished(self) -> bool {
        matches!(self, Status::Delivered | Status::Failed | Status::Dropped)
    }
}

/// One send of a delivery (or of its duplicate).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    /// 1 for the first send; a duplicate has the number of the send it repeats.
    pub n: u32,
    /// Send time and the seed of its nonce and IV.
    pub seed: AttemptSeed,
    /// Where it was sent (the dead URL under a `dead_url` fault).
    pub url: String,
    /// Header name and value in sending order, names as the vendor writes them.
    pub headers: Vec<(String, String)>,
    /// The request body as sent (at most [`BODY_KEEP`] bytes, lossy UTF-8).
    pub body: String,
    /// The receiver's HTTP status, if it answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The receiver's answer body (at most [`BODY_KEEP`] bytes, lossy UTF-8).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub response: String,
    /// Why no acceptable answer came (timeout, connection refused, non-200 …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Real time from sending to the answer (or the failure), milliseconds.
    pub latency_ms: f64,
    /// The receiver acknowledged this send.
    pub ok: bool,
    /// The delivery fault rule applied to this send, `rule (kind)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<String>,
}

/// A vendor event bound for one subscription.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    /// Outbox id (admin API); never reused in a server's life or after a state import.
    pub id: u64,
    /// The vendor's dedupe id, the same on every attempt.
    pub event_id: String,
    pub event_type: String,
    pub vendor: VendorId,
    pub tenant: String,
    pub subscription: String,
    pub meeting: String,
    /// The change it came from (`GET /__admin/changes`).
    pub change_seq: u64,
    /// Server-clock time it was queued, unix ms.
    pub created_at_ms: i64,
    /// The plaintext event (shared with in-flight sends, never copied per attempt).
    pub payload: std::sync::Arc<str>,
    pub status: Status,
    /// Failed sends so far (retries used = failures, while below the schedule's length).
    #[serde(default)]
    pub failures: u32,
    /// Server-clock time the next send is due (a retry), unix ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_at_ms: Option<i64>,
    /// Moved behind its successor once by a `reorder` fault (never again).
    #[serde(default)]
    pub reordered: bool,
    /// Why it ended as failed or dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default)]
    pub attempts: Vec<Attempt>,
}

/// Replaces every secret value of the subscription in `text` (values of 4+ characters).
pub fn mask(text: &str, sub: Option<&Subscription>) -> String {
    let mut out = text.to_string();
    if let Some(s) = sub {
        for v in s.secrets.values().filter(|v| v.len() >= 4) {
            if out.contains(v.as_str()) {
                out = out.replace(v.as_str(), "***");
            }
        }
    }
    out
}

impl Delivery {
    /// The admin view: the payload parsed, every secret of the subscription masked, and the
    /// next retry time while one is due.
    pub fn view(&self, sub: Option<&Subscription>) -> Value {
        let payload = mask(&self.payload, sub);
        let attempts: Vec<Value> = self
            .attempts
            .iter()
            .map(|a| {
                let headers: serde_json::Map<String, Value> = a
                    .headers
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(mask(v, sub))))
                    .collect();
                json!({
                    "n": a.n,
                    "at_ms": a.seed.at_ms,
                    "request": {"url": a.url, "headers": headers, "body": mask(&a.body, sub)},
                    "status": a.status,
                    "response": a.response,
                    "error": a.error,
                    "latency_ms": a.latency_ms,
                    "ok": a.ok,
                    "fault": a.fault,
                })
            })
            .collect();
        json!({
            "id": self.id,
            "event_id": self.event_id,
            "type": self.event_type,
            "vendor": self.vendor,
            "tenant": self.tenant,
            "subscription": self.subscription,
            "meeting": self.meeting,
            "change_seq": self.change_seq,
            "created_at_ms": self.created_at_ms,
            "status": self.status.as_str(),
            "failures": self.failures,
            "next_retry_at_ms": if self.status == Status::Pending { self.next_at_ms } else { None },
            "note": self.note,
            "payload": serde_json::from_str::<Value>(&payload).unwrap_or(Value::String(payload)),
            "attempts": attempts,
        })
    }
}

/// Filters of `GET /__admin/events` and `/count`.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub vendor: Option<VendorId>,
    pub tenant: Option<String>,
    pub meeting: Option<String>,
    pub event_type: Option<String>,
    pub status: Option<Status>,
    pub subscription: Option<String>,
    pub event_id: Option<String>,
}

impl Filter {
    pub fn accepts(&self, d: &Delivery) -> bool {
        self.vendor.is_none_or(|v| d.vendor == v)
            && self.tenant.as_deref().is_none_or(|t| d.tenant == t)
            && self.meeting.as_deref().is_none_or(|m| d.meeting == m)
            && self.event_type.as_deref().is_none_or(|t| d.event_type == t)
            && self.status.is_none_or(|s| d.status == s)
            && self
                .subscription
                .as_deref()
                .is_none_or(|s| d.subscription == s)
            && self.event_id.as_deref().is_none_or(|e| d.event_id == e)
    }
}

/// Cuts `bytes` to [`BODY_KEEP`] and renders them as (lossy) UTF-8.
pub fn keep(bytes: &[u8]) -> String {
    String::from_utf8_lossy(&bytes[..bytes.len().min(BODY_KEEP)]).into_owned()
}
