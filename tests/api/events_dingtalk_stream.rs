//! DingTalk Stream mode as a client sees it, through a WebSocket client written from the notes
//! (§3): OpenConnection and its single-use 90 s ticket, the SYSTEM ping, EVENT frames and their
//! ACKs, redelivery on the server clock of what was not acknowledged (LATER, no ACK, a dropped
//! connection), a bad frame disconnecting only its own client, no client at all.

use crate::common::TestApp;
use crate::dingtalk::{self as dt, token};
use crate::events_common::{events, wait_delivery};
use futures_util::{SinkExt, StreamExt};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

type Ws = WebSocketStream<TcpStream>;

const OTHER: &str = "dingotherapp";

/// OpenConnection for `key`: (status, body).
async fn open(app: &TestApp, key: &str, secret: &str) -> (u16, Value) {
    let r = app
        .send_json(
            Method::POST,
            "/v1.0/gateway/connections/open",
            &[],
            &json!({"clientId": key, "clientSecret": secret, "ua": "test",
                    "subscriptions": [{"type": "EVENT", "topic": "*"}]}),
        )
        .await;
    (r.status.as_u16(), r.json())
}

/// Connects to `endpoint?ticket=…`; `Err` carries the refusal's HTTP status.
async fn connect(endpoint: &str, ticket: &str) -> Result<Ws, u16> {
    let url = format!("{endpoint}?ticket={ticket}");
    let host = endpoint
        .trim_start_matches("ws://")
        .split('/')
        .next()
        .unwrap();
    let tcp = TcpStream::connect(host).await.unwrap();
    match tokio_tungstenite::client_async(url, tcp).await {
        Ok((ws, _)) => Ok(ws),
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => Err(r.status().as_u16()),
        Err(e) => panic!("{e}"),
    }
}

/// A connected client of `key` that has answered the opening SYSTEM ping.
async fn client(app: &TestApp, key: &str, secret: &str) -> Ws {
    let (status, body) = open(app, key, secret).await;
    assert_eq!(status, 200, "{body}");
    let mut ws = connect(
        body["endpoint"].as_str().unwrap(),
        body["ticket"].as_str().unwrap(),
    )
    .await
    .unwrap();
    let ping = next(&mut ws).await;
    assert_eq!(
        (ping["type"].as_str(), ping["headers"]["topic"].as_str()),
        (Some("SYSTEM"), Some("ping"))
    );
    ack(&mut ws, &ping, 200, ping["data"].as_str().unwrap()).await;
    ws
}

/// The next frame (10 s at most).
async fn next(ws: &mut Ws) -> Value {
    loop {
        let m = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("a frame within 10 s")
            .expect("the connection is open")
            .expect("a message");
        if let Message::Text(t) = m {
            return serde_json::from_str(&t).expect("frames are JSON");
        }
    }
}

async fn ack(ws: &mut Ws, frame: &Value, code: u16, data: &str) {
    let a = json!({"code": code, "message": "OK", "data": data,
        "headers": {"contentType": "application/json", "messageId": frame["headers"]["messageId"]}});
    ws.send(Message::text(a.to_string())).await.unwrap();
}

