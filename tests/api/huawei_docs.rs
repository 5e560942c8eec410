//! Huawei meeting control as the API reference pages and their curl examples do it: no
//! `X-Access-Token` on CreateConfToken (page meeting_21_0027), CheckToken (meeting_21_0308) or
//! any control call; the conference's enterprise comes from the conference id and the control
//! token. Plus the chair-password lockout on the server clock.

use crate::huawei::{assert_err, bob, create, Hw, RUNNING, RUNNING_PWD, SCHEDULED, SCHEDULED_PWD};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// CreateConfToken with the documented headers only.
async fn conf_token_doc(hw: &Hw, conf: &str, pwd: &str) -> crate::common::Resp {
    let path = format!("/v1/mmc/control/conferences/token?conferenceID={conf}");
    hw.call(
        Method::GET,
        &path,
        &[("X-Password", pwd), ("X-Login-Type", "1")],
        "",
    )
    .await
}

/// A control call with the control token only.
async fn ctl_doc(
    hw: &Hw,
    m: Method,
    op: &str,
    conf: &str,
    ct: &str,
    body: &str,
) -> crate::common::Resp {
    let path = format!("/v1/mmc/control/conferences/{op}?conferenceID={conf}");
    hw.call(m, &path, &[("X-Conference-Authorization", ct)], body)
        .await
}

