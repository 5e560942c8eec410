//! Retries on the server clock (15 s, 5 min, 1 h, 6 h, then failed), misbehaving receivers
//! (hang, reset, 500, garbage), and deliveries never holding up vendor requests.

use crate::common::TestApp;
use crate::events_common::*;
use crate::feishu::{call, invite, tenant_token, user_token};
use reqwest::Method;
use serde_json::json;

const T0: i64 = 1_900_000_000_000;

async fn freeze(app: &TestApp) {
    app.admin_post("/clock/freeze", json!({"at_ms": T0})).await;
}

#[tokio::test]
async fn retries_follow_15s_5min_1h_6h_on_the_server_clock_then_the_delivery_fails() {
    let app = TestApp::spawn().await;
    freeze(&app).await;
    let rx = Receiver::start(Answer::Status(500)).await;
    subscribe(&app, &rx.url, None, json!({})).await;
    meeting(&app, LIVE, "join", Some("ou_guest_0001")).await;
    let id = events(&app, "").await[0]["id"].as_u64().unwrap();
    let waits = [15_000, 300_000, 3_600_000, 21_600_000];
    let mut at = T0;
    for (i, wait) in waits.iter().enumerate() {
        let d = wait_delivery(&app, id, "pending", i + 1).await;
        assert_eq!(d["attempts"][i]["at_ms"], at, "attempt {} at {at}", i + 1);
        assert_eq!(d["attempts"][i]["status"], 500);
        assert_eq!(d["next_retry_at_ms"], at + wait);
        // One millisecond short: still waiting.
        app.admin_post("/clock/advance", json!({"ms": wait - 1}))
            .await;
        let d = app.admin_get(&format!("/events/{id}")).await.json();
        assert_eq!(d["attempts"].as_array().unwrap().len(), i + 1);
        app.admin_post("/clock/advance", json!({"ms": 1})).await;
        at += wait;
        rx.wait_for(i + 2).await;
    }
    let d = wait_delivery(&app, id, "failed", 5).await;
    assert_eq!(d["attempts"][4]["at_ms"], at);
    assert!(d["next_retry_at_ms"].is_null());
    let note = d["note"].as_str().unwrap();
    assert!(
        note.contains("gave up after 4 retries") && note.contains("HTTP 500"),
        "{note}"
    );
    let event_ids: Vec<_> = rx
        .got()
        .iter()
        .map(|g| g.json()["header"]["event_id"].clone())
        .collect();
    assert!(event_ids.windows(2).all(|w| w[0] == w[1]), "one event id");
    let stats = app.admin_get("/health").await.json()["events"].clone();
    assert_eq!(stats["failed"], 1);
}

#[tokio::test]
async fn a_receiver_that_hangs_resets_answers_500_or_garbage_is_retried_until_it_answers() {
    let app = TestApp::spawn().await;
    freeze(&app).await;
    let rx = Receiver::start(Answer::Ok).await;
    rx.plan([
        Answer::Hang,
        Answer::Reset,
        Answer::Status(500),
        Answer::Garbage,
    ]);
    subscribe(&app, &rx.url, None, json!({})).await;
    meeting(&app, LIVE, "join", Some("ou_guest_0002")).await;
    let id = events(&app, "").await[0]["id"].as_u64().unwrap();
    for (i, wait) in [15, 300, 3600, 21_600].iter().enumerate() {
        wait_delivery(&app, id, "pending", i + 1).await;
        app.advance_secs(*wait as f64).await;
    }
    let d = wait_delivery(&app, id, "delivered", 5).await;
    let errors: Vec<String> = d["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["error"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(errors[0].contains("no answer within 3000 ms"), "{errors:?}");
    assert!(
        !errors[1].is_empty() && d["attempts"][1]["status"].is_null(),
        "{errors:?}"
    );
    assert!(errors[2].contains("answered HTTP 500"), "{errors:?}");
    assert!(
        !errors[3].is_empty() && d["attempts"][3]["status"].is_null(),
        "{errors:?}"
    );
    assert!(errors[4].is_empty());
    assert_eq!(d["attempts"][4]["status"], 200);
    assert_eq!(d["attempts"][4]["response"], r#"{"msg":"success"}"#);
    assert_eq!(rx.got().len(), 5);
}

#[tokio::test]
async fn a_hanging_receiver_never_holds_up_vendor_requests() {
    let config = meetmock::config::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..Default::default()
    };
    // Rate limits off: 200 meeting.get calls in a burst are the load, not a throttling test.
    let app = TestApp::spawn_config(config, "rate_limits: {feishu: off}\n").await;
    // Frozen: the invitee below must not answer (living invite) while the test counts.
    freeze(&app).await;
    let rx = Receiver::start(Answer::Hang).await;
    subscribe(&app, &rx.url, None, json!({})).await;
    meeting(&app, LIVE, "join", Some("ou_guest_0001")).await;
    rx.wait_for(1).await;
    let t = tenant_token(&app).await;
    let u = user_token(&app, HOST).await;
    let path = format!("/open-apis/vc/v1/meetings/{LIVE}");
    let mut tasks = Vec::new();
    for i in 0..200 {
        let (client, url, t, u) = (app.client.clone(), app.url(&path), t.clone(), u.clone());
        tasks.push(tokio::spawn(async move {
            let token = if i % 2 == 0 { t } else { u };
            client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .map(|r| r.status().as_u16())
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap(), 200);
    }
    // Changes keep flowing into the outbox behind the hanging delivery.
    let r = invite(&app, &u, LIVE, &["ou_guest_0005"]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    meeting(&app, LIVE, "join", Some("ou_guest_0006")).await;
    let r = call(&app, Method::GET, &path, &t, None).await;
    assert_eq!(r.status, 200);
    // Everything above was answered while the first delivery was still on the wire.
    assert_eq!(rx.hanging(), 1);
    assert_eq!(
        app.admin_get("/events/count?status=in_flight").await.json()["count"],
        1
    );
    assert_eq!(
        app.admin_get("/events/count?status=pending").await.json()["count"],
        1
    );
    rx.release();
}
