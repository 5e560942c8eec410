//! The webhook transport: one HTTP(S) request per delivery through `reqwest` (rustls, HTTP/1.1,
//! keep-alive) — a POST, or the GET of a URL verification with its query parameters
//! percent-encoded (`+`, `/`, `=` too) — header names written in the case the vendor's format asks for, real-time
//! connect and total timeouts, the receiver's answer read up to a bound. Receivers over HTTPS
//! are trusted through the public roots plus `--events-ca` plus the subscription's own CA.
//!
//! Proxies from the environment are ignored: deliveries go straight to the receiver (usually a
//! test's local server).

use super::delivery::BODY_KEEP;
use crate::vendors::events::{HeaderCase, Method, Outbound, Timeouts};
use parking_lot::{Mutex, RwLock};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Where nothing listens (TCP port 1 on loopback): the `dead_url` delivery fault.
pub const DEAD_URL: &str = "http://127.0.0.1:1/";

/// What came back from one POST.
#[derive(Debug, Clone, Default)]
pub struct Sent {
    pub status: Option<u16>,
    /// The answer body, at most `BODY_KEEP` bytes.
    pub body: Vec<u8>,
    /// Why there is no (complete) answer.
    pub error: Option<String>,
    pub latency_ms: f64,
}

/// A client per (header case, connect timeout, extra CA).
type Key = (HeaderCase, u64, u64);

/// Clients kept at most (each distinct subscription CA makes one); beyond, the cache restarts.
const MAX_CLIENTS: usize = 64;

/// See the module documentation.
#[derive(Default)]
pub struct Webhook {
    /// PEM certificates from `--events-ca`, trusted for every subscription. Written once at
    /// start, read when a client is built.
    global_ca: RwLock<Vec<String>>,
    /// Built clients (each owns a connection pool). The lock is held only to look a client up
    /// or insert one — never across a request.
    clients: Mutex<HashMap<Key, reqwest::Client>>,
}

fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The innermost cause of an error, which says what actually went wrong.
fn cause(e: &reqwest::Error) -> String {
    let mut source: &dyn std::error::Error = e;
    while let Some(next) = source.source() {
        source = next;
    }
    source.to_string()
}

impl Webhook {
    /// Trusts `pem` (one or more certificates) for every receiver (`--events-ca`).
    pub fn trust(&self, pem: String) {
        self.global_ca.write().push(pem);
        self.clients.lock().clear();
    }

    fn client(
        &self,
        case: HeaderCase,
        connect: Duration,
        ca: Option<&str>,
    ) -> Result<reqwest::Client, String> {
        let key = (case, connect.as_millis() as u64, ca.map_or(0, fnv));
        if let Some(c) = self.clients.lock().get(&key) {
            return Ok(c.clone());
        }
        let mut b = reqwest::Client::builder()
            .http1_only()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(connect)
            .pool_idle_timeout(Duration::from_secs(60))
            .tcp_nodelay(true);
        if case == HeaderCase::Title {
            b = b.http1_title_case_headers();
        }
        let global = self.global_ca.read().clone();
        for pem in global.iter().map(String::as_str).chain(ca) {
            let certs = reqwest::Certificate::from_pem_bundle(pem.as_bytes())
                .map_err(|e| format!("CA certificate refused: {}", cause(&e)))?;
            for c in certs {
                b = b.add_root_certificate(c);
            }
        }
        let client = b
            .build()
            .map_err(|e| format!("HTTP client: {}", cause(&e)))?;
        let mut clients = self.clients.lock();
        if clients.len() >= MAX_CLIENTS {
            clients.clear();
        }
        clients.insert(key, client.clone());
        Ok(client)
    }

    /// Sends one request and waits (at most `timeouts.total`) for the answer.
    pub async fn post(
        &self,
        url: &str,
        out: &Outbound,
        case: HeaderCase,
        timeouts: Timeouts,
        ca: Option<&str>,
    ) -> Sent {
        let started = Instant::now();
        let client = match self.client(case, timeouts.connect, ca) {
            Ok(c) => c,
            Err(e) => {
                return Sent {
                    error: Some(e),
                    ..Sent::default()
                }
            }
        };
        let mut rb = match out.method {
            Method::Post => client.post(url).body(out.body.clone()),
            Method::Get => client.get(url),
        }
        .timeout(timeouts.total);
        if !out.query.is_empty() {
            rb = rb.query(&out.query);
        }
        for (name, value) in &out.headers {
            rb = rb.header(*name, value.as_str());
        }
        let result = async {
            let mut resp = rb.send().await?;
            let status = resp.status().as_u16();
            let mut body = Vec::new();
            while let Some(chunk) = resp.chunk().await? {
                let room = BODY_KEEP.saturating_sub(body.len());
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                if room <= chunk.len() {
                    break;
                }
            }
            Ok::<_, reqwest::Error>((status, body))
        }
        .await;
        let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
        match result {
            Ok((status, body)) => Sent {
                status: Some(status),
                body,
                error: None,
                latency_ms,
            },
            Err(e) => {
                let why = if e.is_timeout() {
                    format!(
                        "no answer within {} ms (connect budget {} ms)",
                        timeouts.total.as_millis(),
                        timeouts.connect.as_millis()
                    )
                } else if e.is_connect() {
                    format!("cannot connect: {}", cause(&e))
                } else {
                    format!("broken exchange: {}", cause(&e))
                };
                Sent {
                    status: e.status().map(|s| s.as_u16()),
                    body: Vec::new(),
                    error: Some(why),
                    latency_ms,
                }
            }
        }
    }
}
