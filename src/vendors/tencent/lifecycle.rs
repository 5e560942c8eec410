//! Cancel a scheduled meeting and dismiss (end) a running one:
//! `POST /v1/meetings/{meeting_id}/cancel` and `POST /v1/meetings/{meeting_id}/dismiss`.
//!
//! Mirrors cloud.tencent.com/document/product/1095/42422 (cancel) and /1095/57955 (dismiss).
//! Tencent has no "start meeting" API: a meeting is `MEETING_STATE_STARTED` once someone joins
//! from a client, which the mock does through the generic admin `start` / `join` actions.
//! Decisions [INF]:
//! * cancel: only the creator (enterprise admins are not modelled) → 403/9042;
//! * dismiss: creator, host or co-host (`extra.co_hosts`) → else 500/9042; a meeting that is not
//!   in progress answers 400/190004 "meeting is not in progress" (no code is documented), a
//!   cancelled one 500/9007, an ended one 500/13603.

use super::ctx::{self, Out};
use super::errors;
use super::schema::{Cancel, Dismiss};
use super::state;
use crate::exchange::{Exchange, Reply};
use crate::store::MeetingState;
use crate::vendors::ErrorDef;
use serde_json::json;

/// `POST /v1/meetings/{meeting_id}/cancel`.
pub fn cancel(ex: &mut Exchange<'_>) -> Reply {
    cancel_inner(ex).unwrap_or_else(|e| e)
}

fn cancel_inner(ex: &mut Exchange<'_>) -> Out {
    let t = ctx::tenant(ex)?;
    let req: Cancel = ctx::body(ex)?;
    let userid = ctx::need_str(ex, req.userid, "userid")?;
    ctx::need(ex, req.instanceid, "instanceid")?;
    ctx::need(ex, req.reason_code, "reason_code")?;
    let _ = (req.meeting_type, req.sub_meeting_id, req.reason_detail);
    let id = ex.param("meeting_id").to_string();
    let now = ex.now_secs();
    let done = t.with(|d| -> Result<(), &'static ErrorDef> {
        let m = d.meeting_mut(&id).map_err(|_| &errors::MEETING_NOT_EXIST)?;
        if m.creator != userid {
            return Err(&errors::NO_PERMISSION);
        }
        state::editable(m, now)?;
        match m.state {
            MeetingState::Cancelled => Err(&errors::MEETING_CANCELLED),
            MeetingState::InProgress => Err(&errors::STARTED_CANNOT_CANCEL),
            MeetingState::Ended => Err(&errors::MEETING_ENDED),
            MeetingState::Scheduled => m.cancel(now).map_err(|_| &errors::INTERNAL),
        }
    });
    done.map_err(|e| errors::fail(ex, e))?;
    ctx::ok(json!({}))
}

/// `POST /v1/meetings/{meeting_id}/dismiss`.
pub fn dismiss(ex: &mut Exchange<'_>) -> Reply {
    dismiss_inner(ex).unwrap_or_else(|e| e)
}

fn dismiss_inner(ex: &mut Exchange<'_>) -> Out {
    let t = ctx::tenant(ex)?;
    let req: Dismiss = ctx::body(ex)?;
    let op = ctx::need_str(ex, req.operator_id, "operator_id")?;
    ctx::operator_type(ex, req.operator_id_type)?;
    ctx::need(ex, req.instanceid, "instanceid")?;
    ctx::need(ex, req.reason_code, "reason_code")?;
    let _ = (req.reason_detail, req.force_dismiss_meeting);
    let retrieve = req.retrieve_code.unwrap_or(0) == 1;
    let id = ex.param("meeting_id").to_string();
    let now = ex.now_secs();
    let done = t.with(|d| -> Result<(), Option<&'static ErrorDef>> {
        let m = d
            .meeting_mut(&id)
            .map_err(|_| Some(&errors::MEETING_NOT_EXIST))?;
        let allowed = m.creator == op
            || m.host.as_deref() == Some(op.as_str())
            || ctx::hosts(m).contains(&op)
            || ctx::extra_ids(m, "co_hosts").contains(&op);
        if !allowed {
            return Err(Some(&errors::NO_PERMISSION));
        }
        match m.state {
            MeetingState::Cancelled => return Err(Some(&errors::MEETING_CANCELLED)),
            MeetingState::Ended => return Err(Some(&errors::MEETING_ENDED)),
            MeetingState::Scheduled => return Err(None),
            MeetingState::InProgress => {}
        }
        m.end(now).map_err(|_| Some(&errors::INTERNAL))?;
        if retrieve {
            m.extra.insert("code_retrieved".into(), json!(true));
        }
        Ok(())
    });
    match done {
        Ok(()) => ctx::ok(json!({})),
        Err(Some(e)) => Err(errors::fail(ex, e)),
        Err(None) => Err(errors::invalid(ex, "meeting is not in progress")),
    }
}
