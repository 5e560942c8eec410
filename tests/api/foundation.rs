//! The foundation: server, admin API, scenarios, journal, clock, state — independent of any
//! vendor's endpoints.

use crate::common::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::json;

const SCENARIO: &str = r#"
name: foundation
tenants:
  - vendor: feishu
    id: cli_found
    secret: s3cret
    users:
      - { id: ou_host, name: Host }
      - { id: ou_a, name: Alice }
      - { id: ou_b, name: Bob }
    meetings:
      - id: "7000000000000000001"
        topic: Standup
        host: ou_host
        state: in_progress
        capacity: 3
      - id: "7000000000000000002"
        host: ou_host
  - vendor: tencent
    id: "2000001"
    secret: key
    users: [{ id: userA }]
    meetings:
      - { id: "7000000000000000001", host: userA }
"#;

#[tokio::test]
async fn health_reports_ok_over_http_and_https_on_one_port() {
    let app = TestApp::spawn_with(SCENARIO).await;
    let r = app.admin_get("/health").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["status"], "ok");
    let tls = app
        .client
        .get(app.https_url("/__admin/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(tls.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_path_no_vendor_owns_is_a_json_404() {
    let app = TestApp::spawn_with(SCENARIO).await;
    let r = app.send(Method::GET, "/nothing/here", &[], "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["error"], "not_found");
}

#[tokio::test]
async fn admin_start_lock_capacity_and_join_change_the_meeting() {
    let app = TestApp::spawn_with(SCENARIO).await;
    let m = app
        .admin_post(
            "/meetings/7000000000000000002/start",
            json!({"vendor": "feishu"}),
        )
        .await;
    assert_eq!(m["meeting"]["state"], "in_progress");
    assert_eq!(m["meeting"]["participants"][0]["user_id"], "ou_host");
    // A Feishu reserve is a reusable schedule: starting it opens a meeting with its own id.
    let id = m["meeting"]["id"].as_str().unwrap().to_string();
    assert_ne!(id, "7000000000000000002");
    app.admin_post(&format!("/meetings/{id}/lock"), json!({"vendor": "feishu"}))
        .await;
    let m = app
        .admin_post(
            &format!("/meetings/{id}/capacity"),
            json!({"vendor": "feishu", "capacity": 2}),
        )
        .await;
    assert_eq!(m["meeting"]["locked"], true);
    assert_eq!(m["meeting"]["capacity"], 2);
    app.admin_post(
        &format!("/meetings/{id}/join"),
        json!({"vendor": "feishu", "user": "ou_a"}),
    )
    .await;
    let full = app
        .admin_try(
            Method::POST,
            &format!("/meetings/{id}/join"),
            json!({"vendor": "feishu", "user": "ou_b"}),
        )
        .await;
    assert_eq!(full.status, StatusCode::CONFLICT, "{}", full.text);
    assert!(full.json()["message"].as_str().unwrap().contains("full"));
}

#[tokio::test]
async fn an_ambiguous_meeting_id_asks_for_vendor_and_tenant() {
    let app = TestApp::spawn_with(SCENARIO).await;
    let r = app
        .admin_try(
            Method::POST,
            "/meetings/7000000000000000001/lock",
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = app
        .admin_try(
            Method::POST,
            "/meetings/7000000000000000001/lock",
            json!({"vendor": "tencent"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn reset_returns_to_the_initial_state_exactly() {
    let app = TestApp::spawn_with(SCENARIO).await;
    let before = app.admin_get("/state").await.json();
    app.admin_post(
        "/meetings/7000000000000000002/start",
        json!({"vendor": "feishu"}),
    )
    .await;
    app.admin_post("/users/ou_a/busy", json!({})).await;
    app.advance_secs(600.0).await;
    assert_ne!(app.admin_get("/state").await.json(), before);
    app.admin_post("/reset", json!({})).await;
    let mut after = app.admin_get("/state").await.json();
    let mut before = before;
    // created_at / started_at follow the clock at apply time, and the change stream keeps
    // counting across a reset (its positions are never reused); compare the rest exactly.
    for s in [&mut before, &mut after] {
        s.as_object_mut().unwrap().remove("last_change_seq");
        for t in s["tenants"].as_array_mut().unwrap() {
            for m in t["meetings"].as_array_mut().unwrap() {
                for k in ["created_at", "started_at", "start_time", "end_time"] {
                    m.as_object_mut().unwrap().remove(k);
                }
                for p in m["participants"].as_array_mut().into_iter().flatten() {
                    p.as_object_mut().unwrap().remove("joined_at");
                }
            }
        }
    }
    assert_eq!(after, before);
    assert_eq!(app.admin_get("/clock").await.json()["offset_ms"], 0);
}

#[tokio::test]
async fn state_export_then_import_round_trips() {
    let app = TestApp::spawn_with(SCENARIO).await;
    app.admin_post("/users/ou_b/unregistered", json!({})).await;
    let exported = app.admin_get("/state").await.json();
    app.admin_post("/reset", json!({})).await;
    let r = app.admin_try(Method::PUT, "/state", exported.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(app.admin_get("/state").await.json(), exported);
}

#[tokio::test]
async fn a_broken_state_import_changes_nothing() {
    let app = TestApp::spawn_with(SCENARIO).await;
    let before = app.admin_get("/state").await.json();
    let r = app
        .admin_try(Method::PUT, "/state", json!({"tenants": "nope"}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.admin_get("/state").await.json(), before);
}

#[tokio::test]
async fn a_scenario_with_a_host_who_is_not_a_user_is_refused_with_line_and_column() {
    let app = TestApp::spawn_with(SCENARIO).await;
    let before = app.admin_get("/state").await.json();
    let bad = "tenants:\n  - vendor: feishu\n    id: cli_x\n    users: [{id: ou_1}]\n    meetings:\n      - id: m1\n        host: ou_ghost\n";
    let r = app.send(Method::POST, "/__admin/scenarios", &[], bad).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let msg = r.json()["message"].as_str().unwrap().to_string();
    assert!(msg.starts_with("<admin>:6:"), "{msg}");
    assert!(msg.contains("host \"ou_ghost\" is not a user"), "{msg}");
    assert_eq!(app.admin_get("/state").await.json(), before);
}

#[tokio::test]
async fn a_scenario_with_an_unknown_field_names_the_field() {
    let vendors = meetmock::vendors::registry();
    let err = meetmock::scenario::parse(
        "x.yaml",
        "tenants:\n  - vendor: feishu\n    id: a\n    colour: red\n",
        &vendors,
    )
    .unwrap_err();
    assert_eq!(err.len(), 1);
    assert_eq!(err[0].file, "x.yaml");
    assert_eq!(err[0].line, 4, "{}", err[0]);
    assert!(err[0].message.contains("colour"), "{}", err[0]);
}

#[tokio::test]
async fn a_scenario_naming_an_unknown_vendor_is_refused() {
    let vendors = meetmock::vendors::registry();
    let err = meetmock::scenario::parse(
        "x.yaml",
        "tenants:\n  - vendor: zoom\n    id: a\n",
        &vendors,
    )
    .unwrap_err();
    assert!(
        err[0].message.contains("unknown vendor \"zoom\""),
        "{}",
        err[0]
    );
    assert_eq!(err[0].line, 2);
}

#[tokio::test]
async fn the_admin_token_guards_every_admin_call() {
    let config = meetmock::config::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        no_demo: true,
        admin_token: Some("letmein".into()),
        ..Default::default()
    };
    let app = TestApp::spawn_config(config, SCENARIO).await;
    let r = app.admin_try(Method::POST, "/reset", json!({})).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // Health answers without the token (container health checks) but shows liveness only.
    let r = app
        .send(
            Method::GET,
            "/__admin/health",
            &[("authorization", "Bearer wrong")],
            "",
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.json().get("requests").is_none(), "{}", r.text);
    let r = app
        .send(
            Method::GET,
            "/__admin/health",
            &[("authorization", "Bearer letmein")],
            "",
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.json()["requests"].is_u64(), "{}", r.text);
}

#[tokio::test]
async fn the_clock_advances_only_forward() {
    let app = TestApp::spawn_with(SCENARIO).await;
    let t0 = app.admin_get("/clock").await.json()["now_ms"]
        .as_i64()
        .unwrap();
    app.advance_secs(3600.0).await;
    let t1 = app.admin_get("/clock").await.json()["now_ms"]
        .as_i64()
        .unwrap();
    assert!(t1 - t0 >= 3_600_000);
    let r = app
        .admin_try(Method::POST, "/clock/advance", json!({"seconds": -5}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn busy_and_unregistered_users_are_marked() {
    let app = TestApp::spawn_with(SCENARIO).await;
    let u = app
        .admin_post("/users/ou_a/busy", json!({"vendor": "feishu"}))
        .await;
    assert_eq!(u["user"]["busy"], true);
    let u = app.admin_post("/users/ou_a/unregistered", json!({})).await;
    assert_eq!(u["user"]["registered"], false);
    let r = app
        .admin_try(Method::POST, "/users/nobody/busy", json!({}))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn rate_limit_modes_accept_yaml_booleans_and_names() {
    let vendors = meetmock::vendors::registry();
    let s = meetmock::scenario::parse(
        "r.yaml",
        "rate_limits: {feishu: off, tencent: on, dingtalk: documented, huawei: [{limit: 5, window_secs: 1}]}\n",
        &vendors,
    )
    .unwrap();
    use meetmock::ratelimit::LimitMode;
    use meetmock::store::VendorId;
    let mode = |v| {
        s.rate_limits
            .iter()
            .find(|(id, _)| *id == v)
            .map(|(_, m)| m.clone())
    };
    assert_eq!(mode(VendorId::Feishu), Some(LimitMode::Off));
    assert_eq!(mode(VendorId::Tencent), Some(LimitMode::Documented));
    assert_eq!(mode(VendorId::Dingtalk), Some(LimitMode::Documented));
    assert!(matches!(mode(VendorId::Huawei), Some(LimitMode::Custom(_))));
    let err = meetmock::scenario::parse("r.yaml", "rate_limits: {feishu: sometimes}\n", &vendors)
        .unwrap_err();
    assert!(
        err[0].message.contains("valid: documented, off"),
        "{}",
        err[0]
    );
}

#[tokio::test]
async fn long_expired_tokens_are_swept_when_the_clock_moves_on() {
    let app = TestApp::spawn().await;
    let r = app
        .send(
            Method::POST,
            "/open-apis/auth/v3/tenant_access_token/internal",
            &[],
            r#"{"app_id":"cli_demo_feishu","app_secret":"demo_feishu_secret"}"#,
        )
        .await;
    assert_eq!(r.json()["code"], 0, "{}", r.text);
    let tokens = |s: serde_json::Value| s["tokens"].as_array().unwrap().len();
    assert_eq!(tokens(app.admin_get("/state").await.json()), 1);
    // 2 h life + 24 h grace: still kept (answered as expired) after a day…
    app.advance_secs(24.0 * 3600.0).await;
    assert_eq!(tokens(app.admin_get("/state").await.json()), 1);
    // …and gone after two.
    app.advance_secs(24.0 * 3600.0).await;
    assert_eq!(tokens(app.admin_get("/state").await.json()), 0);
}
