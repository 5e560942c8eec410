//! The delivery settings of a Tencent subscription, beside its Token and EncodingAESKey. Tencent
//! documents none of these behaviours (notes `shared/vendors/tencent-events.md` §2.7, §5), so
//! each is a decision with a default, written down in docs/vendors/tencent.md ("Events"):
//!
//! | setting | default | what |
//! |---|---|---|
//! | `plain_base64_padding` | `true` | `=` padding of `data` / `check_str` without an EncodingAESKey (the doc's one signed example is unpadded; its encrypted example padded) |
//! | `started_before_joined` | `true` | `meeting.started` before the host's `meeting.participant-joined` |
//! | `invitees_fire_updated` | `false` | `PUT …/invitees` fires `meeting.updated` (its page names no event) |
//! | `retries` | `3` | resends after a failed POST (0–20) |
//! | `retry_interval_ms` | `60000` | wait before each resend, on the server clock (1 s – 24 h) |
//! | `timeout_ms` | `3000` | real-time limit of one POST (100 ms – 60 s; the GET verification has 3 s) |

use crate::store::Subscription;
use crate::vendors::events::{FieldError, SettingField, Timeouts};
use serde_json::Value;
use std::time::Duration;

/// Every setting, for validation and error messages.
pub const FIELDS: &[SettingField] = &[
    SettingField {
        name: "plain_base64_padding",
        help: "true or false (default true)",
    },
    SettingField {
        name: "started_before_joined",
        help: "true or false (default true)",
    },
    SettingField {
        name: "invitees_fire_updated",
        help: "true or false (default false)",
    },
    SettingField {
        name: "retries",
        help: "a whole number 0..=20 (default 3)",
    },
    SettingField {
        name: "retry_interval_ms",
        help: "a whole number of ms 1000..=86400000 (default 60000)",
    },
    SettingField {
        name: "timeout_ms",
        help: "a whole number of ms 100..=60000 (default 3000)",
    },
];

/// The default resend schedule: `retries` × `retry_interval_ms`.
pub const DEFAULT_SCHEDULE: &[Duration] = &[
    Duration::from_secs(60),
    Duration::from_secs(60),
    Duration::from_secs(60),
];

/// A subscription's settings, defaults filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    pub plain_base64_padding: bool,
    pub started_before_joined: bool,
    pub invitees_fire_updated: bool,
    pub retries: u32,
    pub retry_interval: Duration,
    pub timeout: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            plain_base64_padding: true,
            started_before_joined: true,
            invitees_fire_updated: false,
            retries: DEFAULT_SCHEDULE.len() as u32,
            retry_interval: DEFAULT_SCHEDULE[0],
            timeout: Duration::from_millis(3000),
        }
    }
}

fn help(name: &str) -> &'static str {
    FIELDS
        .iter()
        .find(|f| f.name == name)
        .map_or("", |f| f.help)
}

fn flag(sub: &Subscription, name: &str, default: bool) -> Result<bool, FieldError> {
    match sub.setting(name) {
        None => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(v) => Err(FieldError::new(
            name,
            format!("must be {}; got {v}", help(name)),
        )),
    }
}

fn number(
    sub: &Subscription,
    name: &str,
    range: (u64, u64),
    default: u64,
) -> Result<u64, FieldError> {
    match sub.setting(name) {
        None => Ok(default),
        Some(v) => v
            .as_u64()
            .filter(|n| (range.0..=range.1).contains(n))
            .ok_or_else(|| FieldError::new(name, format!("must be {}; got {v}", help(name)))),
    }
}

impl Settings {
    /// The settings of `sub`, or the first one that is malformed.
    pub fn of(sub: &Subscription) -> Result<Settings, FieldError> {
        let d = Settings::default();
        Ok(Settings {
            plain_base64_padding: flag(sub, "plain_base64_padding", d.plain_base64_padding)?,
            started_before_joined: flag(sub, "started_before_joined", d.started_before_joined)?,
            invitees_fire_updated: flag(sub, "invitees_fire_updated", d.invitees_fire_updated)?,
            retries: number(sub, "retries", (0, 20), d.retries as u64)? as u32,
            retry_interval: Duration::from_millis(number(
                sub,
                "retry_interval_ms",
                (1000, 86_400_000),
                d.retry_interval.as_millis() as u64,
            )?),
            timeout: Duration::from_millis(number(
                sub,
                "timeout_ms",
                (100, 60_000),
                d.timeout.as_millis() as u64,
            )?),
        })
    }

    /// Connect within 2 s (or the whole timeout when shorter), answer within the timeout.
    pub fn timeouts(&self) -> Timeouts {
        Timeouts {
            connect: self.timeout.min(Duration::from_secs(2)),
            total: self.timeout,
        }
    }
}
