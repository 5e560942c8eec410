//! The invitation list (Tencent's invitees, Huawei's attendee list): overwrite, extend,
//! remove. Each method records one `invitees_set` change (see `change`).

use super::change::{ChangeKind, LISTED_IDS};
use super::{Invitee, Meeting, StoreError};

impl Meeting {
    /// Replaces the invitation list with `list` (overwrite semantics): duplicates collapse to
    /// their first occurrence, order is kept, and more than `max` distinct entries is refused
    /// with the list unchanged.
    pub fn set_invitees(&mut self, list: Vec<Invitee>, max: usize) -> Result<(), StoreError> {
        let mut seen = std::collections::HashSet::with_capacity(list.len());
        let mut out = Vec::with_capacity(list.len().min(max.saturating_add(1)));
        for inv in list {
            if seen.insert(inv.user_id.clone()) {
                out.push(inv);
            }
        }
        if out.len() > max {
            return Err(StoreError::TooMany {
                got: out.len(),
                max,
            });
        }
        let old: std::collections::HashSet<&str> =
            self.invitees.iter().map(|i| i.user_id.as_str()).collect();
        let added: Vec<String> = out
            .iter()
            .filter(|i| !old.contains(i.user_id.as_str()))
            .map(|i| i.user_id.clone())
            .collect();
        let removed: Vec<String> = self
            .invitees
            .iter()
            .filter(|i| !seen.contains(&i.user_id))
            .map(|i| i.user_id.clone())
            .collect();
        self.invitees = out;
        self.record_invitees(added, removed);
        Ok(())
    }

    /// Adds invitees not yet on the list, keeping order; returns how many were new.
    pub fn add_invitees(&mut self, list: impl IntoIterator<Item = Invitee>) -> usize {
        let mut added = Vec::new();
        for inv in list {
            if !self.invitees.iter().any(|i| i.user_id == inv.user_id) {
                added.push(inv.user_id.clone());
                self.invitees.push(inv);
            }
        }
        let n = added.len();
        if n > 0 {
            self.record_invitees(added, Vec::new());
        }
        n
    }

    /// Takes these ids off the invitation list; returns how many were on it.
    pub fn remove_invitees(&mut self, ids: &[String]) -> usize {
        let before = self.invitees.len();
        let mut removed = Vec::new();
        self.invitees.retain(|i| {
            let gone = ids.contains(&i.user_id);
            if gone {
                removed.push(i.user_id.clone());
            }
            !gone
        });
        self.record_invitees(Vec::new(), removed);
        before - self.invitees.len()
    }

    fn record_invitees(&mut self, mut added: Vec<String>, mut removed: Vec<String>) {
        if added.is_empty() && removed.is_empty() {
            return;
        }
        let (added_count, removed_count) = (added.len(), removed.len());
        added.truncate(LISTED_IDS);
        removed.truncate(LISTED_IDS);
        let total = self.invitees.len();
        self.record(ChangeKind::InviteesSet {
            added,
            removed,
            added_count,
            removed_count,
            total,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meeting() -> Meeting {
        Meeting {
            id: "m1".into(),
            creator: "host".into(),
            host: Some("host".into()),
            capacity: 2,
            ..Default::default()
        }
    }

    #[test]
    fn set_invitees_overwrites_dedups_and_caps() {
        let mut m = meeting();
        let inv = |id: &str| Invitee {
            user_id: id.into(),
            ..Default::default()
        };
        m.set_invitees(vec![inv("a"), inv("b"), inv("a")], 3)
            .unwrap();
        assert_eq!(m.invitees.len(), 2);
        let err = m
            .set_invitees(vec![inv("x"), inv("y"), inv("z"), inv("w")], 3)
            .unwrap_err();
        assert_eq!(err, StoreError::TooMany { got: 4, max: 3 });
        assert_eq!(
            m.invitees[0].user_id, "a",
            "refused overwrite changes nothing"
        );
        m.set_invitees(vec![], 3).unwrap();
        assert!(m.invitees.is_empty());
    }
}
