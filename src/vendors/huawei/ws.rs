//! Huawei's meeting-control WebSocket (会控 WebSocket, pages meeting_21_1510 connect, 1511
//! Subscribe, 1520 HeartBeat; notes `shared/vendors/huawei-events.md` §3): the endpoint
//! `/cms/open/websocket/confctl/increment/conn?confID=&tmpToken=` on the edge listener
//! (`src/ws/`), and one session per connection fed from its conference's change stream.
//!
//! Connecting takes a single-use token bound to the conference: CreateWebSocketToken's
//! (1 minute) or CreateConfToken's `tmpWsToken`, live on the server clock. A token that is
//! unknown, expired or used, an unknown conference or one that is not running: the upgrade is
//! accepted and the server closes the channel, as the docs say ("if the request authentication
//! fails, the meeting server automatically closes the WebSocket channel").
//!
//! Then the client subscribes (`confToken`: a live control token of the conference) and gets
//! full messages of what it subscribed to, then incremental pushes as the conference changes
//! (`ws_frames.rs`). It sends `HeartBeat` at least every 180 s of the server clock, or the
//! server closes the channel; the server also closes it when the meeting ends. A session reads
//! the change stream's broadcast (never blocking a publisher); if it falls behind, it catches
//! up from the kept changes, or starts over with full messages.
// DEVIATION: the close codes and reasons are not documented: an authentication failure closes
// with 1008 and the MMC error envelope as reason, a missed heartbeat with 1001, the meeting's
// end with 1000 (docs/vendors/huawei.md, "Meeting WebSocket").

use super::auth::HW;
use super::control::state_error;
use super::locate;
use super::ws_frames::{self as frames, Client, Pusher};
use crate::app::App;
use crate::exchange::{Exchange, Reply};
use crate::store::{Change, MeetingState, Tenant, TokenKind};
use crate::ws::{Accepted, Config, Conn, Inbound, Route};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// The documented path.
pub const PATH: &str = "/cms/open/websocket/confctl/increment/conn";

/// No heartbeat for this long (server clock) closes the channel [doc 1520].
pub const HEARTBEAT_MS: i64 = 180_000;

/// The endpoint.
pub fn routes() -> Vec<Route> {
    let config = Config {
        // The heartbeat limit runs on the server clock (below); this is only the transport's
        // backstop for a client that vanished while the clock stands still.
        idle: Duration::from_secs(3600),
        keepalive: None,
        max_message: 64 * 1024,
        ..Config::default()
    };
    vec![Route::new(
        HW,
        PATH,
        "EstablishWebSocketConnection",
        config,
        Arc::new(accept),
    )]
}

