//! Two tenants per vendor (A and B, same user ids and one shared "twin" meeting id in both) and
//! the clients that sign in and call each vendor as either tenant: the isolation matrix, the
//! secrets audit and the hostile-input catalogue build on these.

#![allow(dead_code)]

use crate::common::{Resp, TestApp};
use base64::Engine;
use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::{json, Value};
use sha2::Sha256;
use std::sync::atomic::{AtomicU64, Ordering};

/// One tenant's credentials and meetings for one vendor.
#[derive(Debug, Clone, Copy)]
pub struct Side {
    /// The tenant id (Feishu app_id, Tencent AppId, DingTalk appKey, Huawei corp id).
    pub id: &'static str,
    pub secret: &'static str,
    /// Tencent SecretId / Huawei App ID; empty elsewhere.
    pub key: &'static str,
    /// Tencent SdkId / Huawei account password; empty elsewhere.
    pub extra: &'static str,
    /// The host user (Huawei: the account).
    pub host: &'static str,
    /// A running meeting only this tenant has, and its code.
    pub run: &'static str,
    pub run_code: &'static str,
    /// A scheduled meeting only this tenant has.
    pub sched: &'static str,
    /// Chair password of this tenant's meetings (Huawei).
    pub chair: &'static str,
}

/// A meeting id both tenants of a vendor have (running in both).
pub fn twin(vendor: &str) -> &'static str {
    match vendor {
        "tencent" => "6000000000000000009",
        "feishu" => "7100000000000000009",
        "dingtalk" => "aaaaaaaaaaaaaaaaaaaa0009",
        _ => "900000009",
    }
}

/// Tenant A (`b == false`) or B of `vendor`.
#[rustfmt::skip]
pub fn side(vendor: &str, b: bool) -> Side {
    let s = |id, secret, key, extra, host, run, run_code, sched| Side {
        id, secret, key, extra, host, run, run_code, sched,
        chair: if b { "222222" } else { "111111" },
    };
    match (vendor, b) {
        ("tencent", false) => s("311000001", "isoSecretKeyA", "AKIDisoA", "31000000001", "host1", "6000000000000000001", "600000001", "6000000000000000002"),
        ("tencent", true) => s("311000002", "isoSecretKeyB", "AKIDisoB", "31000000002", "host1", "6000000000000000003", "600000003", "6000000000000000004"),
        ("feishu", false) => s("cli_iso_a", "iso_secret_a", "", "", "ou_host", "7100000000000000001", "710000001", "7100000000000000002"),
        ("feishu", true) => s("cli_iso_b", "iso_secret_b", "", "", "ou_host", "7100000000000000003", "710000003", "7100000000000000004"),
        ("dingtalk", false) => s("isoappkeya", "iso-secret-a", "", "", "union-host", "aaaaaaaaaaaaaaaaaaaa0001", "600100001", "aaaaaaaaaaaaaaaaaaaa0002"),
        ("dingtalk", true) => s("isoappkeyb", "iso-secret-b", "", "", "union-host", "aaaaaaaaaaaaaaaaaaaa0003", "600100003", "aaaaaaaaaaaaaaaaaaaa0004"),
        ("huawei", false) => s("isocorpa", "IsoAppKeyA0123456789abcdef", "isoappida0123456789", "IsoA@Passw0rd", "host@isoa", "900000001", "900000001", "900000002"),
        _ => s("isocorpb", "IsoAppKeyB0123456789abcdef", "isoappidb0123456789", "IsoB@Passw0rd", "host@isob", "900000003", "900000003", "900000004"),
    }
}

pub const VENDORS: [&str; 4] = ["tencent", "feishu", "dingtalk", "huawei"];

