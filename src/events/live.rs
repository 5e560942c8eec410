//! Live connections: events pushed over a connection the app opened (Feishu's long
//! connection; any vendor whose format has a [`LiveProtocol`]) instead of POSTed to a URL.
//!
//! - [`routes`] registers each protocol's WebSocket endpoint in the `src/ws/` table; the
//!   vendor's accept check admits a client, which is registered in [`Live`] before its `101`
//!   goes out; [`serve`] then runs its session: it answers what the protocol says to answer
//!   (pings), writes pushes, and matches ACKs to the pushes waiting for them. A client counts
//!   as online exactly while the admin API shows its session (`Info::is_open`).
//! - A subscription in a connection mode goes through the same outbox, lanes and retry
//!   schedule as a webhook: the worker calls [`once`] instead of an HTTP POST. One connected
//!   client of the tenant is picked at random for each push (Feishu's cluster mode: "one
//!   random client of the app gets each event" [doc S5]); the push succeeds when that client
//!   ACKs it as handled within the format's timeout (Feishu: 3 s), and otherwise fails like a
//!   webhook attempt — no client online, the connection dropping, a negative ACK or none —
//!   and is retried on the vendor's schedule on the server clock.
//! - A client that leaves [`MAX_MISSES`] pushes in a row without an ACK is disconnected (it
//!   would reconnect fresh); its events are redelivered to whoever is connected then.
//!
//! Locks: [`Live`]'s list is one short mutex (add, remove, list), never held across I/O. A
//! session's waiting pushes are owned by its task; a push reaches it through a bounded
//! channel, and the waiting attempt gives up at its timeout whatever the client does, so a
//! stuck client holds only its own events and never a vendor request.

use super::delivery::{keep, Attempt};
use super::outbox::Job;
use crate::app::App;
use crate::faults::DeliveryFault;
use crate::store::{Subscription, VendorId};
use crate::vendors::events::{AttemptSeed, EventFormat};
use crate::vendors::live::{LiveClient, LiveProtocol, PushIds, Reaction};
use crate::vendors::Vendor;
use crate::ws::{Accepted, Conn, Info};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::{mpsc, oneshot, Notify};

/// Pushes in a row left without an ACK before the client is disconnected [inf].
pub const MAX_MISSES: u32 = 3;
/// Pushes queued for one session.
const PUSH_QUEUE: usize = 32;

/// How a client answered a push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    pub status: u16,
    pub ok: bool,
    pub response: String,
}

struct Push {
    key: String,
    messages: Vec<Vec<u8>>,
    ack: oneshot::Sender<Ack>,
}

/// One connected client.
pub struct LiveConn {
    /// The WebSocket session's id (`GET /__admin/connections`).
    pub id: u64,
    /// The session: a client stops counting as online when it starts closing.
    info: Arc<Info>,
    pub vendor: VendorId,
    pub client: LiveClient,
    push: mpsc::Sender<Push>,
    seq: AtomicU64,
    misses: AtomicU32,
    kicked: AtomicBool,
    kick: Notify,
}

impl LiveConn {
    fn next_seq(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Hands a push to the session and waits for its ACK (the caller bounds the wait).
    async fn send(&self, key: String, messages: Vec<Vec<u8>>) -> Result<Ack, String> {
        let (tx, rx) = oneshot::channel();
        let push = Push {
            key,
            messages,
            ack: tx,
        };
        self.push
            .send(push)
            .await
            .map_err(|_| "the connection closed before the push".to_string())?;
        rx.await
            .map_err(|_| "the connection closed before the ACK".to_string())
    }

    /// Counts a push left without an ACK; disconnects the client after [`MAX_MISSES`].
    fn missed(&self) {
        if self.misses.fetch_add(1, Ordering::Relaxed) + 1 >= MAX_MISSES {
            self.kicked.store(true, Ordering::Release);
            self.kick.notify_one();
        }
    }

    async fn kicked(&self) {
        loop {
            let n = self.kick.notified();
            if self.kicked.load(Ordering::Acquire) {
                return;
            }
            n.await;
        }
    }
}

/// The connected clients of every tenant.
#[derive(Default)]
pub struct Live {
    conns: Mutex<Vec<Arc<LiveConn>>>,
}

impl Live {
    /// The tenant's connected clients (a closing one no longer counts, as in the admin API's
    /// connections view).
    pub fn of(&self, vendor: VendorId, tenant: &str) -> Vec<Arc<LiveConn>> {
        self.conns
            .lock()
            .iter()
            .filter(|c| c.vendor == vendor && c.client.tenant == tenant && c.info.is_open())
            .cloned()
            .collect()
    }

