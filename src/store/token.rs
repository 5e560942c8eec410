//! Issued credentials: access tokens, refresh tokens, login codes and control tokens.
//!
//! One index for all vendors: token string → who it belongs to and when it expires. Tokens are
//! opaque random strings, so one tenant can never guess another's.

use super::VendorId;
use dashmap::DashMap;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::sync::Arc;

/// What a token stands for. Vendors use the subset they need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// Feishu `t-` tenant_access_token.
    Tenant,
    /// Feishu `a-` app_access_token; DingTalk accessToken; Huawei App-ID token.
    App,
    /// Feishu `u-` user_access_token; Huawei account access token.
    User,
    /// Feishu `ur-` refresh token.
    Refresh,
    /// A one-time login code exchanged for a user token.
    LoginCode,
    /// Huawei conference control token.
    Control,
    /// A ticket the vendor pushes to an app (Feishu store apps' `app_ticket`).
    Ticket,
}

/// One issued token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Token {
    pub value: String,
    pub vendor: VendorId,
    pub tenant: String,
    pub kind: TokenKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The meeting a control token is bound to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting: Option<String>,
    pub issued_at_ms: i64,
    pub expires_at_ms: i64,
    /// Revoked tokens (logout, single-use codes already used) fail like unknown ones.
    #[serde(default)]
    pub revoked: bool,
    /// Vendor-owned details the domain does not interpret (Feishu: granted scopes, the
    /// redirect URI and PKCE challenge of a login code, why a token was revoked).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

impl Token {
    /// True while the token can be used at `now_ms`.
    pub fn live(&self, now_ms: i64) -> bool {
        !self.revoked && now_ms < self.expires_at_ms
    }
}

/// All tokens of all tenants.
#[derive(Debug, Default)]
pub struct Tokens {
    /// token value → token. DashMap shards its locks; an entry lock is held only while one
    /// token is read or written, never across a handler.
    /// Shared (`Arc`) so a lookup on the request path copies a pointer, not four strings.
    by_value: DashMap<String, Arc<Token>>,
    /// (vendor, tenant, kind, user) → value of the token issued last for that owner, so the
    /// reuse rules ("same token while ≥30 min remain") need no scan.
    latest: DashMap<OwnerKey, String>,
}

type OwnerKey = (VendorId, String, TokenKind, Option<String>);

impl Tokens {
    /// Stores a newly issued token.
    pub fn insert(&self, token: Token) {
        let owner = (
            token.vendor,
            token.tenant.clone(),
            token.kind,
            token.user.clone(),
        );
        self.latest.insert(owner, token.value.clone());
        self.by_value.insert(token.value.clone(), Arc::new(token));
    }

    /// The token with this value, live or not.
    pub fn get(&self, value: &str) -> Option<Arc<Token>> {
        self.by_value.get(value).map(|t| Arc::clone(&t))
    }

    /// Marks a token revoked; returns false when it does not exist.
    pub fn revoke(&self, value: &str) -> bool {
        match self.by_value.get_mut(value) {
            Some(mut t) => {
                Arc::make_mut(&mut t).revoked = true;
                true
            }
            None => false,
        }
    }

    /// Atomically takes a single-use token (login code): returns it and revokes it, or `None`
    /// when it is unknown, already used or expired.
    pub fn take(&self, value: &str, now_ms: i64) -> Option<Token> {
        let mut t = self.by_value.get_mut(value)?;
        if !t.live(now_ms) {
            return None;
        }
        Arc::make_mut(&mut t).revoked = true;
        Some(Token::clone(&t))
    }

    /// Changes a stored token in place; false when unknown.
    pub fn update(&self, value: &str, f: impl FnOnce(&mut Token)) -> bool {
        match self.by_value.get_mut(value) {
            Some(mut t) => {
                f(Arc::make_mut(&mut t));
                true
            }
            None => false,
        }
    }

