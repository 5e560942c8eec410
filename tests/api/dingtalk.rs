//! DingTalk conference_1_0: tokens, the gateway's auth refusals and error envelope, the
//! conference lifecycle, InviteUsers and its errors, members, in-meeting controls, throttling.
//! Each test reads state back through the vendor API (or the admin API) after the call.

use crate::common::{Resp, TestApp};
use meetmock::config::Config;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const KEY: &str = "dingmockappkey";
const SECRET: &str = "mock-app-secret";
const HOST: &str = "host-union-0001";
const ALICE: &str = "union-alice-0001";
const BOB: &str = "union-bob-0002";
const DEMO_CONF: &str = "607452e01401526ee39609e1";
const TOKEN_HEADER: &str = "x-acs-dingtalk-access-token";

async fn token_of(app: &TestApp, key: &str, secret: &str) -> Resp {
    app.send_json(
        Method::POST,
        "/v1.0/oauth2/accessToken",
        &[],
        &json!({"appKey": key, "appSecret": secret}),
    )
    .await
}

async fn token(app: &TestApp) -> String {
    let r = token_of(app, KEY, SECRET).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()["accessToken"].as_str().unwrap().to_string()
}

async fn call(app: &TestApp, tok: &str, method: Method, path: &str, body: Value) -> Resp {
    app.send_json(method, path, &[(TOKEN_HEADER, tok)], &body)
        .await
}

async fn get(app: &TestApp, tok: &str, path: &str) -> Resp {
    app.send(Method::GET, path, &[(TOKEN_HEADER, tok)], "")
        .await
}

fn conf(id: &str, rest: &str) -> String {
    format!("/v1.0/conference/videoConferences/{id}{rest}")
}

async fn create(app: &TestApp, tok: &str, body: Value) -> String {
    let r = call(
        app,
        tok,
        Method::POST,
        "/v1.0/conference/videoConferences",
        body,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()["conferenceId"].as_str().unwrap().to_string()
}

async fn new_conf(app: &TestApp, tok: &str) -> String {
    create(
        app,
        tok,
        json!({"userId": HOST, "confTitle": "Sync", "inviteCaller": false}),
    )
    .await
}

async fn invite(app: &TestApp, tok: &str, id: &str, body: Value) -> Resp {
    call(app, tok, Method::POST, &conf(id, "/users/invite"), body).await
}

fn two_and_a_phone() -> Value {
    json!({
        "inviteeList": [{"nick": "Alice", "unionId": ALICE}, {"nick": "Bob", "unionId": BOB}],
        "phoneInviteeList": [{"nick": "Phone Guest", "phoneNumber": "13800000000"}],
        "unionId": HOST
    })
}

async fn members(app: &TestApp, tok: &str, id: &str) -> Vec<Value> {
    let r = get(app, tok, &conf(id, "/members")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()["memberModels"].as_array().unwrap().clone()
}

fn member<'a>(list: &'a [Value], union: &str) -> Option<&'a Value> {
    list.iter().find(|m| m["unionId"] == union)
}

/// Asserts the flat gateway error envelope, and that the header request id equals the body's.
fn assert_error(r: &Resp, status: u16, code: &str, message: &str) {
    assert_eq!(r.status.as_u16(), status, "{}", r.text);
    let b = r.json();
    assert_eq!(b["code"], code, "{}", r.text);
    assert_eq!(b["message"], message, "{}", r.text);
    assert_eq!(
        r.header("x-acs-request-id"),
        b["requestid"].as_str(),
        "header and body request ids differ"
    );
    assert_eq!(
        b.as_object().unwrap().len(),
        3,
        "only code, requestid, message: {}",
        r.text
    );
}

