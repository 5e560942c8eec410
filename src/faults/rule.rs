//! The fault rule format (`faults:` in a scenario) and its compiled form.

use super::delivery::{DeliveryFault, Target};
pub use super::matcher::MatchSpec;
use super::matcher::Patterns;
pub use crate::store::latency::{Delay, DelaySpec};
use crate::store::VendorId;
use crate::vendors::Vendor;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A rule as written in a scenario or posted to `/__admin/faults`.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, rename = "match")]
    pub matcher: MatchSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<WhenSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<ResponseSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay: Option<DelaySpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<ConnectionSpec>,
    /// `request` (default) or `delivery` (event deliveries, see `delivery.rs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// What a delivery rule does: drop, duplicate, reorder, corrupt_signature, dead_url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<String>,
}

/// When a matching request is faulted.
#[derive(Debug, Clone, Deserialize, Serialize, Default, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WhenSpec {
    /// Every Nth matching call (the Nth, 2Nth, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every: Option<u64>,
    /// Only the first N matching calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first: Option<u64>,
    /// Only after N matching calls have passed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<u64>,
    /// At most N faults in all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
    /// With this probability (0..=1), drawn from the rule's own seeded stream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
}

/// `error:` — a vendor error by catalogue name or code.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(untagged)]
pub enum ErrorSpec {
    Key(String),
    Detailed {
        code: String,
        #[serde(default)]
        message: Option<String>,
    },
}

/// `response:` — a raw answer.
#[derive(Debug, Clone, Deserialize, Serialize, Default, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ResponseSpec {
    pub status: u16,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub body: String,
}

/// `connection:` — what happens to the connection.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(untagged)]
pub enum ConnectionSpec {
    Kind(String),
    Slow {
        kind: String,
        #[serde(default)]
        duration_ms: Option<u64>,
        #[serde(default)]
        chunks: Option<u32>,
    },
}

/// A compiled connection fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionFault {
    /// TCP reset (RST) without answering.
    Reset,
    /// Close the connection without answering.
    Close,
    /// An HTTP head with no body bytes, then close.
    Empty,
    /// The body cut off half-way, then close.
    Truncated,
    /// The answer dribbled out in `chunks` pieces over `duration_ms`.
    Slow { duration_ms: u64, chunks: u32 },
    /// Never answer; hold the connection until the client gives up.
    Hang,
    /// Panic inside the handler's safety net: rehearses meetmock's own panic catching (the
    /// request is answered as the vendor's internal error, logged and counted).
    Panic,
}

/// What a rule does.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// A catalogue error of the matched vendor (name or code), optional message override.
    Error {
        key: String,
        message: Option<String>,
    },
    Response(ResponseSpec),
    Connection(ConnectionFault),
    /// Delay only; the request then proceeds normally.
    None,
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub name: String,
    /// The scenario file the rule came from (`<admin>` for rules posted at runtime).
    pub source: String,
    pub vendor: Option<VendorId>,
    pub spec: RuleSpec,
    pub action: Action,
    pub delay: Option<Delay>,
    /// The compiled `path_regex` / `body_regex` of the matcher.
    pub patterns: Patterns,
    /// Requests or event deliveries.
    pub target: Target,
    /// What a delivery rule does (`None` for request rules).
    pub delivery: Option<DeliveryFault>,
}

