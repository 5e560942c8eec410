//! Tencent callback delivery: retries on the server clock (the default 3 × 60 s and the
//! subscription's own), the same trace id and data on every resend with a fresh signature,
//! timeouts, delivery faults (duplicate, corrupt signature, dead URL), order per meeting, and
//! malformed Token / EncodingAESKey / settings refused naming the field.

use crate::common::TestApp;
use crate::events_common::{wait_delivery, Answer, Receiver};
use crate::tencent::{APP, RUNNING, SCHEDULED};
use crate::tencent_events_rx::*;
use reqwest::Method;
use serde_json::{json, Value};

const T0: i64 = 1_893_456_000_000;

async fn frozen() -> TestApp {
    let app = TestApp::spawn().await;
    app.admin_post("/clock/freeze", json!({"at_ms": T0})).await;
    app
}

async fn first_delivery(app: &TestApp) -> u64 {
    let r = app.admin_get("/events?vendor=tencent").await.json();
    let all = r["events"].as_array().unwrap();
    all.last().expect("a delivery")["id"].as_u64().unwrap()
}

#[tokio::test]
async fn a_failing_receiver_gets_three_resends_a_minute_apart_on_the_server_clock_then_failed() {
    let app = frozen().await;
    let rx = Receiver::start(Answer::Status(500)).await;
    subscribe(&app, &rx.url, Some(AES_KEY), json!({})).await;
    meeting(&app, RUNNING, "join", json!({"user": "userD"})).await;
    let id = first_delivery(&app).await;
    let mut at = T0;
    for i in 0..3 {
        let d = wait_delivery(&app, id, "pending", i + 1).await;
        assert_eq!(d["attempts"][i]["at_ms"], at);
        assert_eq!(d["next_retry_at_ms"], at + 60_000);
        app.admin_post("/clock/advance", json!({"ms": 59_999}))
            .await;
        let d = app.admin_get(&format!("/events/{id}")).await.json();
        assert_eq!(d["attempts"].as_array().unwrap().len(), i + 1, "not yet");
        app.admin_post("/clock/advance", json!({"ms": 1})).await;
        at += 60_000;
    }
    let d = wait_delivery(&app, id, "failed", 4).await;
    let note = d["note"].as_str().unwrap();
    assert!(
        note.contains("gave up after 3 retries") && note.contains("HTTP 500"),
        "{note}"
    );
    assert!(d["attempts"][0]["error"].as_str().unwrap().contains("2xx"));
    // Every resend: the same trace id and data, a new timestamp, nonce and signature.
    let got = rx.got();
    assert_eq!(got.len(), 4);
    let datas: Vec<String> = got.iter().map(data).collect();
    assert!(datas.windows(2).all(|w| w[0] == w[1]), "same data");
    let evs: Vec<Value> = got.iter().map(|g| event(g, TOKEN, Some(AES_KEY))).collect();
    assert!(evs.windows(2).all(|w| w[0]["trace_id"] == w[1]["trace_id"]));
    let stamps: Vec<_> = got
        .iter()
        .map(|g| g.header("timestamp").unwrap().to_string())
        .collect();
    assert_eq!(stamps[1], (T0 + 60_000).to_string());
    let sigs: std::collections::BTreeSet<_> = got
        .iter()
        .map(|g| g.header("signature").unwrap().to_string())
        .collect();
    assert_eq!(sigs.len(), 4);
}

#[tokio::test]
async fn the_subscription_sets_its_own_retries_and_interval() {
    let app = frozen().await;
    let rx = receiver(None).await;
    rx.plan([Answer::Status(503)]);
    subscribe(
        &app,
        &rx.url,
        None,
        json!({"retries": 1, "retry_interval_ms": 5000}),
    )
    .await;
    meeting(&app, RUNNING, "join", json!({"user": "userD"})).await;
    let id = first_delivery(&app).await;
    let d = wait_delivery(&app, id, "pending", 1).await;
    assert_eq!(d["next_retry_at_ms"], T0 + 5000);
    app.advance_secs(5.0).await;
    let d = wait_delivery(&app, id, "delivered", 2).await;
    assert_eq!(d["attempts"][1]["at_ms"], T0 + 5000);
    // With no retries at all, one failure is final.
    let rx2 = Receiver::start(Answer::Status(500)).await;
    let app2 = frozen().await;
    subscribe(&app2, &rx2.url, None, json!({"retries": 0})).await;
    meeting(&app2, RUNNING, "join", json!({"user": "userD"})).await;
    let id2 = first_delivery(&app2).await;
    wait_delivery(&app2, id2, "failed", 1).await;
}

