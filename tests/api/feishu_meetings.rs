//! Feishu reserves and meetings: reserve apply/get/update/delete and start, meeting get and
//! list_by_no (id types, 121003/121004/121005), and kickout, set_host and end.

use crate::common::TestApp;
use crate::feishu::{
    admin, admin_meeting, assert_err, call, tenant_token, user_token, HOST, LIVE, RESERVE,
};
use reqwest::{Method, StatusCode};
use serde_json::json;

// ---- reserves ----

#[tokio::test]
async fn reserve_apply_then_start_then_get_active_meeting() {
    let app = TestApp::spawn().await;
    let t = tenant_token(&app).await;
    let now = app.admin_get("/clock").await.json()["now_ms"]
        .as_i64()
        .unwrap_or(0)
        / 1000;
    let end = if now > 0 { now + 3600 } else { 4_102_444_800 };
    let r = call(
        &app,
        Method::POST,
        "/open-apis/vc/v1/reserves/apply?user_id_type=open_id",
        &t,
        Some(json!({
        "end_time": end.to_string(), "owner_id": HOST,
        "meeting_settings": {"topic": "probe", "meeting_initial_type": 1}})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let res = r.json()["data"]["reserve"].clone();
    let id = res["id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 19);
    assert_eq!(res["meeting_no"].as_str().unwrap().len(), 9);
    assert_eq!(res["end_time"], end.to_string());
    // not a meeting before it starts
    let g = call(
        &app,
        Method::GET,
        &format!("/open-apis/vc/v1/meetings/{id}"),
        &t,
        None,
    )
    .await;
    assert_err(&g, 404, 121004, "data not exist");
    let a = call(
        &app,
        Method::GET,
        &format!("/open-apis/vc/v1/reserves/{id}/get_active_meeting"),
        &t,
        None,
    )
    .await;
    assert_err(&a, 404, 121004, "data not exist");
    let started = admin(&app, &id, "start", json!({})).await;
    let meeting_id = started["meeting"]["id"].as_str().unwrap().to_string();
    assert_ne!(
        meeting_id, id,
        "the meeting id comes into being at the start"
    );
    let a = call(
        &app,
        Method::GET,
        &format!("/open-apis/vc/v1/reserves/{id}/get_active_meeting?with_participants=True"),
        &t,
        None,
    )
    .await;
    let m = a.json()["data"]["meeting"].clone();
    assert_eq!(m["id"], meeting_id.as_str());
    assert_eq!(m["meeting_no"], res["meeting_no"]);
    assert_eq!(m["status"], 2);
    assert_eq!(m["host_user"]["id"], HOST);
    assert_eq!(m["participants"][0]["status"], 2);
}

#[tokio::test]
async fn reserve_apply_with_tenant_token_needs_owner_id() {
    let app = TestApp::spawn().await;
    let t = tenant_token(&app).await;
    let r = call(
        &app,
        Method::POST,
        "/open-apis/vc/v1/reserves/apply",
        &t,
        Some(json!({
        "end_time": "4102444800", "meeting_settings": {"topic": "x"}})),
    )
    .await;
    assert_err(&r, 400, 121003, "param error");
}

#[tokio::test]
async fn reserve_apply_rejects_an_end_time_beyond_thirty_days() {
    let app = TestApp::spawn().await;
    let t = tenant_token(&app).await;
    let r = call(
        &app,
        Method::POST,
        "/open-apis/vc/v1/reserves/apply",
        &t,
        Some(json!({
        "end_time": "99999999999", "owner_id": HOST, "meeting_settings": {"topic": "x"}})),
    )
    .await;
    assert_err(&r, 400, 121003, "param error");
    assert!(r.text.contains("30 days"));
}

#[tokio::test]
async fn reserve_get_update_delete_round_trip() {
    let app = TestApp::spawn().await;
    let t = tenant_token(&app).await;
    let path = format!("/open-apis/vc/v1/reserves/{RESERVE}");
    let g = call(
        &app,
        Method::GET,
        &format!("{path}?user_id_type=union_id"),
        &t,
        None,
    )
    .await
    .json();
    assert_eq!(g["data"]["reserve"]["reserve_user_id"], "on_host_0001");
    assert_eq!(g["data"]["reserve"]["expire_status"], 1);
    let u = call(
        &app,
        Method::PUT,
        &path,
        &t,
        Some(json!({"meeting_settings": {"topic": "renamed"}})),
    )
    .await;
    assert_eq!(u.json()["code"], 0);
    let g = call(&app, Method::GET, &path, &t, None).await.json();
    assert_eq!(g["data"]["reserve"]["meeting_settings"]["topic"], "renamed");
    let d = call(&app, Method::DELETE, &path, &t, None).await;
    assert_eq!(d.json(), json!({"code": 0, "msg": "success", "data": {}}));
    let g = call(&app, Method::GET, &path, &t, None).await;
    assert_err(&g, 404, 121004, "data not exist");
    assert_eq!(admin_meeting(&app, RESERVE).await["state"], "cancelled");
}

#[tokio::test]
async fn another_users_reserve_is_121005() {
    let app = TestApp::spawn().await;
    let u = user_token(&app, "ou_guest_0003").await;
    let r = call(
        &app,
        Method::GET,
        &format!("/open-apis/vc/v1/reserves/{RESERVE}"),
        &u,
        None,
    )
    .await;
    assert_err(&r, 403, 121005, "no permission");
}

// ---- meeting get / list ----

#[tokio::test]
async fn meeting_get_writes_ids_as_strings_in_the_requested_id_type() {
    let app = TestApp::spawn().await;
    let t = tenant_token(&app).await;
    let r = call(
        &app,
        Method::GET,
        &format!("/open-apis/vc/v1/meetings/{LIVE}?with_participants=true&user_id_type=user_id"),
        &t,
        None,
    )
    .await;
    let m = r.json()["data"]["meeting"].clone();
    assert_eq!(m["id"], LIVE);
    assert_eq!(m["meeting_no"], "112000358");
    assert!(m["start_time"].is_string());
    assert_eq!(m["participant_count"], "1");
    assert_eq!(m["host_user"], json!({"id": "host0001", "user_type": 1}));
    assert_eq!(m["participants"][0]["id"], "host0001");
    assert_eq!(m["participants"][0]["is_host"], true);
    let r = call(
        &app,
        Method::GET,
        &format!("/open-apis/vc/v1/meetings/{LIVE}?with_participants=False"),
        &t,
        None,
    )
    .await;
    assert!(r.json()["data"]["meeting"].get("participants").is_none());
}

#[tokio::test]
async fn meeting_get_of_unknown_id_is_121004_and_bad_id_type_121003() {
    let app = TestApp::spawn().await;
    let t = tenant_token(&app).await;
    let r = call(
        &app,
        Method::GET,
        "/open-apis/vc/v1/meetings/6900000000000000000",
        &t,
        None,
    )
    .await;
    assert_err(&r, 404, 121004, "data not exist");
    let r = call(
        &app,
        Method::GET,
        &format!("/open-apis/vc/v1/meetings/{LIVE}?user_id_type=email"),
        &t,
        None,
    )
    .await;
    assert_err(&r, 400, 121003, "param error");
}

#[tokio::test]
async fn list_by_no_finds_the_running_meeting() {
    let app = TestApp::spawn().await;
    let t = tenant_token(&app).await;
    let r = call(&app, Method::GET, "/open-apis/vc/v1/meetings/list_by_no?meeting_no=112000358&start_time=0&end_time=99999999999", &t, None).await;
    let v = r.json();
    assert_eq!(v["data"]["meeting_briefs"][0]["id"], LIVE);
    assert_eq!(v["data"]["has_more"], false);
    let r = call(
        &app,
        Method::GET,
        "/open-apis/vc/v1/meetings/list_by_no?meeting_no=112000358",
        &t,
        None,
    )
    .await;
    assert_err(&r, 400, 121003, "param error");
}

// ---- kickout / set_host / end ----

#[tokio::test]
async fn kickout_removes_a_participant() {
    let app = TestApp::spawn().await;
    admin(&app, LIVE, "join", json!({"user": "ou_guest_0001"})).await;
    let t = tenant_token(&app).await;
    let r = call(&app, Method::POST, &format!("/open-apis/vc/v1/meetings/{LIVE}/kickout"), &t,
        Some(json!({"kickout_users": [{"id": "ou_guest_0001", "user_type": 1}, {"id": "ou_guest_0002", "user_type": 1}]}))).await;
    let res = r.json()["data"]["kickout_results"].clone();
    assert_eq!(res[0]["result"], 1);
    assert_eq!(res[1]["result"], 2);
    let m = admin_meeting(&app, LIVE).await;
    assert!(m["participants"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["user_id"] == "ou_guest_0001" && p["status"] == "left"));
}

#[tokio::test]
async fn set_host_moves_the_host_and_checks_old_host() {
    let app = TestApp::spawn().await;
    admin(&app, LIVE, "join", json!({"user": "ou_guest_0000"})).await;
    let u = user_token(&app, HOST).await;
    let path = format!("/open-apis/vc/v1/meetings/{LIVE}/set_host");
    let r = call(
        &app,
        Method::PATCH,
        &path,
        &u,
        Some(json!({"host_user": {"id": "ou_guest_0000", "user_type": 1},
        "old_host_user": {"id": "ou_guest_0002", "user_type": 1}})),
    )
    .await;
    assert_err(&r, 409, 121006, "data conflict");
    let r = call(
        &app,
        Method::PATCH,
        &path,
        &u,
        Some(json!({"host_user": {"id": "ou_guest_0003", "user_type": 1}})),
    )
    .await;
    assert_err(&r, 400, 122004, "target user not in meeting");
    let r = call(
        &app,
        Method::PATCH,
        &path,
        &u,
        Some(json!({"host_user": {"id": "ou_guest_0000", "user_type": 1},
        "old_host_user": {"id": HOST, "user_type": 1}})),
    )
    .await;
    assert_eq!(r.json()["data"]["host_user"]["id"], "ou_guest_0000");
    assert_eq!(admin_meeting(&app, LIVE).await["host"], "ou_guest_0000");
    let r = call(
        &app,
        Method::PATCH,
        &path,
        &u,
        Some(json!({"host_user": {"id": "ou_guest_0000", "user_type": 1}})),
    )
    .await;
    assert_err(&r, 403, 121005, "no permission");
}

#[tokio::test]
async fn end_by_host_ends_the_meeting_and_by_others_is_121005() {
    let app = TestApp::spawn().await;
    admin(&app, LIVE, "join", json!({"user": "ou_guest_0000"})).await;
    let g = user_token(&app, "ou_guest_0000").await;
    let path = format!("/open-apis/vc/v1/meetings/{LIVE}/end");
    assert_err(
        &call(&app, Method::PATCH, &path, &g, None).await,
        403,
        121005,
        "no permission",
    );
    let u = user_token(&app, HOST).await;
    let r = call(&app, Method::PATCH, &path, &u, None).await;
    assert_eq!(r.json(), json!({"code": 0, "msg": "success", "data": {}}));
    assert_eq!(admin_meeting(&app, LIVE).await["state"], "ended");
    let t = tenant_token(&app).await;
    let m = call(
        &app,
        Method::GET,
        &format!("/open-apis/vc/v1/meetings/{LIVE}"),
        &t,
        None,
    )
    .await
    .json();
    assert_eq!(m["data"]["meeting"]["status"], 3);
}
