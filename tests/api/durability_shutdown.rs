//! Shutdown: idle keep-alive connections and connections that never sent a byte close at once,
//! in-flight requests are drained with a short bound (a stalled upload or a slow fault cannot
//! hold the exit), and a second SIGTERM forces the exit after saving.

use crate::common::TestApp;
use crate::harness::{client, read_until_close, temp_dir, Binary};
use meetmock::config::Config;
use reqwest::StatusCode;
use serde_json::json;
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

/// Default header timeout (10 s): what used to hold shutdown.
fn config() -> Config {
    Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        no_demo: true,
        ..Config::default()
    }
}

#[tokio::test]
async fn a_connection_that_never_sent_a_byte_does_not_delay_shutdown() {
    let app = TestApp::spawn_config(config(), "").await;
    let mut silent = TcpStream::connect(app.running.addr()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    tokio::time::timeout(Duration::from_secs(3), app.running.stop())
        .await
        .expect("stopped well before the 10 s header timeout");
    assert!(
        read_until_close(&mut silent, Duration::from_secs(1))
            .await
            .is_some(),
        "the silent connection is closed"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn an_idle_keep_alive_connection_and_a_half_sent_head_close_at_once_on_shutdown() {
    let app = TestApp::spawn_config(config(), "").await;
    let addr = app.running.addr();
    let mut idle = TcpStream::connect(addr).await.unwrap();
    idle.write_all(b"GET /__admin/clock HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let mut half = TcpStream::connect(addr).await.unwrap();
    half.write_all(b"GET /__admin/clock HTTP/1.1\r\nHo")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    tokio::time::timeout(Duration::from_secs(3), app.running.stop())
        .await
        .expect("shutdown does not wait for idle or half-sent connections");
    assert!(read_until_close(&mut idle, Duration::from_secs(1))
        .await
        .is_some());
    assert!(read_until_close(&mut half, Duration::from_secs(1))
        .await
        .is_some());
}

#[tokio::test]
async fn a_stalled_upload_is_cut_after_the_drain_bound() {
    let cfg = Config {
        drain_timeout_ms: 500,
        ..config()
    };
    let app = TestApp::spawn_config(cfg, "").await;
    let mut upload = TcpStream::connect(app.running.addr()).await.unwrap();
    upload
        .write_all(b"POST /__admin/faults HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"faults\"")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    tokio::time::timeout(Duration::from_secs(3), app.running.stop())
        .await
        .expect("the drain bound cuts the stalled upload");
    assert!(read_until_close(&mut upload, Duration::from_secs(1))
        .await
        .is_some());
}

#[tokio::test]
async fn an_in_flight_request_is_answered_during_the_drain() {
    let app = TestApp::spawn_config(config(), "").await;
    app.admin_post(
        "/faults",
        json!({"name": "slow", "match": {"vendor": "feishu"}, "delay": 400}),
    )
    .await;
    let url = app.url("/open-apis/auth/v3/tenant_access_token/internal");
    let c = app.client.clone();
    let inflight = tokio::spawn(async move {
        c.post(url)
            .json(&json!({"app_id": "cli_x", "app_secret": "s"}))
            .send()
            .await
            .map(|r| r.status())
    });
    tokio::time::sleep(Duration::from_millis(150)).await;
    app.running.stop().await;
    assert_eq!(inflight.await.unwrap().unwrap(), StatusCode::OK);
}

#[tokio::test]
async fn a_second_sigterm_forces_the_exit_and_the_state_is_still_saved() {
    let dir = temp_dir("force");
    let file = dir.join("state.json");
    let mut bin = Binary::start(&[
        "--state-file",
        file.to_str().unwrap(),
        "--persist",
        "on-shutdown",
        "--drain-timeout-ms",
        "60000",
    ]);
    let c = client();
    let r = c
        .post(bin.url("/__admin/faults"))
        .json(&json!({"name": "stall", "match": {"vendor": "feishu"}, "delay": 120000}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = c
        .post(bin.url("/__admin/clock/advance"))
        .json(&json!({"seconds": 3600}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let url = bin.url("/open-apis/auth/v3/tenant_access_token/internal");
    let stalled = tokio::spawn(async move {
        client()
            .post(url)
            .json(&json!({"app_id": "cli_x", "app_secret": "s"}))
            .send()
            .await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    bin.sigterm();
    assert!(
        bin.exit_within(Duration::from_millis(700)).await.is_none(),
        "the first SIGTERM drains (bounded at 60 s here)"
    );
    bin.sigterm();
    let status = bin
        .exit_within(Duration::from_secs(5))
        .await
        .unwrap_or_else(|| panic!("a second SIGTERM forces the exit:\n{}", bin.output()));
    assert!(!status.success(), "a forced exit is not a clean one");
    assert!(bin.output().contains("state saved"), "{}", bin.output());
    let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert!(
        saved["clock_offset_ms"].as_i64().unwrap() >= 3_600_000,
        "{saved}"
    );
    assert!(stalled.await.unwrap().is_err(), "the stalled call is cut");
    std::fs::remove_dir_all(&dir).ok();
}
