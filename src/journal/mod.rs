//! The bounded request journal: the last N exchanges, newest first, for verification.
//!
//! Storage is a ring of slots, each behind its own small mutex, indexed by a global sequence
//! number: writers on different slots never contend and no lock is global. Request bodies are
//! kept raw (at most [`BODY_KEEP`] bytes) and secrets are masked when the journal is *read*
//! (`mask.rs`), so the request path pays no JSON re-encoding.

mod mask;
pub use mask::{
    is_secret_in_answer, is_secret_name, mask_body, mask_json, mask_pairs, mask_target,
};

use crate::store::VendorId;
use bytes::Bytes;
use parking_lot::Mutex;
use serde::Serialize;
use serde_json::Value;
use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};

/// Bytes of a request body the journal keeps.
pub const BODY_KEEP: usize = 16 * 1024;

/// One journaled exchange.
#[derive(Debug, Clone)]
pub struct Entry {
    pub seq: u64,
    pub request_id: String,
    pub time_ms: i64,
    pub vendor: Option<VendorId>,
    pub operation: Option<&'static str>,
    pub method: http::Method,
    /// Path and query as received.
    pub target: String,
    pub status: u16,
    pub code: Option<Cow<'static, str>>,
    pub tenant: Option<String>,
    pub meeting: Option<String>,
    /// The fault rule that fired, if any.
    pub fault: Option<String>,
    pub duration_us: u64,
    pub body: Bytes,
    /// The answer's body as sent (at most [`BODY_KEEP`] bytes kept; masked on read).
    pub response: Bytes,
}

/// Filters of `GET /__admin/requests` and `/count`.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub vendor: Option<VendorId>,
    pub operation: Option<String>,
    pub status: Option<u16>,
    pub meeting: Option<String>,
    pub tenant: Option<String>,
    pub code: Option<String>,
    /// A fault rule's name (or the journal's `rate_limit:…` text) that acted on the request;
    /// `*` for any.
    pub fault: Option<String>,
}

/// True when the fault text of an entry (`"rule"` or `"rule, rate_limit:5/1s"`) names `want`.
fn names_fault(fault: Option<&str>, want: &str) -> bool {
    match fault {
        None => false,
        Some(_) if want == "*" => true,
        Some(f) => f.split(", ").any(|n| n == want),
    }
}

impl Filter {
    fn accepts(&self, e: &Entry) -> bool {
        self.vendor.is_none_or(|v| e.vendor == Some(v))
            && self
                .operation
                .as_deref()
                .is_none_or(|o| e.operation == Some(o))
            && self.status.is_none_or(|s| e.status == s)
            && self
                .meeting
                .as_deref()
                .is_none_or(|m| e.meeting.as_deref() == Some(m))
            && self
                .tenant
                .as_deref()
                .is_none_or(|t| e.tenant.as_deref() == Some(t))
            && self
                .code
                .as_deref()
                .is_none_or(|c| e.code.as_deref() == Some(c))
            && self
                .fault
                .as_deref()
                .is_none_or(|f| names_fault(e.fault.as_deref(), f))
    }
}

/// The journal.
pub struct Journal {
    /// Slot `seq % capacity` holds entry `seq`. Each mutex guards one slot only; the evicted
    /// entry is dropped after the slot's lock is released. Entries are boxed so an empty
    /// slot is one pointer: the default 10,000 slots cost ~160 KiB at start, not megabytes.
    slots: Box<[Mutex<Option<Box<Entry>>>]>,
    /// Next sequence number.
    next: AtomicU64,
    /// How many times the journal was cleared (live watchers tell a clear from no news).
    clears: AtomicU64,
}

impl Journal {
    /// A journal keeping the last `capacity` entries (0 keeps none).
    pub fn new(capacity: usize) -> Self {
        Journal {
            slots: (0..capacity).map(|_| Mutex::new(None)).collect(),
            next: AtomicU64::new(0),
            clears: AtomicU64::new(0),
        }
    }

    /// How many entries it keeps at most.
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Records an exchange; the oldest entry falls out when full.
    pub fn push(&self, mut entry: Entry) {
        if self.slots.is_empty() {
            return;
        }
        let seq = self.next.fetch_add(1, Ordering::Relaxed);
        entry.seq = seq;
        // Always copy: a request body is usually a slice of the connection's read buffer, and
        // keeping the slice would pin the whole buffer (kilobytes per entry).
        let keep = entry.body.len().min(BODY_KEEP);
        entry.body = Bytes::copy_from_slice(&entry.body[..keep]);
        // An answer body is its own buffer (built for this reply), so keeping it is a
        // reference count, not a copy; only an oversized one is cut to a copied prefix.
        if entry.response.len() > BODY_KEEP {
            entry.response = Bytes::copy_from_slice(&entry.response[..BODY_KEEP]);
        }
        let slot = (seq % self.slots.len() as u64) as usize;
        let evicted = self.slots[slot].lock().replace(Box::new(entry));
        drop(evicted);
    }

    /// Matching entries, newest first, at most `limit`.
    pub fn list(&self, filter: &Filter, limit: usize) -> Vec<Entry> {
        let mut v: Vec<Entry> = self
            .slots
            .iter()
            .filter_map(|s| s.lock().as_deref().cloned())
            .filter(|e| filter.accepts(e))
            .collect();
        v.sort_by_key(|e| std::cmp::Reverse(e.seq));
        v.truncate(limit);
        v
    }

