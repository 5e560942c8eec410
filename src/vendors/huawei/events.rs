//! Huawei enterprise meeting-event push (企业级会议事件推送): which events the change stream
//! produces, their `eventInfo` payloads, the retry schedule and the `meeting.verify` handshake
//! (API reference "会议事件推送" pages; notes `shared/vendors/huawei-events.md` §0–§2).
//! `events_wire.rs` holds the byte-exact body and signature.
//!
//! A subscription is the enterprise's push configuration: `subscriberId` (the body's `appID`,
//! a setting: not secret), `subscriberKey` (the HMAC key, secret), `url`, and the
//! configuration's `status` setting (0 enabled, 1 disabled, 2 locked; absent = enabled, as for
//! a subscription declared in a scenario or the admin API). Only an enabled configuration produces events. The vendor
//! endpoints (`webhook.rs`) write it into the store; the engine delivers.
//!
//! Catalogue, for every meeting of the enterprise:
//! * `meeting.create` (created), `meeting.modify` (a scheduled meeting's settings changed),
//!   `meeting.cancel` (cancelled), `meeting.started`;
//! * `meeting.join` / `meeting.left` for every participant (`leftTime` 0 on join);
//! * `meeting.end` when a meeting ends; `meeting.conclude` too when it cannot be joined again
//!   (ended, cancelled while running, past its scheduled end — not StopMeeting, which puts it
//!   back on the schedule); then `record.finish` when it was recorded.
//!
//! One body per event, fixed when the event is queued: retries send the same bytes, so the
//! 8-digit `nonce` (the delivery's event id) is the receiver's dedupe key.
// DEVIATION: the docs leave open the order around an end; meetmock sends each participant's
// `meeting.left` first, then `meeting.end`, `meeting.conclude`, `record.finish`
// (docs/vendors/huawei.md, "Events").

use super::events_info::{attendee, meeting_info, EventInfo, Payload};
use super::events_wire as wire;
use crate::store::change::{ChangeKind, EndReason, Who};
use crate::store::{Change, MeetingState, Subscription, TenantData, VendorId};
use crate::vendors::events::{
    flip_last, AttemptSeed, EventDraft, EventFormat, FieldError, Outbound, SecretField,
    SettingField, Timeouts,
};
use serde_json::Value;
use std::time::Duration;

/// The Huawei event format.
pub struct HuaweiEvents;

pub const CREATE: &str = "meeting.create";
pub const MODIFY: &str = "meeting.modify";
pub const CANCEL: &str = "meeting.cancel";
pub const STARTED: &str = "meeting.started";
pub const JOIN: &str = "meeting.join";
pub const LEFT: &str = "meeting.left";
pub const END: &str = "meeting.end";
pub const CONCLUDE: &str = "meeting.conclude";
pub const RECORD_FINISH: &str = "record.finish";
pub const VERIFY: &str = "meeting.verify";

const TYPES: &[&str] = &[
    CREATE,
    MODIFY,
    CANCEL,
    STARTED,
    JOIN,
    LEFT,
    END,
    CONCLUDE,
    RECORD_FINISH,
];

/// The configuration's password, the HMAC key [doc: SetWebHookConfig `subscriberKey`].
pub const KEY: &str = "subscriberKey";
/// The subscriber ID, sent as `appID` [doc: SetWebHookConfig `subscriberId`].
pub const APP_ID: &str = "subscriberId";
pub const CORP_ID: &str = "corpId";
pub const SP_ID: &str = "spId";
/// 0 enabled, 1 disabled, 2 locked [sdk: ShowWebHookConfigResponse.status].
pub const STATUS: &str = "status";

const SECRETS: &[SecretField] = &[SecretField {
    name: KEY,
    required: true,
}];

const SETTINGS: &[SettingField] = &[
    SettingField {
        name: APP_ID,
        help: "the subscriber ID sent as appID (a string, required)",
    },
    SettingField {
        name: CORP_ID,
        help: "the enterprise ID the configuration was registered for (a string)",
    },
    SettingField {
        name: SP_ID,
        help: "the SP ID the configuration was registered for (a string)",
    },
    SettingField {
        name: STATUS,
        help: "0 enabled (default), 1 disabled, 2 locked",
    },
];

