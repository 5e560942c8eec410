//! Feishu app types and scopes: the store-app (ISV) token flow (app_ticket → `a-` app token →
//! `t-` tenant token; 10012 / 10013 / 10016), a self-built app's tenant token standing in for
//! its app token on the authen v1 endpoints (the Node SDK's path) while a store app's does
//! not, the scopes a tenant grants (99991672) and a user grants (99991679), and the
//! token-format codes 99991665 / 99991669 / 99991671.

use crate::common::{Resp, TestApp};
use crate::feishu::{assert_err, call, login_code, tenant_token, APP, HOST, LIVE};
use reqwest::Method;
use serde_json::{json, Value};

const STORE: &str = "cli_store_app";
const STORE_SECRET: &str = "store_secret";

async fn with_store_app() -> TestApp {
    TestApp::spawn_config(
        meetmock::config::Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            no_demo: false,
            ..Default::default()
        },
        "name: store\ntenants:\n  - vendor: feishu\n    id: cli_store_app\n    secret: store_secret\n    extra: {app_type: store}\n    users:\n      - { id: ou_s_host, name: S Host }\n",
    )
    .await
}

async fn post(app: &TestApp, path: &str, body: Value) -> Resp {
    app.send(Method::POST, path, &[], body.to_string()).await
}

/// The store app's ticket, as the `app_ticket` event would carry it.
async fn ticket(app: &TestApp) -> Value {
    app.admin_post("/vendors/feishu/app_ticket", json!({"app_id": STORE}))
        .await
}

