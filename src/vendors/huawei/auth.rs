//! Huawei logins (登录鉴权: CreateToken; CreateAppIdToken is in `appauth.rs`), token
//! issuing, and the authenticator the pipeline calls. The other token APIs are in `tokens.rs`.
//!
//! Mirrors support.huaweicloud.com `api-meeting/meeting_21_0001`…(token pages) and the SDK's
//! `MeetingCredentials` (notes §1.2): account login with `Authorization: Basic
//! base64(account:password)`, App-ID login with `HMAC-SHA256 signature=<hex>,access=<b64>`
//! over `appId:userId:expireTime:nonce` (or `appId:corpId:userId:expireTime:nonce` in the
//! multi-tenant scene), keyed with the app key (= the tenant secret).
//!
//! Decisions: access tokens live 24 h (the SDK caches 12 h and never refreshes; docs say
//! 12–24 h) and refresh tokens 30 days. Signatures compare case-insensitively, `access` is
//! optional (terraform omits it). Trust on first use: an unknown account is provisioned as a
//! tenant of its own with the presented password; an unknown App ID as a tenant with no key,
//! which accepts any well-formed signature (no key was ever presented to check against).

use super::errors::{fail, login_answer, ok};
use crate::exchange::{Exchange, Principal, Reply};
use crate::store::{LockPolicy, LoginCheck, Tenant, Token, TokenKind, User, VendorId};
use crate::vendors::Auth;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Access-token lifetime (seconds).
pub const ACCESS_TTL_SECS: i64 = 24 * 3600;
/// Refresh-token lifetime (seconds).
pub const REFRESH_TTL_SECS: i64 = 30 * 24 * 3600;
/// Control-token lifetime (seconds): `confTokenExpireTime`.
pub const CONTROL_TTL_SECS: i64 = 1800;
pub(super) const HW: VendorId = VendorId::Huawei;
/// Account lockout: consecutive wrong passwords lock the account (423) and it unlocks by
/// itself after 5 minutes, as the FAQ "账号锁定，如何处理？等待5分钟自动解锁" says. DEVIATION: the
/// count is not public; 5 stands in (see docs/vendors/huawei.md).
pub const ACCOUNT_LOCK: LockPolicy = LockPolicy {
    max_failures: 5,
    lock_secs: 300,
};

/// Checks what `auth` demands and sets `ex.principal`.
pub fn authenticate(ex: &mut Exchange<'_>, auth: Auth) -> Result<(), Reply> {
    let kinds = match auth {
        Auth::Open | Auth::Signature => return Ok(()),
        Auth::Token(kinds) => kinds,
    };
    if kinds.contains(&TokenKind::Control) {
        return control_principal(ex);
    }
    let value = ex.header("x-access-token").unwrap_or("").trim().to_string();
    let token = live_token(ex, &value).filter(|t| kinds.contains(&t.kind));
    let Some(t) = token else {
        return Err(fail("token_invalid"));
    };
    let Some(tenant) = ex.app.store.tenant(HW, &t.tenant) else {
        return Err(fail("token_invalid"));
    };
    ex.principal = Some(Principal {
        tenant,
        kind: Some(t.kind),
        user: t.user.clone(),
        token: Some(value),
    });
    Ok(())
}

/// Control calls: the tenant is the conference's own, found from the conference id and the
/// control token (`locate.rs`), never from `X-Access-Token`. A control token that is missing,
/// wrong or for another meeting leaves `kind` empty: the control gate answers it after the
/// conference's state, in the notes' check order. An unknown conference: MMC.111072065.
fn control_principal(ex: &mut Exchange<'_>) -> Result<(), Reply> {
    let id = ex.query("conferenceID").unwrap_or_default();
    let token = control_token(ex).filter(|t| t.meeting.as_deref() == Some(id.as_str()));
    let tenant = match token
        .as_ref()
        .and_then(|t| ex.app.store.tenant(HW, &t.tenant))
    {
        Some(t) => t,
        None => match super::locate::conference_tenant(ex, &id) {
            Some(t) => t,
            None => return Err(fail("conf_not_found_or_auth_failed")),
        },
    };
    let token = token.filter(|t| t.tenant == tenant.id);
    ex.principal = Some(Principal {
        tenant,
        kind: token.as_ref().map(|t| t.kind),
        user: token.as_ref().and_then(|t| t.user.clone()),
        token: token.map(|t| t.value.clone()),
    });
    Ok(())
}

