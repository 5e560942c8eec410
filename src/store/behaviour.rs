//! Invitee behaviour declarations (DESIGN decision 10): what a called person does — how soon
//! the device rings, how long it rings, how they answer (accept, decline, no answer, busy,
//! optionally weighted), how long they stay — declared per tenant, per callee (a user or a
//! phone/SIP number), per meeting, or per meeting and callee; the most specific one wins.
//!
//! `BehaviourSpec` is the form written in scenarios and the admin API; [`Behaviour`] its
//! validated form; [`Declarations`] every declaration of the server, indexed by tenant. The
//! scheduler that turns a call into timed steps is `living`; the steps are planned by `plan`.

use super::latency::{Delay, DelaySpec};
use super::VendorId;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

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

/// Who a declaration is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Callee {
    /// A user of the tenant, by primary id.
    User(String),
    /// A phone or SIP number.
    Number(String),
}

/// One declaration, resolved against its tenant.
#[derive(Debug, Clone)]
pub struct Declaration {
    pub vendor: VendorId,
    pub tenant: String,
    pub meeting: Option<String>,
    pub callee: Option<Callee>,
    /// The ids a call to the callee may carry: the user id, its aliases and phone, or the number.
    pub keys: Vec<String>,
    /// Where it came from: a scenario file, `<admin>`, or `<state>`.
    pub source: String,
    pub spec: BehaviourSpec,
    pub behaviour: Arc<Behaviour>,
}

impl Declaration {
    /// How specific the declaration is: meeting and callee 3, meeting 2, callee 1, tenant 0.
    fn rank(&self) -> u8 {
        match (&self.meeting, &self.callee) {
            (Some(_), Some(_)) => 3,
            (Some(_), None) => 2,
            (None, Some(_)) => 1,
            (None, None) => 0,
        }
    }

    fn same_scope(&self, other: &Declaration) -> bool {
        self.meeting == other.meeting && self.callee == other.callee
    }

    fn matches(&self, meeting: &str, callee: &str) -> bool {
        self.meeting.as_deref().is_none_or(|m| m == meeting)
            && (self.callee.is_none() || self.keys.iter().any(|k| k == callee))
    }
}

/// The state-export and admin-API form of a declaration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclarationState {
    pub vendor: VendorId,
    pub tenant: String,
    #[serde(default)]
    pub source: String,
    /// The ids a call may carry to match a `user` declaration (its id, aliases, phone).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<String>,
    pub behaviour: BehaviourSpec,
}

impl From<&Declaration> for DeclarationState {
    fn from(d: &Declaration) -> Self {
        DeclarationState {
            vendor: d.vendor,
            tenant: d.tenant.clone(),
            source: d.source.clone(),
            keys: d.keys.clone(),
            behaviour: d.spec.clone(),
        }
    }
}

/// Why a declaration was refused: a bad field (400) or something it names that does not exist
/// (404).
#[derive(Debug, Clone, PartialEq)]
pub enum DeclError {
    Bad(String),
    Unknown(String),
}

impl Declaration {
    /// Validates `spec` for a tenant. `user` resolves a user id or alias to its primary id and
    /// match keys; `meeting` says whether a meeting exists.
    pub fn resolve(
        vendor: VendorId,
        tenant: &str,
        spec: &BehaviourSpec,
        source: &str,
        user: impl Fn(&str) -> Option<(String, Vec<String>)>,
        meeting: impl Fn(&str) -> bool,
    ) -> Result<Declaration, DeclError> {
        let behaviour = Behaviour::compile(spec).map_err(DeclError::Bad)?;
        let (callee, keys) =
            match (&spec.user, &spec.number) {
                (Some(_), Some(_)) => return Err(DeclError::Bad(
                    "give `user` (a user of the tenant) or `number` (a phone/SIP number), not both"
                        .into(),
                )),
                (Some(u), None) => {
                    let (id, keys) = user(u).ok_or_else(|| {
                        DeclError::Unknown(format!(
                            "user: {u:?} is not a user of tenant {vendor}/{tenant}"
                        ))
                    })?;
                    (Some(Callee::User(id)), keys)
                }
                (None, Some(n)) => {
                    let n = n.trim();
                    if n.is_empty() || n.len() > 128 {
                        return Err(DeclError::Bad(
                            "number: give the phone or SIP number the vendor calls (1..128 chars)"
                                .into(),
                        ));
                    }
                    (Some(Callee::Number(n.to_string())), vec![n.to_string()])
                }
                (None, None) => (None, Vec::new()),
            };
        if let Some(m) = &spec.meeting {
            if !meeting(m) {
                return Err(DeclError::Unknown(format!(
                    "meeting: {m:?} is not a meeting of tenant {vendor}/{tenant}"
                )));
            }
        }
        Ok(Declaration {
            vendor,
            tenant: tenant.to_string(),
            meeting: spec.meeting.clone(),
            callee,
            keys,
            source: source.to_string(),
            spec: spec.clone(),
            behaviour: Arc::new(behaviour),
        })
    }

