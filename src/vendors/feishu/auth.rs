//! Gateway authentication: `Authorization: Bearer <t-|a-|u- token>` checked against the token
//! store, with the open platform's gateway codes (generic error-code page; statuses observed
//! live, see `shared/vendors/feishu.md` §4.2), the app's IP allow-list (`apps.rs`, 99991401),
//! the API scopes (`scopes.rs`), and the `X-Tt-Logid` log id format.
//!
//! A self-built app's app token *is* its tenant token (`app_access_token/internal` answers the
//! same `t-` string in both fields [doc example][obs]), so a route that wants an app token
//! (the authen v1 user-token endpoints) takes a self-built app's tenant token as one; the Node
//! SDK relies on it. A store app's `t-` token is a tenant token only.

use super::apps::{self, AppType};
use super::errors::{self, *};
use super::scopes;
use crate::exchange::{Exchange, Principal, Reply};
use crate::store::calendar::civil;
use crate::store::{Store, Token, TokenKind, VendorId};
use crate::vendors::{Auth, ErrorDef};

/// Checks the bearer token a route demands and sets the principal.
pub fn authenticate(ex: &mut Exchange<'_>, auth: Auth) -> Result<(), Reply> {
    let Auth::Token(kinds) = auth else {
        return Ok(());
    };
    let value = match bearer(ex) {
        Some(v) => v.to_string(),
        None => return Err(errors::fail(ex, &MISSING_TOKEN)),
    };
    let store = &ex.app.store;
    let token = store
        .tokens
        .get(&value)
        .filter(|t| t.vendor == VendorId::Feishu && !t.revoked)
        .filter(|t| matches!(t.kind, TokenKind::Tenant | TokenKind::App | TokenKind::User));
    let Some(token) = token else {
        return Err(errors::fail(ex, invalid_for_prefix(&value)));
    };
    if !token.live(ex.now_ms) {
        // [inf] expired user tokens say 99991677 (the SDKs refresh on it); expired tenant and
        // app tokens are simply invalid (99991663 / 99991664), which the Go SDK retries.
        let err = match token.kind {
            TokenKind::User => &TOKEN_EXPIRED,
            TokenKind::App => &APP_TOKEN_INVALID,
            _ => &TENANT_TOKEN_INVALID,
        };
        return Err(errors::fail(ex, err));
    }
    let Some(tenant) = store.tenant(VendorId::Feishu, &token.tenant) else {
        return Err(errors::fail(ex, invalid_for_prefix(&value)));
    };
    // The app's IP allow-list, once the token says which app is calling [inf: before the
    // token kind and the scopes, which concern the API rather than the app].
    if !tenant.with(|d| apps::ip_allowed(d, ex.route.operation, ex.peer)) {
        return Err(errors::ip_denied(ex));
    }
    let mut kind = token.kind;
    if kind == TokenKind::Tenant && !kinds.contains(&kind) && kinds.contains(&TokenKind::App) {
        // A self-built app's tenant token is its app token; a store app's is not.
        if tenant.with(|d| apps::app_type(d)) == AppType::SelfBuilt {
            kind = TokenKind::App;
        }
    }
    if !kinds.contains(&kind) {
        return Err(errors::fail(ex, not_supported(kind)));
    }
    ex.principal = Some(Principal {
        tenant,
        kind: Some(kind),
        user: token.user.clone(),
        token: Some(value),
    });
    scopes::check(ex, &token)
}

/// 99991663 / 99991668 double as "token type not supported by this API" [doc].
fn not_supported(kind: TokenKind) -> &'static ErrorDef {
    match kind {
        TokenKind::Tenant => &TENANT_TOKEN_NOT_SUPPORT,
        TokenKind::User => &USER_TOKEN_NOT_SUPPORT,
        // [inf] an app token on a tenant/user API: the app-token code.
        _ => &APP_TOKEN_INVALID,
    }
}

/// The live token a request carries, when it is a Feishu token (handlers that need the
/// token's own details: user_info, scopes).
pub fn presented(ex: &Exchange<'_>) -> Option<std::sync::Arc<Token>> {
    let v = ex.principal()?.token.as_deref()?;
    ex.app.store.tokens.get(v)
}

