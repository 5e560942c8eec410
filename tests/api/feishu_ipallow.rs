//! Feishu's IP allow-list (安全设置 → IP 白名单, app setting `ip_allowlist`): a call with the
//! app's tenant, app or user token from an address not on the list is 400 / 99991401 "ip
//! <caller> is denied by app setting" and changes nothing; the token-issuing endpoints are
//! not guarded; the admin `app` action changes the list at once; bad entries are refused by
//! the admin API, scenarios (`meetmock check`: file:line:column) and state import; the address
//! is the connection's (IPv6, IPv4-mapped, a remote client; never `X-Forwarded-For`).

use crate::common::{Resp, TestApp};
use crate::feishu::{
    admin_meeting, assert_err, call, invite, tenant_token, user_token, APP, HOST, LIVE,
};
use meetmock::config::Config;
use reqwest::Method;
use serde_json::{json, Value};

/// Somewhere no test runs from (TEST-NET-3).
const ELSEWHERE: &str = "203.0.113.7";

async fn allow(app: &TestApp, list: Value) -> Value {
    app.admin_post(
        "/vendors/feishu/app",
        json!({"app_id": APP, "ip_allowlist": list}),
    )
    .await
}

/// The gateway's refusal, naming `ip`, with the log id in header and body.
fn assert_denied(r: &Resp, ip: &str) {
    assert_err(
        r,
        400,
        99991401,
        &format!("ip {ip} is denied by app setting"),
    );
    let log_id = r.header("X-Tt-Logid").expect("X-Tt-Logid on the refusal");
    assert_eq!(r.json()["error"]["log_id"], log_id, "{}", r.text);
}

async fn get_meeting(app: &TestApp, base: &str, token: &str, headers: &[(&str, &str)]) -> Resp {
    let auth = format!("Bearer {token}");
    let mut rb = app
        .client
        .get(format!("{base}/open-apis/vc/v1/meetings/{LIVE}"))
        .header("authorization", auth);
    for (k, v) in headers {
        rb = rb.header(*k, *v);
    }
    let r = rb.send().await.expect("request sent");
    Resp {
        status: r.status(),
        headers: r.headers().clone(),
        text: r.text().await.unwrap_or_default(),
    }
}

#[tokio::test]
async fn an_invite_from_an_address_off_the_allowlist_is_99991401_naming_it_and_changes_nothing() {
    let app = TestApp::spawn().await;
    app.freeze().await;
    let set = allow(&app, json!([ELSEWHERE])).await;
    assert_eq!(set["ip_allowlist"], json!([ELSEWHERE]));
    // Token issuing is not guarded [doc: 设置 IP 白名单]: the tenant token and the user token
    // (authen v1 with the app token) are still handed out.
    let t = tenant_token(&app).await;
    let u = user_token(&app, HOST).await;
    let before = admin_meeting(&app, LIVE).await;
    let r = invite(&app, &u, LIVE, &["ou_guest_0000"]).await;
    assert_denied(&r, "127.0.0.1");
    assert_eq!(admin_meeting(&app, LIVE).await, before, "nothing changed");
    // Every token of the app is refused, whatever the API.
    let k = call(
        &app,
        Method::POST,
        &format!("/open-apis/vc/v1/meetings/{LIVE}/kickout"),
        &t,
        Some(json!({"kickout_users": [{"id": "ou_guest_0000", "user_type": 1}]})),
    )
    .await;
    assert_denied(&k, "127.0.0.1");
    let me = call(
        &app,
        Method::GET,
        "/open-apis/authen/v1/user_info",
        &u,
        None,
    )
    .await;
    assert_denied(&me, "127.0.0.1");
    assert_eq!(app.count("operation=meeting.invite&status=400").await, 1);
}

#[tokio::test]
async fn an_allowlist_holding_the_caller_by_address_or_block_lets_it_through() {
    let app = TestApp::spawn().await;
    for list in [
        json!(["127.0.0.1"]),
        json!(["127.0.0.1/32"]),
        json!([ELSEWHERE, "127.0.0.0/8"]),
    ] {
        allow(&app, list.clone()).await;
        let t = tenant_token(&app).await;
        let r = call(
            &app,
            Method::GET,
            &format!("/open-apis/vc/v1/meetings/{LIVE}"),
            &t,
            None,
        )
        .await;
        assert_eq!(r.json()["code"], 0, "{list}: {}", r.text);
    }
    let u = user_token(&app, HOST).await;
    let r = invite(&app, &u, LIVE, &["ou_guest_0000"]).await;
    assert_eq!(r.json()["code"], 0, "{}", r.text);
}