async fn info(app: &TestApp, tok: &str, id: &str) -> Value {
    let r = get(app, tok, &conf(id, "")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()["confInfo"].clone()
}

// ---- tokens ----------------------------------------------------------------------------

#[tokio::test]
async fn the_token_call_returns_an_access_token_valid_for_7200_seconds() {
    let app = TestApp::spawn().await;
    let r = token_of(&app, KEY, SECRET).await;
    assert_eq!(r.status, StatusCode::OK);
    let b = r.json();
    assert_eq!(b["expireIn"], 7200);
    assert_eq!(b["accessToken"].as_str().unwrap().len(), 32);
}

#[tokio::test]
async fn asking_again_before_expiry_returns_the_same_token() {
    let app = TestApp::spawn().await;
    let a = token(&app).await;
    app.advance_secs(7000.0).await;
    assert_eq!(token(&app).await, a);
    // ... and extends it: 7000 s later it still works.
    app.advance_secs(7000.0).await;
    assert_eq!(
        get(&app, &a, &conf(DEMO_CONF, "")).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_expired_token_is_invalid_authentication_and_a_new_one_is_issued() {
    let app = TestApp::spawn().await;
    let a = token(&app).await;
    app.advance_secs(7201.0).await;
    let r = get(&app, &a, &conf(DEMO_CONF, "")).await;
    assert_error(&r, 400, "InvalidAuthentication", "不合法的access_token");
    let b = token(&app).await;
    assert_ne!(a, b);
    assert_eq!(
        get(&app, &b, &conf(DEMO_CONF, "")).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_wrong_secret_is_400_invalid_client_id_or_secret() {
    let app = TestApp::spawn().await;
    let r = token_of(&app, KEY, "WRONG").await;
    assert_error(
        &r,
        400,
        "invalidClientIdOrSecret",
        "无效的clientId或者clientSecret",
    );
}

#[tokio::test]
async fn an_unknown_app_key_is_trusted_on_first_use_of_its_secret() {
    let app = TestApp::spawn().await;
    assert_eq!(
        token_of(&app, "dingnewapp", "s1").await.status,
        StatusCode::OK
    );
    let r = token_of(&app, "dingnewapp", "s2").await;
    assert_error(
        &r,
        400,
        "invalidClientIdOrSecret",
        "无效的clientId或者clientSecret",
    );
}

#[tokio::test]
async fn strict_tenants_refuse_an_unknown_app_key() {
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        strict_tenants: true,
        ..Config::default()
    };
    let app = TestApp::spawn_config(config, "").await;
    let r = token_of(&app, "dingnewapp", "s1").await;
    assert_error(
        &r,
        400,
        "invalidClientIdOrSecret",
        "无效的clientId或者clientSecret",
    );
    assert_eq!(token_of(&app, KEY, SECRET).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_missing_app_secret_or_a_non_json_body_is_invalid_client() {
    let app = TestApp::spawn().await;
    let r = app
        .send_json(
            Method::POST,
            "/v1.0/oauth2/accessToken",
            &[],
            &json!({"appKey": KEY}),
        )
        .await;
    assert_error(
        &r,
        400,
        "invalidClientIdOrSecret",
        "无效的clientId或者clientSecret",
    );
    let r = app
        .send(Method::POST, "/v1.0/oauth2/accessToken", &[], "not json")
        .await;
    assert_error(
        &r,
        400,
        "invalidClientIdOrSecret",
        "无效的clientId或者clientSecret",
    );
}

#[tokio::test]
async fn gettoken_answers_200_with_errcode_and_shares_the_token() {
    let app = TestApp::spawn().await;
    let r = app
        .send(
            Method::GET,
            &format!("/gettoken?appkey={KEY}&appsecret={SECRET}"),
            &[],
            "",
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let b = r.json();
    assert_eq!(b["errcode"], 0);
    assert_eq!(b["errmsg"], "ok");
    assert_eq!(b["expires_in"], 7200);
    assert_eq!(b["access_token"].as_str().unwrap(), token(&app).await);
}

#[tokio::test]
async fn gettoken_errors_are_http_200_with_errcodes() {
    let app = TestApp::spawn().await;
    let r = app.send(Method::GET, "/gettoken", &[], "").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json(),
        json!({"errcode": 40035, "errmsg": "缺少参数 corpid or appkey"})
    );
    let r = app
        .send(
            Method::GET,
            &format!("/gettoken?appkey={KEY}&appsecret=bad"),
            &[],
            "",
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json(),
        json!({"errcode": 40096, "errmsg": "不合法的appKey或appSecret"})
    );
}

// ---- auth and envelope -------------------------------------------------------------------

#[tokio::test]
async fn a_missing_token_header_is_400_missing_parameter() {
    let app = TestApp::spawn().await;
    let r = app.send(Method::GET, &conf(DEMO_CONF, ""), &[], "").await;
    assert_error(
        &r,
        400,
        "AuthenticationFailed.MissingParameter",
        "缺少参数：x-acs-dingtalk-access-token",
    );
}

#[tokio::test]
async fn a_token_in_the_query_or_authorization_header_counts_as_missing() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let path = format!("{}?access_token={tok}", conf(DEMO_CONF, ""));
    let auth = format!("Bearer {tok}");
    let r = app
        .send(Method::GET, &path, &[("authorization", auth.as_str())], "")
        .await;
    assert_error(
        &r,
        400,
        "AuthenticationFailed.MissingParameter",
        "缺少参数：x-acs-dingtalk-access-token",
    );
}

#[tokio::test]
async fn an_unknown_token_is_400_invalid_authentication() {
    let app = TestApp::spawn().await;
    let r = invite(&app, "bogus", DEMO_CONF, two_and_a_phone()).await;
    assert_error(&r, 400, "InvalidAuthentication", "不合法的access_token");
    let tok = token(&app).await;
    assert_eq!(
        members(&app, &tok, DEMO_CONF).await.len(),
        2,
        "nothing invited"
    );
}

#[tokio::test]
async fn request_ids_are_uppercase_uuids_also_on_success() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let r = get(&app, &tok, &conf(DEMO_CONF, "")).await;
    let id = r.header("x-acs-request-id").unwrap();
    let parts: Vec<usize> = id.split('-').map(str::len).collect();
    assert_eq!(parts, vec![8, 4, 4, 4, 12]);
    assert_eq!(id, id.to_ascii_uppercase());
    assert_eq!(
        r.header("content-type"),
        Some("application/json;charset=utf-8")
    );
}

#[tokio::test]
async fn an_unknown_route_under_v1_0_is_a_json_404() {
    let app = TestApp::spawn().await;
    let r = app
        .send(Method::GET, "/v1.0/conference/nothing", &[], "")
        .await;
    assert_error(&r, 404, "InvalidAction.NotFound", "请求的URI地址不存在");
    let r = app
        .send(Method::PATCH, &conf(DEMO_CONF, "/users/invite"), &[], "")
        .await;
    assert_error(&r, 404, "InvalidAction.NotFound", "请求的URI地址不存在");
}

#[tokio::test]
async fn another_apps_token_cannot_see_the_demo_conference() {
    let app = TestApp::spawn().await;
    let r = token_of(&app, "dingotherapp", "x").await;
    let other = r.json()["accessToken"].as_str().unwrap().to_string();
    let r = get(&app, &other, &conf(DEMO_CONF, "")).await;
    assert_error(&r, 400, "paramsError", "error:conference not found");
}

#[tokio::test]
async fn odd_host_headers_are_accepted() {
    let app = TestApp::spawn().await;
    let r = app
        .send_json(
            Method::POST,
            "/v1.0/oauth2/accessToken",
            &[("host", "http://127.0.0.1:1")],
            &json!({"appKey": KEY, "appSecret": SECRET}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

// ---- create, info, close ---------------------------------------------------------------

#[tokio::test]
async fn create_returns_a_24_hex_id_a_9_digit_room_code_passwords_and_a_link() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let r = call(&app, &tok, Method::POST, "/v1.0/conference/videoConferences",
        json!({"confTitle": "Mock 会议", "inviteCaller": false, "inviteUserIds": [ALICE], "userId": HOST})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let b = r.json();
    let id = b["conferenceId"].as_str().unwrap();
    assert_eq!(id.len(), 24);
    assert!(id
        .bytes()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    let code = b["roomCode"].as_str().unwrap();
    assert!(code.len() == 9 && code.bytes().all(|c| c.is_ascii_digit()));
    assert!(!b["conferencePassword"].as_str().unwrap().is_empty());
    assert!(!b["hostPassword"].as_str().unwrap().is_empty());
    assert!(b["externalLinkUrl"]
        .as_str()
        .unwrap()
        .starts_with("https://"));
    assert!(!b["phoneNumbers"].as_array().unwrap().is_empty());
    let i = info(&app, &tok, id).await;
    assert_eq!(i["status"], 1);
    assert_eq!(i["roomCode"], code);
    assert_eq!(i["creatorId"], HOST);
}

#[tokio::test]
async fn create_calls_the_invited_colleagues_and_lists_an_uncalled_organiser_as_initialised() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let id = create(
        &app,
        &tok,
        json!({"userId": HOST, "confTitle": "t", "inviteUserIds": [ALICE], "inviteCaller": false}),
    )
    .await;
    let list = members(&app, &tok, &id).await;
    assert_eq!(member(&list, HOST).unwrap()["attendStatus"], 1);
    assert_eq!(member(&list, HOST).unwrap()["host"], true);
    assert_eq!(member(&list, ALICE).unwrap()["attendStatus"], 2);
    let id = create(&app, &tok, json!({"userId": HOST, "confTitle": "t"})).await;
    let list = members(&app, &tok, &id).await;
    assert_eq!(
        member(&list, HOST).unwrap()["attendStatus"],
        2,
        "inviteCaller defaults to true"
    );
}

#[tokio::test]
async fn a_title_over_50_characters_is_cut_to_50() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let long: String = "会".repeat(60);
    let id = create(&app, &tok, json!({"userId": HOST, "confTitle": long})).await;
    assert_eq!(info(&app, &tok, &id).await["title"], "会".repeat(50));
}

#[tokio::test]
async fn a_title_over_256_characters_fails_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let r = call(
        &app,
        &tok,
        Method::POST,
        "/v1.0/conference/videoConferences",
        json!({"userId": HOST, "confTitle": "x".repeat(257)}),
    )
    .await;
    assert_error(
        &r,
        400,
        "paramsError",
        "error:confTitle exceeds 256 characters",
    );
    let all = app.admin_get("/meetings?vendor=dingtalk").await.json();
    assert_eq!(
        all.to_string().matches("\"id\"").count(),
        1,
        "only the demo conference: {all}"
    );
}

#[tokio::test]
async fn create_with_a_non_colleague_or_unknown_organiser_is_unknown_user_error() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    for body in [
        json!({"userId": HOST, "confTitle": "t", "inviteUserIds": ["stranger"]}),
        json!({"userId": "nobody", "confTitle": "t"}),
        json!({"userId": "manager0001", "confTitle": "t"}),
    ] {
        let r = call(
            &app,
            &tok,
            Method::POST,
            "/v1.0/conference/videoConferences",
            body,
        )
        .await;
        assert_error(&r, 400, "unknownUserError", "unknownUserError");
    }
}

#[tokio::test]
async fn create_without_a_title_is_params_error() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let r = call(
        &app,
        &tok,
        Method::POST,
        "/v1.0/conference/videoConferences",
        json!({"userId": HOST}),
    )
    .await;
    assert_error(&r, 400, "paramsError", "error:confTitle is empty");
}

#[tokio::test]
async fn close_by_the_host_ends_the_conference_with_cause_and_code() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let id = new_conf(&app, &tok).await;
    invite(&app, &tok, &id, two_and_a_phone()).await;
    let r = app
        .send(
            Method::DELETE,
            &format!("{}?unionId={HOST}", conf(&id, "")),
            &[
                (TOKEN_HEADER, tok.as_str()),
                ("content-type", "application/octet-stream"),
            ],
            "",
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json(), json!({"cause": "success", "code": 200}));
    assert_eq!(info(&app, &tok, &id).await["status"], 2);
    let list = members(&app, &tok, &id).await;
    assert!(list.iter().all(|m| m["attendStatus"] == 6), "{list:?}");
}

#[tokio::test]
async fn close_by_someone_else_is_refused_and_the_conference_goes_on() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let path = format!("{}?unionId={ALICE}", conf(DEMO_CONF, ""));
    let r = app
        .send(Method::DELETE, &path, &[(TOKEN_HEADER, tok.as_str())], "")
        .await;
    assert_error(
        &r,
        400,
        "paramsError",
        "error:only the host can close the conference",
    );
    let r = app
        .send(
            Method::DELETE,
            &conf(DEMO_CONF, ""),
            &[(TOKEN_HEADER, tok.as_str())],
            "",
        )
        .await;
    assert_error(&r, 400, "paramsError", "error:unionId is empty");
    assert_eq!(info(&app, &tok, DEMO_CONF).await["status"], 1);
}

#[tokio::test]
async fn closing_twice_says_the_conference_has_ended() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let path = format!("{}?unionId={HOST}", conf(DEMO_CONF, ""));
    let h = [(TOKEN_HEADER, tok.as_str())];
    assert_eq!(
        app.send(Method::DELETE, &path, &h, "").await.status,
        StatusCode::OK
    );
    let r = app.send(Method::DELETE, &path, &h, "").await;
    assert_error(&r, 400, "paramsError", "error:conference has ended");
}

