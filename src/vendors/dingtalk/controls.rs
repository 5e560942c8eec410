//! In-meeting controls of a conference in progress: kick, mute members, mute all, co-hosts,
//! lock, update a member's nick, focus (spotlight) a member (notes §6.6 route table; DingTalk
//! pages `set-up-co-hosts`, `api-lockconference` and neighbours) — all `{"success": true}` —
//! and the settings update `PUT …/videoConferences/{id}` (UpdateVideoConferenceSetting),
//! which answers the SDK model's `{"case", "code"}` ([INF] values `"success"`, `"200"`, as
//! CloseVideoConference's `{cause, code}` but typed as that model: both strings).
//!
//! Members are named by `userList[{unionId, participantId}]`; a phone member is named by its
//! number in `unionId` or by its `participantId`. A name that is neither a member nor a user
//! of the app → `unknownUserError`; a user who is not in the conference →
//! `error:user is not in the conference` ([INF]). `action` values: mute `mute`/`unmute`,
//! co-hosts `add`/`remove` (also `delete`), lock `lock`/`unlock`, focus [INF] `set`/`cancel`;
//! others → `error:action is invalid`.

use super::conferences::{conf_id, live, live_ref, tenant};
use super::errors::{self, Fail};
use super::schema::{extra, Fields};
use crate::exchange::{Exchange, Reply};
use crate::store::{Meeting, TenantData};
use serde_json::{json, Map, Value};

/// Runs `f` on the live conference of the path with the parsed body.
fn control(
    ex: &mut Exchange<'_>,
    f: impl FnOnce(&Fields, &mut TenantData, &str, i64) -> Result<(), Fail>,
) -> Reply {
    let r = (|| {
        let id = conf_id(ex)?;
        let body = Fields::parse(&ex.body)?;
        let now = ex.now_secs();
        tenant(ex)?.with(|d| f(&body, d, &id, now))?;
        Ok(json!({ "success": true }))
    })();
    errors::reply(ex, r)
}

/// Resolves `userList` to the user ids of members currently seated (joined or being called).
fn seated(f: &Fields, d: &TenantData, m: &Meeting) -> Result<Vec<String>, Fail> {
    let list = f.objects("userList")?;
    if list.is_empty() {
        return Err(Fail::params("userList is empty"));
    }
    let mut out = Vec::with_capacity(list.len());
    for item in list {
        let union = item.opt_str("unionId")?.unwrap_or("").trim().to_string();
        let pid = item
            .opt_str("participantId")?
            .unwrap_or("")
            .trim()
            .to_string();
        if union.is_empty() && pid.is_empty() {
            return Err(Fail::params("unionId is empty"));
        }
        let p = m.participants.iter().find(|p| {
            (!union.is_empty() && p.user_id == union)
                || (!pid.is_empty() && p.participant_id == pid)
        });
        match p {
            Some(p) if p.occupies_seat() => out.push(p.user_id.clone()),
            Some(_) => return Err(Fail::of("not_in_conference")),
            None if d.user(&union).is_none() => return Err(Fail::of("unknown_user")),
            None => return Err(Fail::of("not_in_conference")),
        }
    }
    Ok(out)
}

/// `POST …/members/kick` (KickMembers): the members leave with attendStatus 5.
pub fn kick(ex: &mut Exchange<'_>) -> Reply {
    control(ex, |f, d, id, now| {
        let rejoin_forbidden = f.opt_bool("forbiddenRejoin")?.unwrap_or(false);
        let users = seated(f, d, live_ref(d, id)?)?;
        let m = live(d, id)?;
        if users.iter().any(|u| m.host.as_deref() == Some(u.as_str())) {
            return Err(Fail::params("the host cannot be kicked"));
        }
        for u in &users {
            let _ = m.kick(u, now);
            if let Some(p) = m.participant_mut(u) {
                p.extra.insert(extra::ATTEND_STATUS.into(), json!(5));
                p.extra
                    .insert(extra::FORBIDDEN_REJOIN.into(), json!(rejoin_forbidden));
            }
        }
        Ok(())
    })
}

fn mute_flag(f: &Fields) -> Result<bool, Fail> {
    match f.req_str("action")? {
        "mute" => Ok(true),
        "unmute" => Ok(false),
        _ => Err(Fail::params("action is invalid")),
    }
}

/// `POST …/members/mute` (MuteMembers).
pub fn mute(ex: &mut Exchange<'_>) -> Reply {
    control(ex, |f, d, id, _| {
        let muted = mute_flag(f)?;
        let users = seated(f, d, live_ref(d, id)?)?;
        let m = live(d, id)?;
        for u in &users {
            if let Some(p) = m.participant_mut(u) {
                p.extra.insert(extra::MIC_MUTED.into(), json!(muted));
            }
        }
        Ok(())
    })
}

/// Mutes (or unmutes) everyone but the host and co-hosts.
fn mute_others(m: &mut Meeting, muted: bool) {
    let host = m.host.clone();
    for p in m.participants.iter_mut() {
        let co = p.extra.get(extra::CO_HOST).and_then(Value::as_bool) == Some(true);
        if host.as_deref() != Some(p.user_id.as_str()) && !co {
            p.extra.insert(extra::MIC_MUTED.into(), json!(muted));
        }
    }
}

