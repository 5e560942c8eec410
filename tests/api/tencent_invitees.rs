//! Tencent set/list invitees (`PUT`/`GET /v1/meetings/{id}/invitees`): overwrite semantics,
//! unregistered users, duplicates, 2000 cap, creator-only, malformed bodies. State is read back
//! through the admin API after every call.

use crate::common::TestApp;
use crate::tencent::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn setting_invitees_stores_registered_users_and_reports_the_others() {
    let app = TestApp::spawn().await;
    let r = set(
        &app,
        SCHEDULED,
        "userA",
        &["userB", "userC", "userD", "ghost_u", "nobody"],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        r.json(),
        json!({"user_non_registered": ["ghost_u", "nobody"]})
    );
    assert_eq!(
        invitees_of(&app, SCHEDULED).await,
        ["userB", "userC", "userD"]
    );
}

#[tokio::test]
async fn an_all_registered_list_is_answered_with_an_empty_object() {
    let app = TestApp::spawn().await;
    let r = set(&app, SCHEDULED, "userA", &["userB"]).await;
    assert_eq!(r.text, "{}");
}

#[tokio::test]
async fn a_second_put_overwrites_the_list() {
    let app = TestApp::spawn().await;
    set(&app, SCHEDULED, "userA", &["userB", "userC", "userD"]).await;
    set(&app, SCHEDULED, "userA", &["userE"]).await;
    assert_eq!(invitees_of(&app, SCHEDULED).await, ["userE"]);
}

#[tokio::test]
async fn a_missing_invitees_key_and_an_empty_list_both_clear_it() {
    let app = TestApp::spawn().await;
    set(&app, SCHEDULED, "userA", &["userB"]).await;
    let r = call(
        &app,
        Method::PUT,
        &inv_path(SCHEDULED),
        json!({"instanceid": 1, "userid": "userA"}),
    )
    .await;
    assert_eq!(r.text, "{}");
    assert!(invitees_of(&app, SCHEDULED).await.is_empty());
    set(&app, SCHEDULED, "userA", &["userB"]).await;
    set(&app, SCHEDULED, "userA", &[]).await;
    assert!(invitees_of(&app, SCHEDULED).await.is_empty());
}

#[tokio::test]
async fn duplicates_collapse_keeping_first_seen_order() {
    let app = TestApp::spawn().await;
    set(
        &app,
        SCHEDULED,
        "userA",
        &["userD", "userB", "userD", "userC", "userB"],
    )
    .await;
    assert_eq!(
        invitees_of(&app, SCHEDULED).await,
        ["userD", "userB", "userC"]
    );
}

#[tokio::test]
async fn only_the_creator_may_set_invitees_403_9042() {
    let app = TestApp::spawn().await;
    set(&app, SCHEDULED, "userA", &["userB"]).await;
    let r = set(&app, SCHEDULED, "userB", &["userC"]).await;
    assert_error(&r, 403, 9042);
    assert_eq!(invitees_of(&app, SCHEDULED).await, ["userB"]);
}

#[tokio::test]
async fn an_unknown_meeting_is_400_190457() {
    let app = TestApp::spawn().await;
    assert_error(&set(&app, "1234", "userA", &["userB"]).await, 400, 190457);
    let r = call(
        &app,
        Method::GET,
        &format!("{}?userid=userA&instanceid=1", inv_path("1234")),
        Value::Null,
    )
    .await;
    assert_error(&r, 400, 190457);
}

#[tokio::test]
async fn two_thousand_invitees_are_stored_and_listed_over_ten_pages() {
    let app = TestApp::spawn().await;
    let ids = add_users(&app, 2100).await;
    let list: Vec<&str> = ids.iter().take(2000).map(String::as_str).collect();
    let r = set(&app, SCHEDULED, "userA", &list).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let (mut pos, mut pages, mut seen) = (0, 0, Vec::new());
    loop {
        let r = call(
            &app,
            Method::GET,
            &format!(
                "{}?userid=userA&instanceid=1&pos={pos}",
                inv_path(SCHEDULED)
            ),
            Value::Null,
        )
        .await;
        let v = r.json();
        let page = v["invitees"].as_array().unwrap().clone();
        assert!(page.len() <= 200);
        seen.extend(
            page.iter()
                .map(|i| i["userid"].as_str().unwrap().to_string()),
        );
        pages += 1;
        pos = v["next_pos"].as_u64().unwrap();
        if !v["has_remaining"].as_bool().unwrap() {
            break;
        }
    }
    assert_eq!(pages, 10);
    assert_eq!(seen, list);
    assert_eq!(seen.first().map(String::as_str), Some("bulk00000"));
}

#[tokio::test]
async fn two_thousand_and_one_invitees_are_refused_and_the_list_is_unchanged() {
    let app = TestApp::spawn().await;
    let ids = add_users(&app, 2001).await;
    set(&app, SCHEDULED, "userA", &["userB"]).await;
    let list: Vec<&str> = ids.iter().map(String::as_str).collect();
    let r = set(&app, SCHEDULED, "userA", &list).await;
    assert_error(&r, 400, 190004);
    assert_eq!(invitees_of(&app, SCHEDULED).await, ["userB"]);
}

