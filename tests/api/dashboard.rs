//! The dashboard (`/__admin/ui`): its embedded files are the committed ones and light, served
//! without the admin token but carrying no data; the edge root links to it; and the admin
//! additions its actions use (fault rule switch, scenario library, decline, journal answers and
//! paging).

use crate::common::TestApp;
use meetmock::config::Config;
use reqwest::Method;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

const ASSETS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/admin/ui/assets");

/// Every file under `dir`, as paths relative to it with `/` separators.
fn files_under(dir: &Path, prefix: &str, out: &mut Vec<String>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let name = format!("{prefix}{}", e.file_name().to_string_lossy());
        if e.file_type().unwrap().is_dir() {
            files_under(&e.path(), &format!("{name}/"), out);
        } else {
            out.push(name);
        }
    }
}

#[tokio::test]
async fn the_embedded_assets_are_the_committed_files_byte_for_byte() {
    let app = TestApp::spawn().await;
    let mut on_disk = Vec::new();
    files_under(Path::new(ASSETS_DIR), "", &mut on_disk);
    on_disk.sort();
    let mut embedded: Vec<String> = meetmock::admin::ui::ASSETS
        .iter()
        .map(|a| a.path.to_string())
        .collect();
    embedded.sort();
    assert_eq!(
        embedded, on_disk,
        "src/admin/ui/mod.rs ASSETS must list exactly the files in src/admin/ui/assets"
    );
    for rel in &on_disk {
        let want = std::fs::read(PathBuf::from(ASSETS_DIR).join(rel)).unwrap();
        let r = app
            .client
            .get(app.url(&format!("/__admin/ui/{rel}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{rel}");
        assert_eq!(r.bytes().await.unwrap().as_ref(), want.as_slice(), "{rel}");
    }
    // Committed: each file is tracked by git (when the tests run inside a checkout).
    let tracked = std::process::Command::new("git")
        .args(["ls-files", "--error-unmatch"])
        .args(on_disk.iter().map(|r| format!("src/admin/ui/assets/{r}")))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output();
    if let Ok(out) = tracked {
        let in_checkout = !String::from_utf8_lossy(&out.stderr).contains("not a git repository");
        if in_checkout {
            assert!(
                out.status.success(),
                "asset files not committed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

#[tokio::test]
async fn the_page_weighs_under_150_kb_in_all() {
    let total: usize = meetmock::admin::ui::ASSETS
        .iter()
        .map(|a| a.bytes.len())
        .sum();
    assert!(total < 150 * 1024, "dashboard weighs {total} bytes");
}

#[tokio::test]
async fn the_page_is_served_without_the_token_with_a_strict_policy_and_no_data() {
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        admin_token: Some("ui-token-1".into()),
        ..Config::default()
    };
    let app = TestApp::spawn_config(config, "").await;
    for path in ["/__admin/ui", "/__admin/ui/", "/__admin/ui/js/main.js"] {
        let r = app.send(Method::GET, path, &[], "").await;
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        let csp = r.header("content-security-policy").unwrap_or("");
        assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"));
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        assert!(!r.text.contains("ui-token-1"));
    }
    let html = app.send(Method::GET, "/__admin/ui", &[], "").await;
    assert!(html
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    assert!(html.text.contains("/__admin/ui/js/main.js"));
    // The data the page shows still needs the token.
    assert_eq!(app.admin_get("/meetings").await.status, 401);
    // Unknown files and other methods are refused plainly.
    assert_eq!(
        app.send(Method::GET, "/__admin/ui/x.js", &[], "")
            .await
            .status,
        404
    );
    assert_eq!(
        app.send(Method::POST, "/__admin/ui", &[], "").await.status,
        405
    );
}

#[tokio::test]
async fn an_unchanged_asset_answers_304_to_its_etag() {
    let app = TestApp::spawn().await;
    let r = app
        .send(Method::GET, "/__admin/ui/css/base.css", &[], "")
        .await;
    let tag = r.header("etag").unwrap().to_string();
    let again = app
        .send(
            Method::GET,
            "/__admin/ui/css/base.css",
            &[("If-None-Match", &tag)],
            "",
        )
        .await;
    assert_eq!(again.status, 304);
    assert!(again.text.is_empty());
}

#[tokio::test]
async fn the_edge_root_links_to_the_dashboard() {
    let app = TestApp::spawn().await;
    let r = app.send(Method::GET, "/", &[], "").await;
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    assert!(r.text.contains("href=\"/__admin/ui\""), "{}", r.text);
    // Any other unknown path is still the plain not-found answer.
    assert_eq!(app.send(Method::GET, "/nope", &[], "").await.status, 404);
}

/// The status of a Feishu tenant-token request.
async fn token(app: &TestApp) -> reqwest::StatusCode {
    let body = json!({"app_id": "cli_demo_feishu", "app_secret": "demo_feishu_secret"});
    let url = "/open-apis/auth/v3/tenant_access_token/internal";
    app.send_json(Method::POST, url, &[], &body).await.status
}

#[tokio::test]
async fn a_disabled_fault_rule_neither_matches_nor_fires_until_enabled_again() {
    let app = TestApp::spawn().await;
    app.admin_post(
        "/faults",
        json!({"name": "lock-all", "match": {"vendor": "feishu", "operation": "auth.tenant_access_token.internal"}, "error": "internal_error"}),
    )
    .await;
    assert_eq!(token(&app).await, 500);
    let off = app.admin_post("/faults/lock-all/disable", json!({})).await;
    assert_eq!(off, json!({"name": "lock-all", "enabled": false}));
    assert_eq!(token(&app).await, 200);
    let listed = app.admin_get("/faults").await.json();
    let rule = &listed["faults"][0];
    assert_eq!(
        (
            rule["enabled"].clone(),
            rule["matched"].clone(),
            rule["fired"].clone()
        ),
        (json!(false), json!(1), json!(1))
    );
    app.admin_post("/faults/lock-all/enable", json!({})).await;
    assert_eq!(token(&app).await, 500);
    let missing = app
        .admin_try(Method::POST, "/faults/nope/disable", json!({}))
        .await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn a_library_scenario_loads_by_file_name_and_an_unknown_one_changes_nothing() {
    let app = TestApp::spawn().await;
    let lib = app.admin_get("/scenarios/library").await.json();
    let files: Vec<&str> = lib["library"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert!(files.contains(&"feishu-meeting-locked.yaml") && files.contains(&"demo.yaml"));
    assert!(lib["library"][1]["description"].as_str().unwrap().len() > 20);
    let before = app.admin_get("/faults").await.json();
    let r = app
        .admin_try(Method::POST, "/scenarios/library/nope.yaml", json!({}))
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(app.admin_get("/faults").await.json(), before);
    let loaded = app
        .admin_post("/scenarios/library/feishu-meeting-locked.yaml", json!({}))
        .await;
    assert_eq!(loaded["faults"], 1);
    let names: Vec<Value> = app.admin_get("/faults").await.json()["faults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].clone())
        .collect();
    assert_eq!(names, [json!("feishu-meeting-locked")]);
    // Reset keeps it: it is one of the loaded scenarios now.
    app.admin_post("/reset", json!({})).await;
    assert_eq!(
        app.admin_get("/faults").await.json()["faults"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn an_invitee_being_called_declines_and_one_not_called_cannot() {
    let app = TestApp::spawn().await;
    let token = crate::feishu::user_token(&app, crate::feishu::HOST).await;
    let r = crate::feishu::invite(&app, &token, crate::feishu::LIVE, &["ou_guest_0003"]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let m = app
        .admin_post(
            &format!("/meetings/{}/decline", crate::feishu::LIVE),
            json!({"vendor": "feishu", "user": "ou_guest_0003"}),
        )
        .await;
    let p = m["meeting"]["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["user_id"] == "ou_guest_0003")
        .unwrap()
        .clone();
    assert_eq!(p["status"], "declined");
    let again = app
        .admin_try(
            Method::POST,
            &format!("/meetings/{}/decline", crate::feishu::LIVE),
            json!({"vendor": "feishu", "user": "ou_guest_0003"}),
        )
        .await;
    assert_eq!(again.status, 409, "{}", again.text);
}

#[tokio::test]
async fn the_journal_keeps_each_answer_masked_and_pages_with_before() {
    let app = TestApp::spawn().await;
    let mut tokens = Vec::new();
    for _ in 0..5 {
        tokens.push(crate::feishu::tenant_token(&app).await);
    }
    let page = app.admin_get("/requests?limit=2").await.json();
    let entries = page["requests"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    let answer = &entries[0]["response"];
    assert_eq!(answer["code"], 0, "{answer}");
    assert_eq!(
        answer["tenant_access_token"], "***",
        "the token is masked: {answer}"
    );
    let text = page.to_string();
    assert!(!text.contains("demo_feishu_secret"), "{text}");
    assert!(tokens.iter().all(|t| !text.contains(t.as_str())), "{text}");
    let oldest_seen = entries[1]["seq"].as_u64().unwrap();
    let next = app
        .admin_get(&format!("/requests?limit=10&before={oldest_seen}"))
        .await
        .json();
    let seqs: Vec<u64> = next["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs.len(), 3);
    assert!(seqs.windows(2).all(|w| w[0] > w[1]) && seqs[0] < oldest_seen);
    let bad = app.admin_get("/requests?before=x").await;
    assert_eq!(bad.status, 400);
}
