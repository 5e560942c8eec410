//! Huawei logins and tokens: account login (Basic header), App-ID login (HMAC signature),
//! and CheckToken / UpdateToken / DeleteToken.

use crate::common::Resp;
use crate::huawei::{assert_err, b64, Hw, ACCOUNT, APP_ID, APP_KEY, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn account_login_over_tls_returns_a_token_valid_for_at_least_twelve_hours() {
    let hw = Hw::new(true).await;
    let auth = format!("Basic {}", b64(&format!("{ACCOUNT}:{PASSWORD}")));
    let r = hw
        .call(
            Method::POST,
            "/v1/usg/acs/auth/account",
            &[("Authorization", &auth)],
            r#"{"account": "demo@hwcorp", "clientType": 72}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert!(v["validPeriod"].as_i64().unwrap() >= 43_200);
    assert!(v["accessToken"].as_str().unwrap().starts_with("stb"));
    assert_eq!(v["user"]["companyId"], "hwcorp0001");
    assert_eq!(r.header("x-request-id").map(str::len), Some(32));
    hw.app.advance_secs(12.0 * 3600.0 + 60.0).await;
    let token = v["accessToken"].as_str().unwrap();
    let r = hw
        .at(Method::GET, "/v1/mmc/management/conferences", token, "")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn a_wrong_password_is_refused_with_401_and_a_usg_code() {
    let hw = Hw::new(false).await;
    let auth = format!("Basic {}", b64(&format!("{ACCOUNT}:wrong")));
    let r = hw
        .call(
            Method::POST,
            "/v1/usg/acs/auth/account",
            &[("Authorization", &auth)],
            "{}",
        )
        .await;
    assert_err(
        &r,
        401,
        "USG.201010001",
        "The account or password is incorrect.",
    );
}

#[tokio::test]
async fn broken_basic_headers_and_bodies_get_the_usg_parameter_error() {
    let hw = Hw::new(false).await;
    for (h, body) in [
        ("Basic %%%notbase64", "{}"),
        ("Basic", "{}"),
        ("Bearer x", "{}"),
    ] {
        let r = hw
            .call(
                Method::POST,
                "/v1/usg/acs/auth/account",
                &[("Authorization", h)],
                body,
            )
            .await;
        assert_err(
            &r,
            400,
            "USG.000000001",
            "The request parameter is invalid.",
        );
    }
    let auth = format!("Basic {}", b64(&format!("{ACCOUNT}:{PASSWORD}")));
    let r = hw
        .call(
            Method::POST,
            "/v1/usg/acs/auth/account",
            &[("Authorization", &auth)],
            "not json",
        )
        .await;
    assert_err(
        &r,
        400,
        "USG.000000001",
        "The request parameter is invalid.",
    );
}

fn sign(key: &str, data: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(data.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

async fn appauth(hw: &Hw, key: &str, expire: i64) -> Resp {
    let nonce = "2e9d3f47-9891-4a6e-8614-30fdf383cee8";
    let sig = sign(key, &format!("{APP_ID}:thirduser01:{expire}:{nonce}"));
    let auth = format!("HMAC-SHA256 signature={sig},access={}", b64(APP_ID));
    let body = json!({"appId": APP_ID, "userId": "thirduser01", "corpId": null, "expireTime": expire, "nonce": nonce, "clientType": 72, "deptCode": null});
    hw.call(
        Method::POST,
        "/v2/usg/acs/auth/appauth",
        &[("Authorization", &auth)],
        &body.to_string(),
    )
    .await
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test]
async fn app_id_login_accepts_the_sdk_signature_with_null_fields() {
    let hw = Hw::new(true).await;
    let r = appauth(&hw, APP_KEY, now_secs() + 600).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let token = r.json()["accessToken"].as_str().unwrap().to_string();
    let r = hw
        .at(
            Method::GET,
            "/v1/mmc/management/conferences?queryAll=true",
            &token,
            "",
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["count"], 2);
}

#[tokio::test]
async fn app_id_login_with_a_bad_signature_or_past_expiry_is_refused() {
    let hw = Hw::new(false).await;
    let r = appauth(&hw, "not-the-key", now_secs() + 600).await;
    assert_err(&r, 401, "USG.201010025", "App ID authentication failed.");
    let r = appauth(&hw, APP_KEY, now_secs() - 10).await;
    assert_err(
        &r,
        401,
        "USG.201010057",
        "App ID authentication has expired.",
    );
}

#[tokio::test]
async fn check_update_and_delete_token_follow_the_token_lifecycle() {
    let hw = Hw::new(false).await;
    let at = hw.login().await;
    let r = hw
        .at(
            Method::POST,
            "/v1/usg/acs/token/validate",
            &at,
            &json!({"token": at, "needGenNewToken": false}).to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["accessToken"], at.as_str());
    let r = hw
        .at(
            Method::POST,
            "/v1/usg/acs/token/validate",
            &at,
            r#"{"token": "stbX", "needGenNewToken": false}"#,
        )
        .await;
    assert_err(
        &r,
        401,
        "USG.000000004",
        "The token is invalid or has expired.",
    );
    let r = hw.at(Method::PUT, "/v1/usg/acs/token", &at, "").await;
    assert_eq!(r.status, StatusCode::OK);
    let newer = r.json()["accessToken"].as_str().unwrap().to_string();
    assert_ne!(newer, at);
    let r = hw.at(Method::DELETE, "/v1/usg/acs/token", &at, "").await;
    assert_eq!(r.status, StatusCode::OK);
    let r = hw
        .at(Method::GET, "/v1/mmc/management/conferences", &at, "")
        .await;
    assert_err(
        &r,
        401,
        "USG.000000004",
        "The token is invalid or has expired.",
    );
    let r = hw
        .at(Method::GET, "/v1/mmc/management/conferences", &newer, "")
        .await;
    assert_eq!(r.status, StatusCode::OK);
}
