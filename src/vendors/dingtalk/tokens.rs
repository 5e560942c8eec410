//! App access tokens, new style and old style.
//!
//! Mirrors "获取企业内部应用的accessToken" (`POST /v1.0/oauth2/accessToken`, oauth2_1_0 client)
//! and the legacy `GET /gettoken` of oapi.dingtalk.com (notes §5). Both issue the same kind of
//! token for the app (tenant = appKey), valid 7200 s. Asking again while the token is valid
//! returns the same token and extends it to a full 7200 s (notes §5.1, stated by the gettoken
//! doc); after expiry a new token is issued. Unknown appKeys are provisioned on first use with
//! the secret presented (trust on first use) unless tenants are strict.

use super::errors::{self, CONTENT_TYPE};
use super::VENDOR;
use crate::exchange::{Exchange, Reply};
use crate::store::{Tenant, Token, TokenKind};
use http::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Token lifetime in seconds.
pub const EXPIRE_IN: i64 = 7200;

/// The app whose key and secret these are, provisioned on first use; `None` when the pair is
/// wrong, empty, or unknown under strict tenants.
fn app(ex: &Exchange<'_>, key: &str, secret: &str) -> Option<Arc<Tenant>> {
    if key.trim().is_empty() || secret.is_empty() {
        return None;
    }
    let store = &ex.app.store;
    store
        .tenant_or_provision(VENDOR, key, secret, BTreeMap::new())
        .ok()
        .filter(|t| t.secret == secret)
}

/// The app's live token (extended to a full lifetime) or a new one.
fn issue(ex: &Exchange<'_>, tenant: &Tenant) -> String {
    let store = &ex.app.store;
    let expires = ex.now_ms + EXPIRE_IN * 1000;
    if let Some(t) = store
        .tokens
        .newest(VENDOR, &tenant.id, TokenKind::App, None, ex.now_ms)
    {
        store.tokens.set_expiry(&t.value, expires);
        return t.value.clone();
    }
    let value = store.ids.hex(32);
    store.tokens.insert(Token {
        value: value.clone(),
        vendor: VENDOR,
        tenant: tenant.id.clone(),
        kind: TokenKind::App,
        user: None,
        meeting: None,
        issued_at_ms: ex.now_ms,
        expires_at_ms: expires,
        revoked: false,
        extra: Default::default(),
    });
    value
}

/// `POST /v1.0/oauth2/accessToken` — body `{appKey, appSecret}` → `{accessToken, expireIn}`.
/// [INF] a missing, empty or non-string key or secret, or a body that is not a JSON object,
/// gets the same `invalidClientIdOrSecret` as a wrong pair (nothing else was observed).
pub fn access_token(ex: &mut Exchange<'_>) -> Reply {
    let body: Value = serde_json::from_slice(&ex.body).unwrap_or(Value::Null);
    let field = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or("");
    let Some(tenant) = app(ex, field("appKey"), field("appSecret")) else {
        return errors::err(ex, "invalid_client", None);
    };
    let token = issue(ex, &tenant);
    Reply::json_as(
        StatusCode::OK,
        CONTENT_TYPE,
        &json!({ "accessToken": token, "expireIn": EXPIRE_IN }),
    )
}

/// `GET /gettoken?appkey=&appsecret=` — the old gateway: always HTTP 200, `errcode`/`errmsg`.
pub fn gettoken(ex: &mut Exchange<'_>) -> Reply {
    let key = ex.query("appkey").unwrap_or_default();
    let secret = ex.query("appsecret").unwrap_or_default();
    let (code, body) = if key.is_empty() {
        (
            40035,
            json!({"errcode": 40035, "errmsg": "缺少参数 corpid or appkey"}),
        )
    } else {
        match app(ex, &key, &secret) {
            None => (
                40096,
                json!({"errcode": 40096, "errmsg": "不合法的appKey或appSecret"}),
            ),
            Some(t) => (
                0,
                json!({
                    "errcode": 0,
                    "access_token": issue(ex, &t),
                    "errmsg": "ok",
                    "expires_in": EXPIRE_IN,
                }),
            ),
        }
    };
    Reply::json_as(StatusCode::OK, "application/json", &body).with_code(code.to_string())
}