/// 30 s three times, then every 30 min [doc H1]; [`WINDOW`] ends it (the 48th 30-min wait would
/// fall 90 s past 24 h).
const RETRIES: [Duration; 51] = {
    let mut r = [Duration::from_secs(1800); 51];
    r[0] = Duration::from_secs(30);
    r[1] = Duration::from_secs(30);
    r[2] = Duration::from_secs(30);
    r
};

/// No push is retried later than 24 h after its first attempt [doc H1].
const WINDOW: Duration = Duration::from_secs(24 * 3600);

/// The configuration's status: 0 enabled (also when absent: configured outside the API), 1
/// disabled, 2 locked; written as a number or a digit string.
pub fn status(sub: &Subscription) -> Option<i64> {
    match sub.setting(STATUS) {
        None => Some(0),
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.parse().ok(),
        Some(_) => None,
    }
}

/// True when the configuration pushes.
pub fn enabled(sub: &Subscription) -> bool {
    status(sub) == Some(0)
}

/// A string setting ("" when absent).
pub fn text_setting<'a>(sub: &'a Subscription, name: &str) -> &'a str {
    sub.setting(name).and_then(Value::as_str).unwrap_or("")
}

/// True when the meeting that just ended had something recorded.
fn recorded(c: &Change, d: &TenantData) -> bool {
    d.meeting(&c.meeting.id)
        .ok()
        .and_then(|m| m.recording.as_ref())
        .is_some_and(|r| r.recorded_secs > 0 || r.last_stop.is_some())
}

impl HuaweiEvents {
    /// (event type, payload) pairs a change produces, in order, before the type filter.
    fn catalogue(&self, c: &Change, d: &TenantData) -> Vec<(&'static str, Payload)> {
        let m = &c.meeting;
        let plain = || Payload {
            meeting_info: meeting_info(m),
            attendee_info: None,
        };
        let with = |w: &Who, left: bool| Payload {
            meeting_info: meeting_info(m),
            attendee_info: Some(attendee(c, w, d, left)),
        };
        match &c.kind {
            ChangeKind::MeetingCreated => vec![(CREATE, plain())],
            ChangeKind::MeetingUpdated { .. } if m.state == MeetingState::Scheduled => {
                vec![(MODIFY, plain())]
            }
            ChangeKind::MeetingCancelled => vec![(CANCEL, plain())],
            ChangeKind::MeetingStarted => vec![(STARTED, plain())],
            ChangeKind::ParticipantJoined { participant } => vec![(JOIN, with(participant, false))],
            ChangeKind::ParticipantLeft { participant, .. } => {
                vec![(LEFT, with(participant, true))]
            }
            ChangeKind::MeetingEnded { reason } => {
                let mut v = vec![(END, plain())];
                if *reason != EndReason::Stopped {
                    v.push((CONCLUDE, plain()));
                }
                if recorded(c, d) {
                    v.push((RECORD_FINISH, plain()));
                }
                v
            }
            _ => Vec::new(),
        }
    }
}

impl EventFormat for HuaweiEvents {
    fn vendor(&self) -> VendorId {
        VendorId::Huawei
    }