/// The live control token of `X-Conference-Authorization` (raw or `Basic base64(token)`).
pub fn control_token(ex: &Exchange<'_>) -> Option<std::sync::Arc<Token>> {
    let raw = ex.header("x-conference-authorization")?.trim();
    let value = match raw.get(..6) {
        Some(p) if p.eq_ignore_ascii_case("basic ") => {
            let bytes = B64.decode(raw[6..].trim()).ok()?;
            String::from_utf8(bytes).ok()?
        }
        _ => raw.to_string(),
    };
    live_token(ex, &value).filter(|t| t.kind == TokenKind::Control)
}

pub(super) fn live_token(ex: &Exchange<'_>, value: &str) -> Option<std::sync::Arc<Token>> {
    if value.is_empty() {
        return None;
    }
    ex.app
        .store
        .tokens
        .get(value)
        .filter(|t| t.vendor == HW && t.live(ex.now_ms))
}

/// The tenant a request's credentials point at, unverified (fault matching).
pub fn tenant_hint(ex: &Exchange<'_>) -> Option<String> {
    for h in ["x-access-token", "x-conference-authorization"] {
        if let Some(t) = ex.header(h).and_then(|v| ex.app.store.tokens.get(v.trim())) {
            return Some(t.tenant.clone());
        }
    }
    let (account, _) = basic_credentials(ex)?;
    ex.app
        .store
        .tenant_by_credential(HW, &account)
        .map(|t| t.id.clone())
}

fn basic_credentials(ex: &Exchange<'_>) -> Option<(String, String)> {
    let h = ex.header("authorization")?.trim();
    h.get(..6).filter(|p| p.eq_ignore_ascii_case("basic "))?;
    let decoded = String::from_utf8(B64.decode(h[6..].trim()).ok()?).ok()?;
    let (a, p) = decoded.split_once(':')?;
    Some((a.to_string(), p.to_string()))
}

/// Issues an access token (and its refresh token) and renders the TokenResponse.
pub(super) fn issue(ex: &Exchange<'_>, tenant: &Tenant, user: &User, client_type: i64) -> Value {
    let store = &ex.app.store;
    let access = format!("stb{}", store.secrets.hex(33));
    let refresh = format!("stb{}", store.secrets.hex(33));
    for (value, kind, ttl) in [
        (&access, TokenKind::User, ACCESS_TTL_SECS),
        (&refresh, TokenKind::Refresh, REFRESH_TTL_SECS),
    ] {
        store.tokens.insert(Token {
            value: value.clone(),
            vendor: HW,
            tenant: tenant.id.clone(),
            kind,
            user: Some(user.id.clone()),
            meeting: None,
            issued_at_ms: ex.now_ms,
            expires_at_ms: ex.now_ms + ttl * 1000,
            revoked: false,
            extra: Default::default(),
        });
    }
    token_response(
        tenant,
        user,
        &access,
        Some(&refresh),
        client_type,
        ex.now_ms,
    )
}

