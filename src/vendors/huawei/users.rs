//! Huawei user management (用户管理: AddUser, ShowUserDetail, UpdateUser, BatchDeleteUsers,
//! BatchUpdateUserStatus, SearchUsers) and the corporate directory (SearchCorpDir, `GET
//! /v1/usg/abs/users`), where invite numbers come from (InviteParticipant's page: "the number
//! can be found through the corporate directory; `number` is the SIP number, `phone` the
//! mobile").
//!
//! Mirrors the API reference pages of the same names and the SDK models (AddUserDTO,
//! ModUserDTO, UserDTO, SearchUserResultDTO). Adding an account that exists answers
//! USG.201040001; naming an account that does not exist USG.201040000 (a batch is all or
//! nothing). A user's `status` is 0 normal / 1 disabled: a disabled account's login answers 412.
//! Added users with a `pwd` can log in with CreateToken at once. Decision: any access token
//! of the enterprise may manage its users (admin roles are not modelled).

use super::auth::HW;
use super::errors::{fail, ok, ok_empty};
use super::meetings::paging;
use crate::exchange::{Exchange, Reply};
use crate::store::{splitmix64, User};
use serde_json::{json, Map, Value};

/// Display fields of AddUserDTO / ModUserDTO kept in the user's `extra`.
const KEPT: &[&str] = &[
    "englishName",
    "country",
    "deptCode",
    "deptName",
    "signature",
    "title",
    "desc",
    "sortLevel",
    "hidePhone",
];

/// The user's SIP number: as given, else a stable `+99111` number derived from the account.
pub fn sip_number(u: &User) -> String {
    if let Some(n) = u.extra.get("sipNum").and_then(Value::as_str) {
        return n.to_string();
    }
    let h = splitmix64(
        u.id.bytes()
            .fold(7u64, |a, b| a.wrapping_mul(31) ^ u64::from(b)),
    );
    format!("+99111{:09}", h % 1_000_000_000)
}

/// The user's 32-hex UUID (`userUUID` alias, else derived from the account).
pub(super) fn uuid(u: &User) -> String {
    u.aliases.get("userUUID").cloned().unwrap_or_else(|| {
        let h = splitmix64(
            u.id.bytes()
                .fold(3u64, |a, b| a.wrapping_mul(131) ^ u64::from(b)),
        );
        format!("{h:016x}{:016x}", splitmix64(h))
    })
}

fn x<'a>(u: &'a User, k: &str) -> &'a str {
    u.extra.get(k).and_then(Value::as_str).unwrap_or("")
}

/// UserDTO of ShowUserDetail / AddUser / UpdateUser.
fn detail(u: &User) -> Value {
    json!({
        "id": uuid(u), "userAccount": u.id, "name": u.name, "englishName": x(u, "englishName"),
        "phone": u.phone.as_deref().unwrap_or(""), "country": x(u, "country"),
        "email": u.email.as_deref().unwrap_or(""), "sipNum": sip_number(u), "vmrList": [],
        "deptCode": x(u, "deptCode"), "deptName": x(u, "deptName"), "deptNamePath": x(u, "deptName"),
        "userType": 2, "adminType": 2, "signature": x(u, "signature"), "title": x(u, "title"),
        "desc": x(u, "desc"), "status": i64::from(u.disabled), "sortLevel": 10000,
        "hidePhone": false, "thirdAccount": u.aliases.get("third_account").cloned().unwrap_or_default(),
        "license": 0,
    })
}

/// The corporate-directory entry (UserDTO of SearchCorpDir).
fn dir_entry(u: &User) -> Value {
    json!({
        "id": uuid(u), "statusCode": 0, "account": u.id, "name": u.name,
        "englishName": x(u, "englishName"), "email": u.email.as_deref().unwrap_or(""),
        "phone": u.phone.as_deref().unwrap_or(""), "deptName": x(u, "deptName"),
        "number": sip_number(u), "isHardTerminal": false, "type": "NORMAL_USER",
        "signature": x(u, "signature"), "title": x(u, "title"), "description": x(u, "desc"),
        "hidePhone": false, "deptCodes": [x(u, "deptCode")],
    })
}

