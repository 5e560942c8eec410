//! Token endpoints and login codes. Mirrors open.feishu.cn `auth-v3/auth/tenant_access_token_internal`,
//! `app_access_token_internal`, `authen-v1/oidc-access_token/create`,
//! `oidc-refresh_access_token/create`, `authen-v1/access_token` (legacy),
//! `authentication-management/access-token/get-user-access-token` (OAuth v2) and the SDK's
//! `accounts.feishu.cn/oauth/v3/token` helper (`shared/vendors/feishu.md` §1.4, §3.1, §4.3).
//!
//! Lifetimes: tenant/app/user tokens 2 h, refresh tokens 30 days (single use), login codes
//! 5 min (single use), all on the server clock.

use super::errors::{self, *};
use super::schema::{self, tri};
use crate::exchange::{Exchange, Reply};
use crate::store::{Store, StoreError, Token, TokenKind, VendorId};
use crate::vendors::{AdminError, ErrorDef};
use http::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeMap;

const ACCESS_TTL_S: i64 = 7200;
const REFRESH_TTL_S: i64 = 30 * 86_400;
const CODE_TTL_S: i64 = 300;
/// The same tenant/app token is handed out again while at least this much life remains.
const REUSE_MIN_S: i64 = 1800;

fn issue(store: &Store, tenant: &str, kind: TokenKind, user: Option<&str>, ttl_s: i64) -> Token {
    let prefix = match kind {
        TokenKind::Tenant => "t-",
        TokenKind::App => "a-",
        TokenKind::User => "u-",
        TokenKind::Refresh => "ur-",
        _ => "",
    };
    let now = store.clock.now_ms();
    let token = Token {
        value: format!("{prefix}{}", store.secrets.hex(40)),
        vendor: VendorId::Feishu,
        tenant: tenant.to_string(),
        kind,
        user: user.map(str::to_string),
        meeting: None,
        issued_at_ms: now,
        expires_at_ms: now + ttl_s * 1000,
        revoked: false,
    };
    store.tokens.insert(token.clone());
    token
}

/// The app's current tenant or app token if ≥ 30 min remain, else a fresh one (the old one
/// keeps working until its own expiry). Returns (token, seconds left).
fn app_level_token(store: &Store, tenant: &str, kind: TokenKind) -> (String, i64) {
    let now = store.clock.now_ms();
    if let Some(t) = store
        .tokens
        .newest(VendorId::Feishu, tenant, kind, None, now)
    {
        let left = (t.expires_at_ms - now) / 1000;
        if left >= REUSE_MIN_S {
            return (t.value.clone(), left);
        }
    }
    (
        issue(store, tenant, kind, None, ACCESS_TTL_S).value,
        ACCESS_TTL_S,
    )
}

/// Checks `{"app_id","app_secret"}` of the internal token endpoints; failures are HTTP 200.
fn internal_app(ex: &Exchange<'_>) -> Result<String, Reply> {
    let body: Value = ex.json().unwrap_or(Value::Null);
    let field = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let (id, secret) = (field("app_id"), field("app_secret"));
    if !id.starts_with("cli_") || secret.is_empty() {
        return Err(errors::fail(ex, &TOKEN_INVALID_PARAM));
    }
    let store = &ex.app.store;
    match store.tenant_or_provision(VendorId::Feishu, &id, &secret, BTreeMap::new()) {
        Ok(t) if t.secret == secret => Ok(t.id.clone()),
        Ok(_) => Err(errors::fail(ex, &TOKEN_BAD_SECRET)),
        Err(StoreError::UnknownTenant(_)) | Err(_) => Err(errors::fail(ex, &TOKEN_INVALID_PARAM)),
    }
}

/// `POST /open-apis/auth/v3/tenant_access_token/internal`
pub fn tenant_access_token(ex: &mut Exchange<'_>) -> Reply {
    let app = tri!(internal_app(ex));
    let (token, expire) = app_level_token(&ex.app.store, &app, TokenKind::Tenant);
    Reply::json(
        StatusCode::OK,
        &json!({"code": 0, "msg": "ok", "tenant_access_token": token, "expire": expire}),
    )
    .with_code("0")
}

/// `POST /open-apis/auth/v3/app_access_token/internal`: the app token plus the tenant token.
pub fn app_access_token(ex: &mut Exchange<'_>) -> Reply {
    let app = tri!(internal_app(ex));
    let (token, expire) = app_level_token(&ex.app.store, &app, TokenKind::App);
    let (tenant_token, _) = app_level_token(&ex.app.store, &app, TokenKind::Tenant);
    Reply::json(
        StatusCode::OK,
        &json!({"code": 0, "msg": "ok", "app_access_token": token, "expire": expire,
                "tenant_access_token": tenant_token}),
    )
    .with_code("0")
}

/// Why a login code or refresh token was refused.
enum Grant {
    Unknown,
    OtherApp,
}

