//! OAuth 2.0 token endpoints: `POST /open-apis/authen/v2/oauth/token` (open.feishu.cn
//! `authentication-management/access-token/get-user-access-token` and
//! `refresh-user-access-token`) and the SDKs' `POST {oauth_base_url}/oauth/v3/token`
//! (`shared/vendors/feishu.md` §1.4, §3.1, §4.3). RFC 6749: client credentials in the body
//! or HTTP Basic (not both: 20070), JSON or form-encoded bodies, OAuth-style errors
//! (`{"code","error","error_description"}`, HTTP 400) with the pages' own descriptions.

use super::errors::{self, *};
use super::grants::{self, scope_of, Refused, REFRESH_TTL_S};
use super::tokens::ACCESS_TTL_S;
use crate::exchange::{parse_query, Exchange, Reply};
use crate::store::{Store, Token, TokenKind, VendorId};
use crate::vendors::ErrorDef;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use http::StatusCode;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The request's parameters: a JSON object, else a form-encoded body.
fn params(ex: &Exchange<'_>) -> Option<BTreeMap<String, String>> {
    if let Ok(Value::Object(m)) = ex.json::<Value>() {
        return Some(
            m.into_iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_string())))
                .collect(),
        );
    }
    let text = std::str::from_utf8(&ex.body).ok()?;
    if text.trim_start().starts_with(['{', '[']) || !text.contains('=') {
        return None;
    }
    Some(
        parse_query(text)
            .into_iter()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
    )
}

/// `client_id:client_secret` of an `Authorization: Basic` header.
fn basic(ex: &Exchange<'_>) -> Option<(String, String)> {
    let h = ex.header("authorization")?.trim();
    let (scheme, rest) = h.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = STANDARD.decode(rest.trim()).ok()?;
    let (id, secret) = std::str::from_utf8(&raw).ok()?.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

/// Checks the client: `Ok(app id)`, or the refusal.
fn client(
    ex: &Exchange<'_>,
    p: &BTreeMap<String, String>,
    holds_grant: bool,
) -> Result<String, &'static ErrorDef> {
    let body_secret = p.get("client_secret").filter(|s| !s.is_empty());
    let (id, secret) = match (basic(ex), body_secret) {
        (Some(_), Some(_)) => return Err(&OAUTH_TWO_AUTH_METHODS),
        (Some(b), None) => b,
        (None, Some(s)) => (p.get("client_id").cloned().unwrap_or_default(), s.clone()),
        (None, None) => return Err(&OAUTH_INVALID_REQUEST),
    };
    if id.is_empty() {
        return Err(&OAUTH_INVALID_REQUEST);
    }
    let store = &ex.app.store;
    // Codes and refresh tokens are only ever issued to known apps, so an unknown app asking
    // for them is refused below; it is not provisioned first (a refused request changes
    // nothing). Under --strict-tenants it stays an invalid client.
    if holds_grant
        && store.tenant(VendorId::Feishu, &id).is_none()
        && !store.is_strict(VendorId::Feishu)
    {
        return Ok(id);
    }
    match store.tenant_or_provision(VendorId::Feishu, &id, &secret, BTreeMap::new()) {
        Ok(t) if t.secret == secret => Ok(id),
        _ => Err(&OAUTH_INVALID_CLIENT),
    }
}

/// `scope` narrowing [doc]: no duplicates (20067), nothing the grant does not hold (20068).
fn narrowed<'p>(
    grant: &Token,
    asked: Option<&'p String>,
) -> Result<Option<&'p str>, &'static ErrorDef> {
    let Some(asked) = asked.filter(|s| !s.trim().is_empty()) else {
        return Ok(None);
    };
    let list: Vec<&str> = asked.split_whitespace().collect();
    let mut seen = std::collections::HashSet::new();
    if !list.iter().all(|s| seen.insert(*s)) {
        return Err(&OAUTH_DUPLICATE_SCOPE);
    }
    let held = scope_of(grant);
    if !held.is_empty()
        && !list
            .iter()
            .all(|s| held.split_whitespace().any(|h| h == *s))
    {
        return Err(&OAUTH_SCOPE_NOT_PERMITTED);
    }
    Ok(Some(asked.as_str()))
}

/// PKCE [RFC 7636]: a code issued with a challenge needs the matching `code_verifier`.
fn pkce_ok(grant: &Token, verifier: Option<&String>) -> bool {
    let Some(challenge) = grant.extra.get("code_challenge").and_then(Value::as_str) else {
        return true;
    };
    let Some(v) = verifier.filter(|v| (43..=128).contains(&v.len())) else {
        return false;
    };
    match grant
        .extra
        .get("code_challenge_method")
        .and_then(Value::as_str)
    {
        Some("S256") => URL_SAFE_NO_PAD.encode(Sha256::digest(v.as_bytes())) == challenge,
        _ => v == challenge,
    }
}

