//! App-level tokens. Mirrors open.feishu.cn `auth-v3/auth/tenant_access_token_internal`,
//! `app_access_token_internal` (self-built apps), `auth-v3/auth/app_access_token`,
//! `auth-v3/tenant_access_token/create` and `auth-v3/auth/app_ticket_resend` (store apps)
//! (`shared/vendors/feishu.md` §1.4, §3.1, §4.3).
//!
//! A self-built app has one app-level token: `app_access_token/internal` answers the tenant
//! token in both fields [doc example][obs]. A store app exchanges the `app_ticket` the platform
//! pushes it (hourly; the push is an event — here the admin action `app_ticket` hands it out)
//! for an `a-` app token, then that for a `t-` tenant token of a tenant key. Lifetimes: 2 h;
//! the same token is answered again while ≥ 30 min remain, all on the server clock. Failures
//! are HTTP 200 with a flat `{"code","msg"}`.

use super::apps::{self, AppType};
use super::errors::{self, *};
use super::schema::tri;
use crate::exchange::{Exchange, Reply};
use crate::store::{Store, StoreError, Tenant, Token, TokenKind, VendorId};
use crate::vendors::AdminError;
use http::StatusCode;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Tenant, app and user tokens live 2 h [doc].
pub const ACCESS_TTL_S: i64 = 7200;
/// The same tenant/app token is handed out again while at least this much life remains.
const REUSE_MIN_S: i64 = 1800;
/// How long an `app_ticket` stays good [inf: the platform pushes a new one every hour].
const TICKET_TTL_S: i64 = 12 * 3600;

/// Stores a new token `<prefix><40 hex>` of `kind` for `tenant`.
pub fn issue(
    store: &Store,
    tenant: &str,
    kind: TokenKind,
    user: Option<&str>,
    ttl_s: i64,
    extra: Map<String, Value>,
) -> Token {
    let prefix = match kind {
        TokenKind::Tenant => "t-",
        TokenKind::App => "a-",
        TokenKind::User => "u-",
        TokenKind::Refresh => "ur-",
        _ => "",
    };
    let len = if kind == TokenKind::LoginCode { 32 } else { 40 };
    let now = store.clock.now_ms();
    let token = Token {
        value: format!("{prefix}{}", store.secrets.hex(len)),
        vendor: VendorId::Feishu,
        tenant: tenant.to_string(),
        kind,
        user: user.map(str::to_string),
        meeting: None,
        issued_at_ms: now,
        expires_at_ms: now + ttl_s * 1000,
        revoked: false,
        extra,
    };
    store.tokens.insert(token.clone());
    token
}

/// The app's current token of `kind` if ≥ 30 min remain, else a fresh one (the old one keeps
/// working until its own expiry). Returns (token, seconds left).
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
    let t = issue(store, tenant, kind, None, ACCESS_TTL_S, Map::new());
    (t.value, ACCESS_TTL_S)
}

/// The body of a token endpoint as an object (anything else reads as empty: 10003 follows).
fn body(ex: &Exchange<'_>) -> Map<String, Value> {
    match ex.json::<Value>() {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    }
}

fn field<'b>(b: &'b Map<String, Value>, k: &str) -> &'b str {
    b.get(k).and_then(Value::as_str).unwrap_or("")
}

/// Checks `{"app_id","app_secret"}`: 10003 for missing fields or an id that is no `cli_…` app
/// (or unknown under strict tenants), 10014 for a wrong secret. Unknown apps are provisioned
/// on first use of their secret.
fn app_credentials(ex: &Exchange<'_>, b: &Map<String, Value>) -> Result<Arc<Tenant>, Reply> {
    let (id, secret) = (field(b, "app_id"), field(b, "app_secret"));
    if !id.starts_with("cli_") || secret.is_empty() {
        return Err(errors::fail(ex, &TOKEN_INVALID_PARAM));
    }
    match ex
        .app
        .store
        .tenant_or_provision(VendorId::Feishu, id, secret, BTreeMap::new())
    {
        Ok(t) if t.secret == secret => Ok(t),
        Ok(_) => Err(errors::fail(ex, &TOKEN_BAD_SECRET)),
        Err(StoreError::UnknownTenant(_)) | Err(_) => Err(errors::fail(ex, &TOKEN_INVALID_PARAM)),
    }
}

/// The app's type.
fn kind_of(t: &Tenant) -> AppType {
    t.with(|d| apps::app_type(d))
}

/// Checks the credentials of a self-built app (`*/internal`).
// [inf] a store app on the internal endpoints is refused like a bad parameter (10003): its
// tenant tokens exist per tenant key only.
fn self_built(ex: &Exchange<'_>) -> Result<Arc<Tenant>, Reply> {
    let t = app_credentials(ex, &body(ex))?;
    if kind_of(&t) == AppType::Store {
        return Err(errors::fail(ex, &TOKEN_INVALID_PARAM));
    }
    Ok(t)
}

fn flat_ok(v: Value) -> Reply {
    Reply::json(StatusCode::OK, &v).with_code("0")
}

/// `POST /open-apis/auth/v3/tenant_access_token/internal`
pub fn tenant_access_token(ex: &mut Exchange<'_>) -> Reply {
    let t = tri!(self_built(ex));
    let (token, expire) = app_level_token(&ex.app.store, &t.id, TokenKind::Tenant);
    flat_ok(json!({"code": 0, "msg": "ok", "tenant_access_token": token, "expire": expire}))
}

