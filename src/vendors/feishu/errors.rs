//! THE Feishu error catalogue and the one function that renders it.
//!
//! Mirrors open.feishu.cn `server-docs/vc-v1/meeting/invite` (error table), the VC v1 pages of
//! meeting get / set_host / reserve, the generic error-code page and the auth v3 / OAuth token
//! pages (see `shared/vendors/feishu.md` §4). Four envelopes exist, chosen by code family:
//! - VC business and gateway codes: `{"code","msg","error":{"log_id","troubleshooter"}}`;
//! - internal token endpoints (10xxx): flat `{"code","msg"}`, HTTP 200;
//! - OAuth v2/v3 token endpoints (20xxx): `{"code","error","error_description"}`, HTTP 400;
//! - rate limit (99991400): `{"code","msg"}` exactly as the frequency-control doc shows.

use crate::exchange::{Exchange, Reply};
use crate::vendors::ErrorDef;
use http::StatusCode;
use serde_json::json;

const fn e(name: &'static str, code: &'static str, status: u16, message: &'static str) -> ErrorDef {
    ErrorDef {
        name,
        code,
        status,
        message,
    }
}

// VC business codes [doc].
pub const INTERNAL: ErrorDef = e("internal_error", "121001", 500, "internal error");
pub const NOT_SUPPORT: ErrorDef = e("not_support", "121002", 400, "not support");
pub const PARAM: ErrorDef = e("param_error", "121003", 400, "param error");
pub const DATA_NOT_EXIST: ErrorDef = e("data_not_exist", "121004", 404, "data not exist");
pub const NO_PERMISSION: ErrorDef = e("no_permission", "121005", 403, "no permission");
pub const DATA_CONFLICT: ErrorDef = e("data_conflict", "121006", 409, "data conflict");
pub const STATUS_UNEXPECTED: ErrorDef = e(
    "meeting_status_unexpected",
    "122001",
    400,
    "meeting status unexpected",
);
pub const MEETING_NOT_EXIST: ErrorDef = e("meeting_not_exist", "122002", 404, "meeting not exist");
pub const OPERATOR_NOT_IN: ErrorDef = e(
    "operator_not_in_meeting",
    "122003",
    400,
    "operator user not in meeting",
);
pub const TARGET_NOT_IN: ErrorDef = e(
    "target_not_in_meeting",
    "122004",
    400,
    "target user not in meeting",
);
pub const CANNOT_OPERATE_SELF: ErrorDef =
    e("cannot_operate_self", "122005", 400, "cannot operate self");
pub const FULL: ErrorDef = e(
    "participant_count_reach_limit",
    "122006",
    400,
    "participant count reach limit",
);
pub const BUSY: ErrorDef = e("callee_is_busy", "122007", 400, "callee is busy");
pub const LOCKED: ErrorDef = e("meeting_is_locked", "122008", 400, "meeting is locked");
pub const PARTICIPANT_STATUS: ErrorDef = e(
    "participant_status_not_expected",
    "122009",
    400,
    "participant status not expected",
);

// Gateway codes: HTTP 400 [obs]; live messages where the notes record them.
const INVALID_TOKEN_MSG: &str =
    "Invalid access token for authorization. Please make a request with token attached.";
pub const MISSING_TOKEN: ErrorDef = e(
    "missing_token",
    "99991661",
    400,
    "Missing access token for authorization. Please make a request with token attached.",
);
pub const TENANT_TOKEN_INVALID: ErrorDef =
    e("tenant_token_invalid", "99991663", 400, INVALID_TOKEN_MSG);
pub const TENANT_TOKEN_NOT_SUPPORT: ErrorDef = e(
    "tenant_token_not_support",
    "99991663",
    400,
    "tenant access token not support",
);
pub const APP_TOKEN_INVALID: ErrorDef =
    e("app_token_invalid", "99991664", 400, "invalid app token");
pub const USER_TOKEN_INVALID: ErrorDef =
    e("user_token_invalid", "99991668", 400, INVALID_TOKEN_MSG);
pub const USER_TOKEN_NOT_SUPPORT: ErrorDef = e(
    "user_token_not_support",
    "99991668",
    400,
    "user access token not support",
);
pub const TOKEN_EXPIRED: ErrorDef = e(
    "token_expired",
    "99991677",
    400,
    "Authentication token expired",
);
pub const NO_SCOPE: ErrorDef = e("no_scope", "99991672", 400, "No permission");
pub const RATE_LIMITED: ErrorDef = e(
    "rate_limited",
    "99991400",
    429,
    "request trigger frequency limit",
);

// Internal token endpoints: HTTP 200 with a non-zero code [obs].
pub const TOKEN_INVALID_PARAM: ErrorDef = e("invalid_param", "10003", 200, "invalid param");
pub const TOKEN_BAD_SECRET: ErrorDef = e("app_secret_invalid", "10014", 200, "app secret invalid");

// OIDC v1 user-token endpoints (standard envelope) [doc, status inf].
pub const OIDC_BAD_REQUEST: ErrorDef = e("oidc_invalid_request", "20001", 400, "invalid request");
pub const OIDC_CODE_FAIL: ErrorDef = e(
    "oidc_generate_token_fail",
    "20007",
    400,
    "generate access_token fail",
);
pub const OIDC_REFRESH_INVALID: ErrorDef = e(
    "oidc_refresh_token_invalid",
    "20026",
    400,
    "refresh token invalid",
);
pub const OIDC_APP_MISMATCH: ErrorDef = e(
    "oidc_code_app_mismatch",
    "20024",
    400,
    "code app_id not match",
);

