//! What meetmock knows about a Feishu app beyond its id and secret: self-built (企业自建) or
//! store (商店, ISV) app, the API scopes the tenant granted it, its IP allow-list, and its
//! tenant key. Kept in the tenant's vendor-owned settings (`TenantData::extra`), seeded by a
//! scenario's tenant `extra:` and changed with the admin action `app`.
//!
//! Sources: the access-token overview (self-built apps use `*/internal`; store apps get an
//! `app_ticket` pushed hourly and exchange it), the scope pages (`权限要求` of every API), the
//! generic error-code page (99991672 when the app lacks the API's scope; 99991401 when the
//! caller's IP is not on the app's allow-list), the console page "设置 IP 白名单" (安全设置 →
//! IP 白名单: takes effect at once, off until an address is added, not applied to the
//! access-token endpoints).

use crate::store::{splitmix64, TenantData};
use crate::vendors::AdminError;
use ipnet::IpNet;
use serde_json::{json, Map, Value};
use std::net::IpAddr;

/// The setting holding the app's IP allow-list (安全设置 → IP 白名单).
const IP_ALLOWLIST: &str = "ip_allowlist";

/// The operations the IP allow-list does not guard although a token authorises them: they
/// issue user access tokens ("IP 白名单对 API 访问凭证（access_token）相关接口不生效" [doc:
/// 设置 IP 白名单]). The app/tenant token endpoints take no token and are not guarded either.
const IP_EXEMPT: &[&str] = &[
    "authen.oidc_access_token.create",
    "authen.oidc_refresh_access_token.create",
    "authen.access_token.create",
    "authen.refresh_access_token.create",
];

/// How the app was built, which decides its token flows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppType {
    /// 企业自建应用: `tenant_access_token/internal`, app token = tenant token.
    SelfBuilt,
    /// 应用商店应用 (ISV): `app_ticket` → `a-` app token → per-tenant `t-` token.
    Store,
}

/// The app's type (`extra.app_type`: `self_built`, the default, or `store`).
pub fn app_type(d: &TenantData) -> AppType {
    match d.extra.get("app_type").and_then(Value::as_str) {
        Some("store") => AppType::Store,
        _ => AppType::SelfBuilt,
    }
}

/// The scopes the tenant granted the app; `None` means every scope (the default, so a
/// scenario that does not care about scopes never meets 99991672).
pub fn granted_scopes(d: &TenantData) -> Option<Vec<String>> {
    let list = d.extra.get("scopes")?.as_array()?;
    Some(
        list.iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
    )
}

/// A stable tenant key for an app (meetmock has one tenant per app): the `tenant_key` of
/// user profiles and the one a store app must name to get a tenant token.
pub fn tenant_key(app: &str) -> String {
    let h = splitmix64(
        app.bytes()
            .fold(0u64, |a, b| a.wrapping_mul(31).wrapping_add(b as u64)),
    );
    format!("{h:016x}")
}

/// One allow-list entry: an address (`203.0.113.7`, `::1`; an IPv4-mapped IPv6 address counts
/// as its IPv4 one, like the peer) or a CIDR block (`10.0.0.0/8`, `fd00::/8`).
// DEVIATION: the console takes single public IPv4 addresses only [doc: 设置 IP 白名单];
// meetmock's clients are local, so loopback and private addresses, IPv6 and CIDR blocks (a
// container network) are accepted too (docs/vendors/feishu.md, "IP allow-list").
fn allowlist_entry(s: &str) -> Option<IpNet> {
    s.parse::<IpNet>().ok().or_else(|| {
        s.parse::<IpAddr>()
            .ok()
            .map(|ip| IpNet::from(ip.to_canonical()))
    })
}

/// Whether the app's IP allow-list lets a caller from `peer` use its APIs on `operation`: yes
/// when the app has none (absent, null or an empty list: the console's allow-list is off
/// until an address is added [doc]), for the token-issuing operations ([`IP_EXEMPT`]), for an
/// exchange without an address, or when an entry holds `peer`.
pub fn ip_allowed(d: &TenantData, operation: &str, peer: Option<IpAddr>) -> bool {
    let Some(list) = d.extra.get(IP_ALLOWLIST).and_then(Value::as_array) else {
        return true;
    };
    let Some(ip) = peer else {
        return true;
    };
    list.is_empty()
        || IP_EXEMPT.contains(&operation)
        || list
            .iter()
            .filter_map(Value::as_str)
            .filter_map(allowlist_entry)
            .any(|net| net.contains(&ip))
}

/// `ip_allowlist`: null, or a list whose every entry is an address or a CIDR block; the first
/// bad entry is named.
fn validate_allowlist(v: &Value) -> Result<(), String> {
    if v.is_null() {
        return Ok(());
    }
    let Some(list) = v.as_array() else {
        return Err(
            "`ip_allowlist` must be a list of IP addresses or CIDR blocks, or null for none".into(),
        );
    };
    match list
        .iter()
        .find(|e| e.as_str().and_then(allowlist_entry).is_none())
    {
        Some(bad) => Err(format!(
            "`ip_allowlist` entry {bad} is not an IP address or CIDR block \
             (e.g. \"203.0.113.7\", \"10.0.0.0/8\", \"::1\")"
        )),
        None => Ok(()),
    }
}

