//! Admin meeting and user controls: what no vendor API offers (start, end, lock, capacity,
//! join/leave, calls and their manual outcomes, host leaves, busy and unregistered users),
//! across all vendors.

use super::{bad, not_found, AdminReq, AdminResult};
use crate::app::App;
use crate::store::{Meeting, MeetingState, ParticipantStatus, StoreError, Tenant, User, VendorId};
use http::StatusCode;
use serde_json::{json, Value};
use std::sync::Arc;

fn store_err(e: StoreError) -> (StatusCode, String) {
    match e {
        StoreError::MeetingNotFound(_) | StoreError::UserNotFound(_) => not_found(e.to_string()),
        _ => (StatusCode::CONFLICT, e.to_string()),
    }
}

/// The tenants a request narrows to with `vendor` / `tenant` (body or query).
fn scope(
    app: &App,
    req: &AdminReq<'_>,
    body: &Value,
) -> Result<Vec<Arc<Tenant>>, (StatusCode, String)> {
    let vendor = match req.field(body, "vendor") {
        Some(v) => Some(VendorId::parse(&v).ok_or_else(|| {
            bad(format!(
                "unknown vendor {v:?}; valid: tencent, feishu, dingtalk, huawei"
            ))
        })?),
        None => None,
    };
    let tenant = req.field(body, "tenant");
    Ok(app
        .store
        .tenants()
        .into_iter()
        .filter(|t| vendor.is_none_or(|v| t.vendor == v))
        .filter(|t| tenant.as_deref().is_none_or(|id| t.id == id))
        .collect())
}

/// The one tenant holding meeting `id` within the request's scope.
fn meeting_tenant(
    app: &App,
    req: &AdminReq<'_>,
    body: &Value,
    id: &str,
) -> Result<Arc<Tenant>, (StatusCode, String)> {
    let holders: Vec<Arc<Tenant>> = scope(app, req, body)?
        .into_iter()
        .filter(|t| t.with(|d| d.meetings.contains_key(id)))
        .collect();
    match holders.len() {
        0 => Err(not_found(format!(
            "no meeting {id:?} (give vendor/tenant to narrow the search)"
        ))),
        1 => Ok(Arc::clone(&holders[0])),
        _ => Err((
            StatusCode::CONFLICT,
            format!(
                "meeting id {id:?} exists in {} tenants; give vendor and tenant",
                holders.len()
            ),
        )),
    }
}

/// The admin view of a meeting.
pub fn view(t: &Tenant, m: &Meeting) -> Value {
    json!({
        "vendor": t.vendor,
        "tenant": t.id,
        "meeting": m,
    })
}

/// `GET /__admin/meetings?vendor=&tenant=&state=`
pub fn list(app: &App, req: &AdminReq<'_>) -> Value {
    let body = json!({});
    let tenants = scope(app, req, &body).unwrap_or_default();
    let state = req.q("state");
    let mut out = Vec::new();
    for t in tenants {
        t.with(|d| {
            for m in d.meetings.values() {
                if state.is_none_or(|s| m.state.as_str() == s) {
                    out.push(json!({
                        "vendor": t.vendor,
                        "tenant": t.id,
                        "id": m.id,
                        "code": m.code,
                        "topic": m.topic,
                        "state": m.state,
                        "host": m.host,
                        "locked": m.locked,
                        "capacity": m.capacity,
                        "seats_taken": m.seats_taken(),
                        "invitees": m.invitees.len(),
                    }));
                }
            }
        });
    }
    json!({ "meetings": out })
}

/// `GET /__admin/meetings/{id}`
pub fn get(app: &App, req: &AdminReq<'_>, id: &str) -> AdminResult {
    let body = json!({});
    let t = meeting_tenant(app, req, &body, id)?;
    t.with(|d| d.meeting(id).map(|m| view(&t, m)))
        .map_err(store_err)
}

