//! Users of a tenant: who can be invited, who is registered, who is busy.

use super::Lockout;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A person known to one tenant.
///
/// `id` is the vendor's primary user id (Feishu open_id, Tencent userid, DingTalk unionId,
/// Huawei account). `aliases` holds the other ids a vendor addresses the same person by
/// (Feishu `union_id` / `user_id`, DingTalk `userId`, Huawei `userUUID`, …), keyed by the
/// vendor's own id-type name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub aliases: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Login password (Huawei account login); never written to logs or the journal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// An unregistered user exists in the directory but has not activated the product
    /// (Tencent reports these in `user_non_registered`).
    #[serde(default = "yes")]
    pub registered: bool,
    /// A busy user is in another call (Feishu 122007).
    #[serde(default)]
    pub busy: bool,
    /// A disabled (deactivated) account cannot log in.
    #[serde(default, skip_serializing_if = "is_false")]
    pub disabled: bool,
    /// Consecutive failed logins and the lock they caused (server clock). Transient security
    /// bookkeeping: not exported with the state (a restart clears it).
    #[serde(skip)]
    pub login_lock: Lockout,
    /// Vendor-owned directory fields the domain does not interpret (Tencent `staff_id`,
    /// `job_title`, `area`, `user_account_type`…; Huawei department, title, SIP number…).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn yes() -> bool {
    true
}

impl User {
    /// The id of this user under `kind` (the primary id when `kind` is the primary kind or absent).
    pub fn id_as(&self, kind: Option<&str>) -> &str {
        match kind.and_then(|k| self.aliases.get(k)) {
            Some(v) => v,
            None => &self.id,
        }
    }
}
