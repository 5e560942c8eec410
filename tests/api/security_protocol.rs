//! Protocol abuse and the small holes: a declared `Content-Length` over the limit is refused
//! from the header with the vendor's body-too-large error (no waiting for the body), a body that
//! stops arriving is cut with 408, the clock cannot be moved past year 9999 (no wrap-around), and
//! a state that is not a JSON object is refused both as a file and as an import.

use crate::common::TestApp;
use crate::harness::{raw, read_head, read_until_close, temp_dir};
use meetmock::config::Config;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::Duration;

fn config() -> Config {
    Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        no_demo: true,
        ..Config::default()
    }
}

fn head_of(method: &str, path: &str, length: u64) -> Vec<u8> {
    format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    )
    .into_bytes()
}

#[tokio::test]
async fn a_declared_length_over_the_limit_is_answered_from_the_header() {
    let app = TestApp::spawn_config(config(), "").await;
    let cases = [
        // (path, the vendor's answer: status and a piece of its body)
        (
            "/open-apis/auth/v3/tenant_access_token/internal",
            "HTTP/1.1 400",
            "request body too large",
        ),
        ("/v1.0/oauth2/accessToken", "HTTP/1.1 ", "\"code\""),
        ("/v1/meetings", "HTTP/1.1 400", "request body too large"),
        ("/v1/usg/acs/auth/account", "HTTP/1.1 ", "error_code"),
        ("/__admin/faults", "HTTP/1.1 413", "too_large"),
    ];
    for (path, status, piece) in cases {
        let mut req = head_of("POST", path, 100_000_000);
        req.extend_from_slice(br#"{"app_id":"cli_x","app_secret":"only fifty bytes"}"#);
        let mut s = raw(app.running.addr(), &req).await;
        let answer = read_until_close(&mut s, Duration::from_secs(3))
            .await
            .unwrap_or_else(|| panic!("{path}: no answer within 3 s (waiting for 100 MB)"));
        assert!(answer.starts_with(status), "{path}: {answer}");
        assert!(answer.contains(piece), "{path}: {answer}");
    }
    let journaled = app.admin_get("/requests").await.json();
    assert!(
        journaled["requests"].as_array().unwrap().len() >= 4,
        "the vendor refusals are journaled: {journaled}"
    );
}

#[tokio::test]
async fn a_body_that_stops_arriving_is_cut_with_408() {
    let cfg = Config {
        body_timeout_ms: 300,
        ..config()
    };
    let app = TestApp::spawn_config(cfg, "").await;
    for path in [
        "/open-apis/auth/v3/tenant_access_token/internal",
        "/__admin/faults",
    ] {
        let mut req = head_of("POST", path, 100);
        req.extend_from_slice(b"{\"app_id\":");
        let mut s = raw(app.running.addr(), &req).await;
        let head = read_head(&mut s, Duration::from_secs(3))
            .await
            .unwrap_or_else(|| panic!("{path}: the stalled body was never cut"));
        assert!(head.starts_with("HTTP/1.1 408"), "{path}: {head}");
        assert!(
            head.to_ascii_lowercase().contains("connection: close"),
            "{head}"
        );
        assert!(read_until_close(&mut s, Duration::from_secs(2))
            .await
            .is_some());
    }
    assert_eq!(app.admin_get("/faults").await.json()["faults"], json!([]));
}

#[tokio::test]
async fn the_clock_cannot_be_moved_past_year_9999() {
    let app = TestApp::spawn_config(config(), "").await;
    let before = app.admin_get("/clock").await.json()["offset_ms"].clone();
    for body in [
        json!({"seconds": 1e18}),
        json!({"seconds": 1e300}),
        json!({"ms": i64::MAX}),
        json!({"seconds": 300_000_000_000i64}),
        json!({"seconds": -1}),
        json!({"ms": 1.5}),
    ] {
        let r = app
            .admin_try(Method::POST, "/clock/advance", body.clone())
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.text);
    }
    let clock = app.admin_get("/clock").await.json();
    assert_eq!(clock["offset_ms"], before, "the clock did not move");
    assert!(clock["now_ms"].as_i64().unwrap() > 1_700_000_000_000);
    for body in [
        json!({"at_ms": i64::MAX}),
        json!({"at_ms": 253_402_300_800_000i64}),
    ] {
        let r = app
            .admin_try(Method::POST, "/clock/freeze", body.clone())
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.text);
    }
    // Far, but inside the range, is fine.
    let r = app
        .admin_try(
            Method::POST,
            "/clock/advance",
            json!({"seconds": 86_400i64 * 365 * 100}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn a_state_that_is_not_an_object_is_refused_as_an_import_and_changes_nothing() {
    let app = TestApp::spawn_with(
        "tenants:\n  - vendor: feishu\n    id: cli_p\n    secret: s\n    users: [{ id: ou_h }]\n    meetings: [{ id: m1, host: ou_h }]\n",
    )
    .await;
    let before = app.admin_get("/state").await.json();
    for bad in [json!([]), json!(null), json!(7), json!("state")] {
        let r = app.admin_try(Method::PUT, "/state", bad.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.text);
    }
    let r = app
        .admin_try(Method::PUT, "/state", json!({"clock_offset_ms": i64::MAX}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert_eq!(app.admin_get("/state").await.json(), before);
}

#[tokio::test]
async fn a_state_file_holding_an_array_is_refused_at_start_and_left_untouched() {
    let dir = temp_dir("state-array");
    let path = dir.join("state.json");
    for bad in [
        "[]",
        "null",
        "\"x\"",
        "{\"clock_offset_ms\": 9223372036854775807}",
    ] {
        std::fs::write(&path, bad).unwrap();
        let cfg = Config {
            state_file: Some(path.clone()),
            ..config()
        };
        let err = meetmock::start_with(cfg, vec![])
            .await
            .err()
            .unwrap_or_else(|| panic!("{bad}: accepted"));
        let msg = err.to_string();
        assert!(msg.contains("untouched"), "{bad}: {msg}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), bad);
    }
    std::fs::remove_dir_all(&dir).ok();
}
