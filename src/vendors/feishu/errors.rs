//! THE Feishu error catalogue and the one function that renders it.
//!
//! Mirrors open.feishu.cn `server-docs/vc-v1/*` (each page's error table: meeting, reserve,
//! recording, reports), the generic error-code page (`api-call-guide/generic-error-code`), the
//! auth v3 / authen v1 (historical OIDC) / OAuth v2 token pages and `contact-v3/user/*`
//! (`shared/vendors/feishu.md` §4). Five envelopes exist, chosen by code family:
//! - VC, contact and gateway codes: `{"code","msg","error":{"log_id","troubleshooter",…}}`;
//! - internal/store-app token endpoints (10xxx): flat `{"code","msg"}`, HTTP 200;
//! - OAuth v2/v3 token endpoints: `{"code","error","error_description"}`, HTTP 400;
//! - rate limit (99991400): `{"code","msg"}` exactly as the frequency-control doc shows;
//! - 99991672 / 99991679 add the missing scopes to `msg` and `error.permission_violations`.

use crate::exchange::{Exchange, Reply};
use crate::vendors::ErrorDef;
use http::StatusCode;
use serde_json::{json, Value};

/// `NAME = (fault-rule name, code, HTTP status, message);` → one `pub const` each, and
/// [`ERRORS`] lists them all in order (fault rules pick by name or code; the first entry with
/// a code wins a lookup by code).
macro_rules! catalogue {
    ($($id:ident = ($name:literal, $code:literal, $status:literal, $msg:expr);)*) => {
        $(pub const $id: ErrorDef = ErrorDef {
            name: $name, code: $code, status: $status, message: $msg,
        };)*
        /// Every error a Feishu endpoint can answer.
        pub static ERRORS: &[ErrorDef] = &[$($id),*];
    };
}

/// The gateway's live message for invalid tenant and user tokens [obs].
const INVALID_TOKEN_MSG: &str =
    "Invalid access token for authorization. Please make a request with token attached.";