#[tokio::test]
async fn a_hanging_receiver_times_out_after_the_subscriptions_timeout() {
    let app = frozen().await;
    let rx = receiver(None).await;
    rx.plan([Answer::Hang]);
    subscribe(&app, &rx.url, None, json!({"timeout_ms": 300})).await;
    meeting(&app, RUNNING, "join", json!({"user": "userD"})).await;
    let id = first_delivery(&app).await;
    let d = wait_delivery(&app, id, "pending", 1).await;
    let err = d["attempts"][0]["error"].as_str().unwrap();
    assert!(err.contains("no answer within 300 ms"), "{err}");
    rx.release();
    app.advance_secs(60.0).await;
    wait_delivery(&app, id, "delivered", 2).await;
}

#[tokio::test]
async fn a_duplicated_delivery_repeats_the_trace_id_the_receiver_dedupes_on() {
    let app = frozen().await;
    let rx = receiver(None).await;
    subscribe(&app, &rx.url, None, json!({})).await;
    app.admin_post(
        "/faults",
        json!({"name": "twice", "target": "delivery",
               "match": {"vendor": "tencent", "event_type": "meeting.participant-joined"},
               "delivery": "duplicate"}),
    )
    .await;
    meeting(&app, RUNNING, "join", json!({"user": "userD"})).await;
    meeting(&app, RUNNING, "leave", json!({"user": "userD"})).await;
    let ds = settled(&app).await;
    let evs = posted(&rx.got(), None);
    assert_eq!(
        names(&evs),
        [
            "meeting.participant-joined",
            "meeting.participant-joined",
            "meeting.participant-left"
        ]
    );
    assert_eq!(evs[0]["trace_id"], evs[1]["trace_id"]);
    let mut seen = std::collections::BTreeSet::new();
    let unique: Vec<_> = evs
        .iter()
        .filter(|e| seen.insert(e["trace_id"].to_string()))
        .collect();
    assert_eq!(unique.len(), 2, "deduped on trace_id");
    assert_eq!(ds[0]["event_id"], evs[0]["trace_id"]);
}

#[tokio::test]
async fn a_corrupted_signature_is_refused_by_the_receiver_and_the_resend_is_signed_right() {
    let app = frozen().await;
    let rx = receiver(None).await;
    subscribe(&app, &rx.url, None, json!({})).await;
    app.admin_post(
        "/faults",
        json!({"name": "forge", "target": "delivery", "match": {"vendor": "tencent"},
               "delivery": "corrupt_signature", "when": {"first": 1}}),
    )
    .await;
    meeting(&app, RUNNING, "join", json!({"user": "userD"})).await;
    let id = first_delivery(&app).await;
    let d = wait_delivery(&app, id, "pending", 1).await;
    assert_eq!(d["attempts"][0]["status"], 403);
    assert!(!verifies(&rx.got()[0], TOKEN, &data(&rx.got()[0])));
    app.advance_secs(60.0).await;
    wait_delivery(&app, id, "delivered", 2).await;
    assert!(verifies(&rx.got()[1], TOKEN, &data(&rx.got()[1])));
}

