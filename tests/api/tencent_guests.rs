//! Tencent guests per meeting and the uuid forms of the user directory.

use crate::common::TestApp;
use crate::tencent::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn guests_path(id: &str) -> String {
    format!("/v1/guests/{id}")
}

async fn put_guests(app: &TestApp, id: &str, who: &str, guests: Value) -> crate::common::Resp {
    // Null here means "key omitted", as the Python SDK sends an empty list.
    let mut body = json!({"userid": who, "instanceid": 1});
    if !guests.is_null() {
        body["guests"] = guests;
    }
    call(app, Method::PUT, &guests_path(id), body).await
}

async fn get_guests(app: &TestApp, id: &str, who: &str) -> crate::common::Resp {
    let t = format!("{}?userid={who}&instanceid=1", guests_path(id));
    call(app, Method::GET, &t, Value::Null).await
}

pub(crate) fn message(r: &crate::common::Resp) -> String {
    r.json()["error_info"]["message"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

#[tokio::test]
async fn guests_are_overwritten_read_back_and_cleared_per_meeting() {
    let app = TestApp::spawn().await;
    let two = json!([{"area": "86", "phone_number": "13800000001", "guest_name": "嘉宾甲"},
                     {"area": "852", "phone_number": "61234567"}]);
    assert_eq!(put_guests(&app, SCHEDULED, "userA", two).await.text, "{}");
    let v = get_guests(&app, SCHEDULED, "userA").await.json();
    assert_eq!(v["meeting_code"], "541731000");
    assert_eq!(v["guests"][0]["guest_name"], "嘉宾甲", "{v}");
    assert_eq!(v["guests"][1]["phone_number"], "61234567");
    let q = call(
        &app,
        Method::GET,
        &format!("/v1/meetings/{SCHEDULED}?operator_id=userA&operator_id_type=1&instanceid=1"),
        Value::Null,
    )
    .await;
    assert_eq!(q.json()["meeting_info_list"][0]["guests"][0]["area"], "86");
    let one = json!([{"area": "86", "phone_number": "13900000009", "guest_name": "乙"}]);
    put_guests(&app, SCHEDULED, "userA", one).await;
    assert_eq!(
        get_guests(&app, SCHEDULED, "userA").await.json()["guests"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // The Python SDK omits an empty list, the Go SDK sends null or []: all clear it.
    for empty in [Value::Null, json!([])] {
        put_guests(
            &app,
            SCHEDULED,
            "userA",
            json!([{"area": "86", "phone_number": "13900000009"}]),
        )
        .await;
        assert_eq!(put_guests(&app, SCHEDULED, "userA", empty).await.text, "{}");
        assert_eq!(
            get_guests(&app, SCHEDULED, "userA").await.json()["guests"],
            json!([])
        );
    }
    put_guests(
        &app,
        SCHEDULED,
        "userA",
        json!([{"area": "86", "phone_number": "13900000009"}]),
    )
    .await;
    let r = call(
        &app,
        Method::PUT,
        &guests_path(SCHEDULED),
        json!({"userid": "userA", "instanceid": 1, "guests": null}),
    )
    .await;
    assert_eq!(r.text, "{}");
    assert_eq!(
        get_guests(&app, SCHEDULED, "userA").await.json()["guests"],
        json!([])
    );
}

#[tokio::test]
async fn guest_calls_answer_the_guest_pages_own_errors_and_change_nothing() {
    let app = TestApp::spawn().await;
    let g = json!([{"area": "86", "phone_number": "13800000001"}]);
    put_guests(&app, SCHEDULED, "userA", g.clone()).await;
    let before = state_of(&app, SCHEDULED).await;
    let r = put_guests(&app, SCHEDULED, "userB", g.clone()).await;
    assert_error(&r, 500, 9042);
    assert_eq!(message(&r), "权限受限或鉴权失败。");
    let r = get_guests(&app, SCHEDULED, "nobody").await;
    assert_error(&r, 500, 190001);
    assert_eq!(message(&r), "用户未创建，请参考创建用户接口创建用户。");
    let r = get_guests(&app, "1234567890123456789", "userA").await;
    assert_error(&r, 500, 9003);
    assert_eq!(message(&r), "会议信息不存在。");
    let r = put_guests(&app, "1234567890123456789", "userA", g.clone()).await;
    assert_error(&r, 500, 13703);
    assert_eq!(message(&r), "查询会议失败。");
    for bad in [
        json!([{"area": "+86", "phone_number": "13800000001"}]),
        json!([{"area": "86"}]),
        json!({"area": "86"}),
    ] {
        assert_error(
            &put_guests(&app, SCHEDULED, "userA", bad).await,
            400,
            190004,
        );
    }
    assert_eq!(state_of(&app, SCHEDULED).await, before);
    call(
        &app,
        Method::POST,
        &format!("/v1/meetings/{SCHEDULED}/cancel"),
        json!({"userid": "userA", "instanceid": 1, "reason_code": 1}),
    )
    .await;
    assert_error(&put_guests(&app, SCHEDULED, "userA", g).await, 500, 9007);
}

#[tokio::test]
async fn a_meeting_created_with_guests_keeps_them() {
    let app = TestApp::spawn().await;
    let r = call(&app, Method::POST, "/v1/meetings", json!({"userid": "userA", "instanceid": 1,
        "subject": "s", "type": 1, "guests": [{"area": "86", "phone_number": "13800000002", "guest_name": "G"}]}))
    .await;
    let id = r.json()["meeting_info_list"][0]["meeting_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        get_guests(&app, &id, "userA").await.json()["guests"][0]["guest_name"],
        "G"
    );
}

pub(crate) fn q(op: &str) -> String {
    format!("operator_id={op}&operator_id_type=1")
}

#[tokio::test]
async fn users_are_read_changed_and_deleted_by_uuid() {
    let app = TestApp::spawn().await;
    let made = call(
        &app,
        Method::POST,
        "/v1/users",
        json!({"operator_id": "userA", "operator_id_type": 1,
        "userid": "uuser", "username": "U", "phone": "13500000001"}),
    )
    .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.text);
    let uuid = call(
        &app,
        Method::GET,
        &format!("/v1/users/uuser?{}", q("userA")),
        Value::Null,
    )
    .await
    .json()["uuid"]
        .as_str()
        .unwrap()
        .to_string();
    let by = |u: &str| format!("/v1/users?uuid={u}&{}", q("userA"));
    assert_eq!(
        call(&app, Method::GET, &by(&uuid), Value::Null)
            .await
            .json()["userid"],
        "uuser"
    );
    let r = call(
        &app,
        Method::PUT,
        &format!("/v1/users?uuid={uuid}"),
        json!({"operator_id": "userA", "operator_id_type": 1, "username": "Renamed"}),
    )
    .await;
    assert_eq!(r.text, "{}");
    assert_eq!(
        call(&app, Method::GET, &by(&uuid), Value::Null)
            .await
            .json()["username"],
        "Renamed"
    );
    assert_eq!(
        call(&app, Method::DELETE, &by(&uuid), Value::Null)
            .await
            .text,
        "{}"
    );
    assert_error(
        &call(&app, Method::GET, &by(&uuid), Value::Null).await,
        400,
        20001,
    );
    assert_error(
        &call(&app, Method::DELETE, &by(&uuid), Value::Null).await,
        400,
        20001,
    );
    // Scenario users have a uuid too, stable across reads.
    let b = call(
        &app,
        Method::GET,
        &format!("/v1/users/userB?{}", q("userA")),
        Value::Null,
    )
    .await
    .json();
    let ub = b["uuid"].as_str().unwrap();
    assert_eq!(ub.len(), 32);
    assert_eq!(
        call(&app, Method::GET, &by(ub), Value::Null).await.json()["userid"],
        "userB"
    );
    let r = call(
        &app,
        Method::GET,
        &format!("/v1/users?{}", q("userA")),
        Value::Null,
    )
    .await;
    assert_error(&r, 400, 190004);
    assert_error(
        &call(
            &app,
            Method::GET,
            &format!("/v1/users?uuid={ub}&{}", q("nobody")),
            Value::Null,
        )
        .await,
        403,
        9042,
    );
}
