//! Every problem of a scenario file that does not parse, not only the first: the YAML parser
//! stops at the first field it cannot read, so each entry of the file's lists (`tenants[i]`,
//! each tenant's `users`, `meetings`, `behaviours` and `events`, `faults[i]`) is parsed again on its
//! own, and the entries that parse are validated as usual.
//!
//! An entry is parsed alone from a copy of the file in which everything before it is blank
//! (newlines kept), its `- ` indicator is spaces and everything after it is gone, so every
//! line and column reported is the one in the file. Flow-style lists (`[a, b]`) and entries
//! that are aliases are not split; their first problem stands.

use super::load::{validate, yaml_problem, Entries, Problem};
use super::schema::{LimitSpec, TenantSpec};
use crate::faults::RuleSpec;
use crate::vendors::Vendor;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;

/// Where the entries of the top-level lists start.
#[derive(Deserialize)]
struct Outline {
    #[serde(default)]
    tenants: Vec<Spanned<IgnoredAny>>,
    #[serde(default)]
    faults: Vec<Spanned<IgnoredAny>>,
}

/// The rate limits, when they parse.
#[derive(Deserialize)]
struct Limits {
    #[serde(default)]
    rate_limits: BTreeMap<String, Spanned<LimitSpec>>,
}

/// Where the entries of a tenant's lists start.
#[derive(Deserialize)]
struct TenantOutline {
    #[serde(default)]
    users: Vec<Spanned<IgnoredAny>>,
    #[serde(default)]
    meetings: Vec<Spanned<IgnoredAny>>,
    #[serde(default)]
    behaviours: Vec<Spanned<IgnoredAny>>,
    #[serde(default)]
    events: Vec<Spanned<IgnoredAny>>,
}

/// Every problem of `text`, whose whole parse failed with `first`.
pub(super) fn problems(
    file: &str,
    text: &str,
    first: Problem,
    vendors: &[Box<dyn Vendor>],
) -> Vec<Problem> {
    let mut found = vec![first];
    // A file that is not YAML, or whose lists are not lists, has only its first problem.
    let Ok(outline) = serde_saphyr::from_str::<Outline>(text) else {
        return found;
    };
    let mut tenants: Vec<Spanned<TenantSpec>> = Vec::new();
    for at in &outline.tenants {
        let Some(alone) = isolate(text, at) else {
            continue;
        };
        match entry::<TenantSpec>(file, &alone) {
            Ok(t) => tenants.push(t),
            Err(p) => {
                found.extend(p);
                found.extend(tenant_entries(file, &alone));
            }
        }
    }
    let mut faults: Vec<(usize, Spanned<RuleSpec>)> = Vec::new();
    for (i, at) in outline.faults.iter().enumerate() {
        match isolate(text, at).map(|alone| entry::<RuleSpec>(file, &alone)) {
            Some(Ok(f)) => faults.push((i, f)),
            Some(Err(p)) => found.extend(p),
            None => {}
        }
    }
    let limits = serde_saphyr::from_str::<Limits>(text).map(|l| l.rate_limits);
    let entries = Entries {
        name: None,
        tenants: tenants.iter().collect(),
        rate_limits: limits.iter().flatten().collect(),
        faults: faults.iter().map(|(i, f)| (*i, f)).collect(),
    };
    if let Err(more) = validate(file, entries, vendors) {
        found.extend(more);
    }
    let mut seen = std::collections::HashSet::new();
    found.retain(|p| seen.insert(p.to_string()));
    found.sort_by_key(|p| (p.line, p.column));
    found
}

/// The problems of the users, meetings and behaviours of a tenant that did not parse
/// (`alone`: the tenant's entry on its own).
fn tenant_entries(file: &str, alone: &str) -> Vec<Problem> {
    let Ok(outline) = serde_saphyr::from_str::<TenantOutline>(alone) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut check = |list: &[Spanned<IgnoredAny>], one: fn(&str, &str) -> Vec<Problem>| {
        for at in list {
            if let Some(inner) = isolate(alone, at) {
                found.extend(one(file, &inner));
            }
        }
    };
    check(&outline.users, problems_of::<crate::store::User>);
    check(&outline.meetings, problems_of::<super::schema::MeetingSpec>);
    check(
        &outline.behaviours,
        problems_of::<crate::store::behaviour::BehaviourSpec>,
    );
    check(
        &outline.events,
        problems_of::<crate::events::spec::SubscriptionSpec>,
    );
    found
}

fn problems_of<T: DeserializeOwned>(file: &str, alone: &str) -> Vec<Problem> {
    entry::<T>(file, alone).err().unwrap_or_default()
}