    /// A declaration from a state export (its keys as exported).
    pub fn from_state(s: &DeclarationState) -> Result<Declaration, String> {
        let keys = s.keys.clone();
        let mut d = Declaration::resolve(
            s.vendor,
            &s.tenant,
            &s.behaviour,
            &s.source,
            |u| Some((u.to_string(), vec![u.to_string()])),
            |_| true,
        )
        .map_err(|e| match e {
            DeclError::Bad(m) | DeclError::Unknown(m) => m,
        })?;
        if !keys.is_empty() {
            d.keys = keys;
        }
        Ok(d)
    }
}

/// Every declaration of the server, per tenant, in declaration order.
#[derive(Debug, Default, Clone)]
pub struct Declarations {
    by_tenant: HashMap<(VendorId, String), Vec<Declaration>>,
}

impl Declarations {
    /// The most specific declaration for a call to `callee` in `meeting`.
    pub fn lookup(
        &self,
        vendor: VendorId,
        tenant: &str,
        meeting: &str,
        callee: &str,
    ) -> Option<&Declaration> {
        self.by_tenant
            .get(&(vendor, tenant.to_string()))?
            .iter()
            .filter(|d| d.matches(meeting, callee))
            .max_by_key(|d| d.rank())
    }

    /// Adds a declaration, replacing the one with the same scope.
    pub fn put(&mut self, d: Declaration) {
        let list = self
            .by_tenant
            .entry((d.vendor, d.tenant.clone()))
            .or_default();
        match list.iter().position(|x| x.same_scope(&d)) {
            Some(i) => list[i] = d,
            None => list.push(d),
        }
    }

    /// Removes the declaration with exactly this scope; false when there is none.
    pub fn remove(
        &mut self,
        vendor: VendorId,
        tenant: &str,
        meeting: Option<&str>,
        callee: Option<&Callee>,
    ) -> bool {
        let Some(list) = self.by_tenant.get_mut(&(vendor, tenant.to_string())) else {
            return false;
        };
        let before = list.len();
        list.retain(|d| !(d.meeting.as_deref() == meeting && d.callee.as_ref() == callee));
        before != list.len()
    }

    /// Replaces every declaration of one tenant (a scenario seeding it).
    pub fn set_tenant(&mut self, vendor: VendorId, tenant: &str, list: Vec<Declaration>) {
        if list.is_empty() {
            self.by_tenant.remove(&(vendor, tenant.to_string()));
        } else {
            self.by_tenant.insert((vendor, tenant.to_string()), list);
        }
    }

    /// Every declaration, ordered by vendor and tenant, optionally narrowed.
    pub fn list(&self, vendor: Option<VendorId>, tenant: Option<&str>) -> Vec<&Declaration> {
        let mut keys: Vec<&(VendorId, String)> = self
            .by_tenant
            .keys()
            .filter(|(v, t)| vendor.is_none_or(|x| x == *v) && tenant.is_none_or(|x| x == t))
            .collect();
        keys.sort();
        keys.into_iter()
            .flat_map(|k| self.by_tenant[k].iter())
            .collect()
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        self.by_tenant.clear();
    }
}

/// A user's primary id and every id a call to them may carry (id, aliases, phone).
pub fn callee_keys(u: &super::User) -> (String, Vec<String>) {
    let mut keys = vec![u.id.clone()];
    keys.extend(u.aliases.values().cloned());
    keys.extend(u.phone.iter().cloned());
    keys.dedup();
    (u.id.clone(), keys)
}
