//! Huawei per-participant and whole-meeting controls: MuteParticipant, MuteMeeting, SetRole,
//! SetCohost, RenameParticipant (control token), and InviteWithPwd (meeting ID + password).
//!
//! Mirrors support.huaweicloud.com `api-meeting` pages of the same names and the SDK models
//! (RestMuteParticipantReqBody `isMute`, RestMuteReqBody `isMute`/`allowUnmuteByOneself`,
//! RestChairTokenReqBody `applyChair`/`chairmanPwd`, RestSetCohostBody `isCohost`,
//! RestRenamePartReqBody `participantID`/`number`/`newName`, RestInviteWithPwdReqBody `callNum`/
//! `confID`/`pwd`). A participant is named by its 32-hex `participantID` (or, for rename, its
//! number); one not in the meeting answers 111072008. New names: empty 111072046, over 96
//! characters 111072047. SetRole with a wrong chair password answers 111072065.
//! InviteWithPwd: the chair password always invites; the guest password is a guest acting on
//! its own, refused with 111072050 CONF_LOCKED while the meeting is locked; a wrong password
//! counts toward the control-login lockout (`conftoken.rs`).

use super::conftoken::CONTROL_LOCK;
use super::control::{control_ctx, state_error};
use super::errors::{fail, note_meeting, ok_empty};
use super::locate;
use super::resource;
use super::views::{self, keys};
use crate::exchange::{Exchange, Principal, Reply};
use crate::store::same_secret;
use crate::store::{ControlLogin, Meeting, ParticipantStatus};
use serde_json::Value;

/// A 0/1 integer field of the body.
fn flag(body: &Value, key: &str) -> Result<bool, &'static str> {
    match body.get(key).and_then(Value::as_i64) {
        Some(0) => Ok(false),
        Some(1) => Ok(true),
        _ => Err("conf_bad_request"),
    }
}

/// The user id of the seated participant with this participant id.
fn by_pid(m: &Meeting, pid: &str) -> Result<String, &'static str> {
    m.participants
        .iter()
        .find(|p| !pid.is_empty() && p.participant_id == pid && p.occupies_seat())
        .map(|p| p.user_id.clone())
        .ok_or("conf_participant_not_exist")
}

/// Runs `f` on the gated meeting with the parsed body under the tenant lock.
fn control(
    ex: &mut Exchange<'_>,
    f: impl FnOnce(&mut Meeting, &Value, &str) -> Result<(), &'static str>,
) -> Reply {
    let (tenant, id) = match control_ctx(ex) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Ok(body) = ex.json::<Value>() else {
        return fail("request_body_is_null");
    };
    let pid = ex.query("participantID").unwrap_or_default();
    let r = tenant.with(|d| match d.meeting_mut(&id) {
        Ok(m) => f(m, &body, &pid),
        Err(_) => Err("conf_not_found_or_auth_failed"),
    });
    match r {
        Ok(()) => ok_empty(),
        Err(name) => fail(name),
    }
}

/// PUT /v1/mmc/control/conferences/participants/mute — MuteParticipant.
pub fn mute_participant(ex: &mut Exchange<'_>) -> Reply {
    control(ex, |m, body, pid| {
        let muted = flag(body, "isMute")?;
        let user = by_pid(m, pid)?;
        m.mute(&user, muted)
            .map_err(|_| "conf_participant_not_exist")
    })
}

/// PUT /v1/mmc/control/conferences/mute — MuteMeeting (everyone but the host).
pub fn mute_meeting(ex: &mut Exchange<'_>) -> Reply {
    control(ex, |m, body, _| {
        let muted = flag(body, "isMute")?;
        if !matches!(body.get("allowUnmuteByOneself"), None | Some(Value::Null))
            && flag(body, "allowUnmuteByOneself").is_err()
        {
            return Err("conf_bad_request");
        }
        m.mute_all(muted);
        Ok(())
    })
}

/// PUT /v1/mmc/control/conferences/participants/role — SetRole: `applyChair` 1 makes the
/// participant host (chair password required), 0 releases the host role.
pub fn set_role(ex: &mut Exchange<'_>) -> Reply {
    control(ex, |m, body, pid| {
        let apply = flag(body, "applyChair")?;
        let user = by_pid(m, pid)?;
        if !apply {
            if m.host.as_deref() == Some(user.as_str()) {
                m.set_host(None);
            }
            return Ok(());
        }
        let pwd = body
            .get("chairmanPwd")
            .and_then(Value::as_str)
            .unwrap_or("");
        if pwd.is_empty() {
            return Err("conf_authen_need_password");
        }
        if !same_secret(
            pwd.as_bytes(),
            views::extra_str(&m.extra, keys::CHAIR_PWD).as_bytes(),
        ) {
            return Err("conf_not_found_or_auth_failed");
        }
        m.set_host(Some(user));
        Ok(())
    })
}

