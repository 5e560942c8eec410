//! Huawei meeting management: CreateMeeting and its validation, cancelling a running meeting,
//! and the online-meeting and online-attendee lists.

use crate::huawei::{assert_err, create, Hw, RUNNING};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn create_meeting_answers_an_array_with_nine_digit_id_and_six_digit_passwords() {
    let hw = Hw::new(false).await;
    let at = hw.login().await;
    let r = create(&hw, &at, json!({"startTime": "2030-01-01 08:00", "length": 60, "subject": "probe", "mediaTypes": "HDVideo", "attendees": [{"name": "Alice", "phone": "+8613800000001", "type": "normal"}]})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    let c = &v.as_array().expect("an array")[0];
    let id = c["conferenceID"].as_str().unwrap();
    assert!(id.len() == 9 && id.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(c["conferenceState"], "Schedule");
    assert_eq!(c["endTime"], "2030-01-01 09:00");
    for e in c["passwordEntry"].as_array().unwrap() {
        assert_eq!(e["password"].as_str().unwrap().len(), 6);
    }
    let r = hw
        .at(
            Method::GET,
            &format!("/v1/mmc/management/conferences/confDetail?conferenceID={id}"),
            &at,
            "",
        )
        .await;
    assert_eq!(r.json()["data"]["data"][0]["name"], "Alice");
}

#[tokio::test]
async fn create_meeting_validation_errors_use_their_codes_and_create_nothing() {
    let hw = Hw::new(false).await;
    let at = hw.login().await;
    let cases = [
        (
            json!({"length": 10}),
            "MMC.111071021",
            "CONF_LENGTH_OVER_RANGE",
        ),
        (
            json!({"subject": "x".repeat(129)}),
            "MMC.111071022",
            "CONF_SUBJECT_LENGTH_TOO_LONG",
        ),
        (
            json!({"mediaTypes": "Video,HDVideo"}),
            "MMC.111071018",
            "CONF_MEDIA_TYPES_ILLEGAL",
        ),
        (
            json!({"startTime": "2001-01-01 08:00"}),
            "MMC.111071013",
            "CONF_START_TIME_LESS_THAN_CURRENT_TIME",
        ),
        (
            json!({"startTime": "tomorrow"}),
            "MMC.111070001",
            "CONF_BAD_REQUEST",
        ),
        (
            json!({"attendees": [{"name": "A", "email": "nope"}]}),
            "MMC.111071024",
            "CONF_EMAIL_ILLEGAL",
        ),
        (
            json!({"attendees": [{"name": "A"}]}),
            "MMC.111072031",
            "SITE_CALL_NUMBER_IS_EMPTY",
        ),
    ];
    for (body, code, msg) in cases {
        assert_err(&create(&hw, &at, body).await, 400, code, msg);
    }
    let r = hw
        .at(
            Method::GET,
            "/v1/mmc/management/conferences?queryAll=true",
            &at,
            "",
        )
        .await;
    assert_eq!(r.json()["count"], 2);
}

#[tokio::test]
async fn cancelling_a_running_meeting_needs_type_1() {
    let hw = Hw::new(false).await;
    let at = hw.login().await;
    let r = hw
        .at(
            Method::DELETE,
            &format!("/v1/mmc/management/conferences?conferenceID={RUNNING}"),
            &at,
            "",
        )
        .await;
    assert_err(&r, 400, "MMC.111071067", "CONF_IS_ONGOING_CANNOT_CANCEL");
    let r = hw
        .at(
            Method::DELETE,
            &format!("/v1/mmc/management/conferences?type=1&conferenceID={RUNNING}"),
            &at,
            "",
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = hw
        .at(
            Method::GET,
            &format!("/v1/mmc/management/conferences/confDetail?conferenceID={RUNNING}"),
            &at,
            "",
        )
        .await;
    assert_err(&r, 400, "MMC.111070005", "CONF_DATA_NOT_FOUND");
    let m = hw
        .app
        .admin_get(&format!("/meetings/{RUNNING}?vendor=huawei"))
        .await
        .json();
    assert_eq!(m["meeting"]["state"], "cancelled", "{m}");
}

#[tokio::test]
async fn list_online_checks_its_limit_and_search_lists_only_live_meetings() {
    let hw = Hw::new(false).await;
    let at = hw.login().await;
    let r = hw
        .at(
            Method::GET,
            &format!(
                "/v1/mmc/management/conferences/online/conf-attendee?conf_id={RUNNING}&limit=501"
            ),
            &at,
            "",
        )
        .await;
    assert_err(&r, 400, "MMC.111070001", "CONF_BAD_REQUEST");
    let r = hw
        .at(
            Method::GET,
            "/v1/mmc/management/conferences/online?queryAll=true",
            &at,
            "",
        )
        .await;
    assert_eq!(r.json()["count"], 1);
    assert_eq!(r.json()["data"][0]["conferenceID"], RUNNING);
}
