//! API scopes (权限): which scope each emulated API needs (the `权限要求` row of its doc page,
//! "any one of"), checked against what the tenant granted the app (99991672) and what the
//! user granted a user token (99991679). Pages: vc-v1 reserve/*, meeting/*,
//! meeting-recording/*, meeting-room-data (reports), contact-v3/user/batch_get_id and get.

use super::errors;
use crate::exchange::{Exchange, Reply};
use crate::store::{Token, TokenKind};
use serde_json::Value;

/// The scope every API that writes user ids as `user_id` also needs (字段权限要求).
pub const EMPLOYEE_ID: &str = "contact:user.employee_id:readonly";

/// The scopes (any one of) an operation needs; empty for token and profile endpoints.
pub fn required(operation: &str) -> &'static [&'static str] {
    match operation {
        "reserve.apply" | "reserve.update" | "reserve.delete" => &["vc:reserve"],
        "reserve.get" | "reserve.get_active_meeting" => &["vc:reserve:readonly"],
        "meeting.get" | "meeting.list_by_no" => &["vc:meeting:readonly"],
        "meeting.invite" | "meeting.kickout" | "meeting.set_host" | "meeting.end" => {
            &["vc:meeting"]
        }
        "meeting.recording.start"
        | "meeting.recording.stop"
        | "meeting.recording.set_permission" => &["vc:record"],
        "meeting.recording.get" => &["vc:record:readonly"],
        "meeting_list.get" | "participant_list.get" => {
            &["vc:room:readonly", "vc:rooms.room.detailinfo:read"]
        }
        "contact.user.batch_get_id" => &["contact:user.id:readonly"],
        "contact.user.get" => &[
            "contact:contact.base:readonly",
            "contact:contact:access_as_app",
            "contact:contact:readonly",
            "contact:contact:readonly_as_app",
        ],
        _ => &[],
    }
}

/// True when `granted` (`None` = everything) holds one of `needed`.
fn holds(granted: Option<&Value>, needed: &[&str]) -> bool {
    match granted.and_then(Value::as_array) {
        None => true,
        Some(list) => list
            .iter()
            .filter_map(Value::as_str)
            .any(|s| needed.contains(&s)),
    }
}

/// The scopes a user token carries (`None` = every scope the app has).
pub fn token_scopes(token: &Token) -> Option<Vec<&str>> {
    token
        .extra
        .get("scope")
        .and_then(Value::as_str)
        .map(|s| s.split_whitespace().collect())
}

/// Checks the app's and (for user tokens) the user's grants for the route and, with
/// `user_id_type=user_id`, the employee-id field scope [inf: the gateway refuses the missing
/// field scope like a missing API scope]. `Err` is the gateway's 99991672 / 99991679 answer.
pub fn check(ex: &Exchange<'_>, token: &Token) -> Result<(), Reply> {
    let needed = required(ex.route.operation);
    if needed.is_empty() {
        return Ok(());
    }
    let Some(p) = ex.principal() else {
        return Ok(());
    };
    let wants_user_id = ex.raw_query.contains("user_id_type")
        && ex.query("user_id_type").as_deref() == Some("user_id");
    let app_ok = p.tenant.with(|d| {
        let granted = d.extra.get("scopes");
        (
            holds(granted, needed),
            !wants_user_id || holds(granted, &[EMPLOYEE_ID]),
        )
    });
    let app = p.tenant.id.as_str();
    match app_ok {
        (false, _) => return Err(errors::missing_scopes(ex, false, app, needed)),
        (_, false) => return Err(errors::missing_scopes(ex, false, app, &[EMPLOYEE_ID])),
        _ => {}
    }
    if token.kind == TokenKind::User {
        if let Some(mine) = token_scopes(token) {
            if !needed.iter().any(|s| mine.contains(s)) {
                return Err(errors::missing_scopes(ex, true, app, needed));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_vc_route_names_a_scope_and_any_one_suffices() {
        for op in ["reserve.apply", "meeting.invite", "meeting_list.get"] {
            assert!(!required(op).is_empty(), "{op}");
        }
        assert!(required("auth.tenant_access_token.internal").is_empty());
        let granted = json!(["vc:rooms.room.detailinfo:read"]);
        assert!(holds(Some(&granted), required("participant_list.get")));
        assert!(!holds(Some(&granted), required("meeting.invite")));
        assert!(holds(None, required("meeting.invite")));
    }
}
