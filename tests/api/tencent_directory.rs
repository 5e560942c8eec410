//! The Tencent user directory and the calls around the invite flow: users created, changed,
//! listed and deleted through the API change later invite answers (`user_non_registered`);
//! activation links for inactive users; open-id mapping; kickout, co-hosts, meeting history.

use crate::common::TestApp;
use crate::tencent::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn new_user(id: &str, phone: &str) -> Value {
    json!({"operator_id": "userA", "operator_id_type": 1, "userid": id, "username": "New Person",
           "phone": phone, "email": format!("{id}@example.com"), "staff_id": "S-1", "entry_time": 1700000000})
}

#[tokio::test]
async fn registering_a_user_through_the_api_changes_later_invite_answers() {
    let app = TestApp::spawn().await;
    let r = set(&app, SCHEDULED, "userA", &["newbie"]).await;
    assert_eq!(r.json()["user_non_registered"], json!(["newbie"]));
    let r = call(
        &app,
        Method::POST,
        "/v1/users",
        new_user("newbie", "13800000001"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        r.json(),
        json!({"userid": "newbie", "username": "New Person", "phone": "13800000001", "email": "newbie@example.com"})
    );
    let r = set(&app, SCHEDULED, "userA", &["newbie"]).await;
    assert_eq!(r.json(), json!({}), "{}", r.text);
    assert_eq!(invitees_of(&app, SCHEDULED).await, ["newbie"]);
}

#[tokio::test]
async fn a_user_reads_back_with_string_status_and_entry_time() {
    let app = TestApp::spawn().await;
    call(
        &app,
        Method::POST,
        "/v1/users",
        new_user("newbie", "13800000001"),
    )
    .await;
    let r = call(
        &app,
        Method::GET,
        "/v1/users/newbie?operator_id=userA&operator_id_type=1",
        Value::Null,
    )
    .await;
    let v = r.json();
    assert_eq!(v["userid"], "newbie", "{v}");
    assert_eq!(v["status"], "1");
    assert_eq!(v["entry_time"], "1700000000");
    assert_eq!(v["staff_id"], "S-1");
    assert_eq!(v["uuid"].as_str().unwrap().len(), 32);
}

#[tokio::test]
async fn duplicates_and_bad_contacts_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    call(
        &app,
        Method::POST,
        "/v1/users",
        new_user("newbie", "13800000001"),
    )
    .await;
    let before = app.admin_get("/state").await.json()["tenants"].clone();
    for (body, status, code) in [
        (new_user("newbie", "13800000002"), 400, 20002),
        (new_user("other", "13800000001"), 400, 41003),
        (new_user("other", "12ab"), 400, 40000),
        (
            json!({"operator_id": "userA", "operator_id_type": 1, "userid": "o", "username": "O", "phone": "13800000009", "email": "nope"}),
            400,
            41001,
        ),
        (
            json!({"operator_id": "userA", "operator_id_type": 1, "userid": "o", "username": "O", "phone": "13800000009", "email": "newbie@example.com"}),
            400,
            41002,
        ),
        (
            json!({"operator_id": "stranger", "operator_id_type": 1, "userid": "o", "username": "O", "phone": "13800000009"}),
            403,
            9042,
        ),
        (
            json!({"operator_id": "userA", "operator_id_type": 1, "userid": "o", "username": "O"}),
            400,
            190004,
        ),
    ] {
        assert_error(
            &call(&app, Method::POST, "/v1/users", body).await,
            status,
            code,
        );
    }
    assert_eq!(app.admin_get("/state").await.json()["tenants"], before);
}

#[tokio::test]
async fn update_rename_list_and_delete_a_user() {
    let app = TestApp::spawn().await;
    call(
        &app,
        Method::POST,
        "/v1/users",
        new_user("newbie", "13800000001"),
    )
    .await;
    let r = call(&app, Method::PUT, "/v1/users/newbie", json!({"operator_id": "userA", "operator_id_type": 1, "username": "Renamed", "userid": "newbie2"})).await;
    assert_eq!(r.text, "{}");
    let r = call(
        &app,
        Method::GET,
        "/v1/users/list?page=1&page_size=20&operator_id=userA&operator_id_type=1",
        Value::Null,
    )
    .await;
    let v = r.json();
    let names: Vec<&str> = v["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userid"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"newbie2") && !names.contains(&"newbie"),
        "{v}"
    );
    assert_eq!(v["total_count"], names.len());
    let r = call(
        &app,
        Method::GET,
        "/v1/users/list?page=1&page_size=21&operator_id=userA&operator_id_type=1",
        Value::Null,
    )
    .await;
    assert_error(&r, 400, 190004);
    let r = call(
        &app,
        Method::DELETE,
        "/v1/users/newbie2?operator_id=userA&operator_id_type=1",
        Value::Null,
    )
    .await;
    assert_eq!(r.text, "{}");
    let r = call(
        &app,
        Method::DELETE,
        "/v1/users/newbie2?operator_id=userA&operator_id_type=1",
        Value::Null,
    )
    .await;
    assert_error(&r, 400, 20001);
    assert_eq!(
        set(&app, SCHEDULED, "userA", &["newbie2"]).await.json()["user_non_registered"],
        json!(["newbie2"])
    );
}

