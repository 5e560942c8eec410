//! THE DingTalk error catalogue and the one function that renders its envelope.
//!
//! Mirrors the gateway's flat error body seen on `api.dingtalk.com` (fidelity notes §7, the seed
//! page "invite-users-to-join" error table): HTTP 4xx/5xx and
//! `{"code": …, "requestid": …, "message": …}` (lowercase `requestid`, plus
//! `accessdenieddetail` on scope refusals), `Content-Type: application/json;charset=utf-8`.
//! The request id is the same uppercase UUID sent in the `x-acs-request-id` header.
//!
//! Conference-state refusals are undocumented by DingTalk; following the notes' [INF] row they
//! are all `400 paramsError` with an `error:<detail>` message, so a client that handles the
//! documented `paramsError` handles them too. They get their own catalogue names so fault rules
//! can name them.

use crate::exchange::{Exchange, Reply};
use crate::vendors::ErrorDef;
use http::StatusCode;
use serde_json::{json, Map, Value};

/// The gateway's content type (no space before `charset`, as observed).
pub const CONTENT_TYPE: &str = "application/json;charset=utf-8";

macro_rules! def {
    ($name:literal, $code:literal, $status:literal, $msg:literal) => {
        ErrorDef {
            name: $name,
            code: $code,
            status: $status,
            message: $msg,
        }
    };
}

/// Every error the emulated endpoints answer. The first entry of a code is the one a fault
/// rule naming the code gets.
pub static ERRORS: &[ErrorDef] = &[
    // The gateway's own checks, before the service (see `gateway.rs`). `%s` is the parameter
    // name as the API defines it: `MissingclientId` / `clientId is mandatory for this action.`
    // [OBS]; a JSON body sent form-encoded or not at all is `Missingbody` [OBS].
    def!("missing_parameter", "Missing%s", 400, "%s is mandatory for this action."),
    def!("missing_body", "Missingbody", 400, "body is mandatory for this action."),
    def!("missing_token", "AuthenticationFailed.MissingParameter", 400, "缺少参数：x-acs-dingtalk-access-token"),
    def!("invalid_token", "InvalidAuthentication", 400, "不合法的access_token"),
    def!("invalid_client", "invalidClientIdOrSecret", 400, "无效的clientId或者clientSecret"),
    // Third-party enterprise token with a bad suiteKey [OBS, notes §5.1].
    def!("invalid_suite_key", "invalidSuiteKey", 400, "suitekey不合法"),
    // `/v1.0/oauth2/{corpId}/token` with a corpId the app does not belong to [OBS, notes §5.1].
    def!("unknown_error", "unknownError", 500, "未知错误"),
    // [INF] message text after the comma: the gateway appends a link to the permission guide.
    def!("permission_denied", "Forbidden.AccessDenied.AccessTokenPermissionDenied", 403, "没有调用该接口的权限，接口权限申请参考：https://open.dingtalk.com/document/orgapp-server/add-api-permission"),
    // `%s` is the time the ban ends (Beijing time), see `ban_end_text`.
    def!("qps_limit", "Forbidden.AccessDenied.QpsLimitForApi", 403, "请求过于频繁，限制将在 %s 结束"),
    def!("qps_limit_app", "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi", 403, "请求过于频繁，限制将在 %s 结束"),
    // [INF] status 403 and message text (only the codes were observed).
    def!("ip_not_in_whitelist", "Forbidden.AccessDenied.IpNotInWhiteList", 403, "IP不在白名单内"),
    def!("api_count_limit", "Forbidden.AccessDenied.ApiCountLimitForOrg", 403, "企业的接口调用次数已超出限制"),
    def!("params_error", "paramsError", 400, "error:%s"),
    def!("unknown_user", "unknownUserError", 400, "unknownUserError"),
    def!("system_error", "systemError", 500, "systemError:%s"),
    // [INF] undocumented conference-state refusals, all in the paramsError family (notes §7).
    def!("conference_not_found", "paramsError", 400, "error:conference not found"),
    def!("conference_ended", "paramsError", 400, "error:conference has ended"),
    def!("conference_locked", "paramsError", 400, "error:conference is locked"),
    def!("conference_full", "paramsError", 400, "error:conference member count exceeds the limit"),
    def!("not_host", "paramsError", 400, "error:only the host can close the conference"),
    def!("not_in_conference", "paramsError", 400, "error:user is not in the conference"),
    // Unknown route or wrong method under /v1.0/: the gateway's 404 [OBS: "Specified api is
    // not found" for a POST to a path that does not exist; code as Alibaba's API gateway].
    def!("api_not_found", "InvalidAction.NotFound", 404, "Specified api is not found, please check your url and method."),
    def!("body_too_large", "paramsError", 400, "error:request body is too large"),
];

