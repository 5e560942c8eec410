//! The vendor event-format contract (DESIGN decisions 11–12): what the delivery engine
//! (`src/events/`) asks of each vendor, implemented in `src/vendors/<v>/events.rs`.
//!
//! A format says which vendor events a domain [`Change`] produces for a subscription (its
//! catalogue, envelope and dedupe id), how one delivery is put on the wire (body bytes, header
//! names in the case the vendor's consumers need, signature, encryption), how the receiver's
//! answer is judged, the URL-verification handshake, the retry schedule and the timeouts, and
//! which secret fields a subscription carries. The engine knows none of these details; a
//! vendor knows nothing of outboxes, retries or HTTP clients.
//!
//! [`validate`] is the one validation of a subscription (scenarios, admin API, state import,
//! vendor config endpoints): generic checks plus the format's own [`EventFormat::check`].

use crate::store::{Change, ChangeKind, Mode, Subscription, Tenant, TenantData, VendorId};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// A secret field a vendor's subscription carries (Feishu `encrypt_key`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecretField {
    pub name: &'static str,
    pub required: bool,
}

/// A delivery setting a vendor's subscription may carry beside its secrets (Tencent
/// `plain_base64_padding`, …): not secret; the format checks its value in
/// [`EventFormat::check`] and reads it with [`Subscription::setting`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettingField {
    pub name: &'static str,
    /// What it takes and its default, for error messages.
    pub help: &'static str,
}

/// A refused subscription: the field at fault and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}`: {}", self.field, self.message)
    }
}

/// One vendor event a change produced, ready for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventDraft {
    /// The vendor's event type (`vc.meeting.join_meeting_v1`).
    pub event_type: &'static str,
    /// The vendor's dedupe id (Feishu `header.event_id`); the same on every attempt.
    pub event_id: String,
    /// The event as the receiver reads it once decrypted (compact JSON for Feishu): UTF-8
    /// text, kept as is in the outbox and the state file.
    pub payload: String,
}

/// What differs between two sends of the same event: the send time and a seed the format
/// draws its nonce and IV from. Kept with every attempt, so the admin API can show the exact
/// bytes that were sent by encoding again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptSeed {
    /// Server-clock time of the send, unix ms.
    pub at_ms: i64,
    pub seed: u64,
}

impl AttemptSeed {
    /// `n` pseudo-random bytes from the seed (nonces, IVs): SplitMix64 blocks.
    pub fn bytes<const N: usize>(&self, salt: u64) -> [u8; N] {
        let mut out = [0u8; N];
        for (i, chunk) in out.chunks_mut(8).enumerate() {
            let v = crate::store::splitmix64(
                self.seed ^ salt.wrapping_add((i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)),
            );
            chunk.copy_from_slice(&v.to_le_bytes()[..chunk.len()]);
        }
        out
    }
}

/// How header names are written on the wire (hyper writes either lower-case or Title-Case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HeaderCase {
    /// `X-Lark-Signature` (Feishu: the Python SDK looks names up case-sensitively).
    Title,
    /// `signature` (Tencent's documented names).
    Lower,
}

/// The HTTP method of a request to a receiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    #[default]
    Post,
    /// Tencent's URL verification (`GET <url>?check_str=…`).
    Get,
}

/// One HTTP request to a receiver, as the vendor sends it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outbound {
    pub method: Method,
    /// Query parameters appended to the subscription's URL, raw (the transport
    /// percent-encodes them, `+ / =` included): Tencent's `check_str`, DingTalk's
    /// `msg_signature`, `timestamp`, `nonce`.
    pub query: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
    /// Header name (as the vendor names it) → value, in sending order.
    pub headers: Vec<(&'static str, String)>,
}

impl Outbound {
    /// `url` with [`query`](Self::query) appended, as the admin API shows what was sent (the
    /// transport appends it itself).
    pub fn url(&self, url: &str) -> String {
        if self.query.is_empty() {
            return url.to_string();
        }
        match url::Url::parse(url) {
            Ok(mut u) => {
                u.query_pairs_mut()
                    .extend_pairs(self.query.iter().map(|(k, v)| (*k, v.as_str())));
                u.to_string()
            }
            Err(_) => url.to_string(),
        }
    }
}

impl Outbound {
    /// A POST of `body` with `headers`.
    pub fn post(body: Vec<u8>, headers: Vec<(&'static str, String)>) -> Outbound {
        Outbound {
            body,
            headers,
            ..Outbound::default()
        }
    }
}

/// Real-time limits of one delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// TCP (and TLS) connect.
    pub connect: Duration,
    /// The whole exchange, connect included.
    pub total: Duration,
}