/// The connection's conference and tenant, or the catalogue name of why not.
fn check(ex: &mut Exchange<'_>) -> Result<(Arc<Tenant>, String), &'static str> {
    let conf = ex.query("confID").unwrap_or_default();
    let token = ex.query("tmpToken").unwrap_or_default();
    ex.note.meeting = Some(conf.clone()).filter(|c| !c.is_empty());
    let tenant = locate::conference_tenant(ex, &conf).ok_or("conf_not_found_or_auth_failed")?;
    let store = &ex.app.store;
    // Peek first: a token of another conference is not used up by a wrong connection.
    let fits = store.tokens.get(&token).is_some_and(|t| {
        t.vendor == HW
            && t.kind == TokenKind::LoginCode
            && t.tenant == tenant.id
            && t.meeting.as_deref() == Some(conf.as_str())
    });
    if !fits || store.tokens.take(&token, ex.now_ms).is_none() {
        return Err("conf_not_found_or_auth_failed");
    }
    let now = ex.now_secs();
    let state = tenant.with(|d| d.meeting_mut(&conf).ok().map(|m| state_error(m, now)));
    match state {
        None => Err("conf_not_found_or_auth_failed"),
        Some(Some(name)) => Err(name),
        Some(None) => Ok((tenant, conf)),
    }
}

/// The accept check: every upgrade is accepted; a refused one is closed at once.
fn accept(ex: &mut Exchange<'_>) -> Result<Accepted, Reply> {
    match check(ex) {
        Ok((tenant, conf)) => {
            let seed = ex.app.store.secrets.next_u128() as u64;
            Ok(Accepted {
                tenant: Some(tenant.id.clone()),
                headers: Vec::new(),
                run: Box::new(move |app, conn| Box::pin(session(app, conn, tenant, conf, seed))),
            })
        }
        Err(name) => {
            let def = super::errors::def(name);
            ex.note.code = Some(def.code.to_string());
            let reason = json!({"error_code": def.code, "error_msg": def.message}).to_string();
            Ok(Accepted {
                tenant: None,
                headers: Vec::new(),
                run: Box::new(move |_app, conn| {
                    Box::pin(async move { conn.tx.close(1008, &reason).await })
                }),
            })
        }
    }
}

/// What one session keeps.
struct Session {
    app: Arc<App>,
    tenant: Arc<Tenant>,
    conf: String,
    pusher: Pusher,
    subscribed: bool,
    /// The last change applied (or covered by a full message).
    last_seq: u64,
    heartbeat_by_ms: i64,
}

/// Why a session ends, and the Close frame it sends.
struct End(u16, &'static str);

impl Session {
    fn is_mine(&self, c: &Change) -> bool {
        c.vendor == HW && c.tenant == self.tenant.id && c.meeting.id == self.conf
    }

    /// Full messages of the conference as it stands; the stream position they cover.
    fn snapshot(&mut self) -> Option<(Vec<String>, u64, bool)> {
        let bus = Arc::clone(&self.app.store.changes);
        let now = self.app.store.clock.now_ms();
        let pusher = &mut self.pusher;
        self.tenant.with(|d| {
            // Changes are published under this lock: none of this conference is in flight.
            let seq = bus.last_seq();
            let m = d.meeting(&self.conf).ok()?;
            let running = m.state == MeetingState::InProgress;
            Some((pusher.snapshot(m, now), seq, running))
        })
    }

    /// The pushes of one change (already filtered to this conference).
    fn apply(&mut self, c: &Change) -> (Vec<String>, Option<End>) {
        self.last_seq = c.seq;
        let pusher = &mut self.pusher;
        let out = self
            .tenant
            .with(|d| pusher.change(c, d.meeting(&self.conf).ok()));
        let end = match &c.kind {
            crate::store::change::ChangeKind::MeetingEnded { .. } => {
                Some(End(1000, "the conference ended"))
            }
            _ => None,
        };
        (out, end)
    }

    async fn handle(&mut self, conn: &Conn, frame: &str) -> Result<(), End> {
        let send = |s: String| async move { conn.tx.text(s).await.map_err(|_| End(1000, "")) };
        match frames::parse(frame) {
            Client::HeartBeat { sequence } => {
                self.heartbeat_by_ms = self.app.store.clock.now_ms() + HEARTBEAT_MS;
                send(frames::heartbeat(&sequence)).await
            }
            Client::Bad { action, sequence } => {
                send(frames::answer(
                    &action,
                    &sequence,
                    111_070_001,
                    "CONF_BAD_REQUEST",
                ))
                .await
            }
            Client::Subscribe {
                sequence,
                types,
                conf_token,
                conference_id,
            } => {
                if types.iter().any(|t| !frames::TYPES.contains(&t.as_str())) {
                    let a = frames::answer("Subscribe", &sequence, 111_070_001, "CONF_BAD_REQUEST");
                    return send(a).await;
                }
                let now = self.app.store.clock.now_ms();
                let value = frames::conf_token(&conf_token);
                let live = self.app.store.tokens.get(&value).is_some_and(|t| {
                    t.vendor == HW
                        && t.kind == TokenKind::Control
                        && t.tenant == self.tenant.id
                        && t.meeting.as_deref() == Some(self.conf.as_str())
                        && t.live(now)
                });
                let other = conference_id.is_some_and(|c| c != self.conf);
                if !live || other {
                    let a = frames::answer(
                        "Subscribe",
                        &sequence,
                        111_072_065,
                        "CONF_NOT_FOUND_OR_AUTH_FAILED",
                    );
                    send(a).await?;
                    return Err(End(1008, "confToken invalid"));
                }
                send(frames::answer("Subscribe", &sequence, 0, "SUCCESS")).await?;
                self.pusher.subscribe(&types);
                self.subscribed = true;
                self.resync(conn).await
            }
        }
    }

    /// Sends full messages and continues after the position they cover.
    async fn resync(&mut self, conn: &Conn) -> Result<(), End> {
        let Some((frames, seq, running)) = self.snapshot() else {
            return Err(End(1000, "the conference ended"));
        };
        self.last_seq = seq;
        for f in frames {
            conn.tx.text(f).await.map_err(|_| End(1000, ""))?;
        }
        if !running {
            return Err(End(1000, "the conference ended"));
        }
        Ok(())
    }

    /// After the live feed dropped changes: replays the kept ones, or starts over.
    async fn catch_up(&mut self, conn: &Conn) -> Result<(), End> {
        let bus = Arc::clone(&self.app.store.changes);
        if bus.oldest_kept() > self.last_seq.saturating_add(1) {
            return self.resync(conn).await;
        }
        loop {
            let batch = bus.since(self.last_seq, 256);
            if batch.is_empty() {
                return Ok(());
            }
            for c in batch {
                self.last_seq = c.seq;
                if self.is_mine(&c) {
                    self.push(conn, &c).await?;
                }
            }
        }
    }

    async fn push(&mut self, conn: &Conn, c: &Change) -> Result<(), End> {
        let (frames, end) = self.apply(c);
        for f in frames {
            conn.tx.text(f).await.map_err(|_| End(1000, ""))?;
        }
        end.map_or(Ok(()), Err)
    }
}

/// One connection: frames from the client, changes of the conference, the heartbeat limit.
async fn session(app: Arc<App>, mut conn: Conn, tenant: Arc<Tenant>, conf: String, seed: u64) {
    conn.info
        .label
        .lock()
        .push_str(&format!("conference {conf}"));
    // Subscribed before anything is read, so no change falls between a snapshot and the feed.
    let mut live = app.store.changes.watch();
    let mut jumps = app.store.clock.watch();
    let now = app.store.clock.now_ms();
    let mut s = Session {
        pusher: Pusher::new(&conf, seed),
        app: Arc::clone(&app),
        tenant,
        conf,
        subscribed: false,
        last_seq: app.store.changes.last_seq(),
        heartbeat_by_ms: now + HEARTBEAT_MS,
    };
    let end = loop {
        let clock = &app.store.clock;
        let left = s.heartbeat_by_ms - clock.now_ms();
        if left <= 0 {
            break End(1001, "no heartbeat for 180 s");
        }
        // A running clock reaches the limit by itself; a frozen one only when advanced.
        let nap = if clock.is_frozen() {
            Duration::from_secs(3600)
        } else {
            Duration::from_millis(left as u64)
        };
        let step = tokio::select! {
            msg = conn.recv() => match msg {
                None => return,
                Some(Inbound::Text(t)) => s.handle(&conn, &t).await,
                Some(Inbound::Binary(_)) => s.handle(&conn, "").await,
            },
            r = live.recv() => match r {
                Ok(c) if s.subscribed && c.seq > s.last_seq && s.is_mine(&c) => s.push(&conn, &c).await,
                Ok(c) => {
                    s.last_seq = s.last_seq.max(c.seq);
                    Ok(())
                }
                Err(RecvError::Lagged(_)) if s.subscribed => s.catch_up(&conn).await,
                Err(RecvError::Lagged(_)) => Ok(()),
                Err(RecvError::Closed) => Err(End(1001, "")),
            },
            _ = jumps.changed() => Ok(()),
            _ = tokio::time::sleep(nap) => Ok(()),
        };
        if let Err(e) = step {
            break e;
        }
    };
    if !conn.tx.is_closed() {
        conn.tx.close(end.0, end.1).await;
    }
}
