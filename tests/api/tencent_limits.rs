//! Tencent's documented limits reached from state (190313 per directory API, 190311 through a
//! scenario's limits, 156009 for the 100th user of a free app), the limits only a fault rule
//! reaches (500046, 9008, 9061), and the vendor's own texts of the gateway and cancel codes.

use crate::common::TestApp;
use crate::tencent::*;
use crate::tencent_guests::{message, q};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// The demo app alone (its users, its scheduled meeting), `extra_users` more users, and these
/// Tencent rate limits.
fn limited_with(limits: &str, extra_users: usize) -> String {
    let users: String = (0..extra_users)
        .map(|i| format!("{{ id: x{i} }}, "))
        .collect();
    format!("name: q\nrate_limits: {{ tencent: {limits} }}\ntenants:\n  - vendor: tencent\n    id: \"{APP}\"\n    secret: {SKEY}\n    credentials: {{ secret_id: {SID}, sdk_id: \"{SDK}\" }}\n    users: [{users}{{ id: userA }}, {{ id: userB }}]\n    meetings:\n      - {{ id: \"{SCHEDULED}\", creator: userA, host: userA }}\n")
}

fn limited(extra_users: usize) -> String {
    limited_with("documented", extra_users)
}

#[tokio::test]
async fn a_directory_api_answers_190313_past_100_calls_a_minute() {
    let app = TestApp::spawn_with(&limited(0)).await;
    let list = format!("/v1/users/list?page=1&page_size=20&{}", q("userA"));
    for i in 0..100 {
        let r = call(&app, Method::GET, &list, Value::Null).await;
        assert_eq!(r.status, StatusCode::OK, "call {i}: {}", r.text);
    }
    let r = call(&app, Method::GET, &list, Value::Null).await;
    assert_error(&r, 500, 190313);
    assert_eq!(message(&r), "每分钟单个接口调用次数超过限制。");
    // Per API: another directory API still answers; a minute later the list does too.
    let one = format!("/v1/users/userB?{}", q("userA"));
    assert_eq!(
        call(&app, Method::GET, &one, Value::Null).await.status,
        StatusCode::OK
    );
    app.advance_secs(60.0).await;
    assert_eq!(
        call(&app, Method::GET, &list, Value::Null).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_daily_limit_from_a_scenario_answers_190311() {
    let yaml = limited_with(
        "[ { limit: 3, window_secs: 86400, per_operation: false } ]",
        0,
    );
    let app = TestApp::spawn_with(&yaml).await;
    let t = format!("/v1/meetings/{SCHEDULED}?{}&instanceid=1", q("userA"));
    for _ in 0..3 {
        assert_eq!(
            call(&app, Method::GET, &t, Value::Null).await.status,
            StatusCode::OK
        );
    }
    let r = call(&app, Method::GET, &t, Value::Null).await;
    assert_error(&r, 500, 190311);
    assert_eq!(message(&r), "每天总接口调用次数超过限制。");
}

#[tokio::test]
async fn the_hundredth_user_answers_156009_under_documented_limits() {
    let app = TestApp::spawn_with(&limited(96)).await;
    let user = |id: &str, phone: &str| {
        json!({"operator_id": "userA", "operator_id_type": 1,
        "userid": id, "username": id, "phone": phone})
    };
    let r = call(&app, Method::POST, "/v1/users", user("n99", "13500000099")).await;
    assert_eq!(r.status, StatusCode::OK, "the 99th: {}", r.text);
    let r = call(&app, Method::POST, "/v1/users", user("n100", "13500000100")).await;
    assert_error(&r, 400, 156009);
    assert_eq!(message(&r), "人数超出上限");
    let list = call(
        &app,
        Method::GET,
        &format!("/v1/users/list?page=5&page_size=20&{}", q("userA")),
        Value::Null,
    )
    .await;
    assert_eq!(list.json()["total_count"], 99);
}

#[tokio::test]
async fn limits_without_a_trigger_are_reached_by_fault_rules() {
    let app = TestApp::spawn().await;
    let cases = [
        (
            "v1_meetings_meeting_id_real_time_participants_get",
            "500046",
            "查询会议用户实时质量接口超过限制，请稍后再试",
        ),
        (
            "v1_meetings_post",
            "9008",
            "创建会议数量超过限制。单日最多创建会议数100个，每分钟最多创建会议数9个。",
        ),
        (
            "v1_meetings_meeting_id_get",
            "9061",
            "查询会议过于频繁，超过限频次数。",
        ),
    ];
    for (op, code, text) in cases {
        app.admin_post(
            "/faults",
            json!({"match": {"vendor": "tencent", "operation": op}, "error": code}),
        )
        .await;
        let r = match op {
            "v1_meetings_post" => {
                call(
                    &app,
                    Method::POST,
                    "/v1/meetings",
                    json!({"userid": "userA",
                "instanceid": 1, "subject": "s", "type": 1}),
                )
                .await
            }
            "v1_meetings_meeting_id_get" => {
                call(
                    &app,
                    Method::GET,
                    &format!("/v1/meetings/{SCHEDULED}?{}&instanceid=1", q("userA")),
                    Value::Null,
                )
                .await
            }
            _ => {
                call(
                    &app,
                    Method::GET,
                    &format!(
                        "/v1/meetings/{RUNNING}/real-time-participants?{}&page=1&page_size=20",
                        q("userA")
                    ),
                    Value::Null,
                )
                .await
            }
        };
        assert_error(&r, 500, code.parse().unwrap());
        assert_eq!(message(&r), text);
    }
}

#[tokio::test]
async fn gateway_and_cancel_codes_carry_the_vendors_texts() {
    let app = TestApp::spawn().await;
    let t = format!("/v1/meetings/{SCHEDULED}?{}&instanceid=1", q("userA"));
    let now = app.admin_get("/clock").await.json()["now_ms"]
        .as_i64()
        .unwrap()
        / 1000;
    let mut old = Req::new(Method::GET, &t, "");
    old.set_ts(&(now - 301).to_string());
    let r = old.send(&app).await;
    assert_error(&r, 400, 190300);
    assert!(
        message(&r).starts_with("API 请求头里的时间戳参数 X-TC-Timestamp"),
        "{}",
        r.text
    );
    let mut a = Req::new(Method::GET, &t, "");
    a.set_nonce("424242");
    a.set_ts(&now.to_string());
    assert_eq!(a.send(&app).await.status, StatusCode::OK);
    let mut b = Req::new(Method::GET, &t, "");
    b.set_nonce("424242");
    b.set_ts(&now.to_string());
    let r = b.send(&app).await;
    assert_error(&r, 400, 190301);
    assert!(message(&r).starts_with("请求重放错误"), "{}", r.text);
    let cancel = json!({"userid": "userA", "instanceid": 1, "reason_code": 1});
    let r = call(
        &app,
        Method::POST,
        &format!("/v1/meetings/{RUNNING}/cancel"),
        cancel.clone(),
    )
    .await;
    assert_error(&r, 500, 13602);
    assert_eq!(message(&r), "已开始的会议不能取消。");
    call(
        &app,
        Method::POST,
        &format!("/v1/meetings/{RUNNING}/dismiss"),
        json!({"operator_id": "userA", "operator_id_type": 1, "instanceid": 1, "reason_code": 1}),
    )
    .await;
    let r = call(
        &app,
        Method::POST,
        &format!("/v1/meetings/{RUNNING}/cancel"),
        cancel,
    )
    .await;
    // The live body quoted by a user: new_error_code 101013603.
    assert_eq!(
        r.text,
        r#"{"error_info":{"error_code":13603,"new_error_code":101013603,"message":"会议已结束。"}}"#
    );
}
