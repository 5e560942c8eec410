//! Huawei enterprise event push end to end: a meeting driven through the REST API produces
//! `meeting.create` … `record.finish` in order, each body signed over exactly its bytes (checked
//! by the receiver written from the docs), times in ms, one dedupe nonce per event; delivery
//! faults (duplicate, reorder, drop, corrupted signature, dead URL) as a receiver sees them.

use crate::common::TestApp;
use crate::events_common::{events, wait_delivery, Got, Receiver};
use crate::huawei::{Hw, RUNNING};
use crate::huawei_push::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// A server with the demo, its clock frozen, and a verified subscription to a docs receiver.
async fn setup() -> (Hw, Receiver) {
    let hw = Hw::of(TestApp::spawn().await);
    hw.app.freeze().await;
    let rx = Receiver::start(docs_receiver(KEY)).await;
    subscribe(&hw.app, &rx.url).await;
    (hw, rx)
}

/// Waits until `n` pushes (besides `meeting.verify`) arrived; returns every request.
async fn pushes(rx: &Receiver, n: usize) -> Vec<Got> {
    rx.wait_for(n + 1).await
}

fn ok(r: &crate::common::Resp) {
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn a_meeting_driven_through_the_api_pushes_its_events_in_order_signed_over_the_bytes_sent() {
    let (hw, rx) = setup().await;
    let at = hw.login().await;
    let r = crate::huawei::create(
        &hw,
        &at,
        json!({"subject": "push", "length": 60, "mediaTypes": "Voice"}),
    )
    .await;
    ok(&r);
    let info = r.json()[0].clone();
    let conf = info["conferenceID"].as_str().unwrap().to_string();
    let chair = info["passwordEntry"][0]["password"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/v1/mmc/management/conferences?conferenceID={conf}");
    ok(&hw
        .at(Method::PUT, &path, &at, r#"{"subject": "push (edited)"}"#)
        .await);
    let start = json!({"conferenceID": conf, "password": chair}).to_string();
    ok(&hw
        .at(
            Method::POST,
            "/v1/mmc/management/conferences/start",
            &at,
            &start,
        )
        .await);
    let ct = hw.conf_token(&at, &conf, &chair).await.json()["data"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let body = json!({"attendees": [{"name": "Alice", "phone": "+8613800000001"},
                                    {"name": "Nope", "phone": "+8613800000009"}]});
    ok(&hw.invite(&conf, &ct, &at, &body).await);
    hw.app.advance_secs(30.0).await; // Alice answers, +…09 declines: no push for a refusal.
    ok(&hw
        .ctl(Method::PUT, "record", &conf, &ct, &at, r#"{"isRecord": 1}"#)
        .await);
    hw.app.advance_secs(60.0).await;
    let online = hw.online(&at, &conf).await;
    let alice = online["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["call_number"] == "+8613800000001")
        .expect("Alice answered")["participant_id"]
        .clone();
    let hang = json!({ "bulkHangUpParticipants": [alice] }).to_string();
    ok(&hw
        .ctl(Method::POST, "participants/delete", &conf, &ct, &at, &hang)
        .await);
    hw.app
        .admin_post(
            &format!("/meetings/{conf}/join"),
            json!({"vendor": "huawei", "user": "demo@hwcorp"}),
        )
        .await;
    ok(&hw
        .at(Method::DELETE, &format!("{path}&type=1"), &at, "")
        .await);

    let got = pushes(&rx, 11).await;
    assert_eq!(
        names(&got),
        [
            "meeting.create",
            "meeting.modify",
            "meeting.started",
            "meeting.join",
            "meeting.left",
            "meeting.join",
            "meeting.left",
            "meeting.end",
            "meeting.conclude",
            "record.finish",
            "meeting.cancel"
        ]
    );
    let all = pushed(&got);
    let uuid = all[0]["eventInfo"]["payload"]["meetingInfo"]["meetingUUID"].clone();
    assert_eq!(uuid, info["confUUID"], "the meeting's UUID");
    let mut nonces = std::collections::HashSet::new();
    for j in &all {
        assert_eq!(j["appID"], SUBSCRIBER);
        let ts = j["timestamp"].as_i64().unwrap();
        assert!(ts > 1_000_000_000_000, "ms: {ts}");
        assert_eq!(j["eventInfo"]["timestamp"], ts);
        assert_eq!(
            j["eventInfo"]["payload"]["meetingInfo"]["meetingID"],
            conf.as_str()
        );
        assert_eq!(
            j["eventInfo"]["payload"]["meetingInfo"]["meetingUUID"],
            uuid
        );
        let n = j["nonce"].as_str().unwrap();
        assert!(n.len() == 8 && n.bytes().all(|b| b.is_ascii_digit()), "{n}");
        assert!(nonces.insert(n.to_string()), "one nonce per event");
        let keys: Vec<&str> = j.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 5, "{j}");
    }
    let alice_in = &all[3]["eventInfo"]["payload"]["attendeeInfo"];
    let alice_out = &all[4]["eventInfo"]["payload"]["attendeeInfo"];
    assert_eq!(alice_in["account"], "alice@hwcorp");
    assert_eq!(alice_in["callNumber"], "+8613800000001");
    assert_eq!(alice_in["displayName"], "Alice");
    assert_eq!(alice_in["role"], "GENERAL");
    assert_eq!(alice_in["leftTime"], 0);
    let pid = alice_in["participantID"].as_str().unwrap();
    assert!(pid.len() == 32 && pid.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(alice_out["participantID"], pid);
    assert_eq!(alice_out["joinTime"], alice_in["joinTime"]);
    let (joined, left) = (
        alice_in["joinTime"].as_i64().unwrap(),
        alice_out["leftTime"].clone(),
    );
    let join_at = all[3]["timestamp"].as_i64().unwrap();
    assert!(
        joined <= join_at && join_at - joined < 1000,
        "joinTime is the join"
    );
    assert_eq!(left, all[4]["timestamp"], "leftTime is the hang-up");
    assert!(
        left.as_i64().unwrap() - joined >= 60_000,
        "the minute recorded"
    );
    assert_eq!(
        all[5]["eventInfo"]["payload"]["attendeeInfo"]["role"],
        "CHAIR"
    );
    assert!(all[7]["eventInfo"]["payload"].get("attendeeInfo").is_none());
    // The admin view: delivered, the nonce is the event id, the payload is the body sent.
    let ds = events(&hw.app, &format!("vendor=huawei&meeting={conf}")).await;
    assert_eq!(ds.len(), 11);
    for d in &ds {
        assert_eq!(d["status"], "delivered", "{d}");
        assert_eq!(d["event_id"], d["payload"]["nonce"]);
        let sent = d["attempts"][0]["request"]["body"].as_str().unwrap();
        assert_eq!(serde_json::from_str::<Value>(sent).unwrap(), d["payload"]);
        assert!(
            got.iter().any(|g| g.body == sent.as_bytes()),
            "the journal keeps the exact bytes the receiver got"
        );
    }
}

#[tokio::test]
async fn stop_meeting_pushes_end_without_conclude_and_a_restart_pushes_started_again() {
    let (hw, rx) = setup().await;
    let (at, ct) = hw.running().await;
    ok(&hw.ctl(Method::PUT, "stop", RUNNING, &ct, &at, "").await);
    let start = json!({"conferenceID": RUNNING, "password": crate::huawei::RUNNING_PWD});
    ok(&hw
        .at(
            Method::POST,
            "/v1/mmc/management/conferences/start",
            &at,
            &start.to_string(),
        )
        .await);
    let got = pushes(&rx, 3).await;
    assert_eq!(
        names(&got),
        ["meeting.left", "meeting.end", "meeting.started"],
        "the host leaves, the meeting ends (re-joinable), then starts again"
    );
}

#[tokio::test]
async fn a_scheduled_cancel_pushes_meeting_cancel_alone() {
    let (hw, rx) = setup().await;
    let at = hw.login().await;
    let path = format!(
        "/v1/mmc/management/conferences?conferenceID={}",
        crate::huawei::SCHEDULED
    );
    ok(&hw.at(Method::DELETE, &path, &at, "").await);
    let got = pushes(&rx, 1).await;
    assert_eq!(names(&got), ["meeting.cancel"]);
}

#[tokio::test]
async fn the_type_filter_and_a_disabled_configuration_hold_back_what_they_should() {
    let hw = Hw::of(TestApp::spawn().await);
    let rx = Receiver::start(docs_receiver(KEY)).await;
    let s = hw
        .app
        .admin_post(
            "/subscriptions",
            json!({"vendor": "huawei", "tenant": TENANT, "url": rx.url, "types": ["meeting.left"],
                   "subscriberId": SUBSCRIBER, "subscriberKey": KEY}),
        )
        .await;
    let join = json!({"vendor": "huawei", "user": "alice@hwcorp"});
    hw.app
        .admin_post(&format!("/meetings/{RUNNING}/join"), join.clone())
        .await;
    hw.app
        .admin_post(&format!("/meetings/{RUNNING}/leave"), join.clone())
        .await;
    let got = pushes(&rx, 1).await;
    assert_eq!(names(&got), ["meeting.left"]);
    let id = s["id"].as_str().unwrap();
    let at = hw.login().await;
    ok(&set_status(&hw, &at, id, "1").await);
    hw.app
        .admin_post(&format!("/meetings/{RUNNING}/join"), join.clone())
        .await;
    hw.app
        .admin_post(&format!("/meetings/{RUNNING}/leave"), join)
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(rx.got().len(), 2, "disabled: nothing more");
    assert_eq!(events(&hw.app, "vendor=huawei").await.len(), 1);
}

fn rule(kind: &str) -> Value {
    json!({"name": format!("hw-{kind}"), "target": "delivery", "delivery": kind,
           "when": {"first": 1},
           "match": {"vendor": "huawei", "event_type": "meeting.join"}})
}

async fn join_leave(hw: &Hw, who: &str) {
    let body = json!({"vendor": "huawei", "user": who});
    hw.app
        .admin_post(&format!("/meetings/{RUNNING}/join"), body.clone())
        .await;
    hw.app
        .admin_post(&format!("/meetings/{RUNNING}/leave"), body)
        .await;
}

#[tokio::test]
async fn duplicate_sends_the_same_bytes_twice_so_the_nonce_dedupes() {
    let (hw, rx) = setup().await;
    hw.app.admin_post("/faults", rule("duplicate")).await;
    join_leave(&hw, "alice@hwcorp").await;
    let got = pushes(&rx, 3).await;
    assert_eq!(
        names(&got),
        ["meeting.join", "meeting.join", "meeting.left"]
    );
    assert_eq!(got[1].body, got[2].body, "identical bytes, one nonce");
}

#[tokio::test]
async fn reorder_puts_the_join_behind_the_leave_of_the_same_meeting() {
    let hw = Hw::of(TestApp::spawn().await);
    let rx = Receiver::start(docs_receiver(KEY)).await;
    let id = subscribe(&hw.app, &rx.url).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Paused so both wait in the meeting's queue before the first is sent.
    hw.app
        .admin_post(&format!("/subscriptions/{id}/pause"), json!({}))
        .await;
    hw.app.admin_post("/faults", rule("reorder")).await;
    join_leave(&hw, "alice@hwcorp").await;
    hw.app
        .admin_post(&format!("/subscriptions/{id}/resume"), json!({}))
        .await;
    let got = pushes(&rx, 2).await;
    assert_eq!(names(&got), ["meeting.left", "meeting.join"]);
}

#[tokio::test]
async fn drop_loses_the_join_for_good() {
    let (hw, rx) = setup().await;
    hw.app.admin_post("/faults", rule("drop")).await;
    join_leave(&hw, "alice@hwcorp").await;
    let got = pushes(&rx, 1).await;
    assert_eq!(names(&got), ["meeting.left"]);
    let d = events(&hw.app, "vendor=huawei&status=dropped").await;
    assert_eq!(d[0]["type"], "meeting.join");
}

#[tokio::test]
async fn a_corrupted_signature_is_refused_by_the_receiver_and_the_retry_verifies() {
    let (hw, rx) = setup().await;
    hw.app
        .admin_post("/faults", rule("corrupt_signature"))
        .await;
    hw.app
        .admin_post(
            &format!("/meetings/{RUNNING}/join"),
            json!({"vendor": "huawei", "user": "alice@hwcorp"}),
        )
        .await;
    let id = events(&hw.app, "vendor=huawei").await[0]["id"]
        .as_u64()
        .unwrap();
    let d = wait_delivery(&hw.app, id, "pending", 1).await;
    assert_eq!(
        d["attempts"][0]["status"], 401,
        "the docs receiver refused it"
    );
    let got = rx.got();
    assert!(verified(KEY, &got[1].body).is_err());
    hw.app.advance_secs(30.0).await;
    wait_delivery(&hw.app, id, "delivered", 2).await;
    let got = rx.got();
    let (a, b) = (
        String::from_utf8_lossy(&got[1].body),
        String::from_utf8_lossy(&got[2].body),
    );
    assert!(verified(KEY, &got[2].body).is_ok());
    assert_eq!(a.len(), b.len(), "only the signature differs");
    assert_eq!(raw_event_info(&a), raw_event_info(&b));
}

#[tokio::test]
async fn a_dead_url_attempt_is_retried_30_s_later() {
    let (hw, rx) = setup().await;
    hw.app.admin_post("/faults", rule("dead_url")).await;
    hw.app
        .admin_post(
            &format!("/meetings/{RUNNING}/join"),
            json!({"vendor": "huawei", "user": "alice@hwcorp"}),
        )
        .await;
    let id = events(&hw.app, "vendor=huawei").await[0]["id"]
        .as_u64()
        .unwrap();
    let d = wait_delivery(&hw.app, id, "pending", 1).await;
    assert_eq!(
        d["next_retry_at_ms"].as_i64().unwrap() - d["attempts"][0]["at_ms"].as_i64().unwrap(),
        30_000
    );
    hw.app.advance_secs(30.0).await;
    wait_delivery(&hw.app, id, "delivered", 2).await;
    assert_eq!(names(&rx.got()), ["meeting.join"]);
}
