//! Tencent replay protection as an attacker would probe it: a signed request replays neither
//! after a restart with `--state-file` nor after a state export and import, nonces are kept per
//! tenant (one tenant's traffic never evicts another's), and they are remembered exactly as
//! long as the ±300 s signature window would accept the request.

use crate::common::TestApp;
use crate::harness::temp_dir;
use crate::isolation_clients::{self as c, side};
use crate::tencent::assert_error;
use meetmock::config::Config;
use reqwest::{Method, StatusCode};

fn config() -> Config {
    Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        no_demo: true,
        ..Config::default()
    }
}

/// A signed read of tenant A's running meeting: (target, headers).
async fn signed_read(app: &TestApp) -> (String, Vec<(String, String)>) {
    let a = side("tencent", false);
    let target = format!("/v1/meetings/{}?userid={}&instanceid=1", a.run, a.host);
    let ts = c::server_secs(app).await;
    let h = c::tencent_headers(&a, "GET", &target, b"", ts);
    (target, h)
}

async fn replay(app: &TestApp, req: &(String, Vec<(String, String)>)) -> crate::common::Resp {
    c::send(app, Method::GET, &req.0, &req.1, Vec::new()).await
}

#[tokio::test]
async fn a_signed_request_does_not_replay_after_a_restart_with_the_state_file() {
    let dir = temp_dir("replay-restart");
    let cfg = Config {
        state_file: Some(dir.join("state.json")),
        ..config()
    };
    let app = TestApp::spawn_config(cfg.clone(), &c::scenario()).await;
    let req = signed_read(&app).await;
    assert_eq!(replay(&app, &req).await.status, StatusCode::OK);
    assert_error(&replay(&app, &req).await, 400, 190301);
    app.running.stop().await;

    let app = TestApp::spawn_config(cfg, &c::scenario()).await;
    assert_error(&replay(&app, &req).await, 400, 190301);
    app.running.stop().await;
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn a_signed_request_does_not_replay_after_a_state_export_and_import() {
    let first = c::spawn().await;
    let req = signed_read(&first).await;
    assert_eq!(replay(&first, &req).await.status, StatusCode::OK);
    let exported = first.admin_get("/state").await.json();
    assert!(
        exported["vendors"]["tencent"]["replay"].is_object(),
        "the nonces are part of the export: {}",
        exported["vendors"]
    );

    let second = c::spawn().await;
    let r = second.admin_try(Method::PUT, "/state", exported).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_error(&replay(&second, &req).await, 400, 190301);
}

#[tokio::test]
async fn the_same_timestamp_and_nonce_belong_to_each_tenant_separately() {
    let app = c::spawn().await;
    let ts = c::server_secs(&app).await;
    for b in [false, true] {
        let s = side("tencent", b);
        let target = format!("/v1/meetings/{}?userid={}&instanceid=1", s.run, s.host);
        let h = c::tencent_headers_with(&s, "GET", &target, b"", ts, "4242424242");
        let r = c::send(&app, Method::GET, &target, &h, Vec::new()).await;
        assert_eq!(r.status, StatusCode::OK, "tenant {}: {}", s.id, r.text);
        let r = c::send(&app, Method::GET, &target, &h, Vec::new()).await;
        assert_error(&r, 400, 190301);
    }
}

#[tokio::test]
async fn a_nonce_is_remembered_while_the_window_accepts_its_timestamp_and_then_refused_by_time() {
    let app = c::spawn().await;
    app.admin_post("/clock/freeze", serde_json::json!({})).await;
    let req = signed_read(&app).await;
    assert_eq!(replay(&app, &req).await.status, StatusCode::OK);
    app.advance_secs(299.0).await;
    assert_error(&replay(&app, &req).await, 400, 190301);
    app.advance_secs(2.0).await;
    assert_error(&replay(&app, &req).await, 400, 190300);
}
