//! Tencent gateway rules beyond the signature: `X-TC-Registered` must be `1`, `Content-Type`
//! must be `application/json`, the nonce a positive integer; and the vendor's own message
//! texts (the docs' error tables) on business errors. Every refusal changes nothing.

use crate::common::TestApp;
use crate::tencent::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// A correctly signed PUT invitees with the given extra/replaced headers.
async fn put_with(app: &TestApp, headers: &[(&str, &str)], drop: &[&str]) -> crate::common::Resp {
    let body = r#"{"instanceid":1,"invitees":[{"userid":"userB"}],"userid":"userA"}"#;
    let target = inv_path(SCHEDULED);
    let now = app.admin_get("/clock").await.json()["now_ms"]
        .as_i64()
        .unwrap()
        / 1000;
    let ts = now.to_string();
    let nonce = next_nonce();
    let sig = sign(SKEY, "PUT", SID, &nonce, &ts, &target, body.as_bytes());
    let mut h: Vec<(&str, &str)> = vec![
        ("Content-Type", "application/json; charset=utf-8"),
        ("X-TC-Key", SID),
        ("X-TC-Timestamp", &ts),
        ("X-TC-Nonce", &nonce),
        ("X-TC-Signature", &sig),
        ("X-TC-Registered", "1"),
        ("AppId", APP),
        ("SdkId", SDK),
    ];
    h.retain(|(k, _)| !drop.contains(k) && !headers.iter().any(|(n, _)| n == k));
    h.extend_from_slice(headers);
    app.send(Method::PUT, &target, &h, body.to_string()).await
}

#[tokio::test]
async fn x_tc_registered_must_be_1_and_a_refusal_changes_nothing() {
    let app = TestApp::spawn().await;
    for (h, drop) in [
        (vec![("X-TC-Registered", "0")], vec![]),
        (vec![], vec!["X-TC-Registered"]),
    ] {
        let r = put_with(&app, &h, &drop).await;
        assert_error(&r, 400, 190004);
        assert!(
            r.json()["error_info"]["message"]
                .as_str()
                .unwrap()
                .contains("X-TC-Registered"),
            "{}",
            r.text
        );
    }
    assert!(invitees_of(&app, SCHEDULED).await.is_empty());
    assert_eq!(put_with(&app, &[], &[]).await.status, StatusCode::OK);
    assert_eq!(invitees_of(&app, SCHEDULED).await, ["userB"]);
}

#[tokio::test]
async fn content_type_must_be_application_json() {
    let app = TestApp::spawn().await;
    let r = put_with(&app, &[], &["Content-Type"]).await;
    assert_error(&r, 400, 190004);
    assert!(r.text.contains("Content-Type"), "{}", r.text);
    assert_error(
        &put_with(&app, &[("Content-Type", "text/plain")], &[]).await,
        400,
        190004,
    );
    assert!(invitees_of(&app, SCHEDULED).await.is_empty());
    let ok = put_with(&app, &[("Content-Type", "Application/JSON")], &[]).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
}

#[tokio::test]
async fn a_zero_nonce_is_not_a_positive_integer_200003() {
    let app = TestApp::spawn().await;
    let mut r = Req::new(
        Method::GET,
        &format!("/v1/meetings/{SCHEDULED}?userid=userA&instanceid=1"),
        "",
    );
    r.set_nonce("0");
    assert_error(&r.send(&app).await, 500, 200003);
}

#[tokio::test]
async fn business_errors_carry_the_docs_own_texts() {
    let app = TestApp::spawn().await;
    let r = set(&app, SCHEDULED, "userB", &["userC"]).await;
    assert_error(&r, 403, 9042);
    assert_eq!(
        r.json()["error_info"]["message"],
        "无权限进行该操作，建议检查操作者身份或资源归属。"
    );
    let r = call(
        &app,
        Method::PUT,
        &inv_path(SCHEDULED),
        json!({"instanceid": 1}),
    )
    .await;
    assert_error(&r, 400, 190004);
    assert!(
        r.json()["error_info"]["message"]
            .as_str()
            .unwrap()
            .starts_with("参数非法，请对照接口文档检查您的参数。"),
        "{}",
        r.text
    );
    let r = call(
        &app,
        Method::POST,
        "/v1/meetings/1/cancel",
        json!({"userid": "userA", "instanceid": 1, "reason_code": 1}),
    )
    .await;
    assert_error(&r, 500, 9003);
    assert_eq!(r.json()["error_info"]["message"], "MEETING NOT EXIST");
    let r = call(
        &app,
        Method::GET,
        "/v1/users/nobody?operator_id=userA&operator_id_type=1",
        Value::Null,
    )
    .await;
    assert_error(&r, 400, 20001);
    assert_eq!(r.json()["error_info"]["message"], "用户不存在。");
}