// OAuth v2 / v3 (OAuth-style body) [doc][obs]; `message` is the OAuth `error`.
pub const OAUTH_INVALID_REQUEST: ErrorDef =
    e("oauth_invalid_request", "20001", 400, "invalid_request");
pub const OAUTH_INVALID_CLIENT: ErrorDef =
    e("oauth_invalid_client", "20002", 400, "invalid_client");
pub const OAUTH_BAD_CODE: ErrorDef = e("oauth_invalid_grant", "20003", 400, "invalid_grant");
pub const OAUTH_CODE_APP_MISMATCH: ErrorDef =
    e("oauth_code_app_mismatch", "20024", 400, "invalid_grant");
pub const OAUTH_BAD_REFRESH: ErrorDef = e("oauth_refresh_invalid", "20026", 400, "invalid_grant");
pub const OAUTH_UNSUPPORTED_GRANT: ErrorDef = e(
    "oauth_unsupported_grant_type",
    "20001",
    400,
    "unsupported_grant_type",
);

/// Every error a Feishu endpoint can answer (fault rules pick by name or code; the first
/// entry with a code wins a lookup by code).
pub static ERRORS: &[ErrorDef] = &[
    INTERNAL,
    NOT_SUPPORT,
    PARAM,
    DATA_NOT_EXIST,
    NO_PERMISSION,
    DATA_CONFLICT,
    STATUS_UNEXPECTED,
    MEETING_NOT_EXIST,
    OPERATOR_NOT_IN,
    TARGET_NOT_IN,
    CANNOT_OPERATE_SELF,
    FULL,
    BUSY,
    LOCKED,
    PARTICIPANT_STATUS,
    MISSING_TOKEN,
    TENANT_TOKEN_INVALID,
    TENANT_TOKEN_NOT_SUPPORT,
    APP_TOKEN_INVALID,
    USER_TOKEN_INVALID,
    USER_TOKEN_NOT_SUPPORT,
    TOKEN_EXPIRED,
    NO_SCOPE,
    RATE_LIMITED,
    TOKEN_INVALID_PARAM,
    TOKEN_BAD_SECRET,
    OIDC_BAD_REQUEST,
    OIDC_CODE_FAIL,
    OIDC_REFRESH_INVALID,
    OIDC_APP_MISMATCH,
    OAUTH_INVALID_REQUEST,
    OAUTH_INVALID_CLIENT,
    OAUTH_BAD_CODE,
    OAUTH_CODE_APP_MISMATCH,
    OAUTH_BAD_REFRESH,
    OAUTH_UNSUPPORTED_GRANT,
];

/// The troubleshooter link the open platform attaches to errors.
fn troubleshooter(log_id: &str, code: &str) -> String {
    format!(
        "排查建议查看(Troubleshooting suggestions): https://open.feishu.cn/search?from=openapi&log_id={log_id}&code={code}&method_id=0"
    )
}

/// Renders `err` in the envelope of its code family; `detail` replaces the message (the
/// OAuth `error_description` for 20xxx OAuth errors).
pub fn render(ex: &Exchange<'_>, err: &ErrorDef, detail: Option<&str>) -> Reply {
    render_full(ex, err, detail, None)
}

fn render_full(
    ex: &Exchange<'_>,
    err: &ErrorDef,
    detail: Option<&str>,
    reason: Option<&str>,
) -> Reply {
    let status = StatusCode::from_u16(err.status).unwrap_or(StatusCode::BAD_REQUEST);
    let code: i64 = err.code.parse().unwrap_or(121001);
    let msg = detail.unwrap_or(err.message);
    let body = if err.name.starts_with("oauth_") {
        json!({
            "code": code,
            "error": err.message,
            "error_description": detail.unwrap_or(oauth_description(err)),
        })
    } else if err.code.starts_with("100") || code == 99991400 {
        json!({"code": code, "msg": msg})
    } else {
        let mut error = json!({
            "log_id": ex.request_id,
            "troubleshooter": troubleshooter(&ex.request_id, err.code),
        });
        if let Some(r) = reason {
            // The open platform lists specifics as `error.details[{key, value}]`.
            error["details"] = json!([{"key": "reason", "value": r}]);
        }
        json!({"code": code, "msg": msg, "error": error})
    };
    Reply::json(status, &body).with_code(err.code)
}

/// The default OAuth `error_description` of an OAuth-style error.
fn oauth_description(err: &ErrorDef) -> &'static str {
    match err.code {
        "20002" => "The client secret is invalid.",
        "20003" => "The authorization code is not found, expired or already used.",
        "20024" => "The authorization code does not belong to this app.",
        "20026" => "The refresh token is invalid, expired or already used.",
        _ if err.message == "unsupported_grant_type" => "The grant_type is not supported.",
        _ => "The request is missing a required parameter or is malformed.",
    }
}

/// Shorthand used by every handler: the catalogue entry rendered with its own message.
pub fn fail(ex: &Exchange<'_>, err: &ErrorDef) -> Reply {
    render(ex, err, None)
}

/// A catalogue entry with its exact message plus a reason in `error.details` (121003 says
/// which field is wrong there; OAuth errors put it in `error_description`).
pub fn fail_with(ex: &Exchange<'_>, err: &ErrorDef, reason: &str) -> Reply {
    if err.name.starts_with("oauth_") {
        return render(ex, err, Some(reason));
    }
    render_full(ex, err, None, Some(reason))
}
