//! DingTalk: create, query info, close and InviteUsers with its errors, fault rules and throttling.

use super::*;
use crate::common::TestApp;
use meetmock::config::Config;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

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
    // The demo's invitees answer within seconds; a still clock keeps the calls as placed.
    app.freeze().await;
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
async fn create_without_a_title_is_the_gateways_missing_conf_title_and_a_blank_one_params_error() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let path = "/v1.0/conference/videoConferences";
    let r = call(&app, &tok, Method::POST, path, json!({"userId": HOST})).await;
    assert_error(
        &r,
        400,
        "MissingconfTitle",
        "confTitle is mandatory for this action.",
    );
    let r = call(
        &app,
        &tok,
        Method::POST,
        path,
        json!({"userId": HOST, "confTitle": " "}),
    )
    .await;
    assert_error(&r, 400, "paramsError", "error:confTitle is empty");
    let list = app.admin_get("/meetings?vendor=dingtalk").await.json();
    assert_eq!(list["meetings"].as_array().map(Vec::len), Some(1), "{list}");
}

#[tokio::test]
async fn close_by_the_host_ends_the_conference_with_cause_and_code() {
    let app = TestApp::spawn().await;
    // The demo's invitees answer within seconds; a still clock keeps the calls as placed.
    app.freeze().await;
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
    assert_error(
        &r,
        400,
        "MissingunionId",
        "unionId is mandatory for this action.",
    );
    let r = app
        .send(
            Method::DELETE,
            &conf(DEMO_CONF, "?unionId="),
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
    // The demo's invitees answer within seconds; a still clock keeps the calls as placed.
    app.freeze().await;
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
