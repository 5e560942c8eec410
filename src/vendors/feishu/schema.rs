//! Wire shapes shared by the VC v1 endpoints (open.feishu.cn `server-docs/vc-v1/*`): the
//! `meeting_user` DTO, `user_id_type` handling, and the string-typed numbers Feishu sends.
//!
//! Feishu writes int64 ids and unix-second times as JSON strings and enums as numbers.

use super::errors::{self, PARAM};
use crate::exchange::{Exchange, Reply};
use crate::store::{Origin, Tenant, TenantData, User};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::sync::Arc;

/// `meeting_user`: `{"id": string, "user_type": int}`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct MeetingUser {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub user_type: Option<i64>,
}

/// Which user id a request reads and writes (`user_id_type`, default `open_id`).
// The variants mirror the vendor's `open_id` / `union_id` / `user_id` names.
#[allow(clippy::enum_variant_names)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdType {
    OpenId,
    UnionId,
    UserId,
}

impl IdType {
    /// The alias kind under which seeded users carry this id (`None` = primary id).
    pub fn alias(self) -> Option<&'static str> {
        match self {
            IdType::OpenId => None,
            IdType::UnionId => Some("union_id"),
            IdType::UserId => Some("user_id"),
        }
    }

    /// True when `id` has the shape of this id type (`ou_…`, `on_…`, or a plain user id).
    pub fn well_formed(self, id: &str) -> bool {
        let plain = |s: &str| {
            !s.is_empty()
                && s.len() <= 64
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        };
        match self {
            IdType::OpenId => id.strip_prefix("ou_").is_some_and(plain),
            IdType::UnionId => id.strip_prefix("on_").is_some_and(plain),
            IdType::UserId => plain(id),
        }
    }
}

/// Reads `user_id_type`; an unknown value is the endpoint's 121003.
pub fn id_type(ex: &Exchange<'_>) -> Result<IdType, Reply> {
    match ex.query("user_id_type").as_deref() {
        None | Some("") | Some("open_id") => Ok(IdType::OpenId),
        Some("union_id") => Ok(IdType::UnionId),
        Some("user_id") => Ok(IdType::UserId),
        Some(other) => Err(errors::fail_with(
            ex,
            &PARAM,
            &format!("user_id_type {other:?} is not one of open_id, union_id, user_id"),
        )),
    }
}

/// A query boolean: `true`/`True`/`1` (the Python SDK sends `True`/`False`).
pub fn query_bool(ex: &Exchange<'_>, name: &str) -> bool {
    ex.query(name)
        .is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// The user a wire id names under `kind`, primary id returned.
pub fn find_user(d: &TenantData, kind: IdType, id: &str) -> Option<String> {
    match kind.alias() {
        None => d.user(id).map(|u| u.id.clone()),
        Some(a) => d
            .user_by(Some(a), id)
            .filter(|u| u.aliases.get(a).map(String::as_str) == Some(id))
            .map(|u| u.id.clone()),
    }
}

/// Like [`find_user`], but an auto-provisioned tenant (trust on first use) learns a
/// well-formed id it has not seen: its directory is whatever its callers mention.
pub fn find_or_learn_user(
    tenant: &Tenant,
    d: &mut TenantData,
    kind: IdType,
    id: &str,
    new_open_id: impl FnOnce() -> String,
) -> Option<String> {
    if let Some(u) = find_user(d, kind, id) {
        return Some(u);
    }
    if tenant.origin != Origin::Auto || !kind.well_formed(id) {
        return None;
    }
    let mut user = User {
        id: id.to_string(),
        ..Default::default()
    };
    if let Some(a) = kind.alias() {
        user.id = new_open_id();
        user.aliases.insert(a.to_string(), id.to_string());
    }
    let primary = user.id.clone();
    d.put_user(user);
    Some(primary)
}

/// A primary user id written as `kind` (ids outside the directory pass through unchanged).
pub fn wire_id(d: &TenantData, kind: IdType, primary: &str) -> String {
    match (kind.alias(), d.user(primary)) {
        (Some(a), Some(u)) => u.aliases.get(a).cloned().unwrap_or_else(|| u.id.clone()),
        _ => primary.to_string(),
    }
}

/// `{"id", "user_type"}` for a primary user id.
pub fn meeting_user(d: &TenantData, kind: IdType, primary: &str, user_type: i64) -> Value {
    json!({"id": wire_id(d, kind, primary), "user_type": user_type})
}

/// The tenant of an authenticated request.
pub fn tenant(ex: &Exchange<'_>) -> Result<Arc<Tenant>, Reply> {
    ex.principal()
        .map(|p| Arc::clone(&p.tenant))
        .ok_or_else(|| errors::fail(ex, &errors::INTERNAL))
}

/// The operating user of a user-token request (`None` for tenant tokens).
pub fn operator(ex: &Exchange<'_>) -> Option<String> {
    ex.principal().and_then(|p| p.user.clone())
}

/// Decodes the JSON body as `T`; any failure (not JSON, wrong types) is 121003 with the reason.
pub fn body<T: serde::de::DeserializeOwned>(ex: &Exchange<'_>) -> Result<T, Reply> {
    ex.json::<T>()
        .map_err(|e| errors::fail_with(ex, &PARAM, &format!("invalid request body: {e}")))
}

/// Parses a unix-seconds time sent as a string (or, leniently, a number).
pub fn unix_secs(v: &Value) -> Option<i64> {
    match v {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_i64(),
        _ => None,
    }
}

/// Unwraps a handler step: the `Err` reply is returned as the handler's answer.
macro_rules! tri {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(reply) => return reply,
        }
    };
}
pub(crate) use tri;
