//! Huawei push configuration (SetWebHookConfig, ShowWebHookConfig, UpdateWebHookConfigStatus,
//! DeleteWebHookConfig): HTTPS only, disabled until enabled, enabling sends `meeting.verify` and
//! succeeds only on the documented echo, errors with the vendor envelope.

use crate::huawei::assert_err;
use crate::huawei_push::*;
use reqwest::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn set_show_enable_disable_and_delete_follow_the_documented_flow() {
    let (hw, rx, dir) = https_setup(docs_receiver(KEY)).await;
    let at = hw.login().await;
    assert_eq!(show_config(&hw, &at).await, json!({}), "nothing configured");
    let body =
        json!({"corpId": TENANT, "subscriberId": SUBSCRIBER, "subscriberKey": KEY, "url": rx.url});
    let r = set_config(&hw, &at, body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.text, "", "no response fields");
    let shown = show_config(&hw, &at).await;
    let id = shown["id"].as_str().unwrap().to_string();
    assert!(id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(shown["subscriberId"], SUBSCRIBER);
    assert_eq!(shown["url"], rx.url.as_str());
    assert_eq!(shown["status"], 1, "a new configuration is disabled");
    assert!(
        shown.get("subscriberKey").is_none(),
        "the key is never shown"
    );
    assert!(rx.got().is_empty(), "setting sends nothing");

    let r = set_status(&hw, &at, &id, "0").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let got = rx.wait_for(1).await;
    let v = verified(KEY, &got[0].body).expect("the verify request is signed");
    assert_eq!(v["appID"], SUBSCRIBER);
    assert_eq!(
        v["eventInfo"],
        json!({"event": "meeting.verify", "timestamp": v["timestamp"]})
    );
    assert_eq!(v["nonce"].as_str().unwrap().len(), 8);
    assert!(v["timestamp"].as_i64().unwrap() > 1_000_000_000_000, "ms");
    assert!(got[0].request_line.starts_with("POST /webhook/feishu "));
    assert_eq!(
        header(&got[0], "content-type"),
        Some("application/json;charset=UTF-8")
    );
    let rid = header(&got[0], "x-request-id").unwrap();
    assert!(rid.len() == 32 && rid.bytes().all(|b| b.is_ascii_hexdigit()));
    assert!(header(&got[0], "date").unwrap().ends_with(" GMT"));
    assert_eq!(show_config(&hw, &at).await["status"], 0);

    let r = set_status(&hw, &at, &id, "0").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        rx.got().len(),
        1,
        "enabling an enabled one sends no new verify"
    );
    for s in ["2", "1"] {
        let r = set_status(&hw, &at, &id, s).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(
            show_config(&hw, &at).await["status"],
            s.parse::<i64>().unwrap()
        );
    }
    let r = hw
        .at(
            Method::DELETE,
            &format!("/v1/mmc/management/webhook/link-config?id={id}"),
            &at,
            "",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(show_config(&hw, &at).await, json!({}));
    let r = set_status(&hw, &at, &id, "0").await;
    assert_err(&r, 400, "MMC.111070005", "CONF_DATA_NOT_FOUND");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_callback_that_is_not_https_or_a_missing_field_is_refused_and_sets_nothing() {
    let (hw, rx, dir) = https_setup(docs_receiver(KEY)).await;
    let at = hw.login().await;
    let http = rx.url.replacen("https://", "http://", 1);
    let base = json!({"subscriberId": SUBSCRIBER, "subscriberKey": KEY, "url": rx.url});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    for body in [
        with("url", json!(http)),
        with("url", json!("ftp://127.0.0.1/x")),
        with("url", json!("https://")),
        with("url", json!("not a url")),
        with("url", Value::Null),
        with("subscriberKey", json!("")),
        with("subscriberId", Value::Null),
    ] {
        let r = set_config(&hw, &at, body.clone()).await;
        assert_err(&r, 400, "MMC.111070001", "CONF_BAD_REQUEST");
    }
    let r = hw
        .at(
            Method::POST,
            "/v1/mmc/management/webhook/link-config",
            &at,
            "{not json",
        )
        .await;
    assert_err(&r, 400, "MMC.111070001", "CONF_BAD_REQUEST");
    assert_eq!(show_config(&hw, &at).await, json!({}));
    assert!(rx.got().is_empty());
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn enabling_fails_without_the_echo_and_the_configuration_stays_disabled_and_silent() {
    let (hw, rx, dir) = https_setup(wrong_nonce()).await;
    let at = hw.login().await;
    let body = json!({"subscriberId": SUBSCRIBER, "subscriberKey": KEY, "url": rx.url});
    assert_eq!(set_config(&hw, &at, body).await.status, 200);
    let id = show_config(&hw, &at).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = set_status(&hw, &at, &id, "0").await;
    assert_err(&r, 500, "MMC.100000501", "WEBHOOK_VERIFY_FAILED");
    assert_eq!(rx.got().len(), 1, "the verify was sent");
    assert_eq!(show_config(&hw, &at).await["status"], 1);
    let s = hw
        .app
        .admin_get(&format!("/subscriptions/{id}"))
        .await
        .json();
    assert_eq!(s["verification"]["state"], "failed");
    let why = s["verification"]["error"].as_str().unwrap();
    assert!(
        why.contains("meeting.verify") && why.contains("nonce"),
        "{why}"
    );
    assert_eq!(s["secrets"]["subscriberKey"], "***");
    assert_eq!(s["settings"]["subscriberId"], SUBSCRIBER);
    // A meeting change now pushes nothing.
    hw.app
        .admin_post(
            "/meetings/914673889/join",
            json!({"vendor": "huawei", "user": "alice@hwcorp"}),
        )
        .await;
    let events = hw.app.admin_get("/events?vendor=huawei").await.json();
    assert_eq!(events["events"], json!([]), "{events}");
    // The receiver fixed, enabling passes.
    rx.set_default(docs_receiver(KEY));
    let r = set_status(&hw, &at, &id, "0").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(show_config(&hw, &at).await["status"], 0);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn an_unreachable_callback_fails_enabling_with_the_reason_in_the_admin_view() {
    let (hw, rx, dir) = https_setup(docs_receiver(KEY)).await;
    let at = hw.login().await;
    let body =
        json!({"subscriberId": SUBSCRIBER, "subscriberKey": KEY, "url": "https://127.0.0.1:1/cb"});
    assert_eq!(set_config(&hw, &at, body).await.status, 200);
    let id = show_config(&hw, &at).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = set_status(&hw, &at, &id, "0").await;
    assert_err(&r, 500, "MMC.100000501", "WEBHOOK_VERIFY_FAILED");
    let s = hw
        .app
        .admin_get(&format!("/subscriptions/{id}"))
        .await
        .json();
    assert!(
        s["verification"]["error"]
            .as_str()
            .unwrap()
            .contains("connect"),
        "{s}"
    );
    drop(rx);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn status_and_id_are_checked_and_other_enterprises_configs_are_invisible() {
    let (hw, rx, dir) = https_setup(docs_receiver(KEY)).await;
    let at = hw.login().await;
    let id = configure(&hw, &at, &rx.url).await;
    for (q, code, msg) in [
        (
            format!("id={id}&status=3"),
            "MMC.111070001",
            "CONF_BAD_REQUEST",
        ),
        (format!("id={id}"), "MMC.111070001", "CONF_BAD_REQUEST"),
        ("status=1".to_string(), "MMC.111070001", "CONF_BAD_REQUEST"),
        (
            "id=00000000000000000000000000000000&status=1".to_string(),
            "MMC.111070005",
            "CONF_DATA_NOT_FOUND",
        ),
    ] {
        let r = hw
            .at(
                Method::PUT,
                &format!("/v1/mmc/management/webhook/change-status?{q}"),
                &at,
                "",
            )
            .await;
        assert_err(&r, 400, code, msg);
    }
    // Another enterprise (a trust-on-first-use account) sees nothing and cannot touch it.
    let other = {
        let auth = format!(
            "Basic {}",
            crate::huawei::b64("someone@elsewhere:Else@Passw0rd")
        );
        let r = hw
            .call(
                Method::POST,
                "/v1/usg/acs/auth/account",
                &[("Authorization", &auth)],
                r#"{"account": "someone@elsewhere", "clientType": 72}"#,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.json()["accessToken"].as_str().unwrap().to_string()
    };
    assert_eq!(show_config(&hw, &other).await, json!({}));
    let r = set_status(&hw, &other, &id, "1").await;
    assert_err(&r, 400, "MMC.111070005", "CONF_DATA_NOT_FOUND");
    let r = hw
        .at(
            Method::DELETE,
            &format!("/v1/mmc/management/webhook/link-config?id={id}"),
            &other,
            "",
        )
        .await;
    assert_err(&r, 400, "MMC.111070005", "CONF_DATA_NOT_FOUND");
    assert_eq!(show_config(&hw, &at).await["status"], 0);
    // Without an access token: the USG token error.
    let r = hw
        .call(
            Method::GET,
            "/v1/mmc/management/webhook/link-config",
            &[],
            "",
        )
        .await;
    assert_err(
        &r,
        401,
        "USG.000000004",
        "The token is invalid or has expired.",
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn setting_a_new_url_again_keeps_the_id_and_needs_enabling_again() {
    let (hw, rx, dir) = https_setup(docs_receiver(KEY)).await;
    let at = hw.login().await;
    let id = configure(&hw, &at, &rx.url).await;
    let same = json!({"subscriberId": SUBSCRIBER, "subscriberKey": KEY, "url": rx.url});
    assert_eq!(set_config(&hw, &at, same).await.status, 200);
    assert_eq!(show_config(&hw, &at).await["status"], 0, "nothing changed");
    let moved = format!("{}/v2", rx.url);
    let body = json!({"subscriberId": SUBSCRIBER, "subscriberKey": KEY, "url": moved});
    assert_eq!(set_config(&hw, &at, body).await.status, 200);
    let shown = show_config(&hw, &at).await;
    assert_eq!(shown["id"], id.as_str());
    assert_eq!(shown["url"], moved.as_str());
    assert_eq!(shown["status"], 1);
    let subs = hw
        .app
        .admin_get("/subscriptions?vendor=huawei")
        .await
        .json();
    assert_eq!(subs["subscriptions"].as_array().unwrap().len(), 1);
    assert_eq!(subs["subscriptions"][0]["origin"], "vendor");
    let _ = std::fs::remove_dir_all(dir);
}
