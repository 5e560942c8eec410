//! meetmock — a high-fidelity mock of four meeting vendors' HTTP APIs (Tencent Meeting,
//! Feishu/Lark VC, DingTalk video conference, Huawei Cloud Meeting).
//!
//! Crate map (dependencies point downwards):
//! - [`config`]: the command line → [`config::Config`].
//! - [`server`]: listeners, HTTP/TLS sniffing on one port, graceful shutdown; [`tls`] the cert.
//! - [`pipeline`]: the request lifecycle, written once (route → faults → auth → rate limit →
//!   handler → request-id header → journal); [`body`] the response body.
//! - [`admin`]: the `/__admin/` API (access control in `admin::access`); [`statefile`] the
//!   `--state-file` persistence; [`probe`] the `meetmock health` client.
//! - [`vendors`]: the vendor contract, the registry and one module per vendor.
//! - [`faults`], [`ratelimit`], [`journal`]: rules, limits, the request journal.
//! - [`scenario`]: YAML seed data and rules → the running state.
//! - [`store`]: the vendor-neutral domain (tenants, users, meetings, tokens, clock, ids, the
//!   change stream, simulated invitees, event subscriptions).
//! - [`events`]: event delivery — the outbox and sender fed by the change stream, formats from
//!   `vendors/<v>/events.rs`.
//! - [`ws`]: WebSocket endpoints on the same listeners (route table, handshake, sessions),
//!   used by vendors and by the event engine's push connections (`events::live`).
//! - [`app`]: the shared state tying these together; [`exchange`]: what a handler sees.

pub mod admin;
pub mod app;
pub mod body;
pub mod config;
pub mod events;
pub mod exchange;
pub mod faults;
pub mod journal;
pub mod pipeline;
pub mod probe;
pub mod ratelimit;
pub mod scenario;
pub mod server;
pub mod statefile;
pub mod store;
pub mod tls;
pub mod vendors;
pub mod ws;

use app::App;
use config::Config;
use pipeline::Scope;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::watch;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("scenario problems:\n{}", .0.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n"))]
    Scenario(Vec<scenario::Problem>),
    #[error(transparent)]
    Routes(#[from] vendors::router::RouteConflict),
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error("cannot write certificate to {path}: {source}")]
    WriteCert {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot listen: {0}")]
    Bind(std::io::Error),
    #[error(transparent)]
    StateFile(#[from] statefile::StateFileError),
    #[error("--events-ca {path}: {message}")]
    EventsCa { path: String, message: String },
    #[error("--listen-admin {0} is not a loopback address: the admin API can reset and rewrite everything, so it binds 127.0.0.1/::1 only unless --admin-token is set")]
    AdminExposed(std::net::SocketAddr),
}

/// How a server stopped: how its drain of in-flight requests ended (the state file, if any,
/// was saved).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stopped {
    pub drain: server::Drain,
}

/// The server task's result: how it stopped, or the final save that failed.
type Outcome = Result<Stopped, statefile::StateFileError>;

/// A running server.
pub struct Running {
    pub app: Arc<App>,
    /// Every listener's scope and bound address; the first is the edge listener.
    pub addrs: Vec<(Scope, SocketAddr)>,
    /// The served certificate, PEM.
    pub cert_pem: String,
    shutdown: watch::Sender<bool>,
    force: watch::Sender<bool>,
    task: tokio::task::JoinHandle<Outcome>,
}

impl Running {
    /// The edge listener's address.
    pub fn addr(&self) -> SocketAddr {
        self.addrs[0].1
    }

    /// Stops accepting, closes idle connections, drains in-flight requests (bounded by
    /// `--drain-timeout-ms`), saves the state file, and waits.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        let _ = self.task.await;
    }

    /// Waits until the server has stopped.
    pub async fn wait(self) {
        let _ = self.task.await;
    }

    /// Waits until the server has stopped; `Err` when the final save of the state file failed.
    pub async fn finish(self) -> Outcome {
        match self.task.await {
            Ok(r) => r,
            Err(_) => Ok(Stopped {
                drain: server::Drain::Forced,
            }),
        }
    }

    /// A handle that triggers shutdown.
    pub fn shutdown_handle(&self) -> watch::Sender<bool> {
        self.shutdown.clone()
    }

    /// A handle that, after shutdown began, cuts the in-flight requests at once.
    pub fn force_handle(&self) -> watch::Sender<bool> {
        self.force.clone()
    }
}

/// The scenarios a configuration asks for: the embedded demo unless `--no-demo`, then every
/// `--scenario` file in order.
pub fn scenarios_for(config: &Config) -> Result<Vec<scenario::Scenario>, Vec<scenario::Problem>> {
    let vendors = vendors::registry();
    let mut out = Vec::new();
    if !config.no_demo {
        out.push(scenario::parse(
            "<embedded demo>",
            scenario::DEMO,
            &vendors,
        )?);
    }
    out.extend(scenario::load_paths(&config.scenarios, &vendors)?);
    Ok(out)
}

/// Drops long-expired tokens once a minute so the token index stays bounded under endless
/// logins (clock advances also sweep, see the admin API).
fn spawn_token_sweep(app: Arc<App>, mut shutdown: watch::Receiver<bool>) {
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(std::time::Duration::from_secs(60)) => {}
                _ = shutdown.changed() => return,
            }
            let now = app.store.clock.now_ms();
            app.store.tokens.purge_expired(now, store::TOKEN_GRACE_MS);
        }
    });
}

