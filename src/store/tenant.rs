//! Tenants: one vendor credential's private world of users and meetings.

use super::{Meeting, MeetingState, StoreError, User, VendorId};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
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
    /// Vendor-owned tenant settings the domain does not interpret (Feishu: app type, granted
    /// scopes, tenant key). Seeded by scenarios (`extra:`), exported with the state.
    pub extra: Map<String, Value>,
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

    /// Starts meeting `id` at `now` and returns the id of the meeting now in progress.
    ///
    /// With `new_id` (vendors whose scheduled meetings are reusable schedules: a Feishu reserve
    /// keeps its id and every start opens a meeting with an id of its own) the schedule stays
    /// scheduled and a copy opens as meeting `new_id` (`opened_from` = `id`); refused while a
    /// meeting it opened is still in progress. Without, the meeting itself starts.
    pub fn start_meeting(
        &mut self,
        id: &str,
        now: i64,
        new_id: Option<String>,
    ) -> Result<String, StoreError> {
        let Some(new_id) = new_id else {
            self.meeting_mut(id)?.start(now)?;
            return Ok(id.to_string());
        };
        let schedule = self.meeting(id)?;
        if schedule.state != MeetingState::Scheduled {
            return Err(StoreError::InvalidState {
                state: schedule.state.as_str(),
                action: "start",
            });
        }
        if self
            .opened_from(id)
            .any(|m| m.state == MeetingState::InProgress)
        {
            return Err(StoreError::InvalidState {
                state: "in_progress",
                action: "start",
            });
        }
        if self.meetings.contains_key(&new_id) {
            return Err(StoreError::AlreadyExists(format!("meeting {new_id}")));
        }
        let mut m = Meeting {
            id: new_id.clone(),
            participants: Vec::new(),
            invitees: Vec::new(),
            opened_from: Some(id.to_string()),
            recording: None,
            locked: false,
            created_at: now,
            ..schedule.clone()
        };
        m.start(now)?;
        self.meetings.insert(new_id.clone(), m);
        Ok(new_id)
    }

    /// Every meeting opened from the reusable schedule `id`, in id order.
    pub fn opened_from<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Meeting> + 'a {
        self.meetings
            .values()
            .filter(move |m| m.opened_from.as_deref() == Some(id))
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

    #[test]
    fn a_reusable_schedule_opens_one_meeting_at_a_time() {
        let mut d = TenantData::default();
        d.insert_meeting(Meeting {
            id: "r".into(),
            code: "123".into(),
            creator: "h".into(),
            host: Some("h".into()),
            ..Default::default()
        })
        .unwrap();
        let m1 = d.start_meeting("r", 5, Some("m1".into())).unwrap();
        assert_eq!(m1, "m1");
        assert_eq!(d.meeting("r").unwrap().state, MeetingState::Scheduled);
        let m = d.meeting("m1").unwrap();
        assert_eq!(
            (m.state, m.code.as_str()),
            (MeetingState::InProgress, "123")
        );
        assert_eq!(m.opened_from.as_deref(), Some("r"));
        assert!(
            d.start_meeting("r", 6, Some("m2".into())).is_err(),
            "one at a time"
        );
        d.meeting_mut("m1").unwrap().end(7).unwrap();
        d.start_meeting("r", 8, Some("m2".into())).unwrap();
        assert_eq!(d.opened_from("r").count(), 2);
        // without a new id the meeting itself starts
        assert_eq!(d.start_meeting("r", 9, None).unwrap(), "r");
    }
}
