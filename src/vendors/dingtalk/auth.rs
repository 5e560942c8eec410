//! Token check for every conference route: the token travels ONLY in the
//! `x-acs-dingtalk-access-token` header (notes §1.5; `?access_token=` and `Authorization` are
//! ignored, so they count as missing). Missing → 400 `AuthenticationFailed.MissingParameter`,
//! unknown / expired / revoked → 400 `InvalidAuthentication` (notes §1.2, never 401).

use super::errors;
use super::VENDOR;
use crate::exchange::{Exchange, Principal, Reply};
use crate::store::TokenKind;
use crate::vendors::Auth;

/// The one header the gateway reads the token from.
pub const TOKEN_HEADER: &str = "x-acs-dingtalk-access-token";

/// Sets `ex.principal` from the token header, or answers the gateway's refusal.
pub fn authenticate(ex: &mut Exchange<'_>, auth: Auth) -> Result<(), Reply> {
    if !matches!(auth, Auth::Token(_)) {
        return Ok(());
    }
    let Some(raw) = ex.headers.get(TOKEN_HEADER) else {
        return Err(errors::err(ex, "missing_token", None));
    };
    if raw.is_empty() {
        return Err(errors::err(ex, "missing_token", None));
    }
    // A value that is not visible ASCII cannot be a token we issued.
    let value = raw.to_str().unwrap_or("").to_string();
    let token = ex
        .app
        .store
        .tokens
        .get(&value)
        .filter(|t| t.vendor == VENDOR && t.kind == TokenKind::App && t.live(ex.now_ms));
    let tenant = token.and_then(|t| ex.app.store.tenant(VENDOR, &t.tenant));
    let Some(tenant) = tenant else {
        return Err(errors::err(ex, "invalid_token", None));
    };
    ex.principal = Some(Principal {
        tenant,
        kind: Some(TokenKind::App),
        user: None,
        token: Some(value),
    });
    Ok(())
}

/// The appKey a request speaks for, without verifying anything (fault rules match on it):
/// the token's tenant, else the app key in the token request's body (`appKey`, `suiteKey`,
/// `client_id`) or query.
pub fn tenant_hint(ex: &Exchange<'_>) -> Option<String> {
    if let Some(v) = ex.header(TOKEN_HEADER) {
        return ex.app.store.tokens.get(v).map(|t| t.tenant.clone());
    }
    if let Some(k) = ex.query("appkey") {
        return Some(k);
    }
    if let Some(v) = ex.query("access_token") {
        return ex.app.store.tokens.get(&v).map(|t| t.tenant.clone());
    }
    let v: serde_json::Value = serde_json::from_slice(&ex.body).ok()?;
    ["appKey", "suiteKey", "client_id"]
        .iter()
        .find_map(|k| v.get(*k).and_then(|x| x.as_str()))
        .map(str::to_string)
}

/// The old gateway's token check (`/topapi/…`: `?access_token=`): the app's tenant, also set
/// as the principal for the journal; `None` when the token is missing, unknown or expired.
pub fn old_gateway_tenant(ex: &mut Exchange<'_>) -> Option<std::sync::Arc<crate::store::Tenant>> {
    let value = ex.query("access_token")?;
    let token = ex
        .app
        .store
        .tokens
        .get(&value)
        .filter(|t| t.vendor == VENDOR && t.kind == TokenKind::App && t.live(ex.now_ms))?;
    let tenant = ex.app.store.tenant(VENDOR, &token.tenant)?;
    ex.principal = Some(Principal {
        tenant: std::sync::Arc::clone(&tenant),
        kind: Some(TokenKind::App),
        user: None,
        token: Some(value),
    });
    Some(tenant)
}
