//! The command line (every flag also a `MEETMOCK_*` environment variable) and the validated
//! server configuration.

use crate::store::VendorId;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;

/// meetmock — a high-fidelity mock of the Tencent Meeting, Feishu/Lark VC, DingTalk and Huawei
/// Cloud Meeting APIs. Point each vendor's official SDK at it and get what the real cloud answers.
#[derive(Debug, Parser)]
#[command(name = "meetmock", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve all four vendors and the admin API (with no flags: 127.0.0.1:8080, demo scenario).
    Serve(Box<Config>),
    /// Validate scenario files; prints `file:line:column: message` per problem, exits 1 on any.
    Check {
        /// Scenario files or directories (their *.yaml, *.yml, *.json).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Print every emulated endpoint (vendor, method, path, operation, auth) from the registry.
    Routes {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Check a running server over loopback (GET /__admin/health, no token needed): exit 0 when
    /// it answers ok. For container health checks; reads the same MEETMOCK_LISTEN* as serve.
    Health {
        /// The server's edge listener (0.0.0.0 / :: are reached over loopback).
        #[arg(long, env = "MEETMOCK_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// The server's admin listener, when it has one.
        #[arg(long, env = "MEETMOCK_LISTEN_ADMIN")]
        listen_admin: Option<SocketAddr>,
        /// Give up after this many milliseconds.
        #[arg(long, default_value_t = 2_000)]
        timeout_ms: u64,
    },
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// `meetmock serve` options: the server configuration.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Address of the edge listener: every vendor plus the admin API.
    #[arg(long, env = "MEETMOCK_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// A listener serving Tencent Meeting only.
    #[arg(long, env = "MEETMOCK_LISTEN_TENCENT")]
    pub listen_tencent: Option<SocketAddr>,
    /// A listener serving Feishu/Lark only.
    #[arg(long, env = "MEETMOCK_LISTEN_FEISHU")]
    pub listen_feishu: Option<SocketAddr>,
    /// A listener serving DingTalk only.
    #[arg(long, env = "MEETMOCK_LISTEN_DINGTALK")]
    pub listen_dingtalk: Option<SocketAddr>,
    /// A listener serving Huawei Cloud Meeting only.
    #[arg(long, env = "MEETMOCK_LISTEN_HUAWEI")]
    pub listen_huawei: Option<SocketAddr>,
    /// Serve the admin API only on this address instead of the edge listener (loopback only,
    /// unless --admin-token is set).
    #[arg(long, env = "MEETMOCK_LISTEN_ADMIN")]
    pub listen_admin: Option<SocketAddr>,
    /// Scenario file or directory to load (repeatable; comma-separated in the env variable).
    #[arg(long = "scenario", env = "MEETMOCK_SCENARIO", value_delimiter = ',')]
    pub scenarios: Vec<PathBuf>,
    /// Do not load the embedded demo scenario.
    #[arg(long, env = "MEETMOCK_NO_DEMO")]
    pub no_demo: bool,
    /// Seed for ids, fault probabilities and delays.
    #[arg(long, env = "MEETMOCK_SEED", default_value_t = 42)]
    pub seed: u64,
    /// PEM certificate chain to serve for TLS (with --tls-key); else a self-signed one is made.
    #[arg(long, env = "MEETMOCK_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert.
    #[arg(long, env = "MEETMOCK_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Write the served certificate (PEM) here so clients can trust it.
    #[arg(long, env = "MEETMOCK_WRITE_CERT")]
    pub write_cert: Option<PathBuf>,
    /// Require `Authorization: Bearer <token>` on the admin API (health excepted). Without one,
    /// the admin API answers loopback clients only.
    #[arg(long, env = "MEETMOCK_ADMIN_TOKEN")]
    pub admin_token: Option<String>,
    /// A host name admin requests may carry in `Host` besides IP addresses and loopback names
    /// (repeatable; DNS-rebinding guard, e.g. a docker-compose service name).
    #[arg(
        long = "admin-allowed-host",
        env = "MEETMOCK_ADMIN_ALLOWED_HOST",
        value_delimiter = ','
    )]
    pub admin_allowed_hosts: Vec<String>,
    /// Requests kept in the journal.
    #[arg(long, env = "MEETMOCK_JOURNAL_CAPACITY", default_value_t = 10_000)]
    pub journal_capacity: usize,
    /// Log format.
    #[arg(long, env = "MEETMOCK_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Refuse credentials not declared in a scenario instead of auto-provisioning a tenant.
    #[arg(long, env = "MEETMOCK_STRICT_TENANTS")]
    pub strict_tenants: bool,
    /// Largest request body accepted, in bytes.
    #[arg(long, env = "MEETMOCK_MAX_BODY_BYTES", default_value_t = 4 * 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Reload scenario files when they change (a bad edit is refused; the old rules stay).
    #[arg(long, env = "MEETMOCK_WATCH")]
    pub watch: bool,
    /// Keep the state in this file: restored on start, saved while running (see --persist) and
    /// on shutdown; written atomically. A corrupt file or an unwritable path is refused at start.
    #[arg(long, env = "MEETMOCK_STATE_FILE")]
    pub state_file: Option<PathBuf>,
    /// When --state-file is written: `on-change` (within about a second of any change),
    /// `interval` (every --persist-interval-ms when changed), `on-shutdown` (at exit only).
    #[arg(long, env = "MEETMOCK_PERSIST", value_enum, default_value_t = Persist::OnChange)]
    pub persist: Persist,
    /// The period of `--persist interval`, in milliseconds.
    #[arg(long, env = "MEETMOCK_PERSIST_INTERVAL_MS", default_value_t = 15_000)]
    pub persist_interval_ms: u64,
    /// Worker threads of the async runtime (0 = one per core).
    #[arg(long, env = "MEETMOCK_THREADS", default_value_t = 0)]
    pub threads: usize,
    /// Milliseconds a client may take to send a request head or finish a TLS handshake.
    #[arg(long, env = "MEETMOCK_HEADER_TIMEOUT_MS", default_value_t = 10_000)]
    pub header_timeout_ms: u64,
    /// Event deliveries kept waiting at most (beyond that new ones are dropped and counted);
    /// as many finished ones are kept for `GET /__admin/events`.
    #[arg(long, env = "MEETMOCK_EVENTS_CAPACITY", default_value_t = crate::events::DEFAULT_CAPACITY)]
    pub events_capacity: usize,
    /// PEM CA certificate(s) trusted for every HTTPS event receiver (besides the public roots
    /// and a subscription's own `ca_pem`).
    #[arg(long, env = "MEETMOCK_EVENTS_CA")]
    pub events_ca: Option<PathBuf>,
    /// Milliseconds a client may take to send a request body once its head arrived (408 after).
    #[arg(long, env = "MEETMOCK_BODY_TIMEOUT_MS", default_value_t = 10_000)]
    pub body_timeout_ms: u64,
    /// On shutdown, milliseconds in-flight requests get to finish before their connections are
    /// cut (a second SIGTERM/Ctrl-C cuts them at once). Idle connections close immediately.
    #[arg(long, env = "MEETMOCK_DRAIN_TIMEOUT_MS", default_value_t = 3_000)]
    pub drain_timeout_ms: u64,
}