// ---- invite --------------------------------------------------------------------------------

#[tokio::test]
async fn invited_users_and_phones_appear_as_calling_members() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let id = new_conf(&app, &tok).await;
    let r = invite(&app, &tok, &id, two_and_a_phone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json(), json!({"success": true}));
    let list = members(&app, &tok, &id).await;
    assert_eq!(list.len(), 4);
    for (u, nick) in [(ALICE, "Alice"), (BOB, "Bob")] {
        let m = member(&list, u).unwrap();
        assert_eq!(m["attendStatus"], 2);
        assert_eq!(m["userNick"], nick);
        assert_eq!(m["pstnJoin"], false);
    }
    let phone = list.iter().find(|m| m["pstnJoin"] == true).unwrap();
    assert_eq!(phone["attendStatus"], 2);
    assert_eq!(phone["userNick"], "Phone Guest");
    assert!(phone.get("unionId").is_none());
    assert_eq!(info(&app, &tok, &id).await["invitedNum"], 3);
}

#[tokio::test]
async fn an_omitted_list_and_an_empty_list_are_the_same() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let id = new_conf(&app, &tok).await;
    let r = invite(
        &app,
        &tok,
        &id,
        json!({"inviteeList": [{"nick": "Alice", "unionId": ALICE}]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = invite(
        &app,
        &tok,
        &id,
        json!({"inviteeList": [{"nick": "Bob", "unionId": BOB}], "phoneInviteeList": []}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(members(&app, &tok, &id).await.len(), 3);
    let r = invite(&app, &tok, &id, json!({"inviteeList": [], "unionId": HOST})).await;
    assert_error(&r, 400, "paramsError", "error:inviteeList is empty");
}

#[tokio::test]
async fn an_invitee_without_nick_is_params_error_and_nobody_is_called() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let id = new_conf(&app, &tok).await;
    let r = invite(
        &app,
        &tok,
        &id,
        json!({
        "inviteeList": [{"nick": "Bob", "unionId": BOB}, {"unionId": ALICE}], "unionId": HOST}),
    )
    .await;
    assert_error(&r, 400, "paramsError", "error:nick is empty");
    assert_eq!(members(&app, &tok, &id).await.len(), 1);
}

#[tokio::test]
async fn an_unknown_invitee_is_unknown_user_error_and_nobody_is_called() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let id = new_conf(&app, &tok).await;
    let r = invite(&app, &tok, &id, json!({
        "inviteeList": [{"nick": "Bob", "unionId": BOB}, {"nick": "Ghost", "unionId": "nobody-xyz"}]})).await;
    assert_error(&r, 400, "unknownUserError", "unknownUserError");
    assert_eq!(members(&app, &tok, &id).await.len(), 1);
}

#[tokio::test]
async fn a_staff_user_id_is_not_a_union_id() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let r = invite(
        &app,
        &tok,
        DEMO_CONF,
        json!({"inviteeList": [{"nick": "Alice", "unionId": "user0001"}]}),
    )
    .await;
    assert_error(&r, 400, "unknownUserError", "unknownUserError");
}

#[tokio::test]
async fn malformed_bodies_are_params_errors_that_change_nothing() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let cases: [(&str, &str); 5] = [
        ("{not json", "error:request body is not valid JSON"),
        ("[1,2]", "error:request body must be a JSON object"),
        (
            r#"{"inviteeList":{"unionId":"union-alice-0001","nick":"A"}}"#,
            "error:inviteeList must be an array",
        ),
        (
            r#"{"inviteeList":[{"unionId":7,"nick":"A"}]}"#,
            "error:unionId must be a string",
        ),
        (
            r#"{"inviteeList":[{"unionId":"","nick":"A"}]}"#,
            "error:unionId is empty",
        ),
    ];
    for (body, msg) in cases {
        let r = app
            .send(
                Method::POST,
                &conf(DEMO_CONF, "/users/invite"),
                &[
                    (TOKEN_HEADER, tok.as_str()),
                    ("content-type", "application/json"),
                ],
                body,
            )
            .await;
        assert_error(&r, 400, "paramsError", msg);
    }
    assert_eq!(members(&app, &tok, DEMO_CONF).await.len(), 2);
}