    /// Every token of this owner and kind, live or not (user revocations).
    pub fn of_owner(
        &self,
        vendor: VendorId,
        tenant: &str,
        kind: TokenKind,
        user: Option<&str>,
    ) -> Vec<Arc<Token>> {
        self.by_value
            .iter()
            .filter(|t| {
                t.vendor == vendor
                    && t.tenant == tenant
                    && t.kind == kind
                    && t.user.as_deref() == user
            })
            .map(|t| Arc::clone(&t))
            .collect()
    }

    /// Sets a token's expiry (admin "expire token"); false when unknown.
    pub fn set_expiry(&self, value: &str, expires_at_ms: i64) -> bool {
        match self.by_value.get_mut(value) {
            Some(mut t) => {
                Arc::make_mut(&mut t).expires_at_ms = expires_at_ms;
                true
            }
            None => false,
        }
    }

    /// The live token issued last for this owner and kind, if any (token reuse rules).
    pub fn newest(
        &self,
        vendor: VendorId,
        tenant: &str,
        kind: TokenKind,
        user: Option<&str>,
        now_ms: i64,
    ) -> Option<Arc<Token>> {
        let owner = (vendor, tenant.to_string(), kind, user.map(str::to_string));
        let value = self.latest.get(&owner)?.clone();
        self.get(&value).filter(|t| t.live(now_ms))
    }

    /// Every token, for state export.
    pub fn all(&self) -> Vec<Token> {
        let mut v: Vec<Token> = self.by_value.iter().map(|t| Token::clone(&t)).collect();
        v.sort_by(|a, b| {
            a.issued_at_ms
                .cmp(&b.issued_at_ms)
                .then(a.value.cmp(&b.value))
        });
        v
    }

    /// Replaces every token with these (state import): the new ones are inserted first (in the
    /// order given, so the newest of an owner ends up its latest), then the others removed, so
    /// a token in both sets never disappears meanwhile.
    pub fn replace_all(&self, tokens: Vec<Token>) {
        let keep: std::collections::HashSet<String> =
            tokens.iter().map(|t| t.value.clone()).collect();
        for t in tokens {
            self.insert(t);
        }
        self.by_value.retain(|v, _| keep.contains(v));
        self.latest.retain(|_, v| self.by_value.contains_key(v));
    }

    /// Drops every token (reset).
    pub fn clear(&self) {
        self.by_value.clear();
        self.latest.clear();
    }

    /// Drops tokens (revoked or not) whose expiry is more than `grace_ms` past, keeping the
    /// index bounded while recent ones still get their exact "expired" / "already used" answer.
    /// Returns how many were dropped.
    pub fn purge_expired(&self, now_ms: i64, grace_ms: i64) -> usize {
        let before = self.by_value.len();
        self.by_value
            .retain(|_, t| t.expires_at_ms.saturating_add(grace_ms) > now_ms);
        self.latest.retain(|_, v| self.by_value.contains_key(v));
        before - self.by_value.len()
    }

    /// Number of tokens held.
    pub fn len(&self) -> usize {
        self.by_value.len()
    }

    /// True when no token is held.
    pub fn is_empty(&self) -> bool {
        self.by_value.is_empty()
    }
}

/// How long an expired or used token is kept so it is answered as expired/used, not unknown.
pub const TOKEN_GRACE_MS: i64 = 24 * 3600 * 1000;

#[cfg(test)]
mod tests {
    use super::*;

    fn token(value: &str, expires_at_ms: i64) -> Token {
        Token {
            value: value.into(),
            vendor: VendorId::Feishu,
            tenant: "t".into(),
            kind: TokenKind::User,
            user: None,
            meeting: None,
            issued_at_ms: 0,
            expires_at_ms,
            revoked: false,
            extra: Map::new(),
        }
    }

    #[test]
    fn purge_keeps_recently_expired_and_used_tokens_and_drops_old_ones() {
        let t = Tokens::default();
        t.insert(token("old", 1_000));
        t.insert(token("recent", 90_000));
        t.insert(token("live", 10_000_000));
        t.revoke("live");
        assert_eq!(t.purge_expired(100_000, 50_000), 1);
        assert!(t.get("old").is_none());
        assert!(t.get("recent").is_some());
        assert!(t.get("live").is_some_and(|t| t.revoked));
    }
}
