//! Tenants: one vendor credential's private world of users and meetings.

use super::{Meeting, StoreError, User, VendorId};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// How a tenant came to exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Declared in a loaded scenario.
    #[default]
    Scenario,
    /// Created on first use of an unknown credential (trust on first use).
    Auto,
}

/// A tenant: the credentials that identify it and its data.
#[derive(Debug)]
pub struct Tenant {
    pub vendor: VendorId,
    /// The vendor credential that keys the tenant: Feishu app_id, Tencent AppId, DingTalk
    /// appKey, Huawei enterprise (corp) id.
    pub id: String,
    /// The tenant's main secret: Feishu app_secret, Tencent SecretKey, DingTalk appSecret,
    /// Huawei App-ID app key. Never logged.
    pub secret: String,
    /// Vendor-specific extra credentials (Tencent `sdk_id`, `secret_id`; Huawei `app_id`…).
    pub credentials: BTreeMap<String, String>,
    pub origin: Origin,
    /// Everything mutable about the tenant. One lock per tenant: requests of different tenants
    /// never contend, and a handler holds it only for one synchronous domain operation (never
    /// across an await), so it is never held while a fault delay sleeps.
    data: Mutex<TenantData>,
}

/// A tenant's users and meetings.
#[derive(Debug, Default, Clone)]
pub struct TenantData {
    users: BTreeMap<String, User>,
    /// (alias kind, alias value) → primary user id.
    aliases: HashMap<(String, String), String>,
    /// Meetings by id, in id order.
    pub meetings: BTreeMap<String, Meeting>,
}

impl TenantData {
    /// The user with this primary id.
    pub fn user(&self, id: &str) -> Option<&User> {
        self.users.get(id)
    }

    /// Mutable user with this primary id.
    pub fn user_mut(&mut self, id: &str) -> Option<&mut User> {
        self.users.get_mut(id)
    }

    /// The user whose id under `kind` is `value` (`kind` None or unknown alias → primary id).
    pub fn user_by(&self, kind: Option<&str>, value: &str) -> Option<&User> {
        if let Some(k) = kind {
            if let Some(id) = self.aliases.get(&(k.to_string(), value.to_string())) {
                return self.users.get(id);
            }
        }
        self.users.get(value)
    }

    /// Finds a user by primary id or any alias.
    pub fn user_any(&self, value: &str) -> Option<&User> {
        self.users.get(value).or_else(|| {
            self.aliases
                .iter()
                .find(|((_, v), _)| v == value)
                .and_then(|(_, id)| self.users.get(id))
        })
    }

    /// Every user, in id order.
    pub fn users(&self) -> impl Iterator<Item = &User> {
        self.users.values()
    }

    /// Adds or replaces a user.
    pub fn put_user(&mut self, user: User) {
        if let Some(old) = self.users.get(&user.id) {
            for (k, v) in &old.aliases {
                self.aliases.remove(&(k.clone(), v.clone()));
            }
        }
        for (k, v) in &user.aliases {
            self.aliases.insert((k.clone(), v.clone()), user.id.clone());
        }
        self.users.insert(user.id.clone(), user);
    }

    /// Removes a user (and its aliases); the removed user, if there was one.
    pub fn remove_user(&mut self, id: &str) -> Option<User> {
        let old = self.users.remove(id)?;
        for (k, v) in &old.aliases {
            self.aliases.remove(&(k.clone(), v.clone()));
        }
        Some(old)
    }

    /// The meeting with this id.
    pub fn meeting(&self, id: &str) -> Result<&Meeting, StoreError> {
        self.meetings
            .get(id)
            .ok_or_else(|| StoreError::MeetingNotFound(id.to_string()))
    }

    /// Mutable meeting with this id.
    pub fn meeting_mut(&mut self, id: &str) -> Result<&mut Meeting, StoreError> {
        self.meetings
            .get_mut(id)
            .ok_or_else(|| StoreError::MeetingNotFound(id.to_string()))
    }

    /// Adds a meeting; refused when the id is taken.
    pub fn insert_meeting(&mut self, meeting: Meeting) -> Result<(), StoreError> {
        if self.meetings.contains_key(&meeting.id) {
            return Err(StoreError::AlreadyExists(format!("meeting {}", meeting.id)));
        }
        self.meetings.insert(meeting.id.clone(), meeting);
        Ok(())
    }
}

impl Tenant {
    /// A tenant with no users and no meetings.
    pub fn new(
        vendor: VendorId,
        id: String,
        secret: String,
        credentials: BTreeMap<String, String>,
        origin: Origin,
    ) -> Self {
        Tenant {
            vendor,
            id,
            secret,
            credentials,
            origin,
            data: Mutex::new(TenantData::default()),
        }
    }

    /// Runs `f` with exclusive access to the tenant's data. Keep `f` short and synchronous.
    pub fn with<R>(&self, f: impl FnOnce(&mut TenantData) -> R) -> R {
        f(&mut self.data.lock())
    }

    /// A copy of the tenant's data (state export).
    pub fn snapshot(&self) -> TenantData {
        self.data.lock().clone()
    }

    /// A named extra credential (`sdk_id`, `secret_id`, …).
    pub fn credential(&self, name: &str) -> Option<&str> {
        self.credentials.get(name).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_are_found_by_alias() {
        let mut d = TenantData::default();
        let mut u = User {
            id: "ou_1".into(),
            ..Default::default()
        };
        u.aliases.insert("union_id".into(), "on_1".into());
        d.put_user(u);
        assert_eq!(d.user_by(Some("union_id"), "on_1").unwrap().id, "ou_1");
        assert_eq!(d.user_by(Some("open_id"), "ou_1").unwrap().id, "ou_1");
        assert!(d.user_by(Some("union_id"), "on_2").is_none());
        assert_eq!(d.user_any("on_1").unwrap().id, "ou_1");
    }
}