#[tokio::test]
async fn an_empty_conference_id_is_params_error() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let r = invite(&app, &tok, "", two_and_a_phone()).await;
    assert_error(&r, 400, "paramsError", "error:conferenceId is empty");
    let r = invite(&app, &tok, "%20", two_and_a_phone()).await;
    assert_error(&r, 400, "paramsError", "error:conferenceId is empty");
}

#[tokio::test]
async fn inviting_into_an_unknown_conference_is_params_error_not_found() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let r = invite(&app, &tok, "ffffffffffffffffffffffff", two_and_a_phone()).await;
    assert_error(&r, 400, "paramsError", "error:conference not found");
}

#[tokio::test]
async fn inviting_after_close_is_params_error_ended_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let id = new_conf(&app, &tok).await;
    let path = format!("{}?unionId={HOST}", conf(&id, ""));
    app.send(Method::DELETE, &path, &[(TOKEN_HEADER, tok.as_str())], "")
        .await;
    let r = invite(&app, &tok, &id, two_and_a_phone()).await;
    assert_error(&r, 400, "paramsError", "error:conference has ended");
    assert_eq!(members(&app, &tok, &id).await.len(), 1);
}

#[tokio::test]
async fn a_locked_conference_refuses_invitations_until_unlocked() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let path = conf(DEMO_CONF, "/lock");
    let lock =
        |action: &'static str| call(&app, &tok, Method::POST, &path, json!({"action": action}));
    assert_eq!(lock("lock").await.json(), json!({"success": true}));
    let r = invite(&app, &tok, DEMO_CONF, two_and_a_phone()).await;
    assert_error(&r, 400, "paramsError", "error:conference is locked");
    assert_eq!(members(&app, &tok, DEMO_CONF).await.len(), 2);
    lock("unlock").await;
    assert_eq!(
        invite(&app, &tok, DEMO_CONF, two_and_a_phone())
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(members(&app, &tok, DEMO_CONF).await.len(), 5);
}

