//! Fault rules aimed at event deliveries (`target: delivery`): what they may match (vendor,
//! tenant, meeting, event type, the plaintext event by `body_regex`) and what they do to one
//! attempt (drop, delay, duplicate, reorder, corrupt the signature, send to a dead URL), so an
//! app can rehearse dedupe, signature verification and retry handling.

use super::rule::RuleSpec;
use crate::store::VendorId;
use crate::vendors::Vendor;

/// What a rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Target {
    /// A request to an emulated vendor endpoint.
    #[default]
    Request,
    /// An event delivery from meetmock to a subscriber.
    Delivery,
}

/// What a delivery rule does to the attempt it fires on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryFault {
    /// Not sent and not retried: the event is lost (status `dropped`).
    Drop,
    /// Sent twice in a row (at-least-once delivery: dedupe on the event id).
    Duplicate,
    /// Held back behind the next waiting event of the same meeting.
    Reorder,
    /// Sent with a wrong signature (the vendor's signature header altered).
    CorruptSignature,
    /// Sent to an address where nothing listens: the attempt fails and is retried.
    DeadUrl,
    /// Only the rule's `delay` (real time, before sending).
    DelayOnly,
}

const KINDS: &str = "drop, duplicate, reorder, corrupt_signature, dead_url";

/// What a delivery rule is matched against.
pub struct DeliveryInput<'a> {
    pub vendor: VendorId,
    pub tenant: &'a str,
    pub meeting: &'a str,
    pub event_type: &'a str,
    /// The plaintext event (what `body_regex` searches).
    pub payload: &'a [u8],
    /// False when the event cannot be reordered (no event waits behind it, or it was
    /// reordered once): `reorder` rules then do not match.
    pub can_reorder: bool,
}

/// The outcome for one attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryDecision {
    pub rule: String,
    pub fault: DeliveryFault,
    /// Real-time milliseconds to wait before sending (0 = none).
    pub delay_ms: f64,
}

/// Reads `target:`/`delivery:` and checks that the rest of the rule fits its target.
pub fn compile(
    spec: &RuleSpec,
    vendors: &[Box<dyn Vendor>],
) -> Result<(Target, Option<DeliveryFault>), String> {
    let target = match spec.target.as_deref() {
        None if spec.delivery.is_some() || spec.matcher.event_type.is_some() => Target::Delivery,
        None | Some("request") => Target::Request,
        Some("delivery") => Target::Delivery,
        Some(other) => {
            return Err(format!(
                "unknown target {other:?}; valid targets: request, delivery"
            ))
        }
    };
    if target == Target::Request {
        if spec.delivery.is_some() {
            return Err("`delivery:` actions apply to `target: delivery` rules only".into());
        }
        if spec.matcher.event_type.is_some() {
            return Err("match.event_type applies to `target: delivery` rules only".into());
        }
        return Ok((Target::Request, None));
    }
    let m = &spec.matcher;
    for (field, given) in [
        ("operation", m.operation.is_some()),
        ("user", m.user.is_some()),
        ("headers", !m.headers.is_empty()),
        ("path_regex", m.path_regex.is_some()),
    ] {
        if given {
            return Err(format!(
                "match.{field} matches requests, not deliveries; a delivery rule matches vendor, tenant, meeting, event_type and body_regex"
            ));
        }
    }
    if spec.error.is_some() || spec.response.is_some() || spec.connection.is_some() {
        return Err(format!(
            "a delivery rule takes `delivery: <{KINDS}>` and/or `delay`, not error, response or connection"
        ));
    }
    if let Some(t) = &m.event_type {
        check_event_type(t, m.vendor.as_deref(), vendors)?;
    }
    let fault = match spec.delivery.as_deref() {
        None if spec.delay.is_some() => DeliveryFault::DelayOnly,
        None => {
            return Err(format!(
                "a delivery rule needs `delivery: <{KINDS}>` or a delay"
            ))
        }
        Some("drop") => DeliveryFault::Drop,
        Some("duplicate") => DeliveryFault::Duplicate,
        Some("reorder") => DeliveryFault::Reorder,
        Some("corrupt_signature") => DeliveryFault::CorruptSignature,
        Some("dead_url") => DeliveryFault::DeadUrl,
        Some(other) => return Err(format!("unknown delivery fault {other:?}; valid: {KINDS}")),
    };
    Ok((Target::Delivery, Some(fault)))
}

/// The event type must be one the matched vendor's format produces (any vendor's when the
/// rule names none).
fn check_event_type(
    t: &str,
    vendor: Option<&str>,
    vendors: &[Box<dyn Vendor>],
) -> Result<(), String> {
    let wanted = vendor.and_then(VendorId::parse);
    let mut known: Vec<&str> = vendors
        .iter()
        .filter(|v| wanted.is_none_or(|w| v.id() == w))
        .filter_map(|v| v.events())
        .flat_map(|f| f.event_types().iter().copied())
        .collect();
    if known.contains(&t) {
        return Ok(());
    }
    known.sort();
    Err(format!(
        "unknown event type {t:?}{}; valid: {}",
        wanted.map(|v| format!(" for {v}")).unwrap_or_default(),
        if known.is_empty() {
            "(this vendor has no event format yet)".to_string()
        } else {
            known.join(", ")
        }
    ))
}
