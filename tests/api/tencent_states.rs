//! Tencent meetings created through the API and then run: capacity, starting by a join, the
//! all-or-nothing admin actions, INIT bounded by the scheduled end on the server clock, and the
//! create quotas reached from state.

use crate::common::TestApp;
use crate::tencent::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Creates a meeting of userA from `start` to `end` (unix seconds); its id.
async fn create_at(app: &TestApp, start: i64, end: i64) -> String {
    let r = call(
        app,
        Method::POST,
        "/v1/meetings",
        json!({"userid": "userA", "instanceid": 1,
        "subject": "made by the API", "type": 0, "start_time": start.to_string(),
        "end_time": end.to_string()}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()["meeting_info_list"][0]["meeting_id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn now(app: &TestApp) -> i64 {
    app.admin_get("/clock").await.json()["now_ms"]
        .as_i64()
        .unwrap()
        / 1000
}

async fn status(app: &TestApp, id: &str) -> String {
    let r = call(
        app,
        Method::GET,
        &format!("/v1/meetings/{id}?operator_id=userA&operator_id_type=1&instanceid=1"),
        Value::Null,
    )
    .await;
    r.json()["meeting_info_list"][0]["status"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn a_meeting_created_through_the_api_has_the_default_capacity_and_starts_with_the_host() {
    let app = TestApp::spawn().await;
    let t = now(&app).await;
    let id = create_at(&app, t + 600, t + 4200).await;
    assert_eq!(state_of(&app, &id).await["capacity"], 300);
    let v = app
        .admin_post(
            &format!("/meetings/{id}/start"),
            json!({"vendor": "tencent"}),
        )
        .await;
    assert_eq!(v["meeting"]["state"], "in_progress", "{v}");
    assert_eq!(status(&app, &id).await, "MEETING_STATE_STARTED");
    let r = call(&app, Method::GET, &format!("/v1/meetings/{id}/real-time-participants?operator_id=userA&operator_id_type=1&page=1&page_size=20"), Value::Null).await;
    assert_eq!(r.json()["total_count"], 1, "{}", r.text);
    let r = call(
        &app,
        Method::POST,
        &format!("/v1/meetings/{id}/cancel"),
        json!({"userid": "userA", "instanceid": 1, "reason_code": 1}),
    )
    .await;
    assert_error(&r, 500, 13602);
    let r = call(
        &app,
        Method::POST,
        &format!("/v1/meetings/{id}/dismiss"),
        json!({"operator_id": "userA", "operator_id_type": 1, "instanceid": 1, "reason_code": 1}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(status(&app, &id).await, "MEETING_STATE_ENDED");
}

#[tokio::test]
async fn a_join_starts_a_scheduled_meeting() {
    let app = TestApp::spawn().await;
    let t = now(&app).await;
    let id = create_at(&app, t + 600, t + 4200).await;
    app.admin_post(
        &format!("/meetings/{id}/join"),
        json!({"vendor": "tencent", "user": "userB"}),
    )
    .await;
    assert_eq!(status(&app, &id).await, "MEETING_STATE_STARTED");
}

#[tokio::test]
async fn an_admin_start_that_cannot_seat_the_host_leaves_the_meeting_scheduled() {
    let app = TestApp::spawn().await;
    let yaml = format!("name: zero\ntenants:\n  - vendor: tencent\n    id: \"{APP}\"\n    secret: {SKEY}\n    credentials: {{ secret_id: {SID}, sdk_id: \"{SDK}\" }}\n    users: [{{ id: userA }}, {{ id: userB }}]\n    meetings:\n      - id: \"9000000000000000001\"\n        creator: userA\n        host: userA\n        state: scheduled\n        capacity: 1\n        participants: [{{ user_id: userB, status: calling }}]\n");
    let app2 = TestApp::spawn_with(&yaml).await;
    drop(app);
    let r = app2
        .admin_try(
            Method::POST,
            "/meetings/9000000000000000001/start",
            json!({"vendor": "tencent"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    let m = state_of(&app2, "9000000000000000001").await;
    assert_eq!(m["state"], "scheduled", "{m}");
    assert_eq!(m["participants"].as_array().unwrap().len(), 1, "{m}");
    assert!(m.get("started_at").is_none(), "{m}");
}

#[tokio::test]
async fn init_ends_at_the_scheduled_end_and_the_meeting_then_refuses_changes() {
    let app = TestApp::spawn().await;
    let t = now(&app).await;
    let id = create_at(&app, t + 60, t + 3600).await;
    assert_eq!(status(&app, &id).await, "MEETING_STATE_INIT");
    app.advance_secs(3.0 * 3600.0).await;
    assert_eq!(status(&app, &id).await, "MEETING_STATE_NULL");
    assert_error(&set(&app, &id, "userA", &["userB"]).await, 500, 13603);
    let r = call(
        &app,
        Method::POST,
        &format!("/v1/meetings/{id}/cancel"),
        json!({"userid": "userA", "instanceid": 1, "reason_code": 1}),
    )
    .await;
    assert_error(&r, 500, 13603);
    let r = call(
        &app,
        Method::GET,
        "/v1/meetings?userid=userA&instanceid=1",
        Value::Null,
    )
    .await;
    assert!(
        !r.text.contains(&id),
        "an expired meeting leaves the upcoming list: {}",
        r.text
    );
    assert!(invitees_of(&app, &id).await.is_empty());
    assert_eq!(state_of(&app, &id).await["state"], "scheduled");
}

#[tokio::test]
async fn the_per_user_create_quota_answers_500029_under_documented_limits() {
    let yaml = format!(
        "name: q\nrate_limits: {{ tencent: documented }}\ntenants:\n  - vendor: tencent\n    id: \"{APP}\"\n    secret: {SKEY}\n    credentials: {{ secret_id: {SID}, sdk_id: \"{SDK}\" }}\n    users: [{{ id: userA }}, {{ id: userB }}]\n"
    );
    let app = TestApp::spawn_with(&yaml).await;
    let t = now(&app).await;
    // Two users under 50 seats: 4 creates a month (500168) come before 2000 an hour.
    for _ in 0..4 {
        create_at(&app, t + 600, t + 4200).await;
    }
    let r = call(
        &app,
        Method::POST,
        "/v1/meetings",
        json!({"userid": "userA", "instanceid": 1,
        "subject": "one too many", "type": 1}),
    )
    .await;
    assert_error(&r, 500, 500168);
    assert_eq!(
        app.admin_get("/meetings?vendor=tencent").await.json()["meetings"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
}

#[tokio::test]
async fn two_thousand_creates_in_an_hour_answer_500029() {
    let users: String = (0..210).map(|i| format!("{{ id: u{i} }}, ")).collect();
    let yaml = format!(
        "name: q\nrate_limits: {{ tencent: documented }}\ntenants:\n  - vendor: tencent\n    id: \"{APP}\"\n    secret: {SKEY}\n    credentials: {{ secret_id: {SID}, sdk_id: \"{SDK}\" }}\n    users: [{users}{{ id: userA }}]\n"
    );
    let app = TestApp::spawn_with(&yaml).await;
    let t = now(&app).await;
    let body = |i: usize| {
        json!({"userid": "userA", "instanceid": 1, "subject": format!("m{i}"), "type": 0,
        "start_time": (t + 600).to_string(), "end_time": (t + 4200).to_string()})
    };
    // 300 calls a minute is the app limit: move the clock a minute every 250 creates.
    for i in 0..2000 {
        if i % 250 == 249 {
            app.advance_secs(60.0).await;
        }
        let r = call(&app, Method::POST, "/v1/meetings", body(i)).await;
        assert_eq!(r.status, StatusCode::OK, "create {i}: {}", r.text);
    }
    assert_error(
        &call(&app, Method::POST, "/v1/meetings", body(2000)).await,
        500,
        500029,
    );
    app.advance_secs(3600.0).await;
    assert_eq!(
        call(&app, Method::POST, "/v1/meetings", body(2001))
            .await
            .status,
        StatusCode::OK
    );
}
