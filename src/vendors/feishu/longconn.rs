//! The long connection ("使用长连接接收事件"): endpoint discovery and the WebSocket protocol
//! of `pbbp2` frames that `lark.ws.Client` (Python), `WSClient` (Node), `larkws` (Go) and
//! `com.lark.oapi.ws.Client` (Java) speak (open.feishu.cn event-subscription-guide, "使用长连接
//! 接收事件"; `shared/vendors/feishu-events.md` §3, proven against the SDKs).
//!
//! 1. `POST /callback/ws/endpoint {"AppID","AppSecret"}` → `{"code":0,"data":{"URL",
//!    "ClientConfig"}}`. The URL points back at this server (`ws://` or `wss://`, the scheme
//!    the client used) with `device_id`, `service_id` and a one-use `ticket`.
//! 2. The upgrade at `/ws/v2` checks the ticket and the 50-connection limit per app [doc S5];
//!    refusals carry `handshake-status` / `handshake-msg` / `handshake-autherrcode`.
//! 3. Frames: the client pings (CONTROL `type=ping`), the server answers `type=pong` with the
//!    `ClientConfig` as payload; events go out as DATA frames (`type=event`, `message_id`,
//!    `trace_id`, `sum`, `seq`, `timestamp`) carrying the plaintext 2.0 event; the client
//!    echoes the frame with `biz_rt` and payload `{"code":200}` (500 when its handler failed).
//!
//! Which client gets an event, waiting for the ACK and redelivery are the engine's
//! (`src/events/live.rs`).

use super::errors::{self, *};
use super::pbbp2::{self, header, Frame, CONTROL, DATA};
use crate::app::App;
use crate::exchange::{Exchange, Reply};
use crate::store::{StoreError, TokenKind, VendorId};
use crate::vendors::live::{Framed, LiveClient, LiveProtocol, PushIds, Reaction};
use crate::ws::{Config, Inbound};
use http::StatusCode;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::time::Duration;

/// Where clients connect (the live service: `wss://msg-frontier.feishu.cn/ws/v2?…` [obs]).
pub const PATH: &str = "/ws/v2";
/// The endpoint discovery path the SDKs call [sdk S1 ws/const.py].
pub const ENDPOINT: &str = "/callback/ws/endpoint";
/// `service_id` of the event service, as the live URLs carry it [obs].
const SERVICE_ID: &str = "33554678";
/// At most 50 connections per app [doc S5].
const MAX_CONNECTIONS: usize = 50;
/// How long a ticket may wait for its upgrade [inf: the SDKs connect at once].
const TICKET_TTL_S: i64 = 3600;
/// `handshake-status` of an authentication failure, and the auth code of the connection
/// limit [sdk S1 ws/const.py].
const AUTH_FAILED: u16 = 514;
const EXCEED_CONN_LIMIT: u64 = 1_000_040_350;

/// The `ClientConfig` the live service hands out (seconds) [sdk S1 defaults, obs]; an app's
/// `ws_client_config` setting overrides it (tests shorten the reconnect jitter).
fn client_config(app: &App, tenant: &str) -> Value {
    let mut c = json!({"ReconnectCount": -1, "ReconnectInterval": 120,
                       "ReconnectNonce": 30, "PingInterval": 120});
    let set = app
        .store
        .tenant(VendorId::Feishu, tenant)
        .and_then(|t| t.with(|d| d.extra.get("ws_client_config").cloned()));
    if let (Some(Value::Object(over)), Some(base)) = (set, c.as_object_mut()) {
        base.extend(over);
    }
    c
}

/// Checks an app's `ws_client_config` setting: an object of the four integer fields.
pub fn validate_client_config(v: &Value) -> Result<(), String> {
    const KEYS: [&str; 4] = [
        "ReconnectCount",
        "ReconnectInterval",
        "ReconnectNonce",
        "PingInterval",
    ];
    let ok = v.is_null()
        || v.as_object().is_some_and(|o| {
            o.iter()
                .all(|(k, x)| KEYS.contains(&k.as_str()) && x.as_i64().is_some())
        });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`ws_client_config` must be an object of integers with keys among {}",
            KEYS.join(", ")
        ))
    }
}

