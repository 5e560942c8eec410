//! Behaviour declarations at runtime and across resets and restarts: `GET/PUT/DELETE
//! /__admin/behaviours` (bad ones refused naming the field, unknown users and meetings refused,
//! nothing changed), reset back to the scenario's, state export/import of declarations and
//! pending steps, and scenarios refused with file:line:column.

use crate::common::TestApp;
use crate::dingtalk::{token, KEY};
use crate::living_control::{attend, invite, scenario, spawn, CONF_A, T0};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn put(app: &TestApp, body: Value) -> crate::common::Resp {
    app.send_json(Method::PUT, "/__admin/behaviours", &[], &body)
        .await
}

async fn behaviours(app: &TestApp) -> Value {
    app.admin_get("/behaviours").await.json()
}

fn ours(extra: Value) -> Value {
    let mut b = json!({"vendor": "dingtalk", "tenant": KEY, "outcome": "accept"});
    b.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    b
}

#[tokio::test]
async fn the_listing_shows_the_default_the_ring_timeouts_and_each_declaration_with_its_source() {
    let app = spawn(42).await;
    let v = behaviours(&app).await;
    assert_eq!(
        v["default"],
        json!({"alert": "never", "outcome": "no_answer"})
    );
    assert_eq!(v["ring_timeout_ms"]["huawei"], 60_000);
    let list = v["behaviours"].as_array().unwrap();
    assert_eq!(list.len(), 4);
    assert!(list.iter().all(|d| d["source"] == "<test>"), "{v}");
    assert_eq!(list[3]["behaviour"]["user"], "staff3");
    assert_eq!(list[3]["keys"], json!(["u3", "staff3"]));
    let r = put(&app, ours(json!({"user": "u2", "ring": 10}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        r.json()["declared"][0]["keys"],
        json!(["u2", "13700000002"])
    );
    let v = behaviours(&app).await;
    assert_eq!(v["behaviours"].as_array().unwrap().len(), 5);
    assert_eq!(v["behaviours"][4]["source"], "<admin>");
}

#[tokio::test]
async fn bad_declarations_are_refused_naming_the_field_and_change_nothing() {
    let app = spawn(42).await;
    let before = app.admin_get("/state").await.json();
    let cases: Vec<(Value, u16, &str)> = vec![
        (
            json!({"tenant": KEY, "outcome": "accept"}),
            400,
            "`vendor` is required",
        ),
        (
            ours(json!({"vendor": "zoom"})),
            400,
            "vendor: unknown vendor \"zoom\"",
        ),
        (
            ours(json!({"tenant": "nope"})),
            404,
            "tenant: no tenant dingtalk/nope",
        ),
        (
            ours(json!({"outcome": "maybe"})),
            400,
            "outcome: \"maybe\" is not an outcome",
        ),
        (
            ours(json!({"outcome": {"accept": -1}})),
            400,
            "outcome.accept: a weight",
        ),
        (ours(json!({"outcome": 3})), 400, "outcome: expected"),
        (
            ours(json!({"ring": -5})),
            400,
            "ring must be a non-negative number",
        ),
        (
            ours(json!({"ring": {"min_ms": 9, "max_ms": 1}})),
            400,
            "ring.min_ms (9) is above ring.max_ms (1)",
        ),
        (
            ours(json!({"alert": "soon"})),
            400,
            "alert: \"soon\" is not a latency",
        ),
        (
            ours(json!({"stay": 1000, "outcome": "decline"})),
            400,
            "stay: the outcome never accepts",
        ),
        (
            ours(json!({"ring_timeout_ms": 0})),
            400,
            "ring_timeout_ms must be",
        ),
        (
            ours(json!({"colour": "red"})),
            400,
            "unknown field `colour`",
        ),
        (
            ours(json!({"user": "u1", "number": "123"})),
            400,
            "give `user`",
        ),
        (
            ours(json!({"user": "ghost"})),
            404,
            "user: \"ghost\" is not a user of tenant dingtalk/dingmockappkey",
        ),
        (
            ours(json!({"meeting": "nope"})),
            404,
            "meeting: \"nope\" is not a meeting",
        ),
    ];
    for (body, status, msg) in cases {
        let r = put(&app, body.clone()).await;
        assert_eq!(r.status.as_u16(), status, "{body}: {}", r.text);
        let m = r.json()["message"].as_str().unwrap().to_string();
        assert!(m.contains(msg), "{body}: {m:?} lacks {msg:?}");
    }
    // One bad item in a list: none of the list is kept.
    let r = put(
        &app,
        json!({"behaviours": [ours(json!({"user": "u1"})), ours(json!({"user": "ghost"}))]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.text.contains("behaviours[1]: user"), "{}", r.text);
    assert_eq!(app.admin_get("/state").await.json(), before);
}

#[tokio::test]
async fn delete_removes_exactly_one_scope_and_refuses_an_unknown_one() {
    let app = spawn(42).await;
    let path =
        format!("/__admin/behaviours?vendor=dingtalk&tenant={KEY}&user=staff3&meeting={CONF_A}");
    let r = app.send(Method::DELETE, &path, &[], "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let path = format!(
        "/__admin/behaviours?vendor=dingtalk&tenant={KEY}&user=staff3&meeting=607452e01401526ee39609b2"
    );
    let r = app.send(Method::DELETE, &path, &[], "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        behaviours(&app).await["behaviours"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let r = app
        .send(Method::DELETE, "/__admin/behaviours", &[], "")
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(behaviours(&app).await["behaviours"], json!([]));
    // With nothing declared, an invitee rings out after the vendor's 60 s.
    let tok = token(&app).await;
    invite(&app, &tok, CONF_A, &["u2"]).await;
    app.advance_secs(59.0).await;
    assert_eq!(attend(&app, &tok, CONF_A).await[0].1, 2);
    app.advance_secs(1.0).await;
    assert_eq!(attend(&app, &tok, CONF_A).await[0].1, 4);
}

#[tokio::test]
async fn reset_returns_behaviours_to_the_scenario_and_drops_pending_steps() {
    let app = spawn(42).await;
    let scenario_decls = behaviours(&app).await["behaviours"].clone();
    put(&app, ours(json!({"meeting": CONF_A, "ring": 5000}))).await;
    let tok = token(&app).await;
    invite(&app, &tok, CONF_A, &["u2"]).await;
    assert_eq!(
        app.admin_get("/behaviours/pending").await.json()["calls"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    app.admin_post("/reset", json!({})).await;
    assert_eq!(behaviours(&app).await["behaviours"], scenario_decls);
    assert_eq!(
        app.admin_get("/behaviours/pending").await.json()["calls"],
        json!([])
    );
}

#[tokio::test]
async fn state_export_and_import_round_trip_declarations_and_pending_steps() {
    let app = spawn(42).await;
    put(
        &app,
        ours(json!({"user": "u2", "ring": 4000, "stay": 10000})),
    )
    .await;
    let tok = token(&app).await;
    invite(&app, &tok, CONF_A, &["u2"]).await;
    let exported = app.admin_get("/state").await.json();
    assert_eq!(exported["behaviours"].as_array().unwrap().len(), 5);
    let call = &exported["calls"][0];
    assert_eq!(
        (call["callee"].as_str(), call["attempts"].as_u64()),
        (Some("u2"), Some(1))
    );
    assert_eq!(
        call["steps"][0],
        json!({"due_ms": T0 + 4000, "step": "accept"})
    );
    app.admin_post("/reset", json!({})).await;
    let r = app
        .send_json(Method::PUT, "/__admin/state", &[], &exported)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    app.admin_post("/clock/freeze", json!({ "at_ms": T0 }))
        .await;
    let again = app.admin_get("/state").await.json();
    assert_eq!(again["behaviours"], exported["behaviours"]);
    assert_eq!(again["calls"], exported["calls"]);
    app.advance_secs(5.0).await;
    assert_eq!(attend(&app, &tok, CONF_A).await, [("u2".to_string(), 3)]);
    app.advance_secs(10.0).await;
    assert_eq!(attend(&app, &tok, CONF_A).await, [("u2".to_string(), 6)]);
}

#[tokio::test]
async fn a_state_import_with_a_bad_behaviour_is_refused_whole() {
    let app = spawn(42).await;
    let before = app.admin_get("/state").await.json();
    let mut bad = before.clone();
    bad["behaviours"][0]["behaviour"]["ring"] = json!(-1);
    let r = app
        .send_json(Method::PUT, "/__admin/state", &[], &bad)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text.contains("behaviours[0]: ring must be"), "{}", r.text);
    let mut stranger = before.clone();
    stranger["behaviours"][0]["tenant"] = json!("elsewhere");
    let r = app
        .send_json(Method::PUT, "/__admin/state", &[], &stranger)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text.contains("not in the snapshot"), "{}", r.text);
    let mut elsewhere = before.clone();
    elsewhere["behaviours"][0]["behaviour"]["meeting"] = json!("nope");
    let r = app
        .send_json(Method::PUT, "/__admin/state", &[], &elsewhere)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let m = r.json()["message"].as_str().unwrap().to_string();
    assert!(
        m.starts_with("behaviours[0]: meeting: \"nope\" is not a meeting"),
        "{m}"
    );
    assert_eq!(app.admin_get("/state").await.json(), before);
}

#[tokio::test]
async fn a_scenario_with_a_bad_behaviour_is_refused_with_file_line_and_column() {
    let vendors = meetmock::vendors::registry();
    let bad = scenario()
        .replace(
            "{ user: u1, ring: 2000, outcome: decline }",
            "{ user: u9, ring: 2000, outcome: decline }",
        )
        .replace("outcome: no_answer", "outcome: {no_answer: 1, sulk: 2}");
    let problems = meetmock::scenario::parse("living.yaml", &bad, &vendors).unwrap_err();
    let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(text.len(), 2, "{text:?}");
    assert!(
        text[0].starts_with("living.yaml:16:9: tenant dingtalk/dingmockappkey: behaviours[1]: user: \"u9\" is not a user"),
        "{text:?}"
    );
    assert!(
        text[1].starts_with("living.yaml:18:9: tenant dingtalk/dingmockappkey: behaviours[3]: outcome: \"sulk\" is not an outcome"),
        "{text:?}"
    );
    let r = TestApp::spawn_with("").await;
    let resp = r
        .send(Method::POST, "/__admin/scenarios", &[], bad.clone())
        .await;
    assert_eq!(resp.status, StatusCode::BAD_REQUEST);
    assert!(resp.text.contains("<admin>:16:9"), "{}", resp.text);
    assert_eq!(
        r.admin_get("/behaviours").await.json()["behaviours"],
        json!([])
    );
}

#[tokio::test]
async fn the_annotated_scenario_example_validates_behaviours_and_all() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/README.md"),
    )
    .unwrap();
    let start = text.find("```yaml\n").unwrap() + 8;
    let end = start + text[start..].find("```").unwrap();
    let vendors = meetmock::vendors::registry();
    let s = meetmock::scenario::parse("README example", &text[start..end], &vendors)
        .unwrap_or_else(|p| panic!("{}", p[0]));
    assert_eq!(s.tenants[0].behaviours.len(), 4);
}

#[tokio::test]
async fn declarations_and_pending_steps_survive_a_restart_through_the_state_file() {
    let path = std::env::temp_dir().join(format!("meetmock-living-{}.json", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let config = meetmock::config::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        no_demo: true,
        state_file: Some(path.clone()),
        ..meetmock::config::Config::default()
    };
    let app = TestApp::spawn_config(config.clone(), &scenario()).await;
    app.admin_post("/clock/freeze", json!({ "at_ms": T0 }))
        .await;
    put(&app, ours(json!({"user": "u2", "ring": 4000}))).await;
    let tok = token(&app).await;
    invite(&app, &tok, CONF_A, &["u2"]).await;
    let pending = app.admin_get("/behaviours/pending").await.json();
    let declared = behaviours(&app).await;
    app.running.stop().await;

    let app = TestApp::spawn_config(config, &scenario()).await;
    assert_eq!(behaviours(&app).await, declared);
    assert_eq!(app.admin_get("/behaviours/pending").await.json(), pending);
    app.admin_post("/clock/freeze", json!({ "at_ms": T0 }))
        .await;
    app.advance_secs(5.0).await;
    let tok = token(&app).await;
    assert_eq!(attend(&app, &tok, CONF_A).await, [("u2".to_string(), 3)]);
    app.running.stop().await;
    let _ = std::fs::remove_file(&path);
}
