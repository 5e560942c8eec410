//! One WebSocket session: the socket loop, and the [`Conn`] a protocol reads and writes.
//!
//! The loop (this task) owns the `tokio-tungstenite` stream and waits on five things at once:
//! a message from the client (data goes to the protocol's [`Conn`]; pings are answered by
//! tungstenite on the next read; a Close is answered and ends the session), a message the
//! protocol wants sent (each write bounded by [`Config::write_timeout`]: a client that stops
//! reading is cut, never waited for), the keepalive ping, the idle limit, and the end — the
//! server stopping, the admin API dropping the session, or the protocol finishing. The
//! protocol runs in its own task; when the loop ends, [`Conn::recv`] answers `None` and every
//! [`Sender`] fails, so it ends too.

use super::registry::Info;
use super::{Config, Run};
use crate::app::App;
use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::WebSocketStream;

/// Messages queued from the client to the protocol, and from the protocol to the client.
const QUEUE: usize = 64;
/// How long a closing handshake may take before the socket is dropped.
const CLOSE_GRACE: Duration = Duration::from_secs(1);
/// How long an ended protocol task may take to notice before it is aborted.
const PROTOCOL_GRACE: Duration = Duration::from_secs(2);

/// A data message from the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inbound {
    Binary(Bytes),
    Text(String),
}

enum Out {
    Message(Message),
    Close(u16, String),
}

/// The session's socket is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closed;

/// Sends to the client; cheap to clone. Sends fail once the session ended.
#[derive(Clone)]
pub struct Sender {
    tx: mpsc::Sender<Out>,
}

impl Sender {
    /// Queues a binary message (waits while the queue is full).
    pub async fn binary(&self, b: impl Into<Bytes>) -> Result<(), Closed> {
        self.send(Out::Message(Message::Binary(b.into()))).await
    }

    /// Queues a text message.
    pub async fn text(&self, s: impl Into<String>) -> Result<(), Closed> {
        self.send(Out::Message(Message::text(s.into()))).await
    }

    /// Closes the session with this code and reason (a Close frame, then the socket).
    pub async fn close(&self, code: u16, reason: &str) {
        let _ = self.send(Out::Close(code, reason.to_string())).await;
    }

    async fn send(&self, o: Out) -> Result<(), Closed> {
        self.tx.send(o).await.map_err(|_| Closed)
    }

    /// True once the session ended.
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }
}

/// What a protocol holds: the client's data messages, a [`Sender`], and the session's info.
pub struct Conn {
    rx: mpsc::Receiver<Inbound>,
    pub tx: Sender,
    pub info: Arc<Info>,
}

impl Conn {
    /// The next data message; `None` once the session ended.
    pub async fn recv(&mut self) -> Option<Inbound> {
        self.rx.recv().await
    }
}

/// How the loop ended: the Close frame to send, if any.
enum End {
    Send(CloseCode, String),
    Quiet,
}

/// A session whose protocol runs and whose socket is still to come (the upgrade).
pub(super) struct Started {
    info: Arc<Info>,
    in_tx: mpsc::Sender<Inbound>,
    out_rx: mpsc::Receiver<Out>,
    task: JoinHandle<()>,
}

/// Starts the protocol before the handshake is answered, then shows the session: what the
/// protocol does before returning its future (the event engine registering a connected
/// client) is done by the time the client holds its `101`, so a client the admin API lists,
/// or one that has just connected, is online. What it sends waits in the queue for the socket.
pub(super) fn start(app: &Arc<App>, info: Arc<Info>, protocol: Run) -> Started {
    let (in_tx, in_rx) = mpsc::channel(QUEUE);
    let (out_tx, out_rx) = mpsc::channel(QUEUE);
    let conn = Conn {
        rx: in_rx,
        tx: Sender { tx: out_tx },
        info: Arc::clone(&info),
    };
    let session = protocol(Arc::clone(app), conn);
    app.ws.sessions.show(&info);
    Started {
        info,
        in_tx,
        out_rx,
        task: tokio::spawn(session),
    }
}

impl Started {
    /// The upgrade failed: the protocol sees the session end, and it is forgotten.
    pub(super) async fn abandon(self, app: &App) {
        let Started {
            info,
            in_tx,
            out_rx,
            task,
        } = self;
        info.end();
        drop((in_tx, out_rx));
        finish(app, &info, task).await;
    }

    /// Runs the session on the upgraded connection until it ends, then forgets it.
    pub(super) async fn run<S>(self, app: Arc<App>, io: S, config: Config)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let Started {
            info,
            in_tx,
            out_rx,
            task,
        } = self;
        let ws_config = WebSocketConfig::default()
            .max_message_size(Some(config.max_message))
            .max_frame_size(Some(config.max_message));
        let mut ws = WebSocketStream::from_raw_socket(io, Role::Server, Some(ws_config)).await;
        let end = pump(&app, &mut ws, &info, config, in_tx, out_rx).await;
        // No longer served from here, though the closing handshake may take a moment.
        info.end();
        close(&mut ws, end).await;
        drop(ws);
        finish(&app, &info, task).await;
    }
}

