//! Gateway authentication: `Authorization: Bearer <t-|a-|u- token>` checked against the token
//! store, with the open platform's gateway codes (generic error-code page; statuses observed
//! live, see `shared/vendors/feishu.md` §4.2), the API scopes (`scopes.rs`), and the
//! `X-Tt-Logid` log id format.
//!
//! A self-built app's app token *is* its tenant token (`app_access_token/internal` answers the
//! same `t-` string in both fields [doc example][obs]), so a route that wants an app token
//! (the authen v1 user-token endpoints) takes a self-built app's tenant token as one; the Node
//! SDK relies on it. A store app's `t-` token is a tenant token only.

use super::apps::{self, AppType};
use super::errors::{self, *};
use super::scopes;
use crate::exchange::{Exchange, Principal, Reply};
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
    let secs = store.clock.now_ms().div_euclid(1000);
    let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
    let t = secs.rem_euclid(86_400);
    let mut out = String::with_capacity(34);
    for (v, width) in [
        (y, 4),
        (i64::from(mo), 2),
        (i64::from(d), 2),
        (t / 3600, 2),
        ((t % 3600) / 60, 2),
        (t % 60, 2),
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

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar.
pub(super) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_are_right() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
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
