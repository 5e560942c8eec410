//! Admin exposure, as an attacker would try it: a listener on every interface without a token
//! serves the admin API to loopback clients only (health stays open and says nothing secret);
//! `meetmock health` works with or without a token; a cross-site page cannot change anything
//! (foreign `Origin`, `Sec-Fetch-Site: cross-site`, the content types a page sends without a
//! preflight); a request for a foreign host name (DNS rebinding) is refused; the vendor routes
//! are not affected by any of it.

use crate::common::TestApp;
use crate::harness::{client, non_loopback_ip};
use meetmock::config::Config;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::process::Command;

const SCENARIO: &str = r#"
tenants:
  - vendor: feishu
    id: cli_sec
    secret: s
    users: [{ id: ou_h }, { id: ou_g }]
    meetings: [{ id: "m1", host: ou_h, state: in_progress, participants: [ou_h] }]
"#;
const TOKEN: &str = "sec-admin-token-5c1d";
const TOKEN_PATH: &str = "/open-apis/auth/v3/tenant_access_token/internal";

fn config() -> Config {
    Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        no_demo: true,
        ..Config::default()
    }
}

async fn meeting_state(app: &TestApp) -> Value {
    let r = app
        .send(
            Method::GET,
            "/__admin/meetings/m1?vendor=feishu",
            &[("Authorization", &format!("Bearer {TOKEN}"))],
            "",
        )
        .await;
    r.json()["meeting"]["state"].clone()
}