/// PUT /v1/mmc/control/conferences/participants/cohost — SetCohost.
pub fn set_cohost(ex: &mut Exchange<'_>) -> Reply {
    control(ex, |m, body, pid| {
        let on = flag(body, "isCohost")?;
        let user = by_pid(m, pid)?;
        m.set_cohost(&user, on)
            .map_err(|_| "conf_participant_not_exist")
    })
}

/// PUT /v1/mmc/control/conferences/participants/name — RenameParticipant.
pub fn rename_participant(ex: &mut Exchange<'_>) -> Reply {
    control(ex, |m, body, _| {
        let name = body.get("newName").and_then(Value::as_str).unwrap_or("");
        if name.trim().is_empty() {
            return Err("site_name_is_empty");
        }
        if name.chars().count() > 96 {
            return Err("site_new_name_length_too_long");
        }
        let pid = body
            .get("participantID")
            .and_then(Value::as_str)
            .unwrap_or("");
        let number = body.get("number").and_then(Value::as_str).unwrap_or("");
        let user = match by_pid(m, pid) {
            Ok(u) => u,
            Err(e) => m
                .participants
                .iter()
                .find(|p| !number.is_empty() && p.user_id == number && p.occupies_seat())
                .map(|p| p.user_id.clone())
                .ok_or(e)?,
        };
        m.rename_participant(&user, name)
            .map_err(|_| "conf_participant_not_exist")
    })
}

/// POST /v1/mmc/control/conferences/inviteWithPwd — InviteWithPwd (no token: the meeting ID
/// and its host or guest password authorise the call).
pub fn invite_with_pwd(ex: &mut Exchange<'_>) -> Reply {
    let id = ex.query("conferenceID").unwrap_or_default();
    note_meeting(ex, &id);
    let Some(tenant) = locate::conference_tenant(ex, &id) else {
        return fail("conf_not_found_or_auth_failed");
    };
    ex.principal = Some(Principal {
        tenant: tenant.clone(),
        kind: None,
        user: None,
        token: None,
    });
    let Ok(body) = ex.json::<Value>() else {
        return fail("request_body_is_null");
    };
    let text = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or("").trim();
    let (call, conf, pwd) = (text("callNum"), text("confID"), text("pwd"));
    if !conf.is_empty() && conf != id {
        return fail("conf_bad_request");
    }
    if call.is_empty() {
        return fail("site_call_number_is_empty");
    }
    if call.chars().count() > 127 {
        return fail("site_call_number_length_too_long");
    }
    if pwd.is_empty() {
        return fail("conf_authen_need_password");
    }
    let now = ex.now_secs();
    let pid = ex.app.store.ids.hex(32);
    let r = tenant.with(|d| {
        let m = d
            .meeting_mut(&id)
            .map_err(|_| "conf_not_found_or_auth_failed")?;
        if let Some(name) = state_error(m, now) {
            return Err(name);
        }
        let chair = same_secret(
            pwd.as_bytes(),
            views::extra_str(&m.extra, keys::CHAIR_PWD).as_bytes(),
        );
        let guest = !chair
            && same_secret(
                pwd.as_bytes(),
                views::extra_str(&m.extra, keys::GUEST_PWD).as_bytes(),
            );
        match m.check_control_login(chair || guest, now, CONTROL_LOCK) {
            ControlLogin::Ok => {}
            ControlLogin::Locked => return Err("conf_ctr_login_locked"),
            ControlLogin::Wrong { .. } => return Err("conf_not_found_or_auth_failed"),
        }
        if guest && m.locked {
            return Err("conf_locked");
        }
        let seated = m.participant(call).is_some_and(|p| p.occupies_seat());
        resource::check(d, usize::from(!seated))?;
        let m = d
            .meeting_mut(&id)
            .map_err(|_| "conf_not_found_or_auth_failed")?;
        // The terminal is called and answers as its declared behaviour says (the living
        // invite, like InviteParticipant).
        let p = m
            .call(call, call, ParticipantStatus::Calling)
            .map_err(|_| "over_max_participant_number")?;
        if p.participant_id.is_empty() {
            p.participant_id = pid;
        }
        Ok(())
    });
    match r {
        Ok(()) => ok_empty(),
        Err(name) => fail(name),
    }
}