/// A vendor's event format.
pub trait EventFormat: Send + Sync + 'static {
    fn vendor(&self) -> VendorId;

    /// The secret fields a subscription carries, by the vendor's own names.
    fn secret_fields(&self) -> &'static [SecretField];

    /// Every event type this format produces (what `types:` may name).
    fn event_types(&self) -> &'static [&'static str];

    /// The delivery settings a subscription may carry beside its secrets.
    fn setting_fields(&self) -> &'static [SettingField] {
        &[]
    }

    /// Delivery modes served for this vendor.
    fn modes(&self) -> &'static [Mode] {
        &[Mode::Webhook]
    }

    /// The push protocol of the vendor's connection modes (every mode but webhook), if any
    /// (`super::live`; the engine's side is `src/events/live.rs`).
    fn live(&self) -> Option<&'static dyn super::live::LiveProtocol> {
        None
    }

    /// True when a tenant has at most one subscription (Feishu: one request URL per app).
    fn one_per_tenant(&self) -> bool {
        false
    }

    /// Vendor-specific checks beyond the generic ones of [`validate`].
    fn check(&self, sub: &Subscription) -> Result<(), FieldError> {
        let _ = sub;
        Ok(())
    }

    /// False when a change of this kind can never produce an event of this vendor: the
    /// engine's sink then drops it at once (it never wakes the worker).
    fn interested(&self, kind: &ChangeKind) -> bool {
        let _ = kind;
        true
    }

    /// The events `change` produces for `sub`, in order. `directory` is the tenant's data (to
    /// write users' other ids); `new_id` draws 128 bits that never repeat (not within a
    /// process, not after a reset or a restart) for dedupe ids.
    fn events(
        &self,
        change: &Change,
        sub: &Subscription,
        directory: &TenantData,
        new_id: &mut dyn FnMut() -> u128,
    ) -> Vec<EventDraft>;

    /// What the engine calls: [`events`](Self::events) with the tenant's credentials at hand,
    /// for formats whose events carry one (DingTalk `CorpId`). Defaults to `events`.
    fn events_of_tenant(
        &self,
        change: &Change,
        sub: &Subscription,
        tenant: &Tenant,
        directory: &TenantData,
        new_id: &mut dyn FnMut() -> u128,
    ) -> Vec<EventDraft> {
        let _ = tenant;
        self.events(change, sub, directory, new_id)
    }

    /// The server-clock time (unix ms) before which an event of `event_type` from `change`
    /// must not be sent (something the vendor sends later, e.g. Feishu's `recording_ready_v1`
    /// once the file is processed); `None`: at once.
    fn not_before(&self, event_type: &str, change: &Change) -> Option<i64> {
        let _ = (event_type, change);
        None
    }

    /// One delivery of `payload` on the wire (encrypted and signed as the subscription says).
    fn encode(&self, sub: &Subscription, payload: &[u8], attempt: AttemptSeed) -> Outbound;

    /// The header carrying the signature, for the `corrupt_signature` delivery fault.
    fn signature_header(&self) -> Option<&'static str> {
        None
    }

    /// Makes the signature of one send wrong but well-formed (the `corrupt_signature` delivery
    /// fault). By default the last character of [`EventFormat::signature_header`] flips; a
    /// vendor that signs inside the body (Huawei) overrides this.
    fn corrupt_signature(&self, out: &mut Outbound) {
        if let Some(name) = self.signature_header() {
            for (n, v) in out.headers.iter_mut() {
                if n.eq_ignore_ascii_case(name) {
                    flip_last(v);
                }
            }
        }
    }

    fn header_case(&self) -> HeaderCase {
        HeaderCase::Title
    }

    /// What [`EventFormat::accepts`] takes as an acknowledgement, for error messages.
    fn acknowledgement(&self) -> &'static str {
        "200"
    }

    /// True when the receiver's answer acknowledges the event.
    fn accepts(&self, status: u16, body: &[u8]) -> bool {
        let _ = body;
        status == 200
    }

    /// What the engine calls: `Ok` when the receiver's answer acknowledges the event, else
    /// why not. Override it when the answer must be read with the subscription's secrets
    /// (DingTalk's encrypted `success`); defaults to [`accepts`](Self::accepts).
    fn reply_check(&self, sub: &Subscription, status: u16, body: &[u8]) -> Result<(), String> {
        let _ = sub;
        if self.accepts(status, body) {
            Ok(())
        } else {
            Err(format!(
                "answered HTTP {status}; {} wants {}",
                self.vendor(),
                self.acknowledgement()
            ))
        }
    }

    /// Waits before each retry after a failed attempt (its length is the number of retries).
    fn retry_schedule(&self) -> &'static [Duration];

    /// No retry is due later than this after the first attempt (Huawei: 24 h); `None` when
    /// the schedule alone decides.
    fn retry_window(&self) -> Option<Duration> {
        None
    }

    fn timeouts(&self) -> Timeouts;

    /// The wait before the retry that follows `failures` failed sends to `sub`, `None` to give
    /// up (default: the vendor's [`EventFormat::retry_schedule`]).
    fn retry_wait(&self, sub: &Subscription, failures: u32) -> Option<Duration> {
        let _ = sub;
        self.retry_schedule().get(failures as usize).copied()
    }

    /// The timeouts of one delivery to `sub` (default: [`EventFormat::timeouts`]).
    fn delivery_timeouts(&self, sub: &Subscription) -> Timeouts {
        let _ = sub;
        self.timeouts()
    }

    /// The URL-verification request for `challenge`, or `None` when the vendor has none.
    fn handshake(
        &self,
        sub: &Subscription,
        challenge: &str,
        attempt: AttemptSeed,
    ) -> Option<Outbound> {
        let _ = (sub, challenge, attempt);
        None
    }

    /// Judges the receiver's answer to the handshake; `Err` says why it failed.
    fn judge_handshake(&self, challenge: &str, status: u16, body: &[u8]) -> Result<(), String> {
        let _ = (challenge, status, body);
        Ok(())
    }

    /// What the engine calls to judge the handshake's answer: override it when the answer
    /// must be read with the subscription's secrets; defaults to
    /// [`judge_handshake`](Self::judge_handshake).
    fn handshake_check(
        &self,
        sub: &Subscription,
        challenge: &str,
        status: u16,
        body: &[u8],
    ) -> Result<(), String> {
        let _ = sub;
        self.judge_handshake(challenge, status, body)
    }

    /// How long the receiver has to answer the handshake.
    fn handshake_timeout(&self) -> Duration {
        Duration::from_secs(1)
    }
}

