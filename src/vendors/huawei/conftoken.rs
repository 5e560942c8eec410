//! Huawei meeting-control tokens: CreateConfToken (`GET /v1/mmc/control/conferences/token`,
//! page meeting_21_0027) and CreateWebSocketToken (`GET …/conferences/wsToken`, page
//! meeting_21_1506), with the chair-password lockout.
//!
//! CreateConfToken needs only what its page lists: `conferenceID`, `X-Password` (the chair
//! password), `X-Login-Type: 1`, and for keep-alive a live token in `X-Conference-Authorization`
//! (then the password is not checked). The conference's enterprise comes from the conference id
//! (`locate.rs`); `X-Access-Token`, which the SDKs add, is accepted and never required.
//! Order: unknown conference 111072065, `X-Login-Type` not 1 111070001, state (not started
//! 111072005, closing 111072003, closed 111072006), keep-alive, password missing 111070009,
//! control login locked 111072064, wrong password 111072065 (counted: [`CONTROL_LOCK`]).
//! Decision: only the chair password opens meeting control; a guest password is a wrong one.
//!
//! `wsURL` is the host:port the client reached meetmock on (its `Host` header) and
//! `tmpWsToken` a live single-use token bound to the conference, so a client can open
//! `wss://<wsURL>/cms/open/websocket/confctl/increment/conn?confID=<id>&tmpToken=<token>`
//! (the documented path, served by `ws.rs`).

use super::auth::{control_token, CONTROL_TTL_SECS, HW};
use super::control::{control_ctx, state_error};
use super::errors::{fail, note_meeting, ok};
use super::locate;
use super::views::{self, keys};
use crate::exchange::{Exchange, Principal, Reply};
use crate::store::{ControlLogin, LockPolicy, Token, TokenKind};
use serde_json::json;

/// Chair-password lockout on meeting control: 5 consecutive wrong passwords lock the
/// conference's control login for 5 minutes (server clock). DEVIATION: Huawei publishes the
/// error (CMS_CONF_CTR_LOGIN_LOCKED) and a 5-minute automatic unlock for locked accounts, not
/// the count; see docs/vendors/huawei.md.
pub const CONTROL_LOCK: LockPolicy = LockPolicy {
    max_failures: 5,
    lock_secs: 300,
};

/// Lifetime of a WebSocket token from CreateWebSocketToken (1 min, single use).
const WS_TOKEN_TTL_SECS: i64 = 60;

/// Stores a single-use token bound to a conference and returns its value.
fn single_use(ex: &Exchange<'_>, tenant: &str, conf: &str, prefix: &str, ttl: i64) -> String {
    let store = &ex.app.store;
    let value = format!("{prefix}{}", store.secrets.hex(48));
    store.tokens.insert(Token {
        value: value.clone(),
        vendor: HW,
        tenant: tenant.to_string(),
        kind: TokenKind::LoginCode,
        user: None,
        meeting: Some(conf.to_string()),
        issued_at_ms: ex.now_ms,
        expires_at_ms: ex.now_ms + ttl * 1000,
        revoked: false,
        extra: Default::default(),
    });
    value
}

/// GET /v1/mmc/control/conferences/token — CreateConfToken.
pub fn create_conf_token(ex: &mut Exchange<'_>) -> Reply {
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
    if ex.header("x-login-type").map(str::trim) != Some("1") {
        return fail("conf_bad_request");
    }
    let password = ex.header("x-password").unwrap_or("").trim().to_string();
    let keep_alive = control_token(ex)
        .is_some_and(|t| t.tenant == tenant.id && t.meeting.as_deref() == Some(id.as_str()));
    let now = ex.now_secs();
    let check = tenant.with(|d| {
        let m = d
            .meeting_mut(&id)
            .map_err(|_| "conf_not_found_or_auth_failed")?;
        if let Some(name) = state_error(m, now) {
            return Err(name);
        }
        if keep_alive {
            return Ok(m.creator.clone());
        }
        if password.is_empty() {
            return Err("conf_authen_need_password");
        }
        let right = views::extra_str(&m.extra, keys::CHAIR_PWD) == password;
        match m.check_control_login(right, now, CONTROL_LOCK) {
            ControlLogin::Ok => Ok(m.creator.clone()),
            ControlLogin::Locked => Err("conf_ctr_login_locked"),
            ControlLogin::Wrong { .. } => Err("conf_not_found_or_auth_failed"),
        }
    });
    let creator = match check {
        Ok(c) => c,
        Err(name) => return fail(name),
    };
    let store = &ex.app.store;
    let value = format!("stb{}", store.secrets.hex(48));
    let expires = ex.now_ms + CONTROL_TTL_SECS * 1000;
    store.tokens.insert(Token {
        value: value.clone(),
        vendor: HW,
        tenant: tenant.id.clone(),
        kind: TokenKind::Control,
        user: Some(creator.clone()),
        meeting: Some(id.clone()),
        issued_at_ms: ex.now_ms,
        expires_at_ms: expires,
        revoked: false,
        extra: Default::default(),
    });
    let ws_token = single_use(ex, &tenant.id, &id, "stb", CONTROL_TTL_SECS);
    let host = ex.header("host").unwrap_or("127.0.0.1").trim().to_string();
    ok(&json!({
        "data": {
            "token": value,
            "tmpWsToken": ws_token,
            "wsURL": host,
            "role": 1,
            "expireTime": expires,
            "userID": creator,
            "orgID": tenant.id,
            "participantID": "",
            "confTokenExpireTime": CONTROL_TTL_SECS,
            "vmrCurrentConfID": "",
            "supportNotifyType": ["ConfBasicInfo", "ConfOtherInfo", "RealTimeSubscribe"],
        },
        "addressToken": format!("stb{}", store.secrets.hex(32)),
        "gloablPublicIP": host,
    }))
}

/// GET /v1/mmc/control/conferences/wsToken — CreateWebSocketToken: a 1-minute single-use
/// token for the meeting-control WebSocket.
pub fn create_web_socket_token(ex: &mut Exchange<'_>) -> Reply {
    let (tenant, id) = match control_ctx(ex) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let token = single_use(ex, &tenant.id, &id, "cnr", WS_TOKEN_TTL_SECS);
    ok(&json!({ "webSocketToken": token }))
}