catalogue! {
    // VC business codes [doc: the error table of each vc-v1 page].
    INTERNAL = ("internal_error", "121001", 500, "internal error");
    NOT_SUPPORT = ("not_support", "121002", 400, "not support");
    PARAM = ("param_error", "121003", 400, "param error");
    DATA_NOT_EXIST = ("data_not_exist", "121004", 404, "data not exist");
    NO_PERMISSION = ("no_permission", "121005", 403, "no permission");
    DATA_CONFLICT = ("data_conflict", "121006", 409, "data conflict");
    STATUS_UNEXPECTED = ("meeting_status_unexpected", "122001", 400, "meeting status unexpected");
    MEETING_NOT_EXIST = ("meeting_not_exist", "122002", 404, "meeting not exist");
    OPERATOR_NOT_IN = ("operator_not_in_meeting", "122003", 400, "operator user not in meeting");
    TARGET_NOT_IN = ("target_not_in_meeting", "122004", 400, "target user not in meeting");
    CANNOT_OPERATE_SELF = ("cannot_operate_self", "122005", 400, "cannot operate self");
    FULL = ("participant_count_reach_limit", "122006", 400, "participant count reach limit");
    BUSY = ("callee_is_busy", "122007", 400, "callee is busy");
    LOCKED = ("meeting_is_locked", "122008", 400, "meeting is locked");
    PARTICIPANT_STATUS = ("participant_status_not_expected", "122009", 400, "participant status not expected");
    RECORD_PARAM = ("record_param_error", "123002", 400, "record param error");
    HOST_LIMIT = ("assign_host_exceed_max_limit", "123003", 400, "assign host exceed max limit 10");
    HOST_ERROR = ("assign_host_error", "123004", 400, "assign host error");
    BAD_PASSWORD = ("invalid_password", "123006", 400, "invalid password");
    RECORD_PROCESSING = ("record_processing", "124002", 400, "record processing");
    // Reports (meeting_list, participant_list) [doc].
    MEETING_NO_NEGATIVE = ("meeting_number_invalid", "126003", 400, "meeting number invalid (cannot smaller than 0)");
    MEETING_NO_LENGTH = ("meeting_number_length", "126004", 400, "meeting number length not correct (supposed to be 9)");
    START_TIME_ERROR = ("start_time_error", "126005", 400, "start time error (cannot larger than now or smaller than 0)");
    END_TIME_DAY = ("end_time_error_day", "126006", 400, "end time cannot exceed start time for one day or smaller than start time");
    END_TIME_YEAR = ("end_time_error_year", "126006", 400, "end time cannot exceed start time for one year or smaller than start time");
    USER_AND_ROOM = ("user_and_room_together", "126007", 400, "userID and roomID cannot be set concurrently");
    ONE_FILTER = ("filter_condition_only_one", "126008", 400, "filter condition should be set only one");
    NO_SUCH_MEETING = ("cannot_find_meeting", "126009", 400, "cannot find meeting according to the params you provide");
    ROOM_NOT_SUPPORTED = ("room_id_not_supported", "126015", 400, "not support room_id");
    FUTURE_MONTH = ("future_schedule_window", "126016", 400, "end time cannot exceed start time for one month or smaller than start time for future schedule list");
    // Contact v3 [doc: contact-v3/user pages, generic page].
    CONTACT_PARAM = ("contact_invalid_parameter", "40001", 400, "invalid parameter");
    CONTACT_USER_INVALID = ("user_id_invalid", "41012", 400, "user id invalid error");
    CONTACT_NO_AUTHORITY = ("no_user_authority", "41050", 400, "no user authority");
    FIELD_VALIDATION = ("field_validation_failed", "99992402", 400, "field validation failed");
    // Gateway codes: HTTP 400 [obs]; messages from the generic page, live text where seen.
    MISSING_TOKEN = ("missing_token", "99991661", 400, "Missing access token for authorization. Please make a request with token attached.");
    TENANT_TOKEN_INVALID = ("tenant_token_invalid", "99991663", 400, INVALID_TOKEN_MSG);
    TENANT_TOKEN_NOT_SUPPORT = ("tenant_token_not_support", "99991663", 400, "tenant access token not support");
    APP_TOKEN_INVALID = ("app_token_invalid", "99991664", 400, "invalid app token");
    TENANT_CODE_INVALID = ("tenant_code_invalid", "99991665", 400, "invalid tenant code");
    USER_TOKEN_INVALID = ("user_token_invalid", "99991668", 400, INVALID_TOKEN_MSG);
    USER_TOKEN_NOT_SUPPORT = ("user_token_not_support", "99991668", 400, "user access token not support");
    REFRESH_AS_BEARER = ("user_refresh_token_invalid", "99991669", 400, "invalid user refresh token");
    TOKEN_FORMAT = ("token_format_invalid", "99991671", 400, "Invalid token: must start with t-/u-");
    NO_SCOPE = ("no_scope", "99991672", 400, "Access denied. One of the following scopes is required");
    TOKEN_EXPIRED = ("token_expired", "99991677", 400, "Authentication token expired");
    USER_NO_SCOPE = ("user_not_authorized_scope", "99991679", 400, "Unauthorized. You do not have permission to perform the requested operation on the resource. Please request user re-authorization and try again.");
    RATE_LIMITED = ("rate_limited", "99991400", 429, "request trigger frequency limit");
    IP_DENIED = ("ip_denied", "99991401", 400, "ip %s is denied by app setting");
    // Internal and store-app token endpoints: HTTP 200 with a non-zero code [obs][doc].
    TOKEN_INVALID_PARAM = ("invalid_param", "10003", 200, "invalid param");
    APP_TICKET_INVALID = ("app_ticket_invalid", "10012", 200, "app ticket invalid");
    TENANT_TOKEN_FAIL = ("get_tenant_access_token_fail", "10013", 200, "get tenant access token fail");
    TOKEN_BAD_SECRET = ("app_secret_invalid", "10014", 200, "app secret invalid");
    RESEND_FAIL = ("app_resend_fail", "10016", 200, "app resend fail");
    // The long connection's endpoint discovery (`POST /callback/ws/endpoint`): HTTP 200,
    // `{"code","msg","data":{}}`. 1000040345/1000040346 as the live service answers bad
    // credentials [obs]; the other codes as the SDKs know them (ws/const.py) [sdk].
    WS_BAD_CREDENTIALS = ("ws_app_id_or_secret_invalid", "1000040345", 200, "app_id or app_secret is invalid");
    WS_BAD_APP_ID = ("ws_app_id_invalid", "1000040346", 200, "app_id is invalid");
    WS_SYSTEM_BUSY = ("ws_system_busy", "1", 200, "system busy");
    WS_INTERNAL = ("ws_internal_error", "1000040343", 200, "internal error");
    // authen v1 (OIDC and legacy) user-token endpoints: HTTP 200 [doc: historical pages].
    OIDC_BAD_REQUEST = ("oidc_invalid_request", "20001", 200, "Invalid request. Please check request param");
    OIDC_CODE_INVALID = ("oidc_code_invalid", "20003", 200, "The code passed is invalid. Please note that the code could only be used once");
    OIDC_CODE_EXPIRED = ("oidc_code_expired", "20004", 200, "The code passed has expired. Please generate a new one");
    OIDC_GENERATE_FAIL = ("oidc_generate_token_fail", "20007", 200, "Failed to generate a user access token. Please try again");
    OIDC_USER_NOT_REGISTERED = ("oidc_user_not_registered", "20023", 200, "User not registered");
    OIDC_APP_MISMATCH = ("oidc_app_mismatch", "20024", 200, "App id in user_access_token or refresh_token diff with app id in app_access_token or tenant_access_token. Please keep the app id consistent");
    OIDC_REFRESH_INVALID = ("oidc_refresh_token_invalid", "20026", 200, "The refresh token passed is invalid. Please check the value");
    OIDC_GRANT_TYPE = ("oidc_grant_type_not_supported", "20036", 200, "The grant_type passed is not supported");
    OIDC_REFRESH_EXPIRED = ("oidc_refresh_token_expired", "20037", 200, "The refresh token passed has expired. Please generate a new one");
    OIDC_REFRESH_NOT_FOUND = ("oidc_refresh_token_not_found", "20038", 200, "The refresh token passed is not found. Please check the value");
    // OAuth v2 / v3 (OAuth-style body): `message` is the doc's `error_description` [doc].
    OAUTH_INVALID_REQUEST = ("oauth_invalid_request", "20001", 400, "The request is missing a required parameter.");
    OAUTH_INVALID_CLIENT = ("oauth_invalid_client", "20002", 400, "The client secret is invalid.");
    OAUTH_CODE_NOT_FOUND = ("oauth_code_not_found", "20003", 400, "The authorization code is not found. Please note that an authorization code can only be used once.");
    OAUTH_CODE_EXPIRED = ("oauth_code_expired", "20004", 400, "The authorization code has expired.");
    OAUTH_USER_NOT_PERMITTED = ("oauth_user_not_permitted", "20010", 400, "The user does not have permission to use this app.");
    OAUTH_APP_MISMATCH = ("oauth_client_mismatch", "20024", 400, "The provided authorization code or refresh token does not match the provided client ID.");
    OAUTH_REFRESH_INVALID = ("oauth_refresh_token_invalid", "20026", 400, "The refresh token passed is invalid. Please check the value.");
    OAUTH_UNSUPPORTED_GRANT = ("oauth_unsupported_grant_type", "20036", 400, "The specified grant_type is not supported.");
    OAUTH_REFRESH_EXPIRED = ("oauth_refresh_token_expired", "20037", 400, "The refresh token passed has expired. Please generate a new one.");
    OAUTH_PKCE_FAILED = ("oauth_pkce_failed", "20049", 400, "PKCE code challenge failed.");
    OAUTH_MALFORMED = ("oauth_malformed_request", "20063", 400, "The request is malformed. Please check your request.");
    OAUTH_REFRESH_REVOKED = ("oauth_refresh_token_revoked", "20064", 400, "The refresh token has been revoked. Please note that a refresh token can only be used once.");
    OAUTH_CODE_USED = ("oauth_code_used", "20065", 400, "The authorization code has been used. Please note that an authorization code can only be used once.");
    OAUTH_DUPLICATE_SCOPE = ("oauth_duplicate_scope", "20067", 400, "The provided scope list contains duplicate scopes. Please ensure all scopes are unique.");
    OAUTH_SCOPE_NOT_PERMITTED = ("oauth_scope_not_permitted", "20068", 400, "The provided scope list contains scopes that are not permitted. Please ensure all scopes are allowed.");
    OAUTH_TWO_AUTH_METHODS = ("oauth_multiple_auth_methods", "20070", 400, "Multiple authentication methods were provided. Please only use one to proceed.");
    OAUTH_REDIRECT_MISMATCH = ("oauth_redirect_uri_mismatch", "20071", 400, "The provided redirect URI does not match the one used during authorization.");
    OAUTH_REFRESH_USED = ("oauth_refresh_token_used", "20073", 400, "The refresh token has been used. Please note that a refresh token can only be used once.");
}

