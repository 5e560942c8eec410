//! Listeners: plain HTTP and TLS on the same port (the first byte decides: 0x16 is a TLS
//! handshake), HTTP/1.1 keep-alive with title-case response headers (the Feishu SDK reads
//! `X-Tt-Logid` case-sensitively), header-read timeout, and graceful shutdown that lets
//! in-flight requests finish.

use crate::app::App;
use crate::pipeline::{self, Outcome, Scope};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

/// A bound listener and what it serves.
pub struct Listener {
    pub listener: TcpListener,
    pub scope: Scope,
}

/// Why a connection was aborted on purpose.
#[derive(Debug)]
struct Aborted;

impl std::fmt::Display for Aborted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("aborted by a fault rule")
    }
}

impl std::error::Error for Aborted {}

/// Accepts connections until `shutdown` flips, then waits (bounded) for open connections.
pub async fn run(
    app: Arc<App>,
    listeners: Vec<Listener>,
    tls: TlsAcceptor,
    mut shutdown: watch::Receiver<bool>,
) {
    // Shared by the accept loops to hand a watcher to each connection; taken back whole once
    // they stop, to wait for open connections.
    let graceful = Arc::new(GracefulShutdown::new());
    let mut tasks = tokio::task::JoinSet::new();
    for l in listeners {
        let app = Arc::clone(&app);
        let tls = tls.clone();
        let graceful = Arc::clone(&graceful);
        let mut stop = shutdown.clone();
        let shutdown_rx = shutdown.clone();
        tasks.spawn(async move {
            loop {
                tokio::select! {
                    accepted = l.listener.accept() => {
                        let Ok((stream, _peer)) = accepted else { continue };
                        let _ = stream.set_nodelay(true);
                        tokio::spawn(connection(
                            Arc::clone(&app), stream, l.scope, tls.clone(), graceful.watcher(), shutdown_rx.clone(),
                        ));
                    }
                    _ = stop.changed() => break,
                }
            }
        });
    }
    let _ = shutdown.wait_for(|s| *s).await;
    // Live streams (dashboard) end now; graceful shutdown then waits only for real requests.
    app.stopping.send_replace(true);
    while tasks.join_next().await.is_some() {}
    if let Ok(graceful) = Arc::try_unwrap(graceful) {
        let _ = tokio::time::timeout(Duration::from_secs(10), graceful.shutdown()).await;
    }
}

async fn connection(
    app: Arc<App>,
    stream: TcpStream,
    scope: Scope,
    tls: TlsAcceptor,
    watcher: Watcher,
    shutdown: watch::Receiver<bool>,
) {
    let header_timeout = Duration::from_millis(app.config.header_timeout_ms.max(1));
    let mut first = [0u8; 1];
    let peeked = tokio::time::timeout(header_timeout, stream.peek(&mut first)).await;
    let Ok(Ok(n)) = peeked else { return };
    if n == 0 {
        return;
    }
    if first[0] == 0x16 {
        let accepted = tokio::time::timeout(header_timeout, tls.accept(stream)).await;
        let Ok(Ok(tls_stream)) = accepted else { return };
        serve(app, TokioIo::new(tls_stream), scope, watcher, shutdown).await;
    } else {
        serve(app, TokioIo::new(stream), scope, watcher, shutdown).await;
    }
}

async fn serve<I>(
    app: Arc<App>,
    io: TokioIo<I>,
    scope: Scope,
    watcher: Watcher,
    shutdown: watch::Receiver<bool>,
) where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static + SocketRef,
{
    let socket = io.inner().socket();
    let header_timeout = Duration::from_millis(app.config.header_timeout_ms.max(1));
    let svc = service_fn(move |req| {
        let app = Arc::clone(&app);
        let mut shutdown = shutdown.clone();
        let socket = socket.clone();
        async move {
            match pipeline::handle(&app, scope, req).await {
                Outcome::Respond(r) => Ok::<_, Aborted>(r),
                Outcome::Abort { reset: rst } => {
                    if rst {
                        // SO_LINGER 0 makes the close that follows send an RST.
                        if let Some(s) = socket {
                            s.linger_zero();
                        }
                    }
                    Err(Aborted)
                }
                Outcome::Hang => {
                    let _ = shutdown.wait_for(|s| *s).await;
                    Err(Aborted)
                }
            }
        }
    });
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .keep_alive(true)
        .title_case_headers(true)
        .serve_connection(io, svc);
    let _ = watcher.watch(conn).await;
}

/// Access to the TCP socket under a stream, to turn an abort into a TCP reset.
pub trait SocketRef {
    fn socket(&self) -> Option<SocketHandle>;
}

/// A duplicate of a connection's socket descriptor, used only to set SO_LINGER 0.
#[derive(Clone)]
pub struct SocketHandle(Arc<socket2::Socket>);

impl SocketHandle {
    fn linger_zero(&self) {
        let _ = self.0.set_linger(Some(Duration::ZERO));
    }
}

impl SocketRef for TcpStream {
    fn socket(&self) -> Option<SocketHandle> {
        socket2::SockRef::from(self)
            .try_clone()
            .ok()
            .map(|s| SocketHandle(Arc::new(s)))
    }
}

impl SocketRef for tokio_rustls::server::TlsStream<TcpStream> {
    fn socket(&self) -> Option<SocketHandle> {
        self.get_ref().0.socket()
    }
}

/// Binds every address; the edge listener serves everything, `--listen-<vendor>` listeners one
/// vendor, `--listen-admin` only the admin API (and then the edge listener does not).
pub async fn bind(app: &App) -> std::io::Result<Vec<Listener>> {
    let c = &app.config;
    let separate_admin = c.listen_admin.is_some();
    let mut out = vec![Listener {
        listener: TcpListener::bind(c.listen).await?,
        scope: Scope {
            only: None,
            vendors: true,
            admin: !separate_admin,
        },
    }];
    for (vendor, addr) in c.vendor_listeners() {
        out.push(Listener {
            listener: TcpListener::bind(addr).await?,
            scope: Scope {
                only: Some(vendor),
                vendors: true,
                admin: false,
            },
        });
    }
    if let Some(addr) = c.listen_admin {
        out.push(Listener {
            listener: TcpListener::bind(addr).await?,
            scope: Scope {
                only: None,
                vendors: false,
                admin: true,
            },
        });
    }
    Ok(out)
}

/// The local addresses of bound listeners.
pub fn addrs(listeners: &[Listener]) -> Vec<(Scope, SocketAddr)> {
    listeners
        .iter()
        .filter_map(|l| l.listener.local_addr().ok().map(|a| (l.scope, a)))
        .collect()
}
