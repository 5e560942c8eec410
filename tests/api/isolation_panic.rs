//! The panic safety net, rehearsed per vendor with the `connection: panic` fault: the request
//! panics inside the per-request guard and is answered as the vendor's own internal error
//! (Feishu 121001, DingTalk systemError, Tencent 500041, Huawei MMC.100000500), journaled,
//! counted in `GET /__admin/health` → `panics`, and the server keeps serving.

use crate::common::{Resp, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// The vendor code of an answer, whatever the vendor's envelope.
pub(crate) fn vendor_code(vendor: &str, r: &Resp) -> String {
    let v: Value = serde_json::from_str(&r.text).unwrap_or(Value::Null);
    let code = match vendor {
        "tencent" => &v["error_info"]["error_code"],
        "huawei" => &v["error_code"],
        "dingtalk" if v.get("code").is_none() => &v["errcode"],
        _ => &v["code"],
    };
    match code {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// (vendor, operation, method, path, HTTP status, vendor code of its internal error)
const CASES: &[(&str, &str, &str, &str, u16, &str)] = &[
    (
        "feishu",
        "meeting.get",
        "GET",
        "/open-apis/vc/v1/meetings/7000000000000000028",
        500,
        "121001",
    ),
    (
        "dingtalk",
        "InviteUsers",
        "POST",
        "/v1.0/conference/videoConferences/607452e01401526ee39609e1/users/invite",
        500,
        "systemError",
    ),
    (
        "tencent",
        "v1_meetings_meeting_id_get",
        "GET",
        "/v1/meetings/5417310002754750437?userid=userA&instanceid=1",
        500,
        "500041",
    ),
    (
        "huawei",
        "InviteParticipant",
        "POST",
        "/v1/mmc/control/conferences/participants?conferenceID=914673889",
        500,
        "MMC.100000500",
    ),
];

async fn panics(app: &TestApp) -> u64 {
    app.admin_get("/health").await.json()["panics"]
        .as_u64()
        .unwrap()
}

async fn rehearse(app: &TestApp, case: &(&str, &str, &str, &str, u16, &str)) -> Resp {
    let (vendor, op, method, path, _, _) = *case;
    app.admin_post(
        "/faults",
        json!({"name": format!("panic-{vendor}"), "match": {"vendor": vendor, "operation": op},
               "connection": "panic"}),
    )
    .await;
    let m = Method::from_bytes(method.as_bytes()).unwrap();
    app.send_json(m, path, &[], &json!({})).await
}

#[tokio::test]
async fn a_panic_is_answered_as_each_vendors_internal_error_and_counted() {
    let app = TestApp::spawn().await;
    for (i, case) in CASES.iter().enumerate() {
        let (vendor, _, _, _, status, code) = *case;
        let r = rehearse(&app, case).await;
        assert_eq!(r.status.as_u16(), status, "{vendor}: {}", r.text);
        assert_eq!(vendor_code(vendor, &r), code, "{vendor}: {}", r.text);
        assert_eq!(panics(&app).await, i as u64 + 1, "{vendor}: counted");
    }
}

#[tokio::test]
async fn a_panicked_request_is_journaled_with_the_rule_and_the_internal_error_code() {
    let app = TestApp::spawn().await;
    for case in CASES {
        let (vendor, op, _, _, status, code) = *case;
        rehearse(&app, case).await;
        let q = format!("vendor={vendor}&operation={op}&status={status}&code={code}");
        assert_eq!(app.count(&q).await, 1, "{vendor}");
        let list = app
            .admin_get(&format!("/requests?vendor={vendor}&operation={op}"))
            .await
            .json();
        assert_eq!(
            list["requests"][0]["fault"],
            format!("panic-{vendor}"),
            "{list}"
        );
    }
}

#[tokio::test]
async fn the_server_keeps_serving_after_a_panic() {
    let app = TestApp::spawn().await;
    rehearse(&app, &CASES[0]).await;
    app.send(Method::DELETE, "/__admin/faults", &[], "").await;
    let r = app
        .send(
            Method::POST,
            "/open-apis/auth/v3/tenant_access_token/internal",
            &[],
            json!({"app_id": "cli_demo_feishu", "app_secret": "demo_feishu_secret"}).to_string(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["code"], 0);
    assert_eq!(panics(&app).await, 1);
}

#[tokio::test]
async fn a_panic_changes_no_state() {
    let app = TestApp::spawn().await;
    let before = app.admin_get("/state").await.json()["tenants"].clone();
    for case in CASES {
        rehearse(&app, case).await;
    }
    let after = app.admin_get("/state").await.json()["tenants"].clone();
    assert_eq!(before, after);
}

#[tokio::test]
async fn a_panic_rule_is_listed_with_its_fired_counter() {
    let app = TestApp::spawn().await;
    rehearse(&app, &CASES[1]).await;
    let faults = app.admin_get("/faults").await.json();
    assert!(faults.to_string().contains("panic-dingtalk"), "{faults}");
    assert!(faults.to_string().contains("\"fired\":1"), "{faults}");
}
