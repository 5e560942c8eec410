//! Shared by the `events_*` modules: an in-process event receiver that reads raw HTTP/1.1 (so
//! header-name case and body bytes are seen exactly as sent) and answers by plan — 200, any
//! status, the URL challenge, hang, TCP reset, garbage, or a function of the request (another
//! vendor's receiver) — over plain TCP or TLS; Feishu
//! decryption and signature checks written from the notes (not meetmock's code); admin helpers.

#![allow(dead_code)]

use crate::common::TestApp;
use aes::cipher::{block_padding::Pkcs7, BlockDecryptMut, KeyIvInit};
use base64::Engine as _;
use parking_lot::Mutex;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

pub const VT: &str = "mock-verification-token";
pub const EK: &str = "mock-encrypt-key";
pub const APP: &str = "cli_demo_feishu";
pub const LIVE: &str = "7000000000000000028";
pub const RESERVE: &str = "6911188411934973028";
pub const HOST: &str = "ou_host_0001";

/// How the receiver answers one request.
#[derive(Debug, Clone)]
pub enum Answer {
    /// `200 {"msg":"success"}` (what lark-oapi answers).
    Ok,
    Status(u16),
    /// Echo the challenge (decrypting with the key when the body is encrypted).
    Challenge(Option<String>),
    /// Read the request, never answer (until released or the client gives up).
    Hang,
    /// TCP RST instead of an answer.
    Reset,
    /// Bytes that are not HTTP, then close.
    Garbage,
    /// 200 when the Feishu signature verifies with this key, else 500 (what lark-oapi does).
    Signed(String),
    /// Whatever this function answers (status, body): a vendor receiver written elsewhere.
    With(Responder),
}

/// Computes (status, body) from a request.
pub type Respond = dyn Fn(&Got) -> (u16, String) + Send + Sync;

/// A receiver's answer computed from the request (`Answer::With`).
#[derive(Clone)]
pub struct Responder(pub Arc<Respond>);

impl std::fmt::Debug for Responder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Responder")
    }
}

/// One request as received.
#[derive(Debug, Clone)]
pub struct Got {
    pub request_line: String,
    /// Header names exactly as they arrived, in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Got {
    /// A header by its exact (case-sensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("body is JSON")
    }

    /// The event: the body, decrypted when it is `{"encrypt":…}`.
    pub fn event(&self, key: Option<&str>) -> Value {
        let v = self.json();
        match (v.get("encrypt").and_then(Value::as_str), key) {
            (Some(b64), Some(k)) => serde_json::from_slice(&decrypt(k, b64)).expect("JSON inside"),
            _ => v,
        }
    }
}

/// AES-256-CBC, key SHA-256(encrypt_key), IV = first 16 bytes, strict PKCS#7 (notes §2.5).
pub fn decrypt(key: &str, b64: &str) -> Vec<u8> {
    let k: [u8; 32] = Sha256::digest(key.as_bytes()).into();
    let blob = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .expect("base64");
    assert!(
        blob.len() >= 32 && blob.len().is_multiple_of(16),
        "blob length"
    );
    let (iv, ct) = blob.split_at(16);
    let iv: [u8; 16] = iv.try_into().unwrap();
    cbc::Decryptor::<aes::Aes256>::new(&k.into(), &iv.into())
        .decrypt_padded_vec_mut::<Pkcs7>(ct)
        .expect("PKCS#7")
}