/// A Stream subscription configured "earlier" (no check that a client is connected now).
async fn subscribe_stream(app: &TestApp, key: &str) -> String {
    let r = app
        .admin_try(
            Method::POST,
            "/subscriptions",
            json!({"vendor": "dingtalk", "tenant": key, "mode": "stream", "verify": false}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()["id"].as_str().unwrap().to_string()
}

/// The demo app plus `dingotherapp` (one user), the clock frozen.
async fn two_apps() -> TestApp {
    let config = meetmock::config::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..Default::default()
    };
    let yaml = format!("tenants:\n  - vendor: dingtalk\n    id: {OTHER}\n    secret: other-secret\n    users: [{{id: other-host, name: O}}]\n");
    let app = TestApp::spawn_config(config, &yaml).await;
    app.freeze().await;
    app
}

async fn conference(app: &TestApp, key: &str, secret: &str, host: &str) -> String {
    let t = dt::token_of(app, key, secret).await.json()["accessToken"]
        .as_str()
        .unwrap()
        .to_string();
    dt::create(
        app,
        &t,
        json!({"userId": host, "confTitle": "s", "inviteCaller": false}),
    )
    .await
}

#[tokio::test]
async fn a_ticket_opens_one_connection_once_within_90_seconds_on_the_clock() {
    let app = TestApp::spawn().await;
    app.freeze().await;
    let (status, body) = open(&app, dt::KEY, "wrong").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalidClientIdOrSecret"))
    );
    let (_, body) = open(&app, dt::KEY, dt::SECRET).await;
    let (endpoint, ticket) = (
        body["endpoint"].as_str().unwrap(),
        body["ticket"].as_str().unwrap(),
    );
    assert!(
        endpoint.starts_with("ws://127.0.0.1:") && endpoint.ends_with("/connect"),
        "{endpoint}"
    );
    assert!(connect(endpoint, ticket).await.is_ok());
    assert_eq!(
        connect(endpoint, ticket).await.err(),
        Some(403),
        "single use"
    );
    assert_eq!(connect(endpoint, "made-up").await.err(), Some(403));
    let (_, body) = open(&app, dt::KEY, dt::SECRET).await;
    app.advance_secs(90.0).await;
    assert_eq!(
        connect(endpoint, body["ticket"].as_str().unwrap())
            .await
            .err(),
        Some(403),
        "90 s"
    );
}