/// The RFC 6749 `error` of an OAuth-style error.
fn oauth_error(err: &ErrorDef) -> &'static str {
    match err.code {
        "20002" => "invalid_client",
        "20001" | "20063" => "invalid_request",
        "20036" => "unsupported_grant_type",
        "20067" | "20068" => "invalid_scope",
        "20010" | "20070" | "20071" => "invalid_request",
        _ => "invalid_grant",
    }
}

/// The troubleshooter link the open platform attaches to errors.
fn troubleshooter(log_id: &str, code: &str) -> String {
    format!(
        "排查建议查看(Troubleshooting suggestions): https://open.feishu.cn/search?from=openapi&log_id={log_id}&code={code}&method_id=0"
    )
}

/// Renders `err` in the envelope of its code family; `detail` replaces the message (the
/// OAuth `error_description` for OAuth errors; the IP for 99991401, else the caller's).
pub fn render(ex: &Exchange<'_>, err: &ErrorDef, detail: Option<&str>) -> Reply {
    if err.code == IP_DENIED.code {
        let ip = match (detail, ex.peer) {
            (Some(d), _) => d.to_string(),
            (None, Some(peer)) => peer.to_string(),
            (None, None) => "0.0.0.0".to_string(),
        };
        let msg = err.message.replace("%s", &ip);
        return envelope(ex, err, &msg, json!({}));
    }
    envelope(ex, err, detail.unwrap_or(err.message), json!({}))
}

