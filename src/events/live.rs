//! The live transport: deliveries to clients that hold a connection open to meetmock and
//! acknowledge each event on it (DingTalk Stream mode; any push-over-connection mode), beside
//! the webhook transport (`webhook.rs`).
//!
//! A vendor's session code (the WebSocket protocol, e.g. `vendors/dingtalk/stream.rs`)
//! [`register`](Live::register)s each authenticated connection for its (vendor, tenant),
//! writes the frames it is handed, and reports each acknowledgement it reads with
//! [`Client::acked`]. The worker [`send`](Live::send)s a delivery: one connected client of the
//! tenant is chosen (round-robin), the vendor's frame is queued to it, and the answer is awaited
//! for at most the format's ack timeout (real time, like an HTTP timeout). No client, a full
//! queue, a closed connection or no acknowledgement in time is a failed attempt: the engine
//! retries on the vendor's schedule (the server clock), i.e. redelivers the same event id.
//!
//! Locks: `clients` (a read-mostly map, taken to pick a client or to (un)register one) and each
//! client's `waiting` map (taken to add or resolve one waiter); neither is held across an await
//! or while the other is taken. A client that never reads or never acknowledges fills only its
//! own bounded queue and times out only its own deliveries.

use crate::store::VendorId;
use parking_lot::{Mutex, RwLock};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};

/// Frames queued to one client before further sends fail at once.
pub const QUEUE: usize = 256;

/// A frame for a client; `id` is the message id its acknowledgement will name.
pub use crate::vendors::events::LiveFrame as Frame;

/// A client's answer to one frame: its code (DingTalk's ACK `code`), the raw text, and
/// whether the vendor's rule counts it as an acknowledgement (`Err` says why not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acked {
    pub code: Option<u16>,
    pub raw: String,
    pub verdict: Result<(), String>,
}

/// One connected client.
pub struct Client {
    pub id: u64,
    pub vendor: VendorId,
    pub tenant: String,
    /// The vendor's name for the connection (DingTalk `connectionId`).
    pub connection: String,
    tx: mpsc::Sender<Frame>,
    /// Message id → the delivery waiting for its acknowledgement.
    waiting: Mutex<HashMap<String, oneshot::Sender<Acked>>>,
}

impl Client {
    /// Hands an acknowledgement to the delivery waiting for `message_id`; false when none
    /// waits (unknown, already answered or given up).
    pub fn acked(&self, message_id: &str, ack: Acked) -> bool {
        match self.waiting.lock().remove(message_id) {
            Some(w) => w.send(ack).is_ok(),
            None => false,
        }
    }

    /// Deliveries waiting for an acknowledgement on this connection.
    pub fn unacked(&self) -> usize {
        self.waiting.lock().len()
    }
}

/// What came of one live send.
#[derive(Debug, Clone, Default)]
pub struct LiveSent {
    /// The connection it went to.
    pub connection: Option<String>,
    /// The frame as sent.
    pub text: String,
    pub ack: Option<Acked>,
    /// Why there is no acknowledgement.
    pub error: Option<String>,
    pub latency_ms: f64,
}

type TenantKey = (VendorId, String);

/// See the module documentation.
#[derive(Default)]
pub struct Live {
    clients: RwLock<HashMap<TenantKey, Vec<Arc<Client>>>>,
    next_id: AtomicU64,
    /// Round-robin position.
    turn: AtomicU64,
}

impl Live {
    /// Registers a connection of `tenant`; its frames arrive on the receiver. Call
    /// [`unregister`](Self::unregister) when it ends.
    pub fn register(
        &self,
        vendor: VendorId,
        tenant: &str,
        connection: String,
    ) -> (Arc<Client>, mpsc::Receiver<Frame>) {
        let (tx, rx) = mpsc::channel(QUEUE);
        let client = Arc::new(Client {
            id: self.next_id.fetch_add(1, Ordering::Relaxed) + 1,
            vendor,
            tenant: tenant.to_string(),
            connection,
            tx,
            waiting: Mutex::new(HashMap::new()),
        });
        self.clients
            .write()
            .entry((vendor, tenant.to_string()))
            .or_default()
            .push(Arc::clone(&client));
        (client, rx)
    }

    /// Forgets a connection; its waiting deliveries fail at once ("connection closed").
    pub fn unregister(&self, client: &Client) {
        let key = (client.vendor, client.tenant.clone());
        let mut map = self.clients.write();
        if let Some(list) = map.get_mut(&key) {
            list.retain(|c| c.id != client.id);
            if list.is_empty() {
                map.remove(&key);
            }
        }
        drop(map);
        client.waiting.lock().clear();
    }

    /// Connected clients of a tenant.
    pub fn connected(&self, vendor: VendorId, tenant: &str) -> usize {
        self.clients
            .read()
            .get(&(vendor, tenant.to_string()))
            .map_or(0, Vec::len)
    }

