//! Feishu VC v1 reports: `GET /open-apis/vc/v1/meeting_list` and `participant_list` — paging,
//! filters, `user_id_type`, tenant isolation, 121003 and the pages' 126xxx codes on bad
//! parameters, over a scenario with
//! 25 ended meetings, one running meeting of 26 attendees and a second app.

use crate::common::{Resp, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Server time now (the test server runs on the wall clock).
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Where the ended meetings start: 30 days ago, on the hour (fixed for the whole run).
pub(crate) fn t0() -> i64 {
    static T: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
    *T.get_or_init(|| (now() / 3600 - 30 * 24) * 3600)
}

/// A meeting_list window holding every meeting of the scenario (well inside one year).
pub(crate) fn wide() -> String {
    format!("start_time={}&end_time={}", t0() - 3600, now() + 86_400)
}
const RUNNING: &str = "7200000000000000001";

/// App A: 25 ended meetings (meeting `i` starts at t0 + i h, lasts 30 min, code 300000000+i),
/// u01 and room omm_room1 attended meeting 0 only; one running meeting (code 400000001) with
/// the host and u00..u24. App B: one ended meeting with A's meeting-0 number.
pub(crate) fn scenario() -> String {
    let t0 = t0();
    let mut y = String::from("name: reports\ntenants:\n  - vendor: feishu\n    id: cli_rep_a\n    secret: sa\n    users:\n");
    y += "      - { id: ou_boss, name: Boss, aliases: { union_id: on_boss, user_id: boss }, email: boss@a.example, phone: \"+8613800000000\" }\n";
    y += "      - { id: omm_room1, name: Room 1 }\n";
    for i in 0..25 {
        y += &format!(
            "      - {{ id: ou_u{i:02}, name: U{i:02}, aliases: {{ union_id: on_u{i:02}, user_id: u{i:02} }} }}\n"
        );
    }
    y += "    meetings:\n";
    for i in 0..25i64 {
        let s = t0 + i * 3600;
        y += &format!(
            "      - id: \"71000000000000000{i:02}\"\n        code: \"{}\"\n        topic: Review {i}\n        host: ou_boss\n        state: ended\n        start_time: {s}\n        participants:\n          - {{ user_id: ou_boss, status: left, joined_at: {s}, left_at: {} }}\n",
            300_000_000 + i,
            s + 1800
        );
        if i == 0 {
            y += &format!(
                "          - {{ user_id: ou_u01, status: left, joined_at: {}, left_at: {} }}\n",
                s + 60,
                s + 600
            );
            y += &format!("          - {{ user_id: omm_room1, status: left, joined_at: {}, left_at: {}, extra: {{ user_type: 3 }} }}\n", s + 30, s + 1800);
            y += "          - { user_id: ou_u02, status: left }\n";
        }
    }
    y += &format!("      - id: \"{RUNNING}\"\n        code: \"400000001\"\n        topic: Live\n        host: ou_boss\n        state: in_progress\n        participants: [");
    y += &(0..25)
        .map(|i| format!("ou_u{i:02}"))
        .collect::<Vec<_>>()
        .join(", ");
    y += "]\n";
    y += "  - vendor: feishu\n    id: cli_rep_b\n    secret: sb\n    users:\n      - { id: ou_other, name: Other }\n    meetings:\n";
    y += &format!("      - id: \"7300000000000000001\"\n        code: \"300000000\"\n        topic: B only\n        host: ou_other\n        state: ended\n        start_time: {t0}\n        participants:\n          - {{ user_id: ou_other, status: left, joined_at: {t0}, left_at: {} }}\n", t0 + 100);
    y
}

pub(crate) async fn app() -> TestApp {
    TestApp::spawn_with(&scenario()).await
}

pub(crate) async fn tenant_token(app: &TestApp, id: &str, secret: &str) -> String {
    let r = app
        .send(
            Method::POST,
            "/open-apis/auth/v3/tenant_access_token/internal",
            &[],
            json!({"app_id": id, "app_secret": secret}).to_string(),
        )
        .await;
    r.json()["tenant_access_token"]
        .as_str()
        .unwrap()
        .to_string()
}

pub(crate) async fn user_token(app: &TestApp, user: &str) -> String {
    let code = app
        .admin_post(
            "/vendors/feishu/login_code",
            json!({"app_id": "cli_rep_a", "user": user}),
        )
        .await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .send(
            Method::POST,
            "/open-apis/auth/v3/app_access_token/internal",
            &[],
            json!({"app_id": "cli_rep_a", "app_secret": "sa"}).to_string(),
        )
        .await;
    let a = r.json()["app_access_token"].as_str().unwrap().to_string();
    let r = app
        .send_json(
            Method::POST,
            "/open-apis/authen/v1/oidc/access_token",
            &[("authorization", &format!("Bearer {a}"))],
            &json!({"grant_type": "authorization_code", "code": code}),
        )
        .await;
    r.json()["data"]["access_token"]
        .as_str()
        .unwrap()
        .to_string()
}

pub(crate) async fn get(app: &TestApp, token: &str, path: &str) -> Resp {
    app.send(
        Method::GET,
        path,
        &[("authorization", &format!("Bearer {token}"))],
        "",
    )
    .await
}

/// `data` of a 200/0 answer.
pub(crate) async fn data(app: &TestApp, token: &str, path: &str) -> Value {
    let r = get(app, token, path).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text);
    assert_eq!(r.json()["code"], 0, "{}", r.text);
    r.json()["data"].clone()
}