/// 99991401 naming the caller's address: it is not on the app's IP allow-list.
pub fn ip_denied(ex: &Exchange<'_>) -> Reply {
    render(ex, &IP_DENIED, None)
}

/// The envelope of `err` with message `msg`; `extra` adds fields to the `error` object.
fn envelope(ex: &Exchange<'_>, err: &ErrorDef, msg: &str, extra: Value) -> Reply {
    let status = StatusCode::from_u16(err.status).unwrap_or(StatusCode::BAD_REQUEST);
    let code: i64 = err.code.parse().unwrap_or(121001);
    let body = if err.name.starts_with("ws_") {
        // node-sdk destructures `data` before it reads `code`: it is always an object.
        json!({"code": code, "msg": msg, "data": {}})
    } else if err.name.starts_with("oauth_") {
        json!({"code": code, "error": oauth_error(err), "error_description": msg})
    } else if err.code.starts_with("100") || code == 99991400 {
        json!({"code": code, "msg": msg})
    } else {
        let mut error = json!({
            "log_id": ex.request_id,
            "troubleshooter": troubleshooter(&ex.request_id, err.code),
        });
        if let (Some(e), Some(x)) = (error.as_object_mut(), extra.as_object()) {
            e.extend(x.clone());
        }
        json!({"code": code, "msg": msg, "error": error})
    };
    Reply::json(status, &body).with_code(err.code)
}