    /// How many kept entries match.
    pub fn count(&self, filter: &Filter) -> usize {
        self.slots
            .iter()
            .filter(|s| s.lock().as_ref().is_some_and(|e| filter.accepts(e)))
            .count()
    }

    /// Entries currently kept.
    pub fn len(&self) -> usize {
        self.slots.iter().filter(|s| s.lock().is_some()).count()
    }

    /// True when nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets everything.
    pub fn clear(&self) {
        for s in self.slots.iter() {
            *s.lock() = None;
        }
        self.clears.fetch_add(1, Ordering::Relaxed);
    }

    /// Where the journal stands without reading it: (entries ever pushed, times cleared). A
    /// live watcher (the dashboard) compares it to know when to read again.
    pub fn version(&self) -> (u64, u64) {
        (
            self.next.load(Ordering::Relaxed),
            self.clears.load(Ordering::Relaxed),
        )
    }
}

/// The JSON view of an entry served by the admin API, secrets masked.
#[derive(Serialize)]
pub struct EntryView {
    pub seq: u64,
    pub request_id: String,
    pub time_ms: i64,
    pub vendor: Option<VendorId>,
    pub operation: Option<&'static str>,
    pub method: String,
    pub target: String,
    pub status: u16,
    pub code: Option<String>,
    pub tenant: Option<String>,
    pub meeting: Option<String>,
    pub fault: Option<String>,
    pub duration_us: u64,
    /// The request body: JSON when it parses, else text, else absent; secrets masked either way.
    pub body: Option<Value>,
    /// The answer's body, masked the same way.
    pub response: Option<Value>,
}

impl From<&Entry> for EntryView {
    fn from(e: &Entry) -> Self {
        EntryView {
            seq: e.seq,
            request_id: e.request_id.clone(),
            time_ms: e.time_ms,
            vendor: e.vendor,
            operation: e.operation,
            method: e.method.to_string(),
            target: mask_target(&e.target),
            status: e.status,
            code: e.code.as_deref().map(str::to_string),
            tenant: e.tenant.clone(),
            meeting: e.meeting.clone(),
            fault: e.fault.clone(),
            duration_us: e.duration_us,
            body: (!e.body.is_empty()).then(|| mask_body(&e.body, &is_secret_name)),
            response: (!e.response.is_empty())
                .then(|| mask_body(&e.response, &is_secret_in_answer)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(op: &'static str) -> Entry {
        Entry {
            seq: 0,
            request_id: String::new(),
            time_ms: 0,
            vendor: Some(VendorId::Feishu),
            operation: Some(op),
            method: http::Method::GET,
            target: "/".into(),
            status: 200,
            code: None,
            tenant: None,
            meeting: None,
            fault: None,
            duration_us: 0,
            body: Bytes::new(),
            response: Bytes::new(),
        }
    }

    #[test]
    fn keeps_only_the_newest_entries() {
        let j = Journal::new(3);
        for op in ["a", "b", "c", "d"] {
            j.push(entry(op));
        }
        let ops: Vec<_> = j
            .list(&Filter::default(), 10)
            .iter()
            .map(|e| e.operation.unwrap())
            .collect();
        assert_eq!(ops, ["d", "c", "b"]);
    }

    #[test]
    fn the_fault_filter_names_a_rule_or_any() {
        let j = Journal::new(4);
        for f in [
            None,
            Some("slow"),
            Some("slow, rate_limit:5/1s"),
            Some("lock"),
        ] {
            let mut e = entry("x");
            e.fault = f.map(str::to_string);
            j.push(e);
        }
        let n = |f: &str| {
            j.count(&Filter {
                fault: Some(f.into()),
                ..Filter::default()
            })
        };
        assert_eq!(
            (n("slow"), n("lock"), n("rate_limit:5/1s"), n("*"), n("sl")),
            (2, 1, 1, 3, 0)
        );
    }

    #[test]
    fn secrets_are_masked_on_read() {
        let mut e = entry("x");
        e.body = Bytes::from_static(
            br#"{"app_id":"cli","app_secret":"s3cr3t","nested":{"password":"p"}}"#,
        );
        e.target = "/x?a=1&access_token=abc".into();
        let v = EntryView::from(&e);
        let body = v.body.unwrap().to_string();
        assert!(
            !body.contains("s3cr3t") && !body.contains("\"p\""),
            "{body}"
        );
        assert!(body.contains("cli"));
        assert_eq!(v.target, "/x?a=1&access_token=***");
    }

    #[test]
    fn answers_keep_their_result_code_and_lose_their_secrets() {
        let mut e = entry("x");
        e.response = Bytes::from_static(
            br#"{"code":0,"data":{"access_token":"u-1","refresh_token":"ur-2","password":"p"}}"#,
        );
        let v = EntryView::from(&e).response.unwrap();
        assert_eq!(v["code"], 0);
        assert_eq!(v["data"]["access_token"], "***");
        assert_eq!(v["data"]["refresh_token"], "***");
        assert_eq!(v["data"]["password"], "***");
    }
}