pub(crate) fn ids(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|m| m[key].as_str().unwrap().to_string())
        .collect()
}

/// participant_list over one day: around now for running meetings, else the ended ones'.
pub(crate) fn participants_of(no: &str, status: u8, extra: &str) -> String {
    let (from, to) = if status == 1 {
        (now() - 3600, now() + 3600)
    } else {
        (t0() - 1, t0() + 86_399)
    };
    format!("/open-apis/vc/v1/participant_list?meeting_start_time={from}&meeting_end_time={to}&meeting_no={no}&meeting_status={status}{extra}")
}

#[tokio::test]
pub(crate) async fn meeting_list_pages_through_ended_meetings_newest_first() {
    let app = app().await;
    let t = tenant_token(&app, "cli_rep_a", "sa").await;
    let base = format!("/open-apis/vc/v1/meeting_list?{}&page_size=20", wide());
    let first = data(&app, &t, &base).await;
    assert_eq!(first["has_more"], true);
    assert_eq!(first["page_token"], "20");
    let a = ids(&first["meeting_list"], "meeting_id");
    assert_eq!(a.len(), 20);
    assert_eq!(a[0], "7100000000000000024");
    let second = data(&app, &t, &format!("{base}&page_token=20")).await;
    assert_eq!(second["has_more"], false);
    assert!(second.get("page_token").is_none(), "{second}");
    let b = ids(&second["meeting_list"], "meeting_id");
    assert_eq!(b.len(), 5);
    assert_eq!(b[4], "7100000000000000000");
    assert!(b.iter().all(|id| !a.contains(id)));
}

#[tokio::test]
pub(crate) async fn meeting_list_defaults_to_ended_meetings_and_status_1_lists_running_ones() {
    let app = app().await;
    let t = tenant_token(&app, "cli_rep_a", "sa").await;
    let ended = data(
        &app,
        &t,
        &format!("/open-apis/vc/v1/meeting_list?{}&page_size=100", wide()),
    )
    .await;
    assert!(!ids(&ended["meeting_list"], "meeting_id").contains(&RUNNING.to_string()));
    let live = data(
        &app,
        &t,
        &format!("/open-apis/vc/v1/meeting_list?{}&meeting_status=1", wide()),
    )
    .await;
    let m = &live["meeting_list"][0];
    assert_eq!(live["meeting_list"].as_array().unwrap().len(), 1);
    assert_eq!(m["meeting_id"], RUNNING);
    assert_eq!(m["meeting_end_time"], "");
    assert_eq!(m["number_of_participants"], "26");
}

