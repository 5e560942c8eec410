//! App access tokens: internal apps, third-party enterprise apps, and the legacy gateway.
//!
//! Mirrors "获取企业内部应用的accessToken" (`POST /v1.0/oauth2/accessToken`), "获取第三方应用授权企业
//! 的accessToken" (`POST /v1.0/oauth2/corpAccessToken`), "获取企业accessToken（应用商店应用）"
//! (`POST /v1.0/oauth2/{corpId}/token`, snake_case body and answer) — all oauth2_1_0 — and the
//! legacy `GET /gettoken` of oapi.dingtalk.com (notes §5). All issue the same kind of token
//! for the app, valid 7200 s. Asking again while the token is valid returns the same token and
//! extends it to a full 7200 s (notes §5.1, stated by the gettoken doc); after expiry a new one.
//!
//! Tenant = the app: an internal app's appKey, or a third-party suite's suiteKey (the suite as
//! authorised by one organisation). A tenant's `credentials.corp_id` is the organisation it
//! lives in; a suite's token needs `authCorpId` = that corpId. [INF] a tenant that declares no
//! corp_id accepts any corpId. Unknown keys are provisioned on first use with the secret (and
//! corpId) presented, unless tenants are strict for DingTalk (`--strict-tenants`, or
//! `PUT /__admin/tenants/strict`): then they get the vendor's refusal.

use super::errors::{self, CONTENT_TYPE};
use super::VENDOR;
use crate::exchange::{Exchange, Reply};
use crate::store::same_secret;
use crate::store::{Tenant, Token, TokenKind};
use http::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Token lifetime in seconds.
pub const EXPIRE_IN: i64 = 7200;

/// The app whose key and secret these are, provisioned on first use; `None` when the pair is
/// wrong, empty, or unknown under strict tenants.
pub(super) fn app(ex: &Exchange<'_>, key: &str, secret: &str) -> Option<Arc<Tenant>> {
    if key.trim().is_empty() || secret.is_empty() {
        return None;
    }
    let store = &ex.app.store;
    store
        .tenant_or_provision(VENDOR, key, secret, BTreeMap::new())
        .ok()
        .filter(|t| same_secret(secret.as_bytes(), t.secret.as_bytes()))
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
    let value = store.secrets.hex(32);
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

/// The corpId a tenant lives in, if declared.
pub const CORP_ID: &str = "corp_id";

/// The app `key`, provisioned on first use in organisation `corp`; `None` under strict tenants.
fn app_in(ex: &Exchange<'_>, key: &str, secret: &str, corp: &str) -> Option<Arc<Tenant>> {
    let creds = BTreeMap::from([(CORP_ID.to_string(), corp.to_string())]);
    ex.app
        .store
        .tenant_or_provision(VENDOR, key, secret, creds)
        .ok()
}

/// True when `tenant` may act for organisation `corp`.
fn in_corp(tenant: &Tenant, corp: &str) -> bool {
    tenant.credential(CORP_ID).is_none_or(|c| c == corp)
}

/// `POST /v1.0/oauth2/corpAccessToken` — body `{suiteKey, suiteSecret, authCorpId,
/// suiteTicket}` (all required, checked by the gateway) → `{accessToken, expireIn}`.
/// Unknown or blank suiteKey, or a wrong suiteSecret → `invalidSuiteKey` ([INF] for the
/// secret: only the bad key was observed); an authCorpId that has not authorised the suite →
/// `500 unknownError` ([INF], as observed for a bogus corpId on `{corpId}/token`). [INF] any
/// non-empty suiteTicket is accepted (meetmock pushes no tickets).
pub fn corp_access_token(ex: &mut Exchange<'_>) -> Reply {
    let body: Value = serde_json::from_slice(&ex.body).unwrap_or(Value::Null);
    let field = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or("").trim();
    let (key, secret, corp) = (field("suiteKey"), field("suiteSecret"), field("authCorpId"));
    if key.is_empty() || secret.is_empty() {
        return errors::err(ex, "invalid_suite_key", None);
    }
    if corp.is_empty() || field("suiteTicket").is_empty() {
        return errors::params(ex, "authCorpId or suiteTicket is empty");
    }
    let Some(tenant) = app_in(ex, key, secret, corp)
        .filter(|t| same_secret(secret.as_bytes(), t.secret.as_bytes()))
    else {
        return errors::err(ex, "invalid_suite_key", None);
    };
    if !in_corp(&tenant, corp) {
        return errors::err(ex, "unknown_error", None);
    }
    let token = issue(ex, &tenant);
    Reply::json_as(
        StatusCode::OK,
        CONTENT_TYPE,
        &json!({ "accessToken": token, "expireIn": EXPIRE_IN }),
    )
}

/// `POST /v1.0/oauth2/{corpId}/token` — body `{client_id, client_secret, grant_type}` →
/// `{access_token, expires_in}` (snake_case, as the SDK model). `grant_type` must be
/// `client_credentials` ([INF] else `paramsError`); a wrong pair → `invalidClientIdOrSecret`;
/// a corpId the app does not belong to → `500 unknownError` / `未知错误` [OBS].
pub fn corp_token(ex: &mut Exchange<'_>) -> Reply {
    let body: Value = serde_json::from_slice(&ex.body).unwrap_or(Value::Null);
    let field = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or("");
    let corp = ex.param("corpId").trim().to_string();
    if field("grant_type") != "client_credentials" {
        return errors::params(ex, "grant_type is invalid");
    }
    let (key, secret) = (field("client_id"), field("client_secret"));
    if key.trim().is_empty() || secret.is_empty() {
        return errors::err(ex, "invalid_client", None);
    }
    let Some(tenant) = app_in(ex, key, secret, &corp)
        .filter(|t| same_secret(secret.as_bytes(), t.secret.as_bytes()))
    else {
        return errors::err(ex, "invalid_client", None);
    };
    if corp.is_empty() || !in_corp(&tenant, &corp) {
        return errors::err(ex, "unknown_error", None);
    }
    let token = issue(ex, &tenant);
    Reply::json_as(
        StatusCode::OK,
        CONTENT_TYPE,
        &json!({ "access_token": token, "expires_in": EXPIRE_IN }),
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
