//! In-meeting operations: invite, kickout, set_host. Mirrors open.feishu.cn
//! `vc-v1/meeting/invite` (the seed, updated 2023-08-23), `meeting/kickout`,
//! `meeting/set_host` (`shared/vendors/feishu.md` §3.2, §3.5, §4.1).
//!
//! Invite rules, checked in this order: body (121003) → meeting exists and started (122002) →
//! in progress (122001) → operator in the meeting (122003) → not locked (122008) → not
//! inviting oneself (122005) → enough free seats for everyone newly called (122006, nothing
//! changes) → busy invitees.
// Busy invitees [REC, decided here]: a busy invitee gets `status: 2` in `invite_results`
// while the others are called; when every callable invitee is busy the call fails as a whole
// with 400/122007 "callee is busy". An id naming nobody of the app also gets `status: 2`.

use super::errors::{self, *};
use super::meetings::{no, ok, with_meeting, Refusal};
use super::schema::{self, find_or_learn_user, id_type, meeting_user, tri, IdType, MeetingUser};
use crate::exchange::{Exchange, Reply};
use crate::store::{Invitee, MeetingState, ParticipantStatus, TenantData};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Most invitees per call [doc].
const MAX_INVITEES: usize = 10;
/// Most users per kickout call [inf].
const MAX_KICKOUT: usize = 100;

/// A validated wire user: (wire id, user_type).
type WireUser = (String, i64);

/// Checks a `meeting_user` list: `1..=max` entries, each with an id of the right shape and a
/// known `user_type` (default 1).
fn users(
    list: Option<Vec<MeetingUser>>,
    field: &str,
    max: usize,
    kind: IdType,
) -> Result<Vec<WireUser>, String> {
    let list = list.ok_or_else(|| format!("{field} is required"))?;
    if list.is_empty() || list.len() > max {
        return Err(format!(
            "{field} must hold 1 to {max} users, got {}",
            list.len()
        ));
    }
    list.into_iter()
        .map(|u| {
            let id = u.id.unwrap_or_default();
            let ut = u.user_type.unwrap_or(1);
            if !(1..=7).contains(&ut) {
                return Err(format!("user_type {ut} is not one of 1..7"));
            }
            let shaped = if ut == 1 {
                kind.well_formed(&id)
            } else {
                !id.is_empty() && id.len() <= 128
            };
            if !shaped {
                return Err(format!("{id:?} is not a valid {kind:?} user id"));
            }
            Ok((id, ut))
        })
        .collect()
}

/// The primary id a wire user stands for (non-directory types pass through).
fn resolve(
    t: &crate::store::Tenant,
    d: &mut TenantData,
    kind: IdType,
    u: &WireUser,
    ids: &crate::store::Ids,
) -> Option<String> {
    if u.1 != 1 {
        return Some(u.0.clone());
    }
    find_or_learn_user(t, d, kind, &u.0, || format!("ou_{}", ids.hex(32)))
}

#[derive(Deserialize)]
struct InviteBody {
    invitees: Option<Vec<MeetingUser>>,
}

/// `PATCH /open-apis/vc/v1/meetings/{meeting_id}/invite` (user token only).
pub fn invite(ex: &mut Exchange<'_>) -> Reply {
    let kind = tri!(id_type(ex));
    let body: InviteBody = tri!(schema::body(ex));
    let list = match users(body.invitees, "invitees", MAX_INVITEES, kind) {
        Ok(l) => l,
        Err(why) => return errors::fail_with(ex, &PARAM, &why),
    };
    let t = tri!(schema::tenant(ex));
    let op = schema::operator(ex).unwrap_or_default();
    let ids = &ex.app.store.ids;
    let results = tri!(with_meeting(
        ex,
        &MEETING_NOT_EXIST,
        |d, m| -> Result<Vec<InviteResult>, Refusal> {
            if m.state != MeetingState::InProgress || super::view::is_calling(m) {
                return Err(no(&STATUS_UNEXPECTED));
            }
            if !m.is_joined(&op) {
                return Err(no(&OPERATOR_NOT_IN));
            }
            if m.locked {
                return Err(no(&LOCKED));
            }
            let resolved: Vec<Option<String>> =
                list.iter().map(|u| resolve(&t, d, kind, u, ids)).collect();
            if resolved.iter().flatten().any(|u| *u == op) {
                return Err(no(&CANNOT_OPERATE_SELF));
            }
            let busy = |u: &str| d.user(u).is_some_and(|u| u.busy);
            let mut newly: Vec<&str> = Vec::new();
            for u in resolved.iter().flatten() {
                let seated = m.participant(u).is_some_and(|p| p.occupies_seat());
                if !busy(u) && !seated && !newly.contains(&u.as_str()) {
                    newly.push(u);
                }
            }
            if newly.len() > (m.capacity as usize).saturating_sub(m.seats_taken()) {
                return Err(no(&FULL));
            }
            let any_busy = resolved.iter().flatten().any(|u| busy(u));
            let any_ok = resolved.iter().flatten().any(|u| !busy(u));
            if any_busy && !any_ok {
                return Err(no(&BUSY));
            }
            let mut out = Vec::with_capacity(list.len());
            for (u, r) in list.iter().zip(&resolved) {
                let called = match r {
                    Some(uid) if !busy(uid) => {
                        let name = d.user(uid).map(|x| x.name.clone()).unwrap_or_default();
                        let p = m
                            .call(uid, &name, ParticipantStatus::Calling)
                            .map_err(|_| no(&FULL))?;
                        p.extra.insert("user_type".into(), json!(u.1));
                        m.add_invitees([Invitee {
                            user_id: uid.clone(),
                            name,
                            ..Default::default()
                        }]);
                        true
                    }
                    _ => false,
                };
                out.push(InviteResult {
                    id: u.0.clone(),
                    status: if called { 1 } else { 2 },
                    user_type: u.1,
                });
            }
            Ok(out)
        }
    ));
    ok(InviteResults {
        invite_results: results,
    })
}

