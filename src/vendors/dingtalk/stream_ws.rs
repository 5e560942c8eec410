//! The WebSocket under DingTalk Stream mode: the upgrade of `GET /connect?ticket=…` on the
//! edge listener (RFC 6455 handshake via `tokio-tungstenite`), then the session of
//! `stream.rs` over the socket.
//!
//! A minimal upgrade of its own, written while the generic WebSocket module (`src/ws/`: route
//! table, fault rules and journal on upgrades, keepalive, admin list) was not yet in main: the
//! protocol (`stream::session`) only needs a text [`Socket`](super::stream::Socket), so folding
//! this into `src/ws/` means registering a route whose accept check is [`accept`] and whose
//! session adapts `ws::Conn` to that trait; this file then goes.

use super::stream::{self, Socket};
use crate::app::App;
use crate::body::Body;
use crate::exchange::Reply;
use futures_util::{SinkExt, StreamExt};
use http::request::Parts;
use http::{Method, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::sync::Arc;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

/// Largest message accepted from a client (an ACK is a few hundred bytes).
const MAX_MESSAGE: usize = 1 << 20;

/// True for a request this module serves: a GET of the Stream endpoint.
pub fn wants(parts: &Parts) -> bool {
    parts.method == Method::GET && parts.uri.path() == stream::CONNECT_PATH
}

fn header<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts.headers.get(name).and_then(|v| v.to_str().ok())
}

fn refuse(status: StatusCode, code: &str, message: &str) -> Response<Body> {
    crate::pipeline::to_response(Reply::json(
        status,
        &serde_json::json!({ "code": code, "message": message }),
    ))
}

/// The upgrade: the WebSocket handshake checked, the ticket taken, `101` answered and the
/// session started on the upgraded connection.
// DEVIATION: a missing, unknown, used or expired ticket is refused with HTTP 403 and a JSON
// body before the upgrade; DingTalk's own refusal is undocumented (notes §7).
pub fn serve(app: &Arc<App>, mut parts: Parts) -> Response<Body> {
    let upgrade_ws = header(&parts, "upgrade").is_some_and(|u| u.eq_ignore_ascii_case("websocket"));
    let key = header(&parts, "sec-websocket-key").map(str::to_string);
    let (true, Some(key)) = (upgrade_ws, key) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "notWebSocket",
            "GET /connect is the Stream WebSocket: send a WebSocket upgrade",
        );
    };
    if header(&parts, "sec-websocket-version") != Some("13") {
        return refuse(
            StatusCode::UPGRADE_REQUIRED,
            "badVersion",
            "only WebSocket version 13 is spoken",
        );
    }
    let ticket = parts.uri.query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "ticket")
            .map(|(_, v)| v.into_owned())
    });
    let who = match stream::admit(app, ticket.as_deref()) {
        Ok(w) => w,
        Err(why) => return refuse(StatusCode::FORBIDDEN, "invalidTicket", &why),
    };
    let Some(on_upgrade) = parts.extensions.remove::<hyper::upgrade::OnUpgrade>() else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "notWebSocket",
            "this connection cannot be upgraded",
        );
    };
    let app = Arc::clone(app);
    tokio::spawn(async move {
        let Ok(upgraded) = on_upgrade.await else {
            return;
        };
        let config = WebSocketConfig::default()
            .max_message_size(Some(MAX_MESSAGE))
            .max_frame_size(Some(MAX_MESSAGE));
        let ws =
            WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, Some(config))
                .await;
        stream::session(app, who, Tungstenite(ws)).await;
    });
    let mut resp = Response::new(Body::full(bytes::Bytes::new()));
    *resp.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let h = resp.headers_mut();
    h.insert(
        http::header::UPGRADE,
        http::HeaderValue::from_static("websocket"),
    );
    h.insert(
        http::header::CONNECTION,
        http::HeaderValue::from_static("Upgrade"),
    );
    if let Ok(v) = http::HeaderValue::from_str(&derive_accept_key(key.as_bytes())) {
        h.insert(http::header::SEC_WEBSOCKET_ACCEPT, v);
    }
    resp
}

/// A tungstenite stream as the session's text socket. Pings are answered by tungstenite as
/// it reads; a binary message reads as a bad frame.
struct Tungstenite<S>(WebSocketStream<S>);

impl<S> Socket for Tungstenite<S>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send,
{
    async fn recv(&mut self) -> Option<String> {
        loop {
            match self.0.next().await? {
                Ok(Message::Text(t)) => return Some(t.to_string()),
                Ok(Message::Binary(_)) => return Some("<binary message>".into()),
                Ok(Message::Close(_)) | Err(_) => return None,
                Ok(_) => continue,
            }
        }
    }

    async fn send(&mut self, text: String) -> Result<(), ()> {
        self.0.send(Message::text(text)).await.map_err(|_| ())
    }

    async fn close(&mut self, code: u16, reason: &str) {
        let frame = CloseFrame {
            code: CloseCode::from(code),
            reason: reason.to_string().into(),
        };
        let _ = self.0.close(Some(frame)).await;
    }
}
