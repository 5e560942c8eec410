//! The `meetmock` binary: parses the command line and runs `serve`, `check`, `routes` or
//! `health`. `serve` stops on SIGTERM/Ctrl-C (idle connections close, in-flight requests drain,
//! the state file is saved); a second signal cuts the drain short (still saving), a third exits
//! at once.

use anyhow::Context;
use clap::Parser;
use meetmock::config::{Cli, Command, Config, LogFormat};
use meetmock::store::VendorId;
use std::process::ExitCode;

/// jemalloc: the request path allocates many small short-lived buffers; glibc malloc spent ~17%
/// of server time there (perf, bench/run.py). mimalloc was as fast but eagerly commits an arena
/// (+14 MiB idle RSS); jemalloc keeps the idle footprint small.
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(config) => match serve(*config) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("meetmock: {e:#}");
                ExitCode::FAILURE
            }
        },
        Command::Check { paths } => check(&paths),
        Command::Routes { json } => {
            routes(json);
            ExitCode::SUCCESS
        }
        Command::Health {
            listen,
            listen_admin,
            timeout_ms,
        } => {
            let addr = meetmock::probe::target(listen, listen_admin);
            match meetmock::probe::check(addr, std::time::Duration::from_millis(timeout_ms)) {
                Ok(body) => {
                    println!("{body}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("meetmock health: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("MEETMOCK_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

fn serve(config: Config) -> anyhow::Result<()> {
    init_logging(config.log_format);
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if config.threads > 0 {
        builder.worker_threads(config.threads);
    }
    let runtime = builder
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let demo = !config.no_demo;
        let state_file = config.state_file.clone();
        let running = meetmock::start(config).await?;
        print_banner(&running, demo);
        let stop = running.shutdown_handle();
        let force = running.force_handle();
        let mut signals = Signals::new();
        tokio::spawn(async move {
            signals.next().await;
            tracing::info!("shutting down: idle connections closed, draining in-flight requests (a second signal cuts them)");
            let _ = stop.send(true);
            signals.next().await;
            eprintln!("meetmock: second signal: cutting in-flight requests, then saving");
            let _ = force.send(true);
            signals.next().await;
            eprintln!("meetmock: third signal: exiting now, without saving");
            std::process::exit(130);
        });
        let stopped = running.finish().await?;
        if stopped.drain == meetmock::server::Drain::Forced {
            let saved = match &state_file {
                Some(p) => format!("; state saved to {}", p.display()),
                None => String::new(),
            };
            anyhow::bail!("forced exit: in-flight requests were cut{saved}");
        }
        Ok(())
    })
}

/// SIGTERM and SIGINT (Ctrl-C), each delivery counted once.
struct Signals {
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    int: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    fn new() -> Signals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Signals {
                term: signal(SignalKind::terminate()).ok(),
                int: signal(SignalKind::interrupt()).ok(),
            }
        }
        #[cfg(not(unix))]
        Signals {}
    }

    async fn next(&mut self) {
        #[cfg(unix)]
        {
            async fn recv(s: &mut Option<tokio::signal::unix::Signal>) {
                match s {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            }
            tokio::select! {
                _ = recv(&mut self.term) => {}
                _ = recv(&mut self.int) => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

fn print_banner(running: &meetmock::Running, demo: bool) {
    let addr = running.addr();
    let base = format!("http://{addr}");
    println!(
        "meetmock {} listening on {base} (HTTP and HTTPS on the same port)",
        env!("CARGO_PKG_VERSION")
    );
    for (scope, a) in running.addrs.iter().skip(1) {
        match scope.only {
            Some(v) => println!("  {v} only on http://{a}"),
            None => println!("  admin API on http://{a}/__admin/"),
        }
    }
    println!("  admin API: {base}/__admin/health   routes: meetmock routes");
    match running.addrs.iter().skip(1).find(|(s, _)| s.admin) {
        Some((_, a)) => println!("  dashboard: http://{a}/__admin/ui"),
        None => println!("  dashboard: {base}/__admin/ui"),
    }
    if !demo {
        return;
    }
    println!("demo credentials (scenarios/demo.yaml):");
    for t in running.app.store.tenants() {
        let extra: Vec<String> = t
            .credentials
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let label = match t.vendor {
            VendorId::Tencent => "AppId",
            VendorId::Feishu => "app_id",
            VendorId::Dingtalk => "appKey",
            VendorId::Huawei => "corp",
        };
        let mut extra = extra;
        if t.vendor == VendorId::Huawei {
            // The SDK's default login is account + password.
            // A meeting host's account first (it can start and control the demo meetings).
            let account = t.with(|d| {
                let with_password = |u: &meetmock::store::User| {
                    u.password
                        .clone()
                        .map(|p| format!("account={} password={p}", u.id))
                };
                d.meetings
                    .values()
                    .filter_map(|m| m.host.as_deref().and_then(|h| d.user(h)))
                    .find_map(with_password)
                    .or_else(|| d.users().find_map(with_password))
            });
            extra.extend(account);
        }
        println!(
            "  {:<8} {label}={} secret={}{}{}",
            t.vendor.as_str(),
            t.id,
            t.secret,
            if extra.is_empty() { "" } else { " " },
            extra.join(" ")
        );
    }
    if let Some(t) = running
        .app
        .store
        .tenants()
        .into_iter()
        .find(|t| t.vendor == VendorId::Feishu)
    {
        println!("try:");
        println!(
            "  curl -s -X POST {base}/open-apis/auth/v3/tenant_access_token/internal -d '{{\"app_id\":\"{}\",\"app_secret\":\"{}\"}}'",
            t.id, t.secret
        );
    }
}

fn check(paths: &[std::path::PathBuf]) -> ExitCode {
    let vendors = meetmock::vendors::registry();
    let files = match meetmock::scenario::load::expand_paths(paths) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("meetmock check: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut bad = 0;
    for f in &files {
        match meetmock::scenario::load::load_file(f, &vendors) {
            Ok(s) => println!(
                "{}: ok ({} tenants, {} behaviours, {} fault rules)",
                f.display(),
                s.tenants.len(),
                s.tenants.iter().map(|t| t.behaviours.len()).sum::<usize>(),
                s.faults.len()
            ),
            Err(problems) => {
                bad += 1;
                for p in problems {
                    eprintln!("{p}");
                }
            }
        }
    }
    if files.is_empty() {
        eprintln!("meetmock check: no scenario files found");
        return ExitCode::FAILURE;
    }
    if bad > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn routes(json: bool) {
    let vendors = meetmock::vendors::registry();
    let mut rows = Vec::new();
    for v in &vendors {
        for r in v.routes() {
            rows.push((
                v.id().as_str(),
                r.method.as_str(),
                r.path,
                r.operation,
                r.auth.describe(),
            ));
        }
    }
    if json {
        let list: Vec<serde_json::Value> = rows
            .iter()
            .map(|(v, m, p, o, a)| serde_json::json!({"vendor": v, "method": m, "path": p, "operation": o, "auth": a}))
            .collect();
        println!("{}", serde_json::Value::Array(list));
        return;
    }
    println!(
        "{:<9} {:<7} {:<70} {:<36} AUTH",
        "VENDOR", "METHOD", "PATH", "OPERATION"
    );
    for (v, m, p, o, a) in rows {
        println!("{v:<9} {m:<7} {p:<70} {o:<36} {a}");
    }
}
