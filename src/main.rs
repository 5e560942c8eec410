//! The `meetmock` binary: parses the command line and runs `serve`, `check`, `routes`,
//! `scenarios` or `health` (the printing ones live in `commands.rs`, the log and banner in
//! `logging/`). `serve` stops on SIGTERM/Ctrl-C (idle connections close, in-flight requests drain,
//! the state file is saved); a second signal cuts the drain short (still saving), a third exits
//! at once.

use anyhow::Context;
use clap::Parser;
use meetmock::config::{Cli, Command, Config};
use meetmock::{commands, logging};
use std::io::Write;
use std::process::ExitCode;

/// jemalloc: the request path allocates many small short-lived buffers; glibc malloc spent ~17%
/// of server time there (perf, bench/run.py). mimalloc was as fast but eagerly commits an arena
/// (+14 MiB idle RSS); jemalloc keeps the idle footprint small.
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(config) => serve(*config),
        Command::Check { paths } => commands::check(&paths),
        Command::Routes { json } => commands::routes(json),
        Command::Scenarios { name } => commands::scenarios(name.as_deref()),
        Command::Health {
            listen,
            listen_admin,
            timeout_ms,
        } => commands::health(meetmock::probe::target(listen, listen_admin), timeout_ms),
    }
}

/// `meetmock serve`: logs on stderr, the banner once listening; a start-up failure is said in
/// one line on stderr (after whatever was logged) and exits 1.
fn serve(config: Config) -> ExitCode {
    let mut log = match logging::init(config.log_format, &config.log) {
        Ok(l) => l,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "meetmock: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = run(config, &mut log);
    // Flushes what is queued before the last words.
    drop(log);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "meetmock: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(config: Config, log: &mut logging::Logger) -> anyhow::Result<()> {
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
        // Handled before the banner says "listening": a SIGTERM right after it shuts down
        // cleanly.
        let mut signals = Signals::new();
        let running = meetmock::start(config).await?;
        logging::banner(log, &running, demo);
        let stop = running.shutdown_handle();
        let force = running.force_handle();
        tokio::spawn(async move {
            signals.next().await;
            tracing::info!("shutting down: idle connections closed, draining in-flight requests (a second signal cuts them)");
            let _ = stop.send(true);
            signals.next().await;
            tracing::warn!("second signal: cutting in-flight requests, then saving");
            let _ = force.send(true);
            signals.next().await;
            let _ = writeln!(std::io::stderr(), "meetmock: third signal: exiting now, without saving");
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
