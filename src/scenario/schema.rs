//! The scenario file format. Documented field by field in `scenarios/README.md`.

use crate::faults::RuleSpec;
use crate::ratelimit::CustomLimit;
use crate::store::behaviour::BehaviourSpec;
use crate::store::{Invitee, MeetingState, Participant, User};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use serde_saphyr::Spanned;
use std::collections::BTreeMap;

/// A scenario file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub tenants: Vec<Spanned<TenantSpec>>,
    /// Per vendor: `documented`, `off`, or a list of custom limits.
    #[serde(default)]
    pub rate_limits: BTreeMap<String, Spanned<LimitSpec>>,
    /// Fault rules, first match wins.
    #[serde(default)]
    pub faults: Vec<Spanned<RuleSpec>>,
}

/// `rate_limits.<vendor>` as written.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(untagged)]
pub enum LimitSpec {
    /// YAML 1.1 reads a bare `off`/`on` as a boolean: `false` = off, `true` = documented.
    Flag(bool),
    Named(String),
    Custom(Vec<CustomLimit>),
}

/// A tenant as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantSpec {
    pub vendor: String,
    /// Feishu app_id, Tencent AppId, DingTalk appKey, Huawei enterprise (corp) id.
    pub id: String,
    /// Feishu app_secret, Tencent SecretKey, DingTalk appSecret, Huawei app key.
    #[serde(default)]
    pub secret: String,
    /// Vendor-specific extras: Tencent `sdk_id`, `secret_id`; Huawei `app_id`.
    #[serde(default)]
    pub credentials: BTreeMap<String, String>,
    #[serde(default)]
    pub users: Vec<Spanned<User>>,
    #[serde(default)]
    pub meetings: Vec<Spanned<MeetingSpec>>,
    /// Event subscriptions of the tenant (see `src/events/spec.rs`).
    #[serde(default)]
    pub events: Vec<Spanned<crate::events::spec::SubscriptionSpec>>,
    /// How invitees answer calls (see `store::behaviour`): per tenant, user/number, meeting.
    #[serde(default)]
    pub behaviours: Vec<Spanned<BehaviourSpec>>,
    /// Vendor-owned tenant settings (Feishu: `app_type`, `scopes`), see the vendor's page.
    #[serde(default)]
    pub extra: Map<String, Value>,
}

/// A participant as written: a user id, or the full entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ParticipantSpec {
    Id(String),
    Full(Participant),
}

/// An invitee as written: a user id, or the full entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum InviteeSpec {
    Id(String),
    Full(Invitee),
}

/// A meeting as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeetingSpec {
    pub id: String,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub topic: String,
    /// Who created it; defaults to `host`.
    #[serde(default)]
    pub creator: Option<String>,
    pub host: String,
    #[serde(default)]
    pub state: MeetingState,
    /// Unix seconds; default now (start) and start + 1 h (end).
    #[serde(default)]
    pub start_time: Option<i64>,
    #[serde(default)]
    pub end_time: Option<i64>,
    #[serde(default)]
    pub capacity: Option<u32>,
    #[serde(default)]
    pub locked: bool,
    #[serde(default)]
    pub participants: Vec<ParticipantSpec>,
    #[serde(default)]
    pub invitees: Vec<InviteeSpec>,
    /// Vendor-owned fields (passwords, settings…), see the vendor's section of the README.
    #[serde(default)]
    pub extra: Map<String, Value>,
}

/// A validated scenario, ready to apply.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The file it came from (`<embedded demo>` for the demo, `<admin>` for API uploads).
    pub source: String,
    pub name: String,
    pub tenants: Vec<crate::scenario::apply::TenantSeed>,
    pub rate_limits: Vec<(crate::store::VendorId, crate::ratelimit::LimitMode)>,
    pub faults: Vec<crate::faults::Rule>,
}
