//! Durability of `--state-file` against the real binary: acknowledged changes reach the file
//! while the server runs (a SIGKILL loses nothing older than the save period), SIGTERM saves
//! everything even with idle and half-sent connections open, an unwritable path is refused at
//! start, a save that fails at shutdown exits non-zero and says why; in-process, the other
//! `--persist` modes write only on demand and at exit, and a failing save turns health to 503
//! until one succeeds again.

use crate::harness::{client, meetings_in_file, temp_dir, Binary};
use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

const DT_KEY: &str = "dingmockappkey";
const DT_SECRET: &str = "mock-app-secret";
const DT_HOST: &str = "host-union-0001";

/// A DingTalk access token of the demo app.
async fn dt_token(bin: &Binary) -> String {
    let r: Value = client()
        .post(bin.url("/v1.0/oauth2/accessToken"))
        .json(&json!({"appKey": DT_KEY, "appSecret": DT_SECRET}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["accessToken"].as_str().unwrap().to_string()
}

/// Creates `n` DingTalk conferences through the vendor API, 8 at a time; every one must be
/// acknowledged with 200.
async fn create_conferences(bin: &Binary, n: usize) {
    let tok = dt_token(bin).await;
    let c = client();
    let url = bin.url("/v1.0/conference/videoConferences");
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..8 {
        let (c, url, tok) = (c.clone(), url.clone(), tok.clone());
        tasks.spawn(async move {
            for i in (w..n).step_by(8) {
                let r = c
                    .post(&url)
                    .header("x-acs-dingtalk-access-token", &tok)
                    .json(&json!({"userId": DT_HOST, "confTitle": format!("c{i}"), "inviteCaller": false}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
            }
        });
    }
    while let Some(r) = tasks.join_next().await {
        r.unwrap();
    }
}

/// The demo DingTalk tenant's meetings, as the admin API sees them.
async fn dt_meetings(bin: &Binary) -> usize {
    let v: Value = client()
        .get(bin.url("/__admin/meetings?vendor=dingtalk&tenant=dingmockappkey"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["meetings"].as_array().map_or(0, Vec::len)
}

/// Polls the file until it holds `want` meetings of the DingTalk demo tenant, up to `limit`.
async fn file_reaches(path: &Path, want: usize, limit: Duration) -> usize {
    let deadline = Instant::now() + limit;
    loop {
        let n = meetings_in_file(path, DT_KEY);
        if n >= want || Instant::now() > deadline {
            return n;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn acknowledged_changes_reach_the_file_while_running_and_survive_a_sigkill() {
    let dir = temp_dir("sigkill");
    let file = dir.join("state.json");
    let f = file.to_str().unwrap();
    let mut bin = Binary::start(&["--state-file", f]);
    let base = dt_meetings(&bin).await;
    create_conferences(&bin, 1500).await;
    let want = base + 1500;
    assert_eq!(dt_meetings(&bin).await, want);
    // A liveness bound, not a timing goal: the default saves within about a second.
    assert_eq!(
        file_reaches(&file, want, Duration::from_secs(15)).await,
        want,
        "every acknowledged change reaches the file while the server runs"
    );
    bin.sigkill();

    let bin = Binary::start(&["--state-file", f]);
    assert_eq!(dt_meetings(&bin).await, want, "nothing lost to the SIGKILL");
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn sigterm_saves_everything_at_once_even_with_idle_and_half_sent_connections_open() {
    let dir = temp_dir("sigterm");
    let file = dir.join("state.json");
    let f = file.to_str().unwrap();
    // on-shutdown: only the exit writes these changes, so the test sees the final save.
    let mut bin = Binary::start(&["--state-file", f, "--persist", "on-shutdown"]);
    let base = dt_meetings(&bin).await;
    create_conferences(&bin, 300).await;
    // An idle keep-alive connection, one that never sent a byte, a half-sent head and a
    // stalled upload: none may hold the exit (the header timeout is 10 s by default).
    let mut idle = TcpStream::connect(bin.addr).await.unwrap();
    idle.write_all(b"GET /__admin/clock HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let silent = TcpStream::connect(bin.addr).await.unwrap();
    let mut half = TcpStream::connect(bin.addr).await.unwrap();
    half.write_all(b"GET /__admin/health HTTP/1.1\r\nHost: 1")
        .await
        .unwrap();
    let mut upload = TcpStream::connect(bin.addr).await.unwrap();
    upload
        .write_all(b"POST /v1.0/oauth2/accessToken HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"appKey\"")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    bin.sigterm();
    let status = bin
        .exit_within(Duration::from_secs(6))
        .await
        .unwrap_or_else(|| panic!("still running 6 s after SIGTERM:\n{}", bin.output()));
    assert!(status.success(), "{status:?}\n{}", bin.output());
    drop((idle, silent, half, upload));
    assert_eq!(meetings_in_file(&file, DT_KEY), base + 300);
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn a_state_file_in_a_missing_directory_is_refused_at_start() {
    let dir = temp_dir("nodir");
    let file = dir.join("missing").join("state.json");
    let (status, out) = match Binary::try_start(&["--state-file", file.to_str().unwrap()]) {
        Ok(b) => panic!("started on {} with an unwritable state file", b.addr),
        Err(e) => e,
    };
    let status = status.expect("exited by itself");
    assert!(!status.success(), "{out}");
    assert!(out.contains("cannot write state file"), "{out}");
    assert!(out.contains(file.to_str().unwrap()), "{out}");
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn a_save_that_fails_at_shutdown_exits_non_zero_and_says_why() {
    let dir = temp_dir("failsave");
    let file = dir.join("state.json");
    let mut bin = Binary::start(&["--state-file", file.to_str().unwrap()]);
    create_conferences(&bin, 3).await;
    std::fs::remove_dir_all(&dir).unwrap();
    bin.sigterm();
    let status = bin
        .exit_within(Duration::from_secs(6))
        .await
        .expect("exits");
    let out = bin.output();
    assert!(!status.success(), "a lost save must not exit 0:\n{out}");
    assert!(out.contains("cannot write state file"), "{out}");
}

/// The clock offset the state file holds, or `None` when it cannot be read.
fn file_offset(path: &Path) -> Option<i64> {
    let v: Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    v["clock_offset_ms"].as_i64()
}

fn persisting(file: &Path, persist: meetmock::config::Persist) -> meetmock::config::Config {
    meetmock::config::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        no_demo: true,
        state_file: Some(file.to_path_buf()),
        persist,
        persist_interval_ms: 60_000,
        ..Default::default()
    }
}

#[tokio::test]
async fn on_shutdown_and_interval_modes_write_at_exit_and_on_demand_only() {
    use meetmock::config::Persist;
    for mode in [Persist::OnShutdown, Persist::Interval] {
        let dir = temp_dir(&format!("persist-{mode:?}"));
        let file = dir.join("state.json");
        let app = crate::common::TestApp::spawn_config(persisting(&file, mode), "").await;
        assert_eq!(file_offset(&file), Some(0), "{mode:?}: written at start");
        app.advance_secs(60.0).await;
        // Longer than on-change's period: these modes leave the file alone meanwhile.
        tokio::time::sleep(Duration::from_millis(1_200)).await;
        assert_eq!(
            file_offset(&file),
            Some(0),
            "{mode:?}: not written while running"
        );
        let saved = app.admin_post("/state/save", json!({})).await;
        assert_eq!(saved["written"], true, "{saved}");
        assert_eq!(
            file_offset(&file),
            Some(60_000),
            "{mode:?}: saved on demand"
        );
        app.advance_secs(60.0).await;
        app.running.stop().await;
        assert_eq!(file_offset(&file), Some(120_000), "{mode:?}: saved at exit");
        std::fs::remove_dir_all(&dir).ok();
    }
}

/// Polls health until its HTTP status is `want`, up to 10 s; returns the last answer.
async fn health_becomes(app: &crate::common::TestApp, want: u16) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let r = app.admin_get("/health").await;
        if r.status.as_u16() == want || Instant::now() > deadline {
            assert_eq!(r.status.as_u16(), want, "{}", r.text);
            return r.json();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_failing_save_turns_health_degraded_until_a_save_succeeds_again() {
    let dir = temp_dir("degraded");
    let file = dir.join("state.json");
    let app = crate::common::TestApp::spawn_config(
        persisting(&file, meetmock::config::Persist::OnChange),
        "",
    )
    .await;
    std::fs::remove_dir_all(&dir).unwrap();
    app.advance_secs(5.0).await;
    let h = health_becomes(&app, 503).await;
    assert_eq!(h["status"], "degraded");
    assert!(
        h["persist"]["last_error"]
            .as_str()
            .unwrap()
            .contains("cannot write state file"),
        "{h}"
    );
    let r = app
        .admin_try(reqwest::Method::POST, "/state/save", json!({}))
        .await;
    assert_eq!(r.status.as_u16(), 500, "{}", r.text);
    std::fs::create_dir_all(&dir).unwrap();
    let h = health_becomes(&app, 200).await;
    assert_eq!(h["status"], "ok");
    assert_eq!(h["persist"]["last_error"], Value::Null, "{h}");
    assert_eq!(file_offset(&file), Some(5_000));
    app.running.stop().await;
    std::fs::remove_dir_all(&dir).ok();
}

#[cfg(unix)]
#[tokio::test]
async fn the_state_file_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("mode");
    let file = dir.join("state.json");
    let app = crate::common::TestApp::spawn_config(
        persisting(&file, meetmock::config::Persist::OnChange),
        "",
    )
    .await;
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "every tenant's secrets are in it: {mode:o}");
    app.running.stop().await;
    std::fs::remove_dir_all(&dir).ok();
}
