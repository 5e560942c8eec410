//! Fault rules on deliveries (`target: delivery`): drop, duplicate, reorder, corrupt the
//! signature, a dead URL, delay — and refusals of rules that cannot apply to deliveries.

use crate::common::TestApp;
use crate::events_common::*;
use reqwest::Method;
use serde_json::{json, Value};

async fn rule(app: &TestApp, r: Value) {
    app.admin_post("/faults", r).await;
}

fn join_rule(name: &str, kind: &str) -> Value {
    json!({"name": name, "target": "delivery", "delivery": kind, "when": {"first": 1},
           "match": {"vendor": "feishu", "tenant": APP, "event_type": "vc.meeting.join_meeting_v1"}})
}

async fn two_joins(app: &TestApp) {
    meeting(app, LIVE, "join", Some("ou_guest_0001")).await;
    meeting(app, LIVE, "join", Some("ou_guest_0002")).await;
}

fn joiners(got: &[Got]) -> Vec<String> {
    got.iter()
        .map(|g| {
            g.event(Some(EK))["event"]["operator"]["id"]["open_id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[tokio::test]
async fn drop_loses_the_event_for_good_and_the_next_one_goes_through() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start(Answer::Ok).await;
    rule(&app, join_rule("lose-one", "drop")).await;
    subscribe(&app, &rx.url, Some(EK), json!({})).await;
    two_joins(&app).await;
    let got = rx.wait_for(1).await;
    assert_eq!(joiners(&got), ["ou_guest_0002"]);
    let d = events(&app, "status=dropped").await;
    assert_eq!(d.len(), 1);
    assert_eq!(d[0]["note"], "dropped by fault rule lose-one (drop)");
    assert_eq!(d[0]["attempts"], json!([]));
    let f = app.admin_get("/faults").await.json();
    assert_eq!(f["faults"][0]["fired"], 1);
}

#[tokio::test]
async fn duplicate_sends_the_same_event_id_twice() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start(Answer::Ok).await;
    rule(&app, join_rule("twice", "duplicate")).await;
    subscribe(&app, &rx.url, Some(EK), json!({})).await;
    meeting(&app, LIVE, "join", Some("ou_guest_0001")).await;
    let got = rx.wait_for(2).await;
    let ids: Vec<Value> = got
        .iter()
        .map(|g| g.event(Some(EK))["header"]["event_id"].clone())
        .collect();
    assert_eq!(ids[0], ids[1]);
    let id = events(&app, "").await[0]["id"].as_u64().unwrap();
    let d = wait_delivery(&app, id, "delivered", 2).await;
    assert_eq!(d["attempts"][1]["fault"], "twice (duplicate)");
}

#[tokio::test]
async fn reorder_puts_an_event_behind_the_next_one_of_its_meeting() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start(Answer::Ok).await;
    // Paused so both events wait in the queue before the first is sent.
    let s = subscribe(&app, &rx.url, Some(EK), json!({"paused": true})).await;
    rule(&app, join_rule("swap", "reorder")).await;
    two_joins(&app).await;
    app.admin_post(
        &format!("/subscriptions/{}/resume", s["id"].as_str().unwrap()),
        json!({}),
    )
    .await;
    let got = rx.wait_for(2).await;
    assert_eq!(joiners(&got), ["ou_guest_0002", "ou_guest_0001"]);
}

#[tokio::test]
async fn a_corrupted_signature_is_refused_by_the_receiver_and_retried_intact() {
    let app = TestApp::spawn().await;
    app.admin_post("/clock/freeze", json!({})).await;
    let rx = Receiver::start(Answer::Signed(EK.into())).await;
    rule(&app, join_rule("bad-sig", "corrupt_signature")).await;
    subscribe(&app, &rx.url, Some(EK), json!({})).await;
    meeting(&app, LIVE, "join", Some("ou_guest_0001")).await;
    let id = events(&app, "").await[0]["id"].as_u64().unwrap();
    let d = wait_delivery(&app, id, "pending", 1).await;
    assert_eq!(d["attempts"][0]["status"], 500);
    assert_eq!(d["attempts"][0]["fault"], "bad-sig (corrupt_signature)");
    app.advance_secs(15.0).await;
    wait_delivery(&app, id, "delivered", 2).await;
    let got = rx.got();
    let sig = |g: &Got| {
        signature(
            g.header("X-Lark-Request-Timestamp").unwrap(),
            g.header("X-Lark-Request-Nonce").unwrap(),
            EK,
            &g.body,
        )
    };
    assert_ne!(got[0].header("X-Lark-Signature").unwrap(), sig(&got[0]));
    assert_eq!(got[1].header("X-Lark-Signature").unwrap(), sig(&got[1]));
}

#[tokio::test]
async fn a_dead_url_fails_the_attempt_and_the_retry_reaches_the_receiver() {
    let app = TestApp::spawn().await;
    app.admin_post("/clock/freeze", json!({})).await;
    let rx = Receiver::start(Answer::Ok).await;
    rule(&app, join_rule("nowhere", "dead_url")).await;
    subscribe(&app, &rx.url, None, json!({})).await;
    meeting(&app, LIVE, "join", Some("ou_guest_0001")).await;
    let id = events(&app, "").await[0]["id"].as_u64().unwrap();
    let d = wait_delivery(&app, id, "pending", 1).await;
    let a = &d["attempts"][0];
    assert_eq!(a["request"]["url"], "http://127.0.0.1:1/");
    assert!(
        a["error"].as_str().unwrap().contains("cannot connect"),
        "{a}"
    );
    app.advance_secs(15.0).await;
    let d = wait_delivery(&app, id, "delivered", 2).await;
    assert_eq!(d["attempts"][1]["request"]["url"], rx.url);
    assert_eq!(rx.got().len(), 1);
}

#[tokio::test]
async fn a_delay_rule_holds_the_send_and_is_recorded() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start(Answer::Ok).await;
    rule(
        &app,
        json!({"name": "slow", "target": "delivery", "delay": 50, "match": {"meeting": LIVE}}),
    )
    .await;
    subscribe(&app, &rx.url, None, json!({})).await;
    meeting(&app, LIVE, "join", Some("ou_guest_0001")).await;
    let id = events(&app, "").await[0]["id"].as_u64().unwrap();
    let d = wait_delivery(&app, id, "delivered", 1).await;
    assert_eq!(d["attempts"][0]["fault"], "slow (delay)");
}

