//! DingTalk HTTP push as a receiver sees it: the `check_url` handshake, secrets refused when
//! malformed, the encrypted and signed body with the signature in the query (this file); the
//! events the conference API and the living invite produce, in order (`…_story.rs`); retries,
//! the failed list, faults (`…_push.rs`). The receiver is in `…_rx.rs`.

use crate::common::TestApp;
use crate::dingtalk::{self as dt, token};
use crate::events_common::{events, Receiver};
use reqwest::Method;
use serde_json::json;

#[path = "events_dingtalk_push.rs"]
mod push;
#[path = "events_dingtalk_rx.rs"]
pub mod rx;
#[path = "events_dingtalk_story.rs"]
mod story;

use rx::*;

#[tokio::test]
async fn setting_the_url_runs_check_url_and_a_python_helper_reply_verifies_it() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start(responder(Style::Python, dt::KEY)).await;
    let r = subscribe(&app, &rx.url, json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    assert_eq!(v["verification"]["state"], "verified", "{v}");
    assert_eq!(v["mode"], "webhook");
    assert_eq!(v["secrets"], json!({"aes_key": "***", "token": "***"}));
    let got = rx.wait_for(1).await;
    let g = &got[0];
    assert!(
        g.request_line
            .starts_with("POST /webhook/feishu?msg_signature="),
        "{}",
        g.request_line
    );
    let q = query(g);
    assert_eq!(q["msg_signature"], q["signature"], "both names, one value");
    assert_eq!(q["timestamp"].len(), 13, "milliseconds");
    assert!(q["nonce"].chars().all(|c| c.is_ascii_alphanumeric()));
    let body = String::from_utf8(g.body.clone()).unwrap();
    assert!(
        body.starts_with("{\"encrypt\":\"") && body.ends_with("\"}"),
        "{body}"
    );
    assert_eq!(event(g, AES, dt::KEY), json!({"EventType": "check_url"}));
}

#[tokio::test]
async fn a_java_style_reply_and_an_owner_key_of_the_corp_id_verify_too() {
    let app = TestApp::spawn().await;
    let rx = Receiver::start(responder(Style::Java, "dingmockcorp0001")).await;
    let r = subscribe(&app, &rx.url, json!({"owner_key": "dingmockcorp0001"})).await;
    assert_eq!(r.json()["verification"]["state"], "verified", "{}", r.text);
    let (_, owner) = open(AES, rx.got()[0].json()["encrypt"].as_str().unwrap());
    assert_eq!(owner, "dingmockcorp0001");
}

#[tokio::test]
async fn a_reply_that_is_not_the_encrypted_success_fails_check_url_and_says_why() {
    for (style, why) in [
        (Style::Plain, "the answer is not JSON"),
        (Style::WrongToken, "msg_signature is not sha1"),
        (Style::WrongOwner, "not the owner key \"dingmockappkey\""),
    ] {
        let app = TestApp::spawn().await;
        let rx = Receiver::start(responder(style, dt::KEY)).await;
        let r = subscribe(&app, &rx.url, json!({})).await;
        let v = r.json();
        assert_eq!(v["verification"]["state"], "failed", "{style:?}: {v}");
        let err = v["verification"]["error"].as_str().unwrap();
        assert!(
            err.contains("HTTP请求结果校验返回字段值失败") && err.contains(why),
            "{style:?}: {err}"
        );
        // A failed URL gets nothing: the conference below fires no delivery.
        let t = token(&app).await;
        dt::new_conf(&app, &t).await;
        assert_eq!(events(&app, "vendor=dingtalk").await.len(), 0);
    }
}

#[tokio::test]
async fn malformed_secrets_are_refused_naming_the_field_and_nothing_is_kept() {
    let app = TestApp::spawn().await;
    let url = "http://127.0.0.1:9/cb";
    for (extra, field, why) in [
        (
            json!({"aes_key": "tooshort"}),
            "aes_key",
            "must be 43 characters",
        ),
        (
            json!({"aes_key": format!("{}/", &AES[..42])}),
            "aes_key",
            "letters and digits",
        ),
        (
            json!({"aes_key": null}),
            "aes_key",
            "is required for DingTalk HTTP push",
        ),
        (
            json!({"token": "a!"}),
            "token",
            "3 to 32 letters and digits",
        ),
        (
            json!({"token": "x".repeat(33)}),
            "token",
            "3 to 32 letters and digits",
        ),
        (json!({"token": null}), "token", "is required"),
        (json!({"owner_key": " "}), "owner_key", "must not be empty"),
        (
            json!({"encrypt_key": "k"}),
            "encrypt_key",
            "unknown dingtalk secret field",
        ),
    ] {
        let mut body = json!({"vendor": "dingtalk", "tenant": dt::KEY, "url": url,
            "token": TOKEN, "aes_key": AES, "verify": false});
        for (k, v) in extra.as_object().unwrap() {
            if v.is_null() {
                body.as_object_mut().unwrap().remove(k);
            } else {
                body[k] = v.clone();
            }
        }
        let r = app.admin_try(Method::POST, "/subscriptions", body).await;
        assert_eq!(r.status, 400, "{extra}: {}", r.text);
        assert!(
            r.text.contains(&format!("`{field}`")) && r.text.contains(why),
            "{extra}: {}",
            r.text
        );
    }
    let subs = app.admin_get("/subscriptions?vendor=dingtalk").await.json();
    assert_eq!(subs["subscriptions"], json!([]));
    // Stream mode needs no secret; saving it wants a connected client (the console's check).
    let r = app
        .admin_try(
            Method::POST,
            "/subscriptions",
            json!({"vendor": "dingtalk", "tenant": dt::KEY, "mode": "stream"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    assert_eq!(v["verification"]["state"], "failed");
    assert_eq!(
        v["verification"]["error"],
        "no dingtalk client of dingmockappkey is connected"
    );
}
