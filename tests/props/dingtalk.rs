//! DingTalk conference_1_0 under arbitrary input, over real HTTP: every write handler and the
//! token endpoint fed structured mutations of a valid, authenticated body; read endpoints fed
//! arbitrary queries; arbitrary access-token headers. Each answer must be DingTalk's
//! `{code, requestid, message}` envelope (or a success) with a documented status, and a
//! refused request must change nothing.

use crate::mutate::{apply, mutation};
use crate::server::{config, Shared};
use parking_lot::Mutex;
use proptest::prelude::*;
use serde_json::{json, Value};
use std::sync::OnceLock;

const KEY: &str = "dingmockappkey";
const SECRET: &str = "mock-app-secret";
const HOST: &str = "host-union-0001";
const CONF: &str = "607452e01401526ee39609e1";
const TOKEN_HEADER: &str = "x-acs-dingtalk-access-token";

static SERVER: OnceLock<Shared> = OnceLock::new();
static TOKEN: Mutex<Option<String>> = Mutex::new(None);

fn server() -> &'static Shared {
    Shared::get(&SERVER)
}

/// The app's access token (cached until the next reset).
fn token() -> String {
    let mut cache = TOKEN.lock();
    if let Some(t) = cache.as_ref() {
        return t.clone();
    }
    let body = json!({"appKey": KEY, "appSecret": SECRET}).to_string();
    let r = server().send_str(
        "POST",
        "/v1.0/oauth2/accessToken",
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    );
    let t = r
        .map(|r| {
            r.json()["accessToken"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .unwrap_or_default();
    *cache = Some(t.clone());
    t
}

fn reset() {
    server().reset();
    *TOKEN.lock() = None;
}

fn conf(rest: &str) -> String {
    format!("/v1.0/conference/videoConferences/{CONF}{rest}")
}

/// Valid requests of every write operation (method, target, authenticated, body).
fn operations() -> Vec<(&'static str, String, bool, Value)> {
    let carol = json!([{"unionId": "union-carol-0003"}]);
    vec![
        (
            "POST",
            "/v1.0/conference/videoConferences".into(),
            true,
            json!({"userId": HOST, "confTitle": "Sync", "inviteCaller": false, "inviteUserIds": ["union-alice-0001"]}),
        ),
        (
            "POST",
            conf("/users/invite"),
            true,
            json!({
            "inviteeList": [{"nick": "Alice", "unionId": "union-alice-0001"}, {"nick": "Bob", "unionId": "union-bob-0002"}],
            "phoneInviteeList": [{"nick": "Phone Guest", "phoneNumber": "13800000000"}],
            "unionId": HOST}),
        ),
        (
            "POST",
            conf("/members/kick"),
            true,
            json!({"userList": carol, "forbiddenRejoin": true}),
        ),
        (
            "POST",
            conf("/members/mute"),
            true,
            json!({"action": "mute", "userList": carol}),
        ),
        (
            "POST",
            conf("/members/updateNick"),
            true,
            json!({"nick": "Caroline", "unionId": "union-carol-0003"}),
        ),
        (
            "POST",
            conf("/allMembers/mute"),
            true,
            json!({"action": "unmute"}),
        ),
        (
            "POST",
            conf("/coHosts/set"),
            true,
            json!({"action": "add", "userList": carol}),
        ),
        ("POST", conf("/lock"), true, json!({"action": "lock"})),
        (
            "POST",
            "/v1.0/conference/videoConferences/query".into(),
            true,
            json!({"conferenceIdList": [CONF]}),
        ),
        (
            "POST",
            "/v1.0/oauth2/accessToken".into(),
            false,
            json!({"appKey": KEY, "appSecret": SECRET}),
        ),
    ]
}

/// Read targets whose query is fuzzed.
fn reads() -> Vec<String> {
    vec![
        conf("?"),
        conf("/members?"),
        "/v1.0/conference/users/lists?".into(),
        format!("/gettoken?appkey={KEY}&"),
    ]
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn mutated_bodies_of_authenticated_requests_get_the_dingtalk_envelope(op in 0usize..10, m in mutation()) {
        let s = server();
        let _g = s.exclusive();
        let (method, target, authed, valid) = operations().swap_remove(op);
        let body = apply(&valid, &m);
        let tok = if authed { token() } else { String::new() };
        let mut h = vec![("Content-Type", "application/json")];
        if authed {
            h.push((TOKEN_HEADER, tok.as_str()));
        }
        let (refused, _) = s.case("dingtalk", || s.send_str(method, &target, &h, &body))?;
        if !refused {
            reset();
        }
    }

    #[test]
    fn arbitrary_queries_on_read_and_close_endpoints_get_the_dingtalk_envelope(
        which in 0usize..5,
        query in "([a-zA-Z_]{1,16}=[A-Za-z0-9_%.~-]{0,24}&?){0,4}",
    ) {
        let s = server();
        let _g = s.exclusive();
        let tok = token();
        let (method, target) = match reads().get(which) {
            Some(t) => ("GET", format!("{t}{query}")),
            None => ("DELETE", conf(&format!("?{query}"))),
        };
        let (refused, _) = s.case("dingtalk", || s.send_str(method, &target, &[(TOKEN_HEADER, &tok)], b""))?;
        if !refused {
            reset();
        }
    }

    #[test]
    fn arbitrary_access_token_headers_are_refused_cleanly(
        op in 0usize..9,
        value in prop::collection::vec(prop_oneof![0x20u8..0x7f, 0x80u8..=0xff], 0..80),
    ) {
        let s = server();
        let _g = s.exclusive();
        let (method, target, _, valid) = operations().swap_remove(op);
        let h: Vec<(&str, &[u8])> = vec![("Content-Type", b"application/json"), (TOKEN_HEADER, &value)];
        let (refused, r) = s.case("dingtalk", || s.send(method, target.as_bytes(), &h, valid.to_string().as_bytes()))?;
        prop_assert!(refused, "accepted with a garbage token: {}", r.text());
    }
}

#[test]
fn the_valid_requests_the_targets_mutate_are_accepted() {
    let s = server();
    let _g = s.exclusive();
    for (method, target, authed, valid) in operations() {
        reset();
        let tok = token();
        let mut h = vec![("Content-Type", "application/json")];
        if authed {
            h.push((TOKEN_HEADER, tok.as_str()));
        }
        let r = s
            .send_str(method, &target, &h, valid.to_string().as_bytes())
            .expect("answered");
        let refused = crate::server::judge("dingtalk", &r).expect("the vendor envelope");
        assert!(!refused, "{method} {target}: {}", r.text());
    }
    reset();
}
