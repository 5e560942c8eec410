//! Feishu / Lark VC v1: tokens, gateway auth, reserves, meetings, invite rules, rate limits,
//! over real HTTP against the demo scenario (app `cli_demo_feishu`).

use crate::common::{Resp, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const APP: &str = "cli_demo_feishu";
const SECRET: &str = "demo_feishu_secret";
const LIVE: &str = "7000000000000000028";
const RESERVE: &str = "6911188411934973028";
const HOST: &str = "ou_host_0001";

async fn tenant_token(app: &TestApp) -> String {
    let r = app
        .send(
            Method::POST,
            "/open-apis/auth/v3/tenant_access_token/internal",
            &[],
            json!({"app_id": APP, "app_secret": SECRET}).to_string(),
        )
        .await;
    r.json()["tenant_access_token"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn app_token(app: &TestApp) -> String {
    let r = app
        .send(
            Method::POST,
            "/open-apis/auth/v3/app_access_token/internal",
            &[],
            json!({"app_id": APP, "app_secret": SECRET}).to_string(),
        )
        .await;
    r.json()["app_access_token"].as_str().unwrap().to_string()
}

async fn login_code(app: &TestApp, user: &str) -> String {
    let v = app
        .admin_post(
            "/vendors/feishu/login_code",
            json!({"app_id": APP, "user": user}),
        )
        .await;
    v["code"].as_str().unwrap().to_string()
}

async fn user_token(app: &TestApp, user: &str) -> String {
    let code = login_code(app, user).await;
    let a = app_token(app).await;
    let r = call(
        app,
        Method::POST,
        "/open-apis/authen/v1/oidc/access_token",
        &a,
        Some(json!({"grant_type": "authorization_code", "code": code})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()["data"]["access_token"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn call(app: &TestApp, m: Method, path: &str, token: &str, body: Option<Value>) -> Resp {
    let auth = format!("Bearer {token}");
    match body {
        Some(b) => {
            app.send_json(m, path, &[("authorization", &auth)], &b)
                .await
        }
        None => app.send(m, path, &[("authorization", &auth)], "").await,
    }
}

async fn invite(app: &TestApp, token: &str, meeting: &str, ids: &[&str]) -> Resp {
    let invitees: Vec<Value> = ids
        .iter()
        .map(|i| json!({"id": i, "user_type": 1}))
        .collect();
    call(
        app,
        Method::PATCH,
        &format!("/open-apis/vc/v1/meetings/{meeting}/invite"),
        token,
        Some(json!({"invitees": invitees})),
    )
    .await
}

fn assert_err(r: &Resp, status: u16, code: i64, msg: &str) {
    assert_eq!(r.status.as_u16(), status, "{}", r.text);
    let v = r.json();
    assert_eq!(v["code"], code, "{}", r.text);
    assert_eq!(v["msg"], msg, "{}", r.text);
}

async fn admin_meeting(app: &TestApp, id: &str) -> Value {
    app.admin_get(&format!("/meetings/{id}?vendor=feishu"))
        .await
        .json()["meeting"]
        .clone()
}

async fn admin(app: &TestApp, id: &str, action: &str, extra: Value) -> Value {
    let mut body = json!({"vendor": "feishu"});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    app.admin_post(&format!("/meetings/{id}/{action}"), body)
        .await
}

// ---- tokens ----

#[tokio::test]
async fn tenant_token_is_flat_and_reused_while_thirty_minutes_remain() {
    let app = TestApp::spawn().await;
    let body = json!({"app_id": APP, "app_secret": SECRET}).to_string();
    let r = app
        .send(
            Method::POST,
            "/open-apis/auth/v3/tenant_access_token/internal",
            &[],
            body.clone(),
        )
        .await;
    let v = r.json();
    assert_eq!(v["code"], 0);
    assert_eq!(v["msg"], "ok");
    assert_eq!(v["expire"], 7200);
    assert!(v.get("data").is_none());
    let first = v["tenant_access_token"].as_str().unwrap().to_string();
    assert!(first.starts_with("t-"));
    app.advance_secs(60.0).await;
    let v2 = app
        .send(
            Method::POST,
            "/open-apis/auth/v3/tenant_access_token/internal/",
            &[],
            body.clone(),
        )
        .await
        .json();
    assert_eq!(v2["tenant_access_token"], first.as_str());
    let left = v2["expire"].as_i64().unwrap();
    assert!((7138..=7140).contains(&left), "{left}");
    app.advance_secs(5500.0).await;
    let v3 = app
        .send(
            Method::POST,
            "/open-apis/auth/v3/tenant_access_token/internal",
            &[],
            body,
        )
        .await
        .json();
    assert_ne!(v3["tenant_access_token"], first.as_str());
    assert_eq!(v3["expire"], 7200);
}

#[tokio::test]
async fn wrong_app_secret_is_http_200_with_10014() {
    let app = TestApp::spawn().await;
    let r = app
        .send(
            Method::POST,
            "/open-apis/auth/v3/tenant_access_token/internal",
            &[],
            json!({"app_id": APP, "app_secret": "nope"}).to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json(),
        json!({"code": 10014, "msg": "app secret invalid"})
    );
}

#[tokio::test]
async fn malformed_token_request_is_http_200_with_10003() {
    let app = TestApp::spawn().await;
    let r = app
        .send(
            Method::POST,
            "/open-apis/auth/v3/app_access_token/internal",
            &[],
            "not json",
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json(), json!({"code": 10003, "msg": "invalid param"}));
}

#[tokio::test]
async fn app_token_answer_carries_the_tenant_token_too() {
    let app = TestApp::spawn().await;
    let v = app
        .send(
            Method::POST,
            "/open-apis/auth/v3/app_access_token/internal",
            &[],
            json!({"app_id": APP, "app_secret": SECRET}).to_string(),
        )
        .await
        .json();
    assert!(v["app_access_token"].as_str().unwrap().starts_with("a-"));
    assert!(v["tenant_access_token"].as_str().unwrap().starts_with("t-"));
}

#[tokio::test]
async fn login_code_is_single_use_and_oidc_refresh_rotates() {
    let app = TestApp::spawn().await;
    let code = login_code(&app, HOST).await;
    let a = app_token(&app).await;
    let body = json!({"grant_type": "authorization_code", "code": code});
    let r = call(
        &app,
        Method::POST,
        "/open-apis/authen/v1/oidc/access_token",
        &a,
        Some(body.clone()),
    )
    .await;
    let d = r.json()["data"].clone();
    assert!(d["access_token"].as_str().unwrap().starts_with("u-"));
    assert_eq!(d["token_type"], "Bearer");
    let again = call(
        &app,
        Method::POST,
        "/open-apis/authen/v1/oidc/access_token",
        &a,
        Some(body),
    )
    .await;
    assert_err(&again, 400, 20007, "generate access_token fail");
    let rt = d["refresh_token"].as_str().unwrap();
    assert!(rt.starts_with("ur-"));
    let rb = json!({"grant_type": "refresh_token", "refresh_token": rt});
    let r2 = call(
        &app,
        Method::POST,
        "/open-apis/authen/v1/oidc/refresh_access_token",
        &a,
        Some(rb.clone()),
    )
    .await;
    assert_eq!(r2.json()["code"], 0);
    let r3 = call(
        &app,
        Method::POST,
        "/open-apis/authen/v1/oidc/refresh_access_token",
        &a,
        Some(rb),
    )
    .await;
    assert_err(&r3, 400, 20026, "refresh token invalid");
}

#[tokio::test]
async fn login_code_expires_after_five_minutes() {
    let app = TestApp::spawn().await;
    let code = login_code(&app, HOST).await;
    app.advance_secs(301.0).await;
    let r = app
        .send_json(
            Method::POST,
            "/oauth/v3/token",
            &[],
            &json!({"grant_type": "authorization_code",
        "code": code, "client_id": APP, "client_secret": SECRET}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["code"], 20003);
    assert_eq!(r.json()["error"], "invalid_grant");
}

#[tokio::test]
async fn oauth_v2_token_exchanges_a_code_and_rejects_a_bad_secret() {
    let app = TestApp::spawn().await;
    let code = login_code(&app, "on_guest_0001").await;
    let r = app
        .send_json(
            Method::POST,
            "/open-apis/authen/v2/oauth/token",
            &[],
            &json!({"grant_type": "authorization_code",
        "code": code, "client_id": APP, "client_secret": SECRET}),
        )
        .await;
    let v = r.json();
    assert_eq!(v["code"], 0);
    assert!(v["access_token"].as_str().unwrap().starts_with("u-"));
    assert_eq!(v["expires_in"], 7200);
    let bad = app
        .send_json(
            Method::POST,
            "/open-apis/authen/v2/oauth/token",
            &[],
            &json!({"grant_type": "authorization_code",
        "code": "x", "client_id": APP, "client_secret": "wrong"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json()["error"], "invalid_client");
    assert_eq!(bad.json()["code"], 20002);
    // the user token speaks for the user the code was issued to
    let u = v["access_token"].as_str().unwrap();
    let info = call(&app, Method::GET, "/open-apis/authen/v1/user_info", u, None)
        .await
        .json();
    assert_eq!(info["data"]["open_id"], "ou_guest_0001");
    assert_eq!(info["data"]["union_id"], "on_guest_0001");
}

// ---- gateway ----

#[tokio::test]
async fn missing_token_is_99991661_with_log_id_echoed() {
    let app = TestApp::spawn().await;
    let r = app
        .send(
            Method::GET,
            &format!("/open-apis/vc/v1/meetings/{LIVE}"),
            &[],
            "",
        )
        .await;
    assert_err(
        &r,
        400,
        99991661,
        "Missing access token for authorization. Please make a request with token attached.",
    );
    let log = r.header("x-tt-logid").unwrap().to_string();
    assert_eq!(log.len(), 30);
    assert_eq!(r.json()["error"]["log_id"], log.as_str());
}

#[tokio::test]
async fn unknown_user_token_is_99991668_and_unknown_tenant_token_99991663() {
    let app = TestApp::spawn().await;
    let r = invite(&app, "u-bogus", LIVE, &["ou_guest_0000"]).await;
    assert_err(
        &r,
        400,
        99991668,
        "Invalid access token for authorization. Please make a request with token attached.",
    );
    let r = call(
        &app,
        Method::GET,
        &format!("/open-apis/vc/v1/meetings/{LIVE}"),
        "t-bogus",
        None,
    )
    .await;
    assert_err(
        &r,
        400,
        99991663,
        "Invalid access token for authorization. Please make a request with token attached.",
    );
}

#[tokio::test]
async fn tenant_token_on_invite_is_99991663_not_support() {
    let app = TestApp::spawn().await;
    let t = tenant_token(&app).await;
    let r = invite(&app, &t, LIVE, &["ou_guest_0000"]).await;
    assert_err(&r, 400, 99991663, "tenant access token not support");
}

#[tokio::test]
async fn user_token_on_kickout_is_99991668_not_support() {
    let app = TestApp::spawn().await;
    let u = user_token(&app, HOST).await;
    let r = call(
        &app,
        Method::POST,
        &format!("/open-apis/vc/v1/meetings/{LIVE}/kickout"),
        &u,
        Some(json!({"kickout_users": [{"id": "ou_guest_0000", "user_type": 1}]})),
    )
    .await;
    assert_err(&r, 400, 99991668, "user access token not support");
}

#[tokio::test]
async fn expired_user_token_is_99991677() {
    let app = TestApp::spawn().await;
    let u = user_token(&app, HOST).await;
    app.admin_post("/tokens/expire", json!({"token": u})).await;
    let r = invite(&app, &u, LIVE, &["ou_guest_0000"]).await;
    assert_err(&r, 400, 99991677, "Authentication token expired");
}

#[tokio::test]
async fn unknown_path_and_wrong_method_are_plain_text_404() {
    let app = TestApp::spawn().await;
    for (m, p) in [
        (Method::GET, "/open-apis/vc/v1/nothing"),
        (Method::GET, "/open-apis/vc/v1/meetings/1/invite"),
        (Method::GET, "/oauth/v9"),
    ] {
        let r = app.send(m, p, &[], "").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.text, "404 page not found");
        assert!(r.header("content-type").unwrap().starts_with("text/plain"));
        assert!(r.header("x-tt-logid").is_some());
    }
}

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
    admin(&app, &id, "start", json!({})).await;
    let a = call(
        &app,
        Method::GET,
        &format!("/open-apis/vc/v1/reserves/{id}/get_active_meeting?with_participants=True"),
        &t,
        None,
    )
    .await;
    let m = a.json()["data"]["meeting"].clone();
    assert_eq!(m["id"], id.as_str());
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

// ---- invite ----

#[tokio::test]
async fn invite_three_returns_one_result_each_and_they_are_calling() {
    let app = TestApp::spawn().await;
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

// ---- rate limit ----

#[tokio::test]
async fn meeting_get_over_fifty_a_second_is_429_with_ogw_headers() {
    let app = TestApp::spawn().await;
    let t = tenant_token(&app).await;
    let path = format!("/open-apis/vc/v1/meetings/{LIVE}");
    let mut ok = 0;
    let mut refused = None;
    for _ in 0..400 {
        let r = call(&app, Method::GET, &path, &t, None).await;
        if r.status == StatusCode::OK {
            ok += 1;
        } else {
            refused = Some(r);
            break;
        }
    }
    let r = refused.expect("a burst of meeting.get calls is refused");
    assert!(ok >= 50, "only {ok} calls passed before the refusal");
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        r.json(),
        json!({"code": 99991400, "msg": "request trigger frequency limit"})
    );
    assert_eq!(r.header("x-ogw-ratelimit-limit"), Some("50"));
    assert_eq!(r.header("x-ogw-ratelimit-reset"), Some("1"));
    // token endpoints have no documented limit
    for _ in 0..60 {
        let r = app
            .send(
                Method::POST,
                "/open-apis/auth/v3/tenant_access_token/internal",
                &[],
                json!({"app_id": APP, "app_secret": SECRET}).to_string(),
            )
            .await;
        assert_eq!(r.json()["code"], 0);
    }
}

#[tokio::test]
async fn a_scenario_limit_of_two_per_minute_refuses_the_third_call() {
    let app = TestApp::spawn_config(
        meetmock::config::Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            no_demo: false,
            ..Default::default()
        },
        "name: tight\nrate_limits:\n  feishu: [{limit: 2, window_secs: 60}]\n",
    )
    .await;
    let t = tenant_token(&app).await;
    let path = format!("/open-apis/vc/v1/meetings/{LIVE}");
    for _ in 0..2 {
        assert_eq!(
            call(&app, Method::GET, &path, &t, None).await.status,
            StatusCode::OK
        );
    }
    let r = call(&app, Method::GET, &path, &t, None).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.header("x-ogw-ratelimit-limit"), Some("2"));
    app.advance_secs(60.0).await;
    assert_eq!(
        call(&app, Method::GET, &path, &t, None).await.status,
        StatusCode::OK
    );
}
