//! The hostile-input catalogue, table-driven per vendor: malformed JSON, wrong types, missing
//! and extra-only fields, empty and oversized bodies, invalid UTF-8, 100k-element arrays,
//! 10k-deep nesting, duplicate keys, unknown paths and methods, missing / garbled / expired
//! credentials, replayed Tencent nonces. Each is answered with the vendor's own error (status
//! and vendor code asserted) and changes nothing; the server answers normally afterwards.

use crate::common::{Resp, TestApp};
use crate::isolation_clients::{self as c};
use crate::isolation_panic::vendor_code;
use meetmock::config::Config;
use reqwest::Method;
use std::collections::BTreeMap;

/// The request limit of these servers, so "oversized" stays cheap.
const MAX_BODY: usize = 6 * 1024 * 1024;

pub(crate) async fn spawn() -> TestApp {
    let cfg = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        no_demo: true,
        max_body_bytes: MAX_BODY,
        ..Config::default()
    };
    TestApp::spawn_config(cfg, &c::scenario()).await
}

/// The body-taking endpoint each vendor is attacked through: (method, target).
fn endpoint(vendor: &str) -> (Method, String) {
    let a = c::side(vendor, false);
    match vendor {
        "tencent" => (Method::PUT, format!("/v1/meetings/{}/invitees", a.run)),
        "feishu" => (
            Method::PATCH,
            format!("/open-apis/vc/v1/meetings/{}/invite", a.run),
        ),
        "dingtalk" => (
            Method::POST,
            format!("/v1.0/conference/videoConferences/{}/users/invite", a.run),
        ),
        _ => (
            Method::POST,
            format!(
                "/v1/mmc/control/conferences/participants?conferenceID={}",
                a.run
            ),
        ),
    }
}

/// Tenant A's valid credentials for `endpoint(vendor)` carrying `body`.
pub(crate) async fn creds(
    app: &TestApp,
    vendor: &str,
    m: &Method,
    target: &str,
    body: &[u8],
) -> Vec<(String, String)> {
    let a = c::side(vendor, false);
    match vendor {
        "tencent" => c::tencent_headers(&a, m.as_str(), target, body, c::server_secs(app).await),
        "feishu" => vec![(
            "Authorization".into(),
            format!("Bearer {}", c::feishu_user(app, &a).await.0),
        )],
        "dingtalk" => vec![(
            "x-acs-dingtalk-access-token".into(),
            c::dingtalk_token(app, &a).await,
        )],
        _ => {
            let at = c::huawei_login(app, &a).await.0;
            let ct = c::huawei_conf_token(app, &a, &at, a.run).await;
            vec![
                ("X-Access-Token".into(), at),
                ("X-Conference-Authorization".into(), ct),
            ]
        }
    }
}

