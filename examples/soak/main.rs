//! Soak: runs mixed cross-vendor load with fault rules active against a real meetmock process
//! for a set time, then checks: no unexpected 5xx or broken connection (only what the fault
//! rules inject), RSS flat after warm-up, the journal bounded, the domain invariants of the
//! final state, and that requests which had to be refused changed nothing.
//!
//! ```sh
//! cargo build --release && cargo run --release --example soak -- --bin target/release/meetmock --secs 180
//! ```
//! Flags (env in brackets): `--bin PATH` [MEETMOCK_BIN] (default: the `meetmock` next to this
//! example's directory), `--secs N` [SOAK_SECS] (180), `--workers N` (8), `--clock-speed X`
//! (10: the server clock is advanced X× real time, so token, replay and rate-limit windows
//! turn over during the run), `--rss-tolerance PCT` (10; plus 4 MiB of slack).
//! Exit status 0 and a last line `SOAK PASS …` when every check holds, else `SOAK FAIL …`.

mod checks;
mod client;
mod creds;
mod load;

use client::{Ctx, Stats};
use reqwest::Method;
use serde_json::{json, Value};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const JOURNAL_CAPACITY: u64 = 5000;

struct Args {
    bin: String,
    secs: u64,
    workers: u64,
    clock_speed: f64,
    rss_tolerance: f64,
}

fn args() -> Args {
    let default_bin = std::env::current_exe()
        .ok()
        .and_then(|p| Some(p.parent()?.parent()?.join("meetmock")))
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "meetmock".into());
    let mut a = Args {
        bin: std::env::var("MEETMOCK_BIN").unwrap_or(default_bin),
        secs: std::env::var("SOAK_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(180),
        workers: 8,
        clock_speed: 10.0,
        rss_tolerance: 10.0,
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    for pair in argv.chunks(2) {
        let v = pair.get(1).cloned().unwrap_or_default();
        match pair[0].as_str() {
            "--bin" => a.bin = v,
            "--secs" => a.secs = v.parse().unwrap_or(a.secs),
            "--workers" => a.workers = v.parse().unwrap_or(a.workers),
            "--clock-speed" => a.clock_speed = v.parse().unwrap_or(a.clock_speed),
            "--rss-tolerance" => a.rss_tolerance = v.parse().unwrap_or(a.rss_tolerance),
            other => {
                eprintln!("unknown flag {other} (see examples/soak/main.rs)");
                std::process::exit(2);
            }
        }
    }
    a
}

/// Fault rules active during the run: 5 % vendor internal errors on one read per vendor, a
/// delay on Feishu invites, and 3 % connection resets on DingTalk's member list.
fn rules() -> (Value, client::Injected) {
    let registry = meetmock::vendors::registry();
    let code = |vendor: &str, name: &str| {
        registry
            .iter()
            .find(|v| v.id().as_str() == vendor)
            .and_then(|v| v.error_by_key(name))
            .map(|e| e.code.to_string())
            .unwrap_or_default()
    };
    let errors = [
        ("tencent", "v1_meetings_meeting_id_get", "internal_error"),
        ("feishu", "meeting.get", "internal_error"),
        ("dingtalk", "QueryConferenceInfo", "system_error"),
        ("huawei", "ShowMeetingDetail", "internal_error"),
    ];
    let mut faults: Vec<Value> = errors
        .iter()
        .map(|(v, op, e)| {
            json!({"name": format!("soak-{v}-5xx"),
        "match": {"vendor": v, "operation": op}, "when": {"probability": 0.05}, "error": e})
        })
        .collect();
    faults.push(json!({"name": "soak-feishu-delay", "match": {"vendor": "feishu", "operation": "meeting.invite"},
        "when": {"probability": 0.1}, "delay": 20}));
    faults.push(json!({"name": "soak-dingtalk-reset", "match": {"vendor": "dingtalk", "operation": "QueryConferenceMembers"},
        "when": {"probability": 0.03}, "connection": "reset"}));
    let mut injected: client::Injected = errors
        .iter()
        .map(|(v, op, e)| (*v, *op, code(v, e)))
        .collect();
    injected.push(("dingtalk", "QueryConferenceMembers", "reset".into()));
    (json!({"faults": faults}), injected)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(18080)
}

#[tokio::main]
async fn main() {
    let a = args();
    let port = free_port();
    let mut child = match Command::new(&a.bin)
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--journal-capacity",
            &JOURNAL_CAPACITY.to_string(),
            "--seed",
            "7",
        ])
        .env("MEETMOCK_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            println!(
                "SOAK FAIL: cannot start {}: {e} (build it, or pass --bin / MEETMOCK_BIN)",
                a.bin
            );
            std::process::exit(1);
        }
    };
    let pid = child.id();
    let (faults, injected) = rules();
    let ctx = Arc::new(Ctx {
        base: format!("http://127.0.0.1:{port}"),
        http: reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(15))
            .build()
            .expect("client"),
        stats: Stats::default(),
        injected,
        offset_ms: AtomicI64::new(0),
        stop: AtomicBool::new(false),
    });
    let outcome = run(&a, &ctx, pid, faults).await;
    let _ = child.kill();
    let _ = child.wait();
    match outcome {
        Ok(summary) => println!("SOAK PASS {summary}"),
        Err(why) => {
            println!("SOAK FAIL {why}");
            std::process::exit(1);
        }
    }
}

