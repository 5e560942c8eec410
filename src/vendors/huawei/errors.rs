//! THE Huawei Cloud Meeting error catalogue and its one renderer.
//!
//! Mirrors the MMC/USG tables of the API reference ("Error Codes") and the notes
//! (`vendors/huawei.md` §5). Every body is `{"error_code": "...", "error_msg": "..."}`, content
//! type `application/json;charset=UTF-8`; the pipeline adds `X-Request-Id`.
//! MMC messages are the server enum names without the `CMS_` prefix; USG messages are English
//! sentences as on the error centre.
//!
//! Decisions where the notes say [REC]/[?]:
//! * MMC.111072065 is answered with 400 (current docs) rather than 500 (seed page).
//! * The REST USG codes for a wrong password / bad App-ID signature are not public: we chose
//!   `USG.201010001` (account or password incorrect) and `USG.201010025` / `USG.201010057`
//!   (App ID authentication failed / expired), mirroring the client SDK's 206010000,
//!   206010025 and 206010057. All three are 401, like the docs' "authentication failed".
//! * Account locked (423) and disabled (412) are the statuses CreateToken's page documents; their
//!   REST codes are not public: `USG.201010010` and `USG.201010007` mirror the client SDK's
//!   412100010 (account locked) and 206010007 (account disabled). USG.201040000 / 201040001
//!   (user does not exist / account already exists) are the codes integrations check for
//!   (terraform, public AddUser callers); their English messages are ours.
//! * An unknown attendee `type` answers MMC.111070001 CONF_BAD_REQUEST (no dedicated code is
//!   known). The cancel-refused code 111071067 has no public enum name: we use
//!   `CONF_IS_ONGOING_CANNOT_CANCEL`.
//! * Unknown paths: the API gateway's `APIGW.0101`, 404.

use crate::exchange::{Exchange, Reply};
use crate::vendors::ErrorDef;
use http::StatusCode;
use serde_json::json;

/// The content type every Huawei answer carries.
pub const CONTENT_TYPE: &str = "application/json;charset=UTF-8";

macro_rules! e {
    ($name:literal, $code:literal, $status:literal, $msg:literal) => {
        ErrorDef {
            name: $name,
            code: $code,
            status: $status,
            message: $msg,
        }
    };
}

