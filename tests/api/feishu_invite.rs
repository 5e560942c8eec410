//! Feishu meeting invite: per-invitee results, union ids, body validation (121003) and the
//! 122001–122008 refusals (unknown, ended, not a member, self, full, busy, locked), accepted
//! invitees and injected faults.

use crate::common::TestApp;
use crate::feishu::{
    admin, admin_meeting, assert_err, call, invite, tenant_token, user_token, APP, HOST, LIVE,
};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn invite_three_returns_one_result_each_and_they_are_calling() {
    let app = TestApp::spawn().await;
    // The demo's invitees answer within seconds; a still clock keeps the calls as placed.
    app.freeze().await;
    let u = user_token(&app, HOST).await;
    let r = invite(
        &app,
        &u,
        LIVE,
        &["ou_guest_0000", "ou_guest_0001", "ou_guest_0002"],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    assert_eq!(v["msg"], "success");
    let res = v["data"]["invite_results"].as_array().unwrap().clone();
    assert_eq!(res.len(), 3);
    assert_eq!(
        res[1],
        json!({"id": "ou_guest_0001", "user_type": 1, "status": 1})
    );
    let t = tenant_token(&app).await;
    let m = call(
        &app,
        Method::GET,
        &format!("/open-apis/vc/v1/meetings/{LIVE}?with_participants=True"),
        &t,
        None,
    )
    .await
    .json();
    let ps = m["data"]["meeting"]["participants"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(ps.len(), 4);
    assert!(ps
        .iter()
        .filter(|p| p["id"] != HOST)
        .all(|p| p["status"] == 1));
    assert_eq!(
        app.count("vendor=feishu&operation=meeting.invite&code=0")
            .await,
        1
    );
}

#[tokio::test]
async fn invite_by_union_id_calls_the_same_user() {
    let app = TestApp::spawn().await;
    let u = user_token(&app, HOST).await;
    let r = call(
        &app,
        Method::PATCH,
        &format!("/open-apis/vc/v1/meetings/{LIVE}/invite?user_id_type=union_id"),
        &u,
        Some(json!({"invitees": [{"id": "on_guest_0004", "user_type": 1}]})),
    )
    .await;
    assert_eq!(r.json()["data"]["invite_results"][0]["status"], 1);
    let m = admin_meeting(&app, LIVE).await;
    assert!(m["participants"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["user_id"] == "ou_guest_0004"));
}

#[tokio::test]
async fn invite_of_eleven_is_121003_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let u = user_token(&app, HOST).await;
    let ids: Vec<String> = (0..11).map(|i| format!("ou_guest_{i:04}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let r = invite(&app, &u, LIVE, &refs).await;
    assert_err(&r, 400, 121003, "param error");
    assert_eq!(
        admin_meeting(&app, LIVE).await["participants"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn bad_invite_bodies_are_121003() {
    let app = TestApp::spawn().await;
    let u = user_token(&app, HOST).await;
    let path = format!("/open-apis/vc/v1/meetings/{LIVE}/invite");
    let auth = format!("Bearer {u}");
    for body in [
        "not json",
        "{}",
        "{\"invitees\": []}",
        "{\"invitees\": \"x\"}",
        "{\"invitees\": [{\"id\": 5}]}",
        "{\"invitees\": [{\"id\": \"ou_guest_0001\", \"user_type\": 9}]}",
        "{\"invitees\": [{\"id\": \"guest0001\", \"user_type\": 1}]}",
        "{\"invitees\": [{\"user_type\": 1}]}",
    ] {
        let r = app
            .send(Method::PATCH, &path, &[("authorization", &auth)], body)
            .await;
        assert_err(&r, 400, 121003, "param error");
    }
    let huge = format!(
        "{{\"invitees\": [{{\"id\": \"ou_{}\"}}]}}",
        "a".repeat(3_000_000)
    );
    let r = app
        .send(Method::PATCH, &path, &[("authorization", &auth)], huge)
        .await;
    assert_eq!(r.json()["code"], 121003);
}

#[tokio::test]
async fn invite_into_unknown_meeting_is_122002() {
    let app = TestApp::spawn().await;
    let u = user_token(&app, HOST).await;
    let r = invite(&app, &u, "6900000000000000000", &["ou_guest_0000"]).await;
    assert_err(&r, 404, 122002, "meeting not exist");
}

#[tokio::test]
async fn invite_into_ended_or_calling_meeting_is_122001() {
    let app = TestApp::spawn().await;
    let u = user_token(&app, HOST).await;
    app.admin_post(
        "/vendors/feishu/calling",
        json!({"app_id": APP, "meeting": LIVE}),
    )
    .await;
    assert_err(
        &invite(&app, &u, LIVE, &["ou_guest_0000"]).await,
        400,
        122001,
        "meeting status unexpected",
    );
    app.admin_post(
        "/vendors/feishu/calling",
        json!({"app_id": APP, "meeting": LIVE, "calling": false}),
    )
    .await;
    admin(&app, LIVE, "end", json!({})).await;
    assert_err(
        &invite(&app, &u, LIVE, &["ou_guest_0000"]).await,
        400,
        122001,
        "meeting status unexpected",
    );
}

#[tokio::test]
async fn invite_by_someone_not_in_the_meeting_is_122003() {
    let app = TestApp::spawn().await;
    let u = user_token(&app, "ou_guest_0005").await;
    assert_err(
        &invite(&app, &u, LIVE, &["ou_guest_0000"]).await,
        400,
        122003,
        "operator user not in meeting",
    );
    let h = user_token(&app, HOST).await;
    admin(&app, LIVE, "host-leaves", json!({})).await;
    assert_err(
        &invite(&app, &h, LIVE, &["ou_guest_0000"]).await,
        400,
        122003,
        "operator user not in meeting",
    );
}

#[tokio::test]
async fn inviting_oneself_is_122005() {
    let app = TestApp::spawn().await;
    let u = user_token(&app, HOST).await;
    assert_err(
        &invite(&app, &u, LIVE, &["ou_guest_0000", HOST]).await,
        400,
        122005,
        "cannot operate self",
    );
}

#[tokio::test]
async fn invite_into_full_meeting_is_122006_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let u = user_token(&app, HOST).await;
    admin(&app, LIVE, "capacity", json!({"capacity": 2})).await;
    assert_err(
        &invite(&app, &u, LIVE, &["ou_guest_0000", "ou_guest_0001"]).await,
        400,
        122006,
        "participant count reach limit",
    );
    assert_eq!(
        admin_meeting(&app, LIVE).await["participants"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        invite(&app, &u, LIVE, &["ou_guest_0000"]).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn busy_invitee_fails_alone_or_gets_status_2_among_others() {
    let app = TestApp::spawn().await;
    let u = user_token(&app, HOST).await;
    app.admin_post("/users/ou_guest_0001/busy", json!({"vendor": "feishu"}))
        .await;
    assert_err(
        &invite(&app, &u, LIVE, &["ou_guest_0001"]).await,
        400,
        122007,
        "callee is busy",
    );
    let r = invite(&app, &u, LIVE, &["ou_guest_0000", "ou_guest_0001"])
        .await
        .json();
    assert_eq!(r["data"]["invite_results"][0]["status"], 1);
    assert_eq!(r["data"]["invite_results"][1]["status"], 2);
}

#[tokio::test]
async fn invite_into_locked_meeting_is_122008() {
    let app = TestApp::spawn().await;
    let u = user_token(&app, HOST).await;
    admin(&app, LIVE, "lock", json!({})).await;
    assert_err(
        &invite(&app, &u, LIVE, &["ou_guest_0000"]).await,
        400,
        122008,
        "meeting is locked",
    );
}

#[tokio::test]
async fn accepted_invitee_shows_as_in_meeting() {
    let app = TestApp::spawn().await;
    let u = user_token(&app, HOST).await;
    invite(&app, &u, LIVE, &["ou_guest_0000"]).await;
    admin(&app, LIVE, "accept", json!({"user": "ou_guest_0000"})).await;
    let t = tenant_token(&app).await;
    let m = call(
        &app,
        Method::GET,
        &format!("/open-apis/vc/v1/meetings/{LIVE}?with_participants=true"),
        &t,
        None,
    )
    .await
    .json();
    let p = m["data"]["meeting"]["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "ou_guest_0000")
        .cloned()
        .unwrap();
    assert_eq!(p["status"], 2);
}

#[tokio::test]
async fn injected_fault_renders_like_the_real_error() {
    let app = TestApp::spawn().await;
    app.admin_post(
        "/faults",
        json!({"match": {"vendor": "feishu", "operation": "meeting.invite"}, "error": "122008"}),
    )
    .await;
    let u = user_token(&app, HOST).await;
    assert_err(
        &invite(&app, &u, LIVE, &["ou_guest_0000"]).await,
        400,
        122008,
        "meeting is locked",
    );
}
