//! Server lifecycle and hostile connections: state file, shutdown, slow or garbage clients.

use crate::common::TestApp;
use meetmock::config::Config;
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const SCENARIO: &str = r#"
tenants:
  - vendor: feishu
    id: cli_life
    secret: s
    users: [{ id: ou_h }, { id: ou_g }]
    meetings: [{ id: "m1", host: ou_h }]
"#;

fn config() -> Config {
    Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        no_demo: true,
        header_timeout_ms: 300,
        ..Config::default()
    }
}

fn temp_path(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("meetmock-{}-{}", name, std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("state.json")
}

/// Reads until the server closes the connection; true when it did within `limit`.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> bool {
    let mut buf = [0u8; 1024];
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
        }
    }
}

#[tokio::test]
async fn the_state_file_is_saved_on_shutdown_and_restored_on_start() {
    let path = temp_path("state");
    let _ = std::fs::remove_file(&path);
    let cfg = Config {
        state_file: Some(path.clone()),
        ..config()
    };
    let app = TestApp::spawn_config(cfg.clone(), SCENARIO).await;
    app.admin_post("/meetings/m1/start", json!({})).await;
    app.admin_post("/users/ou_g/busy", json!({})).await;
    let before = app.admin_get("/state").await.json();
    app.running.stop().await;
    assert!(path.exists(), "state file written on shutdown");
    assert!(
        !std::fs::read_dir(path.parent().unwrap()).unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains("tmp"))
    );

    let app = TestApp::spawn_config(cfg, SCENARIO).await;
    assert_eq!(app.admin_get("/state").await.json(), before);
    app.running.stop().await;
}

#[tokio::test]
async fn a_corrupt_state_file_is_refused_and_left_untouched() {
    let path = temp_path("corrupt");
    std::fs::write(&path, b"{not json").unwrap();
    let cfg = Config {
        state_file: Some(path.clone()),
        ..config()
    };
    let err = meetmock::start_with(cfg, vec![])
        .await
        .err()
        .expect("refused");
    let msg = err.to_string();
    assert!(
        msg.contains("corrupt") && msg.contains("untouched"),
        "{msg}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), b"{not json");
}

#[tokio::test]
async fn shutdown_closes_idle_keep_alive_connections_and_refuses_new_ones() {
    let app = TestApp::spawn_config(config(), SCENARIO).await;
    let addr = app.running.addr();
    let mut idle = TcpStream::connect(addr).await.unwrap();
    idle.write_all(b"GET /__admin/health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = vec![0u8; 4096];
    let n = idle.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    tokio::time::timeout(Duration::from_secs(5), app.running.stop())
        .await
        .expect("shutdown finishes");
    assert!(closed_within(&mut idle, Duration::from_secs(2)).await);
    assert!(TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn a_slowloris_client_is_cut_off_after_the_header_timeout() {
    let app = TestApp::spawn_config(config(), SCENARIO).await;
    let mut s = TcpStream::connect(app.running.addr()).await.unwrap();
    s.write_all(b"GET /__admin/health HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    assert!(closed_within(&mut s, Duration::from_secs(3)).await);
    // the server still serves others
    assert_eq!(app.admin_get("/health").await.status, StatusCode::OK);
}

#[tokio::test]
async fn garbage_instead_of_tls_is_closed_cleanly() {
    let app = TestApp::spawn_config(config(), SCENARIO).await;
    let mut s = TcpStream::connect(app.running.addr()).await.unwrap();
    s.write_all(&[0x16, 0x03, 0x01, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 7, 8])
        .await
        .unwrap();
    assert!(closed_within(&mut s, Duration::from_secs(3)).await);
    let mut s = TcpStream::connect(app.running.addr()).await.unwrap();
    s.write_all(&[0x16]).await.unwrap(); // a handshake that never finishes
    assert!(closed_within(&mut s, Duration::from_secs(3)).await);
    assert_eq!(app.admin_get("/health").await.status, StatusCode::OK);
}

#[tokio::test]
async fn garbage_instead_of_http_gets_a_400_or_a_close() {
    let app = TestApp::spawn_config(config(), SCENARIO).await;
    let mut s = TcpStream::connect(app.running.addr()).await.unwrap();
    s.write_all(b"\x00\x01\x02 not http at all\r\n\r\n")
        .await
        .unwrap();
    let mut buf = vec![0u8; 1024];
    let n = tokio::time::timeout(Duration::from_secs(3), s.read(&mut buf))
        .await
        .expect("answered or closed")
        .unwrap_or(0);
    let text = String::from_utf8_lossy(&buf[..n]);
    assert!(n == 0 || text.starts_with("HTTP/1.1 400"), "{text}");
    assert_eq!(app.admin_get("/health").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_thousand_idle_connections_do_not_stop_service() {
    let app = TestApp::spawn_config(config(), SCENARIO).await;
    let mut conns = Vec::new();
    for _ in 0..1000 {
        conns.push(TcpStream::connect(app.running.addr()).await.unwrap());
    }
    assert_eq!(app.admin_get("/health").await.status, StatusCode::OK);
    drop(conns);
}

#[tokio::test]
async fn a_non_loopback_admin_listener_needs_an_admin_token() {
    let cfg = Config {
        listen_admin: Some("0.0.0.0:0".parse().unwrap()),
        ..config()
    };
    let err = meetmock::start_with(cfg.clone(), vec![])
        .await
        .err()
        .expect("refused");
    assert!(err.to_string().contains("not a loopback address"), "{err}");
    let cfg = Config {
        admin_token: Some("t".into()),
        ..cfg
    };
    let running = meetmock::start_with(cfg, vec![])
        .await
        .expect("allowed with a token");
    running.stop().await;
}
