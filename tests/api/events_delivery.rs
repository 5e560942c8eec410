//! Feishu event deliveries as a receiver sees them: the exact bytes and header names, the
//! signature and encryption, which changes fire which events, per-meeting order and stable
//! dedupe ids.

use crate::common::TestApp;
use crate::events_common::*;
use crate::feishu::{call, tenant_token};
use reqwest::Method;
use serde_json::{json, Value};

fn is_hex32(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

#[tokio::test]
async fn a_plain_event_arrives_as_compact_schema_2_json_with_title_case_content_type() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start(Answer::Ok).await;
    subscribe(&app, &rx.url, None, json!({})).await;
    let opened = start_reserve(&app).await;
    let got = rx.wait_for(3).await;
    assert_eq!(
        types(&got, None),
        [
            "vc.meeting.meeting_started_v1",
            "vc.meeting.all_meeting_started_v1",
            "vc.meeting.join_meeting_v1"
        ]
    );
    let g = &got[0];
    assert_eq!(g.request_line, "POST /webhook/feishu HTTP/1.1");
    assert_eq!(
        g.header("Content-Type"),
        Some("application/json; charset=utf-8")
    );
    assert!(
        g.header("X-Lark-Signature").is_none(),
        "no signature trio without an Encrypt Key"
    );
    let v = g.json();
    let text = String::from_utf8(g.body.clone()).unwrap();
    assert!(
        text.starts_with(r#"{"schema":"2.0","header":{"event_id":""#)
            && !text.contains(": ")
            && !text.contains(", ")
            && !text.contains('\n'),
        "compact JSON in the doc's key order: {text}"
    );
    assert_eq!(v["schema"], "2.0");
    let h = &v["header"];
    assert!(is_hex32(h["event_id"].as_str().unwrap()), "{h}");
    assert_eq!(h["token"], VT);
    assert_eq!(h["app_id"], APP);
    assert_eq!(h["tenant_key"].as_str().unwrap().len(), 16);
    let ct = h["create_time"].as_str().expect("create_time is a string");
    assert_eq!(ct.len(), 13, "milliseconds");
    let m = &v["event"]["meeting"];
    assert_eq!(m["id"], opened.as_str(), "the meeting the reserve opened");
    assert_eq!(m["meeting_no"], "112000359");
    assert_eq!(m["topic"], "Demo planning");
    assert_eq!(m["meeting_source"], 4);
    assert!(m["start_time"].as_str().unwrap().parse::<i64>().is_ok());
    assert_eq!(
        m["host_user"],
        json!({"id": {"union_id": "on_host_0001", "user_id": "host0001", "open_id": HOST}, "user_role": 2, "user_type": 1})
    );
    assert_eq!(v["event"]["operator"]["id"]["open_id"], HOST);
}

#[tokio::test]
async fn an_encrypted_event_is_signed_over_the_exact_body_it_carries() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start(Answer::Ok).await;
    subscribe(&app, &rx.url, Some(EK), json!({})).await;
    start_reserve(&app).await;
    for g in rx.wait_for(3).await {
        let ts = g.header("X-Lark-Request-Timestamp").expect("timestamp");
        let nonce = g.header("X-Lark-Request-Nonce").expect("nonce");
        let sig = g.header("X-Lark-Signature").expect("signature");
        assert_eq!(sig, signature(ts, nonce, EK, &g.body));
        assert_eq!(ts.len(), 10, "unix seconds");
        let body = String::from_utf8(g.body.clone()).unwrap();
        assert!(
            body.starts_with("{\"encrypt\":\"") && body.ends_with("\"}"),
            "{body}"
        );
        let v = g.event(Some(EK));
        assert_eq!(v["schema"], "2.0");
        assert_eq!(v["header"]["token"], VT, "the token travels inside");
    }
    let d = &events(&app, "type=vc.meeting.join_meeting_v1").await[0];
    let req = &d["attempts"][0]["request"];
    assert!(req["headers"]["X-Lark-Signature"].is_string());
    assert_eq!(d["payload"]["header"]["token"], "***", "secrets masked");
}