#[tokio::test]
async fn a_dead_url_holds_only_its_meetings_queue_and_order_is_kept_per_meeting() {
    let app = frozen().await;
    let rx = receiver(None).await;
    subscribe(&app, &rx.url, None, json!({})).await;
    app.admin_post(
        "/faults",
        json!({"name": "gone", "target": "delivery",
               "match": {"vendor": "tencent", "meeting": RUNNING},
               "delivery": "dead_url", "when": {"first": 1}}),
    )
    .await;
    meeting(&app, RUNNING, "join", json!({"user": "userD"})).await;
    meeting(&app, RUNNING, "leave", json!({"user": "userD"})).await;
    meeting(&app, SCHEDULED, "join", json!({"user": "userB"})).await;
    // The other meeting's event flows while RUNNING's first waits for its retry.
    let got = rx.wait_for(1).await;
    assert_eq!(
        event(&got[0], TOKEN, None)["payload"][0]["meeting_info"]["meeting_id"],
        SCHEDULED
    );
    let r = app
        .admin_get(&format!("/events?vendor=tencent&meeting={RUNNING}"))
        .await
        .json();
    let pending: Vec<&str> = r["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        pending,
        ["pending", "pending"],
        "the leave waits behind the join"
    );
    app.advance_secs(60.0).await;
    settled(&app).await;
    let evs = posted(&rx.got(), None);
    let running: Vec<String> = evs
        .iter()
        .filter(|e| e["payload"][0]["meeting_info"]["meeting_id"] == RUNNING)
        .map(|e| e["event"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        running,
        ["meeting.participant-joined", "meeting.participant-left"]
    );
}

#[tokio::test]
async fn malformed_token_key_and_settings_are_refused_naming_the_field() {
    let app = frozen().await;
    let base = json!({"vendor": "tencent", "tenant": APP, "url": "http://127.0.0.1:9/cb",
                      "token": TOKEN, "verify": false});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let mut no_token = base.clone();
    no_token.as_object_mut().unwrap().remove("token");
    let cases = [
        (no_token, "`token`: is required for tencent subscriptions"),
        (with("token", json!("has-dashes")), "`token`: must be 1 to 64 letters and digits"),
        (with("encoding_aes_key", json!("tooShort")), "`encoding_aes_key`: must be 43 letters and digits"),
        (with("encoding_aes_key", json!(format!("{}/", &AES_KEY[..42]))), "`encoding_aes_key`: must be 43 letters and digits"),
        (with("plain_base64_padding", json!("yes")), "`plain_base64_padding`: must be true or false"),
        (with("retries", json!(21)), "`retries`: must be a whole number 0..=20"),
        (with("timeout_ms", json!(10)), "`timeout_ms`: must be a whole number of ms 100..=60000"),
        (with("Token", json!(TOKEN)), "`Token`: unknown tencent secret field or setting; valid: token, encoding_aes_key, plain_base64_padding"),
        (with("types", json!(["meeting.ended"])), "`types`: unknown tencent event type"),
    ];
    for (body, want) in cases {
        let r = app
            .admin_try(Method::POST, "/subscriptions", body.clone())
            .await;
        assert_eq!(r.status, 400, "{body}: {}", r.text);
        assert!(r.text.contains(want), "{body}: {}", r.text);
    }
    let r = app.admin_get("/subscriptions?vendor=tencent").await.json();
    assert_eq!(
        r["subscriptions"].as_array().unwrap().len(),
        0,
        "nothing changed"
    );
    // A good one shows its settings as they are and its secrets masked.
    let v = subscribe(
        &app,
        "http://127.0.0.1:9/cb",
        Some(AES_KEY),
        json!({"retries": 5}),
    )
    .await;
    assert_eq!(v["settings"], json!({"retries": 5}));
    assert_eq!(
        v["secrets"],
        json!({"encoding_aes_key": "***", "token": "***"})
    );
}

#[tokio::test]
async fn a_scenario_subscription_delivers_without_a_handshake() {
    let yaml = format!(
        r#"
tenants:
  - vendor: tencent
    id: "{APP}"
    secret: meetmockDemoSecretKey0001
    credentials: {{secret_id: AKIDmeetmockDemoSecretId0001, sdk_id: "28370000001"}}
    users: [{{id: userA, name: Alice}}]
    meetings:
      - {{id: "900", code: "900000000", topic: t, creator: userA, host: userA, state: scheduled}}
    events:
      - url: URL
        token: {TOKEN}
        encoding_aes_key: {AES_KEY}
        plain_base64_padding: false
        retries: 0
        types: [meeting.started]
"#
    );
    let rx = receiver(Some(AES_KEY)).await;
    let app = TestApp::spawn_with(&yaml.replace("URL", &rx.url)).await;
    meeting(&app, "900", "start", json!({})).await;
    settled(&app).await;
    let got = rx.got();
    assert!(got.iter().all(|g| !is_get(g)), "no handshake at load");
    assert_eq!(names(&posted(&got, Some(AES_KEY))), ["meeting.started"]);
}

#[tokio::test]
async fn settings_survive_a_state_round_trip_and_a_malformed_one_is_refused_on_import() {
    let app = frozen().await;
    subscribe(
        &app,
        "http://127.0.0.1:9/cb",
        None,
        json!({"retries": 1, "plain_base64_padding": false}),
    )
    .await;
    let state = app.admin_get("/state").await.json();
    let sub = state["subscriptions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["vendor"] == "tencent")
        .unwrap()
        .clone();
    assert_eq!(
        sub["settings"],
        json!({"plain_base64_padding": false, "retries": 1})
    );
    assert_eq!(
        sub["secrets"]["token"], TOKEN,
        "the state keeps secrets whole"
    );
    let b = frozen().await;
    let r = b.admin_try(Method::PUT, "/state", state.clone()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        b.admin_get("/state").await.json()["subscriptions"],
        state["subscriptions"]
    );
    let mut bad = state.clone();
    for s in bad["subscriptions"].as_array_mut().unwrap() {
        if s["vendor"] == "tencent" {
            s["settings"]["retries"] = json!("many");
        }
    }
    let r = b.admin_try(Method::PUT, "/state", bad).await;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(r.text.contains("`retries`"), "{}", r.text);
}
