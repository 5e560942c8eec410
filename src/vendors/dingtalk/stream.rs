//! DingTalk Stream mode: `POST /v1.0/gateway/connections/open` (OpenConnection: the app's
//! clientId/clientSecret → a WebSocket `endpoint` and a single-use `ticket`), and the session
//! on that WebSocket (`GET /connect?ticket=…`, a `src/ws/` route) — JSON text frames
//! `{specVersion, type, headers, data}` out, ACKs `{code, headers.messageId, message, data}` in
//! (notes `shared/vendors/dingtalk-events.md` §3; the official `dingtalk-stream` SDKs: Python
//! `stream.py`/`frames.py`, Go `payload/`, Java `EventHeaders`). Frames are built in
//! `stream_frames.rs`.
//!
//! A session registers with the engine's live transport (`events::live`) when the client
//! subscribed to `EVENT` frames; each delivery of a `mode: stream` subscription then goes to one
//! connected client of the app as an EVENT frame and waits for its ACK (success: `code` 200
//! and not `data.status == "LATER"`). A missing, `LATER` or refused ACK, or a connection that
//! closes first, is a failed attempt: the event is redelivered (same `eventId`, a new
//! `messageId`) after 10 s and 30 s on the server clock, then listed as failed. A frame that is
//! not JSON or not an ACK ends that session (SYSTEM `disconnect`, then close); other
//! sessions and tenants are untouched.

use super::errors;
use super::stream_frames as frames;
use crate::app::App;
use crate::events::live::Acked;
use crate::exchange::{Exchange, Reply};
use crate::store::{Token, TokenKind};
use http::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

/// The WebSocket path of the endpoint OpenConnection answers (the real one is
/// `wss://wss-open-connection.dingtalk.com/connect`).
pub const CONNECT_PATH: &str = "/connect";

/// A ticket is good for one connection within 90 s [D18, second-hand].
pub const TICKET_TTL_MS: i64 = 90_000;

/// A write the client does not take within this ends the session (real time).
const WRITE_WITHIN: Duration = Duration::from_secs(10);

/// `POST /v1.0/gateway/connections/open` (OpenConnection, `auth_type Anonymous`: the
/// credentials travel in the body [sdk D16]) → `{endpoint, ticket}`.
pub fn open(ex: &mut Exchange<'_>) -> Reply {
    let body: Value = serde_json::from_slice(&ex.body).unwrap_or(Value::Null);
    let field = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or("");
    let subs = match body.get("subscriptions") {
        Some(Value::Array(a)) => a.clone(),
        _ => return errors::params(ex, "subscriptions must be an array"),
    };
    let Some(tenant) = super::tokens::app(ex, field("clientId"), field("clientSecret")) else {
        return errors::err(ex, "invalid_client", None);
    };
    let events = subs
        .iter()
        .any(|s| s.get("type").and_then(Value::as_str) == Some("EVENT"));
    let store = &ex.app.store;
    let h = store.secrets.hex(32);
    let ticket = format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    );
    let mut extra = serde_json::Map::new();
    extra.insert("stream".into(), json!(true));
    extra.insert("events".into(), json!(events));
    extra.insert("ua".into(), json!(field("ua")));
    store.tokens.insert(Token {
        value: ticket.clone(),
        vendor: super::VENDOR,
        tenant: tenant.id.clone(),
        kind: TokenKind::Ticket,
        user: None,
        meeting: None,
        issued_at_ms: ex.now_ms,
        expires_at_ms: ex.now_ms + TICKET_TTL_MS,
        revoked: false,
        extra,
    });
    // DEVIATION: back to the host the client called, `wss://` when it called over TLS, else
    // `ws://`; the real endpoint is `wss://` on a host of its own.
    let host = ex.header("host").unwrap_or("127.0.0.1").to_string();
    let scheme = if ex.secure { "wss" } else { "ws" };
    Reply::json_as(
        StatusCode::OK,
        errors::CONTENT_TYPE,
        &json!({ "endpoint": format!("{scheme}://{host}{CONNECT_PATH}"), "ticket": ticket }),
    )
}

/// Who a connection belongs to, from its `?ticket=` (taken: single use).
pub struct Admitted {
    pub tenant: String,
    /// The client subscribed to EVENT frames.
    pub events: bool,
}

/// Checks and uses up the ticket of an upgrade request; `Err` is the refusal's message.
pub fn admit(app: &App, ticket: Option<&str>) -> Result<Admitted, String> {
    let ticket = ticket
        .filter(|t| !t.is_empty())
        .ok_or("ticket is missing")?;
    let now = app.store.clock.now_ms();
    let t = app
        .store
        .tokens
        .get(ticket)
        .filter(|t| t.vendor == super::VENDOR && t.kind == TokenKind::Ticket)
        .filter(|t| t.extra.get("stream") == Some(&json!(true)))
        .ok_or("ticket is invalid")?;
    let taken = app
        .store
        .tokens
        .take(&t.value, now)
        .ok_or("ticket is expired or already used")?;
    Ok(Admitted {
        tenant: taken.tenant,
        events: taken.extra.get("events") == Some(&json!(true)),
    })
}