/// Applies the AddUserDTO / ModUserDTO fields of `b` to `u`; `Err` on a bad field.
fn apply(u: &mut User, b: &Map<String, Value>) -> Result<(), &'static str> {
    let s = |k: &str| -> Result<Option<String>, &'static str> {
        match b.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(v)) if v.chars().count() <= 255 => Ok(Some(v.clone())),
            _ => Err("bad_request_param"),
        }
    };
    if let Some(n) = s("name")? {
        if n.trim().is_empty() {
            return Err("bad_request_param");
        }
        u.name = n;
    }
    if let Some(v) = s("phone")? {
        u.phone = Some(v).filter(|v| !v.is_empty());
    }
    if let Some(v) = s("email")? {
        u.email = Some(v).filter(|v| !v.is_empty());
    }
    if let Some(v) = s("pwd")? {
        u.password = Some(v);
    }
    if let Some(v) = s("thirdAccount")? {
        u.aliases.insert("third_account".into(), v);
    }
    match b.get("status").map(Value::as_i64) {
        None => {}
        Some(Some(0)) => u.disabled = false,
        Some(Some(1)) => u.disabled = true,
        Some(_) => return Err("bad_request_param"),
    }
    for k in KEPT {
        if let Some(v) = b.get(*k).filter(|v| !v.is_null()) {
            u.extra.insert((*k).to_string(), v.clone());
        }
    }
    Ok(())
}

/// POST /v1/usg/dcs/corp/member — AddUser.
pub fn add_user(ex: &mut Exchange<'_>) -> Reply {
    let Some(p) = ex.principal.clone() else {
        return fail("token_invalid");
    };
    let Ok(Value::Object(b)) = ex.json::<Value>() else {
        return fail("bad_request_param");
    };
    if b.get("name")
        .and_then(Value::as_str)
        .is_none_or(|n| n.trim().is_empty())
    {
        return fail("bad_request_param");
    }
    let account = match b
        .get("account")
        .and_then(Value::as_str)
        .filter(|a| !a.is_empty())
    {
        Some(a) => a.to_string(),
        None => format!("{}@{}", ex.app.store.ids.digits(10), p.tenant.id),
    };
    let mut u = User {
        id: account.clone(),
        registered: true,
        ..Default::default()
    };
    if let Err(name) = apply(&mut u, &b) {
        return fail(name);
    }
    u.aliases
        .insert("userUUID".into(), ex.app.store.ids.hex(32));
    let taken = ex.app.store.tenant_by_credential(HW, &account).is_some();
    let added = p.tenant.with(|d| {
        if taken || d.user_any(&account).is_some() {
            return None;
        }
        d.put_user(u.clone());
        Some(detail(&u))
    });
    match added {
        Some(v) => {
            ex.app.store.index_credential(HW, &account, &p.tenant.id);
            ok(&v)
        }
        None => fail("account_already_exists"),
    }
}

/// GET /v1/usg/dcs/corp/member/{account} — ShowUserDetail.
pub fn show_user_detail(ex: &mut Exchange<'_>) -> Reply {
    let Some(p) = ex.principal.clone() else {
        return fail("token_invalid");
    };
    let account = ex.param("account").to_string();
    match p.tenant.with(|d| d.user_any(&account).map(detail)) {
        Some(v) => ok(&v),
        None => fail("user_not_exist"),
    }
}

/// PUT /v1/usg/dcs/corp/member/{account} — UpdateUser.
pub fn update_user(ex: &mut Exchange<'_>) -> Reply {
    let Some(p) = ex.principal.clone() else {
        return fail("token_invalid");
    };
    let Ok(Value::Object(b)) = ex.json::<Value>() else {
        return fail("bad_request_param");
    };
    let account = ex.param("account").to_string();
    let r = p.tenant.with(|d| {
        let mut u = d.user_any(&account).cloned().ok_or("user_not_exist")?;
        apply(&mut u, &b)?;
        d.put_user(u.clone());
        Ok(detail(&u))
    });
    match r {
        Ok(v) => ok(&v),
        Err(name) => fail(name),
    }
}

