//! Tencent Meeting event callbacks (事件订阅): the catalogue, which domain change fires which
//! event, and the webhook format — GET URL verification with `check_str`, POST
//! `{"data":…}`, `timestamp`/`nonce`/`signature` headers (cloud.tencent.com/document/product/
//! 1095/51605, 51608, 51612, 54658 and the event pages; notes `shared/vendors/tencent-events.md`).
//! `events_wire.rs` holds the byte-exact signature and AES, `events_items.rs` the items,
//! `events_settings.rs` the subscription's settings.
//!
//! Mapping (notes §1.5; [inf] where the docs are silent):
//! * `meeting.created` — a meeting is created (`meeting_create_from` 6, REST API).
//! * `meeting.updated` — a scheduled or running meeting's schedule, subject or settings change
//!   (modify); with the `invitees_fire_updated` setting, also a set of its invitees [inf].
//! * `meeting.canceled` — a cancel.
//! * `meeting.started` — the creator or an alternative host (`hosts`) enters for the first
//!   time [doc 51618], beside their `meeting.participant-joined`, before it unless
//!   `started_before_joined: false` [inf: the order is undocumented].
//! * `meeting.end` — the meeting ends; `meeting_end_type` 0 when ended by someone (dismiss,
//!   admin), 2 when its time ran out with nobody left in [inf].
//! * `meeting.participant-joined` / `-left` — every join and departure (kicks, moves to the
//!   waiting room and the meeting's end included), `pstn_number` set for phone participants.
//! * `meeting.participant-joined-waiting-room` — each arrival held in the waiting room.
//! * `meeting.phone.participant-status-updated` — calls to phone numbers (the admin `call`
//!   with `number`): `START_INVITE` when placed, `START_ACCEPT` when answered,
//!   `LEAVE_WITHOUT_ACCEPT` when declined, busy or rung out, `CANCLE_INVITE` (sic) when the
//!   calling side withdrew it (hung up, the meeting ended), `LEAVE_WITH_ACCEPTED` when the
//!   answered callee leaves; the status event comes before the join or leave event [inf].

// DEVIATION: `meeting_end_type` 1 and 3 (the last person left after / before the scheduled end)
// are never produced: meetings here stay open until dismissed (`state.rs`). No periodic
// verification GET ("heartbeat", period unknown) is sent, `meeting.updated` carries no
// `rooms_info` (Rooms are not emulated), and `recording.completed` / `meeting.save-canceled`
// are not produced (docs/vendors/tencent.md, "Events").

use super::events_items::{self as items, Envelope, Item};
use super::events_settings::{self as settings, Settings};
use super::events_wire as wire;
use crate::store::change::{ChangeKind, EndReason};
use crate::store::{Change, MeetingState, Subscription, TenantData, VendorId};
use crate::vendors::events::{
    AttemptSeed, EventDraft, EventFormat, FieldError, HeaderCase, Method, Outbound, SecretField,
    SettingField, Timeouts,
};
use std::time::Duration;

/// The Tencent event format.
pub struct TencentEvents;

pub const CREATED: &str = "meeting.created";
pub const UPDATED: &str = "meeting.updated";
pub const CANCELED: &str = "meeting.canceled";
pub const STARTED: &str = "meeting.started";
pub const END: &str = "meeting.end";
pub const JOINED: &str = "meeting.participant-joined";
pub const LEFT: &str = "meeting.participant-left";
pub const WAITING: &str = "meeting.participant-joined-waiting-room";
pub const PHONE_STATUS: &str = "meeting.phone.participant-status-updated";

const TYPES: &[&str] = &[
    CREATED,
    UPDATED,
    CANCELED,
    STARTED,
    END,
    JOINED,
    LEFT,
    WAITING,
    PHONE_STATUS,
];

/// Token (the SHA-1 secret) is always there; EncodingAESKey only when encryption is on
/// [doc 1095/51605].
const SECRETS: &[SecretField] = &[
    SecretField {
        name: "token",
        required: true,
    },
    SecretField {
        name: "encoding_aes_key",
        required: false,
    },
];

/// Meeting fields a modify (`PUT /v1/meetings/{id}`) changes: what `meeting.updated` reports.
const MODIFIED: &[&str] = &[
    "topic",
    "start_time",
    "end_time",
    "password",
    "hosts",
    "settings",
    "guests",
    "location",
    "time_zone",
    "enable_live",
    "meeting_type",
];

/// Phone call statuses [doc 1095/80737], `CANCLE_INVITE` spelled as Tencent does.
const START_INVITE: &str = "START_INVITE";
const START_ACCEPT: &str = "START_ACCEPT";
const LEAVE_WITHOUT_ACCEPT: &str = "LEAVE_WITHOUT_ACCEPT";
const LEAVE_WITH_ACCEPTED: &str = "LEAVE_WITH_ACCEPTED";
const CANCLE_INVITE: &str = "CANCLE_INVITE";

