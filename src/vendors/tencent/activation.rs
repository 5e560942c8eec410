//! Activation and id mapping of the user directory: `PUT /v1/users/{userid}/invite-activate`,
//! `POST /v1/users/invite-activate` and `POST /v1/users/open-id-to-userid`.
//!
//! Mirrors the user-management pages of cloud.tencent.com/document/product/1095 and the SDK's
//! `user_manager` service. Decisions [INF] (see also `users.rs`): an active user asked for an
//! activation answers 400/190004; links are made up per call; open ids are the users'
//! `open_id` aliases, unknown ones go to `invalid_open_id_list`.

use super::ctx::{self, Out};
use super::errors;
use super::users::{fail, operator};
use crate::exchange::{Exchange, Reply};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Debug, Deserialize)]
struct IdListBody {
    operator_id: Option<String>,
    operator_id_type: Option<i64>,
    userid_list: Option<Vec<String>>,
    open_id_list: Option<Vec<String>>,
    sdkid: Option<String>,
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