#[tokio::test]
async fn a_full_conference_refuses_the_whole_invitation() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    app.admin_post(
        &format!("/meetings/{DEMO_CONF}/capacity"),
        json!({"vendor": "dingtalk", "capacity": 4}),
    )
    .await;
    let r = invite(&app, &tok, DEMO_CONF, two_and_a_phone()).await;
    assert_error(
        &r,
        400,
        "paramsError",
        "error:conference member count exceeds the limit",
    );
    assert_eq!(members(&app, &tok, DEMO_CONF).await.len(), 2);
}

#[tokio::test]
async fn ten_thousand_phone_invitees_exceed_the_capacity_without_harm() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let phones: Vec<Value> = (0..10_000)
        .map(|i| json!({"nick": format!("P{i}"), "phoneNumber": format!("1390000{i:04}")}))
        .collect();
    let r = invite(&app, &tok, DEMO_CONF, json!({"phoneInviteeList": phones})).await;
    assert_error(
        &r,
        400,
        "paramsError",
        "error:conference member count exceeds the limit",
    );
    assert_eq!(members(&app, &tok, DEMO_CONF).await.len(), 2);
}

#[tokio::test]
async fn system_error_is_reachable_through_a_fault_rule() {
    let yaml = r#"
name: dt-fault
faults:
  - match: { vendor: dingtalk, operation: InviteUsers }
    error: system_error
"#;
    let app = TestApp::spawn_config(
        Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            ..Config::default()
        },
        yaml,
    )
    .await;
    let tok = token(&app).await;
    let r = invite(&app, &tok, DEMO_CONF, two_and_a_phone()).await;
    assert_error(&r, 500, "systemError", "systemError:internal error");
    assert_eq!(members(&app, &tok, DEMO_CONF).await.len(), 2);
}

