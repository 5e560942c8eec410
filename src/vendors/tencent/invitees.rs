//! Set and list a meeting's invitees: `PUT` / `GET /v1/meetings/{meeting_id}/invitees`.
//!
//! Mirrors cloud.tencent.com/document/product/1095/63659 (PUT, overwrite) and /1095/63648
//! (GET, 200 per page). Decisions where the docs are silent [INF]:
//! * more than 2000 entries in the request (counted as sent, before duplicates collapse) →
//!   400/190004, stored list unchanged;
//! * unknown or unregistered userids are reported in `user_non_registered` and not stored;
//!   the answer is `{}` when there are none (the docs' own example);
//! * a cancelled meeting answers 500/9007, an ended one 500/13603 (the cancel table's codes);
//! * when `has_remaining` is false, `next_pos` is the end offset of the list.

use super::ctx::{self, Out};
use super::errors;
use super::schema::SetInvitees;
use super::state;
use crate::exchange::{Exchange, Reply};
use crate::store::StoreError;
use serde_json::json;

/// Most invitees one PUT may carry.
pub const MAX_INVITEES: usize = 2000;
/// Invitees per page of the GET.
pub const PAGE: usize = 200;

/// `PUT /v1/meetings/{meeting_id}/invitees`.
pub fn set(ex: &mut Exchange<'_>) -> Reply {
    set_inner(ex).unwrap_or_else(|e| e)
}

fn set_inner(ex: &mut Exchange<'_>) -> Out {
    let t = ctx::tenant(ex)?;
    let req: SetInvitees = ctx::body(ex)?;
    let userid = ctx::need_str(ex, req.userid, "userid")?;
    ctx::need(ex, req.instanceid, "instanceid")?;
    let list = req.invitees.unwrap_or_default();
    if list.len() > MAX_INVITEES {
        return Err(errors::invalid(
            ex,
            &format!(
                "invitees: at most {MAX_INVITEES} invitees, got {}",
                list.len()
            ),
        ));
    }
    let id = ex.param("meeting_id").to_string();
    let now = ex.now_secs();
    let result = t.with(|d| {
        let m = d
            .meeting(&id)
            .map_err(|_| &errors::MEETING_NOT_FOUND_PARAM)?;
        if m.creator != userid {
            return Err(&errors::NO_PERMISSION);
        }
        state::editable(m, now)?;
        let (keep, non) = ctx::resolve_invitees(d, list).map_err(|_| &errors::INVALID_PARAM)?;
        let m = d
            .meeting_mut(&id)
            .map_err(|_| &errors::MEETING_NOT_FOUND_PARAM)?;
        m.set_invitees(keep, MAX_INVITEES).map_err(|e| match e {
            StoreError::TooMany { .. } => &errors::INVALID_PARAM,
            _ => &errors::INTERNAL,
        })?;
        Ok(non)
    });
    match result {
        Ok(non) if non.is_empty() => ctx::ok(json!({})),
        Ok(non) => ctx::ok(json!({ "user_non_registered": non })),
        Err(e) if e.code == errors::INVALID_PARAM.code => {
            Err(errors::invalid(ex, "invitees[].userid is required"))
        }
        Err(e) => Err(errors::fail(ex, e)),
    }
}

/// `GET /v1/meetings/{meeting_id}/invitees?userid=&instanceid=&pos=`.
pub fn list(ex: &mut Exchange<'_>) -> Reply {
    list_inner(ex).unwrap_or_else(|e| e)
}

fn list_inner(ex: &mut Exchange<'_>) -> Out {
    let t = ctx::tenant(ex)?;
    let userid = ex
        .query("userid")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| errors::invalid(ex, "userid is required"))?;
    ctx::query_instance(ex)?;
    let pos = ctx::query_pos(ex, "pos", 0)?;
    let id = ex.param("meeting_id").to_string();
    let page = t.with(|d| {
        let m = d
            .meeting(&id)
            .map_err(|_| &errors::MEETING_NOT_FOUND_PARAM)?;
        if m.creator != userid {
            return Err(&errors::NO_PERMISSION);
        }
        let total = m.invitees.len();
        let items: Vec<_> = m
            .invitees
            .iter()
            .skip(pos)
            .take(PAGE)
            .map(|i| json!({ "userid": i.user_id, "nick_name": i.name }))
            .collect();
        let end = pos.saturating_add(items.len()).min(total.max(pos));
        Ok(json!({
            "invitees": items,
            "has_remaining": end < total,
            "next_pos": end,
        }))
    });
    match page {
        Ok(v) => ctx::ok(v),
        Err(e) => Err(errors::fail(ex, e)),
    }
}
