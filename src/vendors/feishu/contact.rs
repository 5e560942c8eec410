//! The contact lookups an integration makes before inviting: `POST
//! /open-apis/contact/v3/users/batch_get_id` (open.feishu.cn `contact-v3/user/batch_get_id`:
//! emails / mobiles → user ids) and `GET /open-apis/contact/v3/users/{user_id}`
//! (`contact-v3/user/get`), answered from the app's user directory.
//!
//! batch_get_id: tenant token; at most 50 emails and 50 mobiles, else 99992402 "field
//! validation failed" with `error.field_violations` [obs]; one entry per email and per mobile,
//! in request order, without `user_id` when nobody matches [obs]. A user whose `registered`
//! is false (admin `unregistered`) reads as not activated. get: tenant or user token; an id of
//! the wrong shape is 40001, an unknown one 41012 [doc table; which case gets which: inf].

use super::apps;
use super::errors::{self, *};
use super::meetings::ok;
use super::schema::{self, find_user, id_type, tri, wire_id};
use crate::exchange::{Exchange, Reply};
use crate::store::{TenantData, User};
use serde::Deserialize;
use serde_json::{json, Value};

/// Most emails, and most mobiles, per call [doc].
const MAX_EACH: usize = 50;

#[derive(Deserialize)]
struct BatchGetIdBody {
    #[serde(default)]
    emails: Vec<String>,
    #[serde(default)]
    mobiles: Vec<String>,
    #[serde(default)]
    #[allow(dead_code)]
    include_resigned: Option<bool>,
}

fn status(u: &User) -> Value {
    json!({"is_frozen": false, "is_resigned": false, "is_activated": u.registered,
           "is_exited": false, "is_unjoin": false})
}

/// Mobiles match with or without the `+86` country prefix [doc: mainland numbers may omit it].
fn same_mobile(stored: &str, asked: &str) -> bool {
    let bare = |s: &str| {
        s.trim_start_matches("+86")
            .trim_start_matches('-')
            .to_string()
    };
    stored == asked || bare(stored) == bare(asked)
}

/// `POST /open-apis/contact/v3/users/batch_get_id?user_id_type=`
pub fn batch_get_id(ex: &mut Exchange<'_>) -> Reply {
    let kind = tri!(id_type(ex));
    let body: BatchGetIdBody = match ex.json() {
        Ok(b) => b,
        Err(e) => return errors::field_violation(ex, "body", &e.to_string()),
    };
    for (field, list) in [("emails", &body.emails), ("mobiles", &body.mobiles)] {
        if list.len() > MAX_EACH {
            return errors::field_violation(ex, field, "the max len is 50");
        }
    }
    let t = tri!(schema::tenant(ex));
    let list: Vec<Value> = t.with(|d| {
        let by = |pick: &dyn Fn(&User) -> bool| d.users().find(|u| pick(u)).cloned();
        let entry = |key: &str, asked: &str, found: Option<User>| {
            let mut v = json!({ key: asked });
            if let Some(u) = found {
                v["user_id"] = json!(wire_id(d, kind, &u.id));
                v["status"] = status(&u);
            }
            v
        };
        let mut out = Vec::new();
        for e in &body.emails {
            let found = by(&|u: &User| {
                u.email
                    .as_deref()
                    .is_some_and(|m| m.eq_ignore_ascii_case(e))
            });
            out.push(entry("email", e, found));
        }
        for m in &body.mobiles {
            let found = by(&|u: &User| u.phone.as_deref().is_some_and(|p| same_mobile(p, m)));
            out.push(entry("mobile", m, found));
        }
        out
    });
    ok(json!({"user_list": list}))
}

/// The `user` object of contact get.
fn user_json(d: &TenantData, app: &str, u: &User) -> Value {
    let alias = |k: &str| u.aliases.get(k).cloned().unwrap_or_default();
    let email = u.email.clone().unwrap_or_default();
    json!({
        "union_id": alias("union_id"),
        "user_id": alias("user_id"),
        "open_id": wire_id(d, schema::IdType::OpenId, &u.id),
        "name": u.name,
        "en_name": u.name,
        "nickname": "",
        "email": email,
        "enterprise_email": email,
        "mobile": u.phone.clone().unwrap_or_default(),
        "mobile_visible": true,
        "gender": 0,
        "avatar": {"avatar_72": "", "avatar_240": "", "avatar_640": "", "avatar_origin": ""},
        "status": status(u),
        "department_ids": ["0"],
        "city": "",
        "country": "",
        "work_station": "",
        "join_time": 0,
        "is_tenant_manager": false,
        "employee_no": "",
        "employee_type": 1,
        "job_title": "",
        "tenant_key": apps::tenant_key(app),
    })
}

/// `GET /open-apis/contact/v3/users/{user_id}?user_id_type=&department_id_type=`
pub fn get(ex: &mut Exchange<'_>) -> Reply {
    let kind = tri!(id_type(ex));
    match ex.query("department_id_type").as_deref() {
        None | Some("department_id") | Some("open_department_id") => {}
        Some(_) => {
            return errors::fail_with(
                ex,
                &CONTACT_PARAM,
                "department_id_type must be department_id or open_department_id",
            )
        }
    }
    let wire = ex.param("user_id").to_string();
    if !kind.well_formed(&wire) {
        return errors::fail_with(ex, &CONTACT_PARAM, "user_id does not match user_id_type");
    }
    let t = tri!(schema::tenant(ex));
    let v = t.with(|d| {
        let uid = find_user(d, kind, &wire)?;
        let u = d.user(&uid)?;
        Some(user_json(d, &t.id, u))
    });
    match v {
        Some(user) => ok(json!({"user": user})),
        None => errors::fail(ex, &CONTACT_USER_INVALID),
    }
}