/// The scenario declaring both tenants of every vendor.
pub fn scenario() -> String {
    let mut out = String::from("name: isolation\ntenants:\n");
    for v in VENDORS {
        for b in [false, true] {
            let s = side(v, b);
            let creds = match v {
                "tencent" => format!("{{secret_id: {}, sdk_id: \"{}\"}}", s.key, s.extra),
                "huawei" => format!("{{app_id: {}}}", s.key),
                _ => "{}".into(),
            };
            let (guest, pw) = match v {
                "huawei" => (
                    format!("guest@{}", &s.id[3..]),
                    format!(", password: \"{}\"", s.extra),
                ),
                "dingtalk" => ("union-guest".to_string(), String::new()),
                "feishu" => ("ou_guest".to_string(), String::new()),
                _ => ("guest1".to_string(), String::new()),
            };
            let extra = format!(
                "{{chairPassword: \"{}\", guestPassword: \"333333\"}}",
                s.chair
            );
            let tw = twin(v);
            let twin_code = if b { "700000092" } else { "700000091" };
            let sched_code = &format!("{}9", &s.run_code[..8]);
            out.push_str(&format!(
                "  - vendor: {v}\n    id: \"{id}\"\n    secret: \"{sec}\"\n    credentials: {creds}\n    users:\n      - {{id: \"{host}\", name: Host, aliases: {{user_id: hostalias, userId: hoststaff}}{pw}}}\n      - {{id: \"{guest}\", name: Guest}}\n    meetings:\n      - {{id: \"{run}\", code: \"{rc}\", topic: Run, host: \"{host}\", state: in_progress, participants: [\"{host}\", \"{guest}\"], extra: {extra}}}\n      - {{id: \"{sched}\", code: \"{sc}\", topic: Sched, host: \"{host}\", state: scheduled, start_time: 1893484800, end_time: 1893488400, extra: {extra}}}\n      - {{id: \"{tw}\", code: \"{tc}\", topic: Twin, host: \"{host}\", state: in_progress, participants: [\"{host}\", \"{guest}\"], extra: {extra}}}\n",
                id = s.id, sec = s.secret, host = s.host, run = s.run, rc = s.run_code,
                sched = s.sched, sc = sched_code, tc = twin_code,
            ));
        }
    }
    out
}

/// A server with both tenants of every vendor and no demo data.
pub async fn spawn() -> TestApp {
    TestApp::spawn_with(&scenario()).await
}

/// The guest user of a tenant.
pub fn guest(vendor: &str, s: &Side) -> String {
    match vendor {
        "huawei" => format!("guest@{}", &s.id[3..]),
        "dingtalk" => "union-guest".into(),
        "feishu" => "ou_guest".into(),
        _ => "guest1".into(),
    }
}

// ---------- Feishu ----------

pub async fn feishu_token(app: &TestApp, s: &Side, kind: &str) -> String {
    let path = format!("/open-apis/auth/v3/{kind}_access_token/internal");
    let r = app
        .send_json(
            Method::POST,
            &path,
            &[],
            &json!({"app_id": s.id, "app_secret": s.secret}),
        )
        .await;
    r.json()[format!("{kind}_access_token")]
        .as_str()
        .unwrap_or_else(|| panic!("{kind} token: {}", r.text))
        .to_string()
}

pub async fn feishu_code(app: &TestApp, s: &Side) -> String {
    let v = app
        .admin_post(
            "/vendors/feishu/login_code",
            json!({"app_id": s.id, "user": s.host}),
        )
        .await;
    v["code"].as_str().unwrap().to_string()
}

/// A user access token of the host and its refresh token.
pub async fn feishu_user(app: &TestApp, s: &Side) -> (String, String) {
    let code = feishu_code(app, s).await;
    let at = feishu_token(app, s, "app").await;
    let r = app
        .send_json(
            Method::POST,
            "/open-apis/authen/v1/oidc/access_token",
            &[("authorization", &format!("Bearer {at}"))],
            &json!({"grant_type": "authorization_code", "code": code}),
        )
        .await;
    let d = &r.json()["data"];
    let get = |k: &str| {
        d[k].as_str()
            .unwrap_or_else(|| panic!("{}", r.text))
            .to_string()
    };
    (get("access_token"), get("refresh_token"))
}

// ---------- DingTalk ----------

pub async fn dingtalk_token(app: &TestApp, s: &Side) -> String {
    let r = app
        .send_json(
            Method::POST,
            "/v1.0/oauth2/accessToken",
            &[],
            &json!({"appKey": s.id, "appSecret": s.secret}),
        )
        .await;
    r.json()["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", r.text))
        .to_string()
}