fn user_name(d: &crate::store::TenantData, id: &str) -> String {
    d.user(id).map(|u| u.name.clone()).unwrap_or_default()
}

/// `POST /__admin/meetings/{id}/{action}`
pub fn control(app: &App, req: &AdminReq<'_>, id: &str, action: &str) -> AdminResult {
    let body = req.json()?;
    let t = meeting_tenant(app, req, &body, id)?;
    let now = app.store.clock.now_secs();
    let user = req.field(&body, "user");
    let ids = &app.store.ids;
    // A vendor whose schedules are reusable (Feishu reserves) opens a new meeting when one
    // starts or someone enters it.
    let new_id = matches!(action, "start" | "join" | "accept")
        .then(|| app.vendor(t.vendor).started_meeting_id(&app.store))
        .flatten();
    t.with(|d| -> AdminResult {
        let name = user.as_deref().map(|u| user_name(d, u)).unwrap_or_default();
        let known_user = user.as_deref().is_none_or(|u| d.user(u).is_some());
        let opens = new_id.is_some()
            && d.meeting(id).map_err(store_err)?.state == crate::store::MeetingState::Scheduled;
        // All or nothing: the action runs on a copy that replaces the meeting (or, opened from
        // a reusable schedule, is added) only when the whole action succeeded (a start whose
        // host cannot join leaves it scheduled).
        let mut copy = match new_id.clone().filter(|_| opens) {
            Some(new_id) => d.open_from(id, now, new_id).map_err(store_err)?,
            None => d.meeting(id).map_err(store_err)?.clone(),
        };
        let m = &mut copy;
        match action {
            "start" => {
                if !opens {
                    m.start(now).map_err(store_err)?;
                }
                // The host joins a started meeting, unless told `host_joins: false`.
                if body.get("host_joins") != Some(&Value::Bool(false)) {
                    if let Some(h) = m.host.clone() {
                        let hn = name_or(&h, &name, user.as_deref());
                        m.join(&h, &hn, now).map_err(store_err)?;
                    }
                }
            }
            "end" => m.end(now).map_err(store_err)?,
            "cancel" => m.cancel(now).map_err(store_err)?,
            "lock" => m.set_locked(true),
            "unlock" => m.set_locked(false),
            "capacity" => {
                let c = body
                    .get("capacity")
                    .and_then(Value::as_u64)
                    .filter(|c| *c >= 1 && *c <= u32::MAX as u64)
                    .ok_or_else(|| bad("`capacity` must be a whole number ≥ 1"))?;
                m.set_capacity(c as u32);
            }
            "fill" => {
                // Fill every free seat with anonymous joined guests.
                let free = (m.capacity as usize).saturating_sub(m.seats_taken());
                for i in 0..free {
                    let gid = format!("guest-{}", ids.hex(8));
                    m.join(&gid, &format!("Guest {i}"), now).map_err(store_err)?;
                }
            }
            "join" | "accept" => {
                let u = user.clone().ok_or_else(|| bad("`user` is required"))?;
                if !known_user {
                    return Err(not_found(format!("user {u:?} is not a user of tenant {}", t.id)));
                }
                // A join starts a scheduled meeting (someone entered it); with its waiting
                // room on, the user waits there instead (see store::waiting).
                m.enter(&u, &name, now).map_err(store_err)?;
                if let Some(p) = m.participant_mut(&u) {
                    if p.participant_id.is_empty() {
                        p.participant_id = ids.hex(32);
                    }
                } else {
                    m.set_waiter_id(&u, ids.hex(32));
                }
            }
            "ring" => {
                let u = user.clone().ok_or_else(|| bad("`user` is required"))?;
                m.ring(&u).map_err(|_| not_found(format!("{u:?} is not being called")))?;
            }
            "call" => {
                // The host calls someone from the client (every vendor's app can); the call
                // then follows the callee's behaviour like an API invite.
                let (id, who) = callee(&body, &name, user.as_deref(), known_user)?;
                if m.state != MeetingState::InProgress {
                    return Err((StatusCode::CONFLICT, format!("meeting is {}: only a meeting in progress places calls", m.state.as_str())));
                }
                let p = m.call(&id, &who, ParticipantStatus::Calling).map_err(store_err)?;
                if p.participant_id.is_empty() {
                    p.participant_id = ids.hex(32);
                }
            }
            "decline" | "miss" | "no-answer" | "no_answer" | "busy" => {
                let u = user.clone().ok_or_else(|| bad("`user` is required"))?;
                let (r, verb) = match action {
                    "decline" => (m.decline(&u, now), "decline"),
                    "busy" => (m.busy(&u, now), "answer busy"),
                    _ => (m.miss(&u, now), "miss the call"),
                };
                r.map_err(|_| {
                    (StatusCode::CONFLICT, format!("{u:?} is not being called (only a calling or ringing invitee can {verb})"))
                })?;
            }
            "leave" => {
                let u = user.clone().ok_or_else(|| bad("`user` is required"))?;
                m.leave(&u, now).map_err(store_err)?;
            }
            "host-leaves" | "host_leaves" => {
                let h = m.host.clone().ok_or_else(|| (StatusCode::CONFLICT, "the meeting has no host".to_string()))?;
                m.leave(&h, now).map_err(store_err)?;
            }
            "set-host" | "set_host" => {
                let u = user.clone().ok_or_else(|| bad("`user` is required"))?;
                m.set_host(Some(u));
            }
            // Screen sharing happens in the client apps, never through an API: this is its
            // trigger (store/share.rs).
            "share" => {
                let u = user.clone().ok_or_else(|| bad("`user` is required"))?;
                m.start_share(&u, now).map_err(store_err)?;
            }
            "unshare" => m.stop_share(now).map_err(store_err)?,
            other => {
                return Err(not_found(format!(
                    "unknown meeting action {other:?}; valid: start, end, cancel, lock, unlock, capacity, fill, join, accept, call, ring, decline, miss, busy, leave, host-leaves, set-host, share, unshare"
                )))
            }
        }
        let out = view(&t, m);
        if opens {
            d.insert_meeting(copy).map_err(store_err)?;
        } else {
            *d.meeting_mut(id).map_err(store_err)? = copy;
        }
        Ok(out)
    })
}

