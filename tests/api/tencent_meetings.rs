//! Tencent meeting lifecycle: create, query, modify, cancel, dismiss, participants,
//! real-time participants, real-control status and the documented rate limit.

use crate::common::TestApp;
use crate::tencent::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn create(app: &TestApp, body: Value) -> crate::common::Resp {
    call(app, Method::POST, "/v1/meetings", body).await
}

fn new_meeting(invitees: &[&str]) -> Value {
    let inv: Vec<Value> = invitees.iter().map(|u| json!({ "userid": u })).collect();
    json!({"userid": "userA", "instanceid": 1, "subject": "探针会议 probe", "type": 0,
           "start_time": "1893484800", "end_time": "1893488400", "invitees": inv,
           "settings": {"mute_enable_join": true}})
}

async fn query(app: &TestApp, id: &str, who: &str) -> Value {
    let r = call(
        app,
        Method::GET,
        &format!("/v1/meetings/{id}?operator_id={who}&operator_id_type=1&instanceid=1"),
        Value::Null,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()["meeting_info_list"][0].clone()
}

async fn admin(app: &TestApp, id: &str, action: &str, user: Option<&str>) {
    app.admin_post(
        &format!("/meetings/{id}/{action}"),
        json!({"vendor": "tencent", "user": user}),
    )
    .await;
}

#[tokio::test]
async fn creating_a_meeting_returns_it_with_string_times_and_unregistered_invitees() {
    let app = TestApp::spawn().await;
    let r = create(&app, new_meeting(&["userB", "ghost_u"])).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    assert_eq!(v["meeting_number"], 1);
    let info = &v["meeting_info_list"][0];
    assert_eq!(info["subject"], "探针会议 probe");
    assert_eq!(info["start_time"], "1893484800");
    assert_eq!(info["meeting_code"].as_str().unwrap().len(), 9);
    assert_eq!(info["user_non_registered"], json!(["ghost_u"]));
    let id = info["meeting_id"].as_str().unwrap();
    let back = query(&app, id, "userA").await;
    assert_eq!(back["status"], "MEETING_STATE_INIT");
    assert_eq!(back["participants"], json!([{"userid": "userB"}]));
}

#[tokio::test]
async fn numeric_times_or_more_than_300_invitees_on_create_are_190004() {
    let app = TestApp::spawn().await;
    let mut b = new_meeting(&[]);
    b["start_time"] = json!(1893484800);
    let r = create(&app, b).await;
    assert_error(&r, 400, 190004);
    assert!(r.json()["error_info"]["message"]
        .as_str()
        .unwrap()
        .starts_with("failed to unmarshal req body: "));
    let many: Vec<String> = (0..301).map(|i| format!("u{i}")).collect();
    let refs: Vec<&str> = many.iter().map(String::as_str).collect();
    assert_error(&create(&app, new_meeting(&refs)).await, 400, 190004);
    assert_eq!(
        app.admin_get("/meetings?vendor=tencent").await.json()["meetings"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn a_creator_who_is_not_a_registered_user_is_20001() {
    let app = TestApp::spawn().await;
    let mut b = new_meeting(&[]);
    b["userid"] = json!("ghost_u");
    assert_error(&create(&app, b).await, 400, 20001);
}

#[tokio::test]
async fn meetings_are_found_by_code_and_in_the_users_list() {
    let app = TestApp::spawn().await;
    let r = call(
        &app,
        Method::GET,
        "/v1/meetings?meeting_code=541731000&userid=userA&instanceid=1",
        Value::Null,
    )
    .await;
    assert_eq!(r.json()["meeting_info_list"][0]["meeting_id"], SCHEDULED);
    let r = call(
        &app,
        Method::GET,
        "/v1/meetings?userid=userA&instanceid=1",
        Value::Null,
    )
    .await;
    assert_eq!(r.json()["meeting_number"], 2);
    let r = call(
        &app,
        Method::GET,
        "/v1/meetings?meeting_code=000000000&userid=userA&instanceid=1",
        Value::Null,
    )
    .await;
    assert_error(&r, 500, 9003);
}

#[tokio::test]
async fn the_creator_can_modify_a_meeting_and_others_cannot() {
    let app = TestApp::spawn().await;
    let path = format!("/v1/meetings/{SCHEDULED}");
    let r = call(
        &app,
        Method::PUT,
        &path,
        json!({"userid": "userA", "instanceid": 1, "subject": "Renamed"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        r.json()["meeting_info_list"][0]["meeting_code"],
        "541731000"
    );
    assert_eq!(query(&app, SCHEDULED, "userB").await["subject"], "Renamed");
    let r = call(
        &app,
        Method::PUT,
        &path,
        json!({"userid": "userB", "instanceid": 1, "subject": "Mine"}),
    )
    .await;
    assert_error(&r, 403, 9042);
    assert_eq!(state_of(&app, SCHEDULED).await["topic"], "Renamed");
}

#[tokio::test]
async fn cancelling_answers_an_empty_object_and_the_meeting_is_cancelled() {
    let app = TestApp::spawn().await;
    let path = format!("/v1/meetings/{SCHEDULED}/cancel");
    let r = call(
        &app,
        Method::POST,
        &path,
        json!({"userid": "userA", "instanceid": 1, "reason_code": 1}),
    )
    .await;
    assert_eq!((r.status, r.text.as_str()), (StatusCode::OK, "{}"));
    assert_eq!(
        query(&app, SCHEDULED, "userA").await["status"],
        "MEETING_STATE_CANCELLED"
    );
    let again = call(
        &app,
        Method::POST,
        &path,
        json!({"userid": "userA", "instanceid": 1, "reason_code": 1}),
    )
    .await;
    assert_error(&again, 500, 9007);
}

#[tokio::test]
async fn cancel_refuses_started_ended_unknown_and_other_peoples_meetings() {
    let app = TestApp::spawn().await;
    let body = json!({"userid": "userA", "instanceid": 1, "reason_code": 1});
    let cancel = |id: &str| format!("/v1/meetings/{id}/cancel");
    assert_error(
        &call(&app, Method::POST, &cancel(RUNNING), body.clone()).await,
        500,
        13602,
    );
    assert_error(
        &call(&app, Method::POST, &cancel("42"), body.clone()).await,
        500,
        9003,
    );
    let other = json!({"userid": "userB", "instanceid": 1, "reason_code": 1});
    assert_error(
        &call(&app, Method::POST, &cancel(SCHEDULED), other).await,
        403,
        9042,
    );
    assert_error(
        &call(
            &app,
            Method::POST,
            &cancel(SCHEDULED),
            json!({"userid": "userA"}),
        )
        .await,
        400,
        190004,
    );
    admin(&app, RUNNING, "end", None).await;
    assert_error(
        &call(&app, Method::POST, &cancel(RUNNING), body).await,
        500,
        13603,
    );
    assert_eq!(state_of(&app, SCHEDULED).await["state"], "scheduled");
}

#[tokio::test]
async fn dismiss_ends_a_running_meeting_for_its_host_and_is_500_9042_for_others() {
    let app = TestApp::spawn().await;
    let path = format!("/v1/meetings/{RUNNING}/dismiss");
    let by = |who: &str| json!({"operator_id": who, "operator_id_type": 1, "instanceid": 1, "reason_code": 1});
    assert_error(
        &call(&app, Method::POST, &path, by("userB")).await,
        500,
        9042,
    );
    assert_eq!(state_of(&app, RUNNING).await["state"], "in_progress");
    let r = call(&app, Method::POST, &path, by("userA")).await;
    assert_eq!((r.status, r.text.as_str()), (StatusCode::OK, "{}"));
    assert_eq!(
        query(&app, RUNNING, "userA").await["status"],
        "MEETING_STATE_ENDED"
    );
    let r = call(
        &app,
        Method::POST,
        &format!("/v1/meetings/{SCHEDULED}/dismiss"),
        by("userA"),
    )
    .await;
    assert_error(&r, 400, 190004);
}

#[tokio::test]
async fn a_meeting_starts_when_someone_joins_and_lists_its_participants() {
    let app = TestApp::spawn().await;
    admin(&app, SCHEDULED, "start", None).await;
    admin(&app, SCHEDULED, "join", Some("userB")).await;
    assert_eq!(
        query(&app, SCHEDULED, "userA").await["status"],
        "MEETING_STATE_STARTED"
    );
    let r = call(&app, Method::GET, &format!("/v1/meetings/{SCHEDULED}/participants?operator_id=userA&operator_id_type=1&pos=0&size=20"), Value::Null).await;
    let v = r.json();
    assert_eq!(v["total_count"], 2, "{v}");
    let bob = v["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["userid"] == "userB")
        .unwrap()
        .clone();
    assert_eq!(bob["user_name"], "Qm9i", "base64 of Bob");
    assert_eq!(bob["user_role"], 0);
    let r = call(
        &app,
        Method::GET,
        &format!("/v1/meetings/{SCHEDULED}/participants?userid=userB"),
        Value::Null,
    )
    .await;
    assert_error(&r, 403, 9042);
}

#[tokio::test]
async fn real_time_participants_lists_who_is_in_the_meeting_now() {
    let app = TestApp::spawn().await;
    admin(&app, RUNNING, "leave", Some("userB")).await;
    let r = call(&app, Method::GET, &format!("/v1/meetings/{RUNNING}/real-time-participants?operator_id=userA&operator_id_type=1&page=1&page_size=20"), Value::Null).await;
    let v = r.json();
    assert_eq!(v["total_count"], 1, "{v}");
    assert_eq!(v["participants"][0]["userid"], "userA");
    assert_eq!(v["participants"][0]["user_role"], 3);
}

#[tokio::test]
async fn the_host_or_a_co_host_locks_a_running_meeting_through_real_control() {
    let app = TestApp::spawn().await;
    let path = format!("/v1/real-control/meetings/{RUNNING}/status");
    let by = |who: &str, lock: bool| json!({"instanceid": 1, "meeting_locked": lock, "operator_id": who, "operator_id_type": 1, "mute_all": true});
    let r = call(&app, Method::PUT, &path, by("userA", true)).await;
    assert_eq!((r.status, r.text.as_str()), (StatusCode::OK, "{}"));
    let m = state_of(&app, RUNNING).await;
    assert_eq!(m["locked"], true);
    assert_eq!(m["extra"]["real_control"]["mute_all"], true);
    assert_eq!(
        call(&app, Method::PUT, &path, by("userC", false))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(state_of(&app, RUNNING).await["locked"], false);
    assert_error(
        &call(&app, Method::PUT, &path, by("userB", true)).await,
        403,
        9042,
    );
    let sched = format!("/v1/real-control/meetings/{SCHEDULED}/status");
    assert_error(
        &call(&app, Method::PUT, &sched, by("userA", true)).await,
        400,
        190004,
    );
}

#[tokio::test]
async fn the_documented_rate_limit_answers_190310_after_300_calls_a_minute() {
    let yaml = format!(
        "name: rl\nrate_limits: {{ tencent: documented }}\ntenants:\n  - vendor: tencent\n    id: \"{APP}\"\n    secret: {SKEY}\n    credentials: {{ secret_id: {SID}, sdk_id: \"{SDK}\" }}\n    users: [{{ id: userA }}]\n"
    );
    let app = TestApp::spawn_with(&yaml).await;
    let t = "/v1/meetings?userid=userA&instanceid=1";
    for _ in 0..300 {
        assert_eq!(
            call(&app, Method::GET, t, Value::Null).await.status,
            StatusCode::OK
        );
    }
    assert_error(&call(&app, Method::GET, t, Value::Null).await, 500, 190310);
    app.advance_secs(60.0).await;
    assert_eq!(
        call(&app, Method::GET, t, Value::Null).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn rate_limits_are_off_by_default() {
    let app = TestApp::spawn().await;
    let code = app
        .admin_get("/requests/count?vendor=tencent&code=190310")
        .await
        .json()["count"]
        .clone();
    for _ in 0..5 {
        call(
            &app,
            Method::GET,
            "/v1/meetings?userid=userA&instanceid=1",
            Value::Null,
        )
        .await;
    }
    assert_eq!(code, 0);
    assert_eq!(app.count("vendor=tencent&status=200").await, 5);
}
