//! WebSocket endpoints on the edge listener, written once for every vendor and the event
//! engine (Feishu's long connection, DingTalk Stream mode, Huawei's meeting WebSocket, …).
//!
//! - A [`Route`] names a path (matchit syntax), the vendor that owns it, an operation name
//!   (journal, fault rules, logs, `GET /__admin/connections`), the session [`Config`] and an
//!   accept check that reads the upgrade request as an [`Exchange`] and either accepts it —
//!   naming the tenant and the session to run — or refuses it with the vendor's own HTTP
//!   answer. Vendors list theirs in [`crate::vendors::Vendor::websockets`]; the engine adds
//!   the push endpoints of event formats ([`crate::events::live`]).
//! - [`serve`] is the upgrade's pipeline: request id → fault rules (as for any request) →
//!   the RFC 6455 handshake check (`handshake.rs`: 400, or 426 for another version) → the
//!   accept check → the session's protocol started and the session shown → `101 Switching
//!   Protocols` with the vendor's request-id header → journal. The upgraded connection is then
//!   handed to the session loop (`session.rs`) in its own task.
//! - `session.rs` owns the socket: data messages go to the session's [`Conn`], pings are
//!   answered, silence is bounded ([`Config::idle`]), a slow reader is cut
//!   ([`Config::write_timeout`]), and every session ends with a Close frame (1001) when the
//!   server starts shutting down ([`App::stopping`]), like the dashboard's live stream.
//!   `registry.rs` lists the open sessions for the admin API.
//!
//! Plain and TLS connections upgrade alike: the listener sniffs TLS first (`server.rs`) and
//! serves HTTP/1.1 with upgrades on both.

mod handshake;
pub mod registry;
mod session;

pub use registry::{Info, Sessions};
pub use session::{Conn, Inbound, Sender};

use crate::app::App;
use crate::exchange::{Exchange, Note, Reply};
use crate::faults::{Action, FaultInput};
use crate::pipeline::{self, Outcome, Scope};
use crate::store::VendorId;
use crate::vendors::router::RouteConflict;
use crate::vendors::{Auth, Route as HttpRoute};
use http::request::Parts;
use http::{Method, StatusCode};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Path parameters of a matched route, percent-decoded.
pub type Params = Vec<(String, String)>;

/// A boxed session future.
pub type BoxFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// What runs an accepted session: given the server state and the connection, it serves the
/// vendor's protocol until `Conn::recv` says the connection is gone. It is called before the
/// `101` is sent: what it does before returning its future (registering the client with an
/// engine) is done by the time the client is connected; what the future sends waits for the
/// socket.
pub type Run = Box<dyn FnOnce(Arc<App>, Conn) -> BoxFuture + Send>;

/// An accept check: the upgrade request (its query, headers and the server state through
/// `ex.app`) → the session, or the vendor's refusal sent as the handshake's answer.
pub type Accept = Arc<dyn Fn(&mut Exchange<'_>) -> Result<Accepted, Reply> + Send + Sync>;

/// An accepted upgrade.
pub struct Accepted {
    /// The tenant the session belongs to (journal, connections view).
    pub tenant: Option<String>,
    /// Extra headers of the `101` answer.
    pub headers: Vec<(String, String)>,
    pub run: Run,
}

/// How a session's socket is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Close the connection (1001) after this much silence from the client (real time: a
    /// transport timeout, like an HTTP client's; the server clock moves in jumps under tests).
    pub idle: Duration,
    /// Send a WebSocket ping after this much silence, to learn whether the client is there.
    pub keepalive: Option<Duration>,
    /// Largest message accepted from the client (bigger: closed with 1009).
    pub max_message: usize,
    /// A write the client does not take within this is a dead reader: the session ends.
    pub write_timeout: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            idle: Duration::from_secs(600),
            keepalive: None,
            max_message: 1 << 20,
            write_timeout: Duration::from_secs(10),
        }
    }
}

/// One WebSocket endpoint.
pub struct Route {
    pub vendor: VendorId,
    /// The endpoint as the pipeline's helpers see it (path, operation, `Auth::Open`, and the
    /// answer to a request that is no upgrade). Built once at start and never freed.
    pub http: &'static HttpRoute,
    pub config: Config,
    pub accept: Accept,
}

impl Route {
    /// A route at `path` (matchit syntax) named `operation`.
    pub fn new(
        vendor: VendorId,
        path: &'static str,
        operation: &'static str,
        config: Config,
        accept: Accept,
    ) -> Route {
        let http: &'static HttpRoute = Box::leak(Box::new(HttpRoute {
            method: Method::GET,
            path,
            operation,
            auth: Auth::Open,
            handler: handshake::not_an_upgrade,
            meeting_param: None,
        }));
        Route {
            vendor,
            http,
            config,
            accept,
        }
    }
}

/// Every WebSocket endpoint, compiled into one router, and the open sessions.
pub struct Ws {
    router: matchit::Router<Arc<Route>>,
    /// `(path, vendor, operation)` of every route, for `meetmock routes` and the admin API.
    list: Vec<(&'static str, VendorId, &'static str)>,
    pub sessions: Sessions,
}