/// Takes (single use) a login code or refresh token of `app`.
fn take(store: &Store, value: &str, kind: TokenKind, app: &str) -> Result<Token, Grant> {
    let now = store.clock.now_ms();
    let t = store
        .tokens
        .get(value)
        .filter(|t| t.vendor == VendorId::Feishu && t.kind == kind && t.live(now))
        .ok_or(Grant::Unknown)?;
    if t.tenant != app {
        return Err(Grant::OtherApp);
    }
    store.tokens.take(value, now).ok_or(Grant::Unknown)
}

/// A user token and its refresh token for `user` of `app`.
fn user_pair(store: &Store, app: &str, user: Option<&str>) -> (Token, Token) {
    let access = issue(store, app, TokenKind::User, user, ACCESS_TTL_S);
    let refresh = issue(store, app, TokenKind::Refresh, user, REFRESH_TTL_S);
    (access, refresh)
}

fn oidc_data(access: &Token, refresh: &Token) -> Value {
    json!({
        "access_token": access.value,
        "refresh_token": refresh.value,
        "token_type": "Bearer",
        "expires_in": ACCESS_TTL_S,
        "refresh_expires_in": REFRESH_TTL_S,
        "scope": "",
    })
}

/// The grant of an OIDC v1 call (app-token auth): `(app, user)` or the refusal.
fn oidc_grant(
    ex: &Exchange<'_>,
    grant_type: &str,
    field: &str,
    kind: TokenKind,
) -> Result<Token, Reply> {
    let app = tri_app(ex)?;
    let body: Value = schema::body(ex)?;
    let s = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or("");
    if s("grant_type") != grant_type || s(field).is_empty() {
        return Err(errors::fail_with(
            ex,
            &OIDC_BAD_REQUEST,
            &format!("grant_type must be {grant_type:?} and {field} is required"),
        ));
    }
    let refused: &ErrorDef = if kind == TokenKind::LoginCode {
        &OIDC_CODE_FAIL
    } else {
        &OIDC_REFRESH_INVALID
    };
    take(&ex.app.store, s(field), kind, &app).map_err(|g| match g {
        Grant::Unknown => errors::fail(ex, refused),
        Grant::OtherApp => errors::fail(ex, &OIDC_APP_MISMATCH),
    })
}

fn tri_app(ex: &Exchange<'_>) -> Result<String, Reply> {
    schema::tenant(ex).map(|t| t.id.clone())
}

fn ok_data(data: Value) -> Reply {
    Reply::json(
        StatusCode::OK,
        &json!({"code": 0, "msg": "success", "data": data}),
    )
    .with_code("0")
}

/// Takes a single-use grant (login code or refresh token) and issues the user's token pair:
/// the grant and the OIDC `data` body.
fn redeem(
    ex: &mut Exchange<'_>,
    grant_type: &str,
    field: &str,
    kind: TokenKind,
) -> Result<(Token, Value), Reply> {
    let grant = oidc_grant(ex, grant_type, field, kind)?;
    let (a, r) = user_pair(&ex.app.store, &grant.tenant, grant.user.as_deref());
    Ok((grant, oidc_data(&a, &r)))
}

/// `POST /open-apis/authen/v1/oidc/access_token` (app token): login code → user token.
pub fn oidc_access_token(ex: &mut Exchange<'_>) -> Reply {
    let (_, data) = tri!(redeem(
        ex,
        "authorization_code",
        "code",
        TokenKind::LoginCode
    ));
    ok_data(data)
}

/// `POST /open-apis/authen/v1/oidc/refresh_access_token` (app token): refresh (single use).
pub fn oidc_refresh(ex: &mut Exchange<'_>) -> Reply {
    let (_, data) = tri!(redeem(
        ex,
        "refresh_token",
        "refresh_token",
        TokenKind::Refresh
    ));
    ok_data(data)
}

/// `POST /open-apis/authen/v1/access_token` (legacy, app token): user token plus the profile.
pub fn legacy_access_token(ex: &mut Exchange<'_>) -> Reply {
    let (code, mut data) = tri!(redeem(
        ex,
        "authorization_code",
        "code",
        TokenKind::LoginCode
    ));
    if let (Some(obj), Some(profile)) = (data.as_object_mut(), profile(ex, &code)) {
        obj.extend(profile);
        obj.insert("sid".into(), json!(ex.app.store.secrets.hex(32)));
    }
    ok_data(data)
}

/// The user profile fields of `authen/v1/access_token` and `authen/v1/user_info`.
fn profile(ex: &Exchange<'_>, token: &Token) -> Option<serde_json::Map<String, Value>> {
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
            "tenant_key": tenant_key(&t.id),
        });
        v.as_object().cloned()
    })
}