#[tokio::test]
async fn the_admin_app_action_changes_the_allowlist_at_once() {
    let app = TestApp::spawn().await;
    let t = tenant_token(&app).await;
    let base = app.base.clone();
    assert_eq!(get_meeting(&app, &base, &t, &[]).await.json()["code"], 0);
    allow(&app, json!([ELSEWHERE])).await;
    assert_denied(&get_meeting(&app, &base, &t, &[]).await, "127.0.0.1");
    let opened = allow(&app, json!(["127.0.0.1"])).await;
    assert_eq!(opened["ip_allowlist"], json!(["127.0.0.1"]));
    assert_eq!(get_meeting(&app, &base, &t, &[]).await.json()["code"], 0);
    allow(&app, json!([ELSEWHERE])).await;
    // null lifts the allow-list; so does an empty one (the console's list is off until an
    // address is added).
    for off in [Value::Null, json!([])] {
        let set = allow(&app, off.clone()).await;
        assert_eq!(
            set["ip_allowlist"],
            if off.is_null() { Value::Null } else { off }
        );
        assert_eq!(get_meeting(&app, &base, &t, &[]).await.json()["code"], 0);
        allow(&app, json!([ELSEWHERE])).await;
    }
}

#[tokio::test]
async fn bad_allowlist_entries_are_refused_whole_by_the_admin_api_and_state_import() {
    let app = TestApp::spawn().await;
    allow(&app, json!(["127.0.0.1"])).await;
    let r = app
        .admin_try(
            Method::POST,
            "/vendors/feishu/app",
            json!({"app_id": APP, "scopes": ["vc:meeting"], "ip_allowlist": ["10.0.0.0/8", "10.0.0.300"]}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 400, "{}", r.text);
    assert!(r.text.contains(r#"\"10.0.0.300\""#), "{}", r.text);
    let r = app
        .admin_try(
            Method::POST,
            "/vendors/feishu/app",
            json!({"app_id": APP, "ip_allowlist": "127.0.0.1"}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 400, "{}", r.text);
    assert!(r.text.contains("must be a list"), "{}", r.text);
    // Neither change was made: the old list and every scope are in force.
    let state = app.admin_get("/state").await.json();
    let tenant = |s: &Value| {
        s["tenants"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == APP)
            .unwrap()
            .clone()
    };
    assert_eq!(
        tenant(&state)["extra"],
        json!({"ip_allowlist": ["127.0.0.1"]})
    );
    // A state import carrying a bad entry is refused and changes nothing.
    let mut bad = state.clone();
    for t in bad["tenants"].as_array_mut().unwrap() {
        if t["id"] == APP {
            t["extra"]["ip_allowlist"] = json!(["localhost"]);
        }
    }
    let r = app
        .send(Method::PUT, "/__admin/state", &[], bad.to_string())
        .await;
    assert_eq!(r.status.as_u16(), 400, "{}", r.text);
    assert!(r.text.contains("localhost"), "{}", r.text);
    let now = app.admin_get("/state").await.json();
    assert_eq!(
        tenant(&now)["extra"],
        json!({"ip_allowlist": ["127.0.0.1"]})
    );
    // A good one round-trips and stays in force.
    let r = app
        .send(Method::PUT, "/__admin/state", &[], state.to_string())
        .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.text);
    allow(&app, json!([ELSEWHERE])).await;
    let t = tenant_token(&app).await;
    let base = app.base.clone();
    assert_denied(&get_meeting(&app, &base, &t, &[]).await, "127.0.0.1");
}

#[test]
fn check_refuses_a_scenario_with_a_bad_allowlist_entry_with_file_line_and_column() {
    let dir = std::env::temp_dir().join(format!("meetmock-ipallow-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("allow.yaml");
    std::fs::write(
        &file,
        "tenants:\n  - vendor: feishu\n    id: cli_ip\n    secret: s\n    extra:\n      ip_allowlist: [127.0.0.1, 192.168.1.0/24, 300.1.1.1]\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_meetmock"))
        .arg("check")
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let at = format!("{}:", file.display());
    assert!(stderr.starts_with(&at), "{stderr}");
    let place: Vec<&str> = stderr[at.len()..].splitn(3, ':').collect();
    assert!(
        place.len() == 3 && place[0].parse::<u32>().is_ok() && place[1].parse::<u32>().is_ok(),
        "file:line:column: {stderr}"
    );
    assert!(stderr.contains(r#"entry "300.1.1.1""#), "{stderr}");
    // The good list loads.
    std::fs::write(
        &file,
        "tenants:\n  - vendor: feishu\n    id: cli_ip\n    secret: s\n    extra:\n      ip_allowlist: [127.0.0.1, 192.168.1.0/24, \"::1\"]\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_meetmock"))
        .arg("check")
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn ipv6_and_ipv4_mapped_callers_are_named_as_the_gateway_sees_them() {
    if std::net::TcpListener::bind("[::1]:0").is_err() {
        eprintln!("skipped: no IPv6 loopback here");
        return;
    }
    // A dual-stack listener: IPv4 clients arrive as ::ffff:127.0.0.1.
    let cfg = Config {
        listen: "[::]:0".parse().unwrap(),
        no_demo: false,
        ..Config::default()
    };
    let app = TestApp::spawn_config(cfg, "").await;
    let port = app.running.addr().port();
    let (v4, v6) = (
        format!("http://127.0.0.1:{port}"),
        format!("http://[::1]:{port}"),
    );
    let t = tenant_token(&app).await;
    allow(&app, json!([ELSEWHERE])).await;
    assert_denied(&get_meeting(&app, &v4, &t, &[]).await, "127.0.0.1");
    assert_denied(&get_meeting(&app, &v6, &t, &[]).await, "::1");
    allow(&app, json!(["::1"])).await;
    assert_eq!(get_meeting(&app, &v6, &t, &[]).await.json()["code"], 0);
    assert_denied(&get_meeting(&app, &v4, &t, &[]).await, "127.0.0.1");
    allow(&app, json!(["127.0.0.1"])).await;
    assert_eq!(get_meeting(&app, &v4, &t, &[]).await.json()["code"], 0);
}

#[tokio::test]
async fn a_remote_caller_is_named_by_its_own_address_and_forwarded_for_headers_are_ignored() {
    let Some(ip) = crate::harness::non_loopback_ip() else {
        eprintln!("skipped: this machine has no non-loopback address");
        return;
    };
    let cfg = Config {
        listen: "0.0.0.0:0".parse().unwrap(),
        no_demo: false,
        ..Config::default()
    };
    let app = TestApp::spawn_config(cfg, "").await;
    let port = app.running.addr().port();
    let (remote, local) = (
        format!("http://{ip}:{port}"),
        format!("http://127.0.0.1:{port}"),
    );
    let t = tenant_token(&app).await;
    allow(&app, json!(["127.0.0.1"])).await;
    let spoofed = [("x-forwarded-for", "127.0.0.1"), ("x-real-ip", "127.0.0.1")];
    assert_denied(
        &get_meeting(&app, &remote, &t, &spoofed).await,
        &ip.to_string(),
    );
    assert_eq!(get_meeting(&app, &local, &t, &[]).await.json()["code"], 0);
    allow(&app, json!([ip.to_string()])).await;
    assert_eq!(get_meeting(&app, &remote, &t, &[]).await.json()["code"], 0);
    let forwarded = [("x-forwarded-for", ip.to_string())];
    let forwarded: Vec<(&str, &str)> = forwarded.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_denied(
        &get_meeting(&app, &local, &t, &forwarded).await,
        "127.0.0.1",
    );
}

#[tokio::test]
async fn an_ip_denied_fault_rule_names_the_caller_unless_it_names_an_address() {
    let app = TestApp::spawn().await;
    let t = tenant_token(&app).await;
    let base = app.base.clone();
    let rule = |message: Option<&str>| {
        let mut r = json!({"name": "ip", "match": {"vendor": "feishu", "operation": "meeting.get"}, "error": "ip_denied"});
        if let Some(m) = message {
            r["error"] = json!({"code": "ip_denied", "message": m});
        }
        r
    };
    app.admin_post("/faults", rule(None)).await;
    assert_denied(&get_meeting(&app, &base, &t, &[]).await, "127.0.0.1");
    app.admin_post("/faults", rule(Some("198.51.100.4"))).await;
    assert_denied(&get_meeting(&app, &base, &t, &[]).await, "198.51.100.4");
}

#[tokio::test]
async fn the_ip_allowlist_library_file_denies_this_machine_but_issues_tokens() {
    let app = crate::faults_common::with_library("feishu-ip-allowlist.yaml").await;
    let t = tenant_token(&app).await;
    let u = user_token(&app, HOST).await;
    let base = app.base.clone();
    assert_denied(&get_meeting(&app, &base, &t, &[]).await, "127.0.0.1");
    assert_denied(
        &invite(&app, &u, LIVE, &["ou_guest_0000"]).await,
        "127.0.0.1",
    );
    allow(&app, json!(["127.0.0.1"])).await;
    assert_eq!(get_meeting(&app, &base, &t, &[]).await.json()["code"], 0);
}