impl Ws {
    /// Compiles `routes`.
    pub fn new(routes: Vec<Route>) -> Result<Ws, RouteConflict> {
        let mut router = matchit::Router::new();
        let mut list = Vec::new();
        for r in routes {
            let path = r.http.path;
            list.push((path, r.vendor, r.http.operation));
            let vendor = r.vendor;
            router
                .insert(path, Arc::new(r))
                .map_err(|e| RouteConflict {
                    vendor,
                    path: format!("{path} (websocket)"),
                    message: e.to_string(),
                })?;
        }
        Ok(Ws {
            router,
            list,
            sessions: Sessions::default(),
        })
    }

    /// The route serving a GET of `path` on a listener of `scope`, if any.
    pub fn find(&self, scope: Scope, method: &Method, path: &str) -> Option<(Arc<Route>, Params)> {
        if method != Method::GET || !scope.vendors {
            return None;
        }
        let m = self.router.at(path).ok()?;
        if scope.only.is_some_and(|o| o != m.value.vendor) {
            return None;
        }
        let params = m
            .params
            .iter()
            .map(|(k, v)| (k.to_string(), crate::exchange::decode_path(v)))
            .collect();
        Some((Arc::clone(m.value), params))
    }

    /// `(path, vendor, operation)` of every route (`meetmock routes`, admin).
    pub fn routes(&self) -> &[(&'static str, VendorId, &'static str)] {
        &self.list
    }
}

/// Serves a request for a WebSocket route: the upgrade's pipeline (see the module docs).
pub async fn serve(
    app: &Arc<App>,
    mut parts: Parts,
    peer: std::net::IpAddr,
    route: Arc<Route>,
    params: Params,
) -> Outcome {
    let started = Instant::now();
    let v = app.vendor(route.vendor);
    let target = parts
        .uri
        .path_and_query()
        .map_or(parts.uri.path(), |p| p.as_str())
        .to_string();
    let (raw_path, raw_query) = target.split_once('?').unwrap_or((&target, ""));
    let upgrade = parts.extensions.remove::<hyper::upgrade::OnUpgrade>();
    let secure = parts.extensions.get::<crate::server::Tls>().is_some();
    let mut ex = Exchange {
        app,
        vendor: route.vendor,
        route: route.http,
        method: &parts.method,
        target: &target,
        path: raw_path,
        raw_query,
        params,
        headers: &parts.headers,
        body: bytes::Bytes::new(),
        request_id: v.new_request_id(&app.store),
        principal: None,
        now_ms: app.store.clock.now_ms(),
        note: Note::default(),
        secure,
        peer: Some(peer),
        later: None,
    };
    let span = tracing::debug_span!("websocket", id = %ex.request_id, vendor = %route.vendor, op = route.http.operation);
    let _enter = span.enter();

    let mut fired = None;
    if !app.faults.is_empty() {
        let tenant = v.tenant_hint(&ex);
        let decision = app.faults.check(&FaultInput {
            vendor: route.vendor,
            operation: route.http.operation,
            tenant: tenant.as_deref(),
            meeting: None,
            target: &target,
            headers: &parts.headers,
            body: &ex.body,
        });
        if let Some(d) = decision {
            fired = Some(d.rule.clone());
            if d.delay_ms > 0.0 {
                tokio::time::sleep(Duration::from_secs_f64(d.delay_ms / 1000.0)).await;
            }
            if d.action != Action::None {
                if let Some(outcome) = pipeline::apply_fault(&mut ex, d, started) {
                    return outcome;
                }
            }
        }
    }

    let key = match handshake::check(&parts) {
        Ok(key) if upgrade.is_some() => key,
        Ok(_) => {
            let reply = handshake::refuse(
                StatusCode::BAD_REQUEST,
                "this connection cannot be upgraded (HTTP/1.1 with Connection: Upgrade is needed)",
            );
            return Outcome::Respond(pipeline::finish(&mut ex, reply, fired, started));
        }
        Err(reply) => return Outcome::Respond(pipeline::finish(&mut ex, reply, fired, started)),
    };
    app.store.run_due();
    let accepted = match (route.accept)(&mut ex) {
        Ok(a) => a,
        Err(reply) => return Outcome::Respond(pipeline::finish(&mut ex, reply, fired, started)),
    };
    let mut reply = handshake::switching(&key);
    for (k, val) in &accepted.headers {
        reply = reply.with_header(k, val);
    }
    let info = app.ws.sessions.create(
        route.vendor,
        route.http.operation,
        accepted.tenant.clone(),
        crate::journal::mask_target(&target),
        app.store.clock.now_ms(),
    );
    // The protocol starts (and the session shows) before the 101 goes out.
    let session = session::start(app, info, accepted.run);
    let resp = pipeline::finish(&mut ex, reply, fired, started);
    let app = Arc::clone(app);
    let config = route.config;
    tokio::spawn(async move {
        match upgrade {
            Some(upgrade) => match upgrade.await {
                Ok(io) => {
                    session
                        .run(app, hyper_util::rt::TokioIo::new(io), config)
                        .await
                }
                Err(e) => {
                    tracing::debug!(error = %e, "websocket upgrade failed");
                    session.abandon(&app).await;
                }
            },
            None => session.abandon(&app).await,
        }
    });
    Outcome::Respond(resp)
}
