//! Feishu's long connection (`src/vendors/feishu/longconn.rs`, `src/events/live.rs`), driven by
//! the notes' client (`lark_ws.rs`): endpoint discovery and its errors, one-use tickets,
//! ping/pong with the ClientConfig, a subscription in `long_connection` mode receiving its
//! events as DATA frames, ACK semantics (200 delivers, 500 or silence retries on the server
//! clock with the same event id), disconnects, a client that never acks, bad frames, the
//! connection limit and cluster delivery.

use crate::common::TestApp;
use crate::events_common::{events, meeting, start_reserve, wait_delivery, APP, LIVE};
use crate::lark_ws::{endpoint, upgrade, Frame, Lark};
use futures_util::SinkExt;
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

const SECRET: &str = "demo_feishu_secret";

async fn subscribe_longconn(app: &TestApp) -> Value {
    let r = app
        .admin_try(
            Method::POST,
            "/subscriptions",
            json!({"vendor": "feishu", "tenant": APP, "mode": "long_connection"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()
}

/// A frozen clock, a connected client, a verified long-connection subscription.
async fn setup() -> (TestApp, Lark) {
    let app = TestApp::spawn().await;
    app.freeze().await;
    let lark = Lark::connect(&app, APP, SECRET).await;
    let sub = subscribe_longconn(&app).await;
    assert_eq!(sub["verification"]["state"], "verified", "{sub}");
    (app, lark)
}

#[tokio::test]
async fn the_endpoint_answers_a_url_back_to_this_server_and_the_client_config() {
    let app = TestApp::spawn().await;
    let e = endpoint(&app, APP, SECRET).await;
    assert_eq!((&e["code"], &e["msg"]), (&json!(0), &json!("ok")));
    let url = url::Url::parse(e["data"]["URL"].as_str().unwrap()).unwrap();
    assert_eq!(url.scheme(), "ws");
    assert_eq!(url.port(), Some(app.running.addr().port()));
    assert_eq!(url.path(), "/ws/v2");
    let q: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(q["service_id"], "33554678");
    assert!(q["device_id"].len() == 19 && q["device_id"].bytes().all(|b| b.is_ascii_digit()));
    assert!(!q["ticket"].is_empty());
    assert_eq!(
        e["data"]["ClientConfig"],
        json!({"ReconnectCount": -1, "ReconnectInterval": 120, "ReconnectNonce": 30, "PingInterval": 120})
    );
    // The scheme follows the client's: TLS on the same port gets wss://.
    let r = app
        .client
        .post(app.https_url("/callback/ws/endpoint"))
        .json(&json!({"AppID": APP, "AppSecret": SECRET}))
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert!(
        v["data"]["URL"].as_str().unwrap().starts_with("wss://"),
        "{v}"
    );
}

#[tokio::test]
async fn bad_credentials_get_the_live_services_codes_with_a_data_object() {
    let app = TestApp::spawn().await;
    let e = endpoint(&app, APP, "wrong").await;
    assert_eq!(
        e,
        json!({"code": 1000040345, "msg": "app_id or app_secret is invalid", "data": {}})
    );
    let e = endpoint(&app, "not-an-app", SECRET).await;
    assert_eq!(e["code"], 1000040346);
    assert_eq!(app.count("operation=callback.ws.endpoint").await, 2);
}

#[tokio::test]
async fn a_ticket_is_good_for_one_upgrade_and_refusals_carry_the_handshake_headers() {
    let app = TestApp::spawn().await;
    let lark = Lark::connect(&app, APP, SECRET).await;
    for url in [lark.url.clone(), lark.url.replace("ticket=", "ticket=x")] {
        match upgrade(&app, &url).await {
            Err(WsError::Http(resp)) => {
                assert_eq!(resp.headers()["handshake-status"], "514");
                assert_eq!(resp.headers()["handshake-autherrcode"], "1000040345");
                assert!(resp.headers().contains_key("handshake-msg"));
            }
            other => panic!("expected a refusal, got {:?}", other.map(|_| ())),
        }
    }
    let j = app
        .admin_get("/requests?operation=callback.ws.connect")
        .await
        .json();
    let statuses: Vec<&Value> = j["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["status"])
        .collect();
    assert_eq!(statuses.len(), 3);
    assert!(statuses.contains(&&json!(101)));
    let accepted = j["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["status"] == 101)
        .unwrap();
    assert_eq!(accepted["tenant"], APP);
    assert!(
        !accepted["target"]
            .as_str()
            .unwrap()
            .contains(lark.url.split("ticket=").nth(1).unwrap()),
        "the ticket is masked"
    );
}

#[tokio::test]
async fn a_ping_gets_a_pong_carrying_the_apps_client_config() {
    let app = TestApp::spawn().await;
    app.admin_post(
        "/vendors/feishu/app",
        json!({"app_id": APP, "ws_client_config": {"ReconnectNonce": 0, "PingInterval": 5}}),
    )
    .await;
    let mut lark = Lark::connect(&app, APP, SECRET).await;
    lark.ping().await;
    let pong = lark.next().await.unwrap();
    assert_eq!((pong.method, pong.header("type")), (0, Some("pong")));
    assert_eq!(pong.service, 33_554_678);
    assert_eq!(
        pong.json(),
        json!({"ReconnectCount": -1, "ReconnectInterval": 120, "ReconnectNonce": 0, "PingInterval": 5})
    );
}

#[tokio::test]
async fn a_long_connection_subscription_is_saved_only_while_a_client_is_online() {
    let app = TestApp::spawn().await;
    let sub = subscribe_longconn(&app).await;
    assert_eq!(sub["verification"]["state"], "failed");
    assert!(sub["verification"]["error"]
        .as_str()
        .unwrap()
        .contains("应用未建立长连接"));
    let _lark = Lark::connect(&app, APP, SECRET).await;
    let id = sub["id"].as_str().unwrap();
    let v = app
        .admin_post(&format!("/subscriptions/{id}/verify"), json!({}))
        .await;
    assert_eq!(v["verification"]["state"], "verified", "{v}");
}

/// A client is online for the engine by the time it holds its `101`: a subscription set right
/// after the upgrade (what an app — or a test waiting for `GET /__admin/connections` — does) is
/// verified, and a push right after it reaches the client. Repeated: the race this rules out
/// was the session task registering the client a moment after the handshake was answered.
#[tokio::test]
async fn a_client_is_online_as_soon_as_its_upgrade_is_answered() {
    let app = TestApp::spawn().await;
    for round in 0..40 {
        let lark = Lark::connect(&app, APP, SECRET).await;
        let sub = subscribe_longconn(&app).await;
        assert_eq!(
            sub["verification"]["state"], "verified",
            "round {round}: {sub}"
        );
        let id = sub["id"].as_str().unwrap();
        let r = app
            .admin_try(Method::DELETE, &format!("/subscriptions/{id}"), json!({}))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        drop(lark);
    }
}

/// The connections view and the engine agree on who is online: a connection the admin API
/// drops leaves `GET /__admin/connections` at once — while it still waits for the client's
/// Close — and is no longer online for its subscription (a test that waits for "a connection"
/// after a drop would otherwise find the closing one and subscribe to nobody).
#[tokio::test]
async fn a_dropped_connection_leaves_the_connections_view_as_it_goes_offline() {
    let (app, _lark) = setup().await;
    let conns = app.admin_get("/connections?vendor=feishu").await.json();
    let id = conns["connections"][0]["id"].clone();
    let r = app
        .admin_try(Method::DELETE, &format!("/connections/{id}"), json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // `_lark` does not read, so the server is still waiting for its Close (1 s at most).
    let conns = app.admin_get("/connections?vendor=feishu").await.json();
    assert_eq!(conns["count"], 0, "{conns}");
    let subs = app.admin_get("/subscriptions?vendor=feishu").await.json();
    let sub = subs["subscriptions"][0]["id"].as_str().unwrap().to_string();
    let v = app
        .admin_post(&format!("/subscriptions/{sub}/verify"), json!({}))
        .await;
    assert_eq!(v["verification"]["state"], "failed", "{v}");
    let again = app
        .admin_try(Method::DELETE, &format!("/connections/{id}"), json!({}))
        .await;
    assert_eq!(again.status, 404, "already closing: {}", again.text);
}

#[tokio::test]
async fn events_arrive_as_data_frames_and_an_ack_of_200_delivers_them() {
    let (app, mut lark) = setup().await;
    meeting(&app, LIVE, "join", Some("ou_guest_0002")).await;
    let f = lark.event().await;
    assert_eq!(f.service, 33_554_678);
    for k in ["message_id", "trace_id", "timestamp"] {
        assert!(f.header(k).is_some_and(|v| !v.is_empty()), "{k}");
    }
    assert_eq!(
        (f.header("type"), f.header("sum"), f.header("seq")),
        (Some("event"), Some("1"), Some("0"))
    );
    let ev = f.json();
    assert_eq!(ev["schema"], "2.0");
    assert_eq!(ev["header"]["event_type"], "vc.meeting.join_meeting_v1");
    assert_eq!(ev["event"]["operator"]["id"]["open_id"], "ou_guest_0002");
    assert_eq!(
        ev["header"]["token"], "",
        "no verification token configured"
    );
    lark.ack(&f, 200).await;
    let id = events(&app, "").await[0]["id"].as_u64().unwrap();
    let d = wait_delivery(&app, id, "delivered", 1).await;
    let a = &d["attempts"][0];
    assert_eq!(a["status"], 200);
    assert_eq!(a["response"], r#"{"code": 200}"#);
    assert!(a["request"]["url"].as_str().unwrap().contains("device_id="));
    assert_eq!(
        a["request"]["headers"]["message_id"],
        f.header("message_id").unwrap()
    );
}

#[tokio::test]
async fn a_500_ack_or_none_within_3s_is_redelivered_on_the_clock_with_the_same_event_id() {
    let (app, mut lark) = setup().await;
    meeting(&app, LIVE, "join", Some("ou_guest_0002")).await;
    let first = lark.event().await;
    lark.ack(&first, 500).await;
    let id = events(&app, "").await[0]["id"].as_u64().unwrap();
    let d = wait_delivery(&app, id, "pending", 1).await;
    assert!(
        d["attempts"][0]["error"]
            .as_str()
            .unwrap()
            .contains("code 500"),
        "{d}"
    );
    app.advance_secs(15.0).await;
    let second = lark.event().await; // not acknowledged: the attempt times out (3 s)
    assert_ne!(second.header("message_id"), first.header("message_id"));
    assert_eq!(
        second.json()["header"]["event_id"],
        first.json()["header"]["event_id"]
    );
    let d = wait_delivery(&app, id, "pending", 2).await;
    assert!(
        d["attempts"][1]["error"]
            .as_str()
            .unwrap()
            .contains("no ACK within 3000 ms"),
        "{d}"
    );
    // A late ACK of the timed-out push changes nothing; the next retry is 5 min later.
    lark.ack(&second, 200).await;
    app.advance_secs(300.0).await;
    let third = lark.event().await;
    lark.ack(&third, 200).await;
    wait_delivery(&app, id, "delivered", 3).await;
}

#[tokio::test]
async fn a_client_that_drops_mid_delivery_gets_the_event_again_after_reconnecting() {
    let (app, mut lark) = setup().await;
    meeting(&app, LIVE, "join", Some("ou_guest_0002")).await;
    let first = lark.event().await;
    drop(lark);
    let id = events(&app, "").await[0]["id"].as_u64().unwrap();
    let d = wait_delivery(&app, id, "pending", 1).await;
    assert!(
        d["attempts"][0]["error"]
            .as_str()
            .unwrap()
            .contains("closed"),
        "{d}"
    );
    let mut lark = Lark::connect(&app, APP, SECRET).await;
    app.advance_secs(15.0).await;
    let again = lark.event().await;
    assert_eq!(
        again.json()["header"]["event_id"],
        first.json()["header"]["event_id"]
    );
    lark.ack(&again, 200).await;
    wait_delivery(&app, id, "delivered", 2).await;
}

#[tokio::test]
async fn with_no_client_online_an_attempt_fails_and_is_retried() {
    let (app, lark) = setup().await;
    drop(lark);
    wait_count(&app, "/connections", 0).await;
    meeting(&app, LIVE, "join", Some("ou_guest_0002")).await;
    let id = events(&app, "").await[0]["id"].as_u64().unwrap();
    let d = wait_delivery(&app, id, "pending", 1).await;
    assert!(
        d["attempts"][0]["error"]
            .as_str()
            .unwrap()
            .contains("应用未建立长连接"),
        "{d}"
    );
    assert!(d["next_retry_at_ms"].is_number());
}

#[tokio::test]
async fn a_client_that_never_acks_is_disconnected_after_three_pushes() {
    let (app, mut lark) = setup().await;
    // Two meetings' events go out at once (one lane each); nothing is acknowledged.
    meeting(&app, LIVE, "join", Some("ou_guest_0002")).await;
    start_reserve(&app).await;
    lark.event().await;
    lark.event().await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let failed = events(&app, "status=pending")
            .await
            .iter()
            .filter(|d| d["attempts"].as_array().is_some_and(|a| !a.is_empty()))
            .count();
        if failed == 2 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "both pushes time out");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Their retries make the third push in a row without an ACK.
    app.advance_secs(15.0).await;
    let close = loop {
        match lark.next().await {
            Ok(_) => {}
            Err(c) => break c,
        }
    };
    assert_eq!(
        close,
        (CloseCode::Policy, "events left without an ACK".into())
    );
    wait_count(&app, "/connections", 0).await;
}

/// Waits (10 s at most) until the admin `path` answers `count`.
async fn wait_count(app: &TestApp, path: &str, n: u64) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let v = app.admin_get(path).await.json();
        if v["count"] == n {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "{path}: {v}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_frame_that_is_not_pbbp2_closes_the_connection_with_1007() {
    let (_app, mut lark) = setup().await;
    lark.ws
        .send(Message::binary(vec![0xffu8, 0xff, 0xff]))
        .await
        .unwrap();
    let (code, reason) = lark.next().await.unwrap_err();
    assert_eq!(code, CloseCode::Invalid);
    assert!(reason.contains("pbbp2"), "{reason}");
}

#[tokio::test]
async fn an_app_holds_at_most_50_connections() {
    let app = TestApp::spawn().await;
    let mut held = Vec::new();
    for _ in 0..50 {
        held.push(Lark::connect(&app, APP, SECRET).await);
    }
    let e = endpoint(&app, APP, SECRET).await;
    match upgrade(&app, e["data"]["URL"].as_str().unwrap()).await {
        Err(WsError::Http(resp)) => {
            assert_eq!(resp.headers()["handshake-status"], "514");
            assert_eq!(resp.headers()["handshake-autherrcode"], "1000040350");
        }
        other => panic!("expected a refusal, got {:?}", other.map(|_| ())),
    }
    // Another app is not affected.
    let _other = Lark::connect(&app, "cli_another_app_0001", "another-secret").await;
}

#[tokio::test]
async fn each_event_goes_to_exactly_one_of_the_apps_clients() {
    let (app, mut a) = setup().await;
    let mut b = Lark::connect(&app, APP, SECRET).await;
    for user in ["ou_guest_0002", "ou_guest_0003", "ou_guest_0004"] {
        meeting(&app, LIVE, "join", Some(user)).await;
    }
    let mut got: Vec<Frame> = Vec::new();
    while got.len() < 3 {
        tokio::select! {
            f = a.event() => { a.ack(&f, 200).await; got.push(f) }
            f = b.event() => { b.ack(&f, 200).await; got.push(f) }
        }
    }
    let mut ids: Vec<Value> = got
        .iter()
        .map(|f| f.json()["header"]["event_id"].clone())
        .collect();
    ids.sort_by_key(|v| v.to_string());
    ids.dedup();
    assert_eq!(ids.len(), 3, "each event once");
    wait_count(&app, "/events/count?status=delivered", 3).await;
}
