//! Parsing and validating scenario texts. Every problem carries file, line and column; a file
//! with any problem yields no scenario at all. A file that does not even parse as a scenario
//! is searched entry by entry for every other problem (`recover.rs`); where scenarios come
//! from (files, directories, the embedded library) is `sources.rs`.

use super::schema::{
    InviteeSpec, LimitSpec, MeetingSpec, ParticipantSpec, Scenario, ScenarioFile, TenantSpec,
};
use crate::faults::Rule;
use crate::faults::RuleSpec;
use crate::ratelimit::LimitMode;
use crate::scenario::apply::TenantSeed;
use crate::store::{Invitee, Meeting, Participant, ParticipantStatus, VendorId};
use crate::vendors::Vendor;
use serde_saphyr::{Location, Spanned};
use std::collections::HashSet;

/// The embedded demo scenario served by `meetmock serve` with no arguments.
pub const DEMO: &str = include_str!("../../scenarios/demo.yaml");

/// One problem found in a scenario file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub line: u64,
    pub column: u64,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            // About the file as a whole (it cannot be read): no position to give.
            return write!(f, "{}: {}", self.file, self.message);
        }
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

impl Problem {
    /// A problem with the file as a whole (no line or column).
    pub fn whole(file: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            file: file.into(),
            line: 0,
            column: 0,
            message: message.into(),
        }
    }
}

pub(super) struct Problems<'a> {
    file: &'a str,
    list: Vec<Problem>,
}

impl Problems<'_> {
    pub(super) fn at(&mut self, loc: &Location, message: impl Into<String>) {
        self.list.push(Problem {
            file: self.file.to_string(),
            line: loc.line(),
            column: loc.column(),
            message: message.into(),
        });
    }
}

/// The first line of a serde-saphyr error without its rendered snippet, its `error: ` and its
/// `line N column M: ` (problems give the place their own way).
pub(crate) fn yaml_message(e: &serde_saphyr::Error) -> String {
    let text = e.to_string();
    let first = text.lines().next().unwrap_or("invalid YAML").trim();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let unplaced = first
        .strip_prefix("line ")
        .and_then(|r| r.split_once(": "))
        .filter(|(place, _)| {
            let mut w = place.split(' ');
            matches!(
                (w.next(), w.next(), w.next(), w.next()),
                (Some(l), Some("column"), Some(c), None)
                    if l.bytes().all(|b| b.is_ascii_digit()) && c.bytes().all(|b| b.is_ascii_digit())
            )
        })
        .map(|(_, rest)| rest);
    unplaced.unwrap_or(first).to_string()
}

/// A serde-saphyr error as a problem of `file`.
pub(super) fn yaml_problem(file: &str, e: &serde_saphyr::Error) -> Problem {
    let loc = e.location();
    Problem {
        file: file.to_string(),
        line: loc.map(|l| l.line()).unwrap_or(1),
        column: loc.map(|l| l.column()).unwrap_or(1),
        message: yaml_message(e),
    }
}

/// A scenario file's entries, each with its place: what validation reads. `faults` keep their
/// index in the file (rule names default to it, and problems name it).
pub(super) struct Entries<'a> {
    pub name: Option<String>,
    pub tenants: Vec<&'a Spanned<TenantSpec>>,
    pub rate_limits: Vec<(&'a String, &'a Spanned<LimitSpec>)>,
    pub faults: Vec<(usize, &'a Spanned<RuleSpec>)>,
}

/// Parses and validates one scenario text. `file` names it in problems; every problem found
/// is reported, not only the first.
pub fn parse(
    file: &str,
    text: &str,
    vendors: &[Box<dyn Vendor>],
) -> Result<Scenario, Vec<Problem>> {
    let raw: ScenarioFile = match serde_saphyr::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let first = yaml_problem(file, &e);
            return Err(super::recover::problems(file, text, first, vendors));
        }
    };
    let entries = Entries {
        name: raw.name,
        tenants: raw.tenants.iter().collect(),
        rate_limits: raw.rate_limits.iter().collect(),
        faults: raw.faults.iter().enumerate().collect(),
    };
    validate(file, entries, vendors)
}

