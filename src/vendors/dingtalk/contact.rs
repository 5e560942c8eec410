//! The user lookups the conference pages send integrators to for unionIds ("Call the Query
//! user details API to obtain it" on create-a-video-conference, users/lists, invite): the old
//! gateway's `POST /topapi/v2/user/get` (userid → details with `unionid`), plus its neighbours
//! `POST /topapi/user/getbymobile` (mobile → userid) and `POST /topapi/user/getbyunionid`
//! (unionid → userid). Old-gateway rules (notes §5.2): the token travels in `?access_token=`,
//! every answer is HTTP 200 with `errcode` (0 = ok) and `errmsg`.
//!
//! Users: the unionId is the meetmock user id, the staff `userid` its `userId` alias (a user
//! without one is found by unionId), the mobile its `phone`. [INF] a missing parameter is
//! `400002 无效的参数` (the documented code of the neighbouring list API).

use super::auth::old_gateway_tenant;
use super::errors::{self, OAPI_BAD_PARAM, OAPI_BAD_TOKEN, OAPI_NO_USER};
use crate::exchange::{Exchange, Reply};
use crate::store::{Tenant, User};
use serde_json::{json, Value};
use std::sync::Arc;

/// The staff userid alias kind of DingTalk users.
const USER_ID: &str = "userId";

/// The token's tenant and the string parameter `key` of the body, or the refusal.
fn ask(ex: &mut Exchange<'_>, key: &str) -> Result<(Arc<Tenant>, String), Reply> {
    let Some(tenant) = old_gateway_tenant(ex) else {
        return Err(errors::oapi(
            ex,
            OAPI_BAD_TOKEN,
            "不合法的access_token",
            None,
        ));
    };
    let body: Value = serde_json::from_slice(&ex.body).unwrap_or(Value::Null);
    match body.get(key).and_then(Value::as_str).map(str::trim) {
        Some(v) if !v.is_empty() => Ok((tenant, v.to_string())),
        _ => Err(errors::oapi(ex, OAPI_BAD_PARAM, "无效的参数", None)),
    }
}

fn staff_id(u: &User) -> &str {
    u.id_as(Some(USER_ID))
}

fn answer(ex: &Exchange<'_>, found: Option<Value>) -> Reply {
    match found {
        Some(result) => errors::oapi(ex, 0, "ok", Some(result)),
        None => errors::oapi(ex, OAPI_NO_USER, "找不到该用户", None),
    }
}

/// `POST /topapi/v2/user/get?access_token=` body `{userid, language}`.
pub fn user_get(ex: &mut Exchange<'_>) -> Reply {
    let (t, userid) = match ask(ex, "userid") {
        Ok(v) => v,
        Err(r) => return r,
    };
    let found = t.with(|d| {
        d.user_by(Some(USER_ID), &userid).map(|u| {
            json!({
                "userid": staff_id(u),
                "unionid": u.id,
                "name": u.name,
                "mobile": u.phone.clone().unwrap_or_default(),
                "email": u.email.clone().unwrap_or_default(),
                "active": u.registered,
                "admin": false,
                "boss": false,
                "dept_id_list": [1],
            })
        })
    });
    answer(ex, found)
}

/// `POST /topapi/user/getbymobile?access_token=` body `{mobile}`.
pub fn by_mobile(ex: &mut Exchange<'_>) -> Reply {
    let (t, mobile) = match ask(ex, "mobile") {
        Ok(v) => v,
        Err(r) => return r,
    };
    let found = t.with(|d| {
        d.users()
            .find(|u| u.phone.as_deref() == Some(mobile.as_str()))
            .map(|u| json!({ "userid": staff_id(u) }))
    });
    answer(ex, found)
}

/// `POST /topapi/user/getbyunionid?access_token=` body `{unionid}`.
pub fn by_union_id(ex: &mut Exchange<'_>) -> Reply {
    let (t, union) = match ask(ex, "unionid") {
        Ok(v) => v,
        Err(r) => return r,
    };
    let found = t.with(|d| {
        d.user(&union)
            .map(|u| json!({ "contact_type": 0, "userid": staff_id(u) }))
    });
    answer(ex, found)
}
