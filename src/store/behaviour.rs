//! Invitee behaviour declarations (DESIGN decision 10): what a called person does — how soon
//! the device rings, how long it rings, how they answer (accept, decline, no answer, busy,
//! optionally weighted), how long they stay — declared per tenant, per callee (a user or a
//! phone/SIP number), per meeting, or per meeting and callee; the most specific one wins.
//!
//! `BehaviourSpec` is the form written in scenarios and the admin API; [`Behaviour`] its
//! validated form. `declaration` resolves a spec against its tenant and keeps every declaration
//! of the server; `plan` turns a call into timed steps; `living` schedules and applies them.

use super::latency::{Delay, DelaySpec};
use super::VendorId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How long a call rings before the vendor gives up, when a declaration does not say. No
/// vendor document or note states it (shared/vendors/*.md are silent; see docs/vendors/<v>.md
/// "Decisions"): 60 s, the usual no-answer timer of telephone networks, for all four [inf].
pub const RING_TIMEOUT_MS: [u64; 4] = [60_000, 60_000, 60_000, 60_000];

/// The vendor's ring timeout (ms).
pub fn ring_timeout_ms(vendor: VendorId) -> u64 {
    RING_TIMEOUT_MS[vendor.index()]
}

/// `alert:` as written: a latency, or `never` (the call never rings; it stays "calling").
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(untagged)]
pub enum AlertSpec {
    Delay(DelaySpec),
    Word(String),
}

/// `outcome:` as written: one outcome, or outcomes with weights (`{accept: 8, decline: 1}`).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(untagged)]
pub enum OutcomeSpec {
    One(String),
    Weighted(BTreeMap<String, f64>),
}

/// A behaviour declaration as written (scenario `tenants[].behaviours[]`, admin API).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BehaviourSpec {
    /// A user of the tenant (primary id or any alias); calls to its id, aliases or phone match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// A phone or SIP number outside the directory (PSTN/SIP invitees).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// A meeting of the tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting: Option<String>,
    /// From the call to the device ringing (default 0); `never`: it never rings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert: Option<AlertSpec>,
    /// How long it rings before the callee answers (accept or decline; default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ring: Option<DelaySpec>,
    pub outcome: OutcomeSpec,
    /// How long an accepted callee stays before leaving (default: until the meeting ends).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stay: Option<DelaySpec>,
    /// Overrides the vendor's ring timeout (see [`RING_TIMEOUT_MS`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ring_timeout_ms: Option<u64>,
}

/// How a call ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Accept,
    Decline,
    /// Rings until the ring timeout, then missed.
    NoAnswer,
    /// The line is busy: the call fails when it reaches the callee.
    Busy,
    /// Nothing is simulated: the call stays as placed until the admin API or the meeting moves it.
    Manual,
}

impl Outcome {
    const NAMES: &'static str = "accept, decline, no_answer, busy, manual";

    fn parse(s: &str) -> Option<Outcome> {
        Some(match s {
            "accept" => Outcome::Accept,
            "decline" => Outcome::Decline,
            "no_answer" => Outcome::NoAnswer,
            "busy" => Outcome::Busy,
            "manual" => Outcome::Manual,
            _ => return None,
        })
    }
}

/// A validated behaviour.
#[derive(Debug, Clone, PartialEq)]
pub struct Behaviour {
    /// From the call to ringing; `None`: never rings.
    pub alert: Option<Delay>,
    pub ring: Delay,
    /// Outcomes with their weights (total > 0).
    pub outcomes: Vec<(Outcome, f64)>,
    pub stay: Option<Delay>,
    pub ring_timeout_ms: Option<u64>,
}

/// Longest ring timeout a declaration may ask for: one day.
const MAX_RING_TIMEOUT_MS: u64 = 86_400_000;

impl Behaviour {
    /// What an invitee nobody declared anything for does: the call stays "calling" and rings
    /// out (missed) after the vendor's ring timeout — a callee whose client is away. A test
    /// that checks "calling" right after an invite stays meaningful, and every call ends.
    pub fn default_unanswered() -> Behaviour {
        Behaviour {
            alert: None,
            ring: Delay::Fixed(0.0),
            outcomes: vec![(Outcome::NoAnswer, 1.0)],
            stay: None,
            ring_timeout_ms: None,
        }
    }

    /// The written form of [`Behaviour::default_unanswered`] (listed by the admin API).
    pub fn default_spec() -> BehaviourSpec {
        BehaviourSpec {
            user: None,
            number: None,
            meeting: None,
            alert: Some(AlertSpec::Word("never".into())),
            ring: None,
            outcome: OutcomeSpec::One("no_answer".into()),
            stay: None,
            ring_timeout_ms: None,
        }
    }

    /// Validates the behaviour part of a spec; errors name the field.
    pub fn compile(s: &BehaviourSpec) -> Result<Behaviour, String> {
        let alert = match &s.alert {
            None => Some(Delay::Fixed(0.0)),
            Some(AlertSpec::Word(w)) if w == "never" => None,
            Some(AlertSpec::Word(w)) => {
                return Err(format!(
                    "alert: {w:?} is not a latency; give ms, {{min_ms, max_ms}}, {{median_ms, sigma}} or `never`"
                ))
            }
            Some(AlertSpec::Delay(d)) => Some(Delay::compile(d, "alert")?),
        };
        let ring = match &s.ring {
            None => Delay::Fixed(0.0),
            Some(d) => Delay::compile(d, "ring")?,
        };
        let stay = s
            .stay
            .as_ref()
            .map(|d| Delay::compile(d, "stay"))
            .transpose()?;
        let outcomes = match &s.outcome {
            OutcomeSpec::One(name) => vec![(outcome(name)?, 1.0)],
            OutcomeSpec::Weighted(map) => {
                if map.is_empty() {
                    return Err(format!("outcome: give at least one of {}", Outcome::NAMES));
                }
                let mut list = Vec::with_capacity(map.len());
                for (name, w) in map {
                    if !(w.is_finite() && *w >= 0.0) {
                        return Err(format!(
                            "outcome.{name}: a weight must be a non-negative number, got {w}"
                        ));
                    }
                    list.push((outcome(name)?, *w));
                }
                if list.iter().map(|(_, w)| w).sum::<f64>() <= 0.0 {
                    return Err("outcome: the weights add up to 0".into());
                }
                list
            }
        };
        if stay.is_some()
            && !outcomes
                .iter()
                .any(|(o, w)| *o == Outcome::Accept && *w > 0.0)
        {
            return Err(
                "stay: the outcome never accepts, so nobody joins to stay (remove stay or allow accept)"
                    .into(),
            );
        }
        if let Some(t) = s.ring_timeout_ms {
            if t == 0 || t > MAX_RING_TIMEOUT_MS {
                return Err(format!(
                    "ring_timeout_ms must be 1..={MAX_RING_TIMEOUT_MS}, got {t}"
                ));
            }
        }
        Ok(Behaviour {
            alert,
            ring,
            outcomes,
            stay,
            ring_timeout_ms: s.ring_timeout_ms,
        })
    }
}

fn outcome(name: &str) -> Result<Outcome, String> {
    Outcome::parse(name).ok_or_else(|| {
        format!(
            "outcome: {name:?} is not an outcome; valid: {}",
            Outcome::NAMES
        )
    })
}