/// Validates parsed entries: every problem, or the scenario.
pub(super) fn validate(
    file: &str,
    entries: Entries<'_>,
    vendors: &[Box<dyn Vendor>],
) -> Result<Scenario, Vec<Problem>> {
    let mut p = Problems {
        file,
        list: Vec::new(),
    };
    let mut seen_tenants = HashSet::new();
    let mut tenants = Vec::new();
    for t in entries.tenants {
        if let Some(seed) = tenant(&mut p, &t.referenced, &t.value, &mut seen_tenants, vendors) {
            tenants.push(seed);
        }
    }
    let mut rate_limits = Vec::new();
    for (name, spec) in entries.rate_limits {
        if let Some(limit) = rate_limit(&mut p, name, spec) {
            rate_limits.push(limit);
        }
    }
    let mut faults = Vec::new();
    let mut rule_names = HashSet::new();
    for (i, spec) in entries.faults {
        match Rule::compile(&spec.value, i, vendors) {
            Ok(mut rule) => {
                rule.source = file.to_string();
                if !rule_names.insert(rule.name.clone()) {
                    p.at(
                        &spec.referenced,
                        format!("fault rule name {:?} is used twice", rule.name),
                    );
                }
                faults.push(rule);
            }
            Err(msg) => p.at(&spec.referenced, format!("faults[{i}]: {msg}")),
        }
    }
    if !p.list.is_empty() {
        return Err(p.list);
    }
    Ok(Scenario {
        source: file.to_string(),
        name: entries.name.unwrap_or_else(|| file.to_string()),
        tenants,
        rate_limits,
        faults,
    })
}

/// One tenant checked: its seed, or `None` when it cannot even be named (problems recorded).
fn tenant(
    p: &mut Problems<'_>,
    loc: &Location,
    t: &TenantSpec,
    seen: &mut HashSet<(VendorId, String)>,
    vendors: &[Box<dyn Vendor>],
) -> Option<TenantSeed> {
    let Some(vendor) = VendorId::parse(&t.vendor) else {
        p.at(
            loc,
            format!(
                "tenant {:?}: unknown vendor {:?}; valid vendors: tencent, feishu, dingtalk, huawei",
                t.id, t.vendor
            ),
        );
        return None;
    };
    if t.id.trim().is_empty() {
        p.at(loc, "tenant: `id` must not be empty");
        return None;
    }
    if !seen.insert((vendor, t.id.clone())) {
        p.at(loc, format!("tenant {vendor}/{} is declared twice", t.id));
    }
    let mut user_ids = HashSet::new();
    let mut users = Vec::new();
    for u in &t.users {
        if u.value.id.trim().is_empty() {
            p.at(&u.referenced, "user: `id` must not be empty");
        } else if !user_ids.insert(u.value.id.clone()) {
            p.at(
                &u.referenced,
                format!("user {:?} is declared twice", u.value.id),
            );
        }
        users.push(u.value.clone());
    }
    let mut meeting_ids = HashSet::new();
    let mut meetings = Vec::new();
    for m in &t.meetings {
        let what = format!("meeting {:?} of tenant {vendor}/{}", m.value.id, t.id);
        let ids = (&user_ids, &mut meeting_ids);
        meetings.push(meeting(p, &m.referenced, &m.value, &what, ids));
    }
    let file = p.file;
    let subscriptions = super::events::subscriptions(p, file, vendor, &t.id, &t.events, vendors);
    let (behaviours, bad) =
        super::behaviours::resolve(vendor, &t.id, p.file, &t.behaviours, &users, &meeting_ids);
    for (at, message) in bad {
        p.at(&at, message);
    }
    if let Some(v) = vendors.iter().find(|v| v.id() == vendor) {
        if let Err(why) = v.validate_tenant_extra(&t.extra) {
            p.at(loc, format!("tenant {vendor}/{}: extra: {why}", t.id));
        }
    }
    Some(TenantSeed {
        vendor,
        id: t.id.clone(),
        secret: t.secret.clone(),
        credentials: t.credentials.clone(),
        users,
        meetings,
        subscriptions,
        behaviours,
        extra: t.extra.clone(),
    })
}

