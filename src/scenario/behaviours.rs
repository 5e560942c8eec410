//! `tenants[].behaviours` of a scenario: invitee behaviour declarations, validated against the
//! tenant's own users and meetings (see `store::behaviour` and scenarios/README.md).

use crate::store::behaviour::BehaviourSpec;
use crate::store::declaration::{callee_keys, DeclError, Declaration};
use crate::store::{User, VendorId};
use serde_saphyr::{Location, Spanned};
use std::collections::HashSet;

/// The declarations of one tenant, or the problems found (with where they are).
pub fn resolve(
    vendor: VendorId,
    tenant: &str,
    source: &str,
    specs: &[Spanned<BehaviourSpec>],
    users: &[User],
    meetings: &HashSet<String>,
) -> (Vec<Declaration>, Vec<(Location, String)>) {
    let mut out: Vec<Declaration> = Vec::new();
    let mut problems = Vec::new();
    let find = |id: &str| {
        users
            .iter()
            .find(|u| u.id == id)
            .or_else(|| users.iter().find(|u| u.aliases.values().any(|a| a == id)))
            .map(callee_keys)
    };
    for (i, s) in specs.iter().enumerate() {
        let at = s.referenced;
        match Declaration::resolve(vendor, tenant, &s.value, source, find, |m| {
            meetings.contains(m)
        }) {
            Ok(d) => {
                if out
                    .iter()
                    .any(|o| o.meeting == d.meeting && o.callee == d.callee)
                {
                    problems.push((
                        at,
                        format!(
                            "tenant {vendor}/{tenant}: behaviours[{i}] declares the same scope (user/number/meeting) as an earlier one"
                        ),
                    ));
                }
                out.push(d);
            }
            Err(DeclError::Bad(m) | DeclError::Unknown(m)) => problems.push((
                at,
                format!("tenant {vendor}/{tenant}: behaviours[{i}]: {m}"),
            )),
        }
    }
    (out, problems)
}
