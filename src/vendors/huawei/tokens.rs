//! Huawei token APIs (登录鉴权): CheckToken, UpdateToken, DeleteToken.
//!
//! Mirrors support.huaweicloud.com `api-meeting` CheckToken / UpdateToken / DeleteToken and
//! notes §2, §3.1. CheckToken needs no header (page meeting_21_0308: the token is in the body);
//! an invalid token in its body answers 401 USG.000000004 (the code terraform's golangsdk
//! checks for).

use super::auth::{issue, live_token, token_response};
use super::errors::{fail, ok, ok_empty};
use crate::exchange::{Exchange, Reply};
use crate::store::{Tenant, TokenKind, User, VendorId};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CheckBody {
    token: Option<String>,
    #[serde(default)]
    need_gen_new_token: Option<bool>,
}

/// POST /v1/usg/acs/token/validate — CheckToken.
pub fn check_token(ex: &mut Exchange<'_>) -> Reply {
    let Ok(body) = ex.json::<CheckBody>() else {
        return fail("bad_request_param");
    };
    let Some(value) = body.token.filter(|t| !t.is_empty()) else {
        return fail("bad_request_param");
    };
    // Page meeting_21_0308: the token travels in the body only. [inf] When a client also sends
    // `X-Access-Token` (the SDKs do), a token of another enterprise is unknown to that caller:
    // validating it would show (and with needGenNewToken, re-issue) another enterprise's session.
    let caller = ex
        .header("x-access-token")
        .and_then(|v| live_token(ex, v.trim()))
        .map(|t| t.tenant.clone());
    let Some(t) = live_token(ex, &value)
        .filter(|t| t.kind == TokenKind::User && caller.as_ref().is_none_or(|c| *c == t.tenant))
    else {
        return fail("token_invalid");
    };
    let Some(tenant) = ex.app.store.tenant(VendorId::Huawei, &t.tenant) else {
        return fail("token_invalid");
    };
    ex.principal = Some(crate::exchange::Principal {
        tenant: tenant.clone(),
        kind: Some(t.kind),
        user: t.user.clone(),
        token: None,
    });
    let user = user_of(&tenant, t.user.as_deref());
    if body.need_gen_new_token == Some(true) {
        return ok(&issue(ex, &tenant, &user, 72));
    }
    ok(&token_response(
        &tenant,
        &user,
        &value,
        None,
        72,
        t.issued_at_ms,
    ))
}

/// PUT /v1/usg/acs/token — UpdateToken: the refresh (or access) token in `X-Access-Token`
/// buys a new access token.
pub fn update_token(ex: &mut Exchange<'_>) -> Reply {
    let Some(p) = ex.principal.clone() else {
        return fail("token_invalid");
    };
    let user = user_of(&p.tenant, p.user.as_deref());
    ok(&issue(ex, &p.tenant, &user, 72))
}

/// DELETE /v1/usg/acs/token — DeleteToken: the presented access token stops working.
pub fn delete_token(ex: &mut Exchange<'_>) -> Reply {
    if let Some(v) = ex.principal.as_ref().and_then(|p| p.token.clone()) {
        ex.app.store.tokens.revoke(&v);
    }
    ok_empty()
}

fn user_of(tenant: &Tenant, id: Option<&str>) -> User {
    let id = id.unwrap_or("");
    tenant
        .with(|d| d.user_any(id).cloned())
        .unwrap_or_else(|| User {
            id: id.to_string(),
            name: id.to_string(),
            ..Default::default()
        })
}
