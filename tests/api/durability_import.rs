//! `PUT /__admin/state` under load: the new state is built aside and swapped in, so a reader
//! whose token and meeting exist before and after the import is never refused while it runs;
//! a bad import changes nothing.

use crate::common::TestApp;
use crate::dingtalk::{conf, token as dt_token, DEMO_CONF, TOKEN_HEADER};
use crate::feishu::{tenant_token, RESERVE};
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn readers_with_valid_tokens_are_never_refused_during_imports() {
    let app = TestApp::spawn().await;
    let token = dt_token(&app).await;
    let exported = app.admin_get("/state").await.json();
    // DingTalk limits nothing unless a scenario says so: every refusal would be the import's.
    let url = app.url(&conf(DEMO_CONF, ""));
    let done = Arc::new(AtomicBool::new(false));
    let reads = Arc::new(AtomicUsize::new(0));
    let mut readers = tokio::task::JoinSet::new();
    for _ in 0..4 {
        let (c, url, token) = (app.client.clone(), url.clone(), token.clone());
        let (done, reads) = (Arc::clone(&done), Arc::clone(&reads));
        readers.spawn(async move {
            let mut refused = Vec::new();
            while !done.load(Ordering::Relaxed) {
                let r = c
                    .get(&url)
                    .header(TOKEN_HEADER, &token)
                    .send()
                    .await
                    .unwrap();
                let status = r.status();
                reads.fetch_add(1, Ordering::Relaxed);
                if status != StatusCode::OK {
                    refused.push(format!("{status} {}", r.text().await.unwrap_or_default()));
                }
            }
            refused
        });
    }
    for _ in 0..200 {
        let r = app.admin_try(Method::PUT, "/state", exported.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    done.store(true, Ordering::Relaxed);
    let mut refused = Vec::new();
    while let Some(r) = readers.join_next().await {
        refused.extend(r.unwrap());
    }
    assert!(reads.load(Ordering::Relaxed) > 100, "the readers ran");
    assert!(
        refused.is_empty(),
        "{} of {} reads refused during imports, e.g. {:?}",
        refused.len(),
        reads.load(Ordering::Relaxed),
        refused.first()
    );
}

#[tokio::test]
async fn an_import_replaces_everything_it_does_not_name() {
    let app = TestApp::spawn().await;
    let token = tenant_token(&app).await;
    let mut exported = app.admin_get("/state").await.json();
    exported["tenants"]
        .as_array_mut()
        .unwrap()
        .retain(|t| t["vendor"] != "feishu");
    exported["tokens"] = json!([]);
    if let Some(b) = exported["behaviours"].as_array_mut() {
        b.retain(|d| d["vendor"] != "feishu");
    }
    exported["calls"] = json!([]);
    let r = app.admin_try(Method::PUT, "/state", exported.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let state = app.admin_get("/state").await.json();
    assert!(
        !state["tenants"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["vendor"] == "feishu"),
        "the Feishu tenant is gone"
    );
    assert_eq!(state["tokens"], json!([]));
    let r = app
        .send(
            Method::GET,
            &format!("/open-apis/vc/v1/reserves/{RESERVE}"),
            &[("authorization", &format!("Bearer {token}"))],
            "",
        )
        .await;
    assert_ne!(r.status, StatusCode::OK, "the old token no longer works");
}
