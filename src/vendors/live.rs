//! The push-protocol contract: what the event engine's live connections (`src/events/live.rs`)
//! ask of a vendor whose events also travel over a connection the app opens (Feishu's long
//! connection; DingTalk Stream mode has the same shape). Implemented beside the vendor's
//! event format and returned by [`super::events::EventFormat::live`].
//!
//! The vendor knows its wire: which path the client connects to and how that upgrade is
//! checked, how one event is framed, what a client message means (a ping to answer, an ACK
//! of a pushed event, garbage). The engine owns the rest: which client gets an event, waiting
//! for the ACK, redelivery on the server clock, the connection registry.

use crate::app::App;
use crate::exchange::{Exchange, Reply};
use crate::ws::{Config, Inbound};

/// An admitted client: whose it is and the vendor's own connection parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveClient {
    pub tenant: String,
    /// How the connection is named in attempts and the connections view (`device_id=…`).
    pub label: String,
    /// The vendor's connection parameters (Feishu: `service_id`, `device_id`).
    pub params: Vec<(String, String)>,
}

impl LiveClient {
    /// A parameter by name.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The ids of one push, drawn by the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushIds {
    /// Per connection, from 1.
    pub seq: u64,
    /// What the client's ACK names (Feishu `message_id`); unique per push.
    pub key: String,
    pub trace: String,
    pub log_id: u64,
    /// Server-clock time of the push, unix ms.
    pub at_ms: i64,
}

/// One event on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Framed {
    /// Binary messages to send, in order (several when the vendor fragments).
    pub messages: Vec<Vec<u8>>,
    /// The frame's header names and values, for the delivery's attempt record.
    pub headers: Vec<(String, String)>,
}

/// What a client's message means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reaction {
    /// Answer with this binary message (a pong).
    Reply(Vec<u8>),
    /// The client acknowledged push `key`: `status` as it says, `ok` when the vendor counts it
    /// as handled; `response` the ACK's payload as text.
    Ack {
        key: String,
        status: u16,
        ok: bool,
        response: String,
    },
    /// Nothing to do.
    Ignore,
    /// A message the vendor would not take: close the connection.
    Close { code: u16, reason: String },
}

/// A vendor's push protocol.
pub trait LiveProtocol: Send + Sync + 'static {
    /// The WebSocket path clients connect to (matchit syntax).
    fn path(&self) -> &'static str;

    /// The operation name of the upgrade (journal, fault rules).
    fn operation(&self) -> &'static str;

    /// How the session's socket is kept (idle limit above the client's ping interval).
    fn config(&self) -> Config {
        Config::default()
    }

    /// Checks an upgrade request; `online` counts the tenant's connected clients. The client
    /// admitted, or the vendor's refusal.
    fn accept(
        &self,
        ex: &mut Exchange<'_>,
        online: &dyn Fn(&str) -> usize,
    ) -> Result<LiveClient, Reply>;

    /// Frames one event (`payload`, the plaintext event) for `client`.
    fn push(&self, client: &LiveClient, ids: &PushIds, payload: &[u8]) -> Framed;

    /// What a message from `client` means.
    fn read(&self, app: &App, client: &LiveClient, message: &Inbound) -> Reaction;

    /// Why a subscription in this mode cannot be saved while no client is connected (the
    /// console's message), for the subscription's verification error.
    fn offline(&self, tenant: &str) -> String;

    /// True when the protocol speaks text messages (DingTalk Stream's JSON frames): pushes,
    /// replies, greetings and farewells go out as text (valid UTF-8), else as binary.
    fn text(&self) -> bool {
        false
    }

    /// Messages sent as soon as a client's session opens (DingTalk: a SYSTEM `ping`).
    fn greeting(&self, client: &LiveClient, at_ms: i64) -> Vec<Vec<u8>> {
        let _ = (client, at_ms);
        Vec::new()
    }

    /// A message sent before the engine closes a client's connection (a bad message, too many
    /// pushes left without an ACK): DingTalk's SYSTEM `disconnect`.
    fn farewell(&self, client: &LiveClient, reason: &str, at_ms: i64) -> Option<Vec<u8>> {
        let _ = (client, reason, at_ms);
        None
    }
}