impl TencentEvents {
    /// (event, item) pairs a change produces, before the subscription's filter.
    fn items(&self, c: &Change, s: &Settings, d: &TenantData) -> Vec<(&'static str, Item)> {
        let m = &c.meeting;
        let simple = |event| {
            vec![(
                event,
                items::item(c, items::actor(d, c), items::meeting_info(d, m, true)),
            )]
        };
        let phone = |w: &crate::store::change::Who| items::is_phone(d, &w.user_id);
        let status = |w, st| (PHONE_STATUS, items::phone_status(d, c, w, st));
        match &c.kind {
            ChangeKind::MeetingCreated => simple(CREATED),
            ChangeKind::MeetingCancelled => simple(CANCELED),
            ChangeKind::MeetingUpdated { fields } => {
                let live = matches!(m.state, MeetingState::Scheduled | MeetingState::InProgress);
                let modify = fields.iter().any(|f| MODIFIED.contains(&f.as_str()))
                    || (m.state == MeetingState::Scheduled
                        && fields.iter().any(|f| f == "waiting_room"));
                if live && modify {
                    simple(UPDATED)
                } else {
                    Vec::new()
                }
            }
            ChangeKind::InviteesSet { .. } if s.invitees_fire_updated => simple(UPDATED),
            ChangeKind::MeetingEnded { reason } => {
                let end_type = match reason {
                    EndReason::Ended | EndReason::Stopped => 0,
                    EndReason::Expired => 2,
                };
                let operator = match reason {
                    EndReason::Expired => items::person(d, m, &m.creator, None),
                    _ => items::actor(d, c),
                };
                let mut it = items::item(c, operator, items::meeting_info(d, m, true));
                it.meeting_end_type = Some(end_type);
                vec![(END, it)]
            }
            ChangeKind::ParticipantJoined { participant: w } => {
                let mut out = Vec::new();
                if phone(w) {
                    out.push(status(w, START_ACCEPT));
                }
                let joined = (JOINED, items::presence(d, c, w, false));
                if items::is_host(m, &w.user_id) && !w.rejoined {
                    let started = (
                        STARTED,
                        items::item(
                            c,
                            items::person(d, m, &w.user_id, Some(w)),
                            items::meeting_info(d, m, true),
                        ),
                    );
                    if s.started_before_joined {
                        out.extend([started, joined]);
                    } else {
                        out.extend([joined, started]);
                    }
                } else {
                    out.push(joined);
                }
                out
            }
            // Whatever the reason (left, kicked, moved to the waiting room, the meeting ended):
            // the person is out of the meeting.
            ChangeKind::ParticipantLeft { participant: w, .. } => {
                let mut out = Vec::new();
                if phone(w) {
                    out.push(status(w, LEAVE_WITH_ACCEPTED));
                }
                out.push((LEFT, items::presence(d, c, w, false)));
                out
            }
            ChangeKind::ParticipantWaiting { participant: w } => {
                vec![(WAITING, items::presence(d, c, w, true))]
            }
            ChangeKind::ParticipantCalled { participant: w } if phone(w) => {
                vec![status(w, START_INVITE)]
            }
            ChangeKind::ParticipantDeclined { participant: w }
            | ChangeKind::ParticipantBusy { participant: w }
            | ChangeKind::ParticipantMissed {
                participant: w,
                cancelled: false,
            } if phone(w) => {
                vec![status(w, LEAVE_WITHOUT_ACCEPT)]
            }
            ChangeKind::ParticipantMissed {
                participant: w,
                cancelled: true,
            } if phone(w) => {
                vec![status(w, CANCLE_INVITE)]
            }
            _ => Vec::new(),
        }
    }
}

/// `timestamp` (ms, 13 digits like the doc's example) and `nonce` (8–10 digits) of a send.
fn stamp(at: AttemptSeed, salt: u64) -> (String, String) {
    let n = u64::from_le_bytes(at.bytes::<8>(salt)) % 9_990_000_000 + 10_000_000;
    (at.at_ms.to_string(), n.to_string())
}

impl EventFormat for TencentEvents {
    fn vendor(&self) -> VendorId {
        VendorId::Tencent
    }