/// Every error the emulated endpoints can answer (fault rules pick by name or code).
pub static ERRORS: &[ErrorDef] = &[
    // --- USG (login and tokens) ---
    e!(
        "bad_request_param",
        "USG.000000001",
        400,
        "The request parameter is invalid."
    ),
    e!(
        "token_invalid",
        "USG.000000004",
        401,
        "The token is invalid or has expired."
    ),
    e!(
        "account_or_password_error",
        "USG.201010001",
        401,
        "The account or password is incorrect."
    ),
    e!(
        "account_locked",
        "USG.201010010",
        423,
        "The account has been locked."
    ),
    e!(
        "account_disabled",
        "USG.201010007",
        412,
        "The account has been disabled."
    ),
    e!(
        "user_not_exist",
        "USG.201040000",
        400,
        "The user does not exist."
    ),
    e!(
        "account_already_exists",
        "USG.201040001",
        400,
        "The account already exists."
    ),
    e!(
        "appid_auth_failed",
        "USG.201010025",
        401,
        "App ID authentication failed."
    ),
    e!(
        "appid_auth_expired",
        "USG.201010057",
        401,
        "App ID authentication has expired."
    ),
    // --- MMC: meeting management ---
    e!("conf_bad_request", "MMC.111070001", 400, "CONF_BAD_REQUEST"),
    e!(
        "conf_data_not_found",
        "MMC.111070005",
        400,
        "CONF_DATA_NOT_FOUND"
    ),
    e!(
        "conf_authen_need_password",
        "MMC.111070009",
        400,
        "CONF_AUTHEN_NEED_PASSWORD"
    ),
    e!(
        "request_token_is_null",
        "MMC.111070111",
        400,
        "REQUEST_TOKEN_IS_NULL"
    ),
    e!(
        "conf_start_time_less_than_current_time",
        "MMC.111071013",
        400,
        "CONF_START_TIME_LESS_THAN_CURRENT_TIME"
    ),
    e!(
        "conf_duration_over_range",
        "MMC.111071015",
        400,
        "CONF_DURATION_OVER_RANGE"
    ),
    e!(
        "conf_media_types_illegal",
        "MMC.111071018",
        400,
        "CONF_MEDIA_TYPES_ILLEGAL"
    ),
    e!(
        "conf_length_over_range",
        "MMC.111071021",
        400,
        "CONF_LENGTH_OVER_RANGE"
    ),
    e!(
        "conf_subject_length_too_long",
        "MMC.111071022",
        400,
        "CONF_SUBJECT_LENGTH_TOO_LONG"
    ),
    e!(
        "conf_email_illegal",
        "MMC.111071024",
        400,
        "CONF_EMAIL_ILLEGAL"
    ),
    e!("conf_sms_illegal", "MMC.111071025", 400, "CONF_SMS_ILLEGAL"),
    e!(
        "conf_modify_fail_as_conf_already_started",
        "MMC.111071065",
        400,
        "CONF_MODIFY_FAIL_AS_CONF_ALREADY_STARTED"
    ),
    e!(
        "conf_is_ongoing_cannot_cancel",
        "MMC.111071067",
        400,
        "CONF_IS_ONGOING_CANNOT_CANCEL"
    ),
    // --- MMC: meeting control ---
    e!("conf_is_closing", "MMC.111072003", 400, "CONF_IS_CLOSING"),
    e!("conf_not_started", "MMC.111072005", 400, "CONF_NOT_STARTED"),
    e!("conf_is_closed", "MMC.111072006", 400, "CONF_IS_CLOSED"),
    e!(
        "conf_participant_not_exist",
        "MMC.111072008",
        400,
        "CONF_PARTICIPANT_NOT_EXIST"
    ),
    e!(
        "conf_status_illegal",
        "MMC.111072011",
        400,
        "CONF_STATUS_ILLEGAL"
    ),
    e!(
        "site_call_number_is_empty",
        "MMC.111072031",
        400,
        "SITE_CALL_NUMBER_IS_EMPTY"
    ),
    e!(
        "site_call_number_length_too_long",
        "MMC.111072032",
        400,
        "SITE_CALL_NUMBER_LENGTH_TOO_LONG"
    ),
    e!(
        "site_call_number_illegal_uri",
        "MMC.111072033",
        400,
        "SITE_CALL_NUMBER_ILLEGAL_URI"
    ),
    e!(
        "site_name_length_too_long",
        "MMC.111072034",
        400,
        "SITE_NAME_LENGTH_TOO_LONG"
    ),
    e!(
        "site_role_not_in_range",
        "MMC.111072035",
        400,
        "SITE_ROLE_NOT_IN_RANGE"
    ),
    e!(
        "site_email_length_too_long",
        "MMC.111072036",
        400,
        "SITE_EMAIL_LENGTH_TOO_LONG"
    ),
    e!(
        "site_sms_length_too_long",
        "MMC.111072037",
        400,
        "SITE_SMS_LENGTH_TOO_LONG"
    ),
    e!(
        "site_name_is_empty",
        "MMC.111072046",
        400,
        "SITE_NAME_IS_EMPTY"
    ),
    e!(
        "site_new_name_length_too_long",
        "MMC.111072047",
        400,
        "SITE_NEW_NAME_LENGTH_TOO_LONG"
    ),
    e!("conf_locked", "MMC.111072050", 400, "CONF_LOCKED"),
    e!(
        "request_body_is_null",
        "MMC.111072057",
        400,
        "REQUEST_BODY_IS_NULL"
    ),
    e!(
        "conf_ctr_login_locked",
        "MMC.111072064",
        400,
        "CONF_CTR_LOGIN_LOCKED"
    ),
    e!(
        "conf_not_found_or_auth_failed",
        "MMC.111072065",
        400,
        "CONF_NOT_FOUND_OR_AUTH_FAILED"
    ),
    e!(
        "over_max_participant_number",
        "MMC.111072101",
        400,
        "OVER_MAX_PARTICIPANT_NUMBER"
    ),
    e!(
        "vmr_resource_not_enough",
        "MMC.111076003",
        400,
        "CONF_PORTAL_PARTICIPANT_VMR_LOGIC_RESOURCE_NOT_ENOUGH"
    ),
    e!(
        "resource_not_enough",
        "MMC.111076004",
        400,
        "CONF_PORTAL_PARTICIPANT_RESOURCE_NOT_ENOUGH"
    ),
    e!(
        "participant_dialog_failed",
        "MMC.112010010",
        500,
        "PARTICIPANT_DIALOG_FAILED"
    ),
    e!(
        "server_flow_control",
        "MMC.100000429",
        429,
        "SERVER_FLOW_CONTROL"
    ),
    // DEVIATION: the real code of an unexpected server fault is not public.
    // DEVIATION: no code is public for a failed `meeting.verify` (webhook.rs).
    e!(
        "webhook_verify_failed",
        "MMC.100000501",
        500,
        "WEBHOOK_VERIFY_FAILED"
    ),
    e!(
        "internal_error",
        "MMC.100000500",
        500,
        "SERVER_INTERNAL_ERROR"
    ),
    // --- API gateway ---
    e!(
        "api_not_found",
        "APIGW.0101",
        404,
        "The API does not exist or has not been published in the environment"
    ),
    e!(
        "request_too_large",
        "APIGW.0201",
        413,
        "Request entity too large"
    ),
];