pub(crate) async fn tenants(app: &TestApp) -> BTreeMap<String, serde_json::Value> {
    let s = app.admin_get("/state").await.json();
    s["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (format!("{}/{}", t["vendor"], t["id"]), t.clone()))
        .collect()
}

fn nested(key: &str, depth: usize) -> Vec<u8> {
    let mut v = Vec::with_capacity(depth * 2 + 16);
    v.extend_from_slice(format!("{{\"{key}\":").as_bytes());
    v.extend(std::iter::repeat_n(b'[', depth));
    v.extend(std::iter::repeat_n(b']', depth));
    v.push(b'}');
    v
}

/// (name, body) of every hostile body.
fn bodies(vendor: &str) -> Vec<(&'static str, Vec<u8>)> {
    let list_key = match vendor {
        "tencent" | "feishu" => "invitees",
        "dingtalk" => "inviteeList",
        _ => "attendees",
    };
    // 100k entries the vendor's own rules refuse: its list cap (Tencent 2000, Feishu 10), or,
    // where no cap is documented, an unknown user (DingTalk) or a nameless attendee (Huawei).
    let (item, wrap) = match vendor {
        "tencent" => (
            r#"{"userid":"guest1"}"#,
            r#""userid":"host1","instanceid":1,"#,
        ),
        "feishu" => (r#"{"id":"ou_guest","user_type":1}"#, ""),
        "dingtalk" => (r#"{"unionId":"nobody-xyz","nick":"G"}"#, ""),
        _ => (r#"{"phone":"+8613800000009"}"#, ""),
    };
    let huge: String = std::iter::repeat_n(item, 100_000)
        .collect::<Vec<_>>()
        .join(",");
    vec![
        ("malformed JSON", br#"{"invitees": [ {"id": "#.to_vec()),
        (
            "wrong type",
            format!(r#"{{"{list_key}": "not a list"}}"#).into_bytes(),
        ),
        (
            "wrong element type",
            format!(r#"{{"{list_key}": [1, true, null]}}"#).into_bytes(),
        ),
        ("missing fields", b"{}".to_vec()),
        ("only unknown fields", br#"{"zzz": 1, "yyy": [1]}"#.to_vec()),
        ("JSON array instead of object", b"[1,2,3]".to_vec()),
        ("empty body", Vec::new()),
        (
            "invalid UTF-8",
            b"{\"invitees\": [\"\xff\xfe\xfd\"]}".to_vec(),
        ),
        (
            "100k-element array",
            format!(r#"{{{wrap}"{list_key}": [{huge}]}}"#).into_bytes(),
        ),
        ("10k-deep nesting", nested(list_key, 10_000)),
        ("10k-deep unknown field", nested("zzz", 10_000)),
        (
            "duplicate keys",
            format!(r#"{{"{list_key}": "x", "{list_key}": "y"}}"#).into_bytes(),
        ),
        ("NUL bytes", b"\0\0\0\0".to_vec()),
        ("oversized body", vec![b' '; MAX_BODY + 1]),
    ]
}

/// Each vendor's answer to a body it cannot use: (status, vendor code).
fn param_error(vendor: &str, name: &str) -> (u16, &'static str) {
    match (vendor, name) {
        ("tencent", _) => (400, "190004"),
        ("feishu", _) => (400, "121003"),
        ("dingtalk", "100k-element array") => (400, "unknownUserError"),
        // The gateway refuses a missing body before the service sees it.
        ("dingtalk", "empty body") => (400, "Missingbody"),
        ("dingtalk", _) => (400, "paramsError"),
        (_, "oversized body") => (413, "APIGW.0201"),
        (_, "100k-element array") => (400, "MMC.111072046"),
        (_, "missing fields" | "only unknown fields" | "JSON array instead of object")
        | (_, "empty body") => (400, "MMC.111072057"),
        _ => (400, "MMC.111070001"),
    }
}

pub(crate) async fn send(
    app: &TestApp,
    vendor: &str,
    m: Method,
    target: &str,
    h: &[(String, String)],
    body: Vec<u8>,
) -> Resp {
    let mut h = h.to_vec();
    if !h
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
    {
        h.push(("Content-Type".into(), "application/json".into()));
    }
    let _ = vendor;
    c::send(app, m, target, &h, body).await
}

/// Sends every hostile body with valid credentials; returns the failures.
async fn hostile_bodies(vendor: &str) -> Vec<String> {
    let app = spawn().await;
    let (m, target) = endpoint(vendor);
    let before = tenants(&app).await;
    let mut fails = Vec::new();
    for (name, body) in bodies(vendor) {
        let h = creds(&app, vendor, &m, &target, &body).await;
        let r = send(&app, vendor, m.clone(), &target, &h, body).await;
        let want = param_error(vendor, name);
        let got = (r.status.as_u16(), vendor_code(vendor, &r));
        if std::env::var("ISO_DISCOVER").is_ok() {
            eprintln!(
                "DISCOVER {vendor} {name}: {got:?} {}",
                r.text.chars().take(200).collect::<String>()
            );
        }
        if (got.0, got.1.as_str()) != want {
            fails.push(format!(
                "{name}: want {want:?}, got {got:?} {}",
                r.text.chars().take(300).collect::<String>()
            ));
        }
    }
    if tenants(&app).await != before {
        fails.push("state changed".into());
    }
    // Still serving: a valid call goes through.
    let ok = valid_call(&app, vendor).await;
    if !ok.status.is_success() {
        fails.push(format!(
            "valid call after the catalogue: {} {}",
            ok.status, ok.text
        ));
    }
    fails
}

/// A harmless authenticated read as tenant A.
pub(crate) async fn valid_call(app: &TestApp, vendor: &str) -> Resp {
    let a = c::side(vendor, false);
    let target = match vendor {
        "tencent" => format!("/v1/meetings/{}?userid=host1&instanceid=1", a.run),
        "feishu" => format!("/open-apis/vc/v1/meetings/{}", a.run),
        "dingtalk" => format!("/v1.0/conference/videoConferences/{}", a.run),
        _ => format!(
            "/v1/mmc/control/conferences/realTimeInfo?conferenceID={}",
            a.run
        ),
    };
    let h = creds(app, vendor, &Method::GET, &target, b"").await;
    send(app, vendor, Method::GET, &target, &h, Vec::new()).await
}

#[tokio::test]
async fn tencent_answers_every_hostile_body_with_its_param_error() {
    let f = hostile_bodies("tencent").await;
    assert!(f.is_empty(), "{}", f.join("\n"));
}

#[tokio::test]
async fn feishu_answers_every_hostile_body_with_its_param_error() {
    let f = hostile_bodies("feishu").await;
    assert!(f.is_empty(), "{}", f.join("\n"));
}

#[tokio::test]
async fn dingtalk_answers_every_hostile_body_with_its_param_error() {
    let f = hostile_bodies("dingtalk").await;
    assert!(f.is_empty(), "{}", f.join("\n"));
}

#[tokio::test]
async fn huawei_answers_every_hostile_body_with_its_param_error() {
    let f = hostile_bodies("huawei").await;
    assert!(f.is_empty(), "{}", f.join("\n"));
}