#[tokio::test]
async fn joins_and_leaves_carry_the_participant_and_the_feishu_leave_reason() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start(Answer::Ok).await;
    subscribe(&app, &rx.url, None, json!({})).await;
    meeting(&app, LIVE, "join", Some("ou_guest_0001")).await;
    meeting(&app, LIVE, "leave", Some("ou_guest_0001")).await;
    meeting(&app, LIVE, "join", Some("ou_guest_0002")).await;
    let t = tenant_token(&app).await;
    let r = call(
        &app,
        Method::POST,
        &format!("/open-apis/vc/v1/meetings/{LIVE}/kickout"),
        &t,
        Some(json!({"kickout_users": [{"id": "ou_guest_0002", "user_type": 1}]})),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    meeting(&app, LIVE, "end", None).await;
    let got = rx.wait_for(7).await;
    let ev: Vec<Value> = got.iter().map(|g| g.event(None)).collect();
    let t: Vec<&str> = ev
        .iter()
        .map(|e| e["header"]["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        t,
        [
            "vc.meeting.join_meeting_v1",
            "vc.meeting.leave_meeting_v1",
            "vc.meeting.join_meeting_v1",
            "vc.meeting.leave_meeting_v1",
            "vc.meeting.leave_meeting_v1",
            "vc.meeting.meeting_ended_v1",
            "vc.meeting.all_meeting_ended_v1",
        ][..],
        "{ev:#?}"
    );
    let joined = &ev[0]["event"]["operator"];
    assert_eq!(
        joined["id"],
        json!({"union_id": "on_guest_0001", "user_id": "guest0001", "open_id": "ou_guest_0001"})
    );
    assert_eq!(joined["user_role"], 1);
    assert_eq!(ev[1]["event"]["leave_reason"], 1, "left by themselves");
    assert_eq!(
        ev[1]["event"]["leave_user"]["id"]["open_id"],
        "ou_guest_0001"
    );
    assert_eq!(ev[1]["event"]["operator"]["id"]["open_id"], "ou_guest_0001");
    assert_eq!(ev[3]["event"]["leave_reason"], 3, "kicked out");
    assert_eq!(
        ev[3]["event"]["leave_user"]["id"]["open_id"],
        "ou_guest_0002"
    );
    assert_eq!(ev[4]["event"]["leave_reason"], 2, "the meeting ended");
    assert_eq!(ev[4]["event"]["leave_user"]["id"]["open_id"], HOST);
    let end = &ev[5]["event"]["meeting"];
    assert!(end["end_time"].as_str().unwrap().parse::<i64>().unwrap() > 0);
}

#[tokio::test]
async fn a_meeting_not_reserved_through_the_openapi_fires_only_the_all_meeting_and_participant_events(
) {
    let yaml = r#"
tenants:
  - vendor: feishu
    id: cli_cal
    secret: s
    users: [{id: ou_h, name: H}, {id: ou_g, name: G}]
    meetings:
      - {id: "7100000000000000009", host: ou_h, state: scheduled, extra: {meeting_source: 1}}
"#;
    let app = TestApp::spawn_with(yaml).await;
    let rx = Receiver::start(Answer::Ok).await;
    app.admin_post(
        "/subscriptions",
        json!({"vendor": "feishu", "tenant": "cli_cal", "url": rx.url, "verification_token": VT, "verify": false}),
    )
    .await;
    let v = app
        .admin_post("/meetings/7100000000000000009/start", json!({}))
        .await;
    let id = v["meeting"]["id"].as_str().unwrap().to_string();
    app.admin_post(&format!("/meetings/{id}/join"), json!({"user": "ou_g"}))
        .await;
    app.admin_post(&format!("/meetings/{id}/end"), json!({}))
        .await;
    let got = rx.wait_for(3).await;
    assert_eq!(
        types(&got, None),
        [
            "vc.meeting.all_meeting_started_v1",
            "vc.meeting.all_meeting_ended_v1",
            "vc.meeting.participant_meeting_ended_v1"
        ]
    );
    assert_eq!(got[0].event(None)["event"]["meeting"]["meeting_source"], 1);
    // The users who took part, whatever made the meeting (a user-identity event).
    let subscribers = &got[2].event(None)["event"]["subscriber_ids"];
    assert_eq!(
        subscribers,
        &json!([{"open_id": "ou_h"}, {"open_id": "ou_g"}])
    );
    let n = app.admin_get("/events/count").await.json()["count"].clone();
    assert_eq!(n, 3, "nothing else was queued");
}

#[tokio::test]
async fn types_narrow_what_a_subscription_receives() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start(Answer::Ok).await;
    subscribe(
        &app,
        &rx.url,
        None,
        json!({"types": ["vc.meeting.leave_meeting_v1"]}),
    )
    .await;
    meeting(&app, LIVE, "join", Some("ou_guest_0003")).await;
    meeting(&app, LIVE, "leave", Some("ou_guest_0003")).await;
    let got = rx.wait_for(1).await;
    assert_eq!(types(&got, None), ["vc.meeting.leave_meeting_v1"]);
    assert_eq!(
        app.admin_get("/events/count").await.json()["count"],
        1,
        "the join was never queued"
    );
}