#[tokio::test]
async fn inactive_users_get_activation_links_and_activating_changes_invite_answers() {
    let app = TestApp::spawn().await;
    // ghost_u is in the demo directory, not activated.
    let r = call(
        &app,
        Method::GET,
        "/v1/users/ghost_u?operator_id=userA&operator_id_type=1",
        Value::Null,
    )
    .await;
    assert_eq!(r.json()["status"], "3");
    let r = call(&app, Method::POST, "/v1/users/invite-activate", json!({"operator_id": "userA", "operator_id_type": 1, "userid_list": ["ghost_u", "userB", "nobody"]})).await;
    let list = r.json()["inactivate_user_list"].clone();
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["userid"], "ghost_u");
    assert!(list[0]["activate_url"]
        .as_str()
        .unwrap()
        .starts_with("https://"));
    let r = call(
        &app,
        Method::PUT,
        "/v1/users/ghost_u/invite-activate?operator_id=userA&operator_id_type=1",
        Value::Null,
    )
    .await;
    assert_eq!(r.text, "{}");
    assert_error(
        &call(
            &app,
            Method::PUT,
            "/v1/users/userB/invite-activate?operator_id=userA&operator_id_type=1",
            Value::Null,
        )
        .await,
        400,
        190004,
    );
    assert_eq!(
        set(&app, SCHEDULED, "userA", &["ghost_u"]).await.json()["user_non_registered"],
        json!(["ghost_u"])
    );
    app.admin_post("/users/ghost_u/registered", json!({"vendor": "tencent"}))
        .await;
    assert_eq!(
        set(&app, SCHEDULED, "userA", &["ghost_u"]).await.json(),
        json!({})
    );
}

#[tokio::test]
async fn open_ids_map_to_userids_through_the_open_id_alias() {
    let app = TestApp::spawn().await;
    app.admin_post(
        &format!("/tenants/tencent/{APP}/users"),
        json!({"users": [{"id": "olly", "aliases": {"open_id": "oXYZ"}}]}),
    )
    .await;
    let r = call(&app, Method::POST, "/v1/users/open-id-to-userid", json!({"operator_id": "userA", "operator_id_type": 1, "sdkid": SDK, "open_id_list": ["oXYZ", "oNope"]})).await;
    assert_eq!(
        r.json(),
        json!({"userid_list": [{"open_id": "oXYZ", "userid": "olly"}], "invalid_open_id_list": ["oNope"]})
    );
}

#[tokio::test]
async fn the_host_kicks_out_and_names_a_co_host_in_a_running_meeting() {
    let app = TestApp::spawn().await;
    let ctl = |what: &str| format!("/v1/real-control/meetings/{RUNNING}/{what}");
    let r = call(&app, Method::PUT, &ctl("cohosts"), json!({"operator_id": "userA", "operator_id_type": 1, "instanceid": 1, "action": true, "user": {"to_operator_id": "userB", "to_operator_id_type": 1}})).await;
    assert_eq!(r.text, "{}");
    let co: Vec<Value> = state_of(&app, RUNNING).await["extra"]["co_hosts"]
        .as_array()
        .unwrap()
        .clone();
    assert!(co.contains(&json!("userB")), "{co:?}");
    let r = call(&app, Method::PUT, &ctl("kickout"), json!({"operator_id": "userD", "operator_id_type": 1, "instanceid": 1, "allow_rejoin": true, "users": [{"to_operator_id": "userB", "to_operator_id_type": 1}]})).await;
    assert_error(&r, 403, 9042);
    let r = call(&app, Method::PUT, &ctl("kickout"), json!({"operator_id": "userA", "operator_id_type": 1, "instanceid": 1, "allow_rejoin": false, "users": [{"to_operator_id": "userB", "to_operator_id_type": 1}]})).await;
    assert_eq!(r.text, "{}");
    let r = call(&app, Method::GET, &format!("/v1/meetings/{RUNNING}/real-time-participants?operator_id=userA&operator_id_type=1&page=1&page_size=20"), Value::Null).await;
    assert!(!r.text.contains("\"userB\""), "{}", r.text);
    let again = call(&app, Method::PUT, &ctl("kickout"), json!({"operator_id": "userA", "operator_id_type": 1, "instanceid": 1, "allow_rejoin": true, "users": [{"to_operator_id": "userB", "to_operator_id_type": 1}]})).await;
    assert_error(&again, 500, 202007);
    assert_eq!(again.json()["error_info"]["message"], "成员不在会中。");
    // Kicked out with allow_rejoin false: a later join is refused and changes nothing.
    let r = app
        .admin_try(
            Method::POST,
            &format!("/meetings/{RUNNING}/join"),
            json!({"vendor": "tencent", "user": "userB"}),
        )
        .await;
    assert_eq!(r.status, reqwest::StatusCode::CONFLICT, "{}", r.text);
    assert!(r.text.contains("may not rejoin"), "{}", r.text);
}

#[tokio::test]
async fn a_dismissed_meeting_appears_in_its_hosts_history() {
    let app = TestApp::spawn().await;
    let h = "/v1/history/meetings/userA?page=1&page_size=20";
    assert_eq!(
        call(&app, Method::GET, h, Value::Null).await.json()["total_count"],
        0
    );
    call(
        &app,
        Method::POST,
        &format!("/v1/meetings/{RUNNING}/dismiss"),
        json!({"operator_id": "userA", "operator_id_type": 1, "instanceid": 1, "reason_code": 1}),
    )
    .await;
    let v = call(&app, Method::GET, h, Value::Null).await.json();
    assert_eq!(v["total_count"], 1, "{v}");
    assert_eq!(v["meeting_info_list"][0]["meeting_id"], RUNNING);
    assert!(
        v["meeting_info_list"][0]["end_time"].is_i64(),
        "history times are integers: {v}"
    );
}