#[tokio::test]
async fn throttling_answers_403_qps_limit_with_the_ban_end_time_when_switched_on() {
    let app = TestApp::spawn_config(
        Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            ..Config::default()
        },
        "name: dt-rl\nrate_limits: { dingtalk: documented }\n",
    )
    .await;
    let tok = token(&app).await;
    for _ in 0..20 {
        assert_eq!(
            get(&app, &tok, &conf(DEMO_CONF, "")).await.status,
            StatusCode::OK
        );
    }
    let r = get(&app, &tok, &conf(DEMO_CONF, "")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let b = r.json();
    assert_eq!(b["code"], "Forbidden.AccessDenied.QpsLimitForApi");
    let msg = b["message"].as_str().unwrap();
    assert!(
        msg.starts_with("请求过于频繁，限制将在 ") && msg.ends_with(" 结束"),
        "{msg}"
    );
    assert_eq!(msg.chars().filter(|c| *c == ':').count(), 2, "{msg}");
    app.advance_secs(1.0).await;
    assert_eq!(
        get(&app, &tok, &conf(DEMO_CONF, "")).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn throttling_is_off_by_default() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    for _ in 0..30 {
        assert_eq!(
            get(&app, &tok, &conf(DEMO_CONF, "")).await.status,
            StatusCode::OK
        );
    }
}

// ---- members and controls ----------------------------------------------------------------

#[tokio::test]
async fn members_are_paged_by_max_results_and_next_token() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    invite(&app, &tok, DEMO_CONF, two_and_a_phone()).await;
    let r = get(
        &app,
        &tok,
        &format!("{}?maxResults=2&nextToken=0", conf(DEMO_CONF, "/members")),
    )
    .await;
    let b = r.json();
    assert_eq!(b["memberModels"].as_array().unwrap().len(), 2);
    assert_eq!(b["totalCount"], 2);
    assert_eq!(b["nextToken"], "2");
    let r = get(
        &app,
        &tok,
        &format!("{}?maxResults=2&nextToken=4", conf(DEMO_CONF, "/members")),
    )
    .await;
    let b = r.json();
    assert_eq!(b["memberModels"].as_array().unwrap().len(), 1);
    assert!(b.get("nextToken").is_none());
    let r = get(
        &app,
        &tok,
        &format!("{}?maxResults=abc", conf(DEMO_CONF, "/members")),
    )
    .await;
    assert_error(&r, 400, "paramsError", "error:maxResults is invalid");
}