/// `hex(sha256(timestamp ‖ nonce ‖ key ‖ body))` (notes §2.5).
pub fn signature(ts: &str, nonce: &str, key: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(ts.as_bytes());
    h.update(nonce.as_bytes());
    h.update(key.as_bytes());
    h.update(body);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

struct Inner {
    got: Mutex<Vec<Got>>,
    plan: Mutex<VecDeque<Answer>>,
    default: Mutex<Answer>,
    arrived: Notify,
    release: Notify,
    /// Hanging answers still holding their connection open.
    hanging: AtomicUsize,
}

/// See the module documentation.
pub struct Receiver {
    pub url: String,
    inner: Arc<Inner>,
}

impl Receiver {
    /// A plain-HTTP receiver answering `default` unless a planned answer is queued.
    pub async fn start(default: Answer) -> Receiver {
        Self::start_tls(default, None).await
    }

    /// Over TLS with this server configuration when given.
    pub async fn start_tls(default: Answer, tls: Option<Arc<rustls::ServerConfig>>) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let inner = Arc::new(Inner {
            got: Mutex::new(Vec::new()),
            plan: Mutex::new(VecDeque::new()),
            default: Mutex::new(default),
            arrived: Notify::new(),
            release: Notify::new(),
            hanging: AtomicUsize::new(0),
        });
        let i = Arc::clone(&inner);
        let scheme = if tls.is_some() { "https" } else { "http" };
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let i = Arc::clone(&i);
                match &tls {
                    None => {
                        tokio::spawn(serve(stream, i));
                    }
                    Some(cfg) => {
                        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::clone(cfg));
                        tokio::spawn(async move {
                            if let Ok(s) = acceptor.accept(stream).await {
                                serve_io(s, None, i).await;
                            }
                        });
                    }
                }
            }
        });
        Receiver {
            url: format!("{scheme}://127.0.0.1:{}/webhook/feishu", addr.port()),
            inner,
        }
    }

    /// Queues answers for the next requests (then the default again).
    pub fn plan(&self, answers: impl IntoIterator<Item = Answer>) {
        self.inner.plan.lock().extend(answers);
    }

    pub fn set_default(&self, a: Answer) {
        *self.inner.default.lock() = a;
    }

    /// Lets every hanging answer go (they answer 200).
    pub fn release(&self) {
        self.inner.release.notify_waiters();
    }

    pub fn hanging(&self) -> usize {
        self.inner.hanging.load(Ordering::SeqCst)
    }

    pub fn got(&self) -> Vec<Got> {
        self.inner.got.lock().clone()
    }

    /// Waits until `n` requests arrived (10 s at most) and returns them all.
    pub async fn wait_for(&self, n: usize) -> Vec<Got> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let notified = self.inner.arrived.notified();
            let got = self.got();
            if got.len() >= n {
                return got;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!("expected {n} requests, got {}: {:#?}", got.len(), got);
            }
        }
    }
}

async fn serve(stream: TcpStream, inner: Arc<Inner>) {
    let sock = socket2::SockRef::from(&stream).try_clone().ok();
    serve_io(stream, sock, inner).await;
}

