//! The rest of the Feishu VC catalogue (notes §1): recording started / ended (the recording
//! API, and the end of the meeting), recording_ready when `recording.get` has the file (the
//! end + 60 s on the server clock) with the same url and duration, share started / ended (the
//! admin trigger; leaving ends a share), participant_meeting_ended naming who took part, and
//! `user_id` only with the employee-id scope.

use crate::common::TestApp;
use crate::events_common::{subscribe, Answer, Receiver, APP, HOST, LIVE};
use crate::feishu::{call, tenant_token, user_token};
use reqwest::Method;
use serde_json::{json, Value};

fn types(got: &[crate::events_common::Got]) -> Vec<String> {
    got.iter()
        .map(|g| {
            g.event(None)["header"]["event_type"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

async fn recording(app: &TestApp, token: &str, action: &str) {
    let r = call(
        app,
        Method::PATCH,
        &format!("/open-apis/vc/v1/meetings/{LIVE}/recording/{action}"),
        token,
        Some(json!({})),
    )
    .await;
    assert_eq!(r.json()["code"], 0, "{}", r.text);
}

#[tokio::test]
async fn recording_fires_started_ended_and_ready_once_the_file_is_processed() {
    let app = TestApp::spawn().await;
    app.freeze().await;
    let rx = Receiver::start(Answer::Ok).await;
    subscribe(&app, &rx.url, None, json!({})).await;
    let u = user_token(&app, HOST).await;
    recording(&app, &u, "start").await;
    app.advance_secs(30.0).await;
    recording(&app, &u, "stop").await;
    recording(&app, &u, "start").await;
    app.advance_secs(10.0).await;
    // The end stops the recorder: recording_ended before the leaves and meeting_ended.
    app.admin_post(
        &format!("/meetings/{LIVE}/end"),
        json!({"vendor": "feishu"}),
    )
    .await;
    let got = rx.wait_for(8).await;
    assert_eq!(
        types(&got),
        [
            "vc.meeting.recording_started_v1",
            "vc.meeting.recording_ended_v1",
            "vc.meeting.recording_started_v1",
            "vc.meeting.recording_ended_v1",
            "vc.meeting.leave_meeting_v1",
            "vc.meeting.meeting_ended_v1",
            "vc.meeting.all_meeting_ended_v1",
            "vc.meeting.participant_meeting_ended_v1",
        ]
    );
    let started = got[0].event(None);
    assert_eq!(started["event"]["operator"]["id"]["open_id"], HOST);
    assert_eq!(started["event"]["meeting"]["id"], LIVE);
    // recording_ready waits for the file: due when `recording.get` answers it.
    let ready = &app
        .admin_get("/events?type=vc.meeting.recording_ready_v1")
        .await
        .json()["events"][0];
    assert_eq!(ready["status"], "pending");
    assert!(ready["attempts"].as_array().unwrap().is_empty());
    app.advance_secs(60.0).await;
    let got = rx.wait_for(9).await;
    let ev = got[8].event(None);
    assert_eq!(ev["header"]["event_type"], "vc.meeting.recording_ready_v1");
    let t = tenant_token(&app).await;
    let rec = call(
        &app,
        Method::GET,
        &format!("/open-apis/vc/v1/meetings/{LIVE}/recording"),
        &t,
        None,
    )
    .await;
    let file = &rec.json()["data"]["recording"];
    assert_eq!(ev["event"]["url"], file["url"]);
    assert_eq!(ev["event"]["duration"], "40000");
    assert_eq!(ev["event"]["duration"], file["duration"]);
    assert_eq!(
        ev["event"]["meeting"],
        json!({"id": LIVE, "topic": "Demo standup", "meeting_no": "112000358", "meeting_source": 4,
               "owner": {"id": {"open_id": HOST, "union_id": "on_host_0001", "user_id": "host0001"}}})
    );
}

#[tokio::test]
async fn a_share_fires_started_then_ended_when_the_sharer_stops_or_leaves() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start(Answer::Ok).await;
    subscribe(
        &app,
        &rx.url,
        None,
        json!({"types": ["vc.meeting.share_started_v1", "vc.meeting.share_ended_v1"]}),
    )
    .await;
    let act = |action: &'static str, user: Option<&'static str>| {
        let app = &app;
        async move {
            let mut b = json!({"vendor": "feishu"});
            if let Some(u) = user {
                b["user"] = json!(u);
            }
            app.admin_try(Method::POST, &format!("/meetings/{LIVE}/{action}"), b)
                .await
        }
    };
    assert_eq!(
        act("share", Some("ou_guest_0005")).await.status,
        409,
        "not in the meeting"
    );
    assert_eq!(act("share", Some(HOST)).await.status, 200);
    assert_eq!(
        act("share", Some(HOST)).await.status,
        409,
        "one share at a time"
    );
    assert_eq!(act("unshare", None).await.status, 200);
    assert_eq!(act("unshare", None).await.status, 409);
    act("join", Some("ou_guest_0005")).await;
    act("share", Some("ou_guest_0005")).await;
    act("leave", Some("ou_guest_0005")).await;
    let got = rx.wait_for(4).await;
    assert_eq!(
        types(&got),
        [
            "vc.meeting.share_started_v1",
            "vc.meeting.share_ended_v1",
            "vc.meeting.share_started_v1",
            "vc.meeting.share_ended_v1"
        ]
    );
    let op = |i: usize| got[i].event(None)["event"]["operator"]["id"]["open_id"].clone();
    assert_eq!(
        (op(0), op(2), op(3)),
        (json!(HOST), json!("ou_guest_0005"), json!("ou_guest_0005"))
    );
}

#[tokio::test]
async fn events_carry_user_id_only_with_the_employee_id_scope() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start(Answer::Ok).await;
    subscribe(
        &app,
        &rx.url,
        None,
        json!({"types": ["vc.meeting.join_meeting_v1"]}),
    )
    .await;
    let join = |user: &'static str| {
        let app = &app;
        async move {
            app.admin_post(
                &format!("/meetings/{LIVE}/join"),
                json!({"vendor": "feishu", "user": user}),
            )
            .await
        }
    };
    join("ou_guest_0002").await;
    app.admin_post(
        "/vendors/feishu/app",
        json!({"app_id": APP, "scopes": ["vc:meeting:readonly"]}),
    )
    .await;
    join("ou_guest_0003").await;
    let got = rx.wait_for(2).await;
    let id = |i: usize| got[i].event(None)["event"]["operator"]["id"].clone();
    assert_eq!(
        id(0),
        json!({"open_id": "ou_guest_0002", "union_id": "on_guest_0002", "user_id": "guest0002"})
    );
    assert_eq!(
        id(1),
        json!({"open_id": "ou_guest_0003", "union_id": "on_guest_0003"})
    );
    let _: Option<Value> = None;
}
