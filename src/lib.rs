//! meetmock — a high-fidelity mock of four meeting vendors' HTTP APIs (Tencent Meeting,
//! Feishu/Lark VC, DingTalk video conference, Huawei Cloud Meeting).
//!
//! Crate map (dependencies point downwards):
//! - [`config`]: the command line → [`config::Config`].
//! - [`server`]: listeners, HTTP/TLS sniffing on one port, graceful shutdown; [`tls`] the cert.
//! - [`pipeline`]: the request lifecycle, written once (route → faults → auth → rate limit →
//!   handler → request-id header → journal); [`body`] the response body.
//! - [`admin`]: the `/__admin/` API.
//! - [`vendors`]: the vendor contract, the registry and one module per vendor.
//! - [`faults`], [`ratelimit`], [`journal`]: rules, limits, the request journal.
//! - [`scenario`]: YAML seed data and rules → the running state.
//! - [`store`]: the vendor-neutral domain (tenants, users, meetings, tokens, clock, ids, the
//!   change stream, simulated invitees, event subscriptions).
//! - [`events`]: event delivery — the outbox and sender fed by the change stream, formats from
//!   `vendors/<v>/events.rs`.
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
pub mod ratelimit;
pub mod scenario;
pub mod server;
pub mod statefile;
pub mod store;
pub mod tls;
pub mod vendors;

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

/// A running server.
pub struct Running {
    pub app: Arc<App>,
    /// Every listener's scope and bound address; the first is the edge listener.
    pub addrs: Vec<(Scope, SocketAddr)>,
    /// The served certificate, PEM.
    pub cert_pem: String,
    shutdown: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    /// The edge listener's address.
    pub fn addr(&self) -> SocketAddr {
        self.addrs[0].1
    }

    /// Stops accepting, lets in-flight requests finish (bounded), and waits.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        let _ = self.task.await;
    }

    /// Waits until the server has stopped.
    pub async fn wait(self) {
        let _ = self.task.await;
    }

    /// A handle that triggers shutdown.
    pub fn shutdown_handle(&self) -> watch::Sender<bool> {
        self.shutdown.clone()
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
    let saved = match &config.state_file {
        Some(path) => statefile::read(path)?,
        None => None,
    };
    let app = Arc::new(App::new(config, scenarios)?);
    if let Some(pem) = events_ca {
        app.events.webhook.trust(pem);
    }
    if let (Some(s), Some(path)) = (saved, app.config.state_file.clone()) {
        statefile::apply(&app, &path, s)?;
    }
    let listeners = server::bind(&app).await.map_err(StartError::Bind)?;
    let addrs = server::addrs(&listeners);
    let (tx, rx) = watch::channel(false);
    if watch_files {
        faults::watch::spawn(Arc::clone(&app), rx.clone());
    }
    spawn_token_sweep(Arc::clone(&app), rx.clone());
    spawn_living(Arc::clone(&app), rx.clone());
    events::spawn(Arc::clone(&app), rx.clone());
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::clone(&tls.config));
    let served = Arc::clone(&app);
    let task = tokio::spawn(async move {
        server::run(Arc::clone(&served), listeners, acceptor, rx).await;
        if let Some(path) = &served.config.state_file {
            match statefile::save(&served, path) {
                Ok(()) => tracing::info!(path = %path.display(), "state saved"),
                Err(e) => tracing::error!("{e}"),
            }
        }
    });
    Ok(Running {
        app,
        addrs,
        cert_pem: tls.cert_pem,
        shutdown: tx,
        task,
    })
}