/// Index of `system_error` in [`ERRORS`] (checked by a test).
const SYSTEM_ERROR: usize = 14;

/// The catalogue entry named `name` (a programming error if absent: falls back to systemError).
pub fn def(name: &str) -> &'static ErrorDef {
    ERRORS
        .iter()
        .find(|e| e.name == name)
        .unwrap_or(&ERRORS[SYSTEM_ERROR])
}

/// The message of `err`, with `detail` filling its `%s` (or replacing a fixed message).
fn message(err: &ErrorDef, detail: Option<&str>) -> String {
    match (err.message.contains("%s"), detail) {
        (true, Some(d)) => err.message.replace("%s", d),
        (true, None) => err.message.replace("%s", default_detail(err)),
        (false, Some(d)) => d.to_string(),
        (false, None) => err.message.to_string(),
    }
}

fn default_detail(err: &ErrorDef) -> &'static str {
    match err.code {
        "Missing%s" => "Parameter",
        "paramsError" => "invalid parameter",
        "systemError" => "internal error",
        _ => "",
    }
}

/// Renders `err` exactly as the gateway does.
pub fn render(ex: &Exchange<'_>, err: &ErrorDef, detail: Option<&str>) -> Reply {
    let code: std::borrow::Cow<'static, str> = if err.code.contains("%s") {
        // `Missing<parameter>`: the code carries the name too.
        err.code.replace("%s", detail.unwrap_or("Parameter")).into()
    } else {
        err.code.into()
    };
    let mut body = Map::new();
    body.insert("code".into(), Value::from(code.as_ref()));
    body.insert("requestid".into(), Value::from(ex.request_id.as_str()));
    body.insert("message".into(), Value::from(message(err, detail)));
    if err.name == "permission_denied" {
        body.insert(
            "accessdenieddetail".into(),
            json!({ "requiredScopes": [required_scope(ex)] }),
        );
    }
    let status = StatusCode::from_u16(err.status).unwrap_or(StatusCode::BAD_REQUEST);
    Reply::json_as(status, CONTENT_TYPE, &Value::Object(body)).with_code(code)
}