#[tokio::test]
pub(crate) async fn meeting_list_keeps_only_meetings_started_inside_the_window() {
    let app = app().await;
    let t = tenant_token(&app, "cli_rep_a", "sa").await;
    let path = format!(
        "/open-apis/vc/v1/meeting_list?start_time={}&end_time={}",
        t0() + 10 * 3600,
        t0() + 12 * 3600
    );
    let d = data(&app, &t, &path).await;
    assert_eq!(
        ids(&d["meeting_list"], "meeting_id"),
        [
            "7100000000000000012",
            "7100000000000000011",
            "7100000000000000010"
        ]
    );
}

#[tokio::test]
pub(crate) async fn meeting_list_writes_the_organizer_and_times_as_strings() {
    let app = app().await;
    let t = tenant_token(&app, "cli_rep_a", "sa").await;
    let path = format!(
        "/open-apis/vc/v1/meeting_list?{}&meeting_no=300000000&user_id_type=user_id",
        wide()
    );
    let d = data(&app, &t, &path).await;
    let m = &d["meeting_list"][0];
    assert_eq!(m["meeting_topic"], "Review 0");
    assert_eq!(m["organizer"], "Boss");
    assert_eq!(m["user_id"], "boss");
    assert_eq!(m["employee_id"], "boss");
    assert_eq!(m["email"], "boss@a.example");
    // t0 is on the hour; the report writes it in GMT+08:00.
    let h = (t0() / 3600 + 8).rem_euclid(24);
    let start = m["meeting_start_time"].as_str().unwrap();
    assert!(
        start.ends_with(&format!(" {h:02}:00:00 (GMT+08:00)")),
        "{start}"
    );
    // Attendees: the host, u01 and the room (u02 was called but never joined).
    assert_eq!(m["number_of_participants"], "3");
    assert_eq!(m["meeting_type"], 1);
}

#[tokio::test]
pub(crate) async fn meeting_list_filters_by_attendee_in_every_user_id_type_and_by_room() {
    let app = app().await;
    let t = tenant_token(&app, "cli_rep_a", "sa").await;
    for q in [
        "user_id=ou_u01",
        "user_id=on_u01&user_id_type=union_id",
        "user_id=u01&user_id_type=user_id",
        "room_id=omm_room1",
    ] {
        let d = data(
            &app,
            &t,
            &format!("/open-apis/vc/v1/meeting_list?{}&{q}", wide()),
        )
        .await;
        assert_eq!(
            ids(&d["meeting_list"], "meeting_id"),
            ["7100000000000000000"],
            "{q}"
        );
    }
    // Called but never joined: no attendee.
    let d = data(
        &app,
        &t,
        &format!("/open-apis/vc/v1/meeting_list?{}&user_id=ou_u02", wide()),
    )
    .await;
    assert_eq!(d["meeting_list"], json!([]));
    assert_eq!(d["has_more"], false);
}