/// `data` of a successful invite.
#[derive(Serialize)]
struct InviteResults {
    invite_results: Vec<InviteResult>,
}

/// One invitee's outcome: status 1 called, 2 failed. Fields in the gateway's (alphabetical) order.
#[derive(Serialize)]
struct InviteResult {
    id: String,
    status: u8,
    user_type: i64,
}

#[derive(Deserialize)]
struct KickoutBody {
    kickout_users: Option<Vec<MeetingUser>>,
}

/// `POST /open-apis/vc/v1/meetings/{meeting_id}/kickout` (tenant token only): result 1 for
/// someone in (or being called into) the meeting, 2 otherwise.
pub fn kickout(ex: &mut Exchange<'_>) -> Reply {
    let kind = tri!(id_type(ex));
    let body: KickoutBody = tri!(schema::body(ex));
    let list = match users(body.kickout_users, "kickout_users", MAX_KICKOUT, kind) {
        Ok(l) => l,
        Err(why) => return errors::fail_with(ex, &PARAM, &why),
    };
    let t = tri!(schema::tenant(ex));
    let ids = &ex.app.store.ids;
    let now = ex.now_secs();
    let results = tri!(with_meeting(
        ex,
        &MEETING_NOT_EXIST,
        |d, m| -> Result<Vec<Value>, Refusal> {
            if m.state != MeetingState::InProgress {
                return Err(no(&STATUS_UNEXPECTED));
            }
            Ok(list
                .iter()
                .map(|u| {
                    let removed =
                        resolve(&t, d, kind, u, ids).is_some_and(|uid| m.kick(&uid, now).is_ok());
                    json!({"id": u.0, "user_type": u.1, "result": if removed { 1 } else { 2 }})
                })
                .collect())
        }
    ));
    ok(json!({"kickout_results": results}))
}

#[derive(Deserialize)]
struct SetHostBody {
    host_user: Option<MeetingUser>,
    old_host_user: Option<MeetingUser>,
}

/// `PATCH /open-apis/vc/v1/meetings/{meeting_id}/set_host`: a user operator must be in the
/// meeting and its host; `old_host_user` is a compare-and-set guard (409/121006).
pub fn set_host(ex: &mut Exchange<'_>) -> Reply {
    let kind = tri!(id_type(ex));
    let body: SetHostBody = tri!(schema::body(ex));
    let one = |u: Option<MeetingUser>, field: &str| -> Result<Option<WireUser>, String> {
        match u {
            None => Ok(None),
            Some(u) => Ok(users(Some(vec![u]), field, 1, kind)?.into_iter().next()),
        }
    };
    let target = match one(body.host_user, "host_user") {
        Ok(Some(t)) => t,
        Ok(None) => return errors::fail_with(ex, &PARAM, "host_user is required"),
        Err(why) => return errors::fail_with(ex, &PARAM, &why),
    };
    let old = match one(body.old_host_user, "old_host_user") {
        Ok(o) => o,
        Err(why) => return errors::fail_with(ex, &PARAM, &why),
    };
    let t = tri!(schema::tenant(ex));
    let op = schema::operator(ex);
    let ids = &ex.app.store.ids;
    let v = tri!(with_meeting(
        ex,
        &MEETING_NOT_EXIST,
        |d, m| -> Result<Value, Refusal> {
            if m.state != MeetingState::InProgress {
                return Err(no(&STATUS_UNEXPECTED));
            }
            if let Some(op) = &op {
                if !m.is_joined(op) {
                    return Err(no(&OPERATOR_NOT_IN));
                }
                if m.host.as_ref() != Some(op) {
                    return Err(no(&NO_PERMISSION));
                }
            }
            let uid = resolve(&t, d, kind, &target, ids).ok_or_else(|| no(&TARGET_NOT_IN))?;
            if op.as_ref() == Some(&uid) {
                return Err(no(&CANNOT_OPERATE_SELF));
            }
            if let Some(o) = &old {
                if resolve(&t, d, kind, o, ids) != m.host {
                    return Err(no(&DATA_CONFLICT));
                }
            }
            if !m.is_joined(&uid) {
                return Err(no(&TARGET_NOT_IN));
            }
            m.set_host(Some(uid.clone()));
            Ok(meeting_user(d, kind, &uid, target.1))
        }
    ));
    ok(json!({"host_user": v}))
}