/// The WebSocket endpoint: accepts an upgrade carrying a good ticket (the tenant is the
/// ticket's app), then runs [`session`] on it. Server pings every 60 s keep quiet clients (the
/// Node SDK sends nothing but ACKs) from the idle limit.
// DEVIATION: a missing, unknown, used or expired ticket is refused with HTTP 403 and a JSON
// body before the upgrade; DingTalk's own refusal is undocumented (notes §7).
pub fn route() -> crate::ws::Route {
    let config = crate::ws::Config {
        idle: Duration::from_secs(180),
        keepalive: Some(Duration::from_secs(60)),
        ..crate::ws::Config::default()
    };
    let accept: crate::ws::Accept = std::sync::Arc::new(|ex: &mut Exchange<'_>| {
        let ticket = ex.query("ticket");
        let who = admit(ex.app, ticket.as_deref()).map_err(|why| {
            Reply::json_as(
                StatusCode::FORBIDDEN,
                errors::CONTENT_TYPE,
                &json!({ "code": "invalidTicket", "message": why }),
            )
        })?;
        Ok(crate::ws::Accepted {
            tenant: Some(who.tenant.clone()),
            headers: Vec::new(),
            run: Box::new(move |app, conn| Box::pin(session(app, who, WsConn(conn)))),
        })
    });
    crate::ws::Route::new(super::VENDOR, CONNECT_PATH, "StreamConnect", config, accept)
}

/// A `src/ws/` connection as the session's text socket; a binary message reads as a bad frame.
struct WsConn(crate::ws::Conn);

impl Socket for WsConn {
    async fn recv(&mut self) -> Option<String> {
        match self.0.recv().await? {
            crate::ws::Inbound::Text(t) => Some(t),
            crate::ws::Inbound::Binary(_) => Some("<binary message>".into()),
        }
    }

    async fn send(&mut self, text: String) -> Result<(), ()> {
        self.0.tx.text(text).await.map_err(|_| ())
    }

    async fn close(&mut self, code: u16, reason: &str) {
        self.0.tx.close(code, reason).await;
    }
}

/// A text-message socket, as the WebSocket plumbing offers it.
pub trait Socket: Send {
    /// The next text message; `None` once the client is gone. Binary messages are `Some`
    /// of something that is not JSON (a bad frame).
    fn recv(&mut self) -> impl std::future::Future<Output = Option<String>> + Send;
    /// Sends a text message; `Err` once the client is gone.
    fn send(&mut self, text: String) -> impl std::future::Future<Output = Result<(), ()>> + Send;
    /// Ends the connection with a Close frame of this code and reason.
    fn close(&mut self, code: u16, reason: &str) -> impl std::future::Future<Output = ()> + Send;
}

/// Serves one admitted connection until the client leaves, misbehaves or the server stops.
pub async fn session<S: Socket>(app: std::sync::Arc<App>, who: Admitted, mut socket: S) {
    let connection = app.store.secrets.hex(32);
    let ids = || app.store.secrets.hex(32);
    let registered = who.events.then(|| {
        app.events
            .live
            .register(super::VENDOR, &who.tenant, connection.clone())
    });
    let (client, mut frames) = match registered {
        Some((c, rx)) => (Some(c), Some(rx)),
        None => (None, None),
    };
    let mut stopping = app.stopping.subscribe();
    // A SYSTEM ping at once: the client's ACK proves the link (and its ACK path) works.
    let ping_id = ids();
    let now = || app.store.clock.now_ms();
    let first = frames::system(
        frames::PING,
        &connection,
        &ping_id,
        now(),
        &json!({"opaque": ids()}),
    );
    let mut alive = send(&mut socket, first).await;
    while alive {
        tokio::select! {
            f = async { match frames.as_mut() { Some(rx) => rx.recv().await, None => std::future::pending().await } } => {
                match f {
                    Some(f) => alive = send(&mut socket, f.text).await,
                    None => break,
                }
            }
            m = socket.recv() => {
                let Some(text) = m else { break };
                match frames::read_ack(&text) {
                    Ok((id, ack)) => {
                        if let Some(c) = &client {
                            c.acked(&id, ack);
                        }
                    }
                    Err(why) => {
                        tracing::debug!(tenant = %who.tenant, %why, "dingtalk stream: bad frame, disconnecting");
                        let bye = frames::system(frames::DISCONNECT, &connection, &ids(), now(), &json!({"reason": why}));
                        if send(&mut socket, bye).await {
                            // 1008: policy violation (the frame was not an ACK).
                            close(&mut socket, 1008, "bad frame").await;
                        }
                        break;
                    }
                }
            }
            _ = async { let _ = stopping.wait_for(|s| *s).await; } => {
                let bye = frames::system(frames::DISCONNECT, &connection, &ids(), now(), &json!({"reason": "server shutting down"}));
                if send(&mut socket, bye).await {
                    close(&mut socket, 1001, "server shutting down").await;
                }
                break;
            }
        }
    }
    if let Some(c) = &client {
        app.events.live.unregister(c);
    }
}

async fn close<S: Socket>(socket: &mut S, code: u16, reason: &str) {
    let _ = tokio::time::timeout(WRITE_WITHIN, socket.close(code, reason)).await;
}

async fn send<S: Socket>(socket: &mut S, text: String) -> bool {
    matches!(
        tokio::time::timeout(WRITE_WITHIN, socket.send(text)).await,
        Ok(Ok(()))
    )
}

/// The success rule of an event ACK [inf §3.2]: `code` 200 and not `data.status == "LATER"`
/// (Java/Go send `{"status":"SUCCESS"|"LATER"}`, Python echoes the event data).
pub fn verdict(code: u16, data: &str) -> Result<(), String> {
    if code != 200 {
        return Err(format!("the client answered ACK code {code}"));
    }
    let status = serde_json::from_str::<Value>(data)
        .ok()
        .and_then(|v| v.get("status").and_then(Value::as_str).map(str::to_string));
    match status.as_deref() {
        Some("LATER") => Err("the client asked to have it LATER".into()),
        _ => Ok(()),
    }
}

/// An ACK as the live transport wants it.
pub fn acked(code: u16, raw: &str, data: &str) -> Acked {
    Acked {
        code: Some(code),
        raw: raw.to_string(),
        verdict: verdict(code, data),
    }
}