/// Who `call` dials: `{user}` (a user of the tenant) or `{number, name?}` (a phone or SIP
/// number outside the directory). Returns (participant id, display name).
fn callee(
    body: &Value,
    name: &str,
    user: Option<&str>,
    known_user: bool,
) -> Result<(String, String), (StatusCode, String)> {
    let number = body.get("number").and_then(Value::as_str).map(str::trim);
    match (user, number) {
        (Some(u), None) if known_user => Ok((u.to_string(), name.to_string())),
        (Some(u), None) => Err(not_found(format!("{u:?} is not a user of the tenant"))),
        (None, Some(n)) if !n.is_empty() && n.len() <= 128 => {
            let shown = body.get("name").and_then(Value::as_str).unwrap_or(n);
            Ok((n.to_string(), shown.to_string()))
        }
        _ => Err(bad(
            "give `user` (a user of the tenant) or `number` (1..128 chars)",
        )),
    }
}

fn name_or(host: &str, name: &str, user: Option<&str>) -> String {
    if user == Some(host) {
        name.to_string()
    } else {
        String::new()
    }
}

/// `POST /__admin/users/{id}/{action}`: busy, free, unregistered, registered.
pub fn user_control(app: &App, req: &AdminReq<'_>, id: &str, action: &str) -> AdminResult {
    let body = req.json()?;
    let tenants: Vec<Arc<Tenant>> = scope(app, req, &body)?
        .into_iter()
        .filter(|t| t.with(|d| d.user(id).is_some()))
        .collect();
    let t = match tenants.len() {
        0 => {
            return Err(not_found(format!(
                "no user {id:?} (give vendor/tenant to narrow the search)"
            )))
        }
        1 => Arc::clone(&tenants[0]),
        n => {
            return Err((
                StatusCode::CONFLICT,
                format!("user id {id:?} exists in {n} tenants; give vendor and tenant"),
            ))
        }
    };
    t.with(|d| {
        let u = d
            .user_mut(id)
            .ok_or_else(|| not_found(format!("no user {id:?}")))?;
        match action {
            "busy" => u.busy = body.get("busy").and_then(Value::as_bool).unwrap_or(true),
            "free" => u.busy = false,
            "unregistered" => u.registered = false,
            "registered" => u.registered = true,
            other => {
                return Err(not_found(format!(
                    "unknown user action {other:?}; valid: busy, free, unregistered, registered"
                )))
            }
        }
        Ok(json!({"vendor": t.vendor, "tenant": t.id, "user": u}))
    })
}

