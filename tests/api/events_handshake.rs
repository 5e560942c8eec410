//! The Feishu URL-verification handshake when a subscription is set through the admin API:
//! plain and encrypted challenges, a receiver that fails it (unverified with the reason, no
//! events), verifying again.

use crate::common::TestApp;
use crate::events_common::*;
use serde_json::{json, Value};

async fn create(app: &TestApp, url: &str, key: Option<&str>) -> Value {
    let mut body = json!({"vendor": "feishu", "tenant": APP, "url": url, "verification_token": VT});
    if let Some(k) = key {
        body["encrypt_key"] = json!(k);
    }
    app.admin_post("/subscriptions", body).await
}

#[tokio::test]
async fn a_receiver_that_echoes_the_plain_challenge_verifies_the_subscription() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start(Answer::Challenge(None)).await;
    let s = create(&app, &rx.url, None).await;
    assert_eq!(s["verification"]["state"], "verified", "{s}");
    assert_eq!(s["secrets"], json!({"verification_token": "***"}));
    let got = rx.got();
    assert_eq!(got.len(), 1);
    let v = got[0].json();
    assert_eq!(v["type"], "url_verification");
    assert_eq!(v["token"], VT);
    let body = String::from_utf8(got[0].body.clone()).unwrap();
    assert!(
        body.starts_with("{\"challenge\":\"")
            && body.contains(&format!(
                "\"token\":\"{VT}\",\"type\":\"url_verification\"}}"
            )),
        "{body}"
    );
    assert!(
        got[0].header("X-Lark-Signature").is_none(),
        "the challenge is unsigned"
    );
    assert_eq!(
        got[0].header("Content-Type"),
        Some("application/json; charset=utf-8")
    );
}

#[tokio::test]
async fn an_encrypted_challenge_decrypts_to_the_challenge_and_the_token() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start(Answer::Challenge(Some(EK.into()))).await;
    let s = create(&app, &rx.url, Some(EK)).await;
    assert_eq!(s["verification"]["state"], "verified", "{s}");
    let g = &rx.got()[0];
    assert!(g.json()["encrypt"].is_string());
    let v = g.event(Some(EK));
    assert_eq!(
        (v["type"].as_str(), v["token"].as_str()),
        (Some("url_verification"), Some(VT))
    );
    assert!(g.header("X-Lark-Signature").is_none());
}

#[tokio::test]
async fn a_receiver_that_fails_the_challenge_leaves_the_subscription_unverified_and_silent() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start(Answer::Ok).await;
    let s = create(&app, &rx.url, None).await;
    assert_eq!(s["verification"]["state"], "failed");
    let why = s["verification"]["error"].as_str().unwrap();
    assert!(why.contains("Challenge code 没有返回"), "{why}");
    let opened = start_reserve(&app).await;
    assert_eq!(app.admin_get("/events/count").await.json()["count"], 0);
    assert_eq!(rx.got().len(), 1, "only the handshake");
    // The receiver is fixed; verifying again lets events through.
    rx.set_default(Answer::Challenge(None));
    let id = s["id"].as_str().unwrap();
    let s = app
        .admin_post(&format!("/subscriptions/{id}/verify"), json!({}))
        .await;
    assert_eq!(s["verification"]["state"], "verified");
    assert!(s["verification"]["error"].is_null());
    rx.set_default(Answer::Ok);
    meeting(&app, &opened, "end", None).await;
    let got = rx.wait_for(2 + 3).await;
    assert_eq!(
        types(&got[2..], None),
        [
            "vc.meeting.leave_meeting_v1",
            "vc.meeting.meeting_ended_v1",
            "vc.meeting.all_meeting_ended_v1"
        ]
    );
}

#[tokio::test]
async fn a_dead_url_or_an_error_status_fails_the_handshake_with_the_reason() {
    let app = TestApp::spawn().await;
    let s = create(&app, "http://127.0.0.1:1/cb", None).await;
    assert_eq!(s["verification"]["state"], "failed");
    assert!(
        s["verification"]["error"]
            .as_str()
            .unwrap()
            .contains("cannot connect"),
        "{s}"
    );
    let rx = Receiver::start(Answer::Status(500)).await;
    let id = s["id"].as_str().unwrap();
    let mut body = json!({"url": rx.url, "verification_token": VT});
    let r = app
        .admin_try(
            reqwest::Method::PUT,
            &format!("/subscriptions/{id}"),
            body.take(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let s = r.json();
    assert_eq!(s["verification"]["state"], "failed");
    assert!(
        s["verification"]["error"]
            .as_str()
            .unwrap()
            .contains("HTTP 500"),
        "{s}"
    );
}
