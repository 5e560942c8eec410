//! The enterprise user directory: `POST /v1/users`, `GET|PUT|DELETE /v1/users/{userid}`,
//! `GET /v1/users/list`, `PUT /v1/users/{userid}/invite-activate`,
//! `POST /v1/users/invite-activate` and `POST /v1/users/open-id-to-userid`.
//!
//! Mirrors the user-management pages of cloud.tencent.com/document/product/1095 and the SDK's
//! `user_manager` service (request and answer models of `wemeet_openapi` 1.0.10 and the Go SDK
//! 1.0.x: `status` and `entry_time` are strings, `user_account_type` an integer). Users are the
//! tenant's shared-store users, so creating one changes later invite answers: an invitee that is
//! a registered user is stored instead of being reported in `user_non_registered`.
//!
//! Decisions [INF]:
//! * a user created here is registered (status `"1"` 正常); scenario or admin users with
//!   `registered: false` are status `"3"` 未激活 and get activation links; the admin action
//!   `POST /__admin/users/{id}/registered` plays the person opening the link;
//! * the operator (`operator_id_type` 1) must be a user of the app, else 403/9042;
//! * phone: 6–15 ASCII digits (else 40000); email: `local@domain.tld` (else 41001); a userid,
//!   phone or email already taken answers 20002 / 41003 / 41002;
//! * list: `page` ≥ 1, `page_size` 1–20 (the docs' maximum for this list), users in id order;
//! * open ids are the users' `open_id` aliases; unknown ones go to `invalid_open_id_list`.

use super::ctx::{self, Out};
use super::errors;
use crate::exchange::{Exchange, Reply};
use crate::store::{TenantData, User};
use crate::vendors::ErrorDef;
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// Directory fields kept in `User.extra`, as sent.
const EXTRA: &[&str] = &[
    "area",
    "staff_id",
    "job_title",
    "entry_time",
    "department_list",
    "user_account_type",
    "avatar_url",
];

/// `POST /v1/users` and `PUT /v1/users/{userid}` bodies (the extra fields are read raw).
#[derive(Debug, Deserialize)]
struct UserBody {
    operator_id: Option<String>,
    operator_id_type: Option<i64>,
    userid: Option<String>,
    username: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    area: Option<String>,
    staff_id: Option<String>,
    job_title: Option<String>,
    entry_time: Option<i64>,
    department_list: Option<Vec<String>>,
    user_account_type: Option<i64>,
    avatar_url: Option<String>,
}

#[derive(Debug, Deserialize)]
struct IdListBody {
    operator_id: Option<String>,
    operator_id_type: Option<i64>,
    userid_list: Option<Vec<String>>,
    open_id_list: Option<Vec<String>>,
    sdkid: Option<String>,
}

fn fail(ex: &Exchange<'_>, e: &'static ErrorDef) -> Reply {
    errors::fail(ex, e)
}

/// The operator must be a user of the app (type 1); `Err` is the answer.
fn operator(ex: &Exchange<'_>, d: &TenantData, id: Option<&str>) -> Result<(), Reply> {
    match id {
        Some(op) if d.user(op).is_some() => Ok(()),
        Some(_) => Err(fail(ex, &errors::NO_PERMISSION)),
        None => Err(errors::invalid(ex, "operator_id is required")),
    }
}

fn phone_ok(p: &str) -> bool {
    (6..=15).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
}

fn email_ok(e: &str) -> bool {
    match e.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.split('.').count() >= 2
                && domain.split('.').all(|p| !p.is_empty())
        }
        None => false,
    }
}

/// Checks phone/email format and uniqueness against the other users.
fn check_contacts(
    d: &TenantData,
    me: &str,
    phone: Option<&str>,
    email: Option<&str>,
) -> Result<(), &'static ErrorDef> {
    if let Some(p) = phone {
        if !phone_ok(p) {
            return Err(&errors::PHONE_INVALID);
        }
        if d.users()
            .any(|u| u.id != me && u.phone.as_deref() == Some(p))
        {
            return Err(&errors::PHONE_EXISTS);
        }
    }
    if let Some(e) = email.filter(|e| !e.is_empty()) {
        if !email_ok(e) {
            return Err(&errors::EMAIL_INVALID);
        }
        if d.users()
            .any(|u| u.id != me && u.email.as_deref() == Some(e))
        {
            return Err(&errors::EMAIL_USED);
        }
    }
    Ok(())
}