// ---------- Huawei ----------

pub fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

pub fn basic(account: &str, password: &str) -> String {
    format!("Basic {}", b64(&format!("{account}:{password}")))
}

/// Logs the host in with account and password: (access token, refresh token).
pub async fn huawei_login(app: &TestApp, s: &Side) -> (String, String) {
    let r = app
        .send(
            Method::POST,
            "/v1/usg/acs/auth/account",
            &[
                ("Authorization", &basic(s.host, s.extra)),
                ("Content-Type", "application/json"),
            ],
            json!({"account": s.host, "clientType": 72}).to_string(),
        )
        .await;
    let v = r.json();
    let get = |k: &str| {
        v[k].as_str()
            .unwrap_or_else(|| panic!("{}", r.text))
            .to_string()
    };
    (get("accessToken"), get("refreshToken"))
}

/// A conference control token for `conf` (chair password of `s`).
pub async fn huawei_conf_token(app: &TestApp, s: &Side, at: &str, conf: &str) -> String {
    let r = app
        .send(
            Method::GET,
            &format!("/v1/mmc/control/conferences/token?conferenceID={conf}"),
            &[
                ("X-Access-Token", at),
                ("X-Password", s.chair),
                ("X-Login-Type", "1"),
            ],
            "",
        )
        .await;
    r.json()["data"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", r.text))
        .to_string()
}

/// The App-ID login signature header (`HMAC-SHA256 signature=<hex>,access=<b64 app id>`).
pub fn huawei_app_auth(app_id: &str, key: &str, user: &str, expire: i64, nonce: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(format!("{app_id}:{user}:{expire}:{nonce}").as_bytes());
    let sig: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("HMAC-SHA256 signature={sig},access={}", b64(app_id))
}

// ---------- Tencent ----------

static NONCE: AtomicU64 = AtomicU64::new(17_100_000_000_000_000_000);

/// The server clock in seconds.
pub async fn server_secs(app: &TestApp) -> i64 {
    app.admin_get("/clock").await.json()["now_ms"]
        .as_i64()
        .unwrap()
        / 1000
}

/// The Tencent headers of a request signed as `s` (fresh nonce), plus the signature itself.
pub fn tencent_headers(
    s: &Side,
    method: &str,
    target: &str,
    body: &[u8],
    ts: i64,
) -> Vec<(String, String)> {
    let nonce = NONCE.fetch_add(1, Ordering::Relaxed).to_string();
    tencent_headers_with(s, method, target, body, ts, &nonce)
}

pub fn tencent_headers_with(
    s: &Side,
    method: &str,
    target: &str,
    body: &[u8],
    ts: i64,
    nonce: &str,
) -> Vec<(String, String)> {
    let mut mac = Hmac::<Sha256>::new_from_slice(s.secret.as_bytes()).unwrap();
    mac.update(
        format!(
            "{method}\nX-TC-Key={}&X-TC-Nonce={nonce}&X-TC-Timestamp={ts}\n{target}\n",
            s.key
        )
        .as_bytes(),
    );
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let sig = base64::engine::general_purpose::STANDARD.encode(hex);
    [
        ("X-TC-Key", s.key),
        ("X-TC-Timestamp", &ts.to_string()),
        ("X-TC-Nonce", nonce),
        ("X-TC-Signature", &sig),
        ("X-TC-Registered", "1"),
        ("AppId", s.id),
        ("SdkId", s.extra),
        ("Content-Type", "application/json"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// Sends a request with owned headers.
pub async fn send(
    app: &TestApp,
    m: Method,
    target: &str,
    headers: &[(String, String)],
    body: Vec<u8>,
) -> Resp {
    let h: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    app.send(m, target, &h, body).await
}

/// A Tencent call signed as `s`.
pub async fn tencent(app: &TestApp, s: &Side, m: Method, target: &str, body: &Value) -> Resp {
    let b = if body.is_null() {
        Vec::new()
    } else {
        body.to_string().into_bytes()
    };
    let ts = server_secs(app).await;
    let h = tencent_headers(s, m.as_str(), target, &b, ts);
    send(app, m, target, &h, b).await
}
