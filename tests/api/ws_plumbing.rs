//! The WebSocket plumbing (`src/ws/`) through a probe endpoint registered the way a vendor or
//! the event engine registers one: the RFC 6455 handshake on the edge listener (plain and TLS
//! on one port), refusals (not an upgrade, another version, the accept check's own answer, a
//! fault rule), the journal, ping/pong, keepalive and idle limits, size limits, the admin
//! connections view, and every session ending with 1001 when the server stops.

use crate::common::TestApp;
use futures_util::{SinkExt, StreamExt};
use meetmock::exchange::{Exchange, Reply};
use meetmock::store::VendorId;
use meetmock::ws::{Accepted, Config, Inbound, Route};
use reqwest::{Method, StatusCode};
use rustls::pki_types::pem::PemObject;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::WebSocketStream;

const PATH: &str = "/__probe/ws/echo";

/// An echo endpoint: accepts `?token=ok` (else 401 with a JSON body, as a vendor would),
/// echoes data messages, closes with 4000 on the text `close`.
fn echo(config: Config) -> Route {
    Route::new(
        VendorId::Feishu,
        PATH,
        "probe.echo",
        config,
        Arc::new(|ex: &mut Exchange<'_>| {
            if ex.query("token").as_deref() != Some("ok") {
                return Err(Reply::json(
                    http::StatusCode::UNAUTHORIZED,
                    &json!({"code": 401, "msg": "bad token"}),
                ));
            }
            Ok(Accepted {
                tenant: Some("cli_probe".into()),
                headers: vec![("X-Probe".into(), "accepted".into())],
                run: Box::new(|_app, mut conn| {
                    Box::pin(async move {
                        conn.info.label.lock().push_str("echo");
                        while let Some(m) = conn.recv().await {
                            let sent = match m {
                                Inbound::Text(t) if t == "close" => {
                                    conn.tx.close(4000, "bye").await;
                                    return;
                                }
                                Inbound::Text(t) => conn.tx.text(t).await,
                                Inbound::Binary(b) => conn.tx.binary(b).await,
                            };
                            if sent.is_err() {
                                return;
                            }
                        }
                    })
                }),
            })
        }),
    )
}

async fn spawn(config: Config) -> TestApp {
    TestApp::spawn_ws(vec![echo(config)]).await
}

type Client<S> = WebSocketStream<S>;
type Handshake = http::Response<Option<Vec<u8>>>;

async fn connect(app: &TestApp, query: &str) -> Result<(Client<TcpStream>, Handshake), WsError> {
    let stream = TcpStream::connect(app.running.addr()).await.unwrap();
    let url = format!("ws://{}{PATH}{query}", app.running.addr());
    tokio_tungstenite::client_async(url, stream).await
}

/// The next message that is not a ping or pong (a test fails after 10 s).
async fn next<S: AsyncRead + AsyncWrite + Unpin>(ws: &mut Client<S>) -> Option<Message> {
    loop {
        let m = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("a message within 10 s");
        match m {
            Some(Ok(Message::Ping(_))) | Some(Ok(Message::Pong(_))) => continue,
            Some(Ok(m)) => return Some(m),
            _ => return None,
        }
    }
}

fn close_of(m: Option<Message>) -> (CloseCode, String) {
    match m {
        Some(Message::Close(Some(f))) => (f.code, f.reason.to_string()),
        other => panic!("expected a Close frame, got {other:?}"),
    }
}