/// The authorization-code grant's checks after the code was taken.
fn code_checks(grant: &Token, p: &BTreeMap<String, String>) -> Result<(), &'static ErrorDef> {
    if let Some(want) = grant.extra.get("redirect_uri").and_then(Value::as_str) {
        if p.get("redirect_uri").map(String::as_str) != Some(want) {
            return Err(&OAUTH_REDIRECT_MISMATCH);
        }
    }
    if !pkce_ok(grant, p.get("code_verifier")) {
        return Err(&OAUTH_PKCE_FAILED);
    }
    Ok(())
}

/// Takes the grant a request names, with the refusals of the grant type.
fn take(
    store: &Store,
    p: &BTreeMap<String, String>,
    app: &str,
    code: bool,
) -> Result<Token, &'static ErrorDef> {
    let (field, kind) = if code {
        ("code", TokenKind::LoginCode)
    } else {
        ("refresh_token", TokenKind::Refresh)
    };
    let value = p
        .get(field)
        .filter(|s| !s.is_empty())
        .ok_or(&OAUTH_INVALID_REQUEST)?;
    grants::take(store, value, kind, app).map_err(|why| match (why, code) {
        (Refused::OtherApp, _) => &OAUTH_APP_MISMATCH,
        (Refused::Expired, true) => &OAUTH_CODE_EXPIRED,
        (Refused::Used | Refused::Revoked, true) => &OAUTH_CODE_USED,
        (Refused::Unknown, true) => &OAUTH_CODE_NOT_FOUND,
        (Refused::Expired, false) => &OAUTH_REFRESH_EXPIRED,
        (Refused::Used, false) => &OAUTH_REFRESH_USED,
        (Refused::Revoked, false) => &OAUTH_REFRESH_REVOKED,
        (Refused::Unknown, false) => &OAUTH_REFRESH_INVALID,
    })
}

/// `POST /open-apis/authen/v2/oauth/token` and `POST /oauth/v3/token`.
pub fn token(ex: &mut Exchange<'_>) -> Reply {
    match answer(ex) {
        Ok(r) => r,
        Err(err) => errors::fail(ex, err),
    }
}

fn answer(ex: &Exchange<'_>) -> Result<Reply, &'static ErrorDef> {
    let p = params(ex).ok_or(&OAUTH_MALFORMED)?;
    let grant_type = p
        .get("grant_type")
        .filter(|s| !s.is_empty())
        .ok_or(&OAUTH_INVALID_REQUEST)?;
    let code = match grant_type.as_str() {
        "authorization_code" => true,
        "refresh_token" => false,
        "client_credentials" if ex.path.starts_with("/oauth/v3/") => {
            let app = client(ex, &p, false)?;
            return Ok(client_credentials(ex, &app));
        }
        _ => return Err(&OAUTH_UNSUPPORTED_GRANT),
    };
    let app = client(ex, &p, true)?;
    let store = &ex.app.store;
    let grant = take(store, &p, &app, code)?;
    if code {
        code_checks(&grant, &p)?;
    }
    if !grants::user_available(store, &grant) {
        return Err(&OAUTH_USER_NOT_PERMITTED);
    }
    let scope = narrowed(&grant, p.get("scope"))?;
    // DEVIATION: a refresh token is always issued (the real service only does so when the
    // user granted `offline_access`).
    let (a, r) = grants::user_pair(store, &grant, scope);
    let body = json!({
        "code": 0, "access_token": a.value, "expires_in": ACCESS_TTL_S,
        "refresh_token": r.value, "refresh_token_expires_in": REFRESH_TTL_S,
        "token_type": "Bearer", "scope": scope_of(&a),
    });
    Ok(Reply::json(StatusCode::OK, &body).with_code("0"))
}

/// v3 `client_credentials`: the app's tenant token.
// DEVIATION: the real v3 answer is a JWT-format tenant token; ours is the `t-` token.
fn client_credentials(ex: &Exchange<'_>, app: &str) -> Reply {
    let store = &ex.app.store;
    let now = ex.now_ms;
    let t = match store
        .tokens
        .newest(VendorId::Feishu, app, TokenKind::Tenant, None, now)
    {
        Some(t) if t.expires_at_ms - now >= 1_800_000 => Token::clone(&t),
        _ => super::tokens::issue(
            store,
            app,
            TokenKind::Tenant,
            None,
            ACCESS_TTL_S,
            Map::new(),
        ),
    };
    let left = (t.expires_at_ms - now) / 1000;
    Reply::json(
        StatusCode::OK,
        &json!({"code": 0, "access_token": t.value, "token_type": "Bearer", "expires_in": left}),
    )
    .with_code("0")
}