#[tokio::test]
pub(crate) async fn participant_list_reports_join_and_leave_times_of_attendees() {
    let app = app().await;
    let t = tenant_token(&app, "cli_rep_a", "sa").await;
    let d = data(&app, &t, &participants_of("300000000", 2, "")).await;
    let list = d["participants"].as_array().unwrap();
    assert_eq!(list.len(), 3, "{d}");
    // Join order: host, room (+30 s), u01 (+60 s).
    assert_eq!(list[0]["user_id"], "ou_boss");
    assert_eq!(list[0]["participant_name"], "Boss");
    let h = (t0() / 3600 + 8).rem_euclid(24);
    let at = |v: &Value| v.as_str().unwrap().split(' ').nth(1).unwrap().to_string();
    assert_eq!(at(&list[0]["join_time"]), format!("{h:02}:00:00"));
    assert_eq!(at(&list[0]["leave_time"]), format!("{h:02}:30:00"));
    assert!(list[0]["leave_time"]
        .as_str()
        .unwrap()
        .ends_with("(GMT+08:00)"));
    assert_eq!(list[0]["time_in_meeting"], "0:30:00");
    assert_eq!(list[0]["phone"], "+8613800000000");
    assert_eq!(list[1]["meeting_room_id"], "omm_room1");
    assert!(list[1].get("user_id").is_none());
    assert_eq!(list[2]["user_id"], "ou_u01");
    assert_eq!(list[2]["time_in_meeting"], "0:09:00");
}

#[tokio::test]
pub(crate) async fn participant_list_pages_through_a_running_meeting() {
    let app = app().await;
    let t = tenant_token(&app, "cli_rep_a", "sa").await;
    let first = data(&app, &t, &participants_of("400000001", 1, "&page_size=20")).await;
    assert_eq!(first["has_more"], true);
    let token = first["page_token"].as_str().unwrap().to_string();
    let second = data(
        &app,
        &t,
        &participants_of("400000001", 1, &format!("&page_size=20&page_token={token}")),
    )
    .await;
    assert_eq!(second["has_more"], false);
    let mut all = ids(&first["participants"], "user_id");
    all.extend(ids(&second["participants"], "user_id"));
    assert_eq!(all.len(), 26);
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 26);
    // Still in the meeting: no leave time.
    assert_eq!(second["participants"][0]["leave_time"], "");
}

#[tokio::test]
pub(crate) async fn participant_list_writes_ids_in_the_requested_user_id_type() {
    let app = app().await;
    let t = tenant_token(&app, "cli_rep_a", "sa").await;
    for (kind, want) in [
        ("union_id", "on_u01"),
        ("user_id", "u01"),
        ("open_id", "ou_u01"),
    ] {
        let d = data(
            &app,
            &t,
            &participants_of(
                "300000000",
                2,
                &format!("&user_id_type={kind}&user_id={want}"),
            ),
        )
        .await;
        assert_eq!(ids(&d["participants"], "user_id"), [want], "{kind}");
    }
    let d = data(
        &app,
        &t,
        &participants_of("300000000", 2, "&room_id=omm_room1"),
    )
    .await;
    assert_eq!(ids(&d["participants"], "meeting_room_id"), ["omm_room1"]);
}

#[tokio::test]
pub(crate) async fn a_user_token_reads_the_same_tenant_reports() {
    let app = app().await;
    let u = user_token(&app, "ou_u05").await;
    let d = data(
        &app,
        &u,
        &format!("/open-apis/vc/v1/meeting_list?{}&page_size=100", wide()),
    )
    .await;
    assert_eq!(d["meeting_list"].as_array().unwrap().len(), 25);
}

#[tokio::test]
pub(crate) async fn reports_never_show_another_apps_meetings() {
    let app = app().await;
    let b = tenant_token(&app, "cli_rep_b", "sb").await;
    let d = data(
        &app,
        &b,
        &format!("/open-apis/vc/v1/meeting_list?{}", wide()),
    )
    .await;
    assert_eq!(
        ids(&d["meeting_list"], "meeting_id"),
        ["7300000000000000001"]
    );
    let d = data(&app, &b, &participants_of("300000000", 2, "")).await;
    assert_eq!(ids(&d["participants"], "user_id"), ["ou_other"]);
    let a = tenant_token(&app, "cli_rep_a", "sa").await;
    let d = data(
        &app,
        &a,
        &format!("/open-apis/vc/v1/meeting_list?{}&user_id=ou_other", wide()),
    )
    .await;
    assert_eq!(d["meeting_list"], json!([]));
}
