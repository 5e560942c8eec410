//! Tencent in-meeting control around the invite flow: the waiting room (held arrivals, admit,
//! send back, remove and bar, records), mutes and names, read back through the real-time
//! participants answer.

use crate::common::TestApp;
use crate::tencent::*;
use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

async fn join(app: &TestApp, id: &str, user: &str) -> crate::common::Resp {
    app.admin_try(
        Method::POST,
        &format!("/meetings/{id}/join"),
        json!({"vendor": "tencent", "user": user}),
    )
    .await
}

async fn waiting(app: &TestApp, id: &str, who: &str) -> Value {
    let r = call(
        app,
        Method::GET,
        &format!("/v1/meetings/{id}/waiting-room-participants?userid={who}&page=1&page_size=10"),
        Value::Null,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()
}

async fn live(app: &TestApp, id: &str) -> Value {
    let r = call(
        app,
        Method::GET,
        &format!("/v1/meetings/{id}/real-time-participants?operator_id=userA&operator_id_type=1&page=1&page_size=20"),
        Value::Null,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()
}

fn person<'a>(v: &'a Value, user: &str) -> Option<&'a Value> {
    v["participants"]
        .as_array()?
        .iter()
        .find(|p| p["userid"] == user)
}

async fn room(
    app: &TestApp,
    id: &str,
    op: &str,
    kind: i64,
    ids: &[&str],
    extra: Value,
) -> crate::common::Resp {
    let users: Vec<Value> = ids
        .iter()
        .map(|u| json!({"to_operator_id": u, "to_operator_id_type": 4, "instanceid": 1}))
        .collect();
    let mut body = json!({"operator_id": op, "operator_id_type": 1, "instanceid": 1,
        "operate_type": kind, "users": users});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    call(
        app,
        Method::PUT,
        &format!("/v1/real-control/meetings/{id}/waiting-room"),
        body,
    )
    .await
}