/// The scope a conference route needs (notes §6): reads need `.Read`, the rest `.Write`.
fn required_scope(ex: &Exchange<'_>) -> &'static str {
    if ex.route.method == http::Method::GET {
        "VideoConference.Conference.Read"
    } else {
        "VideoConference.Conference.Write"
    }
}

/// Shorthand for handlers: the catalogue error `name` with an optional detail.
pub fn err(ex: &Exchange<'_>, name: &str, detail: Option<&str>) -> Reply {
    render(ex, def(name), detail)
}

/// The gateway's `Missing<name>` / `<name> is mandatory for this action.`
pub fn missing(ex: &Exchange<'_>, name: &str) -> Reply {
    err(ex, "missing_parameter", Some(name))
}

/// `paramsError` with `error:<detail>`.
pub fn params(ex: &Exchange<'_>, detail: &str) -> Reply {
    err(ex, "params_error", Some(detail))
}

/// `YYYY-MM-DD HH:MM:SS` in Beijing time (UTC+8) for a unix time in milliseconds: the
/// format of the QPS-limit message.
pub fn ban_end_text(unix_ms: i64) -> String {
    let secs = unix_ms.div_euclid(1000) + 8 * 3600;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ban_end_is_beijing_time() {
        // 2024-01-01T00:00:00Z is 08:00 in Beijing.
        assert_eq!(ban_end_text(1_704_067_200_000), "2024-01-01 08:00:00");
        assert_eq!(
            ban_end_text((951_868_800 - 8 * 3600) * 1000),
            "2000-03-01 00:00:00"
        );
    }

    #[test]
    fn names_are_unique_and_the_fallback_is_system_error() {
        let mut names: Vec<_> = ERRORS.iter().map(|e| e.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ERRORS.len());
        assert_eq!(def("nope").code, "systemError");
        assert_eq!(def("params_error").code, "paramsError");
    }

    #[test]
    fn detail_fills_the_template() {
        assert_eq!(
            message(def("params_error"), Some("nick is empty")),
            "error:nick is empty"
        );
        assert_eq!(
            message(def("system_error"), None),
            "systemError:internal error"
        );
        assert_eq!(message(def("unknown_user"), None), "unknownUserError");
        assert_eq!(
            message(def("missing_parameter"), Some("clientId")),
            "clientId is mandatory for this action."
        );
    }
}

/// A refused request, as a handler computes it under the tenant lock: the catalogue name and
/// the detail for its message. Turned into the envelope by [`reply`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fail {
    pub name: &'static str,
    pub detail: Option<String>,
}

impl Fail {
    /// The catalogue error `name`, message as catalogued.
    pub fn of(name: &'static str) -> Fail {
        Fail { name, detail: None }
    }

    /// `paramsError` / `error:<detail>`.
    pub fn params(detail: impl Into<String>) -> Fail {
        Fail {
            name: "params_error",
            detail: Some(detail.into()),
        }
    }
}

/// Schema errors from `schema::Fields` are parameter errors.
impl From<String> for Fail {
    fn from(detail: String) -> Fail {
        Fail::params(detail)
    }
}

/// The answer for a handler's result: the bare model with 200, or the catalogued error.
pub fn reply(ex: &Exchange<'_>, result: Result<Value, Fail>) -> Reply {
    match result {
        Ok(v) => Reply::json_as(StatusCode::OK, CONTENT_TYPE, &v),
        Err(f) => err(ex, f.name, f.detail.as_deref()),
    }
}

/// The old gateway's (`oapi.dingtalk.com`, `/topapi/…`) envelope: always HTTP 200,
/// `{errcode, errmsg, request_id}` (+ `sub_code`/`sub_msg` on token refusals, notes §5.2).
pub fn oapi(ex: &Exchange<'_>, errcode: i64, errmsg: &str, result: Option<Value>) -> Reply {
    let mut body = Map::new();
    body.insert("errcode".into(), json!(errcode));
    body.insert("errmsg".into(), json!(errmsg));
    if errcode == OAPI_BAD_TOKEN {
        body.insert("sub_code".into(), json!("40014"));
        body.insert("sub_msg".into(), json!(errmsg));
    }
    if let Some(r) = result {
        body.insert("result".into(), r);
    }
    body.insert("request_id".into(), json!(ex.request_id.to_lowercase()));
    Reply::json_as(StatusCode::OK, CONTENT_TYPE, &Value::Object(body))
        .with_code(errcode.to_string())
}

/// Old gateway: bad or missing `?access_token=` (`errcode 88`, `sub_code 40014`) [OBS].
pub const OAPI_BAD_TOKEN: i64 = 88;
/// Old gateway: a user that does not exist (`60121 找不到该用户`) [DOC].
pub const OAPI_NO_USER: i64 = 60121;
/// Old gateway: a missing or malformed parameter (`400002 无效的参数`) [DOC].
pub const OAPI_BAD_PARAM: i64 = 400002;