    /// Forgets every connection's waiting deliveries (reset); connections stay open.
    pub fn clear_waiting(&self) {
        for list in self.clients.read().values() {
            for c in list {
                c.waiting.lock().clear();
            }
        }
    }

    fn pick(&self, vendor: VendorId, tenant: &str) -> Option<Arc<Client>> {
        let map = self.clients.read();
        let list = map.get(&(vendor, tenant.to_string()))?;
        if list.is_empty() {
            return None;
        }
        let i = self.turn.fetch_add(1, Ordering::Relaxed) as usize % list.len();
        Some(Arc::clone(&list[i]))
    }

    /// Sends one frame (made for the chosen connection by `make`; `None`: the vendor cannot
    /// frame it) to a client of `tenant` and waits at most `timeout` for its acknowledgement.
    pub async fn send(
        &self,
        vendor: VendorId,
        tenant: &str,
        make: impl FnOnce(&Client) -> Option<Frame>,
        timeout: Duration,
    ) -> LiveSent {
        let started = Instant::now();
        let Some(client) = self.pick(vendor, tenant) else {
            return LiveSent {
                error: Some(format!("no {vendor} client of {tenant} is connected")),
                ..LiveSent::default()
            };
        };
        let Some(frame) = make(&client) else {
            return LiveSent {
                connection: Some(client.connection.clone()),
                error: Some(format!(
                    "{vendor} cannot frame this event for its connection"
                )),
                ..LiveSent::default()
            };
        };
        let (tx, rx) = oneshot::channel();
        client.waiting.lock().insert(frame.id.clone(), tx);
        let mut out = LiveSent {
            connection: Some(client.connection.clone()),
            text: frame.text.clone(),
            ..LiveSent::default()
        };
        let id = frame.id.clone();
        if let Err(e) = client.tx.try_send(frame) {
            client.waiting.lock().remove(&id);
            out.error = Some(match e {
                mpsc::error::TrySendError::Full(_) => {
                    format!("the connection's queue is full ({QUEUE} frames unread)")
                }
                mpsc::error::TrySendError::Closed(_) => "the connection closed".to_string(),
            });
            return out;
        }
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(ack)) => out.ack = Some(ack),
            Ok(Err(_)) => out.error = Some("the connection closed before an ACK".into()),
            Err(_) => {
                client.waiting.lock().remove(&id);
                out.error = Some(format!("no ACK within {} ms", timeout.as_millis()));
            }
        }
        out.latency_ms = started.elapsed().as_secs_f64() * 1000.0;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(c: &Client) -> Option<Frame> {
        Some(Frame {
            id: format!("m{}", c.id),
            text: "hello".into(),
        })
    }

    #[tokio::test]
    async fn a_send_waits_for_its_ack_and_fails_without_a_client_or_in_time() {
        let live = Live::default();
        let none = live
            .send(VendorId::Dingtalk, "app", frame, Duration::from_millis(50))
            .await;
        assert!(none.error.unwrap().contains("no dingtalk client of app"));
        let (client, mut rx) = live.register(VendorId::Dingtalk, "app", "c1".into());
        assert_eq!(live.connected(VendorId::Dingtalk, "app"), 1);
        let c = Arc::clone(&client);
        let answer = tokio::spawn(async move {
            let f = rx.recv().await.unwrap();
            let ack = Acked {
                code: Some(200),
                raw: "{}".into(),
                verdict: Ok(()),
            };
            assert!(c.acked(&f.id, ack));
            rx
        });
        let ok = live
            .send(VendorId::Dingtalk, "app", frame, Duration::from_secs(5))
            .await;
        assert_eq!(ok.ack.unwrap().code, Some(200));
        assert_eq!(ok.connection.as_deref(), Some("c1"));
        let _rx = answer.await.unwrap();
        // Nobody answers now: the send gives up and forgets its waiter.
        let late = live
            .send(VendorId::Dingtalk, "app", frame, Duration::from_millis(20))
            .await;
        assert!(late.error.unwrap().contains("no ACK within 20 ms"));
        assert_eq!(client.unacked(), 0);
        live.unregister(&client);
        assert_eq!(live.connected(VendorId::Dingtalk, "app"), 0);
    }

    #[tokio::test]
    async fn a_closed_connection_fails_its_waiting_sends_at_once() {
        let live = Arc::new(Live::default());
        let (client, rx) = live.register(VendorId::Dingtalk, "app", "c1".into());
        let l = Arc::clone(&live);
        let send = tokio::spawn(async move {
            l.send(VendorId::Dingtalk, "app", frame, Duration::from_secs(30))
                .await
        });
        while client.unacked() == 0 {
            tokio::task::yield_now().await;
        }
        live.unregister(&client);
        drop(rx);
        let r = send.await.unwrap();
        assert!(
            r.error.unwrap().contains("closed"),
            "at once, not after 30 s"
        );
    }
}