    fn secret_fields(&self) -> &'static [SecretField] {
        SECRETS
    }

    fn setting_fields(&self) -> &'static [SettingField] {
        SETTINGS
    }

    fn event_types(&self) -> &'static [&'static str] {
        TYPES
    }

    /// One push configuration per enterprise (ShowWebHookConfig answers one record).
    fn one_per_tenant(&self) -> bool {
        true
    }

    /// `subscriberId` a non-empty string, `corpId`/`spId` strings, `status` 0, 1 or 2.
    fn check(&self, sub: &Subscription) -> Result<(), FieldError> {
        if text_setting(sub, APP_ID).is_empty() {
            return Err(FieldError::new(
                APP_ID,
                "is required for huawei subscriptions (a string)",
            ));
        }
        for name in [CORP_ID, SP_ID] {
            if sub.setting(name).is_some_and(|v| !v.is_string()) {
                return Err(FieldError::new(name, "must be a string"));
            }
        }
        match status(sub) {
            Some(0..=2) => Ok(()),
            _ => Err(FieldError::new(
                STATUS,
                "is not a push status; valid: 0 enabled, 1 disabled, 2 locked",
            )),
        }
    }

    fn interested(&self, kind: &ChangeKind) -> bool {
        matches!(
            kind,
            ChangeKind::MeetingCreated
                | ChangeKind::MeetingUpdated { .. }
                | ChangeKind::MeetingCancelled
                | ChangeKind::MeetingStarted
                | ChangeKind::MeetingEnded { .. }
                | ChangeKind::ParticipantJoined { .. }
                | ChangeKind::ParticipantLeft { .. }
        )
    }

    fn events(
        &self,
        c: &Change,
        sub: &Subscription,
        d: &TenantData,
        new_id: &mut dyn FnMut() -> u128,
    ) -> Vec<EventDraft> {
        if !enabled(sub) {
            return Vec::new();
        }
        let app_id = text_setting(sub, APP_ID);
        let key = sub.secret(KEY).unwrap_or("");
        self.catalogue(c, d)
            .into_iter()
            .filter(|(t, _)| sub.wants(t))
            .map(|(event_type, payload)| {
                let info = EventInfo {
                    event: event_type,
                    timestamp: c.at_ms,
                    payload: Some(payload),
                };
                let info = serde_json::to_string(&info).unwrap_or_default();
                let nonce = wire::nonce(new_id());
                EventDraft {
                    event_type,
                    payload: wire::body(key, app_id, c.at_ms, &nonce, &info),
                    event_id: nonce,
                }
            })
            .collect()
    }

    /// The body queued (signed once); per attempt a new `Date` and `X-Request-ID`.
    fn encode(&self, _sub: &Subscription, payload: &[u8], at: AttemptSeed) -> Outbound {
        Outbound::post(
            payload.to_vec(),
            wire::headers(at.at_ms, wire::hex(&at.bytes::<16>(7))),
        )
    }

    /// The signature travels in the body.
    fn corrupt_signature(&self, out: &mut Outbound) {
        if let Some((s, e)) = wire::signature_span(&out.body) {
            let mut sig = String::from_utf8_lossy(&out.body[s..e]).into_owned();
            flip_last(&mut sig);
            out.body.splice(s..e, sig.into_bytes());
        }
    }

    fn retry_schedule(&self) -> &'static [Duration] {
        &RETRIES
    }

    fn retry_window(&self) -> Option<Duration> {
        Some(WINDOW)
    }

    /// No timeout is documented: 3 s to connect, 5 s for the answer [inf, notes §2.4].
    fn timeouts(&self) -> Timeouts {
        Timeouts {
            connect: Duration::from_secs(3),
            total: Duration::from_secs(5),
        }
    }

    /// `meeting.verify`: eventInfo `{event, timestamp}` without payload [doc H3].
    fn handshake(&self, sub: &Subscription, challenge: &str, at: AttemptSeed) -> Option<Outbound> {
        let info = serde_json::to_string(&EventInfo {
            event: VERIFY,
            timestamp: at.at_ms,
            payload: None,
        })
        .unwrap_or_default();
        let body = wire::body(
            sub.secret(KEY).unwrap_or(""),
            text_setting(sub, APP_ID),
            at.at_ms,
            &wire::verify_nonce(challenge),
            &info,
        );
        Some(Outbound::post(
            body.into_bytes(),
            wire::headers(at.at_ms, wire::hex(&at.bytes::<16>(8))),
        ))
    }

    /// HTTP 200 with JSON `{"event":"meeting.verify","nonce":<the request's>}` [doc H3].
    fn judge_handshake(&self, challenge: &str, status: u16, body: &[u8]) -> Result<(), String> {
        let nonce = wire::verify_nonce(challenge);
        if status != 200 {
            return Err(format!(
                "meeting.verify: the URL answered HTTP {status}, not 200"
            ));
        }
        let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        if v["event"] == VERIFY && v["nonce"] == nonce.as_str() {
            return Ok(());
        }
        Err(format!(
            "meeting.verify: the answer is not {{\"event\":\"meeting.verify\",\"nonce\":\"{nonce}\"}}"
        ))
    }

    fn handshake_timeout(&self) -> Duration {
        Duration::from_secs(5)
    }
}