/// The catalogue entry named `name` (a typo is a bug: falls back to the internal error).
pub fn def(name: &str) -> &'static ErrorDef {
    ERRORS
        .iter()
        .find(|e| e.name == name)
        .unwrap_or(&ERRORS[ERRORS.len() - 3])
}

/// Renders an entry exactly as Huawei does; `detail` replaces the message.
pub fn render(err: &ErrorDef, detail: Option<&str>) -> Reply {
    let status = StatusCode::from_u16(err.status).unwrap_or(StatusCode::BAD_REQUEST);
    let body = json!({
        "error_code": err.code,
        "error_msg": detail.unwrap_or(err.message),
    });
    Reply::json_as(status, CONTENT_TYPE, &body).with_code(err.code)
}

/// The error `name` of the catalogue, rendered.
pub fn fail(name: &str) -> Reply {
    render(def(name), None)
}

/// A login refusal as the USG login service answers it: the error body also carries
/// `request_id` (the `X-Request-Id` value). [sdk] The Java SDK's MeetingCredentials reads
/// `error_code`, `error_msg` and `request_id` from a failed login's body and fails with a
/// NullPointerException when one is missing, so the live login service must send all three.
pub fn login_answer(ex: &Exchange<'_>, reply: Reply) -> Reply {
    if reply.status.as_u16() < 400 {
        return reply;
    }
    let Ok(serde_json::Value::Object(mut body)) = serde_json::from_slice(&reply.body) else {
        return reply;
    };
    body.insert("request_id".into(), json!(ex.request_id));
    let mut out = Reply::json_as(reply.status, CONTENT_TYPE, &body);
    out.code = reply.code;
    out
}

/// A success answer with the Huawei content type.
pub fn ok(value: &impl serde::Serialize) -> Reply {
    Reply::json_as(StatusCode::OK, CONTENT_TYPE, value).with_code("0")
}

/// A success answer with an empty body (void operations).
pub fn ok_empty() -> Reply {
    Reply::new(StatusCode::OK, CONTENT_TYPE, bytes::Bytes::new()).with_code("0")
}

/// Records the meeting an answer is about, for the journal.
pub fn note_meeting(ex: &mut Exchange<'_>, id: &str) {
    if !id.is_empty() {
        ex.note.meeting = Some(id.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_codes_are_unique() {
        for (i, a) in ERRORS.iter().enumerate() {
            for b in &ERRORS[i + 1..] {
                assert_ne!(a.name, b.name);
                assert_ne!(a.code, b.code);
            }
        }
        assert_eq!(def("internal_error").code, "MMC.100000500");
        assert_eq!(def("no such name").code, "MMC.100000500");
    }
}
