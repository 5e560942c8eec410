//! Subscriptions and the outbox in `GET/PUT /__admin/state` (and so `--state-file`), and
//! receivers over HTTPS with their own CA (per subscription, or `--events-ca`).

use crate::common::TestApp;
use crate::events_common::*;
use reqwest::Method;
use serde_json::json;
use std::sync::Arc;

#[tokio::test]
async fn state_export_and_import_round_trip_subscriptions_and_the_outbox() {
    let a = TestApp::spawn().await;
    let rx = Receiver::start(Answer::Status(500)).await;
    subscribe(
        &a,
        &rx.url,
        Some(EK),
        json!({"types": ["vc.meeting.join_meeting_v1"]}),
    )
    .await;
    meeting(&a, LIVE, "join", Some("ou_guest_0001")).await;
    meeting(&a, LIVE, "join", Some("ou_guest_0002")).await;
    let first = events(&a, "").await.last().unwrap()["id"].as_u64().unwrap();
    wait_delivery(&a, first, "pending", 1).await;
    let state = a.admin_get("/state").await.json();
    let sub = &state["subscriptions"][0];
    assert_eq!(
        sub["secrets"]["encrypt_key"], EK,
        "the state file keeps secrets whole"
    );
    let out = state["outbox"]["deliveries"].as_array().unwrap();
    assert_eq!(out.len(), 2);
    assert_eq!(out[0]["failures"], 1);
    assert!(out[0]["next_at_ms"].is_i64());
    let event_id = out[0]["event_id"].clone();

    let b = TestApp::spawn().await;
    let r = b.admin_try(Method::PUT, "/state", state.clone()).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let again = b.admin_get("/state").await.json();
    assert_eq!(again["subscriptions"], state["subscriptions"]);
    assert_eq!(again["outbox"], state["outbox"]);
    rx.set_default(Answer::Ok);
    b.advance_secs(15.0).await;
    let got = rx.wait_for(3).await;
    assert_eq!(got[1].event(Some(EK))["header"]["event_id"], event_id);
    assert_eq!(
        got[2].event(Some(EK))["event"]["operator"]["id"]["open_id"],
        "ou_guest_0002"
    );
    let d = wait_delivery(&b, first, "delivered", 2).await;
    assert_eq!(
        d["event_id"], event_id,
        "same delivery id and event id after the import"
    );
}

#[tokio::test]
async fn an_import_with_an_invalid_subscription_or_orphan_delivery_changes_nothing() {
    let app = TestApp::spawn().await;
    subscribe(&app, "http://127.0.0.1:9/x", None, json!({"paused": true})).await;
    meeting(&app, LIVE, "join", Some("ou_guest_0001")).await;
    let state = app.admin_get("/state").await.json();
    let mut bad = state.clone();
    bad["subscriptions"][0]["url"] = json!("nope");
    let r = app.admin_try(Method::PUT, "/state", bad).await;
    assert_eq!(r.status, 400);
    assert!(r.text.contains("`url`"), "{}", r.text);
    let mut orphan = state.clone();
    orphan["subscriptions"] = json!([]);
    let r = app.admin_try(Method::PUT, "/state", orphan).await;
    assert_eq!(r.status, 400);
    assert!(r.text.contains("no subscription"), "{}", r.text);
    assert_eq!(app.admin_get("/state").await.json(), state);
}

#[tokio::test]
async fn a_subscription_imported_mid_handshake_gets_its_handshake_from_the_worker() {
    // A state saved while a handshake ran comes back `pending` and the engine verifies it —
    // the same path a vendor's own config endpoint takes (it stores `pending`).
    let app = TestApp::spawn().await;
    let rx = Receiver::start(Answer::Challenge(None)).await;
    let mut state = app.admin_get("/state").await.json();
    state["subscriptions"] = json!([{
        "id": "vendor-made", "vendor": "feishu", "tenant": APP, "url": rx.url,
        "secrets": {"verification_token": VT}, "verification": "checking", "origin": "vendor"
    }]);
    let r = app.admin_try(Method::PUT, "/state", state).await;
    assert_eq!(r.status, 200, "{}", r.text);
    rx.wait_for(1).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let s = app.admin_get("/subscriptions/vendor-made").await.json();
        if s["verification"]["state"] == "verified" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{s}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(rx.got()[0].json()["type"], "url_verification");
}

/// A CA and a server configuration for 127.0.0.1 signed by it.
pub(crate) fn ca_and_server() -> (String, Arc<rustls::ServerConfig>) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_key = KeyPair::generate().unwrap();
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&leaf_key, &ca, &ca_key)
        .unwrap();
    let key = rustls::pki_types::PrivateKeyDer::try_from(leaf_key.serialize_der()).unwrap();
    let cfg = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![leaf.der().clone()], key)
    .unwrap();
    (ca.pem(), Arc::new(cfg))
}

#[tokio::test]
async fn a_receiver_over_https_with_its_own_ca_is_trusted_through_the_subscription() {
    let app = TestApp::spawn().await;
    app.admin_post("/clock/freeze", json!({})).await;
    let (ca, cfg) = ca_and_server();
    let rx = Receiver::start_tls(Answer::Ok, Some(cfg)).await;
    assert!(rx.url.starts_with("https://"));
    let s = subscribe(&app, &rx.url, None, json!({})).await;
    meeting(&app, LIVE, "join", Some("ou_guest_0001")).await;
    let id = events(&app, "").await[0]["id"].as_u64().unwrap();
    let d = wait_delivery(&app, id, "pending", 1).await;
    let err = d["attempts"][0]["error"].as_str().unwrap();
    assert!(
        err.to_lowercase().contains("certificate") || err.contains("UnknownIssuer"),
        "{err}"
    );
    let r = app
        .admin_try(
            Method::PUT,
            &format!("/subscriptions/{}", s["id"].as_str().unwrap()),
            json!({"url": rx.url, "verification_token": VT, "ca_pem": ca, "verify": false}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["ca_pem"], true);
    app.advance_secs(15.0).await;
    wait_delivery(&app, id, "delivered", 2).await;
    assert_eq!(rx.got().len(), 1, "the first attempt never got past TLS");
}

#[tokio::test]
async fn events_ca_trusts_a_receiver_for_every_subscription() {
    let (ca, cfg) = ca_and_server();
    let dir = std::env::temp_dir().join(format!("meetmock-events-ca-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("ca.pem");
    std::fs::write(&path, ca).unwrap();
    let config = meetmock::config::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        events_ca: Some(path.clone()),
        ..Default::default()
    };
    let app = TestApp::spawn_config(config, "").await;
    let rx = Receiver::start_tls(Answer::Challenge(None), Some(cfg)).await;
    let s = app
        .admin_post(
            "/subscriptions",
            json!({"vendor": "feishu", "tenant": APP, "url": rx.url, "verification_token": VT}),
        )
        .await;
    assert_eq!(s["verification"]["state"], "verified", "{s}");
    let _ = std::fs::remove_dir_all(&dir);
    let bad = dir.join("missing.pem");
    let err = meetmock::start_with(
        meetmock::config::Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            events_ca: Some(bad),
            ..Default::default()
        },
        vec![],
    )
    .await
    .err()
    .expect("a missing CA file is refused");
    assert!(err.to_string().starts_with("--events-ca "), "{err}");
}
