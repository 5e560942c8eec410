//! The dashboard's live stream (`GET /__admin/changes/stream`, server-sent events): guarded by
//! the admin token, a change arrives as it happens (latency printed, asserted loosely), a
//! reconnect replays from its position, a watcher told to `resync` when its changes are gone,
//! status events for what the change stream does not carry (clock, journal, faults, resets,
//! event sends finishing and subscriptions changing), secrets masked, and shutdown not held up
//! by open streams.

use crate::common::TestApp;
use meetmock::config::Config;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// A server-sent event stream read chunk by chunk.
struct Sse {
    resp: reqwest::Response,
    buf: String,
}

#[derive(Debug)]
struct Event {
    name: String,
    id: Option<u64>,
    data: Value,
}

impl Sse {
    async fn open(app: &TestApp, query: &str, headers: &[(&str, &str)]) -> Sse {
        let mut rb = app
            .client
            .get(app.url(&format!("/__admin/changes/stream{query}")));
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        let resp = rb.send().await.unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(
            resp.headers()["content-type"],
            "text/event-stream; charset=utf-8"
        );
        Sse {
            resp,
            buf: String::new(),
        }
    }

    /// The next event (comments skipped), or None after `wait`.
    async fn next(&mut self, wait: Duration) -> Option<Event> {
        let deadline = Instant::now() + wait;
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let mut e = Event {
                    name: String::new(),
                    id: None,
                    data: Value::Null,
                };
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event: ") {
                        e.name = v.to_string();
                    } else if let Some(v) = line.strip_prefix("id: ") {
                        e.id = v.parse().ok();
                    } else if let Some(v) = line.strip_prefix("data: ") {
                        e.data = serde_json::from_str(v).unwrap();
                    }
                }
                if e.name.is_empty() {
                    continue;
                }
                return Some(e);
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            match tokio::time::timeout(left, self.resp.chunk()).await {
                Ok(Ok(Some(c))) => self.buf.push_str(std::str::from_utf8(&c).unwrap()),
                _ => return None,
            }
        }
    }

    /// The next event called `name`, skipping others.
    async fn next_named(&mut self, name: &str, wait: Duration) -> Event {
        let deadline = Instant::now() + wait;
        loop {
            let left = deadline
                .checked_duration_since(Instant::now())
                .unwrap_or_else(|| panic!("no {name} event within {wait:?}"));
            let e = self
                .next(left)
                .await
                .unwrap_or_else(|| panic!("no {name} event within {wait:?}"));
            if e.name == name {
                return e;
            }
        }
    }
}

const SECOND: Duration = Duration::from_secs(5);

#[tokio::test]
async fn the_stream_needs_the_admin_token_when_one_is_set() {
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        admin_token: Some("stream-token".into()),
        ..Config::default()
    };
    let app = TestApp::spawn_config(config, "").await;
    for h in [vec![], vec![("Authorization", "Bearer wrong")]] {
        let mut rb = app.client.get(app.url("/__admin/changes/stream"));
        for (k, v) in &h {
            rb = rb.header(*k, *v);
        }
        let r = rb.send().await.unwrap();
        assert_eq!(r.status(), 401, "{h:?}");
    }
    let mut sse = Sse::open(&app, "", &[("Authorization", "Bearer stream-token")]).await;
    assert_eq!(sse.next_named("hello", SECOND).await.data["last_seq"], 0);
}

#[tokio::test]
async fn a_change_reaches_an_open_stream_at_once_with_secrets_masked() {
    let app = TestApp::spawn().await;
    let mut sse = Sse::open(&app, "", &[]).await;
    let hello = sse.next_named("hello", SECOND).await;
    assert_eq!(hello.data["status"]["store"]["tenants"], 4);
    let started = Instant::now();
    app.admin_post(
        "/meetings/607452e01401526ee39609e1/lock",
        json!({"vendor": "dingtalk"}),
    )
    .await;
    let e = sse.next_named("change", SECOND).await;
    let latency = started.elapsed();
    println!("admin lock → change event on the stream: {latency:?}");
    assert!(latency < Duration::from_secs(2), "{latency:?}");
    assert_eq!(e.data["type"], "lock_changed");
    assert_eq!(e.id, e.data["seq"].as_u64());
    let extra = &e.data["meeting"]["extra"];
    assert_eq!(extra["conferencePassword"], "***", "{extra}");
    assert_eq!(extra["hostPassword"], "***");
    assert_eq!(
        extra["externalLinkUrl"],
        "https://meeting.dingtalk.com/j/demo607452e0"
    );
}

#[tokio::test]
async fn a_reconnect_replays_from_its_position() {
    let app = TestApp::spawn().await;
    for a in ["lock", "unlock", "lock"] {
        app.admin_post(
            &format!("/meetings/914673889/{a}"),
            json!({"vendor": "huawei"}),
        )
        .await;
    }
    let mut sse = Sse::open(&app, "", &[("Last-Event-ID", "1")]).await;
    sse.next_named("hello", SECOND).await;
    let seqs = [
        sse.next_named("change", SECOND).await.id,
        sse.next_named("change", SECOND).await.id,
    ];
    assert_eq!(seqs, [Some(2), Some(3)]);
    let mut from_zero = Sse::open(&app, "?since=0", &[]).await;
    from_zero.next_named("hello", SECOND).await;
    assert_eq!(from_zero.next_named("change", SECOND).await.id, Some(1));
}

