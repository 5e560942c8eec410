//! The API gateway's own checks on `api.dingtalk.com`, made after the token and before any
//! service code runs (so a refused request changes nothing):
//!
//! - an operation that takes a JSON body gets `400 Missingbody` / `body is mandatory for this
//!   action.` when the body is empty or sent as a form or other non-JSON content type [OBS: a
//!   PHP SDK sending `application/x-www-form-urlencoded` to `/v1.0/oauth2/accessToken`];
//! - a required top-level body field or query parameter that is absent (or JSON `null`) gets
//!   `400 Missing<name>` / `<name> is mandatory for this action.` [OBS: `clientId is
//!   mandatory` for a snake_case `userAccessToken` body]. A present but empty value passes the
//!   gateway and is the service's to refuse (`paramsError`, `invalidClientIdOrSecret`).
//!
//! Which fields are required is the API definition's, as the official SDKs carry it ("This
//! parameter is required." in `github.com/alibabacloud-go/dingtalk` v1.7.42, conference_1_0
//! and oauth2_1_0). [INF] Required fields inside list items (`inviteeList[].nick`,
//! `userList[].unionId`) are checked by the service (`paramsError error:<name> is empty`):
//! only top-level gateway refusals were observed.

use super::errors;
use crate::exchange::{Exchange, Reply};
use serde_json::Value;

/// What the gateway knows of one operation's parameters.
struct Spec {
    operation: &'static str,
    /// The operation takes a JSON body.
    body: bool,
    /// Required top-level body fields, in the order the gateway reports them.
    required_body: &'static [&'static str],
    /// Required query parameters.
    required_query: &'static [&'static str],
}

macro_rules! spec {
    ($op:literal, body [$($b:literal),*], query [$($q:literal),*]) => {
        Spec { operation: $op, body: true, required_body: &[$($b),*], required_query: &[$($q),*] }
    };
    ($op:literal, query [$($q:literal),*]) => {
        Spec { operation: $op, body: false, required_body: &[], required_query: &[$($q),*] }
    };
}

/// Every emulated `/v1.0/` operation with parameters the gateway checks (others: none).
static SPECS: &[Spec] = &[
    spec!("GetAccessToken", body ["appKey"], query []),
    spec!("GetCorpAccessToken", body ["authCorpId", "suiteKey", "suiteSecret", "suiteTicket"], query []),
    spec!("GetToken", body ["client_id", "client_secret", "grant_type"], query []),
    spec!("CreateVideoConference", body ["confTitle", "userId"], query []),
    spec!("CloseVideoConference", query["unionId"]),
    spec!("InviteUsers", body [], query []),
    spec!("QueryConferenceInfoBatch", body ["conferenceIdList"], query []),
    spec!("QueryUserOnGoingConference", query["unionId"]),
    spec!("KickMembers", body ["userList"], query []),
    spec!("MuteMembers", body ["action", "userList"], query []),
    spec!("MuteAll", body ["action"], query []),
    spec!("Cohosts", body ["action", "userList"], query []),
    spec!("LockConference", body ["action"], query []),
    spec!("UpdateMemberNick", body ["nick", "unionId"], query []),
    spec!("Focus", body ["action", "unionId"], query []),
    spec!("UpdateVideoConferenceSetting", body [], query []),
    spec!("CreateScheduleConference", body ["creatorUnionId", "endTime", "startTime", "title"], query []),
    spec!("UpdateScheduleConference", body ["creatorUnionId", "endTime", "scheduleConferenceId", "startTime", "title"], query []),
    spec!("CancelScheduleConference", body ["creatorUnionId", "scheduleConferenceId"], query []),
    spec!("QueryScheduleConference", query["requestUnionId"]),
    spec!("GetConfDataByConferenceId", query["realData"]),
    spec!("OpenConnection", body ["clientId", "clientSecret", "subscriptions"], query []),
];

/// True when the request's content type can carry the JSON body (absent counts: the gateway
/// sniffs nothing, and every SDK sends one with a body).
fn json_content_type(ex: &Exchange<'_>) -> bool {
    match ex.header("content-type") {
        None => true,
        Some(ct) => ct.to_ascii_lowercase().contains("json"),
    }
}

/// The gateway's verdict on the request: `Err` is its refusal, sent as is.
pub fn check(ex: &Exchange<'_>) -> Result<(), Reply> {
    let Some(spec) = SPECS.iter().find(|s| s.operation == ex.route.operation) else {
        return Ok(());
    };
    for q in spec.required_query {
        if ex.query(q).is_none() {
            return Err(errors::missing(ex, q));
        }
    }
    if !spec.body {
        return Ok(());
    }
    let blank = ex.body.iter().all(u8::is_ascii_whitespace);
    if blank || !json_content_type(ex) {
        return Err(errors::err(ex, "missing_body", None));
    }
    // A body that is not a JSON object is the service's to refuse (paramsError).
    if let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&ex.body) {
        for field in spec.required_body {
            if body.get(*field).is_none_or(Value::is_null) {
                return Err(errors::missing(ex, field));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::SPECS;

    #[test]
    fn every_spec_names_an_emulated_operation() {
        for s in SPECS {
            assert!(
                super::super::routes::ROUTES
                    .iter()
                    .any(|r| r.operation == s.operation),
                "{}",
                s.operation
            );
        }
    }
}
