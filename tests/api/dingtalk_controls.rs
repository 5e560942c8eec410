//! DingTalk: members paging and the in-meeting controls (kick, mute, co-hosts, nick, batch query, user list).

use super::*;
use crate::common::TestApp;
use meetmock::config::Config;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

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
    assert_error(&r, 400, "Missingnick", "nick is mandatory for this action.");
}

#[tokio::test]
async fn a_users_ongoing_list_names_the_conferences_calling_or_holding_them() {
    let app = TestApp::spawn().await;
    // The demo's invitees answer within seconds; a still clock keeps the calls as placed.
    app.freeze().await;
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