    /// How many clients of the tenant are connected.
    pub fn count(&self, vendor: VendorId, tenant: &str) -> usize {
        self.conns
            .lock()
            .iter()
            .filter(|c| c.vendor == vendor && c.client.tenant == tenant && c.info.is_open())
            .count()
    }

    fn add(&self, c: Arc<LiveConn>) {
        self.conns.lock().push(c);
    }

    fn remove(&self, id: u64) {
        self.conns.lock().retain(|c| c.id != id);
    }
}

/// The WebSocket endpoints of every vendor format with a push protocol.
pub fn routes(vendors: &[Box<dyn Vendor>]) -> Vec<crate::ws::Route> {
    vendors
        .iter()
        .filter_map(|v| {
            let format = v.events()?;
            let proto = format.live()?;
            let vendor = format.vendor();
            let accept: crate::ws::Accept = Arc::new(move |ex| {
                let app = ex.app;
                let client = proto.accept(ex, &|t| app.events.live.count(vendor, t))?;
                Ok(Accepted {
                    tenant: Some(client.tenant.clone()),
                    headers: Vec::new(),
                    // Online before the client holds its 101 (`crate::ws::Run`).
                    run: Box::new(move |app, conn| {
                        let (me, pushes) = register(&app, &conn, client, vendor);
                        Box::pin(serve(app, conn, me, pushes, proto))
                    }),
                })
            });
            Some(crate::ws::Route::new(
                vendor,
                proto.path(),
                proto.operation(),
                proto.config(),
                accept,
            ))
        })
        .collect()
}

/// Counts the client online (and wakes the worker for events waiting for one).
fn register(
    app: &App,
    conn: &Conn,
    client: LiveClient,
    vendor: VendorId,
) -> (Arc<LiveConn>, mpsc::Receiver<Push>) {
    let (tx, rx) = mpsc::channel::<Push>(PUSH_QUEUE);
    *conn.info.label.lock() = client.label.clone();
    let me = Arc::new(LiveConn {
        id: conn.info.id,
        info: Arc::clone(&conn.info),
        vendor,
        client,
        push: tx,
        seq: AtomicU64::new(0),
        misses: AtomicU32::new(0),
        kicked: AtomicBool::new(false),
        kick: Notify::new(),
    });
    app.events.live.add(Arc::clone(&me));
    app.events.wake();
    (me, rx)
}

/// One client's session (see the module docs).
async fn serve(
    app: Arc<App>,
    mut conn: Conn,
    me: Arc<LiveConn>,
    mut rx: mpsc::Receiver<Push>,
    proto: &'static dyn LiveProtocol,
) {
    let mut waiting: HashMap<String, oneshot::Sender<Ack>> = HashMap::new();
    let now = || app.store.clock.now_ms();
    let mut open = true;
    for m in proto.greeting(&me.client, now()) {
        open = open && write(&conn, proto, m).await;
    }
    if !open {
        app.events.live.remove(me.id);
        return;
    }
    loop {
        tokio::select! {
            m = conn.recv() => {
                let Some(m) = m else { break };
                match proto.read(&app, &me.client, &m) {
                    Reaction::Reply(b) => {
                        if !write(&conn, proto, b).await {
                            break;
                        }
                    }
                    Reaction::Ack { key, status, ok, response } => {
                        if let Some(w) = waiting.remove(&key) {
                            me.misses.store(0, Ordering::Relaxed);
                            let _ = w.send(Ack { status, ok, response });
                        }
                    }
                    Reaction::Ignore => {}
                    Reaction::Close { code, reason } => {
                        if let Some(m) = proto.farewell(&me.client, &reason, now()) {
                            write(&conn, proto, m).await;
                        }
                        conn.tx.close(code, &reason).await;
                        break;
                    }
                }
            }
            p = rx.recv() => {
                let Some(p) = p else { break };
                // Waits given up (timed out) need no ACK any more.
                waiting.retain(|_, w| !w.is_closed());
                let mut sent = true;
                for m in p.messages {
                    if !write(&conn, proto, m).await {
                        sent = false;
                        break;
                    }
                }
                if !sent {
                    break;
                }
                waiting.insert(p.key, p.ack);
            }
            _ = me.kicked() => {
                let why = "events left without an ACK";
                if let Some(m) = proto.farewell(&me.client, why, now()) {
                    write(&conn, proto, m).await;
                }
                conn.tx.close(1008, why).await;
                break;
            }
        }
    }
    app.events.live.remove(me.id);
    // Dropping `waiting` tells every attempt still waiting that the connection closed.
}

/// Sends one message as the protocol speaks (text or binary); false once the client is gone.
async fn write(conn: &Conn, proto: &dyn LiveProtocol, m: Vec<u8>) -> bool {
    let sent = if proto.text() {
        match String::from_utf8(m) {
            Ok(t) => conn.tx.text(t).await,
            Err(_) => return true,
        }
    } else {
        conn.tx.binary(m).await
    };
    sent.is_ok()
}

/// One push of a delivery to a connected client of its tenant (the worker's counterpart of
/// a webhook POST).
pub(super) async fn once(
    app: &App,
    format: &'static dyn EventFormat,
    sub: &Subscription,
    job: &Job,
    fault: Option<DeliveryFault>,
    label: Option<String>,
) -> Attempt {
    let ids = &app.events.ids;
    let seed = AttemptSeed {
        at_ms: app.store.clock.now_ms(),
        seed: ids.next(),
    };
    let payload = job.delivery.payload.as_bytes();
    let mut a = Attempt {
        n: job.n,
        seed,
        url: String::new(),
        headers: Vec::new(),
        body: keep(payload),
        status: None,
        response: String::new(),
        error: None,
        latency_ms: 0.0,
        ok: false,
        fault: label,
    };
    let Some(proto) = format.live() else {
        a.error = Some(format!("{} has no {} mode", sub.vendor, sub.mode.as_str()));
        return a;
    };
    let conns = app.events.live.of(sub.vendor, &sub.tenant);
    if conns.is_empty() {
        a.url = proto.path().to_string();
        a.error = Some(proto.offline(&sub.tenant));
        return a;
    }
    let conn = &conns[(seed.seed % conns.len() as u64) as usize];
    a.url = format!(
        "{} {} (connection {})",
        proto.path(),
        conn.client.label,
        conn.id
    );
    if fault == Some(DeliveryFault::DeadUrl) {
        a.error = Some("lost on the way (dead_url fault): nothing was pushed".into());
        return a;
    }
    let push = PushIds {
        seq: conn.next_seq(),
        key: format!("{:016x}{:016x}", ids.next(), ids.next()),
        trace: format!("{:016x}{:016x}", ids.next(), ids.next()),
        log_id: ids.next() >> 1,
        at_ms: seed.at_ms,
    };
    let framed = proto.push(&conn.client, &push, payload);
    a.headers = framed.headers;
    let limit = format.delivery_timeouts(sub).total;
    let started = Instant::now();
    let result = tokio::time::timeout(limit, conn.send(push.key, framed.messages)).await;
    a.latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    match result {
        Ok(Ok(ack)) => {
            a.status = Some(ack.status);
            a.ok = ack.ok;
            if !ack.ok && ack.status == 200 {
                a.error = Some(format!(
                    "the client's ACK does not take it: {}",
                    keep(ack.response.as_bytes())
                ));
            } else if !ack.ok {
                a.error = Some(format!(
                    "the client answered code {}; {} wants 200",
                    ack.status, sub.vendor
                ));
            }
            a.response = ack.response;
        }
        Ok(Err(why)) => a.error = Some(why),
        Err(_) => {
            conn.missed();
            a.error = Some(format!("no ACK within {} ms", limit.as_millis()));
        }
    }
    a
}
