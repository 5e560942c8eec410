//! Tencent Meeting event callbacks seen by a receiver written from the docs
//! (`tencent_events_rx.rs`): the GET `check_str` verification, POST `{"data"}` bodies in base64
//! and AES, the signature headers, the envelope and field types, and which REST calls and
//! admin actions fire which events, in order per meeting.

use crate::common::TestApp;
use crate::events_common::{Answer, Receiver};
use crate::tencent::{call, set, RUNNING, SCHEDULED};
use crate::tencent_events_rx::*;
use reqwest::Method;
use serde_json::{json, Value};

const T0: i64 = 1_893_456_000_000;

async fn frozen() -> TestApp {
    let app = TestApp::spawn().await;
    app.admin_post("/clock/freeze", json!({"at_ms": T0})).await;
    app
}

async fn create(app: &TestApp, subject: &str) -> String {
    let r = call(
        app,
        Method::POST,
        "/v1/meetings",
        json!({"userid": "userA", "instanceid": 1, "subject": subject, "type": 0,
               "start_time": "1893484800", "end_time": "1893488400"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()["meeting_info_list"][0]["meeting_id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn the_url_verification_is_a_signed_get_whose_decrypted_check_str_the_receiver_echoes() {
    let app = frozen().await;
    let rx = receiver(Some(AES_KEY)).await;
    let v = subscribe(&app, &rx.url, Some(AES_KEY), json!({"verify": true})).await;
    assert_eq!(v["verification"]["state"], "verified", "{v:#}");
    let got = rx.got();
    assert_eq!(got.len(), 1);
    let g = &got[0];
    assert!(is_get(g), "{}", g.request_line);
    // Header names exactly as documented: lower-case, not X-TC-*.
    for h in ["timestamp", "nonce", "signature"] {
        assert!(g.header(h).is_some(), "{h}: {:?}", g.headers);
    }
    assert_eq!(g.header("timestamp"), Some(T0.to_string().as_str()));
    let nonce = g.header("nonce").unwrap();
    assert!((8..=10).contains(&nonce.len()) && nonce.bytes().all(|b| b.is_ascii_digit()));
    // `+ / =` never travel raw in the query (form decoders would spoil them).
    let raw_query = g
        .request_line
        .split(' ')
        .nth(1)
        .unwrap()
        .split_once('?')
        .unwrap()
        .1;
    let value = raw_query.strip_prefix("check_str=").expect(raw_query);
    assert!(!value.contains(['+', '/', '=']), "{value}");
    let cs = &query(g)[0].1;
    assert!(verifies(g, TOKEN, cs));
    assert_eq!(b64decode_lenient(cs).len() % 16, 0, "AES blocks");
    assert!(!open(Some(AES_KEY), cs).is_empty());
}

#[tokio::test]
async fn a_receiver_that_answers_the_verification_wrongly_leaves_the_subscription_failed() {
    let app = frozen().await;
    // Quoted, as a JSON-minded receiver would answer: Tencent wants the bare plaintext.
    let rx = Receiver::start(Answer::With(crate::events_common::Responder(
        std::sync::Arc::new(|g| {
            let cs = query(g)[0].1.clone();
            (
                200,
                format!("\"{}\"", String::from_utf8(open(None, &cs)).unwrap()),
            )
        }),
    )))
    .await;
    let v = subscribe(&app, &rx.url, None, json!({"verify": true})).await;
    assert_eq!(v["verification"]["state"], "failed");
    let why = v["verification"]["error"].as_str().unwrap();
    assert!(why.contains("exactly the decoded check_str"), "{why}");
    // A wrong token: the receiver refuses the signature (403).
    let rx2 = Receiver::start(responder("someOtherToken", None)).await;
    let v = subscribe(&app, &rx2.url, None, json!({"verify": true})).await;
    assert_eq!(v["verification"]["state"], "failed");
    assert!(v["verification"]["error"]
        .as_str()
        .unwrap()
        .contains("HTTP 403"));
    // Nothing is produced for failed subscriptions.
    meeting(&app, RUNNING, "join", json!({"user": "userD"})).await;
    assert!(settled(&app).await.is_empty());
}

#[tokio::test]
async fn plain_check_str_is_padded_base64_unless_the_subscription_says_otherwise() {
    let app = frozen().await;
    let rx = receiver(None).await;
    subscribe(&app, &rx.url, None, json!({"verify": true})).await;
    subscribe(
        &app,
        &rx.url,
        None,
        json!({"verify": true, "plain_base64_padding": false}),
    )
    .await;
    let got = rx.got();
    let (padded, bare) = (&query(&got[0])[0].1, &query(&got[1])[0].1);
    // The challenge is 32 characters: 44 base64 characters with one `=`, 43 without.
    assert_eq!((padded.len(), bare.len()), (44, 43), "{padded} {bare}");
    assert!(padded.ends_with('=') && !bare.contains('='));
    assert_eq!((open(None, padded).len(), open(None, bare).len()), (32, 32));
}

#[tokio::test]
async fn a_created_meeting_arrives_as_signed_encrypted_data_with_the_documented_types() {
    let app = frozen().await;
    let rx = receiver(Some(AES_KEY)).await;
    subscribe(&app, &rx.url, Some(AES_KEY), json!({})).await;
    let id = create(&app, "探针会议 probe").await;
    let got = rx.wait_for(1).await;
    let g = &got[0];
    assert!(
        g.request_line.starts_with("POST /webhook/feishu "),
        "{}",
        g.request_line
    );
    assert_eq!(g.header("content-type"), Some("application/json"));
    let body = String::from_utf8(g.body.clone()).unwrap();
    assert!(
        body.starts_with("{\"data\":\"") && body.ends_with("\"}"),
        "{body}"
    );
    let ev = event(g, TOKEN, Some(AES_KEY));
    // The plaintext: compact, keys event, trace_id, payload in that order, raw UTF-8.
    let plain = String::from_utf8(open(Some(AES_KEY), &data(g))).unwrap();
    assert!(
        plain.starts_with("{\"event\":\"meeting.created\",\"trace_id\":\""),
        "{plain}"
    );
    assert!(
        plain.contains("探针会议 probe") && !plain.contains(": "),
        "{plain}"
    );
    let trace = ev["trace_id"].as_str().unwrap();
    assert_eq!(trace.len(), 36, "{trace}");
    let item = &ev["payload"][0];
    assert_eq!(item["operate_time"], json!(T0), "ms integer");
    let info = &item["meeting_info"];
    assert_eq!(info["meeting_id"], id);
    assert!(info["meeting_code"].as_str().unwrap().len() == 9);
    assert_eq!(info["start_time"], json!(1_893_484_800), "seconds integer");
    assert_eq!(info["end_time"], json!(1_893_488_400));
    assert_eq!(
        (
            &info["meeting_type"],
            &info["meeting_create_mode"],
            &info["meeting_create_from"]
        ),
        (&json!(0), &json!(0), &json!(6))
    );
    let creator = &info["creator"];
    assert_eq!(
        (&creator["userid"], &creator["user_name"]),
        (&json!("userA"), &json!("Alice"))
    );
    assert!(creator["instance_id"].is_string(), "{creator}");
    assert!(!creator["uuid"].as_str().unwrap().is_empty());
    assert_eq!(item["operator"]["userid"], "userA");
    // The admin journal keeps the trace id as the dedupe id, delivered.
    let ds = settled(&app).await;
    assert_eq!(ds[0]["event_id"], trace);
    assert_eq!(ds[0]["status"], "delivered");
    assert_eq!(
        ds[0]["attempts"][0]["response"],
        "successfully received callback"
    );
}

#[tokio::test]
async fn the_host_starting_fires_started_then_joined_and_dismiss_fires_each_left_then_end() {
    let app = frozen().await;
    let rx = receiver(None).await;
    subscribe(&app, &rx.url, None, json!({})).await;
    meeting(&app, SCHEDULED, "join", json!({"user": "userB"})).await;
    meeting(&app, SCHEDULED, "join", json!({"user": "userA"})).await;
    meeting(&app, SCHEDULED, "leave", json!({"user": "userA"})).await;
    meeting(&app, SCHEDULED, "join", json!({"user": "userA"})).await;
    let r = call(
        &app,
        Method::POST,
        &format!("/v1/meetings/{SCHEDULED}/dismiss"),
        json!({"operator_id": "userA", "operator_id_type": 1, "instanceid": 1, "reason_code": 1}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    settled(&app).await;
    let evs = posted(&rx.got(), None);
    assert_eq!(
        names(&evs),
        [
            "meeting.participant-joined",
            "meeting.started",
            "meeting.participant-joined",
            "meeting.participant-left",
            "meeting.participant-joined",
            "meeting.participant-left",
            "meeting.participant-left",
            "meeting.end",
        ],
        "a non-host entering starts nothing; the host's first entry does, a return does not"
    );
    let who = |i: usize| evs[i]["payload"][0]["operator"]["userid"].clone();
    assert_eq!(
        (who(0), who(1), who(2)),
        (json!("userB"), json!("userA"), json!("userA"))
    );
    let joined = &evs[0]["payload"][0];
    assert_eq!(joined["meeting_info"]["meeting_id_type"], 0);
    assert_eq!(joined["meeting_info"]["action_scene_type"], 0);
    assert_eq!(joined["operator"]["pstn_number"], "");
    assert_eq!(joined["extend_info"]["customer_data"], "");
    let end = &evs[7]["payload"][0];
    assert_eq!(end["meeting_end_type"], 0);
    assert_eq!(end["operator"]["userid"], "userA");
    // Order per meeting: operate_time never goes back, trace ids all differ.
    let traces: std::collections::BTreeSet<_> =
        evs.iter().map(|e| e["trace_id"].to_string()).collect();
    assert_eq!(traces.len(), evs.len());
}

#[tokio::test]
async fn started_can_follow_joined_when_the_subscription_says_so() {
    let app = frozen().await;
    let rx = receiver(None).await;
    subscribe(&app, &rx.url, None, json!({"started_before_joined": false})).await;
    meeting(&app, SCHEDULED, "start", json!({})).await;
    settled(&app).await;
    assert_eq!(
        names(&posted(&rx.got(), None)),
        ["meeting.participant-joined", "meeting.started"]
    );
}

#[tokio::test]
async fn modify_and_cancel_fire_updated_and_canceled_and_invitees_fire_nothing_by_default() {
    let app = frozen().await;
    let rx = receiver(None).await;
    let id = create(&app, "Weekly sync").await;
    subscribe(&app, &rx.url, None, json!({})).await;
    assert_eq!(
        set(&app, &id, "userA", &["userB", "userC"]).await.status,
        200
    );
    let r = call(
        &app,
        Method::PUT,
        &format!("/v1/meetings/{id}"),
        json!({"userid": "userA", "instanceid": 1, "subject": "Weekly sync (moved)"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = call(
        &app,
        Method::POST,
        &format!("/v1/meetings/{id}/cancel"),
        json!({"userid": "userA", "instanceid": 1, "reason_code": 1}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    settled(&app).await;
    let evs = posted(&rx.got(), None);
    assert_eq!(names(&evs), ["meeting.updated", "meeting.canceled"]);
    assert_eq!(
        evs[0]["payload"][0]["meeting_info"]["subject"],
        "Weekly sync (moved)"
    );
}

#[tokio::test]
async fn setting_invitees_fires_updated_when_the_subscription_asks_for_it() {
    let app = frozen().await;
    let rx = receiver(None).await;
    let id = create(&app, "Weekly sync").await;
    subscribe(&app, &rx.url, None, json!({"invitees_fire_updated": true})).await;
    assert_eq!(set(&app, &id, "userA", &["userB"]).await.status, 200);
    settled(&app).await;
    let evs = posted(&rx.got(), None);
    assert_eq!(names(&evs), ["meeting.updated"]);
    assert_eq!(evs[0]["payload"][0]["meeting_info"]["meeting_id"], id);
}

#[tokio::test]
async fn an_arrival_held_in_the_waiting_room_fires_joined_waiting_room_and_admission_joined() {
    let app = frozen().await;
    let rx = receiver(None).await;
    subscribe(&app, &rx.url, None, json!({})).await;
    let r = call(
        &app,
        Method::PUT,
        &format!("/v1/real-control/meetings/{RUNNING}/status"),
        json!({"instanceid": 1, "operator_id": "userA", "operator_id_type": 1, "auto_waiting_room": true}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    meeting(&app, RUNNING, "join", json!({"user": "userD"})).await;
    let ms_open_id = settled(&app).await.last().unwrap()["payload"]["payload"][0]["operator"]
        ["ms_open_id"]
        .clone();
    let r = call(
        &app,
        Method::PUT,
        &format!("/v1/real-control/meetings/{RUNNING}/waiting-room"),
        json!({"instanceid": 1, "operator_id": "userA", "operator_id_type": 1,
               "operate_type": 1,
               "users": [{"to_operator_id": ms_open_id, "to_operator_id_type": 4, "instanceid": 1}]}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    settled(&app).await;
    let evs = posted(&rx.got(), None);
    assert_eq!(
        names(&evs),
        [
            "meeting.participant-joined-waiting-room",
            "meeting.participant-joined"
        ]
    );
    let waiting = &evs[0]["payload"][0];
    assert_eq!(waiting["operator"]["userid"], "userD");
    assert_eq!(waiting["operator"]["nick_name"], "Dave");
    assert_eq!(waiting["meeting_info"]["creator"]["nick_name"], "Alice");
    assert_eq!(
        evs[1]["payload"][0]["operator"]["ms_open_id"], ms_open_id,
        "the admitted keep their in-meeting id"
    );
}

fn statuses(evs: &[Value]) -> Vec<String> {
    evs.iter()
        .map(|e| match e["payload"][0]["status"].as_str() {
            Some(s) => s.to_string(),
            None => e["event"].as_str().unwrap().to_string(),
        })
        .collect()
}

#[tokio::test]
async fn a_phone_invitee_called_on_the_clock_reports_each_call_status() {
    let app = frozen().await;
    let rx = receiver(None).await;
    subscribe(&app, &rx.url, None, json!({})).await;
    let declare = |n: &str, outcome: &str| {
        let mut d = json!({"vendor": "tencent", "tenant": crate::tencent::APP, "number": n,
                           "alert": 500, "ring": 2000, "outcome": outcome});
        if outcome == "accept" {
            d["stay"] = json!(10000);
        }
        d
    };
    let r = app
        .admin_try(
            Method::PUT,
            "/behaviours",
            json!({"behaviours": [
                declare("+8613800000001", "accept"),
                declare("+8613800000002", "decline"),
                declare("+8613800000003", "manual"),
            ]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    for n in ["+8613800000001", "+8613800000002", "+8613800000003"] {
        meeting(
            &app,
            RUNNING,
            "call",
            json!({"number": n, "name": format!("Phone {n}")}),
        )
        .await;
    }
    app.advance_secs(3.0).await;
    // The third waits for a manual answer: the host hangs up on it instead.
    meeting(&app, RUNNING, "leave", json!({"user": "+8613800000003"})).await;
    app.advance_secs(10.0).await;
    settled(&app).await;
    let evs = posted(&rx.got(), None);
    let of = |n: &str| -> Vec<Value> {
        evs.iter()
            .filter(|e| {
                let op = &e["payload"][0]["operator"];
                op["pstn_number"] == n
            })
            .cloned()
            .collect()
    };
    let a = of("+8613800000001");
    assert_eq!(
        statuses(&a),
        [
            "START_INVITE",
            "START_ACCEPT",
            "meeting.participant-joined",
            "LEAVE_WITH_ACCEPTED",
            "meeting.participant-left"
        ]
    );
    assert_eq!(
        statuses(&of("+8613800000002")),
        ["START_INVITE", "LEAVE_WITHOUT_ACCEPT"]
    );
    assert_eq!(
        statuses(&of("+8613800000003")),
        ["START_INVITE", "CANCLE_INVITE"]
    );
    let st = &a[0]["payload"][0];
    assert_eq!(st["operator"]["userid"], "");
    assert_eq!(st["operator"]["user_name"], "Phone +8613800000001");
    assert!(st["meeting_info"].get("creator").is_none(), "{st}");
    // Called on the clock: the invite at T0, the answer 2.5 s later.
    assert_eq!(st["operate_time"], json!(T0));
    assert_eq!(a[1]["payload"][0]["operate_time"], json!(T0 + 2500));
}