/// The account list of a batch body (a JSON array of strings, non-empty).
fn accounts(ex: &Exchange<'_>) -> Result<Vec<String>, &'static str> {
    match ex.json::<Vec<String>>() {
        Ok(v) if !v.is_empty() => Ok(v),
        _ => Err("bad_request_param"),
    }
}

/// POST /v1/usg/dcs/corp/member/delete — BatchDeleteUsers (all or nothing).
pub fn batch_delete_users(ex: &mut Exchange<'_>) -> Reply {
    let Some(p) = ex.principal.clone() else {
        return fail("token_invalid");
    };
    let list = match accounts(ex) {
        Ok(l) => l,
        Err(name) => return fail(name),
    };
    let r = p.tenant.with(|d| {
        let ids: Option<Vec<String>> = list
            .iter()
            .map(|a| d.user_any(a).map(|u| u.id.clone()))
            .collect();
        let ids = ids.ok_or("user_not_exist")?;
        for id in ids {
            let _ = d.remove_user(&id);
        }
        Ok(())
    });
    match r {
        Ok(()) => ok_empty(),
        Err(name) => fail(name),
    }
}

/// PUT /v1/usg/dcs/corp/member/status/{value} — BatchUpdateUserStatus (0 normal, 1 disabled).
pub fn batch_update_user_status(ex: &mut Exchange<'_>) -> Reply {
    let Some(p) = ex.principal.clone() else {
        return fail("token_invalid");
    };
    let disabled = match ex.param("value") {
        "0" => false,
        "1" => true,
        _ => return fail("bad_request_param"),
    };
    let list = match accounts(ex) {
        Ok(l) => l,
        Err(name) => return fail(name),
    };
    let r = p.tenant.with(|d| {
        let ids: Option<Vec<String>> = list
            .iter()
            .map(|a| d.user_any(a).map(|u| u.id.clone()))
            .collect();
        for id in ids.ok_or("user_not_exist")? {
            d.set_user_disabled(&id, disabled)
                .map_err(|_| "user_not_exist")?;
        }
        Ok(())
    });
    match r {
        Ok(()) => ok_empty(),
        Err(name) => fail(name),
    }
}

/// Users matching `searchKey` (account, name, phone, email, SIP number), paged.
fn search(ex: &Exchange<'_>, entry: fn(&User) -> Value) -> Reply {
    let Some(p) = ex.principal.clone() else {
        return fail("token_invalid");
    };
    let Some((offset, limit)) = paging(ex, "offset", "limit", 10, 500) else {
        return fail("bad_request_param");
    };
    let key = ex.query("searchKey").unwrap_or_default();
    let dept = ex.query("deptCode").unwrap_or_default();
    let list: Vec<Value> = p.tenant.with(|d| {
        d.users()
            .filter(|u| {
                key.is_empty()
                    || [
                        u.id.as_str(),
                        u.name.as_str(),
                        u.phone.as_deref().unwrap_or(""),
                        u.email.as_deref().unwrap_or(""),
                        &sip_number(u),
                    ]
                    .iter()
                    .any(|f| f.contains(&key))
            })
            .filter(|u| dept.is_empty() || x(u, "deptCode") == dept)
            .map(entry)
            .collect()
    });
    let count = list.len();
    let page: Vec<Value> = list.into_iter().skip(offset).take(limit).collect();
    ok(&json!({"offset": offset, "limit": limit, "count": count, "data": page}))
}

/// GET /v1/usg/dcs/corp/member — SearchUsers.
pub fn search_users(ex: &mut Exchange<'_>) -> Reply {
    search(ex, detail)
}

/// GET /v1/usg/abs/users — SearchCorpDir (the corporate directory).
pub fn search_corp_dir(ex: &mut Exchange<'_>) -> Reply {
    search(ex, dir_entry)
}