/// Reads and checks `--events-ca`.
fn read_events_ca(path: &std::path::Path) -> Result<String, StartError> {
    let err = |message: String| StartError::EventsCa {
        path: path.display().to_string(),
        message,
    };
    let pem = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    vendors::events::check_ca(&pem).map_err(|e| err(e.message))?;
    Ok(pem)
}

/// Applies simulated-invitee steps as they fall due while the server clock runs (a clock
/// advance and every request also apply them; see `store::living`).
fn spawn_living(app: Arc<App>, mut shutdown: watch::Receiver<bool>) {
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = app.store.living.wait(&app.store.clock) => {}
                _ = shutdown.changed() => return,
            }
            app.store.run_due();
        }
    });
}

/// Loads scenarios, binds every listener and starts serving in the background.
pub async fn start(config: Config) -> Result<Running, StartError> {
    let scenarios = scenarios_for(&config).map_err(StartError::Scenario)?;
    start_with(config, scenarios).await
}

/// Starts with already validated scenarios (the configuration's own are not read).
pub async fn start_with(
    config: Config,
    scenarios: Vec<scenario::Scenario>,
) -> Result<Running, StartError> {
    start_extended(config, scenarios, Vec::new()).await
}

/// Like [`start_with`], with extra WebSocket endpoints served beside the vendors' (see
/// [`ws::Route`]): a program embedding meetmock can add its own push channels.
pub async fn start_extended(
    config: Config,
    scenarios: Vec<scenario::Scenario>,
    websockets: Vec<ws::Route>,
) -> Result<Running, StartError> {
    if let Some(addr) = config.listen_admin {
        if !addr.ip().is_loopback() && config.admin_token.is_none() {
            return Err(StartError::AdminExposed(addr));
        }
    }
    let tls = tls::build(config.tls_cert.as_deref(), config.tls_key.as_deref())?;
    if let Some(path) = &config.write_cert {
        std::fs::write(path, &tls.cert_pem).map_err(|source| StartError::WriteCert {
            path: path.display().to_string(),
            source,
        })?;
    }
    let events_ca = match &config.events_ca {
        Some(path) => Some(read_events_ca(path)?),
        None => None,
    };
    let watch_files = config.watch;
    let app = Arc::new(App::with_websockets(config, scenarios, websockets)?);
    if let Some(pem) = events_ca {
        app.events.webhook.trust(pem);
    }
    if let Some(path) = app.config.state_file.clone() {
        if let Some(s) = statefile::read(&app, &path)? {
            statefile::apply(&app, s);
        }
        // Written once now: an unwritable path is refused before anything is served.
        statefile::save_blocking(&app).await?;
    }
    let listeners = server::bind(&app).await.map_err(StartError::Bind)?;
    let addrs = server::addrs(&listeners);
    warn_if_admin_is_remote(&app, &addrs);
    let (tx, rx) = watch::channel(false);
    let (force_tx, force_rx) = watch::channel(false);
    if watch_files {
        faults::watch::spawn(Arc::clone(&app), rx.clone());
    }
    spawn_token_sweep(Arc::clone(&app), rx.clone());
    statefile::spawn_saver(Arc::clone(&app), rx.clone());
    spawn_living(Arc::clone(&app), rx.clone());
    events::spawn(Arc::clone(&app), rx.clone());
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::clone(&tls.config));
    let task = tokio::spawn(serve_then_save(
        Arc::clone(&app),
        listeners,
        acceptor,
        rx,
        force_rx,
    ));
    Ok(Running {
        app,
        addrs,
        cert_pem: tls.cert_pem,
        shutdown: tx,
        force: force_tx,
        task,
    })
}

/// Serves until shutdown; then saves at once (while requests drain) and again after the drain,
/// so a `docker stop` that kills after its grace period still finds the state on disk.
async fn serve_then_save(
    app: Arc<App>,
    listeners: Vec<server::Listener>,
    acceptor: tokio_rustls::TlsAcceptor,
    shutdown: watch::Receiver<bool>,
    force: watch::Receiver<bool>,
) -> Outcome {
    let mut signal = shutdown.clone();
    let early = Arc::clone(&app);
    let first_save = tokio::spawn(async move {
        if signal.wait_for(|s| *s).await.is_ok() {
            let _ = statefile::save_blocking(&early).await;
        }
    });
    let drain = server::run(Arc::clone(&app), listeners, acceptor, shutdown, force).await;
    let _ = first_save.await;
    if let Some(path) = &app.config.state_file {
        statefile::save_blocking(&app).await?;
        tracing::info!(path = %path.display(), "state saved");
    }
    Ok(Stopped { drain })
}

/// The admin API on a non-loopback edge listener without a token is served to loopback
/// clients only (see `admin/access.rs`): say so once at start.
fn warn_if_admin_is_remote(app: &App, addrs: &[(Scope, SocketAddr)]) {
    if app.config.admin_token.is_some() {
        return;
    }
    for (scope, addr) in addrs {
        if scope.admin && !addr.ip().is_loopback() {
            tracing::warn!(
                %addr,
                "the admin API answers loopback clients only: set --admin-token (MEETMOCK_ADMIN_TOKEN) to use it from elsewhere"
            );
        }
    }
}
