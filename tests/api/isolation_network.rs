//! The hostile-input catalogue, connection half: a client that half-closes its side after the
//! request still gets the answer; thousands of idle connections do not stop a real request;
//! slow headers (slowloris), garbage instead of TLS and non-HTTP bytes end in a clean close
//! within a bound; the server serves normally afterwards and nothing changed.

use crate::common::TestApp;
use crate::isolation_clients::{self as c};
use meetmock::config::Config;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const BOUND: Duration = Duration::from_secs(5);

async fn spawn(header_timeout_ms: u64) -> TestApp {
    let cfg = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        no_demo: true,
        header_timeout_ms,
        ..Config::default()
    };
    TestApp::spawn_config(cfg, &c::scenario()).await
}

fn token_request() -> Vec<u8> {
    let body = r#"{"app_id":"cli_iso_a","app_secret":"iso_secret_a"}"#;
    format!(
        "POST /open-apis/auth/v3/tenant_access_token/internal HTTP/1.1\r\nHost: x\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Reads until the server closes (or the bound passes); returns what arrived.
async fn read_all(s: &mut TcpStream) -> (Vec<u8>, bool) {
    let mut out = Vec::new();
    let closed = tokio::time::timeout(BOUND, s.read_to_end(&mut out))
        .await
        .is_ok();
    (out, closed)
}

async fn still_serving(app: &TestApp) {
    let t = c::feishu_token(app, &c::side("feishu", false), "tenant").await;
    assert!(t.starts_with("t-"), "{t}");
}

#[tokio::test]
async fn a_half_closed_connection_still_gets_its_answer() {
    let app = spawn(10_000).await;
    let mut s = TcpStream::connect(app.running.addr()).await.unwrap();
    let mut req = token_request();
    req.splice(
        req.windows(4).position(|w| w == b"\r\n\r\n").unwrap()..,
        b"\r\nConnection: close\r\n\r\n".iter().copied(),
    );
    req.extend_from_slice(br#"{"app_id":"cli_iso_a","app_secret":"iso_secret_a"}"#);
    s.write_all(&req).await.unwrap();
    s.shutdown().await.unwrap();
    let (out, closed) = read_all(&mut s).await;
    let text = String::from_utf8_lossy(&out);
    assert!(closed, "closed within the bound");
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.contains("tenant_access_token"), "{text}");
}

#[tokio::test]
async fn a_half_closed_keep_alive_connection_still_gets_its_answer() {
    let app = spawn(10_000).await;
    let mut s = TcpStream::connect(app.running.addr()).await.unwrap();
    s.write_all(&token_request()).await.unwrap();
    s.shutdown().await.unwrap();
    let (out, _) = read_all(&mut s).await;
    let text = String::from_utf8_lossy(&out);
    assert!(text.starts_with("HTTP/1.1 200"), "{text:?}");
    assert!(text.contains("tenant_access_token"), "{text}");
}

/// Idle connections this process can afford (each costs two descriptors here).
fn idle_budget() -> usize {
    let soft = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|l| {
            l.lines()
                .find(|l| l.starts_with("Max open files"))
                .and_then(|l| {
                    l.split_whitespace()
                        .nth(3)
                        .and_then(|n| n.parse::<usize>().ok())
                })
        })
        .unwrap_or(1024);
    (soft.saturating_sub(300) / 2).min(3000)
}

#[tokio::test]
async fn thousands_of_idle_connections_do_not_stop_a_real_request() {
    let app = spawn(10_000).await;
    let n = idle_budget();
    let mut idle = Vec::with_capacity(n);
    for _ in 0..n {
        idle.push(TcpStream::connect(app.running.addr()).await.unwrap());
    }
    // Half of them send a partial request head and stall.
    for s in idle.iter_mut().step_by(2) {
        s.write_all(b"GET /open-apis/vc/v1/meetings/1 HTTP/1.1\r\nHo")
            .await
            .unwrap();
    }
    let started = Instant::now();
    let fresh = reqwest::Client::builder().no_proxy().build().unwrap();
    let r = fresh
        .post(app.url("/open-apis/auth/v3/tenant_access_token/internal"))
        .body(r#"{"app_id":"cli_iso_a","app_secret":"iso_secret_a"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        started.elapsed() < BOUND,
        "answered in {:?} beside {n} idle connections",
        started.elapsed()
    );
    assert!(n >= 300, "only {n} idle connections affordable");
}

#[tokio::test]
async fn slow_headers_are_cut_off_after_the_header_timeout() {
    let app = spawn(300).await;
    let mut s = TcpStream::connect(app.running.addr()).await.unwrap();
    let started = Instant::now();
    s.write_all(b"GET /open-apis/vc/v1/meetings/1 HTTP/1.1\r\n")
        .await
        .unwrap();
    let mut closed = false;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if s.write_all(b"X-Slow: 1\r\n").await.is_err() {
            closed = true;
            break;
        }
    }
    let (_, eof) = read_all(&mut s).await;
    assert!(closed || eof, "the slow client was cut off");
    assert!(started.elapsed() < BOUND, "{:?}", started.elapsed());
    still_serving(&app).await;
}

#[tokio::test]
async fn garbage_instead_of_tls_and_non_http_bytes_end_in_a_clean_close() {
    let app = spawn(500).await;
    let before = app.admin_get("/state").await.json()["tenants"].clone();
    for junk in [
        &b"\x16\x03\x01\x00\x05garbage-not-a-client-hello"[..],
        &b"\x16"[..],
        &b"\x00\x01\x02\x03\xff\xfe\r\n\r\n"[..],
        &b"HELLO meetmock\r\n\r\n"[..],
    ] {
        let mut s = TcpStream::connect(app.running.addr()).await.unwrap();
        s.write_all(junk).await.unwrap();
        let (out, closed) = read_all(&mut s).await;
        assert!(closed, "closed within the bound after {junk:?}");
        let text = String::from_utf8_lossy(&out);
        assert!(
            out.is_empty() || text.starts_with("HTTP/1.1 400"),
            "{junk:?} -> {text}"
        );
    }
    assert_eq!(app.admin_get("/state").await.json()["tenants"], before);
    still_serving(&app).await;
}