#[tokio::test]
async fn a_joined_invitee_reads_attend_status_3_with_a_join_time() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    invite(&app, &tok, DEMO_CONF, two_and_a_phone()).await;
    app.admin_post(
        &format!("/meetings/{DEMO_CONF}/join"),
        json!({"vendor": "dingtalk", "user": ALICE}),
    )
    .await;
    let list = members(&app, &tok, DEMO_CONF).await;
    let a = member(&list, ALICE).unwrap();
    assert_eq!(a["attendStatus"], 3);
    assert!(a["joinTime"].as_i64().unwrap() > 0);
}

#[tokio::test]
async fn kicked_members_read_attend_status_5_and_the_host_cannot_be_kicked() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let kick = conf(DEMO_CONF, "/members/kick");
    let r = call(
        &app,
        &tok,
        Method::POST,
        &kick,
        json!({"userList": [{"unionId": "union-carol-0003"}], "forbiddenRejoin": true}),
    )
    .await;
    assert_eq!(r.json(), json!({"success": true}));
    let r = call(
        &app,
        &tok,
        Method::POST,
        &kick,
        json!({"userList": [{"unionId": HOST}]}),
    )
    .await;
    assert_error(&r, 400, "paramsError", "error:the host cannot be kicked");
    let r = call(
        &app,
        &tok,
        Method::POST,
        &kick,
        json!({"userList": [{"unionId": "union-carol-0003"}]}),
    )
    .await;
    assert_error(
        &r,
        400,
        "paramsError",
        "error:user is not in the conference",
    );
    let r = call(
        &app,
        &tok,
        Method::POST,
        &kick,
        json!({"userList": [{"unionId": "ghost"}]}),
    )
    .await;
    assert_error(&r, 400, "unknownUserError", "unknownUserError");
    let list = members(&app, &tok, DEMO_CONF).await;
    assert_eq!(
        member(&list, "union-carol-0003").unwrap()["attendStatus"],
        5
    );
    assert_eq!(member(&list, HOST).unwrap()["attendStatus"], 3);
}

#[tokio::test]
async fn co_hosts_are_set_and_removed() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let path = conf(DEMO_CONF, "/coHosts/set");
    let carol = json!([{"unionId": "union-carol-0003"}]);
    call(
        &app,
        &tok,
        Method::POST,
        &path,
        json!({"action": "add", "userList": carol}),
    )
    .await;
    let list = members(&app, &tok, DEMO_CONF).await;
    assert_eq!(member(&list, "union-carol-0003").unwrap()["coHost"], true);
    call(
        &app,
        &tok,
        Method::POST,
        &path,
        json!({"action": "remove", "userList": carol}),
    )
    .await;
    let list = members(&app, &tok, DEMO_CONF).await;
    assert_eq!(member(&list, "union-carol-0003").unwrap()["coHost"], false);
    let r = call(
        &app,
        &tok,
        Method::POST,
        &path,
        json!({"action": "promote", "userList": carol}),
    )
    .await;
    assert_error(&r, 400, "paramsError", "error:action is invalid");
}