impl Rule {
    /// Validates a spec against the registry. `index` names unnamed rules (`rule-<index>`).
    pub fn compile(
        spec: &RuleSpec,
        index: usize,
        vendors: &[Box<dyn Vendor>],
    ) -> Result<Rule, String> {
        let name = spec.name.clone().unwrap_or_else(|| format!("rule-{index}"));
        let vendor = match &spec.matcher.vendor {
            None => None,
            Some(v) => Some(VendorId::parse(v).ok_or_else(|| {
                format!("unknown vendor {v:?}; valid vendors: tencent, feishu, dingtalk, huawei")
            })?),
        };
        let candidates: Vec<&dyn Vendor> = vendors
            .iter()
            .map(|v| v.as_ref())
            .filter(|v| vendor.is_none_or(|id| v.id() == id))
            .collect();
        if let Some(op) = &spec.matcher.operation {
            // HTTP routes, and the WebSocket endpoints of event formats' push protocols.
            let ops_of = |v: &&dyn Vendor| {
                let live = v.events().and_then(|f| f.live()).map(|l| l.operation());
                v.routes().iter().map(|r| r.operation).chain(live)
            };
            let known = candidates.iter().any(|v| ops_of(v).any(|o| o == op));
            if !known {
                let mut ops: Vec<&str> = candidates.iter().flat_map(ops_of).collect();
                ops.sort();
                ops.dedup();
                return Err(format!(
                    "unknown operation {op:?}{}; valid operations: {}",
                    vendor.map(|v| format!(" for {v}")).unwrap_or_default(),
                    ops.join(", ")
                ));
            }
        }
        if let Some(w) = &spec.when {
            if let Some(p) = w.probability {
                if !(0.0..=1.0).contains(&p) || p.is_nan() {
                    return Err(format!("when.probability must be between 0 and 1, got {p}"));
                }
            }
            if w.every == Some(0) {
                return Err("when.every must be at least 1".into());
            }
            impossible_when(w)?;
        }
        let patterns = super::matcher::compile(&spec.matcher)?;
        let (target, delivery) = super::delivery::compile(spec, vendors)?;
        if target == Target::Delivery {
            let delay = spec
                .delay
                .as_ref()
                .map(|d| Delay::compile(d, "delay"))
                .transpose()?;
            return Ok(Rule {
                name,
                source: "<admin>".to_string(),
                vendor,
                spec: spec.clone(),
                action: Action::None,
                delay,
                patterns,
                target,
                delivery,
            });
        }
        let actions = [
            spec.error.is_some(),
            spec.response.is_some(),
            spec.connection.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if actions > 1 {
            return Err(
                "a rule takes at most one of error, response, connection (delay may go with any)"
                    .into(),
            );
        }
        let action = if let Some(e) = &spec.error {
            let (key, message) = match e {
                ErrorSpec::Key(k) => (k.clone(), None),
                ErrorSpec::Detailed { code, message } => (code.clone(), message.clone()),
            };
            let Some(v) = vendor else {
                return Err("an `error` rule must match one vendor (match.vendor) so the error can be rendered by that vendor's catalogue".into());
            };
            let vd = candidates
                .first()
                .ok_or_else(|| format!("vendor {v} is not registered"))?;
            if vd.error_by_key(&key).is_none() {
                let names: Vec<String> = vd
                    .errors()
                    .iter()
                    .map(|e| format!("{} ({})", e.name, e.code))
                    .collect();
                return Err(format!(
                    "unknown {v} error {key:?}; valid errors: {}",
                    names.join(", ")
                ));
            }
            Action::Error { key, message }
        } else if let Some(r) = &spec.response {
            if !(100..=999).contains(&r.status) {
                return Err(format!(
                    "response.status must be 100..=999, got {}",
                    r.status
                ));
            }
            Action::Response(r.clone())
        } else if let Some(c) = &spec.connection {
            Action::Connection(compile_connection(c)?)
        } else if spec.delay.is_some() {
            Action::None
        } else {
            return Err("a rule needs an action: error, response, delay or connection".into());
        };
        let delay = spec
            .delay
            .as_ref()
            .map(|d| Delay::compile(d, "delay"))
            .transpose()?;
        Ok(Rule {
            name,
            source: "<admin>".to_string(),
            vendor,
            spec: spec.clone(),
            action,
            delay,
            patterns,
            target,
            delivery,
        })
    }
}

/// Refuses `when` combinations under which the rule could never fire.
fn impossible_when(w: &WhenSpec) -> Result<(), String> {
    if w.times == Some(0) {
        return Err(
            "when.times: 0 means the rule never fires; use at least 1 or remove the rule".into(),
        );
    }
    if w.first == Some(0) {
        return Err("when.first: 0 means the rule never fires; use at least 1".into());
    }
    if let (Some(f), Some(a)) = (w.first, w.after) {
        if f <= a {
            return Err(format!(
                "when.first ({f}) is not above when.after ({a}): no call is both among the first {f} and after the first {a}, so the rule never fires"
            ));
        }
    }
    if let (Some(e), Some(f)) = (w.every, w.first) {
        if e > f {
            return Err(format!(
                "when.every ({e}) is above when.first ({f}): the {e}th call is never among the first {f}, so the rule never fires"
            ));
        }
    }
    Ok(())
}

const CONNECTION_KINDS: &str = "reset, close, empty, truncated, slow, hang, panic";

fn compile_connection(c: &ConnectionSpec) -> Result<ConnectionFault, String> {
    let (kind, duration, chunks) = match c {
        ConnectionSpec::Kind(k) => (k.as_str(), None, None),
        ConnectionSpec::Slow {
            kind,
            duration_ms,
            chunks,
        } => (kind.as_str(), *duration_ms, *chunks),
    };
    Ok(match kind {
        "reset" => ConnectionFault::Reset,
        "close" => ConnectionFault::Close,
        "empty" => ConnectionFault::Empty,
        "truncated" => ConnectionFault::Truncated,
        "hang" => ConnectionFault::Hang,
        "panic" => ConnectionFault::Panic,
        "slow" => ConnectionFault::Slow {
            duration_ms: duration.unwrap_or(2000),
            chunks: chunks.unwrap_or(10).max(1),
        },
        other => {
            return Err(format!(
                "unknown connection fault {other:?}; valid kinds: {CONNECTION_KINDS}"
            ))
        }
    })
}
