//! Subscriptions and deliveries through the admin API and scenarios: refusals naming the field,
//! one Feishu subscription per app, pause/resume, filters and count, redeliver, delete, the
//! outbox bound, scenario `events:` and reset.

use crate::common::TestApp;
use crate::events_common::*;
use reqwest::Method;
use serde_json::{json, Value};

async fn count(app: &TestApp, q: &str) -> Value {
    app.admin_get(&format!("/events/count?{q}")).await.json()["count"].clone()
}

async fn subscriptions(app: &TestApp) -> Vec<Value> {
    app.admin_get("/subscriptions").await.json()["subscriptions"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn bad_subscriptions_are_refused_with_a_400_naming_the_field_and_change_nothing() {
    let app = TestApp::spawn().await;
    let ok = json!({"vendor": "feishu", "tenant": APP, "url": "http://127.0.0.1:9/x", "verification_token": VT, "verify": false});
    let with = |k: &str, v: Value| {
        let mut b = ok.clone();
        if v.is_null() {
            b.as_object_mut().unwrap().remove(k);
        } else {
            b[k] = v;
        }
        b
    };
    let cases = [
        (with("url", Value::Null), "`url`: is required"),
        (with("url", json!("not a url")), "`url`: \"not a url\" is not a URL"),
        (with("url", json!("ftp://127.0.0.1/x")), "`url`: \"ftp://127.0.0.1/x\" must be an http:// or https:// URL"),
        (with("encrypt_token", json!("k")), "`encrypt_token`: unknown feishu secret field; valid: encrypt_key, verification_token"),
        (with("verification_token", Value::Null), "`verification_token`: is required for feishu webhook subscriptions"),
        (with("encrypt_key", json!(1234)), "`encrypt_key`: must be a string"),
        (with("types", json!(["vc.meeting.exploded_v1"])), "`types`: unknown feishu event type \"vc.meeting.exploded_v1\"; valid: vc.meeting.meeting_started_v1"),
        (with("mode", json!("stream")), "`mode`: stream subscriptions are not served for feishu; served modes: webhook, long_connection"),
        (with("mode", json!("carrier_pigeon")), "`mode`: unknown mode \"carrier_pigeon\""),
        (with("ca_pem", json!("not a certificate")), "`ca_pem`: holds no PEM certificate"),
        (with("vendor", json!("zoom")), "`vendor`: unknown vendor \"zoom\""),
        (with("vendor", json!("tencent")), "`verification_token`: unknown tencent secret field or setting; valid: token, encoding_aes_key"),
        (with("tenant", Value::Null), "`tenant`: is required"),
    ];
    for (body, want) in cases {
        let r = app
            .admin_try(Method::POST, "/subscriptions", body.clone())
            .await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        let msg = r.json()["message"].as_str().unwrap().to_string();
        assert!(
            msg.starts_with(want),
            "{body}\n  got:  {msg}\n  want: {want}…"
        );
        assert!(subscriptions(&app).await.is_empty(), "nothing was created");
    }
    let r = app
        .admin_try(Method::POST, "/subscriptions", json!([1]))
        .await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn a_second_feishu_subscription_for_the_same_app_is_a_conflict() {
    let app = TestApp::spawn().await;
    let s = subscribe(&app, "http://127.0.0.1:9/a", None, json!({})).await;
    assert_eq!(s["id"], "feishu-cli_demo_feishu-1");
    let r = app
        .admin_try(
            Method::POST,
            "/subscriptions",
            json!({"vendor": "feishu", "tenant": APP, "url": "http://127.0.0.1:9/b", "verification_token": VT}),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(r
        .text
        .contains("PUT /__admin/subscriptions/feishu-cli_demo_feishu-1"));
    assert_eq!(subscriptions(&app).await.len(), 1);
}

#[tokio::test]
async fn a_paused_subscription_keeps_its_events_and_resume_sends_them_in_order() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start(Answer::Ok).await;
    let s = subscribe(&app, &rx.url, None, json!({"paused": true})).await;
    let id = s["id"].as_str().unwrap();
    for u in ["ou_guest_0001", "ou_guest_0002", "ou_guest_0003"] {
        meeting(&app, LIVE, "join", Some(u)).await;
    }
    let pending = events(&app, "status=pending").await;
    assert_eq!(pending.len(), 3);
    assert!(pending.iter().all(|d| d["attempts"] == json!([])));
    let s = app.admin_get(&format!("/subscriptions/{id}")).await.json();
    assert_eq!(
        (s["paused"].clone(), s["unfinished"].clone()),
        (json!(true), json!(3))
    );
    app.admin_post(&format!("/subscriptions/{id}/resume"), json!({}))
        .await;
    let got = rx.wait_for(3).await;
    let who: Vec<Value> = got
        .iter()
        .map(|g| g.json()["event"]["operator"]["id"]["open_id"].clone())
        .collect();
    assert_eq!(
        who,
        [
            json!("ou_guest_0001"),
            json!("ou_guest_0002"),
            json!("ou_guest_0003")
        ]
    );
    let r = app
        .admin_try(
            Method::POST,
            &format!("/subscriptions/{id}/snooze"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn filters_and_count_narrow_the_deliveries() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start(Answer::Ok).await;
    subscribe(&app, &rx.url, None, json!({})).await;
    let opened = start_reserve(&app).await;
    meeting(&app, LIVE, "join", Some("ou_guest_0001")).await;
    rx.wait_for(4).await;
    for i in 0..100 {
        if count(&app, "status=delivered").await == 4 {
            break;
        }
        assert!(i < 99, "not all delivered");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(count(&app, "").await, 4);
    assert_eq!(count(&app, &format!("meeting={opened}")).await, 3);
    assert_eq!(count(&app, "type=vc.meeting.join_meeting_v1").await, 2);
    assert_eq!(count(&app, "vendor=feishu&tenant=cli_demo_feishu").await, 4);
    assert_eq!(count(&app, "vendor=tencent").await, 0);
    assert_eq!(
        count(&app, "subscription=feishu-cli_demo_feishu-1").await,
        4
    );
    assert_eq!(count(&app, "status=failed").await, 0);
    let list = events(&app, &format!("meeting={LIVE}")).await;
    assert_eq!(list.len(), 1);
    let eid = list[0]["event_id"].as_str().unwrap();
    assert_eq!(count(&app, &format!("event_id={eid}")).await, 1);
    let newest = events(&app, "limit=2").await;
    assert_eq!(newest.len(), 2);
    assert!(
        newest[0]["id"].as_u64() > newest[1]["id"].as_u64(),
        "newest first"
    );
    for bad in ["status=lost", "vendor=zoom", "limit=0"] {
        let r = app.admin_get(&format!("/events?{bad}")).await;
        assert_eq!(r.status, 400, "{bad}");
    }
    assert_eq!(app.admin_get("/events/999999").await.status, 404);
}

#[tokio::test]
async fn redeliver_sends_the_same_event_again() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start(Answer::Ok).await;
    subscribe(&app, &rx.url, None, json!({})).await;
    meeting(&app, LIVE, "join", Some("ou_guest_0001")).await;
    let id = events(&app, "").await[0]["id"].as_u64().unwrap();
    wait_delivery(&app, id, "delivered", 1).await;
    let v = app
        .admin_post(&format!("/events/{id}/redeliver"), json!({}))
        .await;
    assert_eq!(v["id"], id);
    let d = wait_delivery(&app, id, "delivered", 2).await;
    assert_eq!(d["attempts"][1]["n"], 2);
    let got = rx.wait_for(2).await;
    assert_eq!(
        got[0].json()["header"]["event_id"],
        got[1].json()["header"]["event_id"]
    );
    let r = app
        .admin_try(Method::POST, "/events/424242/redeliver", json!({}))
        .await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn deleting_a_subscription_drops_its_waiting_deliveries() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start(Answer::Status(503)).await;
    let s = subscribe(&app, &rx.url, None, json!({})).await;
    meeting(&app, LIVE, "join", Some("ou_guest_0001")).await;
    let id = events(&app, "").await[0]["id"].as_u64().unwrap();
    wait_delivery(&app, id, "pending", 1).await;
    let r = app
        .admin_try(
            Method::DELETE,
            &format!("/subscriptions/{}", s["id"].as_str().unwrap()),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200);
    app.advance_secs(15.0).await;
    let d = wait_delivery(&app, id, "dropped", 1).await;
    assert_eq!(d["note"], "subscription removed");
    assert_eq!(rx.got().len(), 1);
}

#[tokio::test]
async fn a_full_outbox_drops_new_deliveries_and_says_so() {
    let config = meetmock::config::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        events_capacity: 3,
        ..Default::default()
    };
    let app = TestApp::spawn_config(config, "").await;
    subscribe(&app, "http://127.0.0.1:9/x", None, json!({"paused": true})).await;
    for i in 0..5 {
        meeting(&app, LIVE, "join", Some(&format!("ou_guest_000{i}"))).await;
    }
    let v = app.admin_get("/events").await.json();
    assert_eq!(v["events"].as_array().unwrap().len(), 3);
    assert_eq!(v["stats"]["capacity"], 3);
    assert_eq!(v["stats"]["dropped_outbox_full"], 2);
    let h = app.admin_get("/health").await.json();
    assert_eq!(h["events"]["dropped_outbox_full"], 2);
    assert_eq!(h["events"]["unfinished"], 3);
}

#[tokio::test]
async fn a_scenario_subscription_delivers_and_reset_returns_to_the_scenarios() {
    let rx = Receiver::start(Answer::Ok).await;
    let yaml = format!(
        "tenants:\n  - vendor: feishu\n    id: cli_s\n    secret: s\n    users: [{{id: ou_h}}, {{id: ou_g}}]\n    meetings: [{{id: \"7100000000000000001\", host: ou_h, state: in_progress}}]\n    events:\n      - url: {}\n        encrypt_key: {EK}\n        verification_token: {VT}\n        types: [vc.meeting.join_meeting_v1]\n",
        rx.url
    );
    let app = TestApp::spawn_with(&yaml).await;
    let subs = subscriptions(&app).await;
    assert_eq!(subs.len(), 1);
    assert_eq!(subs[0]["id"], "feishu-cli_s-1");
    assert_eq!(subs[0]["origin"], "scenario");
    assert_eq!(subs[0]["verification"]["state"], "unchecked");
    app.admin_post(
        "/meetings/7100000000000000001/join",
        json!({"user": "ou_g"}),
    )
    .await;
    let g = &rx.wait_for(1).await[0];
    assert_eq!(g.event(Some(EK))["header"]["app_id"], "cli_s");
    app.admin_post("/subscriptions/feishu-cli_s-1/pause", json!({}))
        .await;
    app.admin_post(
        "/meetings/7100000000000000001/leave",
        json!({"user": "ou_g"}),
    )
    .await;
    app.admin_post(
        "/meetings/7100000000000000001/join",
        json!({"user": "ou_g"}),
    )
    .await;
    assert_eq!(
        app.admin_get("/events/count?status=pending").await.json()["count"],
        1
    );
    app.admin_post("/reset", json!({})).await;
    assert_eq!(
        app.admin_get("/events/count").await.json()["count"],
        0,
        "outbox cleared"
    );
    let subs = subscriptions(&app).await;
    assert_eq!(subs[0]["paused"], false, "back to the scenario's");
}

#[test]
fn bad_scenario_subscriptions_are_refused_with_file_line_and_column() {
    let vendors = meetmock::vendors::registry();
    let yaml = "tenants:\n  - vendor: feishu\n    id: cli_x\n    events:\n      - url: \"http://[::1\"\n        verification_token: t\n      - url: http://127.0.0.1:9/\n        verification_tokn: t\n  - vendor: tencent\n    id: \"1\"\n    events:\n      - url: http://127.0.0.1:9/\n";
    let problems: Vec<String> = meetmock::scenario::parse("s.yaml", yaml, &vendors)
        .unwrap_err()
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert!(
        problems[0].starts_with("s.yaml:5:9: tenant feishu/cli_x: events[0]: `url`:"),
        "{problems:#?}"
    );
    assert!(
        problems[1].starts_with("s.yaml:7:9: tenant feishu/cli_x: events[1]: `verification_tokn`: unknown feishu secret field"),
        "{problems:#?}"
    );
    assert!(
        problems.iter().any(|p| p.contains(
            "tenant tencent/1: events[0]: `token`: is required for tencent subscriptions"
        )),
        "{problems:#?}"
    );
}
