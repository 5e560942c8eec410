//! Huawei push retries on the server clock: 30 s three times, then every 30 min, until 24 h
//! after the first attempt — the same bytes every time; a clock that jumps past the window ends
//! it at once; a hanging receiver never slows Huawei requests.

use crate::common::TestApp;
use crate::events_common::{events, wait_delivery, Answer, Receiver};
use crate::huawei::{bob, Hw, RUNNING};
use crate::huawei_push::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

const T0: i64 = 1_900_000_000_000;

/// A frozen server, a receiver that verifies then answers 500, one `meeting.join` queued.
async fn failing() -> (Hw, Receiver, u64) {
    let hw = Hw::of(TestApp::spawn().await);
    hw.app
        .admin_post("/clock/freeze", json!({"at_ms": T0}))
        .await;
    let rx = Receiver::start(Answer::Status(500)).await;
    rx.plan([docs_receiver(KEY)]);
    subscribe(&hw.app, &rx.url).await;
    hw.app
        .admin_post(
            &format!("/meetings/{RUNNING}/join"),
            json!({"vendor": "huawei", "user": "alice@hwcorp"}),
        )
        .await;
    let id = events(&hw.app, "vendor=huawei").await[0]["id"]
        .as_u64()
        .unwrap();
    (hw, rx, id)
}

#[tokio::test]
async fn retries_come_30_s_three_times_then_every_30_min_and_stop_24_h_after_the_first() {
    let (hw, rx, id) = failing().await;
    let waits: Vec<i64> = [30_000; 3]
        .into_iter()
        .chain(std::iter::repeat_n(1_800_000, 47))
        .collect();
    let mut at = T0;
    for (i, wait) in waits.iter().enumerate() {
        let d = wait_delivery(&hw.app, id, "pending", i + 1).await;
        assert_eq!(d["attempts"][i]["at_ms"], at, "attempt {} at {at}", i + 1);
        assert_eq!(d["attempts"][i]["status"], 500);
        assert_eq!(d["next_retry_at_ms"], at + wait);
        if i < 4 {
            // One millisecond short of due: nothing is sent.
            hw.app
                .admin_post("/clock/advance", json!({"ms": wait - 1}))
                .await;
            let d = hw.app.admin_get(&format!("/events/{id}")).await.json();
            assert_eq!(d["attempts"].as_array().unwrap().len(), i + 1);
            hw.app.admin_post("/clock/advance", json!({"ms": 1})).await;
        } else {
            hw.app
                .admin_post("/clock/advance", json!({"ms": wait}))
                .await;
        }
        at += wait;
    }
    let d = wait_delivery(&hw.app, id, "failed", 51).await;
    let last = d["attempts"][50]["at_ms"].as_i64().unwrap();
    assert_eq!(last - T0, 90_000 + 47 * 1_800_000);
    assert!(last - T0 <= 24 * 3_600_000);
    assert!(d["next_retry_at_ms"].is_null());
    let note = d["note"].as_str().unwrap();
    assert!(note.contains("24 h") && note.contains("HTTP 500"), "{note}");
    // Every attempt carried the same signed bytes (the nonce dedupes).
    let got = rx.got();
    assert_eq!(got.len(), 52, "the verify and 51 attempts");
    assert!(got[1..].windows(2).all(|w| w[0].body == w[1].body));
    assert!(verified(KEY, &got[1].body).is_ok());
    // Nothing more, however far the clock goes.
    hw.app.advance_secs(86_400.0).await;
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(rx.got().len(), 52);
    assert_eq!(
        hw.app.admin_get("/health").await.json()["events"]["failed"],
        1
    );
}

#[tokio::test]
async fn a_clock_that_jumps_past_the_window_ends_the_retries_after_one_more_attempt() {
    let (hw, rx, id) = failing().await;
    wait_delivery(&hw.app, id, "pending", 1).await;
    hw.app.advance_secs(25.0 * 3600.0).await;
    let d = wait_delivery(&hw.app, id, "failed", 2).await;
    assert_eq!(d["attempts"][1]["at_ms"], T0 + 25 * 3_600_000);
    assert!(d["note"].as_str().unwrap().contains("24 h"));
    assert_eq!(rx.got().len(), 3);
}

#[tokio::test]
async fn a_receiver_that_answers_later_gets_the_same_event_and_the_meeting_continues_in_order() {
    let (hw, rx, id) = failing().await;
    hw.app
        .admin_post(
            &format!("/meetings/{RUNNING}/leave"),
            json!({"vendor": "huawei", "user": "alice@hwcorp"}),
        )
        .await;
    wait_delivery(&hw.app, id, "pending", 1).await;
    rx.set_default(docs_receiver(KEY));
    hw.app.advance_secs(30.0).await;
    wait_delivery(&hw.app, id, "delivered", 2).await;
    let got = rx.wait_for(4).await;
    assert_eq!(
        names(&got),
        ["meeting.join", "meeting.join", "meeting.left"]
    );
    assert_eq!(got[1].body, got[2].body);
}

#[tokio::test]
async fn a_hanging_receiver_never_holds_up_huawei_requests() {
    let hw = Hw::of(TestApp::spawn().await);
    hw.app.freeze().await;
    let rx = Receiver::start(Answer::Hang).await;
    rx.plan([docs_receiver(KEY)]);
    subscribe(&hw.app, &rx.url).await;
    let (at, ct) = hw.running().await;
    hw.app
        .admin_post(
            &format!("/meetings/{RUNNING}/join"),
            json!({"vendor": "huawei", "user": "alice@hwcorp"}),
        )
        .await;
    rx.wait_for(2).await;
    let mut tasks = Vec::new();
    for _ in 0..100 {
        let (client, url, at) = (
            hw.app.client.clone(),
            hw.app.url(&format!(
                "/v1/mmc/management/conferences/confDetail?conferenceID={RUNNING}"
            )),
            at.clone(),
        );
        tasks.push(tokio::spawn(async move {
            client
                .get(url)
                .header("X-Access-Token", at)
                .send()
                .await
                .map(|r| r.status().as_u16())
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap(), 200);
    }
    let r = hw.invite(RUNNING, &ct, &at, &bob()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = hw
        .ctl(Method::GET, "realTimeInfo", RUNNING, &ct, &at, "")
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(rx.hanging(), 1, "the first push is still on the wire");
    rx.release();
}
