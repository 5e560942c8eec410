//! The shared in-process server the HTTP property targets drive, a raw HTTP/1.1 client (so a
//! target can send any bytes in the request-target, headers and body, and a dropped connection
//! is seen as such), and the "refused ⇒ nothing
//! changed" check (a per-vendor fingerprint of `GET /__admin/state`).

#![allow(dead_code)]

use meetmock::config::Config;
use meetmock::Running;
use parking_lot::{Mutex, MutexGuard};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::OnceLock;
use std::time::Duration;

/// One server (demo scenario) per vendor target file, kept for the whole test binary.
pub struct Shared {
    _rt: tokio::runtime::Runtime,
    _running: Running,
    pub addr: SocketAddr,
    /// Serialises the cases of one vendor's targets: the state comparison needs no other
    /// request of that vendor in flight.
    lock: Mutex<()>,
}

/// A response read whole.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl Resp {
    /// The body as JSON, `Null` when it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// The case count of a target: `PROPTEST_CASES` when set, else `default`.
pub fn config(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

impl Shared {
    /// The server of `cell`, started on first use.
    pub fn get(cell: &'static OnceLock<Shared>) -> &'static Shared {
        cell.get_or_init(|| {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime");
            let config = Config {
                listen: "127.0.0.1:0".parse().expect("addr"),
                no_demo: false,
                ..Config::default()
            };
            let running = rt
                .block_on(async {
                    let scenarios = meetmock::scenarios_for(&config).expect("demo loads");
                    meetmock::start_with(config, scenarios).await
                })
                .expect("server starts");
            Shared {
                addr: running.addr(),
                _rt: rt,
                _running: running,
                lock: Mutex::new(()),
            }
        })
    }

    /// Exclusive use of this server for one case.
    pub fn exclusive(&self) -> MutexGuard<'_, ()> {
        self.lock.lock()
    }

    /// Sends one request with raw target, headers and body; `Err` when the connection was
    /// dropped or the answer is not HTTP.
    pub fn send(
        &self,
        method: &str,
        target: &[u8],
        headers: &[(&str, &[u8])],
        body: &[u8],
    ) -> Result<Resp, String> {
        let mut req = Vec::with_capacity(256 + body.len());
        req.extend_from_slice(method.as_bytes());
        req.push(b' ');
        req.extend_from_slice(target);
        req.extend_from_slice(b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        for (k, v) in headers {
            req.extend_from_slice(k.as_bytes());
            req.extend_from_slice(b": ");
            req.extend_from_slice(v);
            req.extend_from_slice(b"\r\n");
        }
        req.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
        req.extend_from_slice(body);
        let mut s = TcpStream::connect(self.addr).map_err(|e| format!("connect: {e}"))?;
        s.set_read_timeout(Some(Duration::from_secs(20)))
            .map_err(|e| e.to_string())?;
        s.write_all(&req).map_err(|e| format!("write: {e}"))?;
        let mut raw = Vec::new();
        s.read_to_end(&mut raw)
            .map_err(|e| format!("read: {e} after {} bytes", raw.len()))?;
        parse(&raw)
    }

    /// Sends text (target, headers and body as strings).
    pub fn send_str(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Resp, String> {
        let h: Vec<(&str, &[u8])> = headers.iter().map(|(k, v)| (*k, v.as_bytes())).collect();
        self.send(method, target.as_bytes(), &h, body)
    }

    /// An admin call; panics (a test failure) unless it answers 200 with JSON.
    pub fn admin(&self, method: &str, path: &str, body: &Value) -> Value {
        let b = if body.is_null() {
            Vec::new()
        } else {
            body.to_string().into_bytes()
        };
        let r = self
            .send_str(
                method,
                &format!("/__admin{path}"),
                &[("Content-Type", "application/json")],
                &b,
            )
            .expect("admin call answered");
        assert_eq!(r.status, 200, "admin {path}: {}", r.text());
        r.json()
    }

    /// Handler panics the server has caught so far.
    pub fn panics(&self) -> u64 {
        self.admin("GET", "/health", &Value::Null)["panics"]
            .as_u64()
            .unwrap_or(u64::MAX)
    }

    /// Everything the store holds about `vendor` (tenants, credentials, tokens), in a
    /// canonical order, without the clock and the id counter (request ids draw from it).
    pub fn fingerprint(&self, vendor: &str) -> String {
        let s = self.admin("GET", "/state", &Value::Null);
        let mine = |v: &Value| v["vendor"] == vendor;
        let mut tenants: Vec<String> = s["tenants"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|t| mine(t))
            .map(Value::to_string)
            .collect();
        tenants.sort();
        let mut creds: Vec<String> = s["credentials"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| c[0] == vendor)
            .map(Value::to_string)
            .collect();
        creds.sort();
        let mut tokens: Vec<String> = s["tokens"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|t| mine(t))
            .map(Value::to_string)
            .collect();
        tokens.sort();
        json!({"tenants": tenants, "credentials": creds, "tokens": tokens}).to_string()
    }

    /// Back to the demo scenario.
    pub fn reset(&self) {
        self.admin("POST", "/reset", &json!({}));
    }
}

fn parse(raw: &[u8]) -> Result<Resp, String> {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| format!("no HTTP answer ({} bytes)", raw.len()))?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line: {head:?}"))?;
    let mut body = raw[split + 4..].to_vec();
    let lower = head.to_ascii_lowercase();
    if let Some(len) = lower
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
    {
        if body.len() < len {
            return Err(format!("truncated body: {} of {len}", body.len()));
        }
        body.truncate(len);
    }
    Ok(Resp { status, head, body })
}

/// Checks an answer of `vendor` is its own envelope with a documented status; `Ok(true)` when
/// the request was refused (an error answer), `Ok(false)` when it was accepted.
pub fn judge(vendor: &str, r: &Resp) -> Result<bool, String> {
    let v = r.json();
    let bad = |why: &str| Err(format!("{why}: {} {}", r.status, r.text()));
    if r.status >= 500 && !documented_5xx(vendor, &v) {
        return bad("a 5xx answer that is not a documented business error");
    }
    match vendor {
        "tencent" => {
            let e = &v["error_info"];
            if r.status == 200 && e.is_null() {
                return if v.is_object() || r.body.is_empty() {
                    Ok(false)
                } else {
                    bad("success not JSON")
                };
            }
            let keys = v.as_object().map_or(0, |o| o.len());
            if keys != 1
                || !e["error_code"].is_i64()
                || !e["new_error_code"].is_i64()
                || !e["message"].is_string()
            {
                return bad("not the error_info envelope");
            }
            Ok(true)
        }
        "feishu" => {
            if r.status == 404 && r.text() == "404 page not found" {
                return Ok(true);
            }
            let Some(code) = v["code"].as_i64() else {
                return bad("no integer code");
            };
            if code != 0 && !(v["msg"].is_string() || v["error"].is_string()) {
                return bad("an error without msg");
            }
            Ok(code != 0 || r.status != 200)
        }
        "dingtalk" => {
            if r.status == 200 {
                return match v.get("errcode") {
                    Some(c) => Ok(c != 0),
                    None if v.is_object() => Ok(false),
                    None => bad("success not a JSON object"),
                };
            }
            if !v["code"].is_string() || !v["message"].is_string() || !v["requestid"].is_string() {
                return bad("not the code/message/requestid envelope");
            }
            Ok(true)
        }
        "huawei" => {
            if r.status == 200 && v.get("error_code").is_none() {
                // CreateMeeting answers a JSON array; void operations an empty body.
                return if !v.is_null() || r.body.is_empty() {
                    Ok(false)
                } else {
                    bad("success not JSON")
                };
            }
            if !v["error_code"].is_string() || !v["error_msg"].is_string() {
                return bad("not the error_code/error_msg envelope");
            }
            Ok(true)
        }
        _ => bad("unknown vendor"),
    }
}

impl Shared {
    /// Runs one case: sends, judges the answer, and when it was refused checks that the
    /// vendor's state is unchanged; no handler may have panicked. Returns whether it was
    /// refused and the answer.
    pub fn case(
        &self,
        vendor: &str,
        send: impl FnOnce() -> Result<Resp, String>,
    ) -> Result<(bool, Resp), TestCaseError> {
        let before = self.fingerprint(vendor);
        let panics = self.panics();
        let r = send().map_err(|e| TestCaseError::fail(format!("no answer: {e}")))?;
        let refused = judge(vendor, &r).map_err(TestCaseError::fail)?;
        prop_assert_eq!(self.panics(), panics, "a handler panicked: {}", r.text());
        if refused {
            let after = self.fingerprint(vendor);
            prop_assert!(
                before == after,
                "a refused request changed state: {} {}",
                r.status,
                r.text()
            );
        }
        Ok((refused, r))
    }
}

/// A 5xx the vendor documents for a business condition (Tencent answers "meeting not exist"
/// with 500, …): the body's code is in the catalogue with a 5xx status and is not the
/// internal error a caught panic renders.
fn documented_5xx(vendor: &str, v: &Value) -> bool {
    let code = match vendor {
        "tencent" => v["error_info"]["error_code"]
            .as_i64()
            .map(|c| c.to_string()),
        "feishu" => v["code"].as_i64().map(|c| c.to_string()),
        "dingtalk" => v["code"].as_str().map(str::to_string),
        "huawei" => v["error_code"].as_str().map(str::to_string),
        _ => None,
    };
    let Some(code) = code else { return false };
    if vendor == "tencent" && code == "9042" {
        return true; // dismiss by a non-host: 500 on that operation only
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