/// One entry parsed on its own. A problem about anchors or aliases comes from cutting the
/// entry out of its file (the anchor is elsewhere), not from the entry: it is not reported.
fn entry<T: DeserializeOwned>(file: &str, alone: &str) -> Result<Spanned<T>, Vec<Problem>> {
    serde_saphyr::from_str::<Spanned<T>>(alone).map_err(|e| {
        let p = yaml_problem(file, &e);
        let m = p.message.to_ascii_lowercase();
        if m.contains("alias") || m.contains("anchor") {
            Vec::new()
        } else {
            vec![p]
        }
    })
}

/// The block-list entry that starts at `at`, alone at its own lines and columns (see the
/// module doc); `None` for an alias or an entry of a flow list.
fn isolate<T>(text: &str, at: &Spanned<T>) -> Option<String> {
    if at.referenced != at.defined {
        return None;
    }
    let start = usize::try_from(at.referenced.span().byte_offset()?).ok()?;
    let line_start = text.get(..start)?.rfind('\n').map_or(0, |i| i + 1);
    let indicator = &text[line_start..start];
    let dash = indicator.find('-')?;
    // Only `<spaces>- ` before the entry on its line: a block-list entry.
    let tail = &indicator[dash + 1..];
    if !indicator[..dash].bytes().all(|b| b == b' ')
        || tail.is_empty()
        || !tail.bytes().all(|b| b == b' ')
    {
        return None;
    }
    // The entry runs until a line that is neither blank nor a comment and is indented no
    // deeper than its dash.
    let mut end = text.len();
    let mut pos = text[start..]
        .find('\n')
        .map_or(text.len(), |i| start + i + 1);
    while pos < text.len() {
        let line = text[pos..].split('\n').next().unwrap_or("");
        let content = line.trim_start_matches(' ');
        let indent = line.len() - content.len();
        let blank = content.trim().is_empty() || content.starts_with('#');
        if !blank && indent <= dash {
            end = pos;
            break;
        }
        pos += line.len() + 1;
    }
    let mut alone = "\n".repeat(text[..line_start].matches('\n').count());
    alone.push_str(&" ".repeat(indicator.chars().count()));
    alone.push_str(&text[start..end]);
    Some(alone)
}

#[cfg(test)]
mod tests {
    fn check(text: &str) -> Vec<String> {
        let vendors = crate::vendors::registry();
        match super::super::parse("f.yaml", text, &vendors) {
            Ok(_) => Vec::new(),
            Err(p) => p.iter().map(|p| p.to_string()).collect(),
        }
    }

    #[test]
    fn every_bad_entry_is_reported_at_its_own_line() {
        let text = "\
tenants:
  - vendor: feishu
    id: cli_a
    users:
      - id: ou_1
        nmae: typo
      - id: ou_2
        phone: [1]
  - vendor: zoom
    id: z
  - vendor: dingtalk
    id: d
    colour: red
faults:
  - match: {vendor: feishu}
    delay: 1
  - match: {vendor: feishu}
    dleay: 1
  - match: {vendor: feishu, operation: nope}
    delay: 1
";
        let got = check(text);
        let lines: Vec<&str> = got
            .iter()
            .map(|p| p.split(": ").next().unwrap_or(""))
            .collect();
        assert_eq!(
            lines,
            [
                "f.yaml:6:9",
                "f.yaml:8:16",
                "f.yaml:9:5",
                "f.yaml:13:5",
                "f.yaml:18:5",
                "f.yaml:19:5"
            ],
            "{got:#?}"
        );
        assert!(got[0].contains("nmae"), "{got:#?}");
        assert!(got[2].contains("unknown vendor \"zoom\""), "{got:#?}");
        assert!(got[3].contains("colour"), "{got:#?}");
        assert!(got[4].contains("dleay"), "{got:#?}");
        assert!(
            got[5].contains("faults[2]: unknown operation \"nope\""),
            "{got:#?}"
        );
    }

    #[test]
    fn a_file_that_is_not_yaml_has_its_one_problem() {
        let got = check("tenants: [\n");
        assert_eq!(got.len(), 1, "{got:#?}");
    }

    #[test]
    fn entries_using_anchors_defined_elsewhere_add_no_false_problems() {
        let text = "\
faults:
  - &base
    match: {vendor: feishu}
    delay: 1
  - <<: *base
    name: second
  - match: {vendor: feishu}
    dleay: 1
";
        let got = check(text);
        assert_eq!(got.len(), 1, "{got:#?}");
        assert!(got[0].starts_with("f.yaml:8:5: "), "{got:#?}");
    }
}
