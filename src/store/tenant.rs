//! Tenants: one vendor credential's private world of users and meetings.
//!
//! The tenant's lock is where changes are published: [`Tenant::with`] runs an operation, then
//! turns what the touched meetings recorded into [`Change`]s on the store's bus before the lock
//! is released, so a meeting's changes are published in the order they happened.

use super::bus::{ChangeBus, Draft};
use super::change::MeetingSummary;
use super::{Clock, Meeting, StoreError, User, VendorId};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

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
    /// Where this tenant's changes go: set once when the tenant joins a store. A tenant built
    /// aside (state import, tests) publishes nothing until then.
    publish_to: OnceLock<Publisher>,
    /// Everything mutable about the tenant. One lock per tenant: requests of different tenants
    /// never contend, and a handler holds it only for one synchronous domain operation (never
    /// across an await), so it is never held while a fault delay sleeps.
    data: Mutex<TenantData>,
}

/// The store's bus and clock, as a tenant needs them to publish.
#[derive(Debug, Clone)]
pub struct Publisher {
    pub bus: Arc<ChangeBus>,
    pub clock: Arc<Clock>,
}

/// One meeting's changes of an operation: its summary afterwards, the meeting sequence of the
/// first change, the changes.
type Drained = (MeetingSummary, u64, Vec<super::ChangeKind>);

/// A tenant's users and meetings.
#[derive(Debug, Default, Clone)]
pub struct TenantData {
    pub(super) users: BTreeMap<String, User>,
    /// (alias kind, alias value) → primary user id.
    pub(super) aliases: HashMap<(String, String), String>,
    /// Meetings by id, in id order. Read freely; change a meeting through `meeting_mut`,
    /// `insert_meeting` or `replace_meeting` so its changes are published.
    pub meetings: BTreeMap<String, Meeting>,
    /// Vendor-owned tenant settings the domain does not interpret (Feishu: app type, granted
    /// scopes). Seeded by scenarios (`extra:`), exported with the state.
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// Meetings handed out for change during the current operation (not state).
    touched: Vec<String>,
    /// Who the current operation acts as (stamped on its changes; not state).
    operator: Option<String>,
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

    /// Mutable meeting with this id; what its methods change is published when the
    /// operation ends.
    pub fn meeting_mut(&mut self, id: &str) -> Result<&mut Meeting, StoreError> {
        let m = self
            .meetings
            .get_mut(id)
            .ok_or_else(|| StoreError::MeetingNotFound(id.to_string()))?;
        if self.touched.last().map(String::as_str) != Some(id) {
            self.touched.push(id.to_string());
        }
        Ok(m)
    }

    /// Adds a meeting (published as created); refused when the id is taken. Settings given
    /// while it was being built are part of its creation, not updates; lifecycle and
    /// participant changes made before it was inserted (a meeting that starts at once, its
    /// first calls) are published after the creation.
    pub fn insert_meeting(&mut self, mut meeting: Meeting) -> Result<(), StoreError> {
        if self.meetings.contains_key(&meeting.id) {
            return Err(StoreError::AlreadyExists(format!("meeting {}", meeting.id)));
        }
        meeting.record_created();
        self.touched.push(meeting.id.clone());
        self.meetings.insert(meeting.id.clone(), meeting);
        Ok(())
    }