#[tokio::test]
async fn malformed_bodies_are_400_190004_failed_to_unmarshal_and_change_nothing() {
    let app = TestApp::spawn().await;
    set(&app, SCHEDULED, "userA", &["userB"]).await;
    let bodies: Vec<Vec<u8>> = vec![
        br#"{"instanceid":"1","userid":"userA"}"#.to_vec(),
        br#"{"instanceid":1,"userid":"userA","invitees":{"userid":"userC"}}"#.to_vec(),
        br#"{"instanceid":1,"userid":"userA","invitees":[{"nick_name":"x"}]}"#.to_vec(),
        b"{\"instanceid\":1,\"userid\":\"user\xff\"}".to_vec(),
        b"not json".to_vec(),
        Vec::new(),
    ];
    for b in bodies {
        let r = Req::new(Method::PUT, &inv_path(SCHEDULED), b.clone())
            .send(&app)
            .await;
        assert_error(&r, 400, 190004);
        let msg = r.json()["error_info"]["message"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            msg.starts_with("failed to unmarshal req body: "),
            "{msg} for {:?}",
            String::from_utf8_lossy(&b)
        );
    }
    assert_eq!(invitees_of(&app, SCHEDULED).await, ["userB"]);
}

#[tokio::test]
async fn a_hundred_thousand_element_array_is_refused_without_harm() {
    let app = TestApp::spawn().await;
    let big: Vec<Value> = (0..100_000)
        .map(|i| json!({"userid": format!("u{i}")}))
        .collect();
    let r = call(
        &app,
        Method::PUT,
        &inv_path(SCHEDULED),
        json!({"instanceid": 1, "userid": "userA", "invitees": big}),
    )
    .await;
    assert_error(&r, 400, 190004);
    assert!(invitees_of(&app, SCHEDULED).await.is_empty());
}

#[tokio::test]
async fn missing_userid_or_instanceid_or_an_empty_invitee_id_is_190004() {
    let app = TestApp::spawn().await;
    for b in [
        json!({"instanceid": 1}),
        json!({"userid": "userA"}),
        json!({"instanceid": 1, "userid": "userA", "invitees": [{"userid": ""}]}),
    ] {
        assert_error(
            &call(&app, Method::PUT, &inv_path(SCHEDULED), b).await,
            400,
            190004,
        );
    }
}

#[tokio::test]
async fn only_the_creator_may_list_invitees_403_9042() {
    let app = TestApp::spawn().await;
    let r = call(
        &app,
        Method::GET,
        &format!("{}?userid=userB&instanceid=1", inv_path(SCHEDULED)),
        Value::Null,
    )
    .await;
    assert_error(&r, 403, 9042);
    let r = call(
        &app,
        Method::GET,
        &format!("{}?userid=userA&instanceid=x", inv_path(SCHEDULED)),
        Value::Null,
    )
    .await;
    assert_error(&r, 400, 190004);
}

#[tokio::test]
async fn invitees_of_a_cancelled_meeting_cannot_be_set() {
    let app = TestApp::spawn().await;
    app.admin_post(
        &format!("/meetings/{SCHEDULED}/cancel"),
        json!({"vendor": "tencent"}),
    )
    .await;
    assert_error(&set(&app, SCHEDULED, "userA", &["userB"]).await, 500, 9007);
}

#[tokio::test]
async fn an_injected_error_renders_exactly_like_a_real_one() {
    let app = TestApp::spawn().await;
    let real = set(&app, SCHEDULED, "userB", &[]).await;
    app.admin_post("/faults", json!({"match": {"vendor": "tencent", "operation": "v1_meetings_meeting_id_invitees_put"}, "error": "9042"})).await;
    let injected = set(&app, SCHEDULED, "userA", &[]).await;
    assert_eq!((injected.status, injected.text), (real.status, real.text));
}

#[tokio::test]
async fn the_invitee_fault_scenario_answers_the_documented_500s_in_turn() {
    let yaml = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/tencent-invitee-faults.yaml"
    ))
    .unwrap();
    let config = meetmock::config::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..Default::default()
    };
    let app = TestApp::spawn_config(config, &yaml).await;
    for code in [190001, 190431, 500041] {
        assert_error(&set(&app, SCHEDULED, "userA", &["userB"]).await, 500, code);
    }
    assert!(invitees_of(&app, SCHEDULED).await.is_empty());
    assert_eq!(
        set(&app, SCHEDULED, "userA", &["userB"]).await.status,
        StatusCode::OK
    );
    assert_eq!(invitees_of(&app, SCHEDULED).await, ["userB"]);
}

#[tokio::test]
async fn the_rate_limit_scenario_file_loads() {
    let yaml = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/tencent-rate-limits.yaml"
    ))
    .unwrap();
    let vendors = meetmock::vendors::registry();
    assert!(meetmock::scenario::parse("tencent-rate-limits.yaml", &yaml, &vendors).is_ok());
}