#[tokio::test]
async fn on_every_interface_without_a_token_the_admin_api_serves_loopback_clients_only() {
    let Some(ip) = non_loopback_ip() else {
        eprintln!("skipped: this machine has no non-loopback address");
        return;
    };
    let cfg = Config {
        listen: "0.0.0.0:0".parse().unwrap(),
        ..config()
    };
    let app = TestApp::spawn_config(cfg, SCENARIO).await;
    let port = app.running.addr().port();
    let remote = format!("http://{ip}:{port}");
    let local = format!("http://127.0.0.1:{port}");
    let c = client();
    let r = c
        .get(format!("{remote}/__admin/state"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "forbidden");
    assert!(
        body["message"].as_str().unwrap().contains("--admin-token"),
        "{body}"
    );
    for (m, path) in [
        (Method::POST, "/__admin/meetings/m1/end"),
        (Method::POST, "/__admin/reset"),
        (Method::DELETE, "/__admin/faults"),
    ] {
        let r = c
            .request(m, format!("{remote}{path}"))
            .json(&json!({"vendor": "feishu"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
    }
    let m: Value = c
        .get(format!("{local}/__admin/meetings/m1?vendor=feishu"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(m["meeting"]["state"], "in_progress", "nothing changed");
    // Health answers anyone and reveals nothing but liveness.
    let h: Value = c
        .get(format!("{remote}/__admin/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(h["status"], "ok");
    assert!(
        h.get("tenants").is_none() && h.get("journal").is_none(),
        "{h}"
    );
    // The vendors are served to everyone, as before.
    let r = c
        .post(format!("{remote}{TOKEN_PATH}"))
        .json(&json!({"app_id": "cli_sec", "app_secret": "s"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // A loopback client is served as today.
    let r = c
        .get(format!("{local}/__admin/state"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn with_a_token_health_answers_without_it_and_reveals_nothing_secret() {
    let cfg = Config {
        admin_token: Some(TOKEN.into()),
        ..config()
    };
    let app = TestApp::spawn_config(cfg, SCENARIO).await;
    let r = app.admin_get("/health").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let h = r.json();
    assert_eq!(h["status"], "ok");
    assert!(h["version"].is_string());
    for hidden in ["tenants", "journal", "faults", "requests", "panics"] {
        assert!(
            h.get(hidden).is_none(),
            "{hidden} shown without the token: {h}"
        );
    }
    let full = app
        .send(
            Method::GET,
            "/__admin/health",
            &[("Authorization", &format!("Bearer {TOKEN}"))],
            "",
        )
        .await
        .json();
    assert_eq!(full["tenants"], 1, "{full}");
    assert_eq!(
        app.admin_get("/state").await.status,
        StatusCode::UNAUTHORIZED
    );
}

fn health_cmd(envs: &[(&str, &str)]) -> std::process::Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_meetmock"));
    c.arg("health");
    for k in [
        "MEETMOCK_LISTEN",
        "MEETMOCK_LISTEN_ADMIN",
        "MEETMOCK_ADMIN_TOKEN",
    ] {
        c.env_remove(k);
    }
    c.envs(envs.iter().copied());
    c.output().unwrap()
}

#[tokio::test]
async fn the_health_subcommand_checks_a_server_with_or_without_a_token() {
    let cfg = Config {
        admin_token: Some(TOKEN.into()),
        ..config()
    };
    let app = TestApp::spawn_config(cfg, SCENARIO).await;
    let addr = app.running.addr().to_string();
    let out = tokio::task::spawn_blocking(move || health_cmd(&[("MEETMOCK_LISTEN", &addr)]))
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("ok"));
    // As in the container: listening on 0.0.0.0, checked from inside over loopback.
    let wildcard = format!("0.0.0.0:{}", app.running.addr().port());
    let out = tokio::task::spawn_blocking(move || health_cmd(&[("MEETMOCK_LISTEN", &wildcard)]))
        .await
        .unwrap();
    assert!(out.status.success());
    app.running.stop().await;
    let out = tokio::task::spawn_blocking(|| health_cmd(&[("MEETMOCK_LISTEN", "127.0.0.1:9")]))
        .await
        .unwrap();
    assert!(!out.status.success(), "nothing listens there");
    assert!(!String::from_utf8_lossy(&out.stderr).is_empty());
}

#[tokio::test]
async fn the_health_subcommand_follows_a_separate_admin_listener() {
    let cfg = Config {
        listen_admin: Some("127.0.0.1:0".parse().unwrap()),
        ..config()
    };
    let app = TestApp::spawn_config(cfg, SCENARIO).await;
    let admin = app.running.addrs[1].1.to_string();
    let edge = app.running.addr().to_string();
    let out = tokio::task::spawn_blocking(move || {
        health_cmd(&[
            ("MEETMOCK_LISTEN", &edge),
            ("MEETMOCK_LISTEN_ADMIN", &admin),
        ])
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn a_cross_site_page_cannot_change_anything_through_the_admin_api() {
    let app = TestApp::spawn_config(config(), SCENARIO).await;
    let rule = r#"{"name":"evil","match":{"vendor":"feishu"},"error":"121001"}"#;
    let attempts: &[(&str, &[(&str, &str)])] = &[
        // The issue's page: a simple request with a foreign Origin.
        (
            "/__admin/faults",
            &[
                ("Content-Type", "text/plain"),
                ("Origin", "https://evil.example"),
            ],
        ),
        // Even with a JSON type (it would need a preflight the admin API never grants).
        (
            "/__admin/faults",
            &[
                ("Content-Type", "application/json"),
                ("Origin", "http://evil.example:8080"),
            ],
        ),
        (
            "/__admin/faults",
            &[("Content-Type", "application/json"), ("Origin", "null")],
        ),
        (
            "/__admin/faults",
            &[
                ("Content-Type", "application/json"),
                ("Sec-Fetch-Site", "cross-site"),
            ],
        ),
        // No Origin at all (an old browser, a form): the simple content types are refused.
        (
            "/__admin/faults",
            &[("Content-Type", "text/plain;charset=UTF-8")],
        ),
        (
            "/__admin/faults",
            &[("Content-Type", "application/x-www-form-urlencoded")],
        ),
        (
            "/__admin/faults",
            &[("Content-Type", "multipart/form-data; boundary=x")],
        ),
        (
            "/__admin/meetings/m1/end",
            &[("Content-Type", "text/plain")],
        ),
        (
            "/__admin/meetings/m1/end",
            &[
                ("Content-Type", "text/plain"),
                ("Origin", "https://evil.example"),
            ],
        ),
    ];
    for (path, headers) in attempts {
        let r = app.send(Method::POST, path, headers, rule).await;
        assert!(
            r.status == StatusCode::FORBIDDEN || r.status == StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{path} {headers:?}: {} {}",
            r.status,
            r.text
        );
        let msg = r.json()["message"].as_str().unwrap().to_string();
        assert!(
            msg.contains("cross-site") || msg.contains("Content-Type"),
            "{msg}"
        );
    }
    assert_eq!(app.admin_get("/faults").await.json()["faults"], json!([]));
    assert_eq!(meeting_state(&app).await, "in_progress");
    // The same origin, and tools that send no Origin with JSON, still work.
    let own = format!("http://{}", app.running.addr());
    let r = app
        .send(
            Method::POST,
            "/__admin/faults",
            &[("Content-Type", "application/json"), ("Origin", &own)],
            rule,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = app
        .send(
            Method::POST,
            "/__admin/meetings/m1/end",
            &[],
            r#"{"vendor":"feishu"}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn an_admin_request_for_a_foreign_host_name_is_refused() {
    let cfg = Config {
        admin_allowed_hosts: vec!["mock.internal".into()],
        ..config()
    };
    let app = TestApp::spawn_config(cfg, SCENARIO).await;
    let port = app.running.addr().port();
    let host = |h: &str| format!("{h}:{port}");
    for bad in [
        "rebind.evil.example",
        "localhost.evil.example",
        "127.0.0.1.nip.io",
        "mock.internal.evil",
    ] {
        let r = app
            .send(Method::GET, "/__admin/state", &[("Host", &host(bad))], "")
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{bad}: {}", r.text);
        assert!(
            r.json()["message"].as_str().unwrap().contains("Host"),
            "{}",
            r.text
        );
        let r = app
            .send(
                Method::POST,
                "/__admin/meetings/m1/end",
                &[("Host", &host(bad))],
                r#"{"vendor":"feishu"}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{bad}");
        // The dashboard's live stream follows the same rules (its files carry no data).
        let r = app
            .send(
                Method::GET,
                "/__admin/changes/stream",
                &[("Host", &host(bad))],
                "",
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{bad}: {}", r.text);
    }
    assert_eq!(meeting_state(&app).await, "in_progress");
    for good in [
        "127.0.0.1",
        "localhost",
        "LocalHost",
        "api.localhost",
        "[::1]",
        "mock.internal",
    ] {
        let r = app
            .send(Method::GET, "/__admin/state", &[("Host", &host(good))], "")
            .await;
        assert_eq!(r.status, StatusCode::OK, "{good}: {}", r.text);
    }
    // Health says nothing secret: it answers whatever the Host.
    let r = app
        .send(
            Method::GET,
            "/__admin/health",
            &[("Host", &host("rebind.evil.example"))],
            "",
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    // The vendor routes are not affected.
    let r = app
        .send(
            Method::POST,
            TOKEN_PATH,
            &[
                ("Host", &host("open.feishu.cn")),
                ("Content-Type", "application/json"),
            ],
            r#"{"app_id":"cli_sec","app_secret":"s"}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn a_valid_bearer_token_is_enough_whatever_the_host_name() {
    let cfg = Config {
        admin_token: Some(TOKEN.into()),
        ..config()
    };
    let app = TestApp::spawn_config(cfg, SCENARIO).await;
    let bearer = format!("Bearer {TOKEN}");
    // A browser cannot attach the token to a rebound or cross-site request, so a request that
    // carries it is trusted (docker compose: `http://meetmock:8080/__admin/…`).
    let r = app
        .send(
            Method::GET,
            "/__admin/state",
            &[("Host", "meetmock:8080"), ("Authorization", &bearer)],
            "",
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = app
        .send(
            Method::GET,
            "/__admin/state",
            &[("Host", "meetmock:8080")],
            "",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}