    /// Starts meeting `id` at `now` and returns the id of the meeting now in progress: with
    /// `new_id`, the meeting [`open_from`](Self::open_from) the schedule, added; without, the
    /// meeting itself.
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
        let m = self.open_from(id, now, new_id.clone())?;
        self.insert_meeting(m)?;
        Ok(new_id)
    }

    /// The meeting a reusable schedule opens when it starts (vendors whose scheduled meetings
    /// are reusable: a Feishu reserve keeps its id and every start opens a meeting with an id
    /// of its own): a started copy `new_id` of schedule `id` (`opened_from` = `id`), not yet
    /// added — add it with [`insert_meeting`](Self::insert_meeting) (published as created,
    /// then started). Refused when the schedule is not scheduled or a meeting it opened is
    /// still in progress; the schedule itself is left as it is.
    pub fn open_from(&self, id: &str, now: i64, new_id: String) -> Result<Meeting, StoreError> {
        let schedule = self.meeting(id)?;
        if schedule.state != super::MeetingState::Scheduled {
            return Err(schedule.refuse("start"));
        }
        if self
            .opened_from(id)
            .any(|m| m.state == super::MeetingState::InProgress)
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
            id: new_id,
            code: schedule.code.clone(),
            topic: schedule.topic.clone(),
            creator: schedule.creator.clone(),
            host: schedule.host.clone(),
            start_time: schedule.start_time,
            end_time: schedule.end_time,
            created_at: now,
            capacity: schedule.capacity,
            extra: schedule.extra.clone(),
            opened_from: Some(id.to_string()),
            ..Default::default()
        };
        m.start(now)?;
        Ok(m)
    }

    /// Every meeting opened from the reusable schedule `id`, in id order.
    pub fn opened_from<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Meeting> + 'a {
        self.meetings
            .values()
            .filter(move |m| m.opened_from.as_deref() == Some(id))
    }

    /// Puts back a meeting that was changed as a copy (all-or-nothing updates: clone, change,
    /// replace); the copy's recorded changes are published.
    pub fn replace_meeting(&mut self, meeting: Meeting) {
        self.touched.push(meeting.id.clone());
        self.meetings.insert(meeting.id.clone(), meeting);
    }

    /// Adds or replaces a meeting silently: seeding from a scenario or a state file is not a
    /// change anyone is told about.
    pub fn seed_meeting(&mut self, mut meeting: Meeting) {
        meeting.changes.take();
        self.meetings.insert(meeting.id.clone(), meeting);
    }

    /// Says who the current operation acts as (the authenticated user of the request); its
    /// changes carry this operator.
    pub fn act_as(&mut self, operator: Option<String>) {
        self.operator = operator;
    }

    /// Takes every change recorded during the operation, oldest first, with the summary of
    /// its meeting and the meeting sequence of its first change, and forgets the operator.
    fn drain(&mut self) -> (Option<String>, Vec<Drained>) {
        let operator = self.operator.take().or_else(super::bus::current_operator);
        let mut out = Vec::new();
        for id in std::mem::take(&mut self.touched) {
            if let Some(m) = self.meetings.get_mut(&id) {
                if !m.changes.is_empty() {
                    let mut kinds = m.changes.take();
                    // Ids and details assigned later in the same operation (a participant id
                    // given right after the call) belong on every change of that operation.
                    for k in &mut kinds {
                        if let Some(who) = k.participant_mut() {
                            if let Some(p) = m.participant(&who.user_id) {
                                who.participant_id.clone_from(&p.participant_id);
                                who.name.clone_from(&p.name);
                                who.extra.clone_from(&p.extra);
                            } else if let Some(w) = m.waiter(&who.user_id) {
                                who.participant_id.clone_from(&w.participant_id);
                            }
                        }
                    }
                    let first = m.published + 1;
                    m.published += kinds.len() as u64;
                    out.push((MeetingSummary::of(m), first, kinds));
                }
            }
        }
        (operator, out)
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
            publish_to: OnceLock::new(),
            data: Mutex::new(TenantData::default()),
        }
    }

    /// Connects the tenant to a store's bus (once; later calls are ignored).
    pub fn attach(&self, publisher: Publisher) {
        let _ = self.publish_to.set(publisher);
    }

    /// Runs `f` with exclusive access to the tenant's data, then publishes what it changed.
    /// Keep `f` short and synchronous.
    pub fn with<R>(&self, f: impl FnOnce(&mut TenantData) -> R) -> R {
        self.with_stamp(None, f)
    }

    /// Like [`Tenant::with`], but the changes are stamped `at_ms` instead of now: the
    /// living-invite scheduler applies a step that fell due earlier (a clock advance) at its
    /// own time.
    pub fn with_at<R>(&self, at_ms: i64, f: impl FnOnce(&mut TenantData) -> R) -> R {
        self.with_stamp(Some(at_ms), f)
    }

    fn with_stamp<R>(&self, at: Option<i64>, f: impl FnOnce(&mut TenantData) -> R) -> R {
        let mut d = self.data.lock();
        let r = f(&mut d);
        if !d.touched.is_empty() || d.operator.is_some() {
            let (operator, changed) = d.drain();
            if let Some(p) = self.publish_to.get() {
                let at_ms = at.unwrap_or_else(|| p.clock.now_ms());
                for (summary, first, kinds) in changed {
                    for (kind, meeting_seq) in kinds.into_iter().zip(first..) {
                        p.bus.publish(Draft {
                            meeting_seq,
                            at_ms,
                            vendor: self.vendor,
                            tenant: self.id.clone(),
                            operator: operator.clone(),
                            meeting: summary.clone(),
                            kind,
                        });
                    }
                }
            }
        }
        r
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