/// A refused long-connection upgrade: the SDKs read `handshake-status`, `handshake-msg` and
/// (for 514) `handshake-autherrcode` from the answer's headers [sdk S1 ws/client.py,
/// oapi-sdk-go ws/client.go `parseErr`]; the HTTP status itself is not read by any of them.
// DEVIATION: the gateway's own status line and body for a refused upgrade are not documented;
// 403 with a JSON body naming the same code (docs/vendors/feishu.md, "Long connection").
pub fn ws_refusal(status: u16, msg: &str, auth_code: Option<u64>) -> Reply {
    let mut r = Reply::json(
        StatusCode::FORBIDDEN,
        &json!({"code": status, "msg": msg, "data": {}}),
    )
    .with_header("handshake-status", &status.to_string())
    .with_header("handshake-msg", msg)
    .with_code(status.to_string());
    if let Some(c) = auth_code {
        r = r.with_header("handshake-autherrcode", &c.to_string());
    }
    r
}

/// Shorthand used by every handler: the catalogue entry rendered with its own message.
pub fn fail(ex: &Exchange<'_>, err: &ErrorDef) -> Reply {
    render(ex, err, None)
}

/// A catalogue entry with its exact message plus a reason: in `error.details` for the
/// standard envelope (121003 says which field is wrong there), as `error_description` for
/// OAuth errors.
pub fn fail_with(ex: &Exchange<'_>, err: &ErrorDef, reason: &str) -> Reply {
    if err.name.starts_with("oauth_") {
        return render(ex, err, Some(reason));
    }
    // The open platform lists specifics as `error.details[{key, value}]`.
    let extra = json!({"details": [{"key": "reason", "value": reason}]});
    envelope(ex, err, err.message, extra)
}

/// 99992402 with `error.field_violations` [obs: contact v3 validation answers].
pub fn field_violation(ex: &Exchange<'_>, field: &str, description: &str) -> Reply {
    let extra = json!({"field_violations": [{"field": field, "description": description}]});
    envelope(ex, &FIELD_VALIDATION, FIELD_VALIDATION.message, extra)
}

/// 99991672 (the app lacks every scope in `scopes`) or 99991679 (the user did not grant
/// any), with the list in `msg` and `error.permission_violations` as the live gateway writes
/// them [obs: captured answers in public issue trackers].
pub fn missing_scopes(ex: &Exchange<'_>, user: bool, app: &str, scopes: &[&str]) -> Reply {
    let list = scopes.join(", ");
    let q = scopes.join(",");
    let violations: Vec<Value> = scopes
        .iter()
        .map(|s| json!({"type": "action_scope_required", "subject": s}))
        .collect();
    let (err, msg, doc) = if user {
        (
            &USER_NO_SCOPE,
            format!(
                "{} required one of these privileges under the user identity: [{list}].应用未获取所需的用户授权：[{list}]，点击链接查看解决方案：https://open.feishu.cn/document/uAjLw4CM/ugTN1YjL4UTN24CO1UjN/trouble-shooting/how-to-resolve-error-99991679",
                USER_NO_SCOPE.message
            ),
            "how-to-resolve-error-99991679",
        )
    } else {
        (
            &NO_SCOPE,
            format!(
                "{}: [{list}].应用尚未开通所需的应用身份权限：[{list}]，点击链接申请并开通任一权限即可：https://open.feishu.cn/app/{app}/auth?q={q}&op_from=openapi&token_type=tenant",
                NO_SCOPE.message
            ),
            "how-to-fix-the-99991672-error",
        )
    };
    let extra = json!({
        "message": format!("Refer to the documentation to fix the error: https://open.feishu.cn/document/uAjLw4CM/ugTN1YjL4UTN24CO1UjN/trouble-shooting/{doc}"),
        "permission_violations": violations,
        "helps": [{
            "url": format!("https://open.feishu.cn/app/{app}/auth?q={q}&op_from=openapi&token_type={}", if user { "user" } else { "tenant" }),
            "description": format!("Learn more about scopes and how to add them: [{list}]"),
        }],
    });
    envelope(ex, err, &msg, extra)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_oauth_entries_say_so() {
        let mut names: Vec<&str> = ERRORS.iter().map(|e| e.name).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len(), "duplicate fault-rule names");
        assert!(ERRORS
            .iter()
            .filter(|e| e.name.starts_with("oauth_"))
            .all(|e| e.status == 400));
    }
}