/// Copies the directory fields that were sent into `extra`.
fn write_extra(extra: &mut Map<String, Value>, raw: &Value) {
    for k in EXTRA {
        if let Some(v) = raw.get(*k).filter(|v| !v.is_null()) {
            extra.insert((*k).to_string(), v.clone());
        }
    }
}

/// The user as the detail and list APIs show it.
fn view(u: &User) -> Value {
    let x = |k: &str| u.extra.get(k).cloned();
    let text = |k: &str| {
        x(k).and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    json!({
        "userid": u.id,
        "username": u.name,
        "uuid": text("uuid"),
        "phone": u.phone.clone().unwrap_or_default(),
        "email": u.email.clone().unwrap_or_default(),
        "area": x("area").unwrap_or(json!("86")),
        "staff_id": text("staff_id"),
        "job_title": text("job_title"),
        "entry_time": x("entry_time").map(|v| match v { Value::String(s) => s, v => v.to_string() }).unwrap_or_default(),
        "department_list": x("department_list")
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default()
            .iter()
            .map(|d| json!({ "department_id": d, "department_name": d }))
            .collect::<Vec<_>>(),
        "user_account_type": x("user_account_type").unwrap_or(json!(1)),
        "status": if u.registered { "1" } else { "3" },
        "phone_status": if u.phone.is_some() { 1 } else { 0 },
        "role_code": "normal",
        "role_name": "普通成员",
        "update_time": text("update_time"),
        "avatar_url": text("avatar_url"),
    })
}

/// `POST /v1/users`.
pub fn create(ex: &mut Exchange<'_>) -> Reply {
    create_inner(ex).unwrap_or_else(|e| e)
}

fn create_inner(ex: &mut Exchange<'_>) -> Out {
    let t = ctx::tenant(ex)?;
    let raw: Value = ctx::body(ex)?;
    let b: UserBody = ctx::body(ex)?;
    ctx::operator_type(ex, b.operator_id_type)?;
    let userid = ctx::need_str(ex, b.userid.clone(), "userid")?;
    let username = ctx::need_str(ex, b.username.clone(), "username")?;
    let phone = ctx::need_str(ex, b.phone.clone(), "phone")?;
    let _ = (
        &b.area,
        &b.staff_id,
        &b.job_title,
        b.entry_time,
        &b.department_list,
    );
    let _ = (b.user_account_type, &b.avatar_url);
    let uuid = ex.app.store.ids.hex(32);
    let now = ex.now_secs();
    t.with(|d| {
        operator(ex, d, b.operator_id.as_deref())?;
        if d.user(&userid).is_some() {
            return Err(fail(ex, &errors::USER_EXISTS));
        }
        check_contacts(d, &userid, Some(&phone), b.email.as_deref()).map_err(|e| fail(ex, e))?;
        let mut u = User {
            id: userid.clone(),
            name: username.clone(),
            phone: Some(phone.clone()),
            email: b.email.clone().filter(|e| !e.is_empty()),
            registered: true,
            ..Default::default()
        };
        write_extra(&mut u.extra, &raw);
        u.extra.insert("uuid".into(), json!(uuid));
        u.extra.insert("update_time".into(), json!(now.to_string()));
        d.put_user(u);
        Ok(())
    })?;
    ctx::ok(json!({
        "userid": userid,
        "username": username,
        "phone": phone,
        "email": b.email.unwrap_or_default(),
    }))
}

/// `GET /v1/users/{userid}?operator_id=&operator_id_type=`.
pub fn get(ex: &mut Exchange<'_>) -> Reply {
    get_inner(ex).unwrap_or_else(|e| e)
}

fn get_inner(ex: &mut Exchange<'_>) -> Out {
    let t = ctx::tenant(ex)?;
    let op = ctx::query_operator(ex)?;
    let id = ex.param("userid").to_string();
    let v = t.with(|d| {
        operator(ex, d, Some(&op))?;
        d.user(&id)
            .map(view)
            .ok_or_else(|| fail(ex, &errors::USER_NOT_EXIST))
    })?;
    ctx::ok(v)
}

/// `PUT /v1/users/{userid}`: changes the fields sent; `userid` renames the user.
pub fn update(ex: &mut Exchange<'_>) -> Reply {
    update_inner(ex).unwrap_or_else(|e| e)
}

fn update_inner(ex: &mut Exchange<'_>) -> Out {
    let t = ctx::tenant(ex)?;
    let raw: Value = ctx::body(ex)?;
    let b: UserBody = ctx::body(ex)?;
    ctx::operator_type(ex, b.operator_id_type)?;
    let id = ex.param("userid").to_string();
    let now = ex.now_secs();
    t.with(|d| {
        operator(ex, d, b.operator_id.as_deref())?;
        let mut u = d
            .user(&id)
            .cloned()
            .ok_or_else(|| fail(ex, &errors::USER_NOT_EXIST))?;
        let phone = b.phone.as_deref().filter(|p| !p.is_empty());
        check_contacts(d, &id, phone, b.email.as_deref()).map_err(|e| fail(ex, e))?;
        let new_id = b.userid.clone().filter(|n| !n.is_empty() && *n != id);
        if new_id.as_deref().is_some_and(|n| d.user(n).is_some()) {
            return Err(fail(ex, &errors::USER_EXISTS));
        }
        if let Some(n) = b.username.clone().filter(|n| !n.trim().is_empty()) {
            u.name = n;
        }
        if let Some(p) = phone {
            u.phone = Some(p.to_string());
        }
        if let Some(e) = b.email.clone() {
            u.email = Some(e).filter(|e| !e.is_empty());
        }
        write_extra(&mut u.extra, &raw);
        u.extra.insert("update_time".into(), json!(now.to_string()));
        if let Some(n) = new_id {
            d.remove_user(&id);
            u.id = n;
        }
        d.put_user(u);
        Ok(())
    })?;
    ctx::ok(json!({}))
}

/// `DELETE /v1/users/{userid}?operator_id=&operator_id_type=`.
pub fn delete(ex: &mut Exchange<'_>) -> Reply {
    delete_inner(ex).unwrap_or_else(|e| e)
}

fn delete_inner(ex: &mut Exchange<'_>) -> Out {
    let t = ctx::tenant(ex)?;
    let op = ctx::query_operator(ex)?;
    let id = ex.param("userid").to_string();
    t.with(|d| {
        operator(ex, d, Some(&op))?;
        d.remove_user(&id)
            .map(|_| ())
            .ok_or_else(|| fail(ex, &errors::USER_NOT_EXIST))
    })?;
    ctx::ok(json!({}))
}

/// Most users on one page of the list.
const MAX_PAGE_SIZE: usize = 20;

/// `GET /v1/users/list?page=&page_size=&operator_id=&operator_id_type=`.
pub fn list(ex: &mut Exchange<'_>) -> Reply {
    list_inner(ex).unwrap_or_else(|e| e)
}

fn list_inner(ex: &mut Exchange<'_>) -> Out {
    let t = ctx::tenant(ex)?;
    let op = ctx::query_operator(ex)?;
    let page = ctx::query_pos(ex, "page", 1)?;
    let size = ctx::query_pos(ex, "page_size", 20)?;
    if page == 0 {
        return Err(errors::invalid(ex, "page must be ≥ 1"));
    }
    if size == 0 || size > MAX_PAGE_SIZE {
        return Err(errors::invalid(ex, "page_size must be between 1 and 20"));
    }
    let v = t.with(|d| {
        operator(ex, d, Some(&op))?;
        let total = d.users().count();
        let users: Vec<Value> = d
            .users()
            .skip((page - 1).saturating_mul(size))
            .take(size)
            .map(view)
            .collect();
        Ok(json!({
            "total_count": total,
            "current_size": users.len(),
            "current_page": page,
            "page_size": size,
            "users": users,
        }))
    })?;
    ctx::ok(v)
}

fn activate_url(ex: &Exchange<'_>) -> String {
    format!(
        "https://meeting.tencent.com/activate/{}",
        ex.app.store.ids.hex(24)
    )
}

/// `PUT /v1/users/{userid}/invite-activate?operator_id=&operator_id_type=`: (re)sends the
/// activation invitation of an inactive user. An active user is 400/190004.
pub fn invite_one(ex: &mut Exchange<'_>) -> Reply {
    invite_one_inner(ex).unwrap_or_else(|e| e)
}

fn invite_one_inner(ex: &mut Exchange<'_>) -> Out {
    let t = ctx::tenant(ex)?;
    let op = ctx::query_operator(ex)?;
    let id = ex.param("userid").to_string();
    t.with(|d| {
        operator(ex, d, Some(&op))?;
        match d.user(&id) {
            None => Err(fail(ex, &errors::USER_NOT_EXIST)),
            Some(u) if u.registered => Err(errors::invalid(ex, "the account is already active")),
            Some(_) => Ok(()),
        }
    })?;
    ctx::ok(json!({}))
}

/// `POST /v1/users/invite-activate` `{userid_list ≤ 100}`: links for the inactive ones.
pub fn invite_links(ex: &mut Exchange<'_>) -> Reply {
    invite_links_inner(ex).unwrap_or_else(|e| e)
}

fn invite_links_inner(ex: &mut Exchange<'_>) -> Out {
    let t = ctx::tenant(ex)?;
    let b: IdListBody = ctx::body(ex)?;
    ctx::operator_type(ex, b.operator_id_type)?;
    let list = ctx::need(ex, b.userid_list, "userid_list")?;
    if list.is_empty() || list.len() > 100 {
        return Err(errors::invalid(ex, "userid_list: 1 to 100 userids"));
    }
    let inactive: Vec<String> = t.with(|d| {
        operator(ex, d, b.operator_id.as_deref())?;
        Ok(list
            .iter()
            .filter(|id| d.user(id).is_some_and(|u| !u.registered))
            .cloned()
            .collect())
    })?;
    let out: Vec<Value> = inactive
        .into_iter()
        .map(|u| json!({ "userid": u, "activate_url": activate_url(ex) }))
        .collect();
    ctx::ok(json!({ "inactivate_user_list": out }))
}

/// `POST /v1/users/open-id-to-userid` `{open_id_list ≤ 1000, sdkid}`.
pub fn open_id_to_userid(ex: &mut Exchange<'_>) -> Reply {
    open_id_inner(ex).unwrap_or_else(|e| e)
}

fn open_id_inner(ex: &mut Exchange<'_>) -> Out {
    let t = ctx::tenant(ex)?;
    let b: IdListBody = ctx::body(ex)?;
    ctx::operator_type(ex, b.operator_id_type)?;
    ctx::need_str(ex, b.sdkid, "sdkid")?;
    let list = ctx::need(ex, b.open_id_list, "open_id_list")?;
    if list.is_empty() || list.len() > 1000 {
        return Err(errors::invalid(ex, "open_id_list: 1 to 1000 open ids"));
    }
    let (found, invalid) = t.with(|d| {
        operator(ex, d, b.operator_id.as_deref())?;
        let mut found = Vec::new();
        let mut invalid = Vec::new();
        for o in list {
            match d.users().find(|u| u.aliases.get("open_id") == Some(&o)) {
                Some(u) => found.push(json!({ "open_id": o, "userid": u.id })),
                None => invalid.push(o),
            }
        }
        Ok((found, invalid))
    })?;
    ctx::ok(json!({ "userid_list": found, "invalid_open_id_list": invalid }))
}
