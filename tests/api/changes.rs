//! The change stream (`GET /__admin/changes`): vendor calls and admin actions change the store,
//! the store publishes typed changes in order, with the server-clock time and a stable position.

use crate::common::TestApp;
use crate::feishu::{admin, invite, user_token, HOST, LIVE};
use serde_json::{json, Value};

async fn changes(app: &TestApp, query: &str) -> Value {
    let r = app.admin_get(&format!("/changes?{query}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()
}

fn types(v: &Value) -> Vec<String> {
    v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_feishu_invite_publishes_one_participant_called_per_invitee_then_the_invitees() {
    let app = TestApp::spawn().await;
    // The demo's invitees answer within seconds; a still clock keeps the calls as placed.
    app.freeze().await;
    let token = user_token(&app, HOST).await;
    let before = changes(&app, "").await["last_seq"].as_u64().unwrap();
    let r = invite(&app, &token, LIVE, &["ou_guest_0001", "ou_guest_0002"]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = changes(&app, &format!("since={before}&meeting={LIVE}")).await;
    assert_eq!(
        types(&v),
        ["participant_called", "participant_called", "invitees_set"]
    );
    assert_eq!(
        v["changes"][2]["added"],
        json!(["ou_guest_0001", "ou_guest_0002"])
    );
    let c = &v["changes"][0];
    assert_eq!(c["vendor"], "feishu");
    assert_eq!(c["tenant"], "cli_demo_feishu");
    assert_eq!(c["meeting"]["id"], LIVE);
    assert_eq!(c["meeting"]["state"], "in_progress");
    assert_eq!(c["participant"]["user_id"], "ou_guest_0001");
    assert_eq!(c["participant"]["status"], "calling");
    assert_eq!(c["operator"], HOST, "the inviter, from the user token");
    assert!(c["seq"].as_u64().unwrap() > before);
    assert!(c["at_ms"].as_i64().unwrap() > 1_600_000_000_000);
}

#[tokio::test]
async fn admin_accept_and_end_publish_joined_then_left_for_the_meeting_end_then_ended() {
    let app = TestApp::spawn().await;
    // The demo's invitees answer within seconds; a still clock keeps the calls as placed.
    app.freeze().await;
    let token = user_token(&app, HOST).await;
    invite(&app, &token, LIVE, &["ou_guest_0003"]).await;
    let before = changes(&app, "").await["last_seq"].as_u64().unwrap();
    admin(&app, LIVE, "accept", json!({"user": "ou_guest_0003"})).await;
    admin(&app, LIVE, "end", json!({})).await;
    let v = changes(&app, &format!("since={before}")).await;
    let t = types(&v);
    assert_eq!(t[0], "participant_joined");
    assert_eq!(t.last().unwrap(), "meeting_ended");
    let left: Vec<&Value> = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["type"] == "participant_left")
        .collect();
    assert!(left
        .iter()
        .any(|c| c["participant"]["user_id"] == "ou_guest_0003"));
    assert!(left.iter().all(|c| c["reason"] == "meeting_ended"));
    assert_eq!(
        v["changes"].as_array().unwrap().last().unwrap()["reason"],
        "ended"
    );
    let seqs: Vec<u64> = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["seq"].as_u64().unwrap())
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "in order: {seqs:?}");
}

#[tokio::test]
async fn lock_host_and_capacity_admin_actions_publish_their_changes_once() {
    let app = TestApp::spawn().await;
    admin(&app, LIVE, "lock", json!({})).await;
    admin(&app, LIVE, "lock", json!({})).await; // already locked: no change
    admin(&app, LIVE, "set-host", json!({"user": "ou_guest_0001"})).await;
    admin(&app, LIVE, "capacity", json!({"capacity": 7})).await;
    let v = changes(&app, &format!("meeting={LIVE}")).await;
    assert_eq!(
        types(&v),
        ["lock_changed", "host_changed", "meeting_updated"]
    );
    assert_eq!(v["changes"][0]["locked"], true);
    assert!(
        v["changes"][0].get("operator").is_none(),
        "admin actions have no operator"
    );
    assert_eq!(v["changes"][1]["from"], HOST);
    assert_eq!(v["changes"][1]["to"], "ou_guest_0001");
    assert_eq!(v["changes"][2]["fields"], json!(["capacity"]));
    assert_eq!(v["changes"][2]["meeting"]["capacity"], 7);
}

#[tokio::test]
async fn filters_narrow_the_stream_and_unknown_filters_are_refused() {
    let app = TestApp::spawn().await;
    admin(&app, LIVE, "lock", json!({})).await;
    let v = changes(&app, "vendor=tencent").await;
    assert!(types(&v).is_empty());
    let v = changes(&app, "type=lock_changed,meeting_started&vendor=feishu").await;
    assert_eq!(types(&v), ["lock_changed"]);
    let r = app.admin_get("/changes?type=participant_exploded").await;
    assert_eq!(r.status, 400);
    assert!(r.text.contains("participant_joined"), "{}", r.text);
    let r = app.admin_get("/changes?vendor=zoom").await;
    assert_eq!(r.status, 400);
    let r = app.admin_get("/changes?since=-1").await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn reset_forgets_kept_changes_but_positions_are_never_reused() {
    let app = TestApp::spawn().await;
    admin(&app, LIVE, "lock", json!({})).await;
    let last = changes(&app, "").await["last_seq"].as_u64().unwrap();
    app.admin_post("/reset", json!({})).await;
    let v = changes(&app, "").await;
    assert!(types(&v).is_empty(), "seeding a scenario is not a change");
    admin(&app, LIVE, "lock", json!({})).await;
    let v = changes(&app, "").await;
    assert!(v["changes"][0]["seq"].as_u64().unwrap() > last);
}

#[tokio::test]
async fn the_stream_position_survives_a_state_export_and_import() {
    let app = TestApp::spawn().await;
    admin(&app, LIVE, "lock", json!({})).await;
    let state = app.admin_get("/state").await.json();
    let last = state["last_change_seq"].as_u64().unwrap();
    assert!(last >= 1);
    let other = TestApp::spawn().await;
    let r = other.admin_try(reqwest::Method::PUT, "/state", state).await;
    assert_eq!(r.status, 200, "{}", r.text);
    admin(&other, LIVE, "unlock", json!({})).await;
    let v = changes(&other, "").await;
    assert_eq!(v["changes"][0]["seq"].as_u64().unwrap(), last + 1);
}
