//! InviteUsers: `POST /v1.0/conference/videoConferences/{conferenceId}/users/invite`.
//!
//! Mirrors the seed page "invite-users-to-join" (help.dingtalk.io/open/development/
//! invite-users-to-join) and the raw SDK requests of notes §12. Rules, in the gateway's order
//! (notes §11.2): body validation (`paramsError`, e.g. `error:nick is empty`) → user
//! resolution (`unknownUserError`) → conference state. Nothing changes when any check fails.
//!
//! - `inviteeList[{unionId,nick}]` (nick required) and `phoneInviteeList[{phoneNumber,nick}]`
//!   (nick optional: the seed page and the SDK models mark it not required; [INF] a phone
//!   member without one is listed under its number); an omitted list
//!   and `[]` are the same. [INF] both empty → `paramsError` `error:inviteeList is empty`.
//! - `unionId` (operator) is optional; when given it must be a user of the app.
//! - Invitees become members with `attendStatus` 2 (calling); phone invitees have
//!   `pstnJoin: true` and no `unionId`. Someone already in the meeting stays as they are.
//! - [INF] Conference unknown → `error:conference not found`, closed → `error:conference has
//!   ended` (notes §7 last row); locked → `error:conference is locked`; not enough free seats
//!   for every new invitee → `error:conference member count exceeds the limit` (all or nothing).
//! - [INF] a phone number is 5–20 characters of digits with optional `+`, `-` and spaces.

use super::conferences::{conf_id, live, tenant};
use super::errors::{self, Fail};
use super::schema::{extra, Fields};
use crate::exchange::{Exchange, Reply};
use crate::store::{Invitee, ParticipantStatus};
use serde_json::{json, Value};
use std::collections::HashSet;

/// One call to place.
#[derive(Debug)]
struct Call {
    id: String,
    nick: String,
    pstn: bool,
}

/// The handler.
pub fn invite(ex: &mut Exchange<'_>) -> Reply {
    let r = invite_inner(ex);
    errors::reply(ex, r)
}

fn valid_phone(p: &str) -> bool {
    let digits = p.bytes().filter(u8::is_ascii_digit).count();
    (5..=20).contains(&p.len())
        && digits >= 5
        && p.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b' '))
}

/// The calls a body asks for, validated and de-duplicated (first occurrence wins).
fn calls(f: &Fields) -> Result<Vec<Call>, Fail> {
    let mut out = Vec::new();
    for item in f.objects("inviteeList")? {
        let id = item.req_str("unionId")?.to_string();
        let nick = item.req_str("nick")?.to_string();
        out.push(Call {
            id,
            nick,
            pstn: false,
        });
    }
    for item in f.objects("phoneInviteeList")? {
        let phone = item.req_str("phoneNumber")?.trim().to_string();
        if !valid_phone(&phone) {
            return Err(Fail::params("phoneNumber is invalid"));
        }
        // Not required for a phone invitee (seed page, SDK models): the number stands in.
        let nick = match item.opt_str("nick")?.map(str::trim) {
            Some(n) if !n.is_empty() => n.to_string(),
            _ => phone.clone(),
        };
        out.push(Call {
            id: phone,
            nick,
            pstn: true,
        });
    }
    if out.is_empty() {
        return Err(Fail::params("inviteeList is empty"));
    }
    let mut seen = HashSet::new();
    out.retain(|c| seen.insert(c.id.clone()));
    Ok(out)
}

fn invite_inner(ex: &Exchange<'_>) -> Result<Value, Fail> {
    let id = conf_id(ex)?;
    let f = Fields::parse(&ex.body)?;
    let operator = f.opt_str("unionId")?.filter(|s| !s.trim().is_empty());
    let calls = calls(&f)?;
    let ids = &ex.app.store.ids;
    tenant(ex)?.with(|d| {
        if operator.is_some_and(|op| d.user(op).is_none()) {
            return Err(Fail::of("unknown_user"));
        }
        if calls.iter().any(|c| !c.pstn && d.user(&c.id).is_none()) {
            return Err(Fail::of("unknown_user"));
        }
        let m = live(d, &id)?;
        if m.locked {
            return Err(Fail::of("conference_locked"));
        }
        let new_seats = calls
            .iter()
            .filter(|c| !m.participant(&c.id).is_some_and(|p| p.occupies_seat()))
            .count();
        if m.seats_taken() + new_seats > m.capacity as usize {
            return Err(Fail::of("conference_full"));
        }
        for c in &calls {
            let p = m
                .call(&c.id, &c.nick, ParticipantStatus::Calling)
                .map_err(|_| Fail::of("conference_full"))?;
            if p.status != ParticipantStatus::Joined {
                p.name = c.nick.clone();
            }
            if p.participant_id.is_empty() {
                p.participant_id = ids.hex(32);
            }
            p.extra.remove(extra::ATTEND_STATUS);
            p.extra.insert(extra::PSTN.into(), json!(c.pstn));
        }
        m.add_invitees(calls.iter().map(|c| {
            let mut inv = Invitee {
                user_id: c.id.clone(),
                name: c.nick.clone(),
                ..Default::default()
            };
            if c.pstn {
                inv.extra.insert(extra::PSTN.into(), json!(true));
            }
            inv
        }));
        Ok(json!({ "success": true }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_are_checked_loosely() {
        assert!(valid_phone("13800000000"));
        assert!(valid_phone("+86 138-0000-0000"));
        assert!(!valid_phone("1234"));
        assert!(!valid_phone("call me"));
    }

    #[test]
    fn omitted_and_empty_lists_are_alike_and_duplicates_collapse() {
        let f = Fields::parse(br#"{"inviteeList":[]}"#).unwrap();
        assert_eq!(calls(&f).unwrap_err(), Fail::params("inviteeList is empty"));
        let f =
            Fields::parse(br#"{"phoneInviteeList":[{"phoneNumber":"13800000000","nick":"P"}]}"#)
                .unwrap();
        assert_eq!(calls(&f).unwrap().len(), 1);
        let f = Fields::parse(
            br#"{"inviteeList":[{"unionId":"a","nick":"A"},{"unionId":"a","nick":"B"}]}"#,
        )
        .unwrap();
        assert_eq!(calls(&f).unwrap()[0].nick, "A");
        assert_eq!(calls(&f).unwrap().len(), 1);
    }

    #[test]
    fn an_object_where_a_list_belongs_is_a_params_error() {
        let f = Fields::parse(br#"{"inviteeList":{"unionId":"a","nick":"A"}}"#).unwrap();
        assert_eq!(
            calls(&f).unwrap_err(),
            Fail::params("inviteeList must be an array")
        );
        let f = Fields::parse(br#"{"inviteeList":[{"unionId":"a"}]}"#).unwrap();
        assert_eq!(calls(&f).unwrap_err(), Fail::params("nick is empty"));
        let f = Fields::parse(br#"{"phoneInviteeList":[{"phoneNumber":"13800000000"}]}"#).unwrap();
        assert_eq!(calls(&f).unwrap()[0].nick, "13800000000");
    }
}
