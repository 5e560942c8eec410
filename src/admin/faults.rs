//! Fault rules over the admin API: list with counters, add (JSON or YAML, one rule, a list or
//! `{faults: […]}`, validated whole), remove, switch on and off. Posting a rule under a name
//! that exists replaces that rule in place, counters zeroed, and the answer says so
//! (`replaced`): re-running a test's setup is idempotent.

use super::{bad, not_found, AdminReq, AdminResult};
use crate::app::App;
use crate::faults::{Rule, RuleSpec};
use serde::Deserialize;
use serde_json::{json, Value};
use serde_saphyr::Spanned;
use std::collections::HashSet;

/// `GET /__admin/faults`
pub fn list(app: &App) -> Value {
    json!({ "faults": app.faults.list() })
}

/// `{faults: […]}` as written in YAML.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct YamlList {
    faults: Vec<Spanned<RuleSpec>>,
}

/// True when the body is JSON: declared so, or shaped so.
fn is_json(req: &AdminReq<'_>) -> bool {
    let declared = req.content_type.map(|c| {
        c.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    });
    match declared.as_deref() {
        Some(t) if t.contains("yaml") => false,
        Some(t) if t.ends_with("json") => true,
        _ => matches!(
            req.body.iter().find(|b| !b.is_ascii_whitespace()),
            Some(b'{' | b'[') | None
        ),
    }
}

/// The rules of a JSON body: one rule, a list, or `{"faults": […]}`.
fn from_json(req: &AdminReq<'_>) -> Result<Vec<RuleSpec>, String> {
    let body = req.json().map_err(|(_, m)| m)?;
    match body {
        Value::Object(ref o) if o.contains_key("faults") => {
            serde_json::from_value(body["faults"].clone())
        }
        Value::Array(_) => serde_json::from_value(body),
        _ => serde_json::from_value(body).map(|r| vec![r]),
    }
    .map_err(|e| format!("not a fault rule: {e}"))
}

/// The rules of a YAML body (same shapes); problems with line and column.
fn from_yaml(req: &AdminReq<'_>) -> Result<Vec<RuleSpec>, String> {
    let text = std::str::from_utf8(&req.body).map_err(|_| "body is not UTF-8 text".to_string())?;
    let at = |e: serde_saphyr::Error| {
        let message = crate::scenario::load::yaml_message(&e);
        match e.location() {
            Some(l) => format!("line {} column {}: {message}", l.line(), l.column()),
            None => message,
        }
    };
    let shape: Value = serde_saphyr::from_str(text).map_err(at)?;
    let specs: Vec<Spanned<RuleSpec>> = match shape {
        Value::Object(o) if o.contains_key("faults") => {
            serde_saphyr::from_str::<YamlList>(text).map_err(at)?.faults
        }
        Value::Array(_) => serde_saphyr::from_str(text).map_err(at)?,
        Value::Object(_) => vec![serde_saphyr::from_str(text).map_err(at)?],
        _ => {
            return Err(
                "not a fault rule: expected a rule, a list of rules or {faults: [...]}".into(),
            )
        }
    };
    Ok(specs.into_iter().map(|s| s.value).collect())
}

/// `POST /__admin/faults`: JSON or YAML; every rule validated (and names unique) before any
/// is added. Answers `added` (every rule posted, in order) and `replaced` (those whose name
/// existed: they took that rule's place, counters zeroed).
pub fn add(app: &App, req: &AdminReq<'_>) -> AdminResult {
    let specs = if is_json(req) {
        from_json(req)
    } else {
        from_yaml(req)
    }
    .map_err(bad)?;
    let base = app.faults.len();
    let mut rules = Vec::new();
    let mut names = HashSet::new();
    for (i, s) in specs.iter().enumerate() {
        let rule = Rule::compile(s, base + i, &app.vendors)
            .map_err(|e| bad(format!("faults[{i}]: {e}")))?;
        if !names.insert(rule.name.clone()) {
            return Err(bad(format!(
                "faults[{i}]: the name {:?} is used twice in this request",
                rule.name
            )));
        }
        rules.push(rule);
    }
    let added: Vec<String> = rules.iter().map(|r| r.name.clone()).collect();
    let replaced = app.faults.add_all(rules);
    Ok(json!({ "added": added, "replaced": replaced }))
}

/// `DELETE /__admin/faults`
pub fn clear(app: &App) -> Value {
    app.faults.clear();
    json!({"cleared": true})
}

/// `DELETE /__admin/faults/{name}`
pub fn remove(app: &App, name: &str) -> AdminResult {
    if app.faults.remove(name) {
        Ok(json!({"removed": name}))
    } else {
        Err(not_found(format!("no fault rule named {name:?}")))
    }
}

/// `POST /__admin/faults/{name}/enable` / `disable`: a disabled rule is skipped (not even
/// counted) until enabled again; reset and reload bring every rule back on.
pub fn switch(app: &App, name: &str, on: bool) -> AdminResult {
    if app.faults.set_enabled(name, on) {
        Ok(json!({"name": name, "enabled": on}))
    } else {
        Err(not_found(format!("no fault rule named {name:?}")))
    }
}