/// `GET /__admin/tenants`
pub fn tenants(app: &App) -> Value {
    let list: Vec<Value> = app
        .store
        .tenants()
        .iter()
        .map(|t| {
            let (users, meetings) = t.with(|d| (d.users().count(), d.meetings.len()));
            json!({"vendor": t.vendor, "id": t.id, "origin": t.origin, "users": users, "meetings": meetings})
        })
        .collect();
    json!({ "tenants": list, "strict": strict_map(app) })
}

/// Per vendor: whether unknown credentials are refused (`true`) or auto-provisioned.
fn strict_map(app: &App) -> Value {
    let m: serde_json::Map<String, Value> = VendorId::ALL
        .iter()
        .map(|v| (v.as_str().to_string(), json!(app.store.is_strict(*v))))
        .collect();
    Value::Object(m)
}

/// `PUT /__admin/tenants/strict` with `{"vendor": "dingtalk", "strict": true}` (no `vendor`:
/// every vendor): unknown credentials of that vendor are refused with the vendor's own error
/// instead of auto-provisioned, until set back or `POST /__admin/reset`.
pub fn set_strict(app: &App, req: &AdminReq<'_>) -> AdminResult {
    let body = req.json()?;
    let strict = body
        .get("strict")
        .and_then(Value::as_bool)
        .ok_or_else(|| bad("`strict` must be true or false"))?;
    let vendors = match req.field(&body, "vendor") {
        None => VendorId::ALL.to_vec(),
        Some(v) => vec![VendorId::parse(&v).ok_or_else(|| bad(format!("unknown vendor {v:?}")))?],
    };
    for v in vendors {
        app.store.set_strict(v, strict);
    }
    Ok(json!({ "strict": strict_map(app) }))
}

/// `POST /__admin/tenants/{vendor}/{tenant}/users` with `{"users":[…]}`: adds or replaces users.
pub fn add_users(app: &App, req: &AdminReq<'_>, vendor: &str, tenant: &str) -> AdminResult {
    let v = VendorId::parse(vendor).ok_or_else(|| bad(format!("unknown vendor {vendor:?}")))?;
    let t = app
        .store
        .tenant(v, tenant)
        .ok_or_else(|| not_found(format!("no tenant {vendor}/{tenant}")))?;
    let body = req.json()?;
    let users: Vec<User> =
        serde_json::from_value(body.get("users").cloned().unwrap_or(Value::Null))
            .map_err(|e| bad(format!("`users` must be a list of users: {e}")))?;
    if users.iter().any(|u| u.id.trim().is_empty()) {
        return Err(bad("every user needs a non-empty `id`"));
    }
    for u in &users {
        if u.password.is_some() {
            app.store.index_credential(v, &u.id, &t.id);
        }
    }
    let n = users.len();
    t.with(|d| users.into_iter().for_each(|u| d.put_user(u)));
    Ok(json!({"added": n}))
}
