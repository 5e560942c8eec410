//! Huawei InviteParticipant: the control token (raw, Basic, wrong, expired), meeting state
//! (not started, closed, unknown), attendee validation, capacity limits and the dial-failed
//! scenario.

use crate::huawei::{assert_err, b64, bob, create, Hw, RUNNING, SCHEDULED, SCHEDULED_PWD};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn inviting_before_start_is_conf_not_started_and_unknown_conference_is_111072065() {
    let hw = Hw::new(false).await;
    let at = hw.login().await;
    let r = hw.conf_token(&at, SCHEDULED, SCHEDULED_PWD).await;
    assert_err(&r, 400, "MMC.111072005", "CONF_NOT_STARTED");
    let r = hw.invite(SCHEDULED, "stbPLACEHOLDER", &at, &bob()).await;
    assert_err(&r, 400, "MMC.111072005", "CONF_NOT_STARTED");
    let r = hw.invite("999999999", "stbPLACEHOLDER", &at, &bob()).await;
    assert_err(&r, 400, "MMC.111072065", "CONF_NOT_FOUND_OR_AUTH_FAILED");
}

#[tokio::test]
async fn start_then_control_token_then_invite_two_puts_them_online_with_32_hex_ids() {
    let hw = Hw::new(true).await;
    let at = hw.login().await;
    let r = hw
        .at(
            Method::POST,
            "/v1/mmc/management/conferences/start",
            &at,
            &json!({"conferenceID": SCHEDULED, "password": "000000"}).to_string(),
        )
        .await;
    assert_err(&r, 400, "MMC.111072065", "CONF_NOT_FOUND_OR_AUTH_FAILED");
    let r = hw
        .at(
            Method::POST,
            "/v1/mmc/management/conferences/start",
            &at,
            &json!({"conferenceID": SCHEDULED, "password": SCHEDULED_PWD}).to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = hw.conf_token(&at, SCHEDULED, "000000").await;
    assert_err(&r, 400, "MMC.111072065", "CONF_NOT_FOUND_OR_AUTH_FAILED");
    let r = hw.conf_token(&at, SCHEDULED, SCHEDULED_PWD).await;
    let data = r.json()["data"].clone();
    assert_eq!(data["confTokenExpireTime"], 1800);
    let ct = data["token"].as_str().unwrap().to_string();
    let body = json!({"attendees": [{"name": "Bob", "role": 0, "phone": "+8613800000002", "type": "normal"}, {"userUUID": "2b8a5f38411d459ebacb8ef8ea32ed27", "accountId": "carol01", "name": "Carol", "email": "carol@example.com", "sms": "+8613800000003", "type": "outside", "deptUUID": "d1", "deptName": "R&D"}]});
    let r = hw.invite(SCHEDULED, &ct, &at, &body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = hw.online(&at, SCHEDULED).await;
    assert_eq!(v["count"], 2);
    for a in v["data"].as_array().unwrap() {
        let pid = a["participant_id"].as_str().unwrap();
        assert!(pid.len() == 32 && pid.bytes().all(|b| b.is_ascii_hexdigit()));
    }
    let r = hw.at(Method::GET, &format!("/v1/mmc/management/conferences/confDetail?offset=0&conferenceID={SCHEDULED}&limit=20"), &at, "").await;
    let names: Vec<String> = r.json()["data"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["Bob", "Carol"]);
    assert_eq!(r.json()["conferenceData"]["conferenceState"], "Created");
}

#[tokio::test]
async fn the_control_token_is_accepted_raw_or_as_basic_base64() {
    let hw = Hw::new(false).await;
    let (at, ct) = hw.running().await;
    let r = hw
        .invite(RUNNING, &format!("Basic {}", b64(&ct)), &at, &bob())
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = hw.invite(RUNNING, "Basic !!!", &at, &bob()).await;
    assert_err(&r, 400, "MMC.111072065", "CONF_NOT_FOUND_OR_AUTH_FAILED");
}

#[tokio::test]
async fn a_wrong_or_expired_control_token_is_111072065() {
    let hw = Hw::new(false).await;
    let (at, ct) = hw.running().await;
    let r = hw.invite(RUNNING, "stbWRONG", &at, &bob()).await;
    assert_err(&r, 400, "MMC.111072065", "CONF_NOT_FOUND_OR_AUTH_FAILED");
    hw.app.advance_secs(1801.0).await;
    let r = hw.invite(RUNNING, &ct, &at, &bob()).await;
    assert_err(&r, 400, "MMC.111072065", "CONF_NOT_FOUND_OR_AUTH_FAILED");
    assert_eq!(hw.online(&at, RUNNING).await["count"], 1, "only the host");
}

#[tokio::test]
async fn a_closed_meeting_refuses_invites_with_conf_is_closed() {
    let hw = Hw::new(false).await;
    let (at, ct) = hw.running().await;
    hw.app
        .admin_post(
            &format!("/meetings/{RUNNING}/end"),
            json!({"vendor": "huawei", "tenant": "hwcorp0001"}),
        )
        .await;
    let r = hw.invite(RUNNING, &ct, &at, &bob()).await;
    assert_err(&r, 400, "MMC.111072006", "CONF_IS_CLOSED");
}

#[tokio::test]
async fn invite_validation_errors_use_their_codes_and_change_nothing() {
    let hw = Hw::new(false).await;
    let (at, ct) = hw.running().await;
    let one = |a: Value| json!({"attendees": [a]});
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!({}), "MMC.111072057", "REQUEST_BODY_IS_NULL"),
        (
            json!({"attendees": []}),
            "MMC.111072057",
            "REQUEST_BODY_IS_NULL",
        ),
        (
            json!({"attendees": "Bob"}),
            "MMC.111070001",
            "CONF_BAD_REQUEST",
        ),
        (
            one(json!({"phone": "1"})),
            "MMC.111072046",
            "SITE_NAME_IS_EMPTY",
        ),
        (
            one(json!({"name": "x".repeat(97), "phone": "1"})),
            "MMC.111072034",
            "SITE_NAME_LENGTH_TOO_LONG",
        ),
        (
            one(json!({"name": "NoNumber"})),
            "MMC.111072031",
            "SITE_CALL_NUMBER_IS_EMPTY",
        ),
        (
            one(json!({"name": "a", "phone": "1".repeat(128)})),
            "MMC.111072032",
            "SITE_CALL_NUMBER_LENGTH_TOO_LONG",
        ),
        (
            one(json!({"name": "a", "email": "e".repeat(256)})),
            "MMC.111072036",
            "SITE_EMAIL_LENGTH_TOO_LONG",
        ),
        (
            one(json!({"name": "a", "sms": "1".repeat(33)})),
            "MMC.111072037",
            "SITE_SMS_LENGTH_TOO_LONG",
        ),
        (
            one(json!({"name": "a", "phone": "1", "role": 7})),
            "MMC.111072035",
            "SITE_ROLE_NOT_IN_RANGE",
        ),
        (
            one(json!({"name": "a", "phone": "1", "type": "hologram"})),
            "MMC.111070001",
            "CONF_BAD_REQUEST",
        ),
    ];
    for (body, code, msg) in cases {
        assert_err(&hw.invite(RUNNING, &ct, &at, &body).await, 400, code, msg);
    }
    let r = hw
        .ctl(Method::POST, "participants", RUNNING, &ct, &at, "not json")
        .await;
    assert_err(&r, 400, "MMC.111070001", "CONF_BAD_REQUEST");
    let r = hw
        .ctl(Method::POST, "participants", RUNNING, &ct, &at, "")
        .await;
    assert_err(&r, 400, "MMC.111072057", "REQUEST_BODY_IS_NULL");
    assert_eq!(hw.online(&at, RUNNING).await["count"], 1);
}

