//! DingTalk Stream mode: `POST /v1.0/gateway/connections/open` (OpenConnection: the app's
//! clientId/clientSecret → a WebSocket `endpoint` and a single-use `ticket`), and the session
//! on that WebSocket (`GET /connect?ticket=…`, a `src/ws/` route) — JSON text frames
//! `{specVersion, type, headers, data}` out, ACKs `{code, headers.messageId, message, data}` in
//! (notes `shared/vendors/dingtalk-events.md` §3; the official `dingtalk-stream` SDKs: Python
//! `stream.py`/`frames.py`, Go `payload/`, Java `EventHeaders`). Frames are built in
//! `stream_frames.rs`.
//!
//! [`StreamProtocol`] is the vendor side of the engine's live connections (`events::live`),
//! which serve the route and the sessions: each delivery of a `mode: stream` subscription goes
//! to one connected client of the app as an EVENT frame and waits for its ACK (success: `code`
//! 200 and not `data.status == "LATER"`). A missing, `LATER` or refused ACK, or a connection
//! that closes first, is a failed attempt: the event is redelivered (same `eventId`, a new
//! `messageId`) after 10 s and 30 s on the server clock, then listed as failed. A frame that is
//! not JSON or not an ACK ends that session (SYSTEM `disconnect`, then close); other sessions
//! and tenants are untouched.

use super::errors;
use super::stream_frames as frames;
use crate::app::App;
use crate::exchange::{Exchange, Reply};
use crate::store::{Token, TokenKind};
use crate::vendors::live::{Framed, LiveClient, LiveProtocol, PushIds, Reaction};
use crate::ws::{Config, Inbound};
use http::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

/// The WebSocket path of the endpoint OpenConnection answers (the real one is
/// `wss://wss-open-connection.dingtalk.com/connect`).
pub const CONNECT_PATH: &str = "/connect";

/// A ticket is good for one connection within 90 s [D18, second-hand].
pub const TICKET_TTL_MS: i64 = 90_000;

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
    extra.insert("subscriptions".into(), Value::Array(subs));
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
    })
}

/// Stream mode's push protocol: the engine's live connections (`events::live`) serve its
/// WebSocket route and sessions; this says how a client is admitted, how an event is framed,
/// what a client message means.
pub struct StreamProtocol;

impl LiveProtocol for StreamProtocol {
    fn path(&self) -> &'static str {
        CONNECT_PATH
    }

    fn operation(&self) -> &'static str {
        "StreamConnect"
    }

    /// Server pings after 60 s of silence keep quiet clients (the Node SDK sends nothing but
    /// ACKs) from the idle limit.
    fn config(&self) -> Config {
        Config {
            idle: Duration::from_secs(180),
            keepalive: Some(Duration::from_secs(60)),
            ..Config::default()
        }
    }

    /// The ticket decides the app.
    // DEVIATION: a missing, unknown, used or expired ticket is refused with HTTP 403 and a JSON
    // body before the upgrade; DingTalk's own refusal is undocumented (notes §7).
    fn accept(
        &self,
        ex: &mut Exchange<'_>,
        _online: &dyn Fn(&str) -> usize,
    ) -> Result<LiveClient, Reply> {
        let ticket = ex.query("ticket");
        let who = admit(ex.app, ticket.as_deref()).map_err(|why| {
            Reply::json_as(
                StatusCode::FORBIDDEN,
                errors::CONTENT_TYPE,
                &json!({ "code": "invalidTicket", "message": why }),
            )
        })?;
        let connection = ex.app.store.secrets.hex(32);
        Ok(LiveClient {
            tenant: who.tenant,
            label: format!("connectionId={connection}"),
            params: vec![("connectionId".into(), connection)],
        })
    }

    fn push(&self, client: &LiveClient, ids: &PushIds, payload: &[u8]) -> Framed {
        let connection = client.param("connectionId").unwrap_or("");
        let text = frames::event(payload, connection, &ids.key, ids.at_ms).unwrap_or_default();
        Framed {
            messages: vec![text.into_bytes()],
            headers: vec![
                ("messageId".into(), ids.key.clone()),
                ("connectionId".into(), connection.to_string()),
            ],
        }
    }

    /// An ACK names its frame; anything else (not JSON, no numeric `code` or no
    /// `headers.messageId`, a binary message) ends the connection (1008) after a SYSTEM
    /// `disconnect`. ACKs of the SYSTEM ping match no push and change nothing.
    fn read(&self, _app: &App, _client: &LiveClient, message: &Inbound) -> Reaction {
        let Inbound::Text(text) = message else {
            return Reaction::Close {
                code: 1008,
                reason: "a binary message (frames are JSON text)".into(),
            };
        };
        match frames::read_ack(text) {
            Ok((key, ack)) => Reaction::Ack {
                key,
                status: ack.code.unwrap_or(0),
                ok: ack.verdict.is_ok(),
                response: ack.raw,
            },
            Err(why) => Reaction::Close {
                code: 1008,
                reason: why,
            },
        }
    }

    fn offline(&self, tenant: &str) -> String {
        format!("no dingtalk client of {tenant} is connected")
    }

    fn text(&self) -> bool {
        true
    }

    /// A SYSTEM `ping` at once: the client's ACK proves the link (and its ACK path) works.
    fn greeting(&self, client: &LiveClient, at_ms: i64) -> Vec<Vec<u8>> {
        let connection = client.param("connectionId").unwrap_or("");
        let id = format!("ping-{connection}-{at_ms}");
        let data = json!({ "opaque": connection });
        vec![frames::system(frames::PING, connection, &id, at_ms, &data).into_bytes()]
    }

    fn farewell(&self, client: &LiveClient, reason: &str, at_ms: i64) -> Option<Vec<u8>> {
        let connection = client.param("connectionId").unwrap_or("");
        let id = format!("disconnect-{connection}-{at_ms}");
        let data = json!({ "reason": reason });
        Some(frames::system(frames::DISCONNECT, connection, &id, at_ms, &data).into_bytes())
    }
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

/// A client's answer to one frame: its code, the raw text, and whether the rule above counts
/// it as an acknowledgement (`Err` says why not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acked {
    pub code: Option<u16>,
    pub raw: String,
    pub verdict: Result<(), String>,
}

/// An ACK read.
pub fn acked(code: u16, raw: &str, data: &str) -> Acked {
    Acked {
        code: Some(code),
        raw: raw.to_string(),
        verdict: verdict(code, data),
    }
}