/// Validates settings written by a scenario or the admin API: `app_type` is `self_built` or
/// `store`, `scopes` a list of strings or null, `ip_allowlist` a list of addresses and CIDR
/// blocks or null, `ws_client_config` the long connection's `ClientConfig` overrides
/// (`longconn.rs`). Unknown keys are refused.
pub fn validate(settings: &Map<String, Value>) -> Result<(), String> {
    for (k, v) in settings {
        match k.as_str() {
            "app_type" => match v.as_str() {
                Some("self_built") | Some("store") => {}
                _ => return Err("`app_type` must be \"self_built\" or \"store\"".into()),
            },
            "scopes" => {
                let ok = v.is_null()
                    || v.as_array().is_some_and(|a| {
                        a.iter().all(|s| s.as_str().is_some_and(|s| !s.is_empty()))
                    });
                if !ok {
                    return Err("`scopes` must be a list of scope names, or null for all".into());
                }
            }
            IP_ALLOWLIST => validate_allowlist(v)?,
            "ws_client_config" => super::longconn::validate_client_config(v)?,
            other => {
                return Err(format!(
                    "unknown feishu app setting {other:?}; valid: app_type, scopes, \
                     ip_allowlist, ws_client_config"
                ))
            }
        }
    }
    Ok(())
}

/// Admin `app {"app_id", "app_type"?, "scopes"?, "ip_allowlist"?, "ws_client_config"?}`:
/// changes the app's settings (all or nothing, in force for the next request; `scopes: null`
/// grants every scope again, `ip_allowlist: null` lifts the allow-list) and answers the
/// settings now in force.
pub fn admin_app(store: &crate::store::Store, body: &Value) -> Result<Value, AdminError> {
    let app = body.get("app_id").and_then(Value::as_str).unwrap_or("");
    let t = store
        .tenant(crate::store::VendorId::Feishu, app)
        .ok_or_else(|| AdminError::not_found(format!("no feishu app {app:?}")))?;
    let mut changes = body.as_object().cloned().unwrap_or_default();
    changes.remove("app_id");
    validate(&changes).map_err(AdminError::bad_request)?;
    Ok(t.with(|d| {
        for (k, v) in changes {
            if v.is_null() {
                d.extra.remove(&k);
            } else {
                d.extra.insert(k, v);
            }
        }
        json!({
            "app_id": t.id,
            "app_type": if app_type(d) == AppType::Store { "store" } else { "self_built" },
            "scopes": granted_scopes(d),
            "ip_allowlist": d.extra.get(IP_ALLOWLIST),
            "ws_client_config": d.extra.get("ws_client_config"),
            "tenant_key": tenant_key(&t.id),
        })
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_list(list: Value) -> TenantData {
        let mut d = TenantData::default();
        d.extra.insert(IP_ALLOWLIST.into(), list);
        d
    }

    fn ip(s: &str) -> Option<IpAddr> {
        s.parse().ok()
    }

    #[test]
    fn an_allowlist_holds_addresses_and_blocks_and_exempts_token_issuing() {
        let d = with_list(json!(["203.0.113.7", "10.0.0.0/8", "::1"]));
        assert!(ip_allowed(&d, "meeting.invite", ip("203.0.113.7")));
        assert!(ip_allowed(&d, "meeting.invite", ip("10.200.1.2")));
        assert!(ip_allowed(&d, "meeting.invite", ip("::1")));
        assert!(!ip_allowed(&d, "meeting.invite", ip("127.0.0.1")));
        assert!(ip_allowed(
            &d,
            "authen.oidc_access_token.create",
            ip("127.0.0.1")
        ));
        // No list, null or an empty one: off.
        for d in [
            TenantData::default(),
            with_list(Value::Null),
            with_list(json!([])),
        ] {
            assert!(ip_allowed(&d, "meeting.invite", ip("198.51.100.1")));
        }
        // An IPv4-mapped entry is its IPv4 address.
        let mapped = with_list(json!(["::ffff:127.0.0.1"]));
        assert!(ip_allowed(&mapped, "meeting.get", ip("127.0.0.1")));
    }

    #[test]
    fn a_bad_allowlist_entry_is_named() {
        let mut m = Map::new();
        m.insert(
            IP_ALLOWLIST.into(),
            json!(["127.0.0.1", "10.0.0.300", "1.2.3.4"]),
        );
        let e = validate(&m).unwrap_err();
        assert!(e.contains("\"10.0.0.300\""), "{e}");
        m.insert(IP_ALLOWLIST.into(), json!(["10.0.0.0/33"]));
        assert!(validate(&m).unwrap_err().contains("10.0.0.0/33"));
        m.insert(IP_ALLOWLIST.into(), json!([7]));
        assert!(validate(&m).unwrap_err().contains("entry 7 "));
        m.insert(IP_ALLOWLIST.into(), json!("127.0.0.1"));
        assert!(validate(&m).unwrap_err().contains("must be a list"));
        m.insert(
            IP_ALLOWLIST.into(),
            json!(["127.0.0.1/32", "fd00::/8", " "]),
        );
        assert!(validate(&m).unwrap_err().contains("\" \""));
        m.insert(IP_ALLOWLIST.into(), Value::Null);
        assert!(validate(&m).is_ok());
    }
}