async fn run(a: &Args, ctx: &Arc<Ctx>, pid: u32, faults: Value) -> Result<String, String> {
    let ready = Instant::now();
    while ctx
        .http
        .get(format!("{}/__admin/health", ctx.base))
        .send()
        .await
        .is_err()
    {
        if ready.elapsed() > Duration::from_secs(15) {
            return Err("the server did not come up within 15 s".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    ctx.admin(Method::POST, "/faults", Some(faults)).await;
    for (v, id, cap) in [
        ("feishu", load::FS_LIVE, 6),
        ("huawei", load::HW_RUNNING, 12),
    ] {
        ctx.admin(
            Method::POST,
            &format!("/meetings/{id}/capacity"),
            Some(json!({"vendor": v, "capacity": cap})),
        )
        .await;
    }
    let before = checks::sentinel_views(ctx).await;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..a.workers {
        let c = Arc::clone(ctx);
        tasks.push(tokio::spawn(async move { load::worker(&c, w).await }));
    }
    // The refusal tracker: one must-be-refused request every 50 ms.
    let c = Arc::clone(ctx);
    tasks.push(tokio::spawn(async move {
        let fs = c
            .call(
                "feishu",
                "auth",
                Method::POST,
                "/open-apis/auth/v3/tenant_access_token/internal",
                &[],
                json!({"app_id": "cli_demo_feishu", "app_secret": "demo_feishu_secret"})
                    .to_string()
                    .into_bytes(),
            )
            .await;
        let dt = c
            .call(
                "dingtalk",
                "auth",
                Method::POST,
                "/v1.0/oauth2/accessToken",
                &[],
                json!({"appKey": "dingmockappkey", "appSecret": "mock-app-secret"})
                    .to_string()
                    .into_bytes(),
            )
            .await;
        let mut tokens = (
            fs.map(|a| {
                a.json["tenant_access_token"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            })
            .unwrap_or_default(),
            dt.map(|a| {
                a.json["accessToken"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            })
            .unwrap_or_default(),
        );
        let mut n = 0;
        while !c.stop.load(Ordering::Relaxed) {
            checks::refused_request(&c, n, &tokens).await;
            n += 1;
            if n % 400 == 0 {
                tokens.1 = String::new(); // an empty DingTalk token is refused too; keeps the mix honest
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }));
    // The clock: advanced (speed - 1) seconds every real second.
    let mut rss = Vec::new();
    let step = ((a.clock_speed - 1.0).max(0.0) * 1000.0) as i64;
    while started.elapsed() < Duration::from_secs(a.secs) {
        tokio::time::sleep(Duration::from_secs(1)).await;
        if step > 0 {
            let now = ctx
                .admin(Method::POST, "/clock/advance", Some(json!({"ms": step})))
                .await;
            let local = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_millis() as i64)
                .unwrap_or(0);
            if let Some(server) = now["now_ms"].as_i64() {
                ctx.offset_ms.store(server - local, Ordering::Relaxed);
            }
        }
        rss.extend(checks::rss_kib(pid));
    }
    ctx.stop.store(true, Ordering::Relaxed);
    for t in tasks {
        let _ = t.await;
    }
    verify(a, ctx, &rss, &before, started.elapsed()).await
}

async fn verify(
    a: &Args,
    ctx: &Ctx,
    rss: &[u64],
    before: &[Value],
    took: Duration,
) -> Result<String, String> {
    let s = &ctx.stats;
    let mut problems: Vec<String> = s.failures.lock().clone();
    let health = ctx.admin(Method::GET, "/health", None).await;
    let kept = health["journal"]["kept"].as_u64().unwrap_or(u64::MAX);
    let cap = health["journal"]["capacity"].as_u64().unwrap_or(0);
    if kept > cap || cap != JOURNAL_CAPACITY {
        problems.push(format!("journal kept {kept} of capacity {cap}"));
    }
    if health["panics"].as_u64() != Some(0) {
        problems.push(format!("handler panics: {}", health["panics"]));
    }
    let listed = ctx.admin(Method::GET, "/faults", None).await;
    let rules = listed["faults"]
        .as_array()
        .or(listed.as_array())
        .cloned()
        .unwrap_or_default();
    let fired = |pred: &dyn Fn(&str) -> bool| -> u64 {
        rules
            .iter()
            .filter(|r| r["name"].as_str().is_some_and(pred))
            .filter_map(|r| r["fired"].as_u64())
            .sum()
    };
    let fired_5xx = fired(&|n| n.ends_with("-5xx"));
    let fired_resets = fired(&|n| n.ends_with("-reset"));
    let seen_5xx = s.injected_5xx.load(Ordering::Relaxed);
    let seen_resets = s.injected_resets.load(Ordering::Relaxed);
    if seen_5xx > fired_5xx || seen_resets > fired_resets {
        problems.push(format!("more faults seen ({seen_5xx} 5xx, {seen_resets} resets) than injected ({fired_5xx}, {fired_resets})"));
    }
    let state = ctx.admin(Method::GET, "/state", None).await;
    let (meetings, people, outside, broken) = checks::invariants(&state);
    problems.extend(broken);
    let after = checks::sentinel_views(ctx).await;
    for ((v, id), (b, a)) in checks::SENTINELS.iter().zip(before.iter().zip(&after)) {
        if b != a || b.is_null() {
            problems.push(format!(
                "{v} sentinel meeting {id} changed by refused requests"
            ));
        }
    }
    let (mid, last) = checks::thirds(rss);
    let limit = mid * (1.0 + a.rss_tolerance / 100.0) + 4096.0;
    if rss.len() < 3 || last > limit {
        problems.push(format!(
            "RSS grew: second third {mid:.0} KiB, last third {last:.0} KiB (limit {limit:.0})"
        ));
    }
    let tokens = state["tokens"].as_array().map_or(0, Vec::len);
    let summary = format!(
        "{:.0}s: {} requests ({} accepted, {} refused, {} business 5xx), faults injected: {} 5xx + {} resets (rules fired {} + {}), \
         {} must-refuse requests, RSS first {} KiB / second-third avg {mid:.0} / last-third avg {last:.0} / last {} KiB, \
         journal {kept}/{cap}, {meetings} meetings ({people} participants/invitees, {outside} of them phone/guest entries) \
         and {tokens} tokens checked, 0 panics",
        took.as_secs_f64(), s.requests.load(Ordering::Relaxed), s.accepted.load(Ordering::Relaxed),
        s.refused.load(Ordering::Relaxed), s.business_5xx.load(Ordering::Relaxed), seen_5xx, seen_resets,
        fired_5xx, fired_resets, s.tracked_refusals.load(Ordering::Relaxed),
        rss.first().copied().unwrap_or(0), rss.last().copied().unwrap_or(0),
    );
    if problems.is_empty() {
        Ok(summary)
    } else {
        Err(format!("{summary}\n  - {}", problems.join("\n  - ")))
    }
}
