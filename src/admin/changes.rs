//! `GET /__admin/changes`: the stream of domain changes (DESIGN decision 11), oldest first.
//!
//! Filters: `since` (stream position; only later changes), `vendor`, `tenant`, `meeting`,
//! `type` (a change type such as `participant_joined`; comma-separated for several), `limit`
//! (default 1000). The answer says where the stream stands (`last_seq`) and how far back it is
//! kept (`oldest_kept`), so a reader can tell when it missed changes.

use super::{bad, AdminReq, AdminResult};
use crate::app::App;
use crate::store::{ChangeKind, VendorId};
use serde_json::json;

/// Changes kept by the bus: at most this many per answer.
const MAX_LIMIT: usize = crate::store::bus::RECENT_CAPACITY;

/// `GET /__admin/changes?…`
pub fn list(app: &App, req: &AdminReq<'_>) -> AdminResult {
    let since = match req.q("since") {
        Some(s) => s
            .parse::<u64>()
            .map_err(|_| bad("`since` must be a stream position (a whole number)"))?,
        None => 0,
    };
    let limit = match req.q("limit") {
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|l| (1..=MAX_LIMIT).contains(l))
            .ok_or_else(|| bad(format!("`limit` must be between 1 and {MAX_LIMIT}")))?,
        None => 1000,
    };
    let vendor = match req.q("vendor") {
        Some(v) => Some(VendorId::parse(v).ok_or_else(|| bad(format!("unknown vendor {v:?}")))?),
        None => None,
    };
    let types: Option<Vec<&str>> = req.q("type").map(|t| t.split(',').collect());
    if let Some(bad_type) = types
        .iter()
        .flatten()
        .find(|t| !ChangeKind::NAMES.contains(t))
    {
        return Err(bad(format!(
            "unknown change type {bad_type:?}; valid: {}",
            ChangeKind::NAMES.join(", ")
        )));
    }
    let tenant = req.q("tenant");
    let meeting = req.q("meeting");
    let bus = &app.store.changes;
    let changes: Vec<_> = bus
        .since(since, MAX_LIMIT)
        .into_iter()
        .filter(|c| vendor.is_none_or(|v| c.vendor == v))
        .filter(|c| tenant.is_none_or(|t| c.tenant == t))
        .filter(|c| meeting.is_none_or(|m| c.meeting.id == m))
        .filter(|c| types.as_ref().is_none_or(|t| t.contains(&c.kind.name())))
        .take(limit)
        .collect();
    Ok(json!({
        "last_seq": bus.last_seq(),
        "oldest_kept": bus.oldest_kept(),
        "changes": changes,
    }))
}