pub(super) fn token_response(
    tenant: &Tenant,
    user: &User,
    access: &str,
    refresh: Option<&str>,
    client_type: i64,
    created_ms: i64,
) -> Value {
    let created_s = created_ms.div_euclid(1000);
    json!({
        "accessToken": access,
        "tokenIp": "127.0.0.1",
        "validPeriod": ACCESS_TTL_SECS,
        "expireTime": created_s + ACCESS_TTL_SECS,
        "createTime": created_ms,
        "user": {
            "userId": user.id,
            "ucloginAccount": user.aliases.get("account").unwrap_or(&user.id),
            "serviceAccount": format!("+99111{}", user.phone.as_deref().unwrap_or("").trim_start_matches('+')),
            "alias1": user.aliases.get("alias1").cloned().unwrap_or_default(),
            "companyId": tenant.id,
            "spId": "",
            "realm": "huaweicloud.com",
            "userType": 2,
            "adminType": 2,
            "name": user.name,
            "nameEn": user.name,
            "isBindPhone": user.phone.is_some(),
            "freeUser": false,
            "thirdAccount": user.aliases.get("third_account").cloned().unwrap_or_default(),
            "status": i64::from(user.disabled),
            "appId": tenant.credential("app_id").unwrap_or(""),
            "corpType": 6,
        },
        "clientType": client_type,
        "forceLoginInd": 0,
        "firstLogin": false,
        "pwdExpired": false,
        "daysPwdAvailable": 90,
        "delayDelete": false,
        "tokenType": 0,
        "refreshToken": refresh.unwrap_or(""),
        "refreshValidPeriod": if refresh.is_some() { REFRESH_TTL_SECS } else { 0 },
        "refreshExpireTime": if refresh.is_some() { created_s + REFRESH_TTL_SECS } else { 0 },
        "refreshCreateTime": if refresh.is_some() { created_ms } else { 0 },
    })
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct AccountBody {
    account: Option<String>,
    client_type: Option<i64>,
}

/// POST /v1/usg/acs/auth/account — CreateToken (account + password).
pub fn create_token(ex: &mut Exchange<'_>) -> Reply {
    let Some((account, password)) = basic_credentials(ex) else {
        return login_answer(ex, fail("bad_request_param"));
    };
    let body: AccountBody = if ex.body.iter().all(u8::is_ascii_whitespace) {
        AccountBody::default()
    } else {
        match ex.json() {
            Ok(b) => b,
            Err(_) => return login_answer(ex, fail("bad_request_param")),
        }
    };
    if body.account.as_deref().is_some_and(|a| a != account) {
        return login_answer(ex, fail("account_or_password_error"));
    }
    let reply = password_login(ex, &account, &password, body.client_type.unwrap_or(72));
    login_answer(ex, reply)
}

/// Logs `account` in with `password` (CreateToken, and CreateProxyToken's WeLink mode): trust
/// on first use for an unknown account, then the lockout ([`ACCOUNT_LOCK`], 423), the password
/// (401) and whether the account is disabled (412).
pub(super) fn password_login(
    ex: &mut Exchange<'_>,
    account: &str,
    password: &str,
    client_type: i64,
) -> Reply {
    if account.is_empty() {
        return fail("account_or_password_error");
    }
    let store = &ex.app.store;
    let tenant = match store.tenant_by_credential(HW, account) {
        Some(t) => t,
        None => {
            let creds = BTreeMap::from([("account".to_string(), account.to_string())]);
            match store.tenant_or_provision(HW, account, "", creds) {
                Ok(t) => {
                    store.index_credential(HW, account, &t.id);
                    t
                }
                Err(_) => return fail("account_or_password_error"),
            }
        }
    };
    let fresh_tenant = tenant.origin == crate::store::Origin::Auto;
    let now = ex.now_secs();
    let (check, user) = tenant.with(|d| {
        if d.user_any(account).is_none() && fresh_tenant {
            d.put_user(User {
                id: account.to_string(),
                name: account.to_string(),
                password: Some(password.to_string()),
                ..Default::default()
            });
        }
        let Some(id) = d.user_any(account).map(|u| u.id.clone()) else {
            return (LoginCheck::Unknown, None);
        };
        let check = d.check_login(&id, password, now, ACCOUNT_LOCK);
        (check, d.user(&id).cloned())
    });
    match (check, user) {
        (LoginCheck::Ok, Some(u)) => ok(&issue(ex, &tenant, &u, client_type)),
        (LoginCheck::Locked, _) => fail("account_locked"),
        (LoginCheck::Disabled, _) => fail("account_disabled"),
        _ => fail("account_or_password_error"),
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ProxyBody {
    account: Option<String>,
    pwd: Option<String>,
    auth_server_type: Option<String>,
    auth_type: Option<String>,
    client_type: Option<serde_json::Value>,
}

/// POST /v1/usg/acs/auth/proxy — CreateProxyToken (page meeting_21_0310): WeLink proxy
/// authentication (`authServerType: workplace`, `authType: AccountAndPwd`, `account` + `pwd`)
/// logs the account in like CreateToken. DEVIATION: the OAuth 2.0 mode (`oauth2`/`AuthCode`)
/// needs the enterprise's own identity provider, which meetmock does not have: it answers 401.
pub fn create_proxy_token(ex: &mut Exchange<'_>) -> Reply {
    let reply = proxy_login(ex);
    login_answer(ex, reply)
}

fn proxy_login(ex: &mut Exchange<'_>) -> Reply {
    let Ok(body) = ex.json::<ProxyBody>() else {
        return fail("bad_request_param");
    };
    let client_type = match &body.client_type {
        None | Some(serde_json::Value::Null) => 72,
        Some(v) => match v
            .as_i64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        {
            Some(c) => c,
            None => return fail("bad_request_param"),
        },
    };
    match (body.auth_server_type.as_deref(), body.auth_type.as_deref()) {
        (Some("workplace"), Some("AccountAndPwd")) => {}
        (Some("oauth2"), Some("AuthCode")) => return fail("account_or_password_error"),
        _ => return fail("bad_request_param"),
    }
    let account = body.account.unwrap_or_default();
    let password = body.pwd.unwrap_or_default();
    password_login(ex, &account, &password, client_type)
}
