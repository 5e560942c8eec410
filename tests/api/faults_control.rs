//! Control of fault rules: admin CRUD with hit counts and validation, reset, `--watch` hot
//! reload, determinism under one `--seed`, and the Feishu rate limit at its boundary.

use crate::common::TestApp;
use crate::faults_common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn names(rules: &[Value]) -> Vec<String> {
    rules
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn admin_adds_lists_with_hit_counts_and_removes_rules() {
    let app = TestApp::spawn().await;
    let added = app
        .admin_post(
            "/faults",
            json!({"name": "slow-get", "match": {"vendor": "feishu", "operation": "meeting.get"}, "error": "internal_error"}),
        )
        .await;
    assert_eq!(added["added"], json!(["slow-get"]));
    let t = fs_tenant_token(&app).await;
    fs_get(&app, &t, FS_LIVE).await;
    fs_get(&app, &t, FS_LIVE).await;
    let listed = rules(&app).await;
    assert_eq!(listed[0]["matched"], 2);
    assert_eq!(listed[0]["fired"], 2);
    assert_eq!(listed[0]["spec"]["match"]["operation"], "meeting.get");
    let r = app
        .admin_try(Method::DELETE, "/faults/slow-get", Value::Null)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(rules(&app).await.is_empty());
    assert_eq!(fs_get(&app, &t, FS_LIVE).await.status, StatusCode::OK);
    let r = app
        .admin_try(Method::DELETE, "/faults/slow-get", Value::Null)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn delete_all_clears_every_rule() {
    let app = with_library("dingtalk-errors.yaml").await;
    assert_eq!(rules(&app).await.len(), 2);
    let r = app.admin_try(Method::DELETE, "/faults", Value::Null).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(rules(&app).await.is_empty());
}

#[tokio::test]
async fn invalid_rules_are_refused_with_the_valid_choices_and_nothing_is_half_added() {
    let app = TestApp::spawn().await;
    add_rule(
        &app,
        json!({"name": "keep", "match": {"vendor": "huawei"}, "delay": 1}),
    )
    .await;
    let cases = [
        (
            json!({"match": {"vendor": "zoom"}, "delay": 1}),
            "valid vendors: tencent, feishu, dingtalk, huawei",
        ),
        (
            json!({"match": {"vendor": "feishu", "operation": "InviteUsers"}, "delay": 1}),
            "meeting.invite",
        ),
        (
            json!({"match": {"vendor": "feishu"}, "error": "MMC.111072005"}),
            "meeting_is_locked (122008)",
        ),
        (
            json!({"match": {"vendor": "feishu"}, "when": {"probability": 2}, "delay": 1}),
            "between 0 and 1",
        ),
        (
            json!({"match": {"vendor": "feishu"}, "delay": -5}),
            "non-negative",
        ),
        (
            json!({"match": {"vendor": "feishu"}, "connection": "explode"}),
            "reset, close, empty, truncated, slow, hang",
        ),
        (
            json!({"match": {"vendor": "feishu"}, "when": {"first": 1, "after": 3}, "delay": 1}),
            "never fires",
        ),
    ];
    for (rule, choice) in cases {
        let batch =
            json!({"faults": [{"name": "good", "match": {"vendor": "feishu"}, "delay": 1}, rule]});
        let r = app.admin_try(Method::POST, "/faults", batch).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
        let msg = r.json()["message"].as_str().unwrap().to_string();
        assert!(msg.starts_with("faults[1]: "), "{msg}");
        assert!(msg.contains(choice), "{msg} lacks {choice}");
        assert_eq!(names(&rules(&app).await), ["keep"], "nothing half-added");
    }
}

#[tokio::test]
async fn a_rule_naming_another_vendors_error_is_refused_for_each_vendor() {
    let app = TestApp::spawn().await;
    for (vendor, foreign) in [
        ("tencent", "meeting_is_locked"),
        ("feishu", "QpsLimitForApi"),
        ("dingtalk", "MMC.100000429"),
        ("huawei", "190310"),
    ] {
        let r = app
            .admin_try(
                Method::POST,
                "/faults",
                json!({"match": {"vendor": vendor}, "error": foreign}),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{vendor} {foreign}");
        let msg = r.json()["message"].as_str().unwrap().to_string();
        assert!(msg.contains(&format!("unknown {vendor} error")), "{msg}");
    }
    assert!(rules(&app).await.is_empty());
}

#[tokio::test]
async fn reset_restores_the_loaded_rules_with_zeroed_counters() {
    let app = with_library("feishu-token-expired.yaml").await;
    let u = fs_user_token(&app, FS_HOST).await;
    fs_err(
        &fs_invite(&app, &u, FS_LIVE, &["ou_guest_0000"]).await,
        400,
        99991677,
        "Authentication token expired",
    );
    add_rule(
        &app,
        json!({"name": "extra", "match": {"vendor": "huawei"}, "delay": 1}),
    )
    .await;
    app.admin_try(
        Method::DELETE,
        "/faults/feishu-token-expired-once",
        Value::Null,
    )
    .await;
    app.admin_post("/reset", json!({})).await;
    let listed = rules(&app).await;
    assert_eq!(names(&listed), ["feishu-token-expired-once"]);
    assert_eq!(
        (listed[0]["matched"].clone(), listed[0]["fired"].clone()),
        (json!(0), json!(0))
    );
    let u = fs_user_token(&app, FS_HOST).await;
    let r = fs_invite(&app, &u, FS_LIVE, &["ou_guest_0000"]).await;
    fs_err(&r, 400, 99991677, "Authentication token expired");
}

/// Polls the rule names until `want` or ~5 s.
async fn wait_for_rules(app: &TestApp, want: &[&str]) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let now = names(&rules(app).await);
        if now == want || Instant::now() > deadline {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn rule_file(name: &str, status: u16) -> String {
    format!("name: watched\nfaults:\n  - name: {name}\n    match: {{vendor: feishu}}\n    response: {{status: {status}}}\n")
}

#[tokio::test]
async fn watch_applies_a_good_edit_and_refuses_a_bad_one_keeping_the_rules() {
    let dir = std::env::temp_dir().join(format!("meetmock-watch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("watched.yaml");
    std::fs::write(&file, rule_file("first", 502)).unwrap();
    let app = spawn_loaded(meetmock::config::Config {
        watch: true,
        scenarios: vec![file.clone()],
        ..config()
    })
    .await;
    assert_eq!(names(&rules(&app).await), ["first"]);
    std::fs::write(&file, rule_file("second", 503)).unwrap();
    assert_eq!(wait_for_rules(&app, &["second"]).await, ["second"]);
    let r = app
        .send_json(
            Method::POST,
            "/open-apis/auth/v3/tenant_access_token/internal",
            &[],
            &json!({}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 503);
    std::fs::write(
        &file,
        rule_file("third", 504).replace("response:", "when: {probability: 2}\n    response:"),
    )
    .unwrap();
    tokio::time::sleep(meetmock::faults::watch::POLL * 4).await;
    assert_eq!(names(&rules(&app).await), ["second"], "bad edit refused");
    std::fs::write(&file, rule_file("fourth", 504)).unwrap();
    assert_eq!(
        wait_for_rules(&app, &["fourth"]).await,
        ["fourth"],
        "still watching"
    );
    app.admin_post("/reset", json!({})).await;
    assert_eq!(
        names(&rules(&app).await),
        ["fourth"],
        "reset returns to the new version"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn watch_drops_a_rate_limit_the_edit_removed() {
    let dir = std::env::temp_dir().join(format!("meetmock-watch-rl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("limits.yaml");
    let limited = "rate_limits:\n  feishu: [{limit: 1, window_secs: 60}]\n";
    let marker =
        |n: &str| format!("faults:\n  - name: {n}\n    match: {{vendor: huawei}}\n    delay: 1\n");
    std::fs::write(&file, format!("{limited}{}", marker("v1"))).unwrap();
    let app = spawn_loaded(meetmock::config::Config {
        watch: true,
        scenarios: vec![file.clone()],
        ..config()
    })
    .await;
    let t = fs_tenant_token(&app).await;
    freeze_on_a_second(&app).await;
    assert_eq!(fs_get(&app, &t, FS_LIVE).await.status, StatusCode::OK);
    assert_eq!(
        fs_get(&app, &t, FS_LIVE).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    std::fs::write(&file, marker("v2")).unwrap();
    assert_eq!(wait_for_rules(&app, &["v2"]).await, ["v2"]);
    assert_eq!(
        fs_get(&app, &t, FS_LIVE).await.status,
        StatusCode::OK,
        "documented 50/s again"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// One request sequence mixing probabilistic faults, delays and id-drawing calls; returns
/// the answers (status + body).
async fn run_sequence(app: &TestApp) -> Vec<(u16, String)> {
    app.admin_post("/clock/freeze", json!({"at_ms": 1_800_000_000_000i64}))
        .await;
    add_rule(app, json!({"faults": [
        {"name": "coin", "match": {"vendor": "feishu", "operation": "reserve.apply"}, "when": {"probability": 0.5}, "error": "internal_error"},
        {"name": "jitter", "match": {"vendor": "feishu"}, "when": {"probability": 0.3}, "delay": {"min_ms": 1, "max_ms": 5}}]}))
    .await;
    let mut out = Vec::new();
    let t = fs_tenant_token(app).await;
    for i in 0..12 {
        let body = json!({"end_time": "1800003600", "owner_id": FS_HOST,
            "meeting_settings": {"topic": format!("t{i}")}});
        let r = fs_call(
            app,
            Method::POST,
            "/open-apis/vc/v1/reserves/apply?user_id_type=open_id",
            &t,
            Some(body),
        )
        .await;
        out.push((r.status.as_u16(), r.text));
    }
    out
}

/// The journal without timing and request ids: request ids never repeat, not even between two
/// servers with the same seed (see `store::Secrets`), nor do the log ids in the answers;
/// everything else must be equal.
fn without_timing(journal: Vec<Value>) -> Vec<Value> {
    journal
        .into_iter()
        .map(|mut e| {
            let o = e.as_object_mut().unwrap();
            o.remove("duration_us");
            o.remove("request_id");
            // The answer is compared like the answers themselves: without its log ids.
            if let Some(answer) = o.remove("response") {
                let text = answer.to_string();
                o.insert(
                    "response".into(),
                    serde_json::to_value(without_log_ids(&[(0, text)])).unwrap(),
                );
            }
            e
        })
        .collect()
}

/// An answer body without its per-request log ids (`error.log_id`, never repeated).
fn without_log_ids(answers: &[(u16, String)]) -> Vec<(u16, Value)> {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(o) => {
                o.remove("log_id");
                o.values_mut().for_each(strip);
            }
            Value::Array(a) => a.iter_mut().for_each(strip),
            // The troubleshooter link repeats it: `…&log_id=<30 chars>&…`.
            Value::String(t) => {
                if let Some(at) = t.find("log_id=") {
                    let end = t[at..].find('&').map_or(t.len(), |e| at + e);
                    t.replace_range(at + 7..end, "");
                }
            }
            _ => {}
        }
    }
    answers
        .iter()
        .map(|(s, t)| {
            let mut v: Value = serde_json::from_str(t).unwrap_or(Value::String(t.clone()));
            strip(&mut v);
            (*s, v)
        })
        .collect()
}

#[tokio::test]
async fn the_same_seed_scenario_and_requests_give_identical_journals_and_ids() {
    let cfg = || meetmock::config::Config {
        seed: 7,
        ..config()
    };
    let a = TestApp::spawn_config(cfg(), "").await;
    let b = TestApp::spawn_config(cfg(), "").await;
    let (ra, rb) = (run_sequence(&a).await, run_sequence(&b).await);
    assert_eq!(without_log_ids(&ra), without_log_ids(&rb));
    let statuses: Vec<u16> = ra.iter().map(|r| r.0).collect();
    assert!(
        statuses.contains(&200) && statuses.contains(&500),
        "{statuses:?}"
    );
    let (ja, jb) = (journal(&a).await, journal(&b).await);
    assert!(
        ja.iter()
            .zip(&jb)
            .all(|(x, y)| x["request_id"] != y["request_id"]),
        "request ids never repeat, even with the same seed"
    );
    let (ja, jb) = (without_timing(ja), without_timing(jb));
    assert_eq!(ja, jb);
    assert!(ja.iter().any(|e| e["fault"] == "coin"));
    let other = TestApp::spawn_config(
        meetmock::config::Config {
            seed: 8,
            ..config()
        },
        "",
    )
    .await;
    assert_ne!(
        without_log_ids(&run_sequence(&other).await),
        without_log_ids(&ra),
        "another seed draws otherwise"
    );
}

#[tokio::test]
async fn the_51st_feishu_invite_in_a_second_is_429_and_the_next_second_passes() {
    let app = TestApp::spawn().await;
    let u = fs_user_token(&app, FS_HOST).await;
    freeze_on_a_second(&app).await;
    for i in 0..50 {
        let r = fs_invite(&app, &u, FS_LIVE, &["ou_guest_0000"]).await;
        assert_ne!(r.status, StatusCode::TOO_MANY_REQUESTS, "call {i}");
    }
    let r = fs_invite(&app, &u, FS_LIVE, &["ou_guest_0000"]).await;
    fs_err(&r, 429, 99991400, "request trigger frequency limit");
    assert_eq!(r.header("x-ogw-ratelimit-limit"), Some("50"));
    assert_eq!(r.header("x-ogw-ratelimit-reset"), Some("1"));
    let last = journal(&app).await.pop().unwrap();
    assert_eq!(last["status"], 429);
    assert_eq!(last["fault"], "rate_limit:50/1s");
    app.advance_secs(1.0).await;
    let r = fs_invite(&app, &u, FS_LIVE, &["ou_guest_0000"]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}
