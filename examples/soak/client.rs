//! The soak's HTTP client and its bookkeeping: every answer is classified as accepted, refused
//! by the vendor, a documented business 5xx, a 5xx the fault rules injected, or unexpected; a
//! broken connection is expected only on the operation the `connection: reset` rule targets.

use parking_lot::Mutex;
use serde_json::Value;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Counters shared by every task.
#[derive(Default)]
pub struct Stats {
    pub requests: AtomicU64,
    pub accepted: AtomicU64,
    pub refused: AtomicU64,
    pub business_5xx: AtomicU64,
    pub injected_5xx: AtomicU64,
    pub injected_resets: AtomicU64,
    /// Requests sent to be refused (bad credentials, bad bodies, over limits).
    pub tracked_refusals: AtomicU64,
    pub failures: Mutex<Vec<String>>,
}

impl Stats {
    pub fn fail(&self, why: String) {
        let mut f = self.failures.lock();
        if f.len() < 20 {
            f.push(why);
        }
    }
}

/// The operations the fault rules target: (vendor, operation, error code or "reset").
pub type Injected = Vec<(&'static str, &'static str, String)>;

pub struct Ctx {
    pub base: String,
    pub http: reqwest::Client,
    pub stats: Stats,
    pub injected: Injected,
    /// Server clock minus local clock, ms (the soak advances the server clock).
    pub offset_ms: AtomicI64,
    pub stop: AtomicBool,
}

/// One answer, read whole.
pub struct Answer {
    pub status: u16,
    pub json: Value,
}

impl Answer {
    /// True for a success (HTTP 200 and no vendor error code in the body).
    pub fn ok(&self, vendor: &str) -> bool {
        self.status == 200 && !refused_200(vendor, &self.json)
    }
}

fn refused_200(vendor: &str, v: &Value) -> bool {
    match vendor {
        "tencent" => v.get("error_info").is_some(),
        "feishu" => v["code"].as_i64().is_some_and(|c| c != 0),
        "dingtalk" => v.get("errcode").is_some_and(|c| c != 0),
        _ => v.get("error_code").is_some(),
    }
}

/// The vendor code of an error body.
pub fn code_of(vendor: &str, v: &Value) -> String {
    let c = match vendor {
        "tencent" => &v["error_info"]["error_code"],
        "feishu" | "dingtalk" => &v["code"],
        _ => &v["error_code"],
    };
    match c {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A 5xx the vendor documents for a business condition (not the internal error).
fn documented_5xx(vendor: &str, code: &str) -> bool {
    if vendor == "tencent" && code == "9042" {
        return true; // dismiss by a non-host answers 500 on that operation
    }
    meetmock::vendors::registry()
        .iter()
        .filter(|x| x.id().as_str() == vendor)
        .flat_map(|x| x.errors().iter())
        .any(|e| {
            e.code == code
                && e.status >= 500
                && !matches!(e.name, "internal_error" | "system_error")
        })
}

impl Ctx {
    pub fn server_now_ms(&self) -> i64 {
        let local = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        local + self.offset_ms.load(Ordering::Relaxed)
    }

    /// Sends one vendor request and classifies the answer; `None` when there is none.
    pub async fn call(
        &self,
        vendor: &'static str,
        op: &'static str,
        method: reqwest::Method,
        path: &str,
        headers: &[(&str, String)],
        body: Vec<u8>,
    ) -> Option<Answer> {
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
        let mut rb = self
            .http
            .request(method, format!("{}{path}", self.base))
            .body(body);
        rb = rb.header("Content-Type", "application/json; charset=utf-8");
        for (k, v) in headers {
            rb = rb.header(*k, v.as_str());
        }
        let resp = match rb.send().await {
            Ok(r) => r,
            Err(e) => {
                self.transport_error(vendor, op, &e.to_string());
                return None;
            }
        };
        let status = resp.status().as_u16();
        let bytes = match resp.bytes().await {
            Ok(b) => b,
            Err(e) => {
                self.transport_error(vendor, op, &e.to_string());
                return None;
            }
        };
        let json: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let a = Answer { status, json };
        let code = code_of(vendor, &a.json);
        let s = &self.stats;
        if status >= 500 {
            if self
                .injected
                .iter()
                .any(|(v, o, c)| *v == vendor && *o == op && *c == code)
            {
                s.injected_5xx.fetch_add(1, Ordering::Relaxed);
            } else if documented_5xx(vendor, &code) {
                s.business_5xx.fetch_add(1, Ordering::Relaxed);
            } else {
                s.fail(format!(
                    "unexpected {status} from {vendor} {op} {path}: {}",
                    a.json
                ));
            }
        } else if a.ok(vendor) {
            s.accepted.fetch_add(1, Ordering::Relaxed);
        } else {
            s.refused.fetch_add(1, Ordering::Relaxed);
        }
        Some(a)
    }

    fn transport_error(&self, vendor: &str, op: &str, why: &str) {
        if self
            .injected
            .iter()
            .any(|(v, o, c)| *v == vendor && *o == op && c == "reset")
        {
            self.stats.injected_resets.fetch_add(1, Ordering::Relaxed);
        } else {
            self.stats
                .fail(format!("connection failed on {vendor} {op}: {why}"));
        }
    }

    /// An admin call; `Null` (and a failure noted) unless it answers 200.
    pub async fn admin(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut rb = self
            .http
            .request(method, format!("{}/__admin{path}", self.base));
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        match rb.send().await {
            Ok(r) if r.status().is_success() => r.json().await.unwrap_or(Value::Null),
            Ok(r) => {
                let st = r.status();
                self.stats.fail(format!(
                    "admin {path}: {st} {}",
                    r.text().await.unwrap_or_default()
                ));
                Value::Null
            }
            Err(e) => {
                self.stats.fail(format!("admin {path}: {e}"));
                Value::Null
            }
        }
    }
}