#[tokio::test]
async fn rules_that_cannot_apply_to_deliveries_are_refused() {
    let app = TestApp::spawn().await;
    let cases = [
        (json!({"target": "delivery", "delivery": "explode"}), "unknown delivery fault \"explode\"; valid: drop, duplicate, reorder, corrupt_signature, dead_url"),
        (json!({"target": "delivery"}), "a delivery rule needs `delivery:"),
        (json!({"delivery": "drop", "match": {"operation": "meeting.invite"}}), "match.operation matches requests, not deliveries"),
        (json!({"target": "delivery", "match": {"vendor": "feishu"}, "error": "121001"}), "a delivery rule takes `delivery:"),
        (json!({"delivery": "drop", "match": {"vendor": "feishu", "event_type": "vc.meeting.nope_v1"}}), "unknown event type \"vc.meeting.nope_v1\" for feishu; valid:"),
        (json!({"target": "request", "delivery": "drop"}), "`delivery:` actions apply to `target: delivery` rules only"),
        (json!({"target": "sideways", "delivery": "drop"}), "unknown target \"sideways\""),
    ];
    for (body, want) in cases {
        let r = app.admin_try(Method::POST, "/faults", body.clone()).await;
        assert_eq!(r.status, 400, "{body}");
        let msg = r.json()["message"].as_str().unwrap().to_string();
        assert!(msg.contains(want), "{body}\n  got:  {msg}\n  want: {want}");
    }
    assert_eq!(app.admin_get("/faults").await.json()["faults"], json!([]));
}

#[tokio::test]
async fn a_delivery_rule_never_touches_vendor_requests() {
    let app = TestApp::spawn().await;
    rule(
        &app,
        json!({"target": "delivery", "delivery": "drop", "match": {"vendor": "feishu"}}),
    )
    .await;
    let t = crate::feishu::tenant_token(&app).await;
    let r = crate::feishu::call(
        &app,
        Method::GET,
        &format!("/open-apis/vc/v1/meetings/{LIVE}"),
        &t,
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        app.admin_get("/faults").await.json()["faults"][0]["matched"],
        0
    );
}