/// `POST …/allMembers/mute` (MuteAll): everyone but the host and co-hosts.
pub fn mute_all(ex: &mut Exchange<'_>) -> Reply {
    control(ex, |f, d, id, _| {
        let muted = mute_flag(f)?;
        let force = f.opt_bool("forceMute")?.unwrap_or(false);
        let m = live(d, id)?;
        mute_others(m, muted);
        m.extra.insert("muteAll".into(), json!(muted));
        m.extra.insert("forceMute".into(), json!(muted && force));
        Ok(())
    })
}

/// `POST …/coHosts/set` (Cohosts).
pub fn cohosts(ex: &mut Exchange<'_>) -> Reply {
    control(ex, |f, d, id, _| {
        let add = match f.req_str("action")? {
            "add" => true,
            "remove" | "delete" => false,
            _ => return Err(Fail::params("action is invalid")),
        };
        let users = seated(f, d, live_ref(d, id)?)?;
        let m = live(d, id)?;
        if add && users.iter().any(|u| m.host.as_deref() == Some(u.as_str())) {
            return Err(Fail::params("the host cannot be a co-host"));
        }
        for u in &users {
            if let Some(p) = m.participant_mut(u) {
                p.extra.insert(extra::CO_HOST.into(), json!(add));
            }
        }
        Ok(())
    })
}

/// `POST …/lock` (LockConference): a locked conference refuses invitations.
pub fn lock(ex: &mut Exchange<'_>) -> Reply {
    control(ex, |f, d, id, _| {
        let locked = match f.req_str("action")? {
            "lock" => true,
            "unlock" => false,
            _ => return Err(Fail::params("action is invalid")),
        };
        live(d, id)?.set_locked(locked);
        Ok(())
    })
}

/// `POST …/members/updateNick` (UpdateMemberNick).
pub fn update_nick(ex: &mut Exchange<'_>) -> Reply {
    control(ex, |f, d, id, _| {
        let nick = f.req_str("nick")?.to_string();
        let union = f.req_str("unionId")?.to_string();
        let known = d.user(&union).is_some();
        let m = live(d, id)?;
        match m.participant_mut(&union) {
            Some(p) if p.occupies_seat() => p.name = nick,
            Some(_) => return Err(Fail::of("not_in_conference")),
            None if !known => return Err(Fail::of("unknown_user")),
            None => return Err(Fail::of("not_in_conference")),
        }
        Ok(())
    })
}

/// `POST …/focus` (Focus): puts one seated member on everyone's main screen, or takes them off.
pub fn focus(ex: &mut Exchange<'_>) -> Reply {
    control(ex, |f, d, id, _| {
        let on = match f.req_str("action")? {
            "set" | "focus" => true,
            "cancel" | "unfocus" => false,
            _ => return Err(Fail::params("action is invalid")),
        };
        let union = f.req_str("unionId")?.to_string();
        let known = d.user(&union).is_some();
        let m = live(d, id)?;
        match m.participant(&union) {
            Some(p) if p.occupies_seat() => {}
            Some(_) => return Err(Fail::of("not_in_conference")),
            None if !known => return Err(Fail::of("unknown_user")),
            None => return Err(Fail::of("not_in_conference")),
        }
        let focus = if on { json!(union) } else { Value::Null };
        m.set_extra("focusUnionId", focus);
        Ok(())
    })
}

/// The settings `PUT …/videoConferences/{conferenceId}` may change, all booleans.
const SETTINGS: [&str; 6] = [
    "allowUnmuteSelf",
    "autoTransferHost",
    "forbiddenShareScreen",
    "lockConference",
    "muteAll",
    "onlyInternalEmployeesJoin",
];

/// `PUT /v1.0/conference/videoConferences/{conferenceId}` (UpdateVideoConferenceSetting):
/// `lockConference` locks as LockConference does (a locked conference refuses invitations),
/// `muteAll` mutes as MuteAll does; the others are recorded (`GET /__admin/meetings/{id}`).
/// Every field is validated before anything changes.
pub fn update_settings(ex: &mut Exchange<'_>) -> Reply {
    let r = (|| {
        let id = conf_id(ex)?;
        let body = Fields::parse(&ex.body)?;
        let mut given = Map::new();
        for k in SETTINGS {
            if let Some(v) = body.opt_bool(k)? {
                given.insert(k.to_string(), json!(v));
            }
        }
        tenant(ex)?.with(|d| {
            let m = live(d, &id)?;
            if let Some(lock) = given.get("lockConference").and_then(Value::as_bool) {
                m.set_locked(lock);
            }
            if let Some(mute) = given.get("muteAll").and_then(Value::as_bool) {
                mute_others(m, mute);
            }
            for (k, v) in given {
                m.set_extra(&k, v);
            }
            Ok::<(), Fail>(())
        })?;
        Ok(json!({ "case": "success", "code": "200" }))
    })();
    errors::reply(ex, r)
}