#[tokio::test]
async fn events_of_one_meeting_arrive_in_order_and_each_after_the_previous_was_acknowledged() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start(Answer::Ok).await;
    // The first event hangs until released: nothing behind it may overtake it.
    rx.plan([Answer::Hang]);
    subscribe(&app, &rx.url, None, json!({})).await;
    for i in 0..5 {
        let u = format!("ou_guest_000{i}");
        meeting(&app, LIVE, "join", Some(&u)).await;
    }
    rx.wait_for(1).await;
    let pending = app.admin_get("/events/count?status=pending").await.json();
    assert_eq!(pending["count"], 4, "queued behind the hanging one");
    assert_eq!(rx.got().len(), 1);
    rx.release();
    let got = rx.wait_for(5).await;
    let who: Vec<String> = got
        .iter()
        .map(|g| {
            g.event(None)["event"]["operator"]["id"]["open_id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        who,
        [
            "ou_guest_0000",
            "ou_guest_0001",
            "ou_guest_0002",
            "ou_guest_0003",
            "ou_guest_0004"
        ]
    );
}

#[tokio::test]
async fn a_hanging_receiver_holds_only_its_own_meetings_queue() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start(Answer::Ok).await;
    rx.plan([Answer::Hang]);
    subscribe(&app, &rx.url, None, json!({})).await;
    meeting(&app, LIVE, "join", Some("ou_guest_0001")).await;
    rx.wait_for(1).await;
    let opened = start_reserve(&app).await;
    let got = rx.wait_for(4).await;
    assert_eq!(
        got[1..]
            .iter()
            .map(|g| g.event(None)["event"]["meeting"]["id"].clone())
            .collect::<Vec<_>>(),
        [opened.as_str(), opened.as_str(), opened.as_str()],
        "the other meeting's events went through"
    );
    assert_eq!(rx.hanging(), 1);
    rx.release();
}

#[tokio::test]
async fn the_dedupe_id_is_the_same_on_every_retry_and_unique_per_event() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start(Answer::Ok).await;
    rx.plan([Answer::Status(500)]);
    subscribe(&app, &rx.url, Some(EK), json!({})).await;
    meeting(&app, LIVE, "join", Some("ou_guest_0001")).await;
    meeting(&app, LIVE, "join", Some("ou_guest_0002")).await;
    rx.wait_for(1).await;
    let all = events(&app, "").await;
    let id = all.last().unwrap()["id"].as_u64().unwrap();
    wait_delivery(&app, id, "pending", 1).await;
    app.advance_secs(15.0).await;
    let got = rx.wait_for(3).await;
    let ids: Vec<String> = got
        .iter()
        .map(|g| {
            g.event(Some(EK))["header"]["event_id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(ids[0], ids[1], "the retry repeats the event id");
    assert_ne!(ids[1], ids[2], "the next event has its own");
    assert_ne!(
        got[0].header("X-Lark-Request-Nonce"),
        got[1].header("X-Lark-Request-Nonce"),
        "a fresh nonce and IV per send"
    );
    assert_ne!(got[0].body, got[1].body);
}
