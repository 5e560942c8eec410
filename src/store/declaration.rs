//! Behaviour declarations resolved against their tenant: who a declaration is about (a user,
//! by every id a call to them may carry, or a phone/SIP number), its scope (tenant, callee,
//! meeting, or meeting and callee) and the set of every declaration of the server, where the
//! most specific one for a call wins.

use super::behaviour::{Behaviour, BehaviourSpec};
use super::VendorId;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

/// Who a declaration is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Callee {
    /// A user of the tenant, by primary id.
    User(String),
    /// A phone or SIP number.
    Number(String),
}

/// One declaration, resolved against its tenant.
#[derive(Debug, Clone)]
pub struct Declaration {
    pub vendor: VendorId,
    pub tenant: String,
    pub meeting: Option<String>,
    pub callee: Option<Callee>,
    /// The ids a call to the callee may carry: the user id, its aliases and phone, or the number.
    pub keys: Vec<String>,
    /// Where it came from: a scenario file, `<admin>`, or `<state>`.
    pub source: String,
    pub spec: BehaviourSpec,
    pub behaviour: Arc<Behaviour>,
}

impl Declaration {
    /// How specific the declaration is: meeting and callee 3, meeting 2, callee 1, tenant 0.
    fn rank(&self) -> u8 {
        match (&self.meeting, &self.callee) {
            (Some(_), Some(_)) => 3,
            (Some(_), None) => 2,
            (None, Some(_)) => 1,
            (None, None) => 0,
        }
    }

    fn same_scope(&self, other: &Declaration) -> bool {
        self.meeting == other.meeting && self.callee == other.callee
    }

    fn matches(&self, meeting: &str, callee: &str) -> bool {
        self.meeting.as_deref().is_none_or(|m| m == meeting)
            && (self.callee.is_none() || self.keys.iter().any(|k| k == callee))
    }
}

/// The state-export and admin-API form of a declaration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclarationState {
    pub vendor: VendorId,
    pub tenant: String,
    #[serde(default)]
    pub source: String,
    /// The ids a call may carry to match a `user` declaration (its id, aliases, phone).
    /// Informational: an import resolves the user again against the snapshot's users.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<String>,
    pub behaviour: BehaviourSpec,
}

impl From<&Declaration> for DeclarationState {
    fn from(d: &Declaration) -> Self {
        DeclarationState {
            vendor: d.vendor,
            tenant: d.tenant.clone(),
            source: d.source.clone(),
            keys: d.keys.clone(),
            behaviour: d.spec.clone(),
        }
    }
}

/// Why a declaration was refused: a bad field (400) or something it names that does not exist
/// (404).
#[derive(Debug, Clone, PartialEq)]
pub enum DeclError {
    Bad(String),
    Unknown(String),
}

impl Declaration {
    /// Validates `spec` for a tenant. `user` resolves a user id or alias to its primary id and
    /// match keys; `meeting` says whether a meeting exists.
    pub fn resolve(
        vendor: VendorId,
        tenant: &str,
        spec: &BehaviourSpec,
        source: &str,
        user: impl Fn(&str) -> Option<(String, Vec<String>)>,
        meeting: impl Fn(&str) -> bool,
    ) -> Result<Declaration, DeclError> {
        let behaviour = Behaviour::compile(spec).map_err(DeclError::Bad)?;
        let (callee, keys) =
            match (&spec.user, &spec.number) {
                (Some(_), Some(_)) => return Err(DeclError::Bad(
                    "give `user` (a user of the tenant) or `number` (a phone/SIP number), not both"
                        .into(),
                )),
                (Some(u), None) => {
                    let (id, keys) = user(u).ok_or_else(|| {
                        DeclError::Unknown(format!(
                            "user: {u:?} is not a user of tenant {vendor}/{tenant}"
                        ))
                    })?;
                    (Some(Callee::User(id)), keys)
                }
                (None, Some(n)) => {
                    let n = n.trim();
                    if n.is_empty() || n.len() > 128 {
                        return Err(DeclError::Bad(
                            "number: give the phone or SIP number the vendor calls (1..128 chars)"
                                .into(),
                        ));
                    }
                    (Some(Callee::Number(n.to_string())), vec![n.to_string()])
                }
                (None, None) => (None, Vec::new()),
            };
        if let Some(m) = &spec.meeting {
            if !meeting(m) {
                return Err(DeclError::Unknown(format!(
                    "meeting: {m:?} is not a meeting of tenant {vendor}/{tenant}"
                )));
            }
        }
        Ok(Declaration {
            vendor,
            tenant: tenant.to_string(),
            meeting: spec.meeting.clone(),
            callee,
            keys,
            source: source.to_string(),
            spec: spec.clone(),
            behaviour: Arc::new(behaviour),
        })
    }
}

/// Every declaration of the server, per tenant, in declaration order.
#[derive(Debug, Default, Clone)]
pub struct Declarations {
    by_tenant: HashMap<(VendorId, String), Vec<Declaration>>,
}

impl Declarations {
    /// The most specific declaration for a call to `callee` in `meeting`.
    pub fn lookup(
        &self,
        vendor: VendorId,
        tenant: &str,
        meeting: &str,
        callee: &str,
    ) -> Option<&Declaration> {
        self.by_tenant
            .get(&(vendor, tenant.to_string()))?
            .iter()
            .filter(|d| d.matches(meeting, callee))
            .max_by_key(|d| d.rank())
    }

    /// Adds a declaration, replacing the one with the same scope.
    pub fn put(&mut self, d: Declaration) {
        let list = self
            .by_tenant
            .entry((d.vendor, d.tenant.clone()))
            .or_default();
        match list.iter().position(|x| x.same_scope(&d)) {
            Some(i) => list[i] = d,
            None => list.push(d),
        }
    }

    /// Removes the declaration with exactly this scope; false when there is none.
    pub fn remove(
        &mut self,
        vendor: VendorId,
        tenant: &str,
        meeting: Option<&str>,
        callee: Option<&Callee>,
    ) -> bool {
        let Some(list) = self.by_tenant.get_mut(&(vendor, tenant.to_string())) else {
            return false;
        };
        let before = list.len();
        list.retain(|d| !(d.meeting.as_deref() == meeting && d.callee.as_ref() == callee));
        before != list.len()
    }

    /// Replaces every declaration of one tenant (a scenario seeding it).
    pub fn set_tenant(&mut self, vendor: VendorId, tenant: &str, list: Vec<Declaration>) {
        if list.is_empty() {
            self.by_tenant.remove(&(vendor, tenant.to_string()));
        } else {
            self.by_tenant.insert((vendor, tenant.to_string()), list);
        }
    }

    /// Every declaration, ordered by vendor and tenant, optionally narrowed.
    pub fn list(&self, vendor: Option<VendorId>, tenant: Option<&str>) -> Vec<&Declaration> {
        let mut keys: Vec<&(VendorId, String)> = self
            .by_tenant
            .keys()
            .filter(|(v, t)| vendor.is_none_or(|x| x == *v) && tenant.is_none_or(|x| x == t))
            .collect();
        keys.sort();
        keys.into_iter()
            .flat_map(|k| self.by_tenant[k].iter())
            .collect()
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        self.by_tenant.clear();
    }
}

/// A user's primary id and every id a call to them may carry (id, aliases, phone).
pub fn callee_keys(u: &super::User) -> (String, Vec<String>) {
    let mut keys = vec![u.id.clone()];
    keys.extend(u.aliases.values().cloned());
    keys.extend(u.phone.iter().cloned());
    keys.dedup();
    (u.id.clone(), keys)
}
