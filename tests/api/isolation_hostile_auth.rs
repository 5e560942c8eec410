//! The hostile-input catalogue, credentials and routing half: missing, garbled and expired
//! credentials, a replayed Tencent nonce, unknown paths and wrong methods under every vendor's
//! prefixes. Each is answered with the vendor's own error (status + vendor code) and changes
//! nothing.

use crate::common::{Resp, TestApp};
use crate::isolation_clients::{self as c};
use crate::isolation_hostile::{send, spawn, tenants};
use crate::isolation_panic::vendor_code;
use reqwest::Method;
use serde_json::json;

/// A harmless authenticated read of tenant A's running meeting.
fn read_target(vendor: &str) -> String {
    let a = c::side(vendor, false);
    match vendor {
        "tencent" => format!("/v1/meetings/{}?userid=host1&instanceid=1", a.run),
        "feishu" => format!("/open-apis/vc/v1/meetings/{}", a.run),
        "dingtalk" => format!("/v1.0/conference/videoConferences/{}", a.run),
        _ => format!(
            "/v1/mmc/management/conferences/confDetail?conferenceID={}",
            a.run
        ),
    }
}

/// The token header of a vendor and a fresh token of tenant A (Tencent signs instead).
async fn token(app: &TestApp, vendor: &str) -> (&'static str, String) {
    let a = c::side(vendor, false);
    match vendor {
        "feishu" => (
            "Authorization",
            format!("Bearer {}", c::feishu_user(app, &a).await.0),
        ),
        "dingtalk" => (
            "x-acs-dingtalk-access-token",
            c::dingtalk_token(app, &a).await,
        ),
        _ => ("X-Access-Token", c::huawei_login(app, &a).await.0),
    }
}

/// One credential case against the read target; `None` when the case does not apply.
async fn attempt(app: &TestApp, vendor: &str, case: &str) -> Option<Resp> {
    let target = read_target(vendor);
    let get = |h: Vec<(String, String)>| {
        let target = target.clone();
        async move { send(app, vendor, Method::GET, &target, &h, vec![]).await }
    };
    if vendor == "tencent" {
        let a = c::side(vendor, false);
        let now = c::server_secs(app).await;
        let mut h = c::tencent_headers(&a, "GET", &target, b"", now);
        match case {
            "missing" => h.retain(|(k, _)| !k.starts_with("X-TC-")),
            "garbled" => h
                .iter_mut()
                .filter(|(k, _)| k == "X-TC-Signature")
                .for_each(|(_, v)| *v = "bm90LWEtc2lnbmF0dXJl".into()),
            "expired" => h = c::tencent_headers(&a, "GET", &target, b"", now - 600),
            "replayed" => {
                let h =
                    c::tencent_headers_with(&a, "GET", &target, b"", now, "17999999999999999999");
                let first = get(h.clone()).await;
                assert_eq!(first.status, 200, "first use of the nonce: {}", first.text);
                return Some(get(h).await);
            }
            _ => return None,
        }
        return Some(get(h).await);
    }
    let (name, value) = token(app, vendor).await;
    Some(match case {
        "missing" => get(vec![]).await,
        "garbled" => {
            let bad = if vendor == "feishu" {
                "Bearer u-g@rbl3d!!".to_string()
            } else {
                "g@rbl3d!!".into()
            };
            get(vec![(name.into(), bad)]).await
        }
        "expired" => {
            let raw = value.trim_start_matches("Bearer ").to_string();
            app.admin_post("/tokens/expire", json!({ "token": raw }))
                .await;
            get(vec![(name.into(), value)]).await
        }
        _ => return None,
    })
}

/// (vendor, case, status, vendor code)
const CASES: &[(&str, &str, u16, &str)] = &[
    ("tencent", "missing", 400, "190303"),
    ("tencent", "garbled", 500, "200003"),
    ("tencent", "expired", 400, "190300"),
    ("tencent", "replayed", 400, "190301"),
    ("feishu", "missing", 400, "99991661"),
    ("feishu", "garbled", 400, "99991668"),
    ("feishu", "expired", 400, "99991677"),
    (
        "dingtalk",
        "missing",
        400,
        "AuthenticationFailed.MissingParameter",
    ),
    ("dingtalk", "garbled", 400, "InvalidAuthentication"),
    ("dingtalk", "expired", 400, "InvalidAuthentication"),
    ("huawei", "missing", 401, "USG.000000004"),
    ("huawei", "garbled", 401, "USG.000000004"),
    ("huawei", "expired", 401, "USG.000000004"),
];

#[tokio::test]
async fn missing_garbled_expired_and_replayed_credentials_get_each_vendors_own_refusal() {
    let app = spawn().await;
    let before = tenants(&app).await;
    let mut fails = Vec::new();
    for (vendor, case, status, code) in CASES {
        let r = attempt(&app, vendor, case).await.unwrap();
        let got = (r.status.as_u16(), vendor_code(vendor, &r));
        if std::env::var("ISO_DISCOVER").is_ok() {
            eprintln!(
                "DISCOVER {vendor} {case}: {got:?} {}",
                r.text.chars().take(200).collect::<String>()
            );
        }
        if (got.0, got.1.as_str()) != (*status, *code) {
            fails.push(format!(
                "{vendor} {case}: want {status} {code}, got {got:?} {}",
                r.text
            ));
        }
    }
    assert_eq!(
        tenants(&app).await,
        before,
        "refused credentials changed state"
    );
    assert!(fails.is_empty(), "{}", fails.join("\n"));
}

/// (vendor, method, path, status, vendor code): unknown paths and wrong methods.
const UNKNOWN: &[(&str, &str, &str, u16, &str)] = &[
    ("tencent", "GET", "/v1/nope", 404, "404"),
    ("tencent", "DELETE", "/v1/meetings/1", 404, "404"),
    ("feishu", "GET", "/open-apis/vc/v1/nope", 404, ""),
    (
        "feishu",
        "DELETE",
        "/open-apis/vc/v1/meetings/1/invite",
        404,
        "",
    ),
    (
        "dingtalk",
        "GET",
        "/v1.0/conference/nope",
        404,
        "InvalidAction.NotFound",
    ),
    (
        "dingtalk",
        "PATCH",
        "/v1.0/conference/videoConferences/1",
        404,
        "InvalidAction.NotFound",
    ),
    ("huawei", "GET", "/v1/mmc/nope", 404, "APIGW.0101"),
    (
        "huawei",
        "PATCH",
        "/v1/mmc/management/conferences",
        404,
        "APIGW.0101",
    ),
];

#[tokio::test]
async fn unknown_paths_and_wrong_methods_get_each_vendors_own_not_found() {
    let app = spawn().await;
    let before = tenants(&app).await;
    let mut fails = Vec::new();
    for (vendor, m, path, status, code) in UNKNOWN {
        let r = app
            .send(Method::from_bytes(m.as_bytes()).unwrap(), path, &[], "{}")
            .await;
        let got = (r.status.as_u16(), vendor_code(vendor, &r));
        if std::env::var("ISO_DISCOVER").is_ok() {
            eprintln!(
                "DISCOVER {vendor} {m} {path}: {got:?} {}",
                r.text.chars().take(200).collect::<String>()
            );
        }
        if (got.0, got.1.as_str()) != (*status, *code) {
            fails.push(format!(
                "{vendor} {m} {path}: want {status} {code}, got {got:?} {}",
                r.text
            ));
        }
    }
    let r = app.send(Method::GET, "/no/vendor/here", &[], "").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"], "not_found");
    assert_eq!(tenants(&app).await, before);
    assert!(fails.is_empty(), "{}", fails.join("\n"));
}
