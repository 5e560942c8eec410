//! Listeners: plain HTTP and TLS on the same port (the first byte decides: 0x16 is a TLS
//! handshake), HTTP/1.1 keep-alive with title-case response headers (the Feishu SDK reads
//! `X-Tt-Logid` case-sensitively) and upgrades (WebSocket endpoints, `src/ws/`: an upgraded
//! connection leaves the drain and ends with its session, at shutdown), header-read
//! timeout, and shutdown in three steps: stop
//! accepting and close idle connections at once (also those that never sent a byte or are
//! half-way through a head), let in-flight requests finish for at most `--drain-timeout-ms`,
//! then cut what is left (at once on `force`, a second signal).

use crate::admin::access::ConnInfo;
use crate::app::App;
use crate::body::Body;
use crate::pipeline::{self, Outcome, Scope};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio_rustls::TlsAcceptor;

/// Marks a request that came over TLS: a request extension set on TLS connections only (so
/// plain requests allocate nothing), read into `Exchange::secure`.
#[derive(Debug, Clone, Copy)]
pub struct Tls;

/// Held by every open connection; the drain is over when the last one is dropped.
type OpenGuard = mpsc::Sender<()>;

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

/// What a connection watches besides its socket.
#[derive(Clone)]
struct Signals {
    /// Flips once at shutdown: stop reading new requests.
    shutdown: watch::Receiver<bool>,
    /// Flips when the drain is over: drop the connection whatever it is doing.
    cut: watch::Receiver<bool>,
}

/// How the drain after shutdown ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drain {
    /// Every in-flight request finished.
    Clean,
    /// `--drain-timeout-ms` passed: the rest were cut.
    Expired,
    /// `force` flipped (a second signal): the rest were cut.
    Forced,
}

/// Accepts connections until `shutdown` flips, then drains them: idle ones close at once,
/// in-flight requests get `--drain-timeout-ms` (less if `force` flips).
pub async fn run(
    app: Arc<App>,
    listeners: Vec<Listener>,
    tls: TlsAcceptor,
    mut shutdown: watch::Receiver<bool>,
    mut force: watch::Receiver<bool>,
) -> Drain {
    // Every connection holds a clone of `open`; once the accept loops stopped and the last
    // clone is dropped, `drained` resolves.
    let (open, mut drained_rx) = mpsc::channel::<()>(1);
    let (cut_tx, cut_rx) = watch::channel(false);
    let signals = Signals {
        shutdown: shutdown.clone(),
        cut: cut_rx,
    };
    let mut tasks = tokio::task::JoinSet::new();
    for l in listeners {
        let app = Arc::clone(&app);
        let tls = tls.clone();
        let open = open.clone();
        let mut stop = shutdown.clone();
        let signals = signals.clone();
        tasks.spawn(async move {
            loop {
                tokio::select! {
                    accepted = l.listener.accept() => {
                        let Ok((stream, peer)) = accepted else { continue };
                        let _ = stream.set_nodelay(true);
                        let conn = ConnInfo {
                            peer,
                            local: stream.local_addr().unwrap_or(peer),
                        };
                        tokio::spawn(connection(
                            Arc::clone(&app), stream, conn, l.scope, tls.clone(), open.clone(), signals.clone(),
                        ));
                    }
                    _ = stop.wait_for(|s| *s) => break,
                }
            }
        });
    }
    let _ = shutdown.wait_for(|s| *s).await;
    // The listeners close below: new connections are refused from now on. Live streams
    // (dashboard) end now; the drain then waits only for real requests.
    app.stopping.send_replace(true);
    while tasks.join_next().await.is_some() {}
    drop(open);
    let bound = Duration::from_millis(app.config.drain_timeout_ms);
    let drained = async move {
        let _ = drained_rx.recv().await;
    };
    tokio::pin!(drained);
    let end = tokio::select! {
        _ = &mut drained => Drain::Clean,
        _ = tokio::time::sleep(bound) => Drain::Expired,
        _ = force.wait_for(|f| *f) => Drain::Forced,
    };
    if end != Drain::Clean {
        tracing::warn!(?end, "shutdown: cutting the requests still in flight");
        let _ = cut_tx.send(true);
        let _ = tokio::time::timeout(Duration::from_secs(2), drained).await;
    }
    end
}