async fn serve_io<S: AsyncRead + AsyncWrite + Unpin>(
    mut s: S,
    sock: Option<socket2::Socket>,
    inner: Arc<Inner>,
) {
    let mut buf = Vec::new();
    loop {
        let Some(head_end) = read_until_head(&mut s, &mut buf).await else {
            return;
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        let mut lines = head.split("\r\n");
        let request_line = lines.next().unwrap_or("").to_string();
        let headers: Vec<(String, String)> = lines
            .filter(|l| !l.is_empty())
            .filter_map(|l| {
                l.split_once(": ")
                    .map(|(k, v)| (k.to_string(), v.to_string()))
            })
            .collect();
        let len = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse::<usize>().ok())
            .unwrap_or(0);
        let start = head_end + 4;
        while buf.len() < start + len {
            let mut chunk = [0u8; 8192];
            match s.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let body = buf[start..start + len].to_vec();
        buf.drain(..start + len);
        let got = Got {
            request_line,
            headers,
            body,
        };
        let answer = inner
            .plan
            .lock()
            .pop_front()
            .unwrap_or_else(|| inner.default.lock().clone());
        let reply = match &answer {
            Answer::Ok => Some((200, r#"{"msg":"success"}"#.to_string())),
            Answer::Status(st) => Some((*st, r#"{"msg":"nope"}"#.to_string())),
            Answer::Signed(key) => {
                let h = |n: &str| got.header(n).unwrap_or("").to_string();
                let want = signature(
                    &h("X-Lark-Request-Timestamp"),
                    &h("X-Lark-Request-Nonce"),
                    key,
                    &got.body,
                );
                if h("X-Lark-Signature") == want {
                    Some((200, r#"{"msg":"success"}"#.to_string()))
                } else {
                    Some((
                        500,
                        r#"{"msg":"signature verification failed"}"#.to_string(),
                    ))
                }
            }
            Answer::With(f) => Some((f.0)(&got)),
            Answer::Challenge(key) => {
                let c = got.event(key.as_deref())["challenge"].clone();
                Some((200, json!({ "challenge": c }).to_string()))
            }
            _ => None,
        };
        inner.got.lock().push(got);
        inner.arrived.notify_waiters();
        match (answer, reply) {
            (_, Some((status, body))) => {
                let resp = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                );
                if s.write_all(resp.as_bytes()).await.is_err() {
                    return;
                }
            }
            (Answer::Hang, _) => {
                inner.hanging.fetch_add(1, Ordering::SeqCst);
                let mut one = [0u8; 1];
                tokio::select! {
                    _ = inner.release.notified() => {}
                    _ = s.read(&mut one) => {}
                }
                inner.hanging.fetch_sub(1, Ordering::SeqCst);
                let _ = s
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
                    .await;
                return;
            }
            (Answer::Reset, _) => {
                if let Some(sock) = &sock {
                    let _ = sock.set_linger(Some(Duration::ZERO));
                }
                return;
            }
            _ => {
                let _ = s.write_all(b"this is not HTTP at all\r\n\r\n").await;
                return;
            }
        }
    }
}

async fn read_until_head<S: AsyncRead + Unpin>(s: &mut S, buf: &mut Vec<u8>) -> Option<usize> {
    loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            return Some(i);
        }
        let mut chunk = [0u8; 8192];
        match s.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Subscribes the demo Feishu app to `url` (no handshake unless `verify`); returns the view.
pub async fn subscribe(app: &TestApp, url: &str, key: Option<&str>, extra: Value) -> Value {
    let mut body = json!({
        "vendor": "feishu", "tenant": APP, "url": url,
        "verification_token": VT, "verify": false,
    });
    if let Some(k) = key {
        body["encrypt_key"] = json!(k);
    }
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        body[k] = v;
    }
    app.admin_post("/subscriptions", body).await
}

/// Deliveries matching the admin query, newest first.
pub async fn events(app: &TestApp, query: &str) -> Vec<Value> {
    let r = app.admin_get(&format!("/events?{query}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()["events"].as_array().unwrap().clone()
}

/// Waits (10 s at most) until delivery `id` has `status` and `attempts` attempts.
pub async fn wait_delivery(app: &TestApp, id: u64, status: &str, attempts: usize) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let d = app.admin_get(&format!("/events/{id}")).await.json();
        if d["status"] == status && d["attempts"].as_array().map_or(0, Vec::len) == attempts {
            return d;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "delivery {id} never reached {status} with {attempts} attempts: {d:#}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Admin meeting action on the demo Feishu tenant.
pub async fn meeting(app: &TestApp, id: &str, action: &str, user: Option<&str>) -> Value {
    let mut body = json!({"vendor": "feishu"});
    if let Some(u) = user {
        body["user"] = json!(u);
    }
    app.admin_post(&format!("/meetings/{id}/{action}"), body)
        .await
}

/// Starts the demo reserve: the meeting it opens (an id of its own).
pub async fn start_reserve(app: &TestApp) -> String {
    let v = meeting(app, RESERVE, "start", None).await;
    let id = v["meeting"]["id"]
        .as_str()
        .expect("the opened meeting")
        .to_string();
    assert_ne!(id, RESERVE);
    id
}

/// The event types of received (decrypted) events, in arrival order.
pub fn types(got: &[Got], key: Option<&str>) -> Vec<String> {
    got.iter()
        .map(|g| {
            g.event(key)["header"]["event_type"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect()
}
