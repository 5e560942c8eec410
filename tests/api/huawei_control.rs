//! Huawei meeting control beyond InviteParticipant: lock, hang up and delete attendees, stop,
//! and prolong.

use crate::huawei::{assert_err, bob, Hw, RUNNING, RUNNING_PWD};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn a_locked_meeting_still_accepts_host_invitations() {
    let hw = Hw::new(true).await;
    let (at, ct) = hw.running().await;
    let r = hw
        .ctl(Method::PUT, "lock", RUNNING, &ct, &at, r#"{"isLock": 1}"#)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let m = hw
        .app
        .admin_get(&format!("/meetings/{RUNNING}?vendor=huawei"))
        .await
        .json();
    assert_eq!(m["meeting"]["locked"], true, "{m}");
    let r = hw.invite(RUNNING, &ct, &at, &bob()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(hw.online(&at, RUNNING).await["count"], 2);
}

#[tokio::test]
async fn hang_up_and_delete_attendees_remove_people() {
    let hw = Hw::new(false).await;
    let (at, ct) = hw.running().await;
    hw.invite(RUNNING, &ct, &at, &bob()).await;
    let v = hw.online(&at, RUNNING).await;
    let pid = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "Bob")
        .unwrap()["participant_id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = hw
        .ctl(
            Method::POST,
            "participants/delete",
            RUNNING,
            &ct,
            &at,
            r#"{"bulkHangUpParticipants": ["nope"]}"#,
        )
        .await;
    assert_err(&r, 400, "MMC.111072008", "CONF_PARTICIPANT_NOT_EXIST");
    let r = hw
        .ctl(
            Method::POST,
            "participants/delete",
            RUNNING,
            &ct,
            &at,
            &json!({"bulkHangUpParticipants": [pid]}).to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(hw.online(&at, RUNNING).await["count"], 1);
    let path = format!("/v1/mmc/control/conferences/attendees/delete?conferenceID={RUNNING}");
    let body = json!({"bulkDelAttendInfo": [{"number": "+8613800000002", "participantID": pid}]})
        .to_string();
    let r = hw
        .call(
            Method::POST,
            &path,
            &[("X-Conference-Authorization", &ct)],
            &body,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = hw
        .ctl(Method::GET, "realTimeInfo", RUNNING, &ct, &at, "")
        .await;
    assert_eq!(r.json()["attendees"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn stop_returns_to_schedule_and_its_control_tokens_stop_working() {
    let hw = Hw::new(false).await;
    let (at, ct) = hw.running().await;
    let r = hw.ctl(Method::PUT, "stop", RUNNING, &ct, &at, "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = hw.invite(RUNNING, &ct, &at, &bob()).await;
    assert_err(&r, 400, "MMC.111072005", "CONF_NOT_STARTED");
    let r = hw
        .at(
            Method::GET,
            &format!("/v1/mmc/management/conferences/confDetail?conferenceID={RUNNING}"),
            &at,
            "",
        )
        .await;
    assert_eq!(r.json()["conferenceData"]["conferenceState"], "Schedule");
    let r = hw
        .at(
            Method::POST,
            "/v1/mmc/management/conferences/start",
            &at,
            &json!({"conferenceID": RUNNING, "password": RUNNING_PWD}).to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = hw.invite(RUNNING, &ct, &at, &bob()).await;
    assert_err(&r, 400, "MMC.111072065", "CONF_NOT_FOUND_OR_AUTH_FAILED");
}

async fn end_time(hw: &Hw, at: &str) -> String {
    let p = format!("/v1/mmc/management/conferences/online/confDetail?conferenceID={RUNNING}");
    hw.at(Method::GET, &p, at, "").await.json()["conferenceData"]["endTime"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn prolong_extends_the_end_time() {
    let hw = Hw::new(false).await;
    let (at, ct) = hw.running().await;
    let before = end_time(&hw, &at).await;
    let r = hw
        .ctl(
            Method::PUT,
            "duration",
            RUNNING,
            &ct,
            &at,
            r#"{"auto": 0, "duration": 30}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_ne!(end_time(&hw, &at).await, before);
    let r = hw
        .ctl(
            Method::PUT,
            "duration",
            RUNNING,
            &ct,
            &at,
            r#"{"duration": 30}"#,
        )
        .await;
    assert_err(&r, 400, "MMC.111070001", "CONF_BAD_REQUEST");
}