#[tokio::test]
async fn mute_and_mute_all_show_in_the_batch_query() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let batch = || {
        call(
            &app,
            &tok,
            Method::POST,
            "/v1.0/conference/videoConferences/query",
            json!({"conferenceIdList": [DEMO_CONF, "ffffffffffffffffffffffff"]}),
        )
    };
    let mic = |b: &Value, u: &str| {
        b["infos"][0]["userList"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["userId"] == u)
            .unwrap()["micStatus"]
            .clone()
    };
    call(
        &app,
        &tok,
        Method::POST,
        &conf(DEMO_CONF, "/members/mute"),
        json!({"action": "mute", "userList": [{"unionId": "union-carol-0003"}]}),
    )
    .await;
    let b = batch().await.json();
    assert_eq!(
        b["infos"].as_array().unwrap().len(),
        1,
        "unknown ids are skipped"
    );
    assert_eq!(mic(&b, "union-carol-0003"), 0);
    assert_eq!(mic(&b, HOST), 1);
    call(
        &app,
        &tok,
        Method::POST,
        &conf(DEMO_CONF, "/allMembers/mute"),
        json!({"action": "unmute"}),
    )
    .await;
    assert_eq!(mic(&batch().await.json(), "union-carol-0003"), 1);
}

#[tokio::test]
async fn update_nick_renames_a_member() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let r = call(
        &app,
        &tok,
        Method::POST,
        &conf(DEMO_CONF, "/members/updateNick"),
        json!({"nick": "Caroline", "unionId": "union-carol-0003"}),
    )
    .await;
    assert_eq!(r.json(), json!({"success": true}));
    let list = members(&app, &tok, DEMO_CONF).await;
    assert_eq!(
        member(&list, "union-carol-0003").unwrap()["userNick"],
        "Caroline"
    );
    let r = call(
        &app,
        &tok,
        Method::POST,
        &conf(DEMO_CONF, "/members/updateNick"),
        json!({"unionId": "union-carol-0003"}),
    )
    .await;
    assert_error(&r, 400, "paramsError", "error:nick is empty");
}

#[tokio::test]
async fn a_users_ongoing_list_names_the_conferences_calling_or_holding_them() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let id = new_conf(&app, &tok).await;
    invite(
        &app,
        &tok,
        &id,
        json!({"inviteeList": [{"nick": "Alice", "unionId": ALICE}]}),
    )
    .await;
    let r = get(
        &app,
        &tok,
        &format!("/v1.0/conference/users/lists?unionId={ALICE}"),
    )
    .await;
    let b = r.json();
    assert_eq!(b["onGoingConfIdList"], json!([id]));
    assert_eq!(b["memberModelMap"][&id]["attendStatus"], 2);
    let r = get(&app, &tok, "/v1.0/conference/users/lists?unionId=ghost").await;
    assert_error(&r, 400, "unknownUserError", "unknownUserError");
}

#[tokio::test]
async fn the_error_rehearsal_scenario_renders_scope_refusals_and_system_errors() {
    let app = TestApp::spawn_config(
        Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            ..Config::default()
        },
        include_str!("../../scenarios/dingtalk-errors.yaml"),
    )
    .await;
    let tok = token(&app).await;
    let r = call(
        &app,
        &tok,
        Method::POST,
        "/v1.0/conference/videoConferences",
        json!({"userId": HOST, "confTitle": "t"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let b = r.json();
    assert_eq!(
        b["code"],
        "Forbidden.AccessDenied.AccessTokenPermissionDenied"
    );
    assert_eq!(
        b["accessdenieddetail"]["requiredScopes"],
        json!(["VideoConference.Conference.Write"])
    );
    assert_eq!(r.header("x-acs-request-id"), b["requestid"].as_str());
    let bodies = [
        json!({"inviteeList": [{"nick": "Alice", "unionId": ALICE}]}),
        json!({"inviteeList": [{"nick": "Bob", "unionId": BOB}]}),
    ];
    for b in bodies {
        assert_eq!(
            invite(&app, &tok, DEMO_CONF, b).await.status,
            StatusCode::OK
        );
    }
    let r = invite(&app, &tok, DEMO_CONF, two_and_a_phone()).await;
    assert_error(
        &r,
        500,
        "systemError",
        "systemError:invite service unavailable",
    );
    assert_eq!(
        members(&app, &tok, DEMO_CONF).await.len(),
        4,
        "the faulted call changed nothing"
    );
}