/// Sends the Close `end` asks for and waits (briefly) for the client's.
async fn close<S>(ws: &mut WebSocketStream<S>, end: End)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    if let End::Send(code, reason) = end {
        let frame = CloseFrame {
            code,
            reason: reason.into(),
        };
        let closing = async {
            ws.send(Message::Close(Some(frame))).await?;
            // The client answers with its own Close; read until it does.
            while let Some(m) = ws.next().await {
                m?;
            }
            Ok::<(), WsError>(())
        };
        let _ = tokio::time::timeout(CLOSE_GRACE, closing).await;
    }
}

/// Gives the protocol task a moment to notice the end, then forgets the session.
async fn finish(app: &App, info: &Info, mut task: JoinHandle<()>) {
    if tokio::time::timeout(PROTOCOL_GRACE, &mut task)
        .await
        .is_err()
    {
        task.abort();
    }
    app.ws.sessions.close(info.id);
    tracing::debug!(session = info.id, "websocket session ended");
}

/// The loop of the module docs; returns how to end.
async fn pump<S>(
    app: &App,
    ws: &mut WebSocketStream<S>,
    info: &Info,
    config: Config,
    in_tx: mpsc::Sender<Inbound>,
    mut out_rx: mpsc::Receiver<Out>,
) -> End
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut stopping = app.stopping.subscribe();
    if *stopping.borrow() {
        return End::Send(CloseCode::Away, "server shutting down".into());
    }
    let mut last_in = Instant::now();
    let mut pinged = false;
    loop {
        let idle_at = last_in + config.idle;
        let ping_at = config.keepalive.map(|k| last_in + k);
        tokio::select! {
            m = ws.next() => {
                let m = match m {
                    None => return End::Quiet,
                    Some(Err(e)) => return read_error(e),
                    Some(Ok(m)) => m,
                };
                last_in = Instant::now();
                pinged = false;
                info.messages_in.fetch_add(1, Ordering::Relaxed);
                info.last_in_ms.store(app.store.clock.now_ms(), Ordering::Relaxed);
                let data = match m {
                    Message::Binary(b) => Inbound::Binary(b),
                    Message::Text(t) => Inbound::Text(t.as_str().to_string()),
                    Message::Close(_) => {
                        // tungstenite queued the answering Close: let it go out.
                        let _ = tokio::time::timeout(CLOSE_GRACE, ws.flush()).await;
                        return End::Quiet;
                    }
                    Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => continue,
                };
                if in_tx.send(data).await.is_err() {
                    return End::Send(CloseCode::Normal, String::new());
                }
            }
            o = out_rx.recv() => match o {
                Some(Out::Message(m)) => {
                    match tokio::time::timeout(config.write_timeout, ws.send(m)).await {
                        Ok(Ok(())) => {
                            info.messages_out.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok(Err(_)) => return End::Quiet,
                        // The client stopped reading: do not wait for it any longer.
                        Err(_) => return End::Quiet,
                    }
                }
                Some(Out::Close(code, reason)) => return End::Send(CloseCode::from(code), reason),
                // The protocol is done with the session.
                None => return End::Send(CloseCode::Normal, String::new()),
            },
            _ = sleep_until(ping_at), if !pinged => {
                pinged = true;
                if tokio::time::timeout(config.write_timeout, ws.send(Message::Ping(Bytes::new()))).await.is_err() {
                    return End::Quiet;
                }
            }
            _ = tokio::time::sleep_until(idle_at) => {
                return End::Send(CloseCode::Away, "idle timeout".into());
            }
            _ = stopped(&mut stopping) => {
                return End::Send(CloseCode::Away, "server shutting down".into());
            }
            _ = info.close_requested() => {
                return End::Send(CloseCode::Away, "closed by the admin API".into());
            }
        }
    }
}

/// Resolves once the server is stopping (the guard of `wait_for` is not `Send`: dropped here).
async fn stopped(stopping: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = stopping.wait_for(|s| *s).await;
}

/// Sleeps until `at`, forever when `None`.
async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// The Close a read error deserves (RFC 6455 §7.4.1), or none when the socket is gone.
fn read_error(e: WsError) -> End {
    use tokio_tungstenite::tungstenite::error::{CapacityError, ProtocolError};
    match e {
        WsError::Capacity(CapacityError::MessageTooLong { .. }) => {
            End::Send(CloseCode::Size, "message too big".into())
        }
        WsError::Capacity(_) => End::Send(CloseCode::Size, "frame too big".into()),
        WsError::Utf8(_) => End::Send(CloseCode::Invalid, "text is not UTF-8".into()),
        WsError::Protocol(ProtocolError::ResetWithoutClosingHandshake) => End::Quiet,
        WsError::Protocol(p) => End::Send(CloseCode::Protocol, p.to_string()),
        _ => End::Quiet,
    }
}