    fn secret_fields(&self) -> &'static [SecretField] {
        SECRETS
    }

    fn setting_fields(&self) -> &'static [SettingField] {
        settings::FIELDS
    }

    fn event_types(&self) -> &'static [&'static str] {
        TYPES
    }

    /// Token: letters and digits (the console makes 25); EncodingAESKey: 43 letters and
    /// digits that decode to a 32-byte key; settings of the right types.
    fn check(&self, sub: &Subscription) -> Result<(), FieldError> {
        let token = sub.secret("token").unwrap_or_default();
        if token.len() > 64 || !token.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(FieldError::new(
                "token",
                "must be 1 to 64 letters and digits (Tencent's console makes 25)",
            ));
        }
        if let Some(k) = sub.secrets.get("encoding_aes_key") {
            wire::aes_key(k).map_err(|e| FieldError::new("encoding_aes_key", e))?;
        }
        Settings::of(sub).map(|_| ())
    }

    fn interested(&self, kind: &ChangeKind) -> bool {
        !matches!(
            kind,
            ChangeKind::MeetingStarted
                | ChangeKind::HostChanged { .. }
                | ChangeKind::LockChanged { .. }
                | ChangeKind::ParticipantRinging { .. }
        )
    }

    fn events(
        &self,
        change: &Change,
        sub: &Subscription,
        d: &TenantData,
        new_id: &mut dyn FnMut() -> u128,
    ) -> Vec<EventDraft> {
        let s = Settings::of(sub).unwrap_or_default();
        self.items(change, &s, d)
            .into_iter()
            .filter(|(t, _)| sub.wants(t))
            .map(|(event_type, item)| {
                let event_id = items::trace_id(new_id());
                let envelope = Envelope {
                    event: event_type,
                    trace_id: &event_id,
                    payload: [&item],
                };
                EventDraft {
                    event_type,
                    payload: serde_json::to_string(&envelope).unwrap_or_default(),
                    event_id,
                }
            })
            .collect()
    }

    /// `{"data": base64 | base64(AES)}`, signed over `data` as placed in the body.
    fn encode(&self, sub: &Subscription, payload: &[u8], at: AttemptSeed) -> Outbound {
        let s = Settings::of(sub).unwrap_or_default();
        let key = sub
            .secret("encoding_aes_key")
            .and_then(|k| wire::aes_key(k).ok());
        let data = wire::payload(key.as_ref(), s.plain_base64_padding, payload);
        let (timestamp, nonce) = stamp(at, 2);
        let signature =
            wire::signature(sub.secret("token").unwrap_or(""), &timestamp, &nonce, &data);
        Outbound::post(
            wire::body(&data),
            vec![
                ("Content-Type", "application/json".to_string()),
                ("timestamp", timestamp),
                ("nonce", nonce),
                ("signature", signature),
            ],
        )
    }

    fn signature_header(&self) -> Option<&'static str> {
        Some("signature")
    }

    /// `timestamp`, `nonce`, `signature`: plain lower-case names [doc 1095/51608].
    fn header_case(&self) -> HeaderCase {
        HeaderCase::Lower
    }

    fn acknowledgement(&self) -> &'static str {
        "a 2xx answer"
    }

    /// Any 2xx, body ignored [inf: the docs ask only that the app check and decode].
    fn accepts(&self, status: u16, _body: &[u8]) -> bool {
        (200..300).contains(&status)
    }

    /// The default schedule (see [`settings`]): 3 retries, 60 s apart.
    fn retry_schedule(&self) -> &'static [Duration] {
        settings::DEFAULT_SCHEDULE
    }

    fn timeouts(&self) -> Timeouts {
        Settings::default().timeouts()
    }

    fn retry_wait(&self, sub: &Subscription, failures: u32) -> Option<Duration> {
        let s = Settings::of(sub).unwrap_or_default();
        (failures < s.retries).then_some(s.retry_interval)
    }

    fn delivery_timeouts(&self, sub: &Subscription) -> Timeouts {
        Settings::of(sub).unwrap_or_default().timeouts()
    }

    /// `GET <url>?check_str=…` with the three headers; the plaintext is the challenge
    /// [doc 1095/51608].
    fn handshake(&self, sub: &Subscription, challenge: &str, at: AttemptSeed) -> Option<Outbound> {
        let s = Settings::of(sub).unwrap_or_default();
        let key = sub
            .secret("encoding_aes_key")
            .and_then(|k| wire::aes_key(k).ok());
        let check_str = wire::payload(key.as_ref(), s.plain_base64_padding, challenge.as_bytes());
        let (timestamp, nonce) = stamp(at, 3);
        let signature = wire::signature(
            sub.secret("token").unwrap_or(""),
            &timestamp,
            &nonce,
            &check_str,
        );
        Some(Outbound {
            method: Method::Get,
            query: vec![("check_str", check_str)],
            body: Vec::new(),
            headers: vec![
                ("timestamp", timestamp),
                ("nonce", nonce),
                ("signature", signature),
            ],
        })
    }

    /// HTTP 200 whose whole body is the decoded plaintext (no quotes, no newline).
    fn judge_handshake(&self, challenge: &str, status: u16, body: &[u8]) -> Result<(), String> {
        if status != 200 {
            return Err(format!(
                "URL verification failed: the callback URL answered HTTP {status}, not 200"
            ));
        }
        if body != challenge.as_bytes() {
            let shown = String::from_utf8_lossy(&body[..body.len().min(64)]).into_owned();
            return Err(format!(
                "URL verification failed: the answer must be exactly the decoded check_str \
                 {challenge:?} (no quotes, no newline); got {shown:?}"
            ));
        }
        Ok(())
    }

    /// 3 s to answer the verification [doc 1095/51608].
    fn handshake_timeout(&self) -> Duration {
        Duration::from_secs(3)
    }
}
