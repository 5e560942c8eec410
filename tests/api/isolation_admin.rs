//! Access to the admin API and secrecy: with `--admin-token` every admin route (driven from a
//! list of every endpoint) but health refuses calls without the bearer token and changes
//! nothing (health answers liveness only; `security_admin.rs` has the rest); the admin
//! API can move to its own loopback listener (the edge then answers `/__admin` like any unknown
//! path); the default listener is loopback; and no secret (app secrets, passwords, tokens,
//! login codes, signatures, Basic headers) reaches the journal or the logs, even at trace level.

use crate::common::TestApp;
use crate::isolation_clients::{self as c};
use clap::Parser;
use meetmock::config::{Cli, Command, Config};
use reqwest::Method;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

const TOKEN: &str = "admin-token-7f3a";

/// Every admin endpoint (method, path, body), mutating ones with bodies that would change
/// state if accepted.
const ADMIN_ROUTES: &[(&str, &str, &str)] = &[
    ("GET", "/__admin/health", ""),
    ("GET", "/__admin/routes", ""),
    ("POST", "/__admin/reset", ""),
    ("GET", "/__admin/state", ""),
    ("PUT", "/__admin/state", r#"{"tenants":[]}"#),
    ("POST", "/__admin/state/save", ""),
    ("POST", "/__admin/scenarios", "name: x\ntenants: []\n"),
    ("GET", "/__admin/scenarios", ""),
    ("GET", "/__admin/scenarios/library", ""),
    (
        "POST",
        "/__admin/scenarios/library/feishu-meeting-locked.yaml",
        "",
    ),
    ("GET", "/__admin/clock", ""),
    ("POST", "/__admin/clock/advance", r#"{"seconds":3600}"#),
    ("POST", "/__admin/clock/freeze", ""),
    ("POST", "/__admin/clock/unfreeze", ""),
    ("GET", "/__admin/meetings", ""),
    ("GET", "/__admin/meetings/7100000000000000001", ""),
    (
        "POST",
        "/__admin/meetings/7100000000000000001/end",
        r#"{"vendor":"feishu"}"#,
    ),
    (
        "POST",
        "/__admin/users/ou_guest/busy",
        r#"{"vendor":"feishu"}"#,
    ),
    ("GET", "/__admin/tenants", ""),
    (
        "POST",
        "/__admin/tenants/feishu/cli_iso_a/users",
        r#"{"users":[{"id":"intruder","name":"X"}]}"#,
    ),
    ("POST", "/__admin/tokens/expire", r#"{"token":"t-x"}"#),
    ("GET", "/__admin/requests", ""),
    ("GET", "/__admin/requests/count", ""),
    ("DELETE", "/__admin/requests", ""),
    ("GET", "/__admin/faults", ""),
    (
        "POST",
        "/__admin/faults",
        r#"{"match":{"vendor":"feishu"},"error":"121001"}"#,
    ),
    ("DELETE", "/__admin/faults", ""),
    ("POST", "/__admin/faults/keep/disable", ""),
    ("POST", "/__admin/faults/keep/enable", ""),
    ("DELETE", "/__admin/faults/keep", ""),
    ("GET", "/__admin/behaviours", ""),
    (
        "PUT",
        "/__admin/behaviours",
        r#"{"vendor":"feishu","tenant":"cli_iso_a","outcome":"accept"}"#,
    ),
    ("DELETE", "/__admin/behaviours", ""),
    ("GET", "/__admin/behaviours/pending", ""),
    (
        "POST",
        "/__admin/vendors/feishu/login_code",
        r#"{"app_id":"cli_iso_a","user":"ou_host"}"#,
    ),
    ("GET", "/__admin/subscriptions", ""),
    (
        "POST",
        "/__admin/subscriptions",
        r#"{"vendor":"feishu","tenant":"cli_iso_a","url":"http://127.0.0.1:9/","verification_token":"t","verify":false}"#,
    ),
    ("GET", "/__admin/subscriptions/feishu-cli_iso_a-1", ""),
    (
        "PUT",
        "/__admin/subscriptions/feishu-cli_iso_a-1",
        r#"{"url":"http://127.0.0.1:9/","verification_token":"t","verify":false}"#,
    ),
    ("DELETE", "/__admin/subscriptions/feishu-cli_iso_a-1", ""),
    (
        "POST",
        "/__admin/subscriptions/feishu-cli_iso_a-1/pause",
        "",
    ),
    ("GET", "/__admin/events", ""),
    ("GET", "/__admin/events/count", ""),
    ("GET", "/__admin/events/1", ""),
    ("POST", "/__admin/events/1/redeliver", ""),
];

async fn with_token(config: Config) -> TestApp {
    let cfg = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        no_demo: true,
        admin_token: Some(TOKEN.into()),
        ..config
    };
    TestApp::spawn_config(cfg, &c::scenario()).await
}

async fn authorized(app: &TestApp, m: Method, path: &str, body: &str) -> crate::common::Resp {
    let bearer = format!("Bearer {TOKEN}");
    app.send(m, path, &[("Authorization", &bearer)], body.to_string())
        .await
}

/// Everything observable: state (tokens aside), clock, faults, journal size.
async fn observable(app: &TestApp) -> Value {
    let mut state = authorized(app, Method::GET, "/__admin/state", "")
        .await
        .json();
    state["tokens"] = Value::Null;
    let faults = authorized(app, Method::GET, "/__admin/faults", "")
        .await
        .json();
    let health = authorized(app, Method::GET, "/__admin/health", "")
        .await
        .json();
    json!({"state": state, "faults": faults, "journal": health["journal"]})
}

#[tokio::test]
async fn every_admin_route_refuses_a_missing_wrong_or_non_bearer_token_and_changes_nothing() {
    let app = with_token(Config::default()).await;
    authorized(
        &app,
        Method::POST,
        "/__admin/faults",
        r#"{"name":"keep","match":{"vendor":"dingtalk"},"delay":1}"#,
    )
    .await;
    let before = observable(&app).await;
    let wrong = [
        vec![],
        vec![("Authorization", "Bearer wrong-token".to_string())],
        vec![("Authorization", format!("Basic {}", c::b64(TOKEN)))],
        vec![("Authorization", format!("bearer{TOKEN}"))],
        vec![("X-Admin-Token", TOKEN.to_string())],
    ];
    for (m, path, body) in ADMIN_ROUTES {
        for h in &wrong {
            let hs: Vec<(&str, &str)> = h.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = app
                .send(
                    Method::from_bytes(m.as_bytes()).unwrap(),
                    path,
                    &hs,
                    body.to_string(),
                )
                .await;
            if *path == "/__admin/health" {
                // Open to all for container health checks, showing liveness only.
                assert_eq!(r.status, 200, "{}", r.text);
                assert!(r.json().get("tenants").is_none(), "{}", r.text);
                continue;
            }
            assert_eq!(r.status, 401, "{m} {path} with {h:?}: {}", r.text);
            assert_eq!(r.json()["error"], "unauthorized", "{m} {path}");
        }
    }
    assert_eq!(observable(&app).await, before);
}

#[tokio::test]
async fn every_admin_route_answers_with_the_token() {
    let app = with_token(Config::default()).await;
    for (m, path, body) in ADMIN_ROUTES {
        let r = authorized(&app, Method::from_bytes(m.as_bytes()).unwrap(), path, body).await;
        assert_ne!(r.status, 401, "{m} {path}: {}", r.text);
        assert!(r.status.as_u16() < 500, "{m} {path}: {}", r.text);
    }
}

#[tokio::test]
async fn a_separate_admin_listener_serves_admin_and_the_edge_answers_admin_paths_as_unknown() {
    let cfg = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        listen_admin: Some("127.0.0.1:0".parse().unwrap()),
        no_demo: true,
        ..Config::default()
    };
    let app = TestApp::spawn_config(cfg, &c::scenario()).await;
    let admin = app
        .running
        .addrs
        .iter()
        .find(|(s, _)| s.admin)
        .map(|(_, a)| *a)
        .unwrap();
    assert!(admin.ip().is_loopback());
    assert_ne!(admin, app.running.addr());
    let edge = app.send(Method::GET, "/__admin/health", &[], "").await;
    assert_eq!(edge.status, 404, "{}", edge.text);
    assert_eq!(edge.json()["error"], "not_found");
    let edge_reset = app.send(Method::POST, "/__admin/reset", &[], "").await;
    assert_eq!(edge_reset.status, 404);
    let r = app
        .client
        .get(format!("http://{admin}/__admin/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // The admin listener serves no vendor.
    let r = app
        .client
        .post(format!(
            "http://{admin}/open-apis/auth/v3/tenant_access_token/internal"
        ))
        .body(r#"{"app_id":"cli_iso_a","app_secret":"iso_secret_a"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // Vendors still work on the edge.
    let t = c::feishu_token(&app, &c::side("feishu", false), "tenant").await;
    assert!(t.starts_with("t-"), "{t}");
}

#[test]
fn the_default_listener_binds_loopback_and_needs_no_admin_listener() {
    let Ok(Cli {
        command: Command::Serve(cfg),
    }) = Cli::try_parse_from(["meetmock", "serve"])
    else {
        panic!("`meetmock serve` parses");
    };
    assert!(cfg.listen.ip().is_loopback(), "{}", cfg.listen);
    assert!(cfg.listen_admin.is_none() && cfg.admin_token.is_none());
    assert!(Config::default().listen.ip().is_loopback());
}

/// Logs in and calls every vendor's token endpoints as tenant A; returns every secret sent
/// or received.
async fn secret_session(app: &TestApp) -> Vec<String> {
    let mut secrets = Vec::new();
    let fs = c::side("feishu", false);
    secrets.push(fs.secret.to_string());
    secrets.push(c::feishu_token(app, &fs, "tenant").await);
    secrets.push(c::feishu_token(app, &fs, "app").await);
    let (at, rt) = c::feishu_user(app, &fs).await;
    let app_tok = c::feishu_token(app, &fs, "app").await;
    let bearer = format!("Bearer {app_tok}");
    let r = app
        .send_json(
            Method::POST,
            "/open-apis/authen/v1/oidc/refresh_access_token",
            &[("authorization", &bearer)],
            &json!({"grant_type": "refresh_token", "refresh_token": rt}),
        )
        .await;
    secrets.extend([
        at.clone(),
        rt,
        r.json()["data"]["access_token"]
            .as_str()
            .unwrap()
            .to_string(),
    ]);
    let code = c::feishu_code(app, &fs).await;
    let r = app
        .send_json(
            Method::POST,
            "/open-apis/authen/v1/access_token",
            &[("authorization", &bearer)],
            &json!({"grant_type": "authorization_code", "code": code}),
        )
        .await;
    secrets.extend([
        code,
        r.json()["data"]["access_token"]
            .as_str()
            .unwrap()
            .to_string(),
    ]);
    app.send(
        Method::GET,
        "/open-apis/authen/v1/user_info",
        &[("authorization", &format!("Bearer {at}"))],
        "",
    )
    .await;
    let code = c::feishu_code(app, &fs).await;
    let r = app.send_json(Method::POST, "/open-apis/authen/v2/oauth/token", &[],
        &json!({"grant_type": "authorization_code", "client_id": fs.id, "client_secret": fs.secret, "code": code})).await;
    secrets.extend([code, r.json()["access_token"].as_str().unwrap().to_string()]);
    app.send_json(Method::POST, "/oauth/v3/token", &[],
        &json!({"grant_type": "client_credentials", "client_id": fs.id, "client_secret": fs.secret})).await;

    let dt = c::side("dingtalk", false);
    secrets.extend([dt.secret.to_string(), c::dingtalk_token(app, &dt).await]);
    let r = app
        .send(
            Method::GET,
            &format!("/gettoken?appkey={}&appsecret={}", dt.id, dt.secret),
            &[],
            "",
        )
        .await;
    secrets.push(r.json()["access_token"].as_str().unwrap().to_string());

    let hw = c::side("huawei", false);
    let (hat, hrt) = c::huawei_login(app, &hw).await;
    secrets.extend([
        hw.extra.to_string(),
        hw.secret.to_string(),
        c::basic(hw.host, hw.extra)[6..].to_string(),
        hat.clone(),
    ]);
    if !hrt.is_empty() {
        secrets.push(hrt);
    }
    let exp = c::server_secs(app).await + 600;
    let sig = c::huawei_app_auth(hw.key, hw.secret, "u1", exp, "n-1");
    let r = app.send_json(Method::POST, "/v2/usg/acs/auth/appauth", &[("Authorization", &sig)],
        &json!({"appId": hw.key, "userId": "u1", "expireTime": exp, "nonce": "n-1", "clientType": 72})).await;
    secrets.push(r.json()["accessToken"].as_str().unwrap().to_string());
    secrets.push(sig["HMAC-SHA256 signature=".len()..][..64].to_string());
    app.send_json(
        Method::POST,
        "/v1/usg/acs/token/validate",
        &[("X-Access-Token", &hat)],
        &json!({"token": hat, "needGenNewToken": false}),
    )
    .await;
    let r = app
        .send(
            Method::PUT,
            "/v1/usg/acs/token",
            &[("X-Access-Token", &hat)],
            "",
        )
        .await;
    secrets.push(r.json()["accessToken"].as_str().unwrap().to_string());
    app.send(
        Method::DELETE,
        "/v1/usg/acs/token",
        &[("X-Access-Token", &hat)],
        "",
    )
    .await;

    let tc = c::side("tencent", false);
    let target = format!("/v1/meetings/{}?userid=host1&instanceid=1", tc.run);
    let h = c::tencent_headers(&tc, "GET", &target, b"", c::server_secs(app).await);
    let r = c::send(app, Method::GET, &target, &h, Vec::new()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    secrets.push(tc.secret.to_string());
    secrets.extend(
        h.into_iter()
            .filter(|(k, _)| k == "X-TC-Signature")
            .map(|(_, v)| v),
    );
    assert!(secrets.iter().all(|s| s.len() >= 6), "{secrets:?}");
    secrets
}

#[tokio::test]
async fn no_secret_of_any_vendors_login_reaches_the_journal() {
    let app = c::spawn().await;
    let secrets = secret_session(&app).await;
    let journal = app.admin_get("/requests?limit=10000").await.text;
    assert!(journal.matches("\"seq\"").count() >= 15, "{journal}");
    for s in &secrets {
        assert!(
            !journal.contains(s.as_str()),
            "secret {s:?} in the journal: {journal}"
        );
    }
}

/// A `std::io::Write` into a shared buffer, for capturing log output.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_secret_reaches_the_logs_even_at_trace_level() {
    let buf = Capture::default();
    let writer = buf.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    // A current-thread test runtime: the in-process server runs on this thread, so a
    // thread-local subscriber sees everything it logs.
    let _guard = tracing::subscriber::set_default(subscriber);
    let app = c::spawn().await;
    let secrets = secret_session(&app).await;
    app.admin_post(
        "/faults",
        json!({"match": {"vendor": "feishu"}, "connection": "panic"}),
    )
    .await;
    let r = app
        .send(Method::GET, "/open-apis/vc/v1/meetings/1", &[], "")
        .await;
    assert_eq!(r.status, 500, "the rehearsed panic is answered: {}", r.text);
    let logs = String::from_utf8_lossy(&buf.0.lock().unwrap()).into_owned();
    assert!(
        logs.contains("answered") && logs.contains("panicked"),
        "{logs}"
    );
    for s in &secrets {
        assert!(
            !logs.contains(s.as_str()),
            "secret {s:?} in the logs:\n{logs}"
        );
    }
}

#[tokio::test]
async fn a_form_encoded_secret_is_masked_in_the_journal_too() {
    let app = c::spawn().await;
    let fs = c::side("feishu", false);
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}",
        fs.id, fs.secret
    );
    let ct = [("Content-Type", "application/x-www-form-urlencoded")];
    app.send(Method::POST, "/oauth/v3/token", &ct, form).await;
    let dt = c::side("dingtalk", false);
    app.send(
        Method::POST,
        "/gettoken",
        &ct,
        format!("appkey={}&appsecret={}", dt.id, dt.secret),
    )
    .await;
    let journal = app.admin_get("/requests").await.text;
    assert!(journal.contains(fs.id), "the entry is there: {journal}");
    assert!(
        !journal.contains(fs.secret) && !journal.contains(dt.secret),
        "{journal}"
    );
}