/// One meeting checked against its tenant's users and the meetings seen before it (`what`
/// names it in problems).
fn meeting(
    p: &mut Problems<'_>,
    loc: &Location,
    m: &MeetingSpec,
    what: &str,
    (user_ids, meeting_ids): (&HashSet<String>, &mut HashSet<String>),
) -> Meeting {
    let is_user = |id: &str| user_ids.contains(id);
    if m.id.trim().is_empty() {
        p.at(loc, "meeting: `id` must not be empty");
    }
    if !meeting_ids.insert(m.id.clone()) {
        p.at(loc, format!("{what} is declared twice"));
    }
    if !is_user(&m.host) {
        p.at(
            loc,
            format!("{what}: host {:?} is not a user of the tenant", m.host),
        );
    }
    let creator = m.creator.clone().unwrap_or_else(|| m.host.clone());
    if !is_user(&creator) {
        p.at(
            loc,
            format!("{what}: creator {creator:?} is not a user of the tenant"),
        );
    }
    if let Some(0) = m.capacity {
        p.at(loc, format!("{what}: capacity must be at least 1"));
    }
    let participants: Vec<Participant> = m
        .participants
        .iter()
        .map(|s| match s {
            ParticipantSpec::Id(id) => Participant {
                user_id: id.clone(),
                status: ParticipantStatus::Joined,
                ..Default::default()
            },
            ParticipantSpec::Full(full) => full.clone(),
        })
        .collect();
    for pt in participants.iter().filter(|pt| !is_user(&pt.user_id)) {
        p.at(
            loc,
            format!(
                "{what}: participant {:?} is not a user of the tenant",
                pt.user_id
            ),
        );
    }
    let invitees: Vec<Invitee> = m
        .invitees
        .iter()
        .map(|s| match s {
            InviteeSpec::Id(id) => Invitee {
                user_id: id.clone(),
                ..Default::default()
            },
            InviteeSpec::Full(full) => full.clone(),
        })
        .collect();
    for inv in invitees.iter().filter(|inv| !is_user(&inv.user_id)) {
        p.at(
            loc,
            format!(
                "{what}: invitee {:?} is not a user of the tenant",
                inv.user_id
            ),
        );
    }
    if let (Some(s), Some(e)) = (m.start_time, m.end_time) {
        if e < s {
            p.at(loc, format!("{what}: end_time is before start_time"));
        }
    }
    Meeting {
        id: m.id.clone(),
        code: m.code.clone().unwrap_or_default(),
        topic: m.topic.clone(),
        creator,
        host: Some(m.host.clone()),
        state: m.state,
        start_time: m.start_time.unwrap_or(0),
        end_time: m.end_time.unwrap_or(0),
        capacity: m.capacity.unwrap_or(crate::store::DEFAULT_CAPACITY),
        locked: m.locked,
        participants,
        invitees,
        extra: m.extra.clone(),
        ..Default::default()
    }
}

/// `rate_limits.<vendor>` checked.
fn rate_limit(
    p: &mut Problems<'_>,
    name: &str,
    spec: &Spanned<LimitSpec>,
) -> Option<(VendorId, LimitMode)> {
    let Some(vendor) = VendorId::parse(name) else {
        p.at(
            &spec.referenced,
            format!("rate_limits: unknown vendor {name:?}; valid vendors: tencent, feishu, dingtalk, huawei"),
        );
        return None;
    };
    let mode = match &spec.value {
        LimitSpec::Flag(true) => LimitMode::Documented,
        LimitSpec::Flag(false) => LimitMode::Off,
        LimitSpec::Named(s) if s == "documented" || s == "on" => LimitMode::Documented,
        LimitSpec::Named(s) if s == "off" => LimitMode::Off,
        LimitSpec::Named(s) => {
            p.at(
                &spec.referenced,
                format!("rate_limits.{name}: {s:?} is not a mode; valid: documented, off, or a list of {{limit, window_secs, per_operation}}"),
            );
            return None;
        }
        LimitSpec::Custom(list) => {
            if list.iter().any(|c| c.limit == 0 || c.window_secs == 0) {
                p.at(
                    &spec.referenced,
                    format!("rate_limits.{name}: limit and window_secs must be at least 1"),
                );
            }
            LimitMode::Custom(list.clone())
        }
    };
    Some((vendor, mode))
}
