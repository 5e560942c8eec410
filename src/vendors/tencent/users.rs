//! The enterprise user directory: `POST /v1/users`, `GET|PUT|DELETE /v1/users/{userid}`,
//! their uuid forms `GET|PUT|DELETE /v1/users?uuid=` and `GET /v1/users/list` (activation and
//! open-id mapping: `activation.rs`).
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
//! * under documented limits (`rate_limits: {tencent: documented}`) an app holds at most 99
//!   users (the free SecretId bound of 156009); creating the 100th answers 400/156009;
//! * list: `page` ≥ 1, `page_size` 1–20 (the docs' maximum for this list), users in id order;
//! * every user has a uuid: the one made on `POST /v1/users`, else one derived from the userid
//!   (so scenario users can be addressed by uuid too); it survives a rename; an unknown uuid
//!   is 20001, a missing one 190004.

use super::ctx::{self, Out};
use super::errors;
use crate::exchange::{Exchange, Reply};
use crate::store::{TenantData, User};
use crate::vendors::ErrorDef;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

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
pub(super) struct UserBody {
    pub(super) operator_id: Option<String>,
    pub(super) operator_id_type: Option<i64>,
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

pub(super) fn fail(ex: &Exchange<'_>, e: &'static ErrorDef) -> Reply {
    errors::fail(ex, e)
}

/// The operator must be a user of the app (type 1); `Err` is the answer.
pub(super) fn operator(ex: &Exchange<'_>, d: &TenantData, id: Option<&str>) -> Result<(), Reply> {
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

/// A user's uuid (腾讯会议颁发的用户身份 ID): the one given on `POST /v1/users`, else one
/// derived from the userid (stable, so scenario and admin users have one too).
pub fn uuid_of(u: &User) -> String {
    match u.extra.get("uuid").and_then(Value::as_str) {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => {
            let digest = Sha256::digest(format!("wemeet-uuid:{}", u.id).as_bytes());
            digest[..16].iter().map(|b| format!("{b:02x}")).collect()
        }
    }
}

/// The primary id of the user whose uuid is `uuid`.
pub(super) fn by_uuid(d: &TenantData, uuid: &str) -> Option<String> {
    d.users().find(|u| uuid_of(u) == uuid).map(|u| u.id.clone())
}

/// The user as the detail and list APIs show it.
pub(super) fn view(u: &User) -> Value {
    let x = |k: &str| u.extra.get(k).cloned();
    let text = |k: &str| {
        x(k).and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    json!({
        "userid": u.id,
        "username": u.name,
        "uuid": uuid_of(u),
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

/// Accounts a free SecretId may hold (/1095/43704, 156009): past it, creating a user answers
/// 156009 `人数超出上限` — under documented limits, counting every user of the app.
const MAX_FREE_ACCOUNTS: usize = 99;

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
    let seats = super::meetings::documented_limits(ex);
    t.with(|d| {
        operator(ex, d, b.operator_id.as_deref())?;
        if d.user(&userid).is_some() {
            return Err(fail(ex, &errors::USER_EXISTS));
        }
        if seats && d.users().count() >= MAX_FREE_ACCOUNTS {
            return Err(fail(ex, &errors::SEATS_EXHAUSTED));
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

/// `GET /v1/users/{userid}` and `GET /v1/users?uuid=` (`operator_id=&operator_id_type=`).
pub fn get(ex: &mut Exchange<'_>) -> Reply {
    get_inner(ex).unwrap_or_else(|e| e)
}

fn get_inner(ex: &mut Exchange<'_>) -> Out {
    let t = ctx::tenant(ex)?;
    let op = ctx::query_operator(ex)?;
    let v = t.with(|d| {
        let id = named(ex, d)?;
        operator(ex, d, Some(&op))?;
        id.and_then(|id| d.user(&id).map(view))
            .ok_or_else(|| fail(ex, &errors::USER_NOT_EXIST))
    })?;
    ctx::ok(v)
}

/// Who a user call names: the path's `{userid}`, else `?uuid=` (the uuid forms; `None` when
/// no user has it).
fn named(ex: &Exchange<'_>, d: &TenantData) -> Result<Option<String>, Reply> {
    let id = ex.param("userid");
    if !id.is_empty() {
        return Ok(Some(id.to_string()));
    }
    let uuid = ex
        .query("uuid")
        .filter(|u| !u.is_empty())
        .ok_or_else(|| errors::invalid(ex, "uuid is required"))?;
    Ok(by_uuid(d, &uuid))
}

/// `PUT /v1/users/{userid}` and `PUT /v1/users?uuid=`: changes the fields sent; `userid`
/// renames the user.
pub fn update(ex: &mut Exchange<'_>) -> Reply {
    update_inner(ex).unwrap_or_else(|e| e)
}

fn update_inner(ex: &mut Exchange<'_>) -> Out {
    let t = ctx::tenant(ex)?;
    let raw: Value = ctx::body(ex)?;
    let b: UserBody = ctx::body(ex)?;
    ctx::operator_type(ex, b.operator_id_type)?;
    t.with(|d| {
        let id = named(ex, d)?;
        change(ex, d, id.as_deref(), &raw, &b)
    })?;
    ctx::ok(json!({}))
}

/// Changes the fields of `b` on the user `id` (`None`: no such user → 20001); `userid` in the
/// body renames them. All checks come before any change.
pub(super) fn change(
    ex: &Exchange<'_>,
    d: &mut TenantData,
    id: Option<&str>,
    raw: &Value,
    b: &UserBody,
) -> Result<(), Reply> {
    let now = ex.now_secs();
    operator(ex, d, b.operator_id.as_deref())?;
    let id = id.ok_or_else(|| fail(ex, &errors::USER_NOT_EXIST))?;
    let mut u = d
        .user(id)
        .cloned()
        .ok_or_else(|| fail(ex, &errors::USER_NOT_EXIST))?;
    let phone = b.phone.as_deref().filter(|p| !p.is_empty());
    check_contacts(d, id, phone, b.email.as_deref()).map_err(|e| fail(ex, e))?;
    let new_id = b.userid.clone().filter(|n| !n.is_empty() && n != id);
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
    write_extra(&mut u.extra, raw);
    u.extra.insert("update_time".into(), json!(now.to_string()));
    if let Some(n) = new_id {
        u.extra.insert("uuid".into(), json!(uuid_of(&u)));
        d.remove_user(id);
        u.id = n;
    }
    d.put_user(u);
    Ok(())
}

/// `DELETE /v1/users/{userid}` and `DELETE /v1/users?uuid=` (`operator_id=&operator_id_type=`).
pub fn delete(ex: &mut Exchange<'_>) -> Reply {
    delete_inner(ex).unwrap_or_else(|e| e)
}

fn delete_inner(ex: &mut Exchange<'_>) -> Out {
    let t = ctx::tenant(ex)?;
    let op = ctx::query_operator(ex)?;
    t.with(|d| {
        let id = named(ex, d)?;
        operator(ex, d, Some(&op))?;
        id.and_then(|id| d.remove_user(&id))
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
