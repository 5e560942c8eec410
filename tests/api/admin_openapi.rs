//! `GET /__admin/openapi.json` against the admin API itself: every endpoint of the
//! dispatcher's table (and those answered before it) is described with its method, every
//! described operation is served, and every described path answers on a live server — so an
//! admin endpoint added without a description, or a description left behind, fails here.

use crate::common::TestApp;
use meetmock::admin::table::{ROUTES, SERVED_BEFORE};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::collections::BTreeSet;

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch"];

/// (METHOD, /__admin path) of every operation the document describes.
fn described(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for m in METHODS {
            if item.get(*m).is_some() {
                out.insert((m.to_uppercase(), path.clone()));
            }
        }
    }
    out
}

/// (METHOD, /__admin path) of every endpoint served.
fn served() -> BTreeSet<(String, String)> {
    ROUTES
        .iter()
        .map(|r| (r.method, r.path))
        .chain(SERVED_BEFORE.iter().copied())
        .map(|(m, p)| (m.to_string(), format!("/__admin{p}")))
        .collect()
}

#[tokio::test]
async fn every_admin_endpoint_is_described_and_every_description_is_served() {
    let app = TestApp::spawn().await;
    let r = app.admin_get("/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    let doc = r.json();
    assert_eq!(doc["openapi"], "3.0.3");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    let described = described(&doc);
    let served = served();
    let undescribed: Vec<_> = served.difference(&described).collect();
    assert!(
        undescribed.is_empty(),
        "served but not in src/admin/openapi/*.yaml: {undescribed:#?}"
    );
    let unserved: Vec<_> = described.difference(&served).collect();
    assert!(
        unserved.is_empty(),
        "described but not served: {unserved:#?}"
    );
}

/// The path with each `{param}` replaced by the example the document gives it.
fn example_path(path: &str, op: &Value, item: &Value, doc: &Value) -> String {
    let mut out = path.to_string();
    let params = op["parameters"]
        .as_array()
        .into_iter()
        .chain(item["parameters"].as_array())
        .flatten();
    for p in params {
        let p = match p["$ref"].as_str() {
            Some(r) => doc.pointer(r.trim_start_matches('#')).unwrap(),
            None => p,
        };
        if p["in"] == "path" {
            let name = p["name"].as_str().unwrap();
            let example = match &p["example"] {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => panic!("{path}: path parameter {name} has no example"),
            };
            out = out.replace(&format!("{{{name}}}"), &example);
        }
    }
    assert!(
        !out.contains('{'),
        "{path}: a path parameter is not declared"
    );
    out
}

#[tokio::test]
async fn every_described_operation_answers_on_a_live_server() {
    let app = TestApp::spawn().await;
    let doc = app.admin_get("/openapi.json").await.json();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for m in METHODS {
            let Some(op) = item.get(*m) else { continue };
            let url = example_path(path, op, item, &doc);
            let method = Method::from_bytes(m.to_uppercase().as_bytes()).unwrap();
            if url.ends_with("/changes/stream") {
                // A live stream: its head is the answer.
                let r = app.client.get(app.url(&url)).send().await.unwrap();
                assert_eq!(r.status(), StatusCode::OK, "{url}");
                continue;
            }
            let r = app
                .send(
                    method.clone(),
                    &url,
                    &[("content-type", "application/json")],
                    "{}",
                )
                .await;
            let fallback = r.text.contains("no admin endpoint");
            assert!(
                !fallback,
                "{method} {url} is described but not served: {}",
                r.text
            );
            let codes = op["responses"].as_object().unwrap();
            assert!(
                codes.contains_key(r.status.as_str()),
                "{method} {url} answered {} ({}), which its description does not list",
                r.status,
                r.text
            );
        }
    }
}