#[tokio::test]
async fn a_watcher_whose_changes_are_gone_is_told_to_resync() {
    let app = TestApp::spawn().await;
    app.admin_post("/meetings/914673889/lock", json!({"vendor": "huawei"}))
        .await;
    // A reset forgets the kept changes; a watcher at position 0 cannot catch up.
    app.admin_post("/reset", json!({})).await;
    let mut sse = Sse::open(&app, "?since=0", &[]).await;
    sse.next_named("hello", SECOND).await;
    let e = sse.next_named("resync", SECOND).await;
    assert_eq!(e.data["last_seq"], 1);
    // A position from the future (another server) is resynced too.
    let mut ahead = Sse::open(&app, "?since=99", &[]).await;
    ahead.next_named("hello", SECOND).await;
    assert_eq!(ahead.next_named("resync", SECOND).await.data["last_seq"], 1);
}

#[tokio::test]
async fn status_events_follow_the_clock_journal_faults_and_resets() {
    let app = TestApp::spawn().await;
    let mut sse = Sse::open(&app, "", &[]).await;
    sse.next_named("hello", SECOND).await;
    app.admin_post("/clock/freeze", json!({})).await;
    let s = sse.next_named("status", SECOND).await;
    assert_eq!(s.data["clock"]["frozen"], true);
    crate::feishu::tenant_token(&app).await;
    let s = sse.next_named("status", SECOND).await;
    assert_eq!(s.data["journal"]["pushed"], 1);
    app.admin_post("/reset", json!({})).await;
    // A reset may straddle two pulses: wait for the status that shows it.
    let deadline = Instant::now() + SECOND;
    loop {
        let s = sse.next_named("status", SECOND).await;
        if s.data["store"]["clears"] == 1 {
            assert_eq!(s.data["journal"]["clears"], 1, "{}", s.data);
            break;
        }
        assert!(Instant::now() < deadline, "no status after the reset");
    }
}

#[tokio::test]
async fn status_events_follow_event_sends_and_subscription_changes() {
    use crate::events_common::{meeting, subscribe, Answer, Receiver, LIVE};
    let app = TestApp::spawn().await;
    app.freeze().await;
    let rx = Receiver::start(Answer::Status(500)).await;
    let sub = subscribe(&app, &rx.url, None, json!({})).await;
    let id = sub["id"].as_str().unwrap().to_string();
    let mut sse = Sse::open(&app, "", &[]).await;
    let hello = sse.next_named("hello", SECOND).await;
    let events = |d: &Value| d["status"]["events"].clone();
    let (activity, fingerprint) = {
        let e = events(&hello.data);
        (e["activity"].as_u64().unwrap(), e["subscriptions"].clone())
    };
    assert!(fingerprint.is_string(), "{}", hello.data);

    // A send that fails (and will be retried) changes nothing on the change stream, yet the
    // page must hear of it: the status says so.
    meeting(&app, LIVE, "accept", Some("ou_guest_0001")).await;
    rx.wait_for(1).await;
    let deadline = Instant::now() + SECOND;
    loop {
        let s = sse.next_named("status", SECOND).await;
        if s.data["events"]["activity"].as_u64().unwrap() > activity {
            assert_eq!(s.data["events"]["subscriptions"], fingerprint);
            break;
        }
        assert!(Instant::now() < deadline, "no status after the failed send");
    }

    app.admin_post(&format!("/subscriptions/{id}/pause"), json!({}))
        .await;
    let s = sse.next_named("status", SECOND).await;
    assert_ne!(s.data["events"]["subscriptions"], fingerprint, "{}", s.data);
    assert!(
        !s.data.to_string().contains(crate::events_common::VT),
        "no secret in the status"
    );
}

#[tokio::test]
async fn status_events_follow_behaviour_declarations() {
    let app = TestApp::spawn().await;
    app.freeze().await;
    let mut sse = Sse::open(&app, "", &[]).await;
    let hello = sse.next_named("hello", SECOND).await;
    let before = hello.data["status"]["behaviours"].clone();
    assert!(before.is_string(), "{}", hello.data);
    let r = app
        .admin_try(
            reqwest::Method::PUT,
            "/behaviours",
            json!({"vendor": "feishu", "tenant": "cli_demo_feishu", "user": "ou_guest_0003",
                   "meeting": "7000000000000000028", "outcome": "decline"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let s = sse.next_named("status", SECOND).await;
    assert_ne!(s.data["behaviours"], before, "{}", s.data);
}

#[tokio::test]
async fn stopping_the_server_ends_open_streams_at_once() {
    let app = TestApp::spawn().await;
    let mut sse = Sse::open(&app, "", &[]).await;
    sse.next_named("hello", SECOND).await;
    let started = Instant::now();
    let crate::common::TestApp { running, .. } = app;
    tokio::time::timeout(Duration::from_secs(5), running.stop())
        .await
        .expect("stop is not held up by the open stream");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(sse.next(SECOND).await.is_none(), "the stream ended");
}
