//! Feishu VC v1 reports refusing bad input: 121003 and the pages' 126xxx codes for window,
//! number and filter mistakes, the gateway's missing-token answer, and the 100-a-minute limit.
//! The scenario and helpers are `feishu_reports.rs`'s.

use crate::feishu_reports::{app, data, get, now, participants_of, t0, tenant_token, wide};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn bad_report_parameters_are_121003_param_error() {
    let app = app().await;
    let t = tenant_token(&app, "cli_rep_a", "sa").await;
    let ml = "/open-apis/vc/v1/meeting_list";
    let cases = [
        format!("{ml}?end_time=5"),
        format!("{ml}?start_time=abc&end_time=5"),
        format!("{ml}?{}&meeting_status=3", wide()),
        format!("{ml}?{}&meeting_status=x", wide()),
        format!("{ml}?{}&page_size=19", wide()),
        format!("{ml}?{}&page_size=101", wide()),
        format!("{ml}?{}&page_token=abc", wide()),
        format!("{ml}?{}&user_id=u01", wide()),
        format!("{ml}?{}&user_id_type=email", wide()),
        format!("{ml}?{}&meeting_type=video", wide()),
        "/open-apis/vc/v1/participant_list?meeting_start_time=0&meeting_end_time=9".to_string(),
        "/open-apis/vc/v1/participant_list?meeting_end_time=9&meeting_no=300000000".to_string(),
        participants_of("300000000", 4, ""),
    ];
    for path in cases {
        let r = get(&app, &t, &path).await;
        assert_eq!(r.status.as_u16(), 400, "{path}: {}", r.text);
        let v = r.json();
        assert_eq!(v["code"], 121003, "{path}: {}", r.text);
        assert_eq!(v["msg"], "param error", "{path}");
        assert!(v["error"]["log_id"].is_string(), "{path}");
    }
}

#[tokio::test]
async fn report_window_number_and_filter_mistakes_get_the_pages_own_126xxx_codes() {
    let app = app().await;
    let t = tenant_token(&app, "cli_rep_a", "sa").await;
    let ml = "/open-apis/vc/v1/meeting_list";
    let pl = "/open-apis/vc/v1/participant_list";
    let (t0, now) = (t0(), now());
    let cases = [
        (
            format!("{ml}?start_time=10&end_time=5"),
            126006,
            "end time cannot exceed start time for one year or smaller than start time",
        ),
        (
            format!("{ml}?start_time=0&end_time={now}"),
            126006,
            "end time cannot exceed start time for one year or smaller than start time",
        ),
        (
            format!("{ml}?start_time={}&end_time={}", now + 3600, now + 7200),
            126005,
            "start time error (cannot larger than now or smaller than 0)",
        ),
        (
            format!("{ml}?{}&meeting_no=300000000&user_id=ou_u01", wide()),
            126008,
            "filter condition should be set only one",
        ),
        (
            format!("{ml}?{}&meeting_no=12", wide()),
            126004,
            "meeting number length not correct (supposed to be 9)",
        ),
        (
            format!("{ml}?{}&meeting_no=-30000000", wide()),
            126003,
            "meeting number invalid (cannot smaller than 0)",
        ),
        (
            participants_of("300000000", 2, "&user_id=ou_u01&room_id=omm_room1"),
            126007,
            "userID and roomID cannot be set concurrently",
        ),
        (
            format!(
                "{pl}?meeting_start_time={t0}&meeting_end_time={}&meeting_no=300000000",
                t0 + 2 * 86_400
            ),
            126006,
            "end time cannot exceed start time for one day or smaller than start time",
        ),
        (
            participants_of("399999999", 2, ""),
            126009,
            "cannot find meeting according to the params you provide",
        ),
    ];
    for (path, code, msg) in cases {
        let r = get(&app, &t, &path).await;
        assert_eq!(r.status.as_u16(), 400, "{path}: {}", r.text);
        let v = r.json();
        assert_eq!(
            (v["code"].clone(), v["msg"].clone()),
            (json!(code), json!(msg)),
            "{path}"
        );
        assert!(v["error"]["log_id"].is_string(), "{path}");
    }
}

#[tokio::test]
async fn reports_refuse_a_missing_token_at_the_gateway() {
    let app = app().await;
    let r = app
        .send(
            Method::GET,
            &format!("/open-apis/vc/v1/meeting_list?{}", wide()),
            &[],
            "",
        )
        .await;
    assert_eq!(r.status.as_u16(), 400, "{}", r.text);
    assert_eq!(r.json()["code"], 99991661);
}

#[tokio::test]
async fn reports_are_rate_limited_at_100_a_minute() {
    let app = app().await;
    let t = tenant_token(&app, "cli_rep_a", "sa").await;
    let path = format!("/open-apis/vc/v1/meeting_list?{}", wide());
    for _ in 0..100 {
        assert_eq!(get(&app, &t, &path).await.status, StatusCode::OK);
    }
    let r = get(&app, &t, &path).await;
    assert_eq!(r.status.as_u16(), 429, "{}", r.text);
    assert_eq!(r.json()["code"], 99991400);
    assert_eq!(r.header("x-ogw-ratelimit-limit"), Some("100"));
    // The other report has its own budget.
    let d = data(&app, &t, &participants_of("300000000", 2, "")).await;
    assert_eq!(d["has_more"], false);
}
