//! Feishu recording (start / stop / get / set_permission: 124002 while the file is processing,
//! ready after the meeting ends and the server clock moves on), the contact lookups made
//! before inviting (batch_get_id, users/:user_id), and end's operator check (122003).

use crate::common::TestApp;
use crate::feishu::{admin, assert_err, call, tenant_token, user_token, HOST, LIVE};
use reqwest::Method;
use serde_json::json;

fn rec(action: &str) -> String {
    format!("/open-apis/vc/v1/meetings/{LIVE}/recording/{action}")
}

#[tokio::test]
async fn a_recording_is_processing_until_the_meeting_ends_and_a_minute_passes() {
    let app = TestApp::spawn().await;
    let u = user_token(&app, HOST).await;
    let t = tenant_token(&app).await;
    let get = format!("/open-apis/vc/v1/meetings/{LIVE}/recording");
    let none = call(&app, Method::GET, &get, &t, None).await;
    assert_err(&none, 404, 121004, "data not exist");
    let r = call(
        &app,
        Method::PATCH,
        &rec("start"),
        &u,
        Some(json!({"timezone": 8})),
    )
    .await;
    assert_eq!(r.json()["code"], 0, "{}", r.text);
    let twice = call(&app, Method::PATCH, &rec("start"), &u, Some(json!({}))).await;
    assert_err(&twice, 400, 122001, "meeting status unexpected");
    app.advance_secs(30.0).await;
    let r = call(&app, Method::PATCH, &rec("stop"), &u, None).await;
    assert_eq!(r.json()["code"], 0, "{}", r.text);
    let busy = call(&app, Method::GET, &get, &t, None).await;
    assert_err(&busy, 400, 124002, "record processing");
    let end = call(
        &app,
        Method::PATCH,
        &format!("/open-apis/vc/v1/meetings/{LIVE}/end"),
        &u,
        Some(json!({})),
    )
    .await;
    assert_eq!(end.json()["code"], 0);
    assert_err(
        &call(&app, Method::GET, &get, &t, None).await,
        400,
        124002,
        "record processing",
    );
    app.advance_secs(61.0).await;
    let t = tenant_token(&app).await;
    let ready = call(&app, Method::GET, &get, &t, None).await;
    let v = ready.json();
    assert_eq!(v["code"], 0, "{}", ready.text);
    assert_eq!(v["data"]["recording"]["duration"], "30000");
    assert!(v["data"]["recording"]["url"]
        .as_str()
        .unwrap()
        .starts_with("https://meetings.feishu.cn/minutes/"));
    // set_permission: the owner shares it with a user and the tenant.
    let u = user_token(&app, HOST).await;
    let p = call(
        &app,
        Method::PATCH,
        &rec("set_permission"),
        &u,
        Some(json!({"permission_objects": [{"id": "ou_guest_0001", "type": 1, "permission": 1}, {"type": 3, "permission": 1}]})),
    )
    .await;
    assert_eq!(p.json()["code"], 0, "{}", p.text);
    let m = crate::feishu::admin_meeting(&app, LIVE).await;
    assert_eq!(
        m["extra"]["recording_permissions"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn only_the_host_in_the_meeting_records() {
    let app = TestApp::spawn().await;
    admin(&app, LIVE, "join", json!({"user": "ou_guest_0001"})).await;
    let guest = user_token(&app, "ou_guest_0001").await;
    let r = call(&app, Method::PATCH, &rec("start"), &guest, None).await;
    assert_err(&r, 403, 121005, "no permission");
    let outsider = user_token(&app, "ou_guest_0002").await;
    let r = call(&app, Method::PATCH, &rec("start"), &outsider, None).await;
    assert_err(&r, 400, 122003, "operator user not in meeting");
    let host = user_token(&app, HOST).await;
    let r = call(&app, Method::PATCH, &rec("stop"), &host, None).await;
    assert_err(&r, 400, 122001, "meeting status unexpected");
    let r = call(
        &app,
        Method::PATCH,
        &rec("start"),
        &host,
        Some(json!({"timezone": 13})),
    )
    .await;
    assert_err(&r, 400, 121003, "param error");
    let m = crate::feishu::admin_meeting(&app, LIVE).await;
    assert!(m.get("recording").is_none(), "nothing recorded: {m}");
}

#[tokio::test]
async fn end_needs_the_operator_in_the_meeting() {
    let app = TestApp::spawn().await;
    let u = user_token(&app, HOST).await;
    admin(&app, LIVE, "host-leaves", json!({})).await;
    let r = call(
        &app,
        Method::PATCH,
        &format!("/open-apis/vc/v1/meetings/{LIVE}/end"),
        &u,
        Some(json!({})),
    )
    .await;
    assert_err(&r, 400, 122003, "operator user not in meeting");
    assert_eq!(
        crate::feishu::admin_meeting(&app, LIVE).await["state"],
        "in_progress"
    );
}

#[tokio::test]
async fn batch_get_id_finds_users_by_email_and_mobile_in_request_order() {
    let app = TestApp::spawn().await;
    app.admin_post(
        "/tenants/feishu/cli_demo_feishu/users",
        json!({"users": [{"id": "ou_phone_1", "name": "P", "phone": "+8613011111111", "aliases": {"union_id": "on_phone_1"}}]}),
    )
    .await;
    let t = tenant_token(&app).await;
    let r = call(
        &app,
        Method::POST,
        "/open-apis/contact/v3/users/batch_get_id?user_id_type=union_id",
        &t,
        Some(json!({"emails": ["HOST@example.com", "nobody@example.com"], "mobiles": ["13011111111"]})),
    )
    .await;
    assert_eq!(r.json()["code"], 0, "{}", r.text);
    let list = r.json()["data"]["user_list"].clone();
    assert_eq!(list[0]["email"], "HOST@example.com");
    assert_eq!(list[0]["user_id"], "on_host_0001");
    assert_eq!(list[0]["status"]["is_activated"], true);
    assert_eq!(list[1], json!({"email": "nobody@example.com"}));
    assert_eq!(list[2]["user_id"], "on_phone_1");
    let many: Vec<String> = (0..51).map(|i| format!("u{i}@example.com")).collect();
    let r = call(
        &app,
        Method::POST,
        "/open-apis/contact/v3/users/batch_get_id",
        &t,
        Some(json!({"emails": many})),
    )
    .await;
    assert_err(&r, 400, 99992402, "field validation failed");
    assert_eq!(r.json()["error"]["field_violations"][0]["field"], "emails");
    // a user token is refused (tenant only)
    let u = user_token(&app, HOST).await;
    let r = call(
        &app,
        Method::POST,
        "/open-apis/contact/v3/users/batch_get_id",
        &u,
        Some(json!({"emails": []})),
    )
    .await;
    assert_err(&r, 400, 99991668, "user access token not support");
}

#[tokio::test]
async fn contact_get_reads_a_user_by_any_id_type() {
    let app = TestApp::spawn().await;
    let t = tenant_token(&app).await;
    for (id, kind) in [
        (HOST, "open_id"),
        ("on_host_0001", "union_id"),
        ("host0001", "user_id"),
    ] {
        let r = call(
            &app,
            Method::GET,
            &format!("/open-apis/contact/v3/users/{id}?user_id_type={kind}"),
            &t,
            None,
        )
        .await;
        let u = r.json()["data"]["user"].clone();
        assert_eq!(u["open_id"], HOST, "{}", r.text);
        assert_eq!(u["union_id"], "on_host_0001");
        assert_eq!(u["name"], "Demo Host");
        assert_eq!(u["email"], "host@example.com");
    }
    let r = call(
        &app,
        Method::GET,
        "/open-apis/contact/v3/users/ou_nobody",
        &t,
        None,
    )
    .await;
    assert_err(&r, 400, 41012, "user id invalid error");
    let r = call(
        &app,
        Method::GET,
        "/open-apis/contact/v3/users/host0001",
        &t,
        None,
    )
    .await;
    assert_err(&r, 400, 40001, "invalid parameter");
}