#[tokio::test]
async fn a_meeting_created_with_its_waiting_room_holds_joiners_until_admitted() {
    let app = TestApp::spawn().await;
    let r = call(
        &app,
        Method::POST,
        "/v1/meetings",
        json!({"userid": "userA", "instanceid": 1,
        "subject": "等候室", "type": 1, "settings": {"auto_in_waiting_room": true}}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let info = &r.json()["meeting_info_list"][0];
    assert_eq!(info["settings"]["auto_in_waiting_room"], true, "{info}");
    let id = info["meeting_id"].as_str().unwrap().to_string();
    assert_eq!(join(&app, &id, "userB").await.status, StatusCode::OK);
    let w = waiting(&app, &id, "userA").await;
    assert_eq!(w["total_count"], 1, "{w}");
    let held = person(&w, "userB").unwrap().clone();
    assert_eq!(held["user_name"], b64("Bob"));
    let ms = held["ms_open_id"].as_str().unwrap().to_string();
    assert_eq!(ms.len(), 32, "{held}");
    assert_eq!(live(&app, &id).await["total_count"], 0, "held outside");
    assert_eq!(join(&app, &id, "userA").await.status, StatusCode::OK);
    assert!(
        person(&live(&app, &id).await, "userA").is_some(),
        "the host walks in"
    );
    let r = room(&app, &id, "userA", 1, &[&ms], json!({})).await;
    assert_eq!(r.text, "{}");
    assert_eq!(waiting(&app, &id, "userA").await["total_count"], 0);
    let v = live(&app, &id).await;
    assert_eq!(
        person(&v, "userB").unwrap()["ms_open_id"],
        ms.as_str(),
        "{v}"
    );
    let r = call(
        &app,
        Method::GET,
        &format!("/v1/meeting/{id}/waiting-room?operator_id=userA&operator_id_type=1&page=1&page_size=20"),
        Value::Null,
    )
    .await;
    let rec = &r.json()["participants"][0];
    assert_eq!(rec["userid"], "userB", "{}", r.text);
    assert_eq!(rec["instanceid"], "1");
    assert!(rec["left_time"].as_i64().unwrap() >= rec["join_time"].as_i64().unwrap());
    assert_eq!(rec["join_time"].as_i64().unwrap() % 1000, 0, "milliseconds");
}

#[tokio::test]
async fn the_host_sends_someone_back_then_removes_them_for_good() {
    let app = TestApp::spawn().await;
    let status = call(&app, Method::PUT, &format!("/v1/real-control/meetings/{RUNNING}/status"),
        json!({"instanceid": 1, "operator_id": "userA", "operator_id_type": 1, "auto_waiting_room": true}))
    .await;
    assert_eq!(status.text, "{}");
    assert_eq!(state_of(&app, RUNNING).await["extra"]["waiting_room"], true);
    assert_eq!(
        room(&app, RUNNING, "userA", 2, &["userB"], json!({}))
            .await
            .text,
        "{}"
    );
    assert!(person(&live(&app, RUNNING).await, "userB").is_none());
    assert_eq!(
        waiting(&app, RUNNING, "userC").await["total_count"],
        1,
        "a co-host may list"
    );
    // allow_rejoin belongs to operate_type 3 only.
    let r = room(
        &app,
        RUNNING,
        "userA",
        1,
        &["userB"],
        json!({"allow_rejoin": true}),
    )
    .await;
    assert_error(&r, 400, 190004);
    let r = room(
        &app,
        RUNNING,
        "userA",
        3,
        &["userB"],
        json!({"allow_rejoin": false}),
    )
    .await;
    assert_eq!(r.text, "{}");
    assert_eq!(waiting(&app, RUNNING, "userA").await["total_count"], 0);
    let r = join(&app, RUNNING, "userB").await;
    assert_eq!(r.status, StatusCode::CONFLICT, "barred: {}", r.text);
    // Another arrival is held; the removed one is not let back by an admit.
    assert_eq!(join(&app, RUNNING, "userD").await.status, StatusCode::OK);
    assert_error(
        &room(&app, RUNNING, "userA", 1, &["userB"], json!({})).await,
        400,
        190004,
    );
    assert_eq!(waiting(&app, RUNNING, "userA").await["total_count"], 1);
}

#[tokio::test]
async fn waiting_room_calls_refuse_strangers_unknown_meetings_and_absent_targets() {
    let app = TestApp::spawn().await;
    let before = state_of(&app, RUNNING).await;
    let r = room(&app, RUNNING, "userD", 2, &["userB"], json!({})).await;
    assert_error(&r, 403, 9042);
    let r = room(
        &app,
        "1234567890123456789",
        "userA",
        2,
        &["userB"],
        json!({}),
    )
    .await;
    assert_error(&r, 500, 9003);
    let r = room(&app, RUNNING, "userA", 2, &["userE"], json!({})).await;
    assert_error(&r, 500, 202007);
    assert_eq!(r.json()["error_info"]["message"], "成员不在会中。");
    assert_error(
        &room(&app, RUNNING, "userA", 4, &["userB"], json!({})).await,
        400,
        190004,
    );
    assert_error(
        &room(&app, SCHEDULED, "userA", 2, &["userB"], json!({})).await,
        400,
        190004,
    );
    assert_eq!(
        state_of(&app, RUNNING).await,
        before,
        "refusals change nothing"
    );
    let r = call(
        &app,
        Method::GET,
        &format!("/v1/meetings/{RUNNING}/waiting-room-participants?userid=userD"),
        Value::Null,
    )
    .await;
    assert_error(&r, 403, 9042);
    let r = call(
        &app,
        Method::GET,
        &format!("/v1/meetings/{RUNNING}/waiting-room-participants?userid=userA&page_size=51"),
        Value::Null,
    )
    .await;
    assert_error(&r, 400, 190004);
    assert_eq!(
        waiting(&app, SCHEDULED, "userA").await["total_count"],
        0,
        "not running: nobody"
    );
}

async fn mute(app: &TestApp, op: &str, who: &str, on: bool) -> crate::common::Resp {
    call(
        app,
        Method::PUT,
        &format!("/v1/real-control/meetings/{RUNNING}/mutes"),
        json!({"instanceid": 1, "mute": on, "operator_id": op, "operator_id_type": 1,
            "user": {"to_operator_id": who, "to_operator_id_type": 4, "instanceid": 1}}),
    )
    .await
}

async fn rename(app: &TestApp, op: &str, list: &[(&str, &str)]) -> crate::common::Resp {
    let users: Vec<Value> = list
        .iter()
        .map(|(who, nick)| json!({"ms_open_id": who, "instanceid": 1, "nick_name": nick}))
        .collect();
    call(
        app,
        Method::PUT,
        &format!("/v1/real-control/meetings/{RUNNING}/names"),
        json!({"instanceid": 1, "operator_id": op, "operator_id_type": 1, "users": users}),
    )
    .await
}

#[tokio::test]
async fn muting_and_renaming_show_in_the_real_time_participants() {
    let app = TestApp::spawn().await;
    assert_eq!(mute(&app, "userA", "userB", true).await.text, "{}");
    assert_eq!(
        person(&live(&app, RUNNING).await, "userB").unwrap()["audio_state"],
        false
    );
    assert_eq!(mute(&app, "userA", "userB", false).await.text, "{}");
    assert_eq!(
        person(&live(&app, RUNNING).await, "userB").unwrap()["audio_state"],
        true
    );
    assert_eq!(rename(&app, "userA", &[("userB", "鲍勃")]).await.text, "{}");
    let v = live(&app, RUNNING).await;
    assert_eq!(
        person(&v, "userB").unwrap()["user_name"],
        b64("鲍勃"),
        "{v}"
    );
    let p = &state_of(&app, RUNNING).await["participants"][0];
    assert_eq!(
        (p["name"].as_str(), p["extra"]["muted"].as_bool()),
        (Some("鲍勃"), Some(false))
    );
}

#[tokio::test]
async fn mutes_and_names_refuse_what_the_pages_forbid_and_change_nothing() {
    let app = TestApp::spawn().await;
    let before = state_of(&app, RUNNING).await;
    assert_error(&mute(&app, "userD", "userB", true).await, 403, 9042);
    assert_error(&mute(&app, "userA", "userE", true).await, 500, 202007);
    // A co-host must be in the meeting to rename; only the host renames the host.
    assert_error(&rename(&app, "userC", &[("userB", "X")]).await, 403, 9042);
    assert_eq!(state_of(&app, RUNNING).await, before);
    assert_eq!(join(&app, RUNNING, "userC").await.status, StatusCode::OK);
    assert_eq!(join(&app, RUNNING, "userA").await.status, StatusCode::OK);
    let before = state_of(&app, RUNNING).await;
    assert_error(
        &rename(&app, "userC", &[("userA", "Boss")]).await,
        403,
        9042,
    );
    // All or nothing: one absent target refuses the whole rename.
    assert_error(
        &rename(&app, "userA", &[("userB", "Bo"), ("userE", "Eve")]).await,
        500,
        202007,
    );
    assert_error(
        &rename(&app, "userA", &[("userB", &"名".repeat(21))]).await,
        400,
        190004,
    );
    let many: Vec<(&str, &str)> = (0..21).map(|_| ("userB", "B")).collect();
    assert_error(&rename(&app, "userA", &many).await, 400, 190004);
    assert_eq!(state_of(&app, RUNNING).await, before);
    assert_eq!(
        rename(&app, "userC", &[("userB", "Bobby")]).await.text,
        "{}"
    );
    let r = call(
        &app,
        Method::PUT,
        &format!("/v1/real-control/meetings/{SCHEDULED}/mutes"),
        json!({"instanceid": 1, "mute": true, "operator_id": "userA", "operator_id_type": 1,
            "user": {"to_operator_id": "userB", "instanceid": 1}}),
    )
    .await;
    assert_error(&r, 400, 190004);
}
