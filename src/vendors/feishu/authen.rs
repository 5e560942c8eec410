//! authen v1: user tokens for an app token. Mirrors open.feishu.cn (historical pages)
//! `authen-v1/oidc-access_token/create`, `oidc-refresh_access_token/create`,
//! `authen-v1/access_token` and `authen-v1/refresh_access_token` (v1, with the user's profile),
//! and `authen-v1/user_info/get` (`shared/vendors/feishu.md` §1.4, §3.1, §4.3).
//!
//! Failures use the standard envelope with HTTP 200 and the pages' own messages: 20001 bad
//! request, 20036 wrong `grant_type`, 20003 unknown or used code, 20004 expired code, 20038
//! unknown refresh token, 20026 malformed or used one, 20037 expired one, 20024 a grant of
//! another app, 20023 a user outside the app (admin `unregistered`).

use super::apps;
use super::errors::{self, *};
use super::grants::{self, scope_of, Refused, REFRESH_TTL_S};
use super::schema::{self, tri};
use super::tokens::ACCESS_TTL_S;
use crate::exchange::{Exchange, Reply};
use crate::store::{Token, TokenKind, VendorId};
use crate::vendors::ErrorDef;
use http::StatusCode;
use serde_json::{json, Map, Value};

fn ok_data(data: Value) -> Reply {
    Reply::json(
        StatusCode::OK,
        &json!({"code": 0, "msg": "success", "data": data}),
    )
    .with_code("0")
}

/// Reads `{"grant_type": grant_type, field: …}` and takes the grant it names.
fn redeem(
    ex: &Exchange<'_>,
    grant_type: &str,
    field: &str,
    kind: TokenKind,
) -> Result<Token, Reply> {
    let app = schema::tenant(ex)?.id.clone();
    let body = match ex.json::<Value>() {
        Ok(Value::Object(m)) => m,
        _ => {
            return Err(errors::fail_with(
                ex,
                &OIDC_BAD_REQUEST,
                "the body must be a JSON object",
            ))
        }
    };
    let s = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or("");
    if s("grant_type").is_empty() || s(field).is_empty() {
        let why = format!("grant_type and {field} are required");
        return Err(errors::fail_with(ex, &OIDC_BAD_REQUEST, &why));
    }
    if s("grant_type") != grant_type {
        return Err(errors::fail(ex, &OIDC_GRANT_TYPE));
    }
    let refresh = kind == TokenKind::Refresh;
    if refresh && !s(field).starts_with("ur-") {
        return Err(errors::fail(ex, &OIDC_REFRESH_INVALID));
    }
    let store = &ex.app.store;
    let grant = grants::take(store, s(field), kind, &app).map_err(|why| {
        let err: &ErrorDef = match (why, refresh) {
            (Refused::OtherApp, _) => &OIDC_APP_MISMATCH,
            (Refused::Expired, false) => &OIDC_CODE_EXPIRED,
            (_, false) => &OIDC_CODE_INVALID,
            (Refused::Unknown, true) => &OIDC_REFRESH_NOT_FOUND,
            (Refused::Expired, true) => &OIDC_REFRESH_EXPIRED,
            (_, true) => &OIDC_REFRESH_INVALID,
        };
        errors::fail(ex, err)
    })?;
    if !grants::user_available(store, &grant) {
        return Err(errors::fail(ex, &OIDC_USER_NOT_REGISTERED));
    }
    Ok(grant)
}

/// The token part of every v1 answer.
fn token_data(access: &Token, refresh: &Token) -> Map<String, Value> {
    let v = json!({
        "access_token": access.value,
        "refresh_token": refresh.value,
        "token_type": "Bearer",
        "expires_in": ACCESS_TTL_S,
        "refresh_expires_in": REFRESH_TTL_S,
        "scope": scope_of(access),
    });
    v.as_object().cloned().unwrap_or_default()
}

/// A grant exchanged for a fresh token pair: the `data` of the answer.
fn exchange(ex: &Exchange<'_>, grant: &Token, with_profile: bool) -> Value {
    let store = &ex.app.store;
    let (a, r) = grants::user_pair(store, grant, None);
    let mut data = token_data(&a, &r);
    if with_profile {
        if let Some(p) = profile(ex, &a) {
            data.extend(p);
            data.insert("sid".into(), json!(store.secrets.hex(32)));
        }
    }
    Value::Object(data)
}

/// `POST /open-apis/authen/v1/oidc/access_token` (app token): login code → user token.
pub fn oidc_access_token(ex: &mut Exchange<'_>) -> Reply {
    let g = tri!(redeem(
        ex,
        "authorization_code",
        "code",
        TokenKind::LoginCode
    ));
    ok_data(exchange(ex, &g, false))
}

/// `POST /open-apis/authen/v1/oidc/refresh_access_token` (app token): refresh, single use.
pub fn oidc_refresh(ex: &mut Exchange<'_>) -> Reply {
    let g = tri!(redeem(
        ex,
        "refresh_token",
        "refresh_token",
        TokenKind::Refresh
    ));
    ok_data(exchange(ex, &g, false))
}

/// `POST /open-apis/authen/v1/access_token` (v1, app token): user token plus the profile.
pub fn legacy_access_token(ex: &mut Exchange<'_>) -> Reply {
    let g = tri!(redeem(
        ex,
        "authorization_code",
        "code",
        TokenKind::LoginCode
    ));
    ok_data(exchange(ex, &g, true))
}

/// `POST /open-apis/authen/v1/refresh_access_token` (v1, app token): refresh plus the profile.
pub fn legacy_refresh(ex: &mut Exchange<'_>) -> Reply {
    let g = tri!(redeem(
        ex,
        "refresh_token",
        "refresh_token",
        TokenKind::Refresh
    ));
    ok_data(exchange(ex, &g, true))
}

/// The user profile fields of the v1 token answers and `authen/v1/user_info`.
fn profile(ex: &Exchange<'_>, token: &Token) -> Option<Map<String, Value>> {
    let t = ex.app.store.tenant(VendorId::Feishu, &token.tenant)?;
    let uid = token.user.clone()?;
    t.with(|d| {
        let u = d.user(&uid)?;
        let alias = |k: &str| u.aliases.get(k).cloned().unwrap_or_default();
        let v = json!({
            "name": u.name, "en_name": u.name,
            "avatar_url": "", "avatar_thumb": "", "avatar_middle": "", "avatar_big": "",
            "open_id": u.id, "union_id": alias("union_id"), "user_id": alias("user_id"),
            "email": u.email.clone().unwrap_or_default(),
            "enterprise_email": u.email.clone().unwrap_or_default(),
            "mobile": u.phone.clone().unwrap_or_default(),
            "tenant_key": apps::tenant_key(&t.id),
        });
        v.as_object().cloned()
    })
}

/// `GET /open-apis/authen/v1/user_info` (user token).
pub fn user_info(ex: &mut Exchange<'_>) -> Reply {
    match super::auth::presented(ex).and_then(|t| profile(ex, &t)) {
        Some(p) => ok_data(Value::Object(p)),
        None => errors::fail(ex, &DATA_NOT_EXIST),
    }
}