#[tokio::test]
async fn create_conf_token_needs_only_the_chair_password_and_login_type() {
    let hw = Hw::new(false).await;
    let r = conf_token_doc(&hw, RUNNING, RUNNING_PWD).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    let ct = v["data"]["token"].as_str().unwrap().to_string();
    assert_eq!(ct.len(), 51);
    let host = hw.app.running.addr().to_string();
    assert_eq!(
        v["data"]["wsURL"], host,
        "wsURL is meetmock's own host:port"
    );
    assert!(v["data"]["tmpWsToken"].as_str().unwrap().starts_with("stb"));
    let r = ctl_doc(
        &hw,
        Method::POST,
        "participants",
        RUNNING,
        &ct,
        &bob().to_string(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = hw
        .call(
            Method::GET,
            &format!("/v1/mmc/control/conferences/token?conferenceID={RUNNING}"),
            &[("X-Password", RUNNING_PWD)],
            "",
        )
        .await;
    assert_err(&r, 400, "MMC.111070001", "CONF_BAD_REQUEST");
}

#[tokio::test]
async fn check_token_reads_the_token_from_the_body_alone() {
    let hw = Hw::new(false).await;
    let at = hw.login().await;
    let body = json!({"token": at, "needGenNewToken": false}).to_string();
    let r = hw
        .call(Method::POST, "/v1/usg/acs/token/validate", &[], &body)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["accessToken"], at);
    let r = hw
        .call(
            Method::POST,
            "/v1/usg/acs/token/validate",
            &[],
            r#"{"token": "stbNOPE"}"#,
        )
        .await;
    assert_err(
        &r,
        401,
        "USG.000000004",
        "The token is invalid or has expired.",
    );
}

#[tokio::test]
async fn without_an_access_token_control_answers_follow_the_conference_state() {
    let hw = Hw::new(false).await;
    // Not started: the conference is found from its id alone.
    let r = conf_token_doc(&hw, SCHEDULED, SCHEDULED_PWD).await;
    assert_err(&r, 400, "MMC.111072005", "CONF_NOT_STARTED");
    let r = ctl_doc(
        &hw,
        Method::POST,
        "participants",
        SCHEDULED,
        "stbPLACEHOLDER",
        &bob().to_string(),
    )
    .await;
    assert_err(&r, 400, "MMC.111072005", "CONF_NOT_STARTED");
    let r = ctl_doc(
        &hw,
        Method::POST,
        "participants",
        "999999999",
        "stbX",
        &bob().to_string(),
    )
    .await;
    assert_err(&r, 400, "MMC.111072065", "CONF_NOT_FOUND_OR_AUTH_FAILED");
    let r = hw
        .call(
            Method::POST,
            &format!("/v1/mmc/control/conferences/participants?conferenceID={RUNNING}"),
            &[],
            &bob().to_string(),
        )
        .await;
    assert_err(&r, 400, "MMC.111070111", "REQUEST_TOKEN_IS_NULL");
    // Stop, then invite with the old token: not started (the booking is kept).
    let ct = conf_token_doc(&hw, RUNNING, RUNNING_PWD).await.json()["data"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        ctl_doc(&hw, Method::PUT, "stop", RUNNING, &ct, "")
            .await
            .status,
        StatusCode::OK
    );
    let r = ctl_doc(
        &hw,
        Method::POST,
        "participants",
        RUNNING,
        &ct,
        &bob().to_string(),
    )
    .await;
    assert_err(&r, 400, "MMC.111072005", "CONF_NOT_STARTED");
}

#[tokio::test]
async fn after_cancel_with_type_1_control_answers_conf_is_closed() {
    let hw = Hw::new(false).await;
    let at = hw.login().await;
    let ct = conf_token_doc(&hw, RUNNING, RUNNING_PWD).await.json()["data"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let r = hw
        .at(
            Method::DELETE,
            &format!("/v1/mmc/management/conferences?conferenceID={RUNNING}&type=1"),
            &at,
            "",
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = ctl_doc(
        &hw,
        Method::POST,
        "participants",
        RUNNING,
        &ct,
        &bob().to_string(),
    )
    .await;
    assert_err(&r, 400, "MMC.111072006", "CONF_IS_CLOSED");
    let r = conf_token_doc(&hw, RUNNING, RUNNING_PWD).await;
    assert_err(&r, 400, "MMC.111072006", "CONF_IS_CLOSED");
}

#[tokio::test]
async fn five_wrong_chair_passwords_lock_control_login_for_five_minutes() {
    let hw = Hw::new(false).await;
    for _ in 0..5 {
        let r = conf_token_doc(&hw, RUNNING, "000000").await;
        assert_err(&r, 400, "MMC.111072065", "CONF_NOT_FOUND_OR_AUTH_FAILED");
    }
    let r = conf_token_doc(&hw, RUNNING, RUNNING_PWD).await;
    assert_err(&r, 400, "MMC.111072064", "CONF_CTR_LOGIN_LOCKED");
    hw.app.advance_secs(299.0).await;
    let r = conf_token_doc(&hw, RUNNING, RUNNING_PWD).await;
    assert_err(&r, 400, "MMC.111072064", "CONF_CTR_LOGIN_LOCKED");
    hw.app.advance_secs(1.0).await;
    let r = conf_token_doc(&hw, RUNNING, RUNNING_PWD).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn a_right_password_clears_the_count_of_wrong_ones() {
    let hw = Hw::new(false).await;
    for _ in 0..4 {
        conf_token_doc(&hw, RUNNING, "000000").await;
    }
    assert_eq!(
        conf_token_doc(&hw, RUNNING, RUNNING_PWD).await.status,
        StatusCode::OK
    );
    for _ in 0..4 {
        conf_token_doc(&hw, RUNNING, "000000").await;
    }
    assert_eq!(
        conf_token_doc(&hw, RUNNING, RUNNING_PWD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_meeting_past_its_scheduled_end_is_closing_then_closed() {
    let hw = Hw::new(false).await;
    let at = hw.login().await;
    let r = create(
        &hw,
        &at,
        json!({"subject": "short", "length": 15, "mediaTypes": "Voice"}),
    )
    .await;
    let info = &r.json()[0];
    let conf = info["conferenceID"].as_str().unwrap().to_string();
    let chair = info["passwordEntry"][0]["password"]
        .as_str()
        .unwrap()
        .to_string();
    let body = json!({"conferenceID": conf, "password": chair}).to_string();
    let r = hw
        .at(
            Method::POST,
            "/v1/mmc/management/conferences/start",
            &at,
            &body,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let ct = conf_token_doc(&hw, &conf, &chair).await.json()["data"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    hw.app.advance_secs(15.0 * 60.0 + 1.0).await;
    let r = ctl_doc(
        &hw,
        Method::POST,
        "participants",
        &conf,
        &ct,
        &bob().to_string(),
    )
    .await;
    assert_err(&r, 400, "MMC.111072003", "CONF_IS_CLOSING");
    hw.app.advance_secs(60.0).await;
    let r = ctl_doc(
        &hw,
        Method::POST,
        "participants",
        &conf,
        &ct,
        &bob().to_string(),
    )
    .await;
    assert_err(&r, 400, "MMC.111072006", "CONF_IS_CLOSED");
    let m = hw
        .app
        .admin_get(&format!("/meetings/{conf}?vendor=huawei"))
        .await
        .json();
    assert_eq!(m["meeting"]["state"], "ended", "{m}");
}

#[tokio::test]
async fn a_full_cloud_meeting_room_answers_its_vmr_resource_code() {
    let hw = Hw::new(false).await;
    let at = hw.login().await;
    let body = json!({"subject": "vmr", "length": 60, "mediaTypes": "Voice", "vmrFlag": 1, "concurrentParticipants": 1});
    let info = create(&hw, &at, body).await.json()[0].clone();
    assert_eq!(info["vmrFlag"], 1);
    let conf = info["conferenceID"].as_str().unwrap().to_string();
    let chair = info["passwordEntry"][0]["password"]
        .as_str()
        .unwrap()
        .to_string();
    let start = json!({"conferenceID": conf, "password": chair}).to_string();
    hw.at(
        Method::POST,
        "/v1/mmc/management/conferences/start",
        &at,
        &start,
    )
    .await;
    let ct = conf_token_doc(&hw, &conf, &chair).await.json()["data"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let two = json!({"attendees": [{"name": "A", "phone": "+1"}, {"name": "B", "phone": "+2"}]});
    let r = ctl_doc(
        &hw,
        Method::POST,
        "participants",
        &conf,
        &ct,
        &two.to_string(),
    )
    .await;
    assert_err(
        &r,
        400,
        "MMC.111076003",
        "CONF_PORTAL_PARTICIPANT_VMR_LOGIC_RESOURCE_NOT_ENOUGH",
    );
}