#[tokio::test]
async fn ten_thousand_attendees_exceed_the_capacity_and_change_nothing() {
    let hw = Hw::new(false).await;
    let (at, ct) = hw.running().await;
    let list: Vec<Value> = (0..10_000)
        .map(|i| json!({"name": format!("P{i}"), "phone": format!("+86{i:011}")}))
        .collect();
    let r = hw
        .invite(RUNNING, &ct, &at, &json!({"attendees": list}))
        .await;
    assert_err(&r, 400, "MMC.111072101", "OVER_MAX_PARTICIPANT_NUMBER");
    assert_eq!(hw.online(&at, RUNNING).await["count"], 1);
}

#[tokio::test]
async fn concurrent_participants_caps_invitations() {
    let hw = Hw::new(false).await;
    let at = hw.login().await;
    let r = create(
        &hw,
        &at,
        json!({"subject": "small", "concurrentParticipants": 2}),
    )
    .await;
    let c = r.json()[0].clone();
    let id = c["conferenceID"].as_str().unwrap().to_string();
    let chair = c["passwordEntry"][0]["password"]
        .as_str()
        .unwrap()
        .to_string();
    let r = hw
        .at(
            Method::POST,
            "/v1/mmc/management/conferences/start",
            &at,
            &json!({"conferenceID": id, "password": chair}).to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let ct = hw.conf_token(&at, &id, &chair).await.json()["data"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let two = json!({"attendees": [{"name": "A", "phone": "1"}, {"name": "B", "phone": "2"}]});
    assert_eq!(hw.invite(&id, &ct, &at, &two).await.status, StatusCode::OK);
    let r = hw
        .invite(
            &id,
            &ct,
            &at,
            &json!({"attendees": [{"name": "C", "phone": "3"}]}),
        )
        .await;
    assert_err(&r, 400, "MMC.111072101", "OVER_MAX_PARTICIPANT_NUMBER");
    assert_eq!(hw.online(&at, &id).await["count"], 2);
}

#[tokio::test]
async fn the_dial_failed_scenario_fails_the_first_invite_with_the_catalogue_envelope() {
    let hw = Hw::with_scenario(include_str!(
        "../../scenarios/huawei-invite-dial-failed.yaml"
    ))
    .await;
    let (at, ct) = hw.running().await;
    let r = hw.invite(RUNNING, &ct, &at, &bob()).await;
    assert_err(&r, 500, "MMC.112010010", "PARTICIPANT_DIALOG_FAILED");
    assert_eq!(hw.online(&at, RUNNING).await["count"], 1);
    let r = hw.invite(RUNNING, &ct, &at, &bob()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}
