//! `--watch` under load: an editor's in-place save (truncate, then write) never leaves the
//! server without the file's rules, alternating versions are each applied whole, and a file
//! emptied on purpose drops its rules once it has settled.

use crate::common::TestApp;
use crate::harness::temp_dir;
use meetmock::config::Config;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TOKEN_PATH: &str = "/open-apis/auth/v3/tenant_access_token/internal";

fn rules(status: u16) -> String {
    format!(
        "name: watched\nfaults:\n  - name: r{status}\n    match: {{vendor: feishu}}\n    response: {{status: {status}}}\n"
    )
}

async fn spawn_watching(file: &Path) -> TestApp {
    let cfg = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        no_demo: true,
        watch: true,
        scenarios: vec![file.to_path_buf()],
        ..Config::default()
    };
    let vendors = meetmock::vendors::registry();
    let s = meetmock::scenario::load_paths(&cfg.scenarios, &vendors).unwrap();
    let running = meetmock::start_with(cfg, s).await.unwrap();
    let base = format!("http://{}", running.addr());
    TestApp {
        running,
        base,
        client: reqwest::Client::builder().no_proxy().build().unwrap(),
    }
}

/// Runs Feishu token calls until `stop`; returns how often each status was answered.
fn hammer(app: &TestApp, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<BTreeMap<u16, u32>> {
    let (c, url) = (app.client.clone(), app.url(TOKEN_PATH));
    tokio::spawn(async move {
        let mut seen = BTreeMap::new();
        while !stop.load(Ordering::Relaxed) {
            let r = c
                .post(&url)
                .json(&json!({"app_id": "cli_w", "app_secret": "s"}))
                .send()
                .await
                .unwrap();
            *seen.entry(r.status().as_u16()).or_insert(0) += 1;
        }
        seen
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_in_place_save_never_leaves_the_server_without_the_files_rules() {
    let dir = temp_dir("watch-inplace");
    let file = dir.join("rules.yaml");
    std::fs::write(&file, rules(503)).unwrap();
    let app = spawn_watching(&file).await;
    let stop = Arc::new(AtomicBool::new(false));
    let load = hammer(&app, Arc::clone(&stop));
    for _ in 0..3 {
        // A slow editor: the file stays empty well past a poll period before the new text.
        std::fs::File::create(&file).unwrap();
        tokio::time::sleep(Duration::from_millis(600)).await;
        std::fs::write(&file, rules(503)).unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    stop.store(true, Ordering::Relaxed);
    let seen = load.await.unwrap();
    assert_eq!(
        seen.keys().copied().collect::<Vec<_>>(),
        [503],
        "every call met the rule: {seen:?}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alternating_versions_under_load_are_each_applied_whole() {
    let dir = temp_dir("watch-alt");
    let file = dir.join("rules.yaml");
    std::fs::write(&file, rules(502)).unwrap();
    let app = spawn_watching(&file).await;
    let stop = Arc::new(AtomicBool::new(false));
    let load = hammer(&app, Arc::clone(&stop));
    for i in 0..8 {
        std::fs::write(&file, rules(if i % 2 == 0 { 503 } else { 502 })).unwrap();
        tokio::time::sleep(Duration::from_millis(350)).await;
    }
    stop.store(true, Ordering::Relaxed);
    let seen = load.await.unwrap();
    assert!(
        seen.keys().all(|s| *s == 502 || *s == 503),
        "only the two versions' answers: {seen:?}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn a_file_emptied_on_purpose_drops_its_rules_once_it_settles() {
    let dir = temp_dir("watch-empty");
    let file = dir.join("rules.yaml");
    std::fs::write(&file, rules(503)).unwrap();
    let app = spawn_watching(&file).await;
    std::fs::File::create(&file).unwrap();
    let deadline = Instant::now() + Duration::from_secs(8);
    let rules_now = loop {
        let n = app.admin_get("/faults").await.json()["faults"]
            .as_array()
            .unwrap()
            .len();
        if n == 0 || Instant::now() > deadline {
            break n;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        rules_now, 0,
        "the emptied file's rules are gone once it settled"
    );
    let r = app
        .send_json(
            reqwest::Method::POST,
            TOKEN_PATH,
            &[],
            &json!({"app_id": "cli_w", "app_secret": "s"}),
        )
        .await;
    assert_eq!(r.status, reqwest::StatusCode::OK, "{}", r.text);
    std::fs::remove_dir_all(&dir).ok();
}