/// `POST /open-apis/auth/v3/app_access_token/internal`: a self-built app's app token is its
/// tenant token, answered in both fields [doc example].
pub fn app_access_token(ex: &mut Exchange<'_>) -> Reply {
    let t = tri!(self_built(ex));
    let (token, expire) = app_level_token(&ex.app.store, &t.id, TokenKind::Tenant);
    flat_ok(
        json!({"app_access_token": token, "code": 0, "expire": expire, "msg": "ok",
                   "tenant_access_token": token}),
    )
}

/// Checks the credentials of a store app.
// [inf] a self-built app on the store-app endpoints is refused like a bad parameter (10003).
fn store_app(ex: &Exchange<'_>, b: &Map<String, Value>) -> Result<Arc<Tenant>, Reply> {
    let t = app_credentials(ex, b)?;
    if kind_of(&t) != AppType::Store {
        return Err(errors::fail(ex, &TOKEN_INVALID_PARAM));
    }
    Ok(t)
}

/// `POST /open-apis/auth/v3/app_access_token` (store app): `{app_id, app_secret, app_ticket}`;
/// an unknown or expired ticket is 10012, on which the Go SDK asks for a resend.
pub fn store_app_access_token(ex: &mut Exchange<'_>) -> Reply {
    let b = body(ex);
    let t = tri!(store_app(ex, &b));
    let store = &ex.app.store;
    let ticket = store.tokens.get(field(&b, "app_ticket"));
    let good = ticket.is_some_and(|k| {
        k.vendor == VendorId::Feishu
            && k.kind == TokenKind::Ticket
            && k.tenant == t.id
            && k.live(ex.now_ms)
    });
    if !good {
        return errors::fail(ex, &APP_TICKET_INVALID);
    }
    let (token, expire) = app_level_token(store, &t.id, TokenKind::App);
    flat_ok(json!({"code": 0, "msg": "success", "app_access_token": token, "expire": expire}))
}

/// `POST /open-apis/auth/v3/tenant_access_token` (store app): `{app_access_token,
/// tenant_key}` → the tenant token of that tenant. meetmock has one tenant per app, whose
/// key is `apps::tenant_key(app_id)`.
// [inf] a bad app token or a tenant that did not install the app: 10013.
pub fn store_tenant_access_token(ex: &mut Exchange<'_>) -> Reply {
    let b = body(ex);
    let (app_token, key) = (field(&b, "app_access_token"), field(&b, "tenant_key"));
    if app_token.is_empty() || key.is_empty() {
        return errors::fail(ex, &TOKEN_INVALID_PARAM);
    }
    let store = &ex.app.store;
    let app = store
        .tokens
        .get(app_token)
        .filter(|k| k.vendor == VendorId::Feishu && k.kind == TokenKind::App)
        .filter(|k| k.live(ex.now_ms))
        .map(|k| k.tenant.clone());
    match app {
        Some(app) if apps::tenant_key(&app) == key => {
            let (token, expire) = app_level_token(store, &app, TokenKind::Tenant);
            flat_ok(
                json!({"code": 0, "msg": "success", "tenant_access_token": token,
                           "expire": expire}),
            )
        }
        _ => errors::fail(ex, &TENANT_TOKEN_FAIL),
    }
}

/// `POST /open-apis/auth/v3/app_ticket/resend` `{app_id, app_secret}`: the platform pushes a
/// new `app_ticket` (here: issued, and handed out by the admin action `app_ticket`).
/// Self-built apps have no ticket: 10016 [doc: generic page].
pub fn app_ticket_resend(ex: &mut Exchange<'_>) -> Reply {
    let t = tri!(app_credentials(ex, &body(ex)));
    if kind_of(&t) != AppType::Store {
        return errors::fail(ex, &RESEND_FAIL);
    }
    issue(
        &ex.app.store,
        &t.id,
        TokenKind::Ticket,
        None,
        TICKET_TTL_S,
        Map::new(),
    );
    flat_ok(json!({"code": 0, "msg": "success"}))
}

/// Admin `app_ticket {"app_id"}` → `{"app_ticket","expires_in"}`: the store app's newest live
/// ticket (one is issued when none is), i.e. what the `app_ticket` event would carry.
pub fn admin_app_ticket(store: &Store, body: &Value) -> Result<Value, AdminError> {
    let app = body.get("app_id").and_then(Value::as_str).unwrap_or("");
    let t = store
        .tenant(VendorId::Feishu, app)
        .ok_or_else(|| AdminError::not_found(format!("no feishu app {app:?}")))?;
    if kind_of(&t) != AppType::Store {
        return Err(AdminError::bad_request(format!(
            "{app} is a self-built app; app tickets belong to store apps (app_type: store)"
        )));
    }
    let now = store.clock.now_ms();
    let ticket = match store
        .tokens
        .newest(VendorId::Feishu, app, TokenKind::Ticket, None, now)
    {
        Some(k) => Token::clone(&k),
        None => issue(
            store,
            app,
            TokenKind::Ticket,
            None,
            TICKET_TTL_S,
            Map::new(),
        ),
    };
    Ok(json!({
        "app_ticket": ticket.value,
        "expires_in": (ticket.expires_at_ms - now) / 1000,
        "tenant_key": apps::tenant_key(app),
    }))
}