#[tokio::test]
async fn event_frames_carry_the_sdk_headers_and_an_ack_delivers_them() {
    let app = TestApp::spawn().await;
    app.freeze().await;
    let sub = subscribe_stream(&app, dt::KEY).await;
    let mut ws = client(&app, dt::KEY, dt::SECRET).await;
    assert_eq!(
        app.admin_get(&format!("/subscriptions/{sub}")).await.json()["connected"],
        1
    );
    let id = conference(&app, dt::KEY, dt::SECRET, dt::HOST).await;
    let f = next(&mut ws).await;
    assert_eq!(
        (f["specVersion"].as_str(), f["type"].as_str()),
        (Some("1.0"), Some("EVENT"))
    );
    let h = &f["headers"];
    assert_eq!(h["eventType"], "meeting_status_change_target_push");
    assert_eq!(h["eventCorpId"], "dingmockcorp0001");
    assert_eq!(h["topic"], "*");
    assert_eq!(h["contentType"], "application/json");
    for k in ["eventBornTime", "time"] {
        assert!(
            h[k].as_str().unwrap().parse::<i64>().unwrap() > 1_600_000_000_000,
            "{k}: a ms string"
        );
    }
    assert_eq!(h["eventUnifiedAppId"].as_str().unwrap().len(), 36);
    let data: Value =
        serde_json::from_str(f["data"].as_str().expect("data is a JSON string")).unwrap();
    assert_eq!(data["changeScene"], "conference_created");
    assert_eq!(data["openConfModel"]["conferenceId"], id.as_str());
    ack(&mut ws, &f, 200, r#"{"status":"SUCCESS"}"#).await;
    let d = events(&app, "vendor=dingtalk").await[0].clone();
    let d = wait_delivery(&app, d["id"].as_u64().unwrap(), "delivered", 1).await;
    let a = &d["attempts"][0];
    assert_eq!(a["status"], 200);
    assert!(a["request"]["url"]
        .as_str()
        .unwrap()
        .starts_with("/connect connectionId="));
    assert_eq!(d["event_id"], h["eventId"]);
}

#[tokio::test]
async fn later_and_a_dropped_connection_are_redelivered_on_the_clock_with_the_same_event_id() {
    let app = TestApp::spawn().await;
    app.freeze().await;
    subscribe_stream(&app, dt::KEY).await;
    let mut ws = client(&app, dt::KEY, dt::SECRET).await;
    conference(&app, dt::KEY, dt::SECRET, dt::HOST).await;
    let first = next(&mut ws).await;
    ack(&mut ws, &first, 200, r#"{"status":"LATER"}"#).await;
    let id = events(&app, "vendor=dingtalk").await[0]["id"]
        .as_u64()
        .unwrap();
    let d = wait_delivery(&app, id, "pending", 1).await;
    assert!(
        d["attempts"][0]["error"]
            .as_str()
            .unwrap()
            .contains("LATER"),
        "{d}"
    );
    app.advance_secs(10.0).await;
    let second = next(&mut ws).await;
    assert_eq!(second["headers"]["eventId"], first["headers"]["eventId"]);
    assert_ne!(
        second["headers"]["messageId"],
        first["headers"]["messageId"]
    );
    // The client goes away without an ACK: the attempt fails at once, not after the timeout.
    drop(ws);
    let d = wait_delivery(&app, id, "pending", 2).await;
    assert!(
        d["attempts"][1]["error"]
            .as_str()
            .unwrap()
            .contains("closed"),
        "{d}"
    );
    let mut ws = client(&app, dt::KEY, dt::SECRET).await;
    app.advance_secs(30.0).await;
    let third = next(&mut ws).await;
    assert_eq!(third["headers"]["eventId"], first["headers"]["eventId"]);
    ack(&mut ws, &third, 200, "{}").await;
    wait_delivery(&app, id, "delivered", 3).await;
}

#[tokio::test]
async fn a_bad_frame_or_a_silent_client_holds_up_only_its_own_app() {
    let app = two_apps().await;
    subscribe_stream(&app, dt::KEY).await;
    subscribe_stream(&app, OTHER).await;
    let mut bad = client(&app, dt::KEY, dt::SECRET).await;
    let mut good = client(&app, OTHER, "other-secret").await;
    conference(&app, dt::KEY, dt::SECRET, dt::HOST).await;
    let f = next(&mut bad).await;
    bad.send(Message::text("this is not an ACK")).await.unwrap();
    let bye = next(&mut bad).await;
    assert_eq!(
        (bye["type"].as_str(), bye["headers"]["topic"].as_str()),
        (Some("SYSTEM"), Some("disconnect"))
    );
    assert!(
        matches!(bad.next().await, Some(Ok(Message::Close(_))) | None),
        "then closed"
    );
    // Meanwhile the other app's events flow, before and after.
    conference(&app, OTHER, "other-secret", "other-host").await;
    let g = next(&mut good).await;
    ack(&mut good, &g, 200, "{}").await;
    let first = events(&app, &format!("tenant={}", dt::KEY)).await[0]["id"]
        .as_u64()
        .unwrap();
    let d = wait_delivery(&app, first, "pending", 1).await;
    assert_eq!(d["event_id"], f["headers"]["eventId"]);
    // A client that reads and never ACKs: its delivery times out after 5 s; the other app's
    // next event is delivered meanwhile.
    let mut silent = client(&app, dt::KEY, dt::SECRET).await;
    app.advance_secs(10.0).await;
    let again = next(&mut silent).await;
    assert_eq!(again["headers"]["eventId"], f["headers"]["eventId"]);
    conference(&app, OTHER, "other-secret", "other-host").await;
    let g2 = next(&mut good).await;
    ack(&mut good, &g2, 200, "{}").await;
    let others = events(&app, &format!("tenant={OTHER}&status=delivered")).await;
    assert!(!others.is_empty());
    let d = wait_delivery(&app, first, "pending", 2).await;
    assert!(
        d["attempts"][1]["error"]
            .as_str()
            .unwrap()
            .contains("no ACK within 5000 ms"),
        "{d}"
    );
}

#[tokio::test]
async fn with_no_client_connected_the_event_is_retried_then_listed_as_failed() {
    let app = TestApp::spawn().await;
    app.freeze().await;
    subscribe_stream(&app, dt::KEY).await;
    conference(&app, dt::KEY, dt::SECRET, dt::HOST).await;
    let id = events(&app, "vendor=dingtalk").await[0]["id"]
        .as_u64()
        .unwrap();
    let d = wait_delivery(&app, id, "pending", 1).await;
    assert!(d["attempts"][0]["error"]
        .as_str()
        .unwrap()
        .contains("no dingtalk client of dingmockappkey is connected"));
    app.advance_secs(10.0).await;
    wait_delivery(&app, id, "pending", 2).await;
    app.advance_secs(30.0).await;
    wait_delivery(&app, id, "failed", 3).await;
    let t = token(&app).await;
    let r = app
        .send(
            Method::GET,
            "/v1.0/event/callbacks/failedResults",
            &[(dt::TOKEN_HEADER, t.as_str())],
            "",
        )
        .await;
    assert_eq!(
        r.json()["failedList"][0]["callBackTag"],
        "meeting_status_change_target_push"
    );
}
