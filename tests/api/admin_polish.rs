//! The admin API's answers to a test author's mistakes and questions: unknown journal filters
//! are refused with the valid ones, the `fault=` filter, the tenant of a request a fault rule
//! answered, the requests no route matched (with a hint), a fault rule posted under an
//! existing name (`replaced`), and fault rules posted as YAML.

use crate::common::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const TOKEN: &str = "/open-apis/auth/v3/tenant_access_token/internal";

async fn feishu_token(app: &TestApp) -> crate::common::Resp {
    app.send_json(
        Method::POST,
        TOKEN,
        &[],
        &json!({"app_id": "cli_demo_feishu", "app_secret": "demo_feishu_secret"}),
    )
    .await
}

#[tokio::test]
async fn an_unknown_journal_filter_is_refused_with_the_valid_ones() {
    let app = TestApp::spawn().await;
    let r = app.admin_get("/requests?vendor=feishu&opration=x").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.json()["message"],
        "unknown filter \"opration\"; valid: vendor, operation, status, meeting, tenant, code, fault, limit, before"
    );
    let r = app.admin_get("/requests/count?limit=3").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.json()["message"],
        "unknown filter \"limit\"; valid: vendor, operation, status, meeting, tenant, code, fault"
    );
    let r = app.admin_get("/requests/unmatched?status=404").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.json()["message"],
        "unknown filter \"status\"; valid: vendor, limit, before"
    );
}

#[tokio::test]
async fn the_fault_filter_finds_the_requests_a_rule_answered_and_they_keep_their_tenant() {
    let app = TestApp::spawn().await;
    let rule = json!({"name": "token-down", "match": {"vendor": "feishu", "operation": "auth.tenant_access_token.internal"},
                      "when": {"first": 1}, "error": "internal_error"});
    app.admin_post("/faults", rule).await;
    assert_eq!(
        feishu_token(&app).await.status,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(feishu_token(&app).await.status, StatusCode::OK);
    assert_eq!(app.count("fault=token-down").await, 1);
    assert_eq!(app.count("fault=*").await, 1);
    assert_eq!(app.count("fault=other").await, 0);
    let hit = app.admin_get("/requests?fault=token-down").await.json();
    let entry = &hit["requests"][0];
    assert_eq!(entry["fault"], "token-down");
    assert_eq!(entry["tenant"], "cli_demo_feishu", "{entry}");
    assert_eq!(
        app.count("tenant=cli_demo_feishu&fault=token-down").await,
        1
    );
}

#[tokio::test]
async fn requests_no_route_matched_are_listed_newest_first_with_a_hint() {
    let app = TestApp::spawn().await;
    let m = "/open-apis/vc/v1/meetings/7000000000000000028/invite";
    app.send(Method::POST, m, &[], "{}").await;
    app.send(
        Method::GET,
        "/open-apis/vc/v1/nothing?user_id_type=open_id",
        &[],
        "",
    )
    .await;
    app.send(Method::GET, "/favicon.ico", &[], "").await;
    feishu_token(&app).await;
    let got = app.admin_get("/requests/unmatched").await.json();
    let list = got["unmatched"].as_array().unwrap();
    let seen: Vec<(&str, &str, &str)> = list
        .iter()
        .map(|e| {
            (
                e["method"].as_str().unwrap(),
                e["target"].as_str().unwrap(),
                e["hint"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                "GET",
                "/favicon.ico",
                "no vendor serves /favicon.ico: vendor paths start with /callback/, /gettoken, /oauth/, /open-apis/, /tencent/, /topapi/, /v1.0/, /v1/, /v1/mmc/, /v1/usg/, /v2/mms/, /v2/usg/"
            ),
            (
                "GET",
                "/open-apis/vc/v1/nothing?user_id_type=open_id",
                "no feishu route GET /open-apis/vc/v1/nothing: `meetmock routes` or GET /__admin/routes lists them"
            ),
            (
                "POST",
                m,
                "/open-apis/vc/v1/meetings/7000000000000000028/invite is served, but not with POST: it takes PATCH (feishu meeting.invite)"
            ),
        ]
    );
    assert_eq!(list[0]["vendor"], Value::Null);
    assert_eq!(list[1]["vendor"], "feishu");
    assert_eq!(list[2]["status"], 404);
    let one = app
        .admin_get("/requests/unmatched?vendor=feishu&limit=1")
        .await
        .json();
    assert_eq!(one["unmatched"].as_array().unwrap().len(), 1);
    assert_eq!(app.count("operation=unknown").await, 3);
}

#[tokio::test]
async fn posting_a_rule_under_an_existing_name_replaces_it_and_says_so() {
    let app = TestApp::spawn().await;
    let rule = |code: &str| json!({"name": "r", "match": {"vendor": "feishu"}, "error": code});
    let first = app.admin_post("/faults", rule("internal_error")).await;
    assert_eq!(first, json!({"added": ["r"], "replaced": []}));
    feishu_token(&app).await;
    let again = app.admin_post("/faults", rule("99991400")).await;
    assert_eq!(again, json!({"added": ["r"], "replaced": ["r"]}));
    let listed = app.admin_get("/faults").await.json();
    assert_eq!(listed["faults"].as_array().unwrap().len(), 1);
    assert_eq!(listed["faults"][0]["spec"]["error"], "99991400");
    assert_eq!(
        listed["faults"][0]["matched"], 0,
        "a replaced rule starts counting anew"
    );
    let twice = app
        .admin_try(
            Method::POST,
            "/faults",
            json!({"faults": [rule("internal_error"), rule("internal_error")]}),
        )
        .await;
    assert_eq!(twice.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        twice.json()["message"],
        "faults[1]: the name \"r\" is used twice in this request"
    );
}

#[tokio::test]
async fn fault_rules_can_be_posted_as_yaml_like_scenarios() {
    let app = TestApp::spawn().await;
    let yaml = "faults:\n  - name: slow\n    match: {vendor: feishu}\n    delay: 1\n  - name: down\n    match: {vendor: dingtalk}\n    error: systemError\n";
    let r = app
        .send(
            Method::POST,
            "/__admin/faults",
            &[("content-type", "application/yaml")],
            yaml,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json(), json!({"added": ["slow", "down"], "replaced": []}));
    let one = "name: third\nmatch:\n  vendor: huawei\ndelay: {min_ms: 1, max_ms: 2}\n";
    let r = app
        .send(
            Method::POST,
            "/__admin/faults",
            &[("content-type", "application/x-yaml")],
            one,
        )
        .await;
    assert_eq!(r.json()["added"], json!(["third"]));
    let bad = "faults:\n  - name: x\n    match: {vendor: feishu}\n    dleay: 1\n";
    let r = app
        .send(
            Method::POST,
            "/__admin/faults",
            &[("content-type", "application/yaml")],
            bad,
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let msg = r.json()["message"].as_str().unwrap().to_string();
    assert!(
        msg.starts_with("line 4 column 5: unknown field `dleay`"),
        "{msg}"
    );
    assert_eq!(
        app.admin_get("/faults").await.json()["faults"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[tokio::test]
async fn a_wrong_method_on_an_admin_path_says_which_it_takes() {
    let app = TestApp::spawn().await;
    let r = app.admin_try(Method::POST, "/routes", json!({})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        r.json()["message"],
        "no admin endpoint POST /__admin/routes; it takes GET"
    );
    let r = app.admin_get("/nothing").await;
    assert_eq!(
        r.json()["message"],
        "no admin endpoint GET /__admin/nothing; GET /__admin/openapi.json describes them all"
    );
}