/// `POST /callback/ws/endpoint`.
pub fn endpoint(ex: &mut Exchange<'_>) -> Reply {
    let body: Map<String, Value> = match ex.json::<Value>() {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let field = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or("");
    let (app_id, secret) = (field("AppID"), field("AppSecret"));
    if !app_id.starts_with("cli_") {
        return errors::fail(ex, &WS_BAD_APP_ID);
    }
    let store = &ex.app.store;
    let tenant = match store.tenant_or_provision(VendorId::Feishu, app_id, secret, BTreeMap::new())
    {
        Ok(t) if !secret.is_empty() && t.secret == secret => t,
        Ok(_) => return errors::fail(ex, &WS_BAD_CREDENTIALS),
        Err(StoreError::UnknownTenant(_)) | Err(_) => return errors::fail(ex, &WS_BAD_APP_ID),
    };
    // 19 digits like the live ones (`device_id=7677469797122837778` [obs]).
    let device_id = format!(
        "7{:018}",
        store.secrets.next_u128() % 1_000_000_000_000_000_000
    );
    let ticket = store.secrets.hex(32);
    let now = ex.now_ms;
    let mut extra = Map::new();
    extra.insert("purpose".into(), json!("long_connection"));
    extra.insert("device_id".into(), json!(device_id));
    store.tokens.insert(crate::store::Token {
        value: ticket.clone(),
        vendor: VendorId::Feishu,
        tenant: tenant.id.clone(),
        kind: TokenKind::Ticket,
        user: None,
        meeting: None,
        issued_at_ms: now,
        expires_at_ms: now + TICKET_TTL_S * 1000,
        revoked: false,
        extra,
    });
    let host = ex.header("host").unwrap_or("127.0.0.1").to_string();
    let scheme = if ex.secure { "wss" } else { "ws" };
    let url = format!(
        "{scheme}://{host}{PATH}?fpid=493&aid=552564&device_id={device_id}&service_id={SERVICE_ID}&ticket={ticket}"
    );
    let config = client_config(ex.app, &tenant.id);
    Reply::json(
        StatusCode::OK,
        &json!({"code": 0, "msg": "ok", "data": {"URL": url, "ClientConfig": config}}),
    )
    .with_code("0")
}

/// Feishu's push protocol (see the module docs).
pub struct FeishuLive;

impl LiveProtocol for FeishuLive {
    fn path(&self) -> &'static str {
        PATH
    }

    fn operation(&self) -> &'static str {
        "callback.ws.connect"
    }

    /// Clients ping every `PingInterval` (120 s): three missed pings end the session.
    fn config(&self) -> Config {
        Config {
            idle: Duration::from_secs(360),
            ..Config::default()
        }
    }

    fn accept(
        &self,
        ex: &mut Exchange<'_>,
        online: &dyn Fn(&str) -> usize,
    ) -> Result<LiveClient, Reply> {
        let ticket = ex.query("ticket").unwrap_or_default();
        let device = ex.query("device_id").unwrap_or_default();
        let store = &ex.app.store;
        let valid = store.tokens.get(&ticket).filter(|t| {
            t.vendor == VendorId::Feishu
                && t.kind == TokenKind::Ticket
                && t.live(ex.now_ms)
                && t.extra.get("purpose") == Some(&json!("long_connection"))
                && t.extra.get("device_id").and_then(Value::as_str) == Some(device.as_str())
        });
        // DEVIATION: the gateway's own refusal of an unknown ticket is undocumented; 514 with
        // the endpoint's credential code makes the SDKs fetch a new endpoint and reconnect.
        let Some(t) = valid else {
            return Err(errors::ws_refusal(
                AUTH_FAILED,
                "ticket is invalid or expired",
                Some(1_000_040_345),
            ));
        };
        if online(&t.tenant) >= MAX_CONNECTIONS {
            return Err(errors::ws_refusal(
                AUTH_FAILED,
                "exceed conn limit",
                Some(EXCEED_CONN_LIMIT),
            ));
        }
        // One use: a reconnect asks the endpoint again, as every SDK does.
        store.tokens.revoke(&ticket);
        if let Some(tenant) = store.tenant(VendorId::Feishu, &t.tenant) {
            ex.principal = Some(crate::exchange::Principal {
                tenant,
                kind: Some(TokenKind::Ticket),
                user: None,
                token: None,
            });
        }
        Ok(LiveClient {
            tenant: t.tenant.clone(),
            label: format!("device_id={device}"),
            params: vec![
                ("device_id".into(), device),
                (
                    "service_id".into(),
                    ex.query("service_id").unwrap_or_else(|| SERVICE_ID.into()),
                ),
            ],
        })
    }

    fn push(&self, client: &LiveClient, ids: &PushIds, payload: &[u8]) -> Framed {
        let frame = Frame {
            seq_id: ids.seq,
            log_id: ids.log_id,
            service: service(client),
            method: DATA,
            headers: vec![
                header("type", "event"),
                header("message_id", ids.key.as_str()),
                header("sum", "1"),
                header("seq", "0"),
                header("trace_id", ids.trace.as_str()),
                header("timestamp", ids.at_ms.to_string()),
            ],
            payload: Some(payload.to_vec()),
            ..Frame::default()
        };
        Framed {
            headers: frame.header_pairs(),
            messages: vec![pbbp2::encode(&frame)],
        }
    }

    fn read(&self, app: &App, client: &LiveClient, message: &Inbound) -> Reaction {
        // DEVIATION: what the gateway does with a frame it cannot read is undocumented; the
        // connection is closed (1007 / 1003) and unacknowledged events are redelivered.
        let bytes = match message {
            Inbound::Binary(b) => b,
            Inbound::Text(_) => {
                return Reaction::Close {
                    code: 1003,
                    reason: "binary pbbp2 frames only".into(),
                }
            }
        };
        let frame = match pbbp2::decode(bytes) {
            Ok(f) => f,
            Err(e) => {
                return Reaction::Close {
                    code: 1007,
                    reason: format!("not a pbbp2 frame: {e}"),
                }
            }
        };
        match (frame.method, frame.header("type")) {
            (CONTROL, Some("ping")) => Reaction::Reply(pong(app, client)),
            (DATA, _) => match frame.header("message_id") {
                Some(key) => ack(key, frame.payload.as_deref().unwrap_or_default()),
                None => Reaction::Ignore,
            },
            _ => Reaction::Ignore,
        }
    }

    fn offline(&self, tenant: &str) -> String {
        format!(
            "应用未建立长连接: no long-connection client of {tenant} is connected; start the SDK's \
             ws client first (the console saves this mode only while a client is online)"
        )
    }
}