/// A stable tenant key for an app (the mock has one tenant per app).
pub fn tenant_key(app: &str) -> String {
    let h = crate::store::splitmix64(
        app.bytes()
            .fold(0u64, |a, b| a.wrapping_mul(31).wrapping_add(b as u64)),
    );
    format!("{h:016x}")
}

/// `GET /open-apis/authen/v1/user_info` (user token).
pub fn user_info(ex: &mut Exchange<'_>) -> Reply {
    let token = ex
        .principal()
        .and_then(|p| p.token.clone())
        .and_then(|v| ex.app.store.tokens.get(&v));
    match token.and_then(|t| profile(ex, &t)) {
        Some(p) => ok_data(Value::Object(p)),
        None => errors::fail(ex, &DATA_NOT_EXIST),
    }
}

/// `POST /open-apis/authen/v2/oauth/token` and `POST /oauth/v3/token` (no auth header;
/// client credentials in the body; OAuth-style answers).
pub fn oauth_token(ex: &mut Exchange<'_>) -> Reply {
    let body: Value = match ex.json() {
        Ok(Value::Object(m)) => Value::Object(m),
        _ => {
            return errors::fail_with(
                ex,
                &OAUTH_INVALID_REQUEST,
                "The request body must be a JSON object.",
            )
        }
    };
    let s = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let (grant, id, secret) = (s("grant_type"), s("client_id"), s("client_secret"));
    if id.is_empty() || secret.is_empty() || grant.is_empty() {
        return errors::fail_with(
            ex,
            &OAUTH_INVALID_REQUEST,
            "grant_type, client_id and client_secret are required.",
        );
    }
    let store = &ex.app.store;
    // Codes and refresh tokens are only ever issued to known apps, so an unknown app asking
    // for them is refused below; it is not provisioned first (a refused request changes
    // nothing). Under --strict-tenants it stays an invalid client.
    let holds_grant = grant == "authorization_code" || grant == "refresh_token";
    let unknown = store.tenant(VendorId::Feishu, &id).is_none();
    if !(holds_grant && unknown && !store.is_strict(VendorId::Feishu)) {
        match store.tenant_or_provision(VendorId::Feishu, &id, &secret, BTreeMap::new()) {
            Ok(t) if t.secret == secret => {}
            _ => return errors::fail(ex, &OAUTH_INVALID_CLIENT),
        }
    }
    let taken = match grant.as_str() {
        "authorization_code" => {
            take(store, &s("code"), TokenKind::LoginCode, &id).map_err(|g| (g, &OAUTH_BAD_CODE))
        }
        "refresh_token" => take(store, &s("refresh_token"), TokenKind::Refresh, &id)
            .map_err(|g| (g, &OAUTH_BAD_REFRESH)),
        "client_credentials" if ex.path.starts_with("/oauth/v3/") => {
            // DEVIATION: the real v3 answer is a JWT-format tenant token; ours is a `t-` token.
            let (tok, left) = app_level_token(store, &id, TokenKind::Tenant);
            return Reply::json(
                StatusCode::OK,
                &json!({"code": 0, "access_token": tok,
                "token_type": "Bearer", "expires_in": left}),
            )
            .with_code("0");
        }
        _ => return errors::fail(ex, &OAUTH_UNSUPPORTED_GRANT),
    };
    let old = match taken {
        Ok(t) => t,
        Err((Grant::OtherApp, _)) => return errors::fail(ex, &OAUTH_CODE_APP_MISMATCH),
        Err((Grant::Unknown, err)) => return errors::fail(ex, err),
    };
    // DEVIATION: a refresh token is always issued (the real service only does so when the
    // user granted `offline_access`).
    let (a, r) = user_pair(store, &id, old.user.as_deref());
    Reply::json(
        StatusCode::OK,
        &json!({
            "code": 0, "access_token": a.value, "expires_in": ACCESS_TTL_S,
            "refresh_token": r.value, "refresh_token_expires_in": REFRESH_TTL_S,
            "token_type": "Bearer", "scope": s("scope"),
        }),
    )
    .with_code("0")
}

/// Admin `login_code {"app_id","user"}` → `{"code","expires_in"}`: a single-use 5-minute
/// login code for a user of the app (primary open_id or any alias).
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
    let uid = t
        .with(|d| d.user_any(&user).map(|u| u.id.clone()))
        .ok_or_else(|| AdminError::not_found(format!("no user {user:?} in app {app:?}")))?;
    let now = store.clock.now_ms();
    let code = Token {
        value: store.secrets.hex(32),
        vendor: VendorId::Feishu,
        tenant: app,
        kind: TokenKind::LoginCode,
        user: Some(uid.clone()),
        meeting: None,
        issued_at_ms: now,
        expires_at_ms: now + CODE_TTL_S * 1000,
        revoked: false,
    };
    store.tokens.insert(code.clone());
    Ok(json!({"code": code.value, "user": uid, "expires_in": CODE_TTL_S}))
}
