//! Feishu reserves as reusable schedules: the meeting id comes into being when the meeting
//! starts and differs from the reserve id; each id is unknown to the other kind of endpoint;
//! a reserve opens one meeting at a time and can open another after it ends; reserve apply's
//! own codes 123002 / 123003 / 123004 / 123006 and the 1v1 PSTN call.

use crate::common::{Resp, TestApp};
use crate::feishu::{admin, assert_err, call, tenant_token, user_token, HOST, RESERVE};
use reqwest::Method;
use serde_json::{json, Value};

async fn get(app: &TestApp, t: &str, path: &str) -> Resp {
    call(app, Method::GET, path, t, None).await
}

/// Starts the demo reserve through the admin API; the id of the meeting it opened.
async fn start(app: &TestApp) -> String {
    admin(app, RESERVE, "start", json!({})).await["meeting"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_started_reserve_opens_a_meeting_with_an_id_of_its_own() {
    let app = TestApp::spawn().await;
    let t = tenant_token(&app).await;
    let m = start(&app).await;
    assert_ne!(m, RESERVE);
    assert_eq!(m.len(), 19);
    let active = get(
        &app,
        &t,
        &format!("/open-apis/vc/v1/reserves/{RESERVE}/get_active_meeting"),
    )
    .await;
    assert_eq!(
        active.json()["data"]["meeting"]["id"],
        m.as_str(),
        "{}",
        active.text
    );
    // The meeting id is a meeting; the reserve id is not, and vice versa.
    assert_eq!(
        get(&app, &t, &format!("/open-apis/vc/v1/meetings/{m}"))
            .await
            .json()["code"],
        0
    );
    let r = get(&app, &t, &format!("/open-apis/vc/v1/meetings/{RESERVE}")).await;
    assert_err(&r, 404, 121004, "data not exist");
    let r = get(&app, &t, &format!("/open-apis/vc/v1/reserves/{m}")).await;
    assert_err(&r, 404, 121004, "data not exist");
    // Passing the reserve id where a meeting id belongs fails, as in production.
    let u = user_token(&app, HOST).await;
    let r = call(
        &app,
        Method::PATCH,
        &format!("/open-apis/vc/v1/meetings/{RESERVE}/invite"),
        &u,
        Some(json!({"invitees": [{"id": "ou_guest_0000", "user_type": 1}]})),
    )
    .await;
    assert_err(&r, 404, 122002, "meeting not exist");
    // The reserve itself stays a reserve.
    let r = get(&app, &t, &format!("/open-apis/vc/v1/reserves/{RESERVE}")).await;
    assert_eq!(r.json()["data"]["reserve"]["id"], RESERVE);
}

#[tokio::test]
async fn a_reserve_opens_one_meeting_at_a_time_and_another_after_it_ends() {
    let app = TestApp::spawn().await;
    let t = tenant_token(&app).await;
    let m1 = start(&app).await;
    let again = app
        .admin_try(
            Method::POST,
            &format!("/meetings/{RESERVE}/start"),
            json!({"vendor": "feishu"}),
        )
        .await;
    assert_eq!(again.status.as_u16(), 409, "{}", again.text);
    let u = user_token(&app, HOST).await;
    let end = call(
        &app,
        Method::PATCH,
        &format!("/open-apis/vc/v1/meetings/{m1}/end"),
        &u,
        Some(json!({})),
    )
    .await;
    assert_eq!(end.json()["code"], 0, "{}", end.text);
    let r = get(
        &app,
        &t,
        &format!("/open-apis/vc/v1/reserves/{RESERVE}/get_active_meeting"),
    )
    .await;
    assert_err(&r, 404, 121004, "data not exist");
    let m2 = start(&app).await;
    assert_ne!(m1, m2);
    let no = get(&app, &t, &format!("/open-apis/vc/v1/reserves/{RESERVE}"))
        .await
        .json()["data"]["reserve"]["meeting_no"]
        .as_str()
        .unwrap()
        .to_string();
    let list = get(
        &app,
        &t,
        &format!(
            "/open-apis/vc/v1/meetings/list_by_no?meeting_no={no}&start_time=0&end_time=4102444800"
        ),
    )
    .await
    .json();
    let ids: Vec<&str> = list["data"]["meeting_briefs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [m1.as_str(), m2.as_str()], "{list}");
    // Deleting the reserve leaves its running meeting alone.
    let del = call(
        &app,
        Method::DELETE,
        &format!("/open-apis/vc/v1/reserves/{RESERVE}"),
        &t,
        None,
    )
    .await;
    assert_eq!(del.json()["code"], 0);
    let m = get(&app, &t, &format!("/open-apis/vc/v1/meetings/{m2}")).await;
    assert_eq!(m.json()["data"]["meeting"]["status"], 2);
}

async fn apply(app: &TestApp, settings: Value) -> Resp {
    let t = tenant_token(app).await;
    let end = app.admin_get("/clock").await.json()["now_ms"]
        .as_i64()
        .unwrap()
        / 1000
        + 3600;
    call(
        app,
        Method::POST,
        "/open-apis/vc/v1/reserves/apply",
        &t,
        Some(json!({"end_time": end.to_string(), "owner_id": HOST, "meeting_settings": settings})),
    )
    .await
}

#[tokio::test]
async fn reserve_apply_refuses_with_its_own_codes_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let pstn =
        json!({"callee": {"user_type": 6, "pstn_sip_info": {"main_address": "+86-02187654321"}}});
    let hosts: Vec<Value> = (0..11)
        .map(|i| json!({"user_type": 1, "id": format!("ou_guest_{i:04}")}))
        .collect();
    let cases = [
        (
            json!({"meeting_initial_type": 2, "call_setting": pstn, "auto_record": true}),
            123002,
            "record param error",
        ),
        (
            json!({"assign_host_list": hosts}),
            123003,
            "assign host exceed max limit 10",
        ),
        (
            json!({"assign_host_list": [{"user_type": 2, "id": "ou_guest_0000"}]}),
            123004,
            "assign host error",
        ),
        (
            json!({"assign_host_list": [{"user_type": 1, "id": "not-an-open-id"}]}),
            123004,
            "assign host error",
        ),
        (json!({"password": "12"}), 123006, "invalid password"),
        (json!({"password": "abcd"}), 123006, "invalid password"),
        (
            json!({"meeting_initial_type": 2, "call_setting": {"callee": {"user_type": 1, "id": "ou_guest_0000"}}}),
            121002,
            "not support",
        ),
        (json!({"meeting_initial_type": 2}), 121003, "param error"),
    ];
    let before = app.admin_get("/state").await.json()["tenants"].clone();
    for (settings, code, msg) in cases {
        let r = apply(&app, settings.clone()).await;
        assert_err(&r, 400, code, msg);
        assert!(r.json()["error"]["log_id"].is_string(), "{settings}");
    }
    assert_eq!(app.admin_get("/state").await.json()["tenants"], before);
}

#[tokio::test]
async fn reserve_apply_takes_a_1v1_pstn_call_and_reports_hosts_naming_nobody() {
    let app = TestApp::spawn().await;
    let pstn = json!({"callee": {"user_type": 6, "pstn_sip_info": {"nickname": "dodo", "main_address": "+86-02187654321"}}});
    let r = apply(
        &app,
        json!({"meeting_initial_type": 2, "call_setting": pstn, "password": "971024"}),
    )
    .await;
    assert_eq!(r.json()["code"], 0, "{}", r.text);
    assert_eq!(r.json()["data"]["reserve"]["password"], "971024");
    let r = apply(
        &app,
        json!({"topic": "t", "assign_host_list": [{"user_type": 1, "id": "ou_guest_0001"}, {"user_type": 1, "id": "ou_nobody"}]}),
    )
    .await;
    assert_eq!(
        r.json()["data"]["reserve_correction_check_info"]["invalid_host_id_list"],
        json!(["ou_nobody"])
    );
}