/// When `--state-file` is written (LocalStack's persistence strategies are the model).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Persist {
    /// Saved within about a second of any change (and at exit): a crash loses at most that.
    #[default]
    OnChange,
    /// Saved every `--persist-interval-ms` when something changed (and at exit).
    Interval,
    /// Saved at a clean exit only: a crash loses everything since the start.
    OnShutdown,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            listen_tencent: None,
            listen_feishu: None,
            listen_dingtalk: None,
            listen_huawei: None,
            listen_admin: None,
            scenarios: Vec::new(),
            no_demo: false,
            seed: 42,
            tls_cert: None,
            tls_key: None,
            write_cert: None,
            admin_token: None,
            admin_allowed_hosts: Vec::new(),
            journal_capacity: 10_000,
            log_format: LogFormat::Text,
            strict_tenants: false,
            max_body_bytes: 4 * 1024 * 1024,
            watch: false,
            state_file: None,
            persist: Persist::OnChange,
            persist_interval_ms: 15_000,
            header_timeout_ms: 10_000,
            body_timeout_ms: 10_000,
            drain_timeout_ms: 3_000,
            threads: 0,
            events_capacity: crate::events::DEFAULT_CAPACITY,
            events_ca: None,
        }
    }
}

impl Config {
    /// The dedicated per-vendor listeners asked for.
    pub fn vendor_listeners(&self) -> Vec<(VendorId, SocketAddr)> {
        [
            (VendorId::Tencent, self.listen_tencent),
            (VendorId::Feishu, self.listen_feishu),
            (VendorId::Dingtalk, self.listen_dingtalk),
            (VendorId::Huawei, self.listen_huawei),
        ]
        .into_iter()
        .filter_map(|(v, a)| a.map(|a| (v, a)))
        .collect()
    }
}
