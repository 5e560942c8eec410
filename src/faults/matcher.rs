//! What a fault rule matches: the `match:` block of a rule, its validation (matchers that can
//! match no request are refused), and its compiled regular expressions.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Largest compiled size of one pattern (bytes): a scenario cannot make matching slow.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// What a rule matches; every given field must match.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct MatchSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting: Option<String>,
    /// A user or invitee id appearing in the path, query or body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// Header name → exact value.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// A regular expression the request-target (path and raw query) must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_regex: Option<String>,
    /// A regular expression the raw request body must match (searched, not anchored); for a
    /// delivery rule, the plaintext event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_regex: Option<String>,
    /// A vendor event type (delivery rules only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_type: Option<String>,
}

/// The compiled regexes of a `match:` block.
#[derive(Debug, Clone, Default)]
pub struct Patterns {
    pub path: Option<regex::Regex>,
    pub body: Option<regex::bytes::Regex>,
}

impl Patterns {
    /// True when every given pattern matches.
    pub fn accept(&self, target: &str, body: &[u8]) -> bool {
        self.path.as_ref().is_none_or(|p| p.is_match(target))
            && self.body.as_ref().is_none_or(|p| p.is_match(body))
    }
}

/// Validates a `match:` block and compiles its patterns.
pub fn compile(m: &MatchSpec) -> Result<Patterns, String> {
    impossible_match(m)?;
    let path = match &m.path_regex {
        None => None,
        Some(p) => Some(
            regex::RegexBuilder::new(p)
                .size_limit(REGEX_SIZE_LIMIT)
                .build()
                .map_err(|e| {
                    format!(
                        "match.path_regex {p:?} does not compile: {}",
                        first_line(&e.to_string())
                    )
                })?,
        ),
    };
    let body = match &m.body_regex {
        None => None,
        Some(p) => Some(
            regex::bytes::RegexBuilder::new(p)
                .size_limit(REGEX_SIZE_LIMIT)
                .build()
                .map_err(|e| {
                    format!(
                        "match.body_regex {p:?} does not compile: {}",
                        first_line(&e.to_string())
                    )
                })?,
        ),
    };
    Ok(Patterns { path, body })
}

/// The last non-empty line of a regex error (the one that says what is wrong).
fn first_line(s: &str) -> String {
    s.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(s)
        .trim()
        .to_string()
}

/// Refuses matchers that can match no request: empty ids, invalid header names or values.
pub fn impossible_match(m: &MatchSpec) -> Result<(), String> {
    for (field, value) in [
        ("operation", &m.operation),
        ("meeting", &m.meeting),
        ("user", &m.user),
        ("tenant", &m.tenant),
        ("event_type", &m.event_type),
    ] {
        if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
            return Err(format!(
                "match.{field} is empty and would match no request; give a value or leave it out"
            ));
        }
    }
    for (name, value) in &m.headers {
        if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
            return Err(format!(
                "match.headers: {name:?} is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only)"
            ));
        }
        if http::HeaderValue::from_str(value).is_err() {
            return Err(format!(
                "match.headers.{name}: {value:?} is not a valid header value, so no request can carry it"
            ));
        }
    }
    Ok(())
}
