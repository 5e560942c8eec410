//! DingTalk HTTP push over time and under faults: retries after 10 s and 30 s on the server
//! clock, then the failed list (admin API and GetCallBackFaileResult), a reply that is not the
//! encrypted `success` counted as a failure, signature corruption, duplicates and ordering.

use super::rx::*;
use crate::common::TestApp;
use crate::dingtalk::{self as dt, create, invite, token};
use crate::events_common::{events, wait_delivery, Answer, Receiver};
use reqwest::Method;
use serde_json::{json, Value};

const T0: i64 = 1_900_000_000_000;

async fn freeze_at_t0(app: &TestApp) {
    app.admin_post("/clock/freeze", json!({"at_ms": T0})).await;
}

/// Subscribes without a handshake and creates a conference without calls: exactly one event
/// (`conference_created`); returns its delivery id and the conference.
async fn one_event(app: &TestApp, url: &str) -> (u64, String) {
    freeze_at_t0(app).await;
    let r = subscribe(app, url, json!({"verify": false})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let t = token(app).await;
    let id = dt::new_conf(app, &t).await;
    let d = loop {
        let list = events(app, "vendor=dingtalk").await;
        if let Some(d) = list.first() {
            break d.clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    };
    (d["id"].as_u64().unwrap(), id)
}

#[tokio::test]
async fn a_failed_push_is_retried_after_10s_and_30s_then_listed_as_failed() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start(Answer::Status(500)).await;
    let (id, conf_id) = one_event(&app, &rx.url).await;
    let mut at = T0;
    for (i, wait) in [10_000, 30_000].iter().enumerate() {
        let d = wait_delivery(&app, id, "pending", i + 1).await;
        assert_eq!(d["attempts"][i]["at_ms"], at);
        assert_eq!(d["next_retry_at_ms"], at + wait);
        app.admin_post("/clock/advance", json!({"ms": wait - 1}))
            .await;
        let d = app.admin_get(&format!("/events/{id}")).await.json();
        assert_eq!(d["attempts"].as_array().unwrap().len(), i + 1, "not yet");
        app.admin_post("/clock/advance", json!({"ms": 1})).await;
        at += wait;
    }
    let d = wait_delivery(&app, id, "failed", 3).await;
    assert_eq!(d["attempts"][2]["at_ms"], at);
    let note = d["note"].as_str().unwrap();
    assert!(
        note.contains("gave up after 2 retries") && note.contains("HTTP 500"),
        "{note}"
    );
    // Every attempt is a fresh signature over the same event.
    let got = rx.wait_for(3).await;
    let ev = events_of(&got);
    assert!(ev.windows(2).all(|w| w[0] == w[1]), "the same plaintext");
    let nonces: std::collections::HashSet<_> =
        got.iter().map(|g| query(g)["nonce"].clone()).collect();
    assert_eq!(nonces.len(), 3);
    assert_eq!(events(&app, "vendor=dingtalk&status=failed").await.len(), 1);
    // The vendor's own failed-event query answers it, as the app would have decrypted it.
    let t = token(&app).await;
    let r = app
        .send(
            Method::GET,
            "/v1.0/event/callbacks/failedResults",
            &[(dt::TOKEN_HEADER, t.as_str())],
            "",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    assert_eq!(v["hasMore"], false);
    let f = &v["failedList"][0];
    assert_eq!(f["callBackTag"], STATUS_TARGET);
    assert_eq!(f["corpId"], "dingmockcorp0001");
    assert_eq!(f["eventTime"], T0);
    let data: Value = serde_json::from_str(f["callBackData"].as_str().unwrap()).unwrap();
    assert_eq!(data, ev[0]);
    assert_eq!(data["openConfModel"]["conferenceId"], conf_id.as_str());
    // The time window bounds eventTime.
    let q = format!(
        "/v1.0/event/callbacks/failedResults?beginTime={}&endTime={}",
        T0 + 1,
        T0 + 99
    );
    let r = app
        .send(Method::GET, &q, &[(dt::TOKEN_HEADER, t.as_str())], "")
        .await;
    assert_eq!(r.json()["failedList"], json!([]));
    let r = app
        .send(
            Method::GET,
            "/v1.0/event/callbacks/failedResults?beginTime=soon",
            &[(dt::TOKEN_HEADER, t.as_str())],
            "",
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_eq!(r.json()["code"], "paramsError");
}

#[tokio::test]
async fn a_200_that_is_not_the_encrypted_success_is_a_failed_attempt_with_the_reason() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start(responder(Style::WrongOwner, dt::KEY)).await;
    rx.plan([responder(Style::Plain, dt::KEY), Answer::Ok]);
    let (id, _) = one_event(&app, &rx.url).await;
    let d = wait_delivery(&app, id, "pending", 1).await;
    let e = d["attempts"][0]["error"].as_str().unwrap();
    assert!(
        e.contains("HTTP请求结果校验返回字段值失败") && e.contains("not JSON"),
        "{e}"
    );
    app.advance_secs(10.0).await;
    let d = wait_delivery(&app, id, "pending", 2).await;
    let e = d["attempts"][1]["error"].as_str().unwrap();
    assert!(
        e.contains("`msg_signature` is missing"),
        "a 200 {{\"msg\":…}} is no success either: {e}"
    );
    rx.set_default(responder(Style::Python, dt::KEY));
    app.advance_secs(30.0).await;
    let d = wait_delivery(&app, id, "delivered", 3).await;
    assert_eq!(d["attempts"][2]["ok"], true);
    let shown = &d["attempts"][2]["request"];
    assert!(
        shown["url"].as_str().unwrap().contains("msg_signature="),
        "the admin view shows the query: {shown}"
    );
}

#[tokio::test]
async fn a_corrupt_signature_fault_breaks_the_query_signature_and_the_helper_refuses_it() {
    let app = TestApp::spawn().await;
    app.admin_post(
        "/faults",
        json!({"name": "bad-sig", "target": "delivery", "match": {"vendor": "dingtalk"},
               "delivery": "corrupt_signature", "when": {"first": 1}}),
    )
    .await;
    let rx = Receiver::start(responder(Style::Python, dt::KEY)).await;
    let (id, _) = one_event(&app, &rx.url).await;
    let d = wait_delivery(&app, id, "pending", 1).await;
    assert_eq!(d["attempts"][0]["status"], 500, "{d}");
    assert_eq!(d["attempts"][0]["fault"], "bad-sig (corrupt_signature)");
    let q = query(&rx.got()[0]);
    assert_eq!(q["msg_signature"], q["signature"], "both corrupted alike");
    app.advance_secs(10.0).await;
    wait_delivery(&app, id, "delivered", 2).await;
}

#[tokio::test]
async fn a_duplicate_fault_sends_the_same_event_id_twice_and_reorder_is_seen_through_status_seq() {
    let app = TestApp::spawn().await;
    app.admin_post(
        "/faults",
        json!({"name": "twice", "target": "delivery",
               "match": {"vendor": "dingtalk", "event_type": STATUS_TARGET},
               "delivery": "duplicate", "when": {"first": 1}}),
    )
    .await;
    app.admin_post(
        "/faults",
        json!({"name": "swap", "target": "delivery",
               "match": {"vendor": "dingtalk", "event_type": MEMBER_TARGET},
               "delivery": "reorder", "when": {"first": 1}}),
    )
    .await;
    let rx = Receiver::start(responder(Style::Java, dt::KEY)).await;
    freeze_at_t0(&app).await;
    subscribe(&app, &rx.url, json!({"verify": false})).await;
    let t = token(&app).await;
    // Created, then two calls (organiser and Alice): the first member event is held behind
    // the second.
    create(
        &app,
        &t,
        json!({"userId": dt::HOST, "confTitle": "dup", "inviteUserIds": [dt::ALICE]}),
    )
    .await;
    let ev = events_of(&rx.wait_for(4).await);
    assert_eq!(
        ev[0]["eventId"], ev[1]["eventId"],
        "the duplicate: same eventId"
    );
    assert_eq!(ev[0], ev[1]);
    let (a, b) = (&ev[2], &ev[3]);
    assert_eq!(
        (a["changeScene"].as_str(), b["changeScene"].as_str()),
        (Some("user_invited"), Some("user_invited"))
    );
    assert!(
        a["statusSeqNum"].as_i64() > b["statusSeqNum"].as_i64(),
        "arrived swapped; statusSeqNum tells the order: {a} {b}"
    );
    assert_eq!(
        b["openMemberModels"][0]["userId"],
        dt::HOST,
        "the organiser was called first"
    );
}

#[tokio::test]
async fn one_conference_waits_for_its_earlier_event_while_another_conference_flows() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start(responder(Style::Python, dt::KEY)).await;
    // The first push of the first conference hangs until the receiver is released.
    rx.plan([Answer::Hang]);
    freeze_at_t0(&app).await;
    subscribe(&app, &rx.url, json!({"verify": false})).await;
    let t = token(&app).await;
    let first = dt::new_conf(&app, &t).await;
    rx.wait_for(1).await;
    let r = invite(
        &app,
        &t,
        &first,
        json!({"inviteeList": [{"unionId": dt::ALICE, "nick": "Alice"}]}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let second = dt::new_conf(&app, &t).await;
    let got = rx.wait_for(2).await;
    let e = event(&got[1], AES, dt::KEY);
    assert_eq!(
        e["openConfModel"]["conferenceId"],
        second.as_str(),
        "the other conference flows"
    );
    let pending = events(&app, &format!("meeting={first}&status=pending")).await;
    assert_eq!(pending.len(), 1, "the invite waits behind the hanging push");
    // The hanging push times out after 2.5 s (real time) and is retried on the clock; then the
    // waiting one follows in order.
    let head = events(&app, &format!("meeting={first}&type={STATUS_TARGET}")).await[0]["id"]
        .as_u64()
        .unwrap();
    let d = wait_delivery(&app, head, "pending", 1).await;
    assert!(
        d["attempts"][0]["error"]
            .as_str()
            .unwrap()
            .contains("no answer within 2500 ms"),
        "{d}"
    );
    app.advance_secs(10.0).await;
    let ev = events_of(&rx.wait_for(4).await[2..]);
    assert_eq!(
        scenes(&ev),
        [
            (STATUS_TARGET.into(), "conference_created".into()),
            (MEMBER_TARGET.into(), "user_invited".into())
        ]
    );
}
