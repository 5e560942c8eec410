//! Huawei App-ID login (CreateAppIdToken, `POST /v2/usg/acs/auth/appauth`): the
//! `HMAC-SHA256 signature=<hex>,access=<b64>` header, the signature over
//! `appId:userId:expireTime:nonce` (or `appId:corpId:userId:expireTime:nonce` in the
//! multi-tenant scene) keyed with the app key, and trust on first use for unknown App IDs.
//! Token issuing and the account login are in `auth.rs`.

use super::auth::{issue, HW};
use super::errors::{fail, ok};
use crate::exchange::{Exchange, Reply};
use crate::store::{Tenant, User};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AppAuthBody {
    app_id: Option<String>,
    user_id: Option<String>,
    corp_id: Option<String>,
    expire_time: Option<i64>,
    nonce: Option<String>,
    client_type: Option<i64>,
    #[allow(dead_code)]
    dept_code: Option<String>,
}

/// POST /v2/usg/acs/auth/appauth — CreateAppIdToken (App ID + HMAC signature).
pub fn create_app_id_token(ex: &mut Exchange<'_>) -> Reply {
    let reply = app_id_login(ex);
    super::errors::login_answer(ex, reply)
}

fn app_id_login(ex: &mut Exchange<'_>) -> Reply {
    let Ok(body) = ex.json::<AppAuthBody>() else {
        return fail("bad_request_param");
    };
    let (Some(app_id), Some(expire), Some(nonce)) = (body.app_id, body.expire_time, body.nonce)
    else {
        return fail("bad_request_param");
    };
    let Some((signature, access)) = parse_hmac_header(ex.header("authorization").unwrap_or(""))
    else {
        return fail("appid_auth_failed");
    };
    if access.is_some_and(|a| a != app_id) || app_id.is_empty() {
        return fail("appid_auth_failed");
    }
    if ex.now_secs() > expire {
        return fail("appid_auth_expired");
    }
    let store = &ex.app.store;
    let tenant: Arc<Tenant> = match store.tenant_by_credential(HW, &app_id) {
        Some(t) => t,
        None => {
            // A refused login changes nothing: check the signature's form before provisioning.
            if !well_formed(&signature) {
                return fail("appid_auth_failed");
            }
            let creds = BTreeMap::from([("app_id".to_string(), app_id.clone())]);
            match store.tenant_or_provision(HW, &app_id, "", creds) {
                Ok(t) => t,
                Err(_) => return fail("appid_auth_failed"),
            }
        }
    };
    let user_id = body.user_id.unwrap_or_default();
    let corp_id = body.corp_id.unwrap_or_default();
    let single = format!("{app_id}:{user_id}:{expire}:{nonce}");
    let multi = format!("{app_id}:{corp_id}:{user_id}:{expire}:{nonce}");
    let good = if tenant.secret.is_empty() {
        well_formed(&signature)
    } else {
        [single, multi]
            .iter()
            .any(|data| hmac_hex(&tenant.secret, data).eq_ignore_ascii_case(&signature))
    };
    if !good {
        return fail("appid_auth_failed");
    }
    let uid = if user_id.is_empty() {
        app_id.clone()
    } else {
        user_id
    };
    let user = tenant.with(|d| {
        if d.user_any(&uid).is_some_and(|u| u.disabled) {
            return None;
        }
        if d.user_any(&uid).is_none() {
            d.put_user(User {
                id: uid.clone(),
                name: uid.clone(),
                ..Default::default()
            });
        }
        d.user_any(&uid).cloned()
    });
    match user {
        Some(user) => ok(&issue(ex, &tenant, &user, body.client_type.unwrap_or(72))),
        None => fail("account_disabled"),
    }
}

/// A signature of the right form (64 hex digits): all a keyless tenant can check.
fn well_formed(signature: &str) -> bool {
    signature.len() == 64 && signature.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `HMAC-SHA256 signature=<hex>,access=<base64(appId)>` → (signature, decoded access).
fn parse_hmac_header(h: &str) -> Option<(String, Option<String>)> {
    let h = h.trim();
    h.get(..12)
        .filter(|p| p.eq_ignore_ascii_case("HMAC-SHA256 "))?;
    let mut signature = None;
    let mut access = None;
    for part in h[12..].split(',') {
        let (k, v) = part.trim().split_once('=')?;
        match k.trim() {
            "signature" => signature = Some(v.trim().to_string()),
            "access" => {
                let bytes = B64.decode(v.trim()).ok()?;
                access = Some(String::from_utf8(bytes).ok()?);
            }
            _ => {}
        }
    }
    Some((signature?, access))
}

/// Uppercase hex HMAC-SHA256 of `data` keyed with `key`, as the SDK computes it.
pub fn hmac_hex(key: &str, data: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key.as_bytes()) else {
        return String::new();
    };
    mac.update(data.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_the_sdk_capture_format() {
        let s = hmac_hex("key", "a:b:1:n");
        assert_eq!(s.len(), 64);
        assert_eq!(s, s.to_ascii_uppercase());
    }

    #[test]
    fn hmac_header_parses_with_and_without_access() {
        let (s, a) =
            parse_hmac_header("HMAC-SHA256 signature=ABC,access=bW9ja2FwcGlkMDEyMzQ1Njc4OQ==")
                .unwrap();
        assert_eq!(s, "ABC");
        assert_eq!(a.as_deref(), Some("mockappid0123456789"));
        assert_eq!(
            parse_hmac_header("HMAC-SHA256 signature=x").unwrap().1,
            None
        );
        assert!(parse_hmac_header("Basic abc").is_none());
        assert!(parse_hmac_header("HMAC-SHA256 access=%%").is_none());
    }
}