/// Flips the last character of a hex value (or appends one): a wrong but well-formed value.
pub fn flip_last(v: &mut String) {
    match v.pop() {
        Some(c) => v.push(if c == '0' { '1' } else { '0' }),
        None => v.push('0'),
    }
}

/// Validates a subscription against its vendor's format: mode, URL, secret fields (unknown,
/// missing required), settings, event types, CA certificates, then the format's own checks.
pub fn validate(format: &dyn EventFormat, sub: &Subscription) -> Result<(), FieldError> {
    if sub.id.trim().is_empty() {
        return Err(FieldError::new("id", "must not be empty"));
    }
    if sub.tenant.trim().is_empty() {
        return Err(FieldError::new("tenant", "must not be empty"));
    }
    if !format.modes().contains(&sub.mode) {
        let served: Vec<&str> = format.modes().iter().map(|m| m.as_str()).collect();
        return Err(FieldError::new(
            "mode",
            format!(
                "{} subscriptions are not served for {}; served modes: {}",
                sub.mode.as_str(),
                format.vendor(),
                served.join(", ")
            ),
        ));
    }
    if sub.mode == Mode::Webhook {
        check_url(&sub.url)?;
    }
    let fields = format.secret_fields();
    let settings = format.setting_fields();
    for name in sub.secrets.keys() {
        if !fields.iter().any(|f| f.name == name) {
            let known: Vec<&str> = fields
                .iter()
                .map(|f| f.name)
                .chain(settings.iter().map(|f| f.name))
                .collect();
            return Err(FieldError::new(
                name.as_str(),
                format!(
                    "unknown {} secret field{}; valid: {}",
                    format.vendor(),
                    if settings.is_empty() {
                        ""
                    } else {
                        " or setting"
                    },
                    known.join(", ")
                ),
            ));
        }
    }
    if let Some(name) = sub
        .settings
        .keys()
        .find(|k| !settings.iter().any(|f| f.name == k.as_str()))
    {
        return Err(FieldError::new(
            name.as_str(),
            format!("unknown {} setting", format.vendor()),
        ));
    }
    for f in fields.iter().filter(|f| f.required) {
        if sub.secret(f.name).is_none() {
            return Err(FieldError::new(
                f.name,
                format!("is required for {} subscriptions", format.vendor()),
            ));
        }
    }
    let known = format.event_types();
    if let Some(t) = sub.types.iter().find(|t| !known.contains(&t.as_str())) {
        return Err(FieldError::new(
            "types",
            format!(
                "unknown {} event type {t:?}; valid: {}",
                format.vendor(),
                known.join(", ")
            ),
        ));
    }
    if let Some(pem) = &sub.ca_pem {
        check_ca(pem)?;
    }
    format.check(sub)
}

fn check_url(url: &str) -> Result<(), FieldError> {
    if url.trim().is_empty() {
        return Err(FieldError::new(
            "url",
            "is required for webhook subscriptions",
        ));
    }
    let parsed = url::Url::parse(url)
        .map_err(|e| FieldError::new("url", format!("{url:?} is not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(FieldError::new(
            "url",
            format!("{url:?} must be an http:// or https:// URL"),
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(FieldError::new("url", format!("{url:?} has no host")));
    }
    Ok(())
}

/// Checks that `pem` holds at least one PEM certificate.
pub fn check_ca(pem: &str) -> Result<(), FieldError> {
    use rustls::pki_types::{pem::PemObject, CertificateDer};
    let certs: Result<Vec<_>, _> = CertificateDer::pem_slice_iter(pem.as_bytes()).collect();
    match certs {
        Ok(c) if !c.is_empty() => Ok(()),
        Ok(_) => Err(FieldError::new("ca_pem", "holds no PEM certificate")),
        Err(e) => Err(FieldError::new(
            "ca_pem",
            format!("is not a PEM certificate: {e}"),
        )),
    }
}