async fn journal(app: &TestApp) -> Vec<Value> {
    app.admin_get("/requests?operation=probe.echo").await.json()["requests"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn an_upgrade_is_answered_101_with_the_accept_key_and_is_journaled() {
    let app = spawn(Config::default()).await;
    let (mut ws, resp) = connect(&app, "?token=ok").await.expect("handshake");
    assert_eq!(resp.status(), 101);
    assert_eq!(resp.headers()["x-probe"], "accepted");
    assert!(
        resp.headers().contains_key("x-tt-logid"),
        "the vendor's request id"
    );
    ws.send(Message::binary(vec![1u8, 2, 3])).await.unwrap();
    assert_eq!(next(&mut ws).await, Some(Message::binary(vec![1u8, 2, 3])));
    ws.send(Message::text("hello")).await.unwrap();
    assert_eq!(next(&mut ws).await, Some(Message::text("hello")));
    let j = journal(&app).await;
    assert_eq!(j.len(), 1);
    assert_eq!(j[0]["status"], 101);
    assert_eq!(j[0]["vendor"], "feishu");
    let c = app.admin_get("/connections?vendor=feishu").await.json();
    assert_eq!(c["count"], 1, "{c}");
    let s = &c["connections"][0];
    assert_eq!(
        (&s["operation"], &s["tenant"], &s["label"]),
        (&json!("probe.echo"), &json!("cli_probe"), &json!("echo"))
    );
    assert_eq!(s["messages_in"], 2);
    assert_eq!(s["messages_out"], 2);
    assert!(c["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["path"] == PATH));
}

#[tokio::test]
async fn a_get_that_is_no_upgrade_is_400_and_another_version_426() {
    let app = spawn(Config::default()).await;
    let r = app
        .send(Method::GET, &format!("{PATH}?token=ok"), &[], "")
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text.contains("Upgrade: websocket"), "{}", r.text);
    let r = app
        .send(
            Method::GET,
            &format!("{PATH}?token=ok"),
            &[
                ("Connection", "Upgrade"),
                ("Upgrade", "websocket"),
                ("Sec-WebSocket-Version", "8"),
                ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
            ],
            "",
        )
        .await;
    assert_eq!(r.status, StatusCode::UPGRADE_REQUIRED);
    assert_eq!(r.header("sec-websocket-version"), Some("13"));
    let statuses: Vec<Value> = journal(&app)
        .await
        .iter()
        .map(|e| e["status"].clone())
        .collect();
    assert_eq!(statuses.len(), 2);
    assert!(statuses.contains(&json!(400)) && statuses.contains(&json!(426)));
    assert_eq!(app.admin_get("/connections").await.json()["count"], 0);
}

#[tokio::test]
async fn the_accept_check_refuses_with_the_vendors_own_answer() {
    let app = spawn(Config::default()).await;
    match connect(&app, "?token=nope").await {
        Err(WsError::Http(resp)) => {
            assert_eq!(resp.status(), 401);
            let body: Value = serde_json::from_slice(resp.body().as_deref().unwrap()).unwrap();
            assert_eq!(body, json!({"code": 401, "msg": "bad token"}));
        }
        other => panic!(
            "expected a refusal, got {:?}",
            other.map(|(_, r)| r.status())
        ),
    }
    assert_eq!(journal(&app).await[0]["status"], 401);
    assert_eq!(app.admin_get("/connections").await.json()["count"], 0);
}

#[tokio::test]
async fn a_fault_rule_on_the_operation_refuses_the_upgrade_like_any_request() {
    let app = spawn(Config::default()).await;
    app.admin_post(
        "/faults",
        json!({"name": "gateway-down", "match": {"path_regex": "^/__probe/ws/"},
               "response": {"status": 503, "body": "{\"msg\":\"busy\"}"}, "when": {"first": 1}}),
    )
    .await;
    match connect(&app, "?token=ok").await {
        Err(WsError::Http(resp)) => assert_eq!(resp.status(), 503),
        other => panic!("expected 503, got {:?}", other.map(|(_, r)| r.status())),
    }
    let (mut ws, _) = connect(&app, "?token=ok")
        .await
        .expect("the second one passes");
    ws.send(Message::text("x")).await.unwrap();
    assert_eq!(next(&mut ws).await, Some(Message::text("x")));
    assert_eq!(journal(&app).await.last().unwrap()["fault"], "gateway-down");
}

#[tokio::test]
async fn pings_are_answered_and_the_protocol_can_close_with_its_own_code() {
    let app = spawn(Config::default()).await;
    let (mut ws, _) = connect(&app, "?token=ok").await.unwrap();
    ws.send(Message::Ping(b"are you there".to_vec().into()))
        .await
        .unwrap();
    let pong = tokio::time::timeout(Duration::from_secs(10), ws.next())
        .await
        .unwrap();
    assert_eq!(
        pong.unwrap().unwrap(),
        Message::Pong(b"are you there".to_vec().into())
    );
    ws.send(Message::text("close")).await.unwrap();
    assert_eq!(
        close_of(next(&mut ws).await),
        (CloseCode::Library(4000), "bye".into())
    );
}

#[tokio::test]
async fn a_quiet_client_is_pinged_and_its_pongs_keep_the_session() {
    let app = spawn(Config {
        idle: Duration::from_millis(400),
        keepalive: Some(Duration::from_millis(100)),
        ..Config::default()
    })
    .await;
    let (mut ws, _) = connect(&app, "?token=ok").await.unwrap();
    // Three pings in a row: each pong (sent by the client library as it reads) counts as the
    // client speaking, so the session outlives several idle periods.
    for _ in 0..3 {
        let m = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .unwrap();
        assert!(matches!(m, Some(Ok(Message::Ping(_)))), "{m:?}");
    }
    ws.send(Message::text("still here")).await.unwrap();
    assert_eq!(next(&mut ws).await, Some(Message::text("still here")));
}

#[tokio::test]
async fn a_silent_client_is_closed_when_idle() {
    let app = spawn(Config {
        idle: Duration::from_millis(300),
        ..Config::default()
    })
    .await;
    let (mut ws, _) = connect(&app, "?token=ok").await.unwrap();
    let (code, reason) = close_of(next(&mut ws).await);
    assert_eq!((code, reason.as_str()), (CloseCode::Away, "idle timeout"));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while app.admin_get("/connections").await.json()["count"] != 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the session is forgotten"
        );
    }
}

#[tokio::test]
async fn a_message_over_the_limit_closes_the_session_with_1009() {
    let app = spawn(Config {
        max_message: 1024,
        ..Config::default()
    })
    .await;
    let (mut ws, _) = connect(&app, "?token=ok").await.unwrap();
    ws.send(Message::binary(vec![0u8; 4096])).await.unwrap();
    assert_eq!(close_of(next(&mut ws).await).0, CloseCode::Size);
}

#[tokio::test]
async fn the_admin_api_drops_a_connection_with_1001() {
    let app = spawn(Config::default()).await;
    let (mut ws, _) = connect(&app, "?token=ok").await.unwrap();
    let id = app.admin_get("/connections").await.json()["connections"][0]["id"].clone();
    let r = app
        .admin_try(Method::DELETE, &format!("/connections/{id}"), json!({}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let (code, reason) = close_of(next(&mut ws).await);
    assert_eq!(
        (code, reason.as_str()),
        (CloseCode::Away, "closed by the admin API")
    );
    let r = app
        .admin_try(Method::DELETE, "/connections/999999", json!({}))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn sessions_end_with_1001_when_the_server_stops_and_do_not_hold_the_drain() {
    let app = spawn(Config::default()).await;
    let (mut ws, _) = connect(&app, "?token=ok").await.unwrap();
    let (mut ws2, _) = connect(&app, "?token=ok").await.unwrap();
    ws.send(Message::text("x")).await.unwrap();
    assert_eq!(next(&mut ws).await, Some(Message::text("x")));
    let handle = app.running.shutdown_handle();
    let stopped = tokio::spawn(app.running.finish());
    let _ = handle.send(true);
    for c in [&mut ws, &mut ws2] {
        let (code, reason) = close_of(next(c).await);
        assert_eq!(
            (code, reason.as_str()),
            (CloseCode::Away, "server shutting down")
        );
    }
    let outcome = tokio::time::timeout(Duration::from_secs(5), stopped)
        .await
        .expect("the server stops at once")
        .unwrap()
        .unwrap();
    assert_eq!(outcome.drain, meetmock::server::Drain::Clean);
}

#[tokio::test]
async fn tls_on_the_same_port_upgrades_too() {
    let app = spawn(Config::default()).await;
    let mut roots = rustls::RootCertStore::empty();
    for c in rustls::pki_types::CertificateDer::pem_slice_iter(app.running.cert_pem.as_bytes()) {
        roots.add(c.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tcp = TcpStream::connect(app.running.addr()).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let stream = tokio_rustls::TlsConnector::from(Arc::new(tls))
        .connect(name, tcp)
        .await
        .expect("TLS handshake");
    let url = format!(
        "wss://localhost:{}{PATH}?token=ok",
        app.running.addr().port()
    );
    let (mut ws, resp) = tokio_tungstenite::client_async(url, stream)
        .await
        .expect("handshake over TLS");
    assert_eq!(resp.status(), 101);
    ws.send(Message::text("secure")).await.unwrap();
    assert_eq!(next(&mut ws).await, Some(Message::text("secure")));
}
