//! Changes a meeting's methods recorded and nobody has published yet, coalesced per operation
//! (one `meeting_updated` for several settings, one `invitees_set` for an invite of many).

use super::change::ChangeKind;

/// At most this many ids are listed in one `invitees_set` change (the counts are exact).
pub const LISTED_IDS: usize = 200;

/// Changes recorded by a meeting's methods and not yet published. Never serialized and never
/// part of a meeting's equality: it is bookkeeping, not state. The summary attached to each
/// change is taken when it is published, i.e. after the whole operation.
#[derive(Debug, Clone, Default)]
pub struct Pending(Vec<ChangeKind>);

impl PartialEq for Pending {
    fn eq(&self, _: &Pending) -> bool {
        true
    }
}

impl Pending {
    /// Records one change.
    pub fn push(&mut self, kind: ChangeKind) {
        // Consecutive setting changes within one operation are one update.
        if let ChangeKind::MeetingUpdated { fields } = &kind {
            if let Some(ChangeKind::MeetingUpdated { fields: prev }) = self.0.last_mut() {
                for f in fields {
                    if !prev.contains(f) {
                        prev.push(f.clone());
                    }
                }
                return;
            }
        }
        // One operation that extends the invitation list several times (an invite of many)
        // is one `invitees_set`.
        if let ChangeKind::InviteesSet {
            added,
            removed,
            added_count,
            removed_count,
            total,
        } = &kind
        {
            let earlier = self
                .0
                .iter()
                .position(|k| matches!(k, ChangeKind::InviteesSet { .. }));
            if let Some(ChangeKind::InviteesSet {
                added: mut a,
                removed: mut r,
                added_count: ac,
                removed_count: rc,
                ..
            }) = earlier.map(|i| self.0.remove(i))
            {
                a.extend(
                    added
                        .iter()
                        .take(LISTED_IDS.saturating_sub(a.len()))
                        .cloned(),
                );
                r.extend(
                    removed
                        .iter()
                        .take(LISTED_IDS.saturating_sub(r.len()))
                        .cloned(),
                );
                self.0.push(ChangeKind::InviteesSet {
                    added: a,
                    removed: r,
                    added_count: ac + added_count,
                    removed_count: rc + removed_count,
                    total: *total,
                });
                return;
            }
        }
        self.0.push(kind);
    }

    /// Records one change ahead of everything recorded so far (a meeting built, started and
    /// populated before it is inserted was still created first).
    pub fn push_first(&mut self, kind: ChangeKind) {
        self.0.insert(0, kind);
    }

    /// Keeps only the recorded changes `keep` accepts.
    pub fn retain(&mut self, keep: impl FnMut(&ChangeKind) -> bool) {
        self.0.retain(keep);
    }

    /// True when nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Takes what is waiting.
    pub fn take(&mut self) -> Vec<ChangeKind> {
        std::mem::take(&mut self.0)
    }
}