fn service(client: &LiveClient) -> i32 {
    client
        .param("service_id")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// The answer to a ping: CONTROL `type=pong`, the `ClientConfig` as payload (the SDKs apply
/// it at once) [sdk S1].
fn pong(app: &App, client: &LiveClient) -> Vec<u8> {
    let config = client_config(app, &client.tenant);
    pbbp2::encode(&Frame {
        service: service(client),
        method: CONTROL,
        headers: vec![header("type", "pong")],
        payload: Some(config.to_string().into_bytes()),
        ..Frame::default()
    })
}

/// An ACK: the payload `{"code":200}` (Python), `{"code":200,"headers":null,"data":null}` (Go)
/// or with base64 `data`; only 200 counts as handled [sdk S1,S8].
fn ack(key: &str, payload: &[u8]) -> Reaction {
    let code = serde_json::from_slice::<Value>(payload)
        .ok()
        .and_then(|v| v.get("code").and_then(Value::as_u64))
        .unwrap_or(0);
    Reaction::Ack {
        key: key.to_string(),
        status: code.min(u16::MAX as u64) as u16,
        ok: code == 200,
        response: String::from_utf8_lossy(payload).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acks_count_only_code_200() {
        for (payload, ok, status) in [
            (&br#"{"code": 200}"#[..], true, 200),
            (br#"{"code":200,"headers":null,"data":null}"#, true, 200),
            (br#"{"code":500}"#, false, 500),
            (b"garbage", false, 0),
        ] {
            match ack("m", payload) {
                Reaction::Ack {
                    ok: o, status: s, ..
                } => assert_eq!((o, s), (ok, status)),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn a_pushed_event_is_one_data_frame_with_every_header_the_sdks_require() {
        let client = LiveClient {
            tenant: "cli_a".into(),
            label: String::new(),
            params: vec![("service_id".into(), SERVICE_ID.into())],
        };
        let ids = PushIds {
            seq: 7,
            key: "k".into(),
            trace: "t".into(),
            log_id: 9,
            at_ms: 1_700_000_000_000,
        };
        let f = FeishuLive.push(&client, &ids, b"{}");
        let frame = pbbp2::decode(&f.messages[0]).unwrap();
        assert_eq!(
            (frame.seq_id, frame.log_id, frame.service, frame.method),
            (7, 9, 33_554_678, DATA)
        );
        for (k, v) in [
            ("type", "event"),
            ("message_id", "k"),
            ("sum", "1"),
            ("seq", "0"),
            ("trace_id", "t"),
        ] {
            assert_eq!(frame.header(k), Some(v), "{k}");
        }
        assert_eq!(frame.payload.as_deref(), Some(&b"{}"[..]));
    }

    #[test]
    fn client_config_settings_are_checked() {
        assert!(validate_client_config(&json!({"ReconnectNonce": 0})).is_ok());
        assert!(validate_client_config(&json!({"ReconnectNonce": "0"})).is_err());
        assert!(validate_client_config(&json!({"Other": 1})).is_err());
    }
}