/// The token after `Bearer ` (scheme case-insensitive); `None` when missing or malformed.
pub fn bearer<'e>(ex: &'e Exchange<'_>) -> Option<&'e str> {
    let h = ex.header("authorization")?.trim();
    let (scheme, rest) = h.split_once(' ')?;
    let rest = rest.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !rest.is_empty()).then_some(rest)
}

/// The invalid-token code for an unknown token, by what its prefix claims [inf from the
/// generic page's descriptions]: `u-` and JWT-looking (`eyJ…`) tokens are user tokens
/// (99991668), `a-` app tokens (99991664), `ur-` a refresh token presented as an access
/// token (99991669), `t-` followed by anything but token characters a malformed tenant token
/// (99991665), a well-formed `t-` an invalid one (99991663), anything else not a token at all
/// (99991671 "must start with t-/u-").
fn invalid_for_prefix(value: &str) -> &'static ErrorDef {
    let token_chars = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    if value.starts_with("u-") || value.starts_with("eyJ") {
        &USER_TOKEN_INVALID
    } else if value.starts_with("ur-") {
        &REFRESH_AS_BEARER
    } else if value.starts_with("a-") {
        &APP_TOKEN_INVALID
    } else if let Some(rest) = value.strip_prefix("t-") {
        if token_chars(rest) {
            &TENANT_TOKEN_INVALID
        } else {
            &TENANT_CODE_INVALID
        }
    } else {
        &TOKEN_FORMAT
    }
}

/// The app id a request's credentials point at, without verifying them (fault matching).
pub fn tenant_hint(ex: &Exchange<'_>) -> Option<String> {
    if let Some(v) = bearer(ex) {
        return ex.app.store.tokens.get(v).map(|t| t.tenant.clone());
    }
    let body: serde_json::Value = ex.json().ok()?;
    body.get("app_id")
        .or_else(|| body.get("client_id"))
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

/// A log id like the open platform's: `YYYYMMDDhhmmss` (UTC, server clock) + 20 upper-hex
/// (34 characters, as live answers show [obs]).
pub fn new_log_id(store: &Store) -> String {
    let t = civil(store.clock.now_ms().div_euclid(1000), 0);
    let mut out = String::with_capacity(34);
    for (v, width) in [
        (i64::from(t.year()), 4),
        (i64::from(u8::from(t.month())), 2),
        (i64::from(t.day()), 2),
        (i64::from(t.hour()), 2),
        (i64::from(t.minute()), 2),
        (i64::from(t.second()), 2),
    ] {
        push_digits(&mut out, v, width);
    }
    store.secrets.push_hex(&mut out, 20, true);
    out
}

/// Appends `v` as exactly `width` decimal digits (zero-padded; higher digits dropped).
fn push_digits(out: &mut String, v: i64, width: u32) {
    let v = v.rem_euclid(10i64.pow(width));
    for i in (0..width).rev() {
        out.push((b'0' + ((v / 10i64.pow(i)) % 10) as u8) as char);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_ids_start_with_the_utc_time_of_the_server_clock() {
        let store = Store::new(1, false);
        store.clock.freeze(Some(1_709_195_400_000));
        let id = new_log_id(&store);
        assert_eq!(id.len(), 34);
        assert!(id.starts_with("20240229083000"), "{id}");
    }

    #[test]
    fn unknown_tokens_are_classified_by_prefix() {
        assert_eq!(invalid_for_prefix("u-x").code, "99991668");
        assert_eq!(invalid_for_prefix("eyJhbGciOi").code, "99991668");
        assert_eq!(invalid_for_prefix("a-x").code, "99991664");
        assert_eq!(invalid_for_prefix("t-x").code, "99991663");
        assert_eq!(invalid_for_prefix("t-").code, "99991665");
        assert_eq!(invalid_for_prefix("t-a/b").code, "99991665");
        assert_eq!(invalid_for_prefix("ur-x").code, "99991669");
        assert_eq!(invalid_for_prefix("bogus").code, "99991671");
    }
}
