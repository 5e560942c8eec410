//! A Feishu long-connection client written from the notes (`shared/vendors/feishu-events.md`
//! §3, what `lark.ws.Client` does), independent of meetmock's code: its own `pbbp2` messages,
//! endpoint discovery, the upgrade, pings, and ACKs echoing the frame with `biz_rt`.

#![allow(dead_code)]

use crate::common::TestApp;
use futures_util::{SinkExt, StreamExt};
use prost::Message as _;
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::WebSocketStream;

#[derive(Clone, PartialEq, prost::Message)]
pub struct Header {
    #[prost(string, required, tag = "1")]
    pub key: String,
    #[prost(string, required, tag = "2")]
    pub value: String,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct Frame {
    #[prost(uint64, required, tag = "1")]
    pub seq_id: u64,
    #[prost(uint64, required, tag = "2")]
    pub log_id: u64,
    #[prost(int32, required, tag = "3")]
    pub service: i32,
    #[prost(int32, required, tag = "4")]
    pub method: i32,
    #[prost(message, repeated, tag = "5")]
    pub headers: Vec<Header>,
    #[prost(string, optional, tag = "6")]
    pub payload_encoding: Option<String>,
    #[prost(string, optional, tag = "7")]
    pub payload_type: Option<String>,
    #[prost(bytes = "vec", optional, tag = "8")]
    pub payload: Option<Vec<u8>>,
    #[prost(string, optional, tag = "9")]
    pub log_id_new: Option<String>,
}

impl Frame {
    pub fn header(&self, key: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|h| h.key == key)
            .map(|h| h.value.as_str())
    }

    /// The payload as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(self.payload.as_deref().unwrap_or_default()).expect("JSON payload")
    }
}

/// `POST /callback/ws/endpoint`, the answer as JSON.
pub async fn endpoint(app: &TestApp, app_id: &str, secret: &str) -> Value {
    let r = app
        .send_json(
            Method::POST,
            "/callback/ws/endpoint",
            &[("locale", "zh")],
            &json!({"AppID": app_id, "AppSecret": secret}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()
}

/// A connected client.
pub struct Lark {
    pub ws: WebSocketStream<TcpStream>,
    pub service: i32,
    pub url: String,
}

/// Upgrades at `url` (a `ws://` URL on the test server).
pub async fn upgrade(app: &TestApp, url: &str) -> Result<WebSocketStream<TcpStream>, WsError> {
    let tcp = TcpStream::connect(app.running.addr()).await.unwrap();
    tokio_tungstenite::client_async(url, tcp)
        .await
        .map(|(ws, _)| ws)
}

impl Lark {
    /// Discovers the endpoint and connects, as `lark.ws.Client.start()` does.
    pub async fn connect(app: &TestApp, app_id: &str, secret: &str) -> Lark {
        let e = endpoint(app, app_id, secret).await;
        assert_eq!(e["code"], 0, "{e}");
        let url = e["data"]["URL"].as_str().unwrap().to_string();
        let service = url::Url::parse(&url)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "service_id")
            .map(|(_, v)| v.parse().unwrap())
            .unwrap();
        let ws = upgrade(app, &url).await.expect("upgrade");
        Lark { ws, service, url }
    }

    pub async fn send(&mut self, f: &Frame) {
        self.ws
            .send(Message::binary(f.encode_to_vec()))
            .await
            .unwrap();
    }

    /// A CONTROL ping, as the SDKs send every `PingInterval`.
    pub async fn ping(&mut self) {
        let f = Frame {
            service: self.service,
            method: 0,
            headers: vec![Header {
                key: "type".into(),
                value: "ping".into(),
            }],
            ..Frame::default()
        };
        self.send(&f).await;
    }

    /// The next frame (10 s at most), or the Close the server sent.
    pub async fn next(&mut self) -> Result<Frame, (CloseCode, String)> {
        loop {
            let m = tokio::time::timeout(Duration::from_secs(10), self.ws.next())
                .await
                .expect("a frame within 10 s");
            match m {
                Some(Ok(Message::Binary(b))) => return Ok(Frame::decode(&b[..]).expect("pbbp2")),
                Some(Ok(Message::Close(Some(c)))) => return Err((c.code, c.reason.to_string())),
                Some(Ok(Message::Close(None))) | None | Some(Err(_)) => {
                    return Err((CloseCode::Abnormal, String::new()))
                }
                Some(Ok(_)) => continue,
            }
        }
    }

    /// The next DATA frame (pongs skipped).
    pub async fn event(&mut self) -> Frame {
        loop {
            let f = self.next().await.expect("a frame, not a close");
            if f.method == 1 {
                return f;
            }
        }
    }

    /// Echoes `f` with `biz_rt` and payload `{"code": code}`, as lark-oapi does.
    pub async fn ack(&mut self, f: &Frame, code: u16) {
        let mut a = f.clone();
        a.headers.push(Header {
            key: "biz_rt".into(),
            value: "1".into(),
        });
        a.payload = Some(format!("{{\"code\": {code}}}").into_bytes());
        self.send(&a).await;
    }
}
