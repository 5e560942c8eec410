//! Single-use grants and what they buy: login codes (the authorize page's `code`, issued here
//! by the admin action `login_code`) and refresh tokens, exchanged for user tokens. Shared by
//! the authen v1 endpoints (`authen.rs`) and OAuth v2/v3 (`oauth.rs`).
//!
//! A code remembers what the authorize page was given (`redirect_uri`, `scope`, PKCE
//! `code_challenge`); a user token and its refresh token carry the granted `scope`.
//! Lifetimes: codes 5 min, user tokens 2 h, refresh tokens 30 days, all single use
//! [doc: get-user-access-token, refresh-user-access-token], on the server clock.

use super::apps;
use super::tokens::{issue, ACCESS_TTL_S};
use crate::store::{Store, Token, TokenKind, VendorId};
use crate::vendors::AdminError;
use serde_json::{json, Map, Value};

pub const REFRESH_TTL_S: i64 = 30 * 86_400;
const CODE_TTL_S: i64 = 300;

/// Why a grant was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Never issued (or long forgotten).
    Unknown,
    Expired,
    /// Already exchanged once.
    Used,
    /// Withdrawn (the user de-authorized the app: admin `revoke`).
    Revoked,
    /// Issued to another app.
    OtherApp,
}

/// Takes (single use) a login code or refresh token of `app`, saying exactly why not.
pub fn take(store: &Store, value: &str, kind: TokenKind, app: &str) -> Result<Token, Refused> {
    let now = store.clock.now_ms();
    let t = store
        .tokens
        .get(value)
        .filter(|t| t.vendor == VendorId::Feishu && t.kind == kind)
        .ok_or(Refused::Unknown)?;
    if t.tenant != app {
        return Err(Refused::OtherApp);
    }
    if t.revoked {
        return Err(if t.extra.contains_key("revoked") {
            Refused::Revoked
        } else {
            Refused::Used
        });
    }
    if !t.live(now) {
        return Err(Refused::Expired);
    }
    // Two racing exchanges: the loser sees the code as used.
    store.tokens.take(value, now).ok_or(Refused::Used)
}

/// A user token and its refresh token for the grant's user, carrying `scope` (or the
/// grant's own scope when `None`).
pub fn user_pair(store: &Store, grant: &Token, scope: Option<&str>) -> (Token, Token) {
    let scope = scope.or_else(|| grant.extra.get("scope").and_then(Value::as_str));
    let mut extra = Map::new();
    if let Some(s) = scope {
        extra.insert("scope".into(), json!(s));
    }
    let user = grant.user.as_deref();
    let access = issue(
        store,
        &grant.tenant,
        TokenKind::User,
        user,
        ACCESS_TTL_S,
        extra.clone(),
    );
    let refresh = issue(
        store,
        &grant.tenant,
        TokenKind::Refresh,
        user,
        REFRESH_TTL_S,
        extra,
    );
    (access, refresh)
}

/// The scope string a token answers with (empty when it carries every scope).
pub fn scope_of(t: &Token) -> &str {
    t.extra.get("scope").and_then(Value::as_str).unwrap_or("")
}

/// True when the grant's user may use the app [doc: 20010 "the user does not have permission
/// to use this app"]: an unregistered user (admin `unregistered`) is outside its availability.
pub fn user_available(store: &Store, grant: &Token) -> bool {
    let (Some(t), Some(u)) = (
        store.tenant(VendorId::Feishu, &grant.tenant),
        grant.user.as_deref(),
    ) else {
        return false;
    };
    t.with(|d| d.user(u).is_some_and(|u| u.registered))
}

/// Admin `login_code {"app_id","user","redirect_uri"?,"scope"?,"code_challenge"?,
/// "code_challenge_method"?}` → `{"code","user","expires_in"}`: what the authorize page
/// redirects back with — a single-use 5-minute code for a user of the app (open_id or any
/// alias). `scope` (space-separated) must be within the app's scopes.
pub fn admin_login_code(store: &Store, body: &Value) -> Result<Value, AdminError> {
    let s = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let (app, user) = (s("app_id"), s("user"));
    let t = store
        .tenant(VendorId::Feishu, &app)
        .ok_or_else(|| AdminError::not_found(format!("no feishu app {app:?}")))?;
    let (uid, granted) = t.with(|d| {
        let uid = d.user_any(&user).map(|u| u.id.clone());
        (uid, apps::granted_scopes(d))
    });
    let uid =
        uid.ok_or_else(|| AdminError::not_found(format!("no user {user:?} in app {app:?}")))?;
    let mut extra = Map::new();
    for k in ["redirect_uri", "scope", "code_challenge"] {
        if !s(k).is_empty() {
            extra.insert(k.into(), json!(s(k)));
        }
    }
    if let (Some(g), Some(Value::String(sc))) = (&granted, extra.get("scope")) {
        if let Some(bad) = sc.split_whitespace().find(|x| !g.iter().any(|y| y == x)) {
            // The authorize page refuses scopes the app was not granted (20027 there).
            return Err(AdminError::bad_request(format!(
                "scope {bad:?} is not granted to app {app}"
            )));
        }
    }
    if extra.contains_key("code_challenge") {
        let method = match s("code_challenge_method").as_str() {
            "" | "plain" => "plain",
            "S256" => "S256",
            other => {
                return Err(AdminError::bad_request(format!(
                    "code_challenge_method {other:?} is not S256 or plain"
                )))
            }
        };
        extra.insert("code_challenge_method".into(), json!(method));
    }
    let code = issue(
        store,
        &app,
        TokenKind::LoginCode,
        Some(&uid),
        CODE_TTL_S,
        extra,
    );
    Ok(json!({"code": code.value, "user": uid, "expires_in": CODE_TTL_S}))
}

/// Admin `revoke {"app_id","user"}`: the user withdraws the app's authorization — every user
/// and refresh token of theirs stops working (refresh answers 20064 "revoked").
pub fn admin_revoke(store: &Store, body: &Value) -> Result<Value, AdminError> {
    let s = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let (app, user) = (s("app_id"), s("user"));
    let t = store
        .tenant(VendorId::Feishu, &app)
        .ok_or_else(|| AdminError::not_found(format!("no feishu app {app:?}")))?;
    let uid = t
        .with(|d| d.user_any(&user).map(|u| u.id.clone()))
        .ok_or_else(|| AdminError::not_found(format!("no user {user:?} in app {app:?}")))?;
    let mut n = 0;
    for kind in [TokenKind::User, TokenKind::Refresh] {
        for tok in store
            .tokens
            .of_owner(VendorId::Feishu, &app, kind, Some(&uid))
        {
            if !tok.revoked {
                store.tokens.update(&tok.value, |t| {
                    t.revoked = true;
                    t.extra
                        .insert("revoked".into(), json!("authorization withdrawn"));
                });
                n += 1;
            }
        }
    }
    Ok(json!({"user": uid, "revoked": n}))
}