async fn connection(
    app: Arc<App>,
    stream: TcpStream,
    conn: ConnInfo,
    scope: Scope,
    tls: TlsAcceptor,
    open: OpenGuard,
    mut signals: Signals,
) {
    let header_timeout = Duration::from_millis(app.config.header_timeout_ms.max(1));
    let mut first = [0u8; 1];
    // A client that has not sent its first byte is idle: shutdown closes it at once.
    let peeked = tokio::select! {
        p = tokio::time::timeout(header_timeout, stream.peek(&mut first)) => p,
        _ = signals.shutdown.wait_for(|s| *s) => return,
    };
    let Ok(Ok(n)) = peeked else { return };
    if n == 0 {
        return;
    }
    if first[0] == 0x16 {
        let accepted = tokio::select! {
            a = tokio::time::timeout(header_timeout, tls.accept(stream)) => a,
            _ = signals.shutdown.wait_for(|s| *s) => return,
        };
        let Ok(Ok(tls_stream)) = accepted else { return };
        serve(
            app,
            TokioIo::new(tls_stream),
            conn,
            scope,
            true,
            open,
            signals,
        )
        .await;
    } else {
        serve(app, TokioIo::new(stream), conn, scope, false, open, signals).await;
    }
}

async fn serve<I>(
    app: Arc<App>,
    io: TokioIo<I>,
    conn: ConnInfo,
    scope: Scope,
    tls: bool,
    open: OpenGuard,
    signals: Signals,
) where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static + SocketRef,
{
    let socket = io.inner().socket();
    let header_timeout = Duration::from_millis(app.config.header_timeout_ms.max(1));
    let shutdown = signals.shutdown.clone();
    let mut cut = signals.cut;
    // Canonical once per connection (a dual-stack listener's `::ffff:a.b.c.d` is IPv4): a
    // `Copy` value handed to every request, no allocation.
    let peer = conn.peer.ip().to_canonical();
    let busy = Arc::new(Busy::default());
    let in_service = Arc::clone(&busy);
    let svc = service_fn(move |mut req: http::Request<hyper::body::Incoming>| {
        // Only the admin API asks who is calling (an extension allocates: not per vendor call).
        if req.uri().path().starts_with("/__admin") {
            req.extensions_mut().insert(conn);
        }
        if tls {
            req.extensions_mut().insert(Tls);
        }
        let app = Arc::clone(&app);
        let mut shutdown = shutdown.clone();
        let socket = socket.clone();
        // Busy from the complete head until the response body is written.
        let guard = Busy::enter(&in_service);
        async move {
            match pipeline::handle(&app, scope, peer, req).await {
                Outcome::Respond(r) => Ok::<_, Aborted>(r.map(|body| Tracked {
                    body,
                    _guard: guard,
                })),
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
    let served = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .keep_alive(true)
        .title_case_headers(true)
        .serve_connection(io, svc)
        .with_upgrades();
    tokio::pin!(served);
    // Dropping the connection closes its socket (and `open`, which tells the drain): when it
    // ends or was upgraded, on `cut`, or at shutdown when it is between requests (idle, or a
    // head still arriving). At shutdown hyper is asked to finish the request in flight and
    // then close.
    let idle = idle_at_shutdown(signals.shutdown.clone(), busy);
    tokio::pin!(idle);
    let mut shutdown = signals.shutdown;
    let mut draining = false;
    loop {
        tokio::select! {
            _ = served.as_mut() => break,
            _ = shutdown.wait_for(|s| *s), if !draining => {
                draining = true;
                served.as_mut().graceful_shutdown();
            }
            _ = cut.wait_for(|c| *c) => break,
            _ = &mut idle => break,
        }
    }
    drop(open);
}

/// How many requests of one connection are being served (head read, response not yet written).
#[derive(Debug, Default)]
struct Busy(AtomicUsize);

/// Marks a request busy until dropped (with the response body).
struct BusyGuard(Arc<Busy>);

impl Busy {
    fn enter(busy: &Arc<Busy>) -> BusyGuard {
        busy.0.fetch_add(1, Ordering::AcqRel);
        BusyGuard(Arc::clone(busy))
    }

    fn idle(&self) -> bool {
        self.0.load(Ordering::Acquire) == 0
    }
}

impl Drop for BusyGuard {
    fn drop(&mut self) {
        self.0 .0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Resolves when shutdown finds the connection between requests (still so after a short grace
/// that lets an answer just completed reach the socket); pending otherwise, so a request in
/// flight is drained by hyper's graceful shutdown instead.
async fn idle_at_shutdown(mut shutdown: watch::Receiver<bool>, busy: Arc<Busy>) {
    let _ = shutdown.wait_for(|s| *s).await;
    if busy.idle() {
        tokio::time::sleep(IDLE_GRACE).await;
        if busy.idle() {
            return;
        }
    }
    std::future::pending::<()>().await
}

/// See [`idle_at_shutdown`].
const IDLE_GRACE: Duration = Duration::from_millis(100);

/// A response body that keeps its request marked busy until hyper drops it (written or cut).
struct Tracked {
    body: Body,
    _guard: BusyGuard,
}

impl http_body::Body for Tracked {
    type Data = bytes::Bytes;
    type Error = <Body as http_body::Body>::Error;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        std::pin::Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
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

/// A listener that could not be bound: which address, asked for by which flag, and why.
#[derive(Debug, thiserror::Error)]
#[error("cannot listen on {addr} ({flag}): {}", explain(.error, .addr))]
pub struct BindError {
    pub addr: SocketAddr,
    pub flag: String,
    /// Said in the message (not chained: the message already explains it).
    pub error: std::io::Error,
}

/// The bind failure in words, with what to do about it.
fn explain(e: &std::io::Error, addr: &SocketAddr) -> String {
    let free = if addr.is_ipv6() {
        "[::1]:0"
    } else {
        "127.0.0.1:0"
    };
    match e.kind() {
        std::io::ErrorKind::AddrInUse => format!(
            "address already in use; another server (another meetmock?) has that port: stop \
             it, or let the system pick a free port with --listen {free} (the banner says which)"
        ),
        std::io::ErrorKind::AddrNotAvailable => {
            format!("{e}; is {} an address of this machine?", addr.ip())
        }
        std::io::ErrorKind::PermissionDenied if addr.port() < 1024 => {
            format!("{e}; ports below 1024 need privileges: use a higher one, or {free}")
        }
        _ => e.to_string(),
    }
}

async fn bind_one(addr: SocketAddr, flag: &str) -> Result<TcpListener, BindError> {
    TcpListener::bind(addr).await.map_err(|error| BindError {
        addr,
        flag: flag.to_string(),
        error,
    })
}

/// Binds every address; the edge listener serves everything, `--listen-<vendor>` listeners one
/// vendor, `--listen-admin` only the admin API (and then the edge listener does not).
pub async fn bind(app: &App) -> Result<Vec<Listener>, BindError> {
    let c = &app.config;
    let separate_admin = c.listen_admin.is_some();
    let mut out = vec![Listener {
        listener: bind_one(c.listen, "--listen").await?,
        scope: Scope {
            only: None,
            vendors: true,
            admin: !separate_admin,
        },
    }];
    for (vendor, addr) in c.vendor_listeners() {
        out.push(Listener {
            listener: bind_one(addr, &format!("--listen-{vendor}")).await?,
            scope: Scope {
                only: Some(vendor),
                vendors: true,
                admin: false,
            },
        });
    }
    if let Some(addr) = c.listen_admin {
        out.push(Listener {
            listener: bind_one(addr, "--listen-admin").await?,
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