#[tokio::test]
async fn a_store_app_exchanges_its_ticket_for_an_app_token_then_a_tenant_token() {
    let app = with_store_app().await;
    let r = post(
        &app,
        "/open-apis/auth/v3/app_ticket/resend",
        json!({"app_id": STORE, "app_secret": STORE_SECRET}),
    )
    .await;
    assert_eq!(r.json(), json!({"code": 0, "msg": "success"}));
    let tk = ticket(&app).await;
    let r = post(
        &app,
        "/open-apis/auth/v3/app_access_token",
        json!({"app_id": STORE, "app_secret": STORE_SECRET, "app_ticket": tk["app_ticket"]}),
    )
    .await;
    let v = r.json();
    assert_eq!(
        (v["code"].clone(), v["msg"].clone()),
        (json!(0), json!("success"))
    );
    let at = v["app_access_token"].as_str().unwrap().to_string();
    assert!(at.starts_with("a-"), "{v}");
    assert_eq!(v["expire"], 7200);
    let r = post(
        &app,
        "/open-apis/auth/v3/tenant_access_token",
        json!({"app_access_token": at, "tenant_key": tk["tenant_key"]}),
    )
    .await;
    let t = r.json()["tenant_access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(t.starts_with("t-") && t != at);
    // The tenant token works on the store app's own data.
    let r = call(
        &app,
        Method::GET,
        "/open-apis/vc/v1/meetings/list_by_no?meeting_no=123456789&start_time=0&end_time=1",
        &t,
        None,
    )
    .await;
    assert_eq!(r.json()["code"], 0, "{}", r.text);
    // The app token buys user tokens; the store app's tenant token does not.
    let code = app
        .admin_post(
            "/vendors/feishu/login_code",
            json!({"app_id": STORE, "user": "ou_s_host"}),
        )
        .await["code"]
        .clone();
    let body = json!({"grant_type": "authorization_code", "code": code});
    let refused = call(
        &app,
        Method::POST,
        "/open-apis/authen/v1/oidc/access_token",
        &t,
        Some(body.clone()),
    )
    .await;
    assert_err(&refused, 400, 99991663, "tenant access token not support");
    let ok = call(
        &app,
        Method::POST,
        "/open-apis/authen/v1/oidc/access_token",
        &at,
        Some(body),
    )
    .await;
    assert!(ok.json()["data"]["access_token"]
        .as_str()
        .unwrap()
        .starts_with("u-"));
    // An app token is no tenant token.
    let r = call(
        &app,
        Method::GET,
        &format!("/open-apis/vc/v1/meetings/{LIVE}"),
        &at,
        None,
    )
    .await;
    assert_err(&r, 400, 99991664, "invalid app token");
}

#[tokio::test]
async fn store_app_token_refusals_are_flat_http_200_codes() {
    let app = with_store_app().await;
    let bad_ticket = post(
        &app,
        "/open-apis/auth/v3/app_access_token",
        json!({"app_id": STORE, "app_secret": STORE_SECRET, "app_ticket": "nope"}),
    )
    .await;
    assert_eq!(bad_ticket.status.as_u16(), 200);
    assert_eq!(
        bad_ticket.json(),
        json!({"code": 10012, "msg": "app ticket invalid"})
    );
    // A ticket expires (12 h on the server clock).
    let tk = ticket(&app).await;
    app.advance_secs(12.0 * 3600.0 + 1.0).await;
    let stale = post(
        &app,
        "/open-apis/auth/v3/app_access_token",
        json!({"app_id": STORE, "app_secret": STORE_SECRET, "app_ticket": tk["app_ticket"]}),
    )
    .await;
    assert_eq!(stale.json()["code"], 10012);
    let wrong_key = post(
        &app,
        "/open-apis/auth/v3/tenant_access_token",
        json!({"app_access_token": "a-unknown", "tenant_key": "x"}),
    )
    .await;
    assert_eq!(
        wrong_key.json(),
        json!({"code": 10013, "msg": "get tenant access token fail"})
    );
    let self_built = post(
        &app,
        "/open-apis/auth/v3/app_ticket/resend",
        json!({"app_id": APP, "app_secret": "demo_feishu_secret"}),
    )
    .await;
    assert_eq!(
        self_built.json(),
        json!({"code": 10016, "msg": "app resend fail"})
    );
    // A store app has no internal tokens.
    let internal = post(
        &app,
        "/open-apis/auth/v3/tenant_access_token/internal",
        json!({"app_id": STORE, "app_secret": STORE_SECRET}),
    )
    .await;
    assert_eq!(internal.json()["code"], 10003);
}

#[tokio::test]
async fn a_self_built_apps_tenant_token_buys_user_tokens_on_every_authen_v1_endpoint() {
    let app = TestApp::spawn().await;
    let t = tenant_token(&app).await;
    for path in [
        "/open-apis/authen/v1/oidc/access_token",
        "/open-apis/authen/v1/access_token",
    ] {
        let code = login_code(&app, HOST).await;
        let r = call(
            &app,
            Method::POST,
            path,
            &t,
            Some(json!({"grant_type": "authorization_code", "code": code})),
        )
        .await;
        assert_eq!(r.json()["code"], 0, "{path}: {}", r.text);
        let rt = r.json()["data"]["refresh_token"]
            .as_str()
            .unwrap()
            .to_string();
        let again = call(
            &app,
            Method::POST,
            "/open-apis/authen/v1/oidc/refresh_access_token",
            &t,
            Some(json!({"grant_type": "refresh_token", "refresh_token": rt})),
        )
        .await;
        assert_eq!(again.json()["code"], 0, "{}", again.text);
    }
}

#[tokio::test]
async fn an_app_without_the_apis_scope_gets_99991672_listing_it() {
    let app = TestApp::spawn().await;
    let set = app
        .admin_post(
            "/vendors/feishu/app",
            json!({"app_id": APP, "scopes": ["vc:meeting"]}),
        )
        .await;
    assert_eq!(set["scopes"], json!(["vc:meeting"]));
    let t = tenant_token(&app).await;
    let r = call(
        &app,
        Method::GET,
        &format!("/open-apis/vc/v1/meetings/{LIVE}"),
        &t,
        None,
    )
    .await;
    assert_eq!(r.status.as_u16(), 400);
    let v = r.json();
    assert_eq!(v["code"], 99991672);
    let msg = v["msg"].as_str().unwrap();
    assert!(
        msg.starts_with(
            "Access denied. One of the following scopes is required: [vc:meeting:readonly]"
        ),
        "{msg}"
    );
    assert_eq!(
        v["error"]["permission_violations"],
        json!([{"type": "action_scope_required", "subject": "vc:meeting:readonly"}])
    );
    assert!(v["error"]["log_id"].is_string());
    // The write scope it has still works; user_id ids need the employee-id field scope.
    let k = call(
        &app,
        Method::POST,
        &format!("/open-apis/vc/v1/meetings/{LIVE}/kickout?user_id_type=user_id"),
        &t,
        Some(json!({"kickout_users": [{"id": "guest0001", "user_type": 1}]})),
    )
    .await;
    assert_eq!(k.json()["code"], 99991672);
    assert!(k.text.contains("contact:user.employee_id:readonly"));
    // Granting every scope again (null) lifts it.
    app.admin_post(
        "/vendors/feishu/app",
        json!({"app_id": APP, "scopes": null}),
    )
    .await;
    let r = call(
        &app,
        Method::GET,
        &format!("/open-apis/vc/v1/meetings/{LIVE}"),
        &t,
        None,
    )
    .await;
    assert_eq!(r.json()["code"], 0);
}

#[tokio::test]
async fn a_user_token_without_the_scope_gets_99991679() {
    let app = TestApp::spawn().await;
    let code = app
        .admin_post(
            "/vendors/feishu/login_code",
            json!({"app_id": APP, "user": HOST, "scope": "vc:meeting:readonly"}),
        )
        .await["code"]
        .clone();
    let t = tenant_token(&app).await;
    let r = call(
        &app,
        Method::POST,
        "/open-apis/authen/v1/oidc/access_token",
        &t,
        Some(json!({"grant_type": "authorization_code", "code": code})),
    )
    .await;
    let d = r.json()["data"].clone();
    assert_eq!(d["scope"], "vc:meeting:readonly");
    let u = d["access_token"].as_str().unwrap();
    let get = call(
        &app,
        Method::GET,
        &format!("/open-apis/vc/v1/meetings/{LIVE}"),
        u,
        None,
    )
    .await;
    assert_eq!(get.json()["code"], 0, "{}", get.text);
    let inv = call(
        &app,
        Method::PATCH,
        &format!("/open-apis/vc/v1/meetings/{LIVE}/invite"),
        u,
        Some(json!({"invitees": [{"id": "ou_guest_0000", "user_type": 1}]})),
    )
    .await;
    assert_eq!(inv.status.as_u16(), 400);
    assert_eq!(inv.json()["code"], 99991679);
    assert!(inv.json()["msg"]
        .as_str()
        .unwrap()
        .contains("under the user identity: [vc:meeting]"));
    // nothing changed: the guest was not called
    let m = crate::feishu::admin_meeting(&app, LIVE).await;
    assert_eq!(m["participants"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn unknown_tokens_are_told_apart_by_their_format() {
    let app = TestApp::spawn().await;
    let path = format!("/open-apis/vc/v1/meetings/{LIVE}");
    let cases = [
        ("t-", 99991665, "invalid tenant code"),
        ("t-abc/def", 99991665, "invalid tenant code"),
        ("ur-0123456789", 99991669, "invalid user refresh token"),
        ("bogus", 99991671, "Invalid token: must start with t-/u-"),
    ];
    for (tok, code, msg) in cases {
        let r = call(&app, Method::GET, &path, tok, None).await;
        assert_err(&r, 400, code, msg);
    }
}

#[tokio::test]
async fn app_settings_are_validated_and_survive_a_state_round_trip() {
    let app = with_store_app().await;
    let bad = app
        .admin_try(
            Method::POST,
            "/vendors/feishu/app",
            json!({"app_id": APP, "app_type": "shop"}),
        )
        .await;
    assert_eq!(bad.status.as_u16(), 400, "{}", bad.text);
    let state = app.admin_get("/state").await.json();
    let store = state["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == STORE)
        .unwrap()
        .clone();
    assert_eq!(store["extra"]["app_type"], "store");
    let r = app
        .send(Method::PUT, "/__admin/state", &[], state.to_string())
        .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.text);
    let tk = ticket(&app).await;
    assert!(
        tk["app_ticket"].is_string(),
        "still a store app after import"
    );
    // A scenario with a bad setting does not load.
    let r = app
        .send(
            Method::POST,
            "/__admin/scenarios",
            &[],
            "tenants:\n  - vendor: feishu\n    id: cli_x\n    secret: s\n    extra: {app_kind: store}\n",
        )
        .await;
    assert_eq!(r.status.as_u16(), 400, "{}", r.text);
    assert!(r.text.contains("app_kind"), "{}", r.text);
}

#[tokio::test]
async fn the_store_app_library_file_runs_the_isv_token_flow() {
    let app = crate::faults_common::with_library("feishu-store-app.yaml").await;
    let tk = app
        .admin_post(
            "/vendors/feishu/app_ticket",
            json!({"app_id": "cli_store_demo"}),
        )
        .await;
    let at = post(
        &app,
        "/open-apis/auth/v3/app_access_token",
        json!({"app_id": "cli_store_demo", "app_secret": "store_demo_secret", "app_ticket": tk["app_ticket"]}),
    )
    .await
    .json()["app_access_token"]
        .clone();
    let t = post(
        &app,
        "/open-apis/auth/v3/tenant_access_token",
        json!({"app_access_token": at, "tenant_key": tk["tenant_key"]}),
    )
    .await
    .json()["tenant_access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let m = call(
        &app,
        Method::GET,
        "/open-apis/vc/v1/meetings/7400000000000000001",
        &t,
        None,
    )
    .await;
    assert_eq!(
        m.json()["data"]["meeting"]["topic"],
        "Store app standup",
        "{}",
        m.text
    );
    let stale = post(
        &app,
        "/open-apis/auth/v3/app_access_token",
        json!({"app_id": "cli_store_demo", "app_secret": "store_demo_secret", "app_ticket": "old"}),
    )
    .await;
    assert_eq!(stale.json()["code"], 10012);
}

#[tokio::test]
async fn the_missing_scope_library_file_refuses_reads_with_99991672() {
    let app = crate::faults_common::with_library("feishu-missing-scope.yaml").await;
    let t = tenant_token(&app).await;
    let r = call(
        &app,
        Method::GET,
        &format!("/open-apis/vc/v1/meetings/{LIVE}"),
        &t,
        None,
    )
    .await;
    assert_eq!(r.json()["code"], 99991672, "{}", r.text);
    let end = app.admin_get("/clock").await.json()["now_ms"]
        .as_i64()
        .unwrap()
        / 1000
        + 3600;
    let r = call(&app, Method::POST, "/open-apis/vc/v1/reserves/apply", &t, Some(json!({"end_time": end.to_string(), "owner_id": HOST, "meeting_settings": {"topic": "x"}}))).await;
    assert_eq!(r.json()["code"], 99991672);
    assert!(r.text.contains("[vc:reserve]"), "{}", r.text);
    let u = crate::feishu::user_token(&app, HOST).await;
    let inv = crate::feishu::invite(&app, &u, LIVE, &["ou_guest_0000"]).await;
    assert_eq!(inv.json()["code"], 0, "{}", inv.text);
}
