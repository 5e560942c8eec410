//! Parsing and validating scenario files. Every problem carries file, line and column; a file
//! with any problem yields no scenario at all.

use super::schema::{InviteeSpec, LimitSpec, ParticipantSpec, Scenario, ScenarioFile};
use crate::faults::Rule;
use crate::ratelimit::LimitMode;
use crate::scenario::apply::TenantSeed;
use crate::store::{Invitee, Meeting, Participant, ParticipantStatus, VendorId};
use crate::vendors::Vendor;
use serde_saphyr::Location;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

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
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
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

/// The first line of a serde-saphyr error, without its rendered snippet.
fn yaml_message(e: &serde_saphyr::Error) -> String {
    let text = e.to_string();
    let first = text.lines().next().unwrap_or("invalid YAML").trim();
    // The renderer may prefix the location ("line 3 column 5: ..."); keep only the message.
    first.to_string()
}

/// Parses and validates one scenario text. `file` names it in problems.
pub fn parse(
    file: &str,
    text: &str,
    vendors: &[Box<dyn Vendor>],
) -> Result<Scenario, Vec<Problem>> {
    let raw: ScenarioFile = serde_saphyr::from_str(text).map_err(|e| {
        let loc = e.location();
        vec![Problem {
            file: file.to_string(),
            line: loc.map(|l| l.line()).unwrap_or(1),
            column: loc.map(|l| l.column()).unwrap_or(1),
            message: yaml_message(&e),
        }]
    })?;
    let mut p = Problems {
        file,
        list: Vec::new(),
    };
    let mut seen_tenants = HashSet::new();
    let mut tenants = Vec::new();
    for t in &raw.tenants {
        let loc = &t.referenced;
        let t = &t.value;
        let Some(vendor) = VendorId::parse(&t.vendor) else {
            p.at(
                loc,
                format!(
                    "tenant {:?}: unknown vendor {:?}; valid vendors: tencent, feishu, dingtalk, huawei",
                    t.id, t.vendor
                ),
            );
            continue;
        };
        if t.id.trim().is_empty() {
            p.at(loc, "tenant: `id` must not be empty");
            continue;
        }
        if !seen_tenants.insert((vendor, t.id.clone())) {
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
        let is_user = |id: &str| user_ids.contains(id);
        let mut meeting_ids = HashSet::new();
        let mut meetings = Vec::new();
        for m in &t.meetings {
            let loc = &m.referenced;
            let m = &m.value;
            let what = format!("meeting {:?} of tenant {vendor}/{}", m.id, t.id);
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
            for pt in &participants {
                if !is_user(&pt.user_id) {
                    p.at(
                        loc,
                        format!(
                            "{what}: participant {:?} is not a user of the tenant",
                            pt.user_id
                        ),
                    );
                }
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
            for inv in &invitees {
                if !is_user(&inv.user_id) {
                    p.at(
                        loc,
                        format!(
                            "{what}: invitee {:?} is not a user of the tenant",
                            inv.user_id
                        ),
                    );
                }
            }
            if let (Some(s), Some(e)) = (m.start_time, m.end_time) {
                if e < s {
                    p.at(loc, format!("{what}: end_time is before start_time"));
                }
            }
            meetings.push(Meeting {
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
            });
        }
        let subscriptions =
            super::events::subscriptions(&mut p, file, vendor, &t.id, &t.events, vendors);
        let (behaviours, bad) =
            super::behaviours::resolve(vendor, &t.id, file, &t.behaviours, &users, &meeting_ids);
        for (at, message) in bad {
            p.at(&at, message);
        }
        if let Some(v) = vendors.iter().find(|v| v.id() == vendor) {
            if let Err(why) = v.validate_tenant_extra(&t.extra) {
                p.at(loc, format!("tenant {vendor}/{}: extra: {why}", t.id));
            }
        }
        tenants.push(TenantSeed {
            vendor,
            id: t.id.clone(),
            secret: t.secret.clone(),
            credentials: t.credentials.clone(),
            users,
            meetings,
            subscriptions,
            behaviours,
            extra: t.extra.clone(),
        });
    }
    let mut rate_limits = Vec::new();
    for (name, spec) in &raw.rate_limits {
        let Some(vendor) = VendorId::parse(name) else {
            p.at(
                &spec.referenced,
                format!("rate_limits: unknown vendor {name:?}; valid vendors: tencent, feishu, dingtalk, huawei"),
            );
            continue;
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
                continue;
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
        rate_limits.push((vendor, mode));
    }
    let mut faults = Vec::new();
    let mut rule_names = HashSet::new();
    for (i, spec) in raw.faults.iter().enumerate() {
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
        name: raw.name.unwrap_or_else(|| file.to_string()),
        tenants,
        rate_limits,
        faults,
    })
}

/// The scenario files named by `paths`: files as given, directories' `*.yaml`/`*.yml`/`*.json`
/// files in name order (not recursive).
pub fn expand_paths(paths: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(p)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    f.is_file()
                        && matches!(
                            f.extension().and_then(|e| e.to_str()),
                            Some("yaml" | "yml" | "json")
                        )
                })
                .collect();
            files.sort();
            out.extend(files);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// Loads and validates every scenario file under `paths`; all problems of all files on error.
pub fn load_paths(
    paths: &[PathBuf],
    vendors: &[Box<dyn Vendor>],
) -> Result<Vec<Scenario>, Vec<Problem>> {
    let files = expand_paths(paths).map_err(|e| {
        vec![Problem {
            file: paths
                .first()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            line: 0,
            column: 0,
            message: e.to_string(),
        }]
    })?;
    let mut all = Vec::new();
    let mut problems = Vec::new();
    for f in files {
        match load_file(&f, vendors) {
            Ok(s) => all.push(s),
            Err(mut p) => problems.append(&mut p),
        }
    }
    if problems.is_empty() {
        Ok(all)
    } else {
        Err(problems)
    }
}

/// Loads and validates one file.
pub fn load_file(path: &Path, vendors: &[Box<dyn Vendor>]) -> Result<Scenario, Vec<Problem>> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        vec![Problem {
            file: name.clone(),
            line: 0,
            column: 0,
            message: format!("cannot read: {e}"),
        }]
    })?;
    parse(&name, &text, vendors)
}
