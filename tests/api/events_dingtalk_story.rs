//! A conference's life as DingTalk events: create, invite, the living invite answering on the
//! clock, kick, close — the target-push pair in `statusSeqNum` order, the member times as
//! QueryConferenceMembers shows them; the org-wide pair on request; the `status` enum switch.

use super::rx::*;
use crate::common::TestApp;
use crate::dingtalk::{self as dt, call, conf, create, invite, token};
use crate::events_common::{events, Receiver};
use reqwest::Method;
use serde_json::{json, Value};

/// Create (organiser and Alice called) → invite Bob and a phone → the living invite answers on
/// the clock (Bob declines) → kick Alice → close.
async fn conference_story(app: &TestApp) -> String {
    app.freeze().await;
    let t = token(app).await;
    let id = create(
        app,
        &t,
        json!({"userId": dt::HOST, "confTitle": "事件 Events", "inviteUserIds": [dt::ALICE]}),
    )
    .await;
    let r = invite(
        app,
        &t,
        &id,
        json!({"unionId": dt::HOST,
        "inviteeList": [{"unionId": dt::BOB, "nick": "Bob"}],
        "phoneInviteeList": [{"phoneNumber": "13800000000", "nick": "Phone Guest"}]}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    app.advance_secs(30.0).await;
    let r = call(
        app,
        &t,
        Method::POST,
        &conf(&id, "/members/kick"),
        json!({"userList": [{"unionId": dt::ALICE}]}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .send(
            Method::DELETE,
            &format!("{}?unionId={}", conf(&id, ""), dt::HOST),
            &[(dt::TOKEN_HEADER, t.as_str())],
            "",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    id
}

#[tokio::test]
async fn a_conference_story_arrives_as_target_push_events_in_status_seq_order() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start(responder(Style::Python, dt::KEY)).await;
    subscribe(&app, &rx.url, json!({"verify": false})).await;
    let id = conference_story(&app).await;
    let ev = events_of(&rx.wait_for(12).await);
    let s = scenes(&ev);
    let m = |scene: &str| (MEMBER_TARGET.to_string(), scene.to_string());
    assert_eq!(
        s[0],
        (STATUS_TARGET.to_string(), "conference_created".to_string())
    );
    assert_eq!(
        s[1..5],
        [
            m("user_invited"),
            m("user_invited"),
            m("user_invited"),
            m("user_invited")
        ]
    );
    assert_eq!(
        s[5..8],
        [m("user_join"), m("user_join"), m("user_join")],
        "Bob declined: nothing"
    );
    assert_eq!(s[8], m("user_kicked"));
    assert_eq!(
        s[9..],
        [
            m("user_leave"),
            m("user_leave"),
            (STATUS_TARGET.into(), "conference_closed".into())
        ]
    );
    let seqs: Vec<i64> = ev
        .iter()
        .map(|e| e["statusSeqNum"].as_i64().unwrap())
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "rising: {seqs:?}");
    let ids: std::collections::HashSet<_> = ev.iter().map(|e| e["eventId"].clone()).collect();
    assert_eq!(ids.len(), 12, "one eventId per event");
    for e in &ev {
        assert_eq!(e["CorpId"], "dingmockcorp0001");
        assert!(e["EventTime"].as_i64().unwrap() > 1_600_000_000_000, "ms");
        assert_eq!(e["BizId"].as_str().unwrap().len(), 32);
    }
    let created = &ev[0]["openConfModel"];
    assert_eq!(created["conferenceId"], id.as_str());
    assert_eq!(created["title"], "事件 Events");
    assert_eq!(created["status"], 1, "the examples' enum: created 1");
    assert_eq!(
        created["bizType"], 0,
        "an integer in the target-push schema"
    );
    assert_eq!(created["creatorId"], dt::HOST);
    assert_eq!(created["creatorNick"], "主持人");
    assert_eq!(created["roomCode"].as_str().unwrap().len(), 9);
    let invited: Vec<&Value> = ev[1..5].iter().map(|e| &e["openMemberModels"][0]).collect();
    let phone = invited
        .iter()
        .find(|m| m["pstnJoin"] == true)
        .expect("the phone invitee");
    assert_eq!(
        (phone["userId"].as_str(), phone["userNick"].as_str()),
        (Some(""), Some("Phone Guest"))
    );
    assert!(invited
        .iter()
        .all(|m| m["attendStatus"] == 2 && m["joinTime"] == 0));
    let kicked = &ev[8]["openMemberModels"][0];
    assert_eq!(
        (kicked["userId"].as_str(), kicked["attendStatus"].as_i64()),
        (Some(dt::ALICE), Some(5))
    );
    assert_eq!(
        kicked["duration"].as_i64().unwrap(),
        kicked["leaveTime"].as_i64().unwrap() - kicked["joinTime"].as_i64().unwrap()
    );
    let host_leave = ev[9..11]
        .iter()
        .map(|e| &e["openMemberModels"][0])
        .find(|m| m["userId"] == dt::HOST)
        .unwrap();
    assert_eq!(
        (
            host_leave["attendStatus"].as_i64(),
            host_leave["host"].as_bool()
        ),
        (Some(6), Some(true))
    );
    let closed = &ev[11]["openConfModel"];
    assert_eq!(closed["status"], 2);
    assert!(closed["endTime"].as_i64().unwrap() >= closed["startTime"].as_i64().unwrap());
    assert_eq!(
        (
            closed["activeNum"].as_i64(),
            closed["attendNum"].as_i64(),
            closed["invitedNum"].as_i64()
        ),
        (Some(0), Some(3), Some(3))
    );
    // The member times are those QueryConferenceMembers shows.
    let t = token(&app).await;
    let alice = dt::members(&app, &t, &id)
        .await
        .into_iter()
        .find(|m| m["unionId"] == dt::ALICE)
        .unwrap();
    assert_eq!(alice["joinTime"], kicked["joinTime"]);
    assert_eq!(alice["attendStatus"], 5);
    let d = events(&app, "vendor=dingtalk&status=delivered").await;
    assert_eq!(d.len(), 12);
    assert!(d.iter().all(|x| x["attempts"][0]["ok"] == true));
}

#[tokio::test]
async fn the_org_wide_pair_is_delivered_only_when_named_with_a_string_biz_type() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start(responder(Style::Java, dt::KEY)).await;
    let types = json!(["meeting_status_change", "meeting_status_change_target_push"]);
    subscribe(&app, &rx.url, json!({"verify": false, "types": types})).await;
    let t = token(&app).await;
    app.freeze().await;
    dt::new_conf(&app, &t).await;
    let ev = events_of(&rx.wait_for(2).await);
    assert_eq!(
        scenes(&ev),
        [
            ("meeting_status_change".into(), "conference_created".into()),
            (STATUS_TARGET.into(), "conference_created".into())
        ]
    );
    assert_eq!(ev[0]["openConfModel"]["bizType"], "0");
    assert!(
        ev[0]["openConfModel"].get("roomCode").is_none(),
        "target-push only"
    );
    assert_eq!(
        ev[0]["statusSeqNum"], ev[1]["statusSeqNum"],
        "one change, one number"
    );
    assert_ne!(ev[0]["eventId"], ev[1]["eventId"]);
}

#[tokio::test]
async fn the_status_enum_follows_the_field_text_when_the_tenant_says_so() {
    let yaml = "tenants:\n  - vendor: dingtalk\n    id: dingenumapp\n    secret: s\n    \
                extra: {event_status_enum: field_text}\n    users: [{id: u1, name: U}]\n";
    let app = TestApp::spawn_with(yaml).await;
    let rx = Receiver::start(responder(Style::Java, "dingenumapp")).await;
    let r = app
        .admin_try(
            Method::POST,
            "/subscriptions",
            json!({"vendor": "dingtalk", "tenant": "dingenumapp",
        "url": rx.url, "token": TOKEN, "aes_key": AES, "verify": false}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let t = dt::token_of(&app, "dingenumapp", "s").await.json()["accessToken"]
        .as_str()
        .unwrap()
        .to_string();
    let id = create(
        &app,
        &t,
        json!({"userId": "u1", "confTitle": "x", "inviteCaller": false}),
    )
    .await;
    let r = app
        .send(
            Method::DELETE,
            &format!("{}?unionId=u1", conf(&id, "")),
            &[(dt::TOKEN_HEADER, t.as_str())],
            "",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let ev: Vec<Value> = rx
        .wait_for(2)
        .await
        .iter()
        .map(|g| event(g, AES, "dingenumapp"))
        .collect();
    assert_eq!(ev[0]["openConfModel"]["status"], 2, "field text: 2 started");
    assert_eq!(ev[1]["openConfModel"]["status"], 1, "field text: 1 ended");
    assert!(
        ev[0]["CorpId"].as_str().unwrap().starts_with("ding"),
        "derived corpId: {}",
        ev[0]["CorpId"]
    );
}
