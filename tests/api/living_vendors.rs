//! The living invite in each vendor's own read API: invitees ring, then accept, decline, never
//! answer, are busy, or leave after a stay — driven by advancing a frozen server clock (no
//! sleeping), observed through Feishu participant status 1/3/2/4, DingTalk attendStatus,
//! Huawei ShowRealTimeInfoOfMeeting / ListOnlineConfAttendee and Tencent's real-time
//! participants, and as changes.

use crate::common::TestApp;
use crate::{dingtalk as dt, feishu as fs, huawei as hw, tencent as tc};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Declares behaviours through the admin API.
pub(crate) async fn declare(app: &TestApp, list: Value) {
    let r = app
        .send_json(
            Method::PUT,
            "/__admin/behaviours",
            &[],
            &json!({ "behaviours": list }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

/// The change types about `user` since the start, in order.
pub(crate) async fn changes_of(app: &TestApp, meeting: &str, user: &str) -> Vec<String> {
    let v = app
        .admin_get(&format!("/changes?meeting={meeting}&limit=1000"))
        .await
        .json();
    v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["participant"]["user_id"] == user)
        .map(|c| c["type"].as_str().unwrap().to_string())
        .collect()
}

async fn feishu_status(app: &TestApp, tok: &str, user: &str) -> (i64, String) {
    let m = fs::call(
        app,
        Method::GET,
        &format!(
            "/open-apis/vc/v1/meetings/{}?with_participants=true",
            fs::LIVE
        ),
        tok,
        None,
    )
    .await
    .json();
    let p = m["data"]["meeting"]["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == user)
        .unwrap_or_else(|| panic!("{user} not listed: {m}"))
        .clone();
    (
        p["status"].as_i64().unwrap(),
        p["final_leave_time"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn a_feishu_invitee_goes_calling_ringing_joined_then_leaves_after_the_stay() {
    let app = TestApp::spawn().await;
    app.freeze().await;
    declare(
        &app,
        json!([{"vendor": "feishu", "tenant": fs::APP, "user": "ou_guest_0001",
                "alert": 1000, "ring": 2000, "outcome": "accept", "stay": 60000}]),
    )
    .await;
    let u = fs::user_token(&app, fs::HOST).await;
    let t = fs::tenant_token(&app).await;
    assert_eq!(
        fs::invite(&app, &u, fs::LIVE, &["ou_guest_0001"])
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(feishu_status(&app, &t, "ou_guest_0001").await.0, 1);
    app.advance_secs(1.0).await;
    assert_eq!(feishu_status(&app, &t, "ou_guest_0001").await.0, 3);
    app.advance_secs(2.0).await;
    assert_eq!(
        feishu_status(&app, &t, "ou_guest_0001").await,
        (2, "0".into())
    );
    app.advance_secs(60.0).await;
    let (status, left) = feishu_status(&app, &t, "ou_guest_0001").await;
    assert_eq!(status, 4);
    assert_ne!(left, "0");
    assert_eq!(
        changes_of(&app, fs::LIVE, "ou_guest_0001").await,
        [
            "participant_called",
            "participant_ringing",
            "participant_joined",
            "participant_left"
        ]
    );
}

#[tokio::test]
async fn feishu_invitees_that_decline_never_answer_or_are_busy_read_as_status_4() {
    let app = TestApp::spawn().await;
    app.freeze().await;
    let b = |user: &str, outcome: &str| json!({"vendor": "feishu", "tenant": fs::APP, "user": user, "ring": 2000, "outcome": outcome});
    declare(
        &app,
        json!([
            b("ou_guest_0002", "decline"),
            b("ou_guest_0003", "no_answer"),
            b("ou_guest_0004", "busy")
        ]),
    )
    .await;
    let u = fs::user_token(&app, fs::HOST).await;
    let t = fs::tenant_token(&app).await;
    let r = fs::invite(
        &app,
        &u,
        fs::LIVE,
        &["ou_guest_0002", "ou_guest_0003", "ou_guest_0004"],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    app.advance_secs(3.0).await;
    assert_eq!(feishu_status(&app, &t, "ou_guest_0002").await.0, 4);
    assert_eq!(
        feishu_status(&app, &t, "ou_guest_0003").await.0,
        3,
        "rings on"
    );
    assert_eq!(feishu_status(&app, &t, "ou_guest_0004").await.0, 4);
    app.advance_secs(57.0).await;
    assert_eq!(feishu_status(&app, &t, "ou_guest_0003").await.0, 4);
    for (user, last) in [
        ("ou_guest_0002", "participant_declined"),
        ("ou_guest_0003", "participant_missed"),
        ("ou_guest_0004", "participant_busy"),
    ] {
        assert_eq!(changes_of(&app, fs::LIVE, user).await.last().unwrap(), last);
    }
}

#[tokio::test]
async fn a_feishu_pstn_invitee_follows_the_declaration_of_its_number() {
    let app = TestApp::spawn().await;
    app.freeze().await;
    declare(
        &app,
        json!([{"vendor": "feishu", "tenant": fs::APP, "number": "+8613900000001",
                "alert": 800, "ring": 4000, "outcome": "accept"}]),
    )
    .await;
    let u = fs::user_token(&app, fs::HOST).await;
    let t = fs::tenant_token(&app).await;
    let r = fs::call(
        &app,
        Method::PATCH,
        &format!("/open-apis/vc/v1/meetings/{}/invite", fs::LIVE),
        &u,
        Some(json!({"invitees": [{"id": "+8613900000001", "user_type": 6}]})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(feishu_status(&app, &t, "+8613900000001").await.0, 1);
    app.advance_secs(1.0).await;
    assert_eq!(feishu_status(&app, &t, "+8613900000001").await.0, 3);
    app.advance_secs(4.0).await;
    assert_eq!(feishu_status(&app, &t, "+8613900000001").await.0, 2);
}

async fn attend(app: &TestApp, tok: &str, conf: &str, who: &str) -> i64 {
    let list = dt::members(app, tok, conf).await;
    let m = match dt::member(&list, who) {
        Some(m) => m,
        None => list
            .iter()
            .find(|m| m["pstnJoin"] == true)
            .unwrap_or_else(|| panic!("{who}: {list:?}")),
    };
    m["attendStatus"].as_i64().unwrap()
}

#[tokio::test]
async fn the_demo_dingtalk_invitees_accept_decline_ring_out_or_are_busy_as_attend_status() {
    let app = TestApp::spawn().await;
    app.freeze().await;
    app.admin_post(
        "/users/union-carol-0003/busy",
        json!({"vendor": "dingtalk"}),
    )
    .await;
    let tok = dt::token(&app).await;
    let conf = dt::new_conf(&app, &tok).await;
    let r = dt::invite(
        &app,
        &tok,
        &conf,
        json!({"inviteeList": [{"unionId": dt::ALICE, "nick": "Alice"}, {"unionId": dt::BOB, "nick": "Bob"},
                               {"unionId": "union-carol-0003", "nick": "Carol"}],
               "phoneInviteeList": [{"phoneNumber": "13900000000", "nick": "Away"}]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    for who in [dt::ALICE, dt::BOB, "union-carol-0003", "phone"] {
        assert_eq!(attend(&app, &tok, &conf, who).await, 2, "{who} calling");
    }
    app.advance_secs(30.0).await;
    assert_eq!(attend(&app, &tok, &conf, dt::ALICE).await, 3, "accepted");
    assert_eq!(attend(&app, &tok, &conf, dt::BOB).await, 4, "declined");
    assert_eq!(
        attend(&app, &tok, &conf, "union-carol-0003").await,
        4,
        "busy"
    );
    assert_eq!(attend(&app, &tok, &conf, "phone").await, 2, "still ringing");
    app.advance_secs(30.0).await;
    assert_eq!(attend(&app, &tok, &conf, "phone").await, 4, "rang out");
    assert_eq!(
        changes_of(&app, &conf, "union-carol-0003").await,
        ["participant_called", "participant_busy"]
    );
}

#[tokio::test]
async fn a_dingtalk_invitee_with_a_stay_leaves_and_reads_as_left() {
    let app = TestApp::spawn().await;
    app.freeze().await;
    declare(
        &app,
        json!([{"vendor": "dingtalk", "tenant": dt::KEY, "user": dt::ALICE,
                "ring": 1000, "outcome": "accept", "stay": {"min_ms": 5000, "max_ms": 9000}}]),
    )
    .await;
    let tok = dt::token(&app).await;
    let conf = dt::new_conf(&app, &tok).await;
    dt::invite(
        &app,
        &tok,
        &conf,
        json!({"inviteeList": [{"unionId": dt::ALICE, "nick": "Alice"}]}),
    )
    .await;
    app.advance_secs(1.0).await;
    assert_eq!(attend(&app, &tok, &conf, dt::ALICE).await, 3);
    app.advance_secs(9.0).await;
    assert_eq!(attend(&app, &tok, &conf, dt::ALICE).await, 6);
}

fn huawei_states(v: &Value) -> Vec<(String, i64)> {
    let mut out: Vec<(String, i64)> = v["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["phone"].as_str().unwrap().to_string(),
                p["state"].as_i64().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

async fn real_time(h: &hw::Hw, at: &str, ct: &str) -> Vec<(String, i64)> {
    let r = h
        .ctl(Method::GET, "realTimeInfo", hw::RUNNING, ct, at, "")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    huawei_states(&r.json())
}

#[tokio::test]
async fn huawei_invitees_are_called_then_answer_as_the_demo_declares_in_real_time_info() {
    let h = hw::Hw::new(false).await;
    h.app.freeze().await;
    let (at, ct) = h.running().await;
    let numbers = ["+8613800000001", "+8613800000008", "+8613800000009"];
    let body = json!({"attendees": numbers.iter().map(|n| json!({"name": n, "phone": n})).collect::<Vec<_>>()});
    let r = h.invite(hw::RUNNING, &ct, &at, &body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // The host joined without a number: listed under its account.
    let host = "demo@hwcorp".to_string();
    let called: Vec<(String, i64)> = numbers.iter().map(|n| (n.to_string(), 1)).collect();
    assert_eq!(
        real_time(&h, &at, &ct).await,
        [called, vec![(host.clone(), 0)]].concat()
    );
    assert_eq!(h.online(&at, hw::RUNNING).await["count"], 4);
    h.app.advance_secs(30.0).await;
    assert_eq!(
        real_time(&h, &at, &ct).await,
        [
            ("+8613800000001".into(), 0),
            ("+8613800000008".into(), 1),
            (host.clone(), 0)
        ],
        "accepted in, declined gone, the unanswered one still calling"
    );
    h.app.advance_secs(30.0).await;
    assert_eq!(
        real_time(&h, &at, &ct).await,
        [("+8613800000001".into(), 0), (host, 0)]
    );
    assert_eq!(h.online(&at, hw::RUNNING).await["count"], 2);
}

#[tokio::test]
async fn a_busy_huawei_account_answers_busy_when_its_number_is_called() {
    let h = hw::Hw::new(false).await;
    h.app.freeze().await;
    h.app
        .admin_post("/users/alice@hwcorp/busy", json!({"vendor": "huawei"}))
        .await;
    let (at, ct) = h.running().await;
    let body = json!({"attendees": [{"name": "Alice", "phone": "+8613800000001"}]});
    h.invite(hw::RUNNING, &ct, &at, &body).await;
    h.app.advance_secs(5.0).await;
    assert_eq!(
        changes_of(&h.app, hw::RUNNING, "+8613800000001").await,
        ["participant_called", "participant_busy"]
    );
    assert_eq!(
        h.online(&at, hw::RUNNING).await["count"],
        1,
        "only the host"
    );
}

async fn tencent_live(app: &TestApp) -> Vec<String> {
    let r = tc::call(
        app,
        Method::GET,
        &format!(
            "/v1/meetings/{}/real-time-participants?operator_id=userA&operator_id_type=1&page=1&page_size=20",
            tc::RUNNING
        ),
        Value::Null,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let mut ids: Vec<String> = r.json()["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["userid"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn a_tencent_callee_joins_the_real_time_participants_and_leaves_after_the_stay() {
    let app = TestApp::spawn().await;
    app.freeze().await;
    declare(
        &app,
        json!([{"vendor": "tencent", "tenant": tc::APP, "user": "userC", "ring": 2000,
                "outcome": "accept", "stay": 20000}]),
    )
    .await;
    let call = |user: &str| json!({"vendor": "tencent", "user": user});
    app.admin_post(&format!("/meetings/{}/call", tc::RUNNING), call("userC"))
        .await;
    app.admin_post(&format!("/meetings/{}/call", tc::RUNNING), call("userD"))
        .await;
    assert_eq!(tencent_live(&app).await, ["userA", "userB"]);
    app.advance_secs(5.0).await;
    assert_eq!(tencent_live(&app).await, ["userA", "userB", "userC"]);
    assert_eq!(
        changes_of(&app, tc::RUNNING, "userD").await.last().unwrap(),
        "participant_declined",
        "the demo's Dave declines"
    );
    app.advance_secs(20.0).await;
    assert_eq!(tencent_live(&app).await, ["userA", "userB"]);
}
