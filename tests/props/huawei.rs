//! Huawei Cloud Meeting under arbitrary input, over real HTTP: Basic account login and App-ID
//! HMAC login with arbitrary `Authorization` headers and bodies (a correct App-ID signature
//! always logs in, any change to it fails), and every management and control handler fed
//! structured mutations of a valid, authenticated body. Each answer must be Huawei's
//! `{error_code, error_msg}` envelope (or a success) with a documented status, and a refused
//! request must change nothing.

use crate::mutate::{apply, mutation};
use crate::server::{config, Shared};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use parking_lot::Mutex;
use proptest::prelude::*;
use serde_json::{json, Value};
use sha2::Sha256;
use std::sync::OnceLock;

const ACCOUNT: &str = "demo@hwcorp";
const PASSWORD: &str = "Demo@Passw0rd";
const APP_ID: &str = "hwdemoappid0123456789";
const APP_KEY: &str = "HwDemoAppKey0123456789abcdef";
const SCHEDULED: &str = "916206899";
const SCHEDULED_PWD: &str = "167602";
const RUNNING: &str = "914673889";
const RUNNING_PWD: &str = "246810";

static SERVER: OnceLock<Shared> = OnceLock::new();
/// (access token, control token of the running meeting), fetched after each reset.
static TOKENS: Mutex<Option<(String, String)>> = Mutex::new(None);

fn server() -> &'static Shared {
    Shared::get(&SERVER)
}

fn basic(account: &str, password: &str) -> String {
    format!("Basic {}", B64.encode(format!("{account}:{password}")))
}

fn tokens() -> (String, String) {
    let mut cache = TOKENS.lock();
    if let Some(t) = cache.as_ref() {
        return t.clone();
    }
    let s = server();
    let auth = basic(ACCOUNT, PASSWORD);
    let at = s
        .send_str(
            "POST",
            "/v1/usg/acs/auth/account",
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            br#"{"account": "demo@hwcorp", "clientType": 72}"#,
        )
        .map(|r| {
            r.json()["accessToken"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .unwrap_or_default();
    let path = format!("/v1/mmc/control/conferences/token?conferenceID={RUNNING}");
    let ct = s
        .send_str(
            "GET",
            &path,
            &[
                ("X-Access-Token", &at),
                ("X-Password", RUNNING_PWD),
                ("X-Login-Type", "1"),
            ],
            b"",
        )
        .map(|r| {
            r.json()["data"]["token"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .unwrap_or_default();
    let t = (at, ct);
    *cache = Some(t.clone());
    t
}

fn reset() {
    server().reset();
    *TOKENS.lock() = None;
}

fn hmac_hex(data: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(APP_KEY.as_bytes()).expect("any key length");
    mac.update(data.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A correctly signed App-ID login: (Authorization header, body).
fn app_login(user: &str, nonce: &str) -> (String, Value) {
    let expire = now_secs() + 600;
    let sig = hmac_hex(&format!("{APP_ID}:{user}:{expire}:{nonce}"));
    let auth = format!("HMAC-SHA256 signature={sig},access={}", B64.encode(APP_ID));
    let body = json!({"appId": APP_ID, "userId": user, "corpId": null, "expireTime": expire,
                      "nonce": nonce, "clientType": 72, "deptCode": null});
    (auth, body)
}

/// Which credential an operation is sent with.
#[derive(Clone, Copy)]
enum Cred {
    Access,
    Control,
}

/// Valid requests of every write operation (method, target, credential, body).
fn operations() -> Vec<(&'static str, String, Cred, Value)> {
    let ctl = |op: &str| format!("/v1/mmc/control/conferences/{op}?conferenceID={RUNNING}");
    vec![
        (
            "POST",
            "/v1/mmc/management/conferences".into(),
            Cred::Access,
            json!({
            "startTime": "2030-01-01 08:00", "length": 60, "subject": "probe", "mediaTypes": "HDVideo",
            "attendees": [{"name": "Alice", "phone": "+8613800000001", "type": "normal"}]}),
        ),
        (
            "POST",
            "/v1/mmc/management/conferences/start".into(),
            Cred::Access,
            json!({"conferenceID": SCHEDULED, "password": SCHEDULED_PWD}),
        ),
        (
            "POST",
            "/v1/usg/acs/token/validate".into(),
            Cred::Access,
            json!({"token": "<access>", "needGenNewToken": false}),
        ),
        (
            "POST",
            ctl("participants"),
            Cred::Control,
            json!({"attendees": [
            {"name": "Bob", "role": 0, "phone": "+8613800000002", "type": "normal"},
            {"userUUID": "2b8a5f38411d459ebacb8ef8ea32ed27", "accountId": "carol01", "name": "Carol",
             "email": "carol@example.com", "sms": "+8613800000003", "type": "outside"}]}),
        ),
        (
            "POST",
            ctl("participants/delete"),
            Cred::Control,
            json!({"bulkHangUpParticipants": ["00000000000000000000000000000000"]}),
        ),
        (
            "POST",
            ctl("attendees/delete"),
            Cred::Control,
            json!({"bulkDelAttendInfo": [{"number": "+8613800000002", "participantID": "x"}]}),
        ),
        ("PUT", ctl("lock"), Cred::Control, json!({"isLock": 1})),
        (
            "PUT",
            ctl("duration"),
            Cred::Control,
            json!({"auto": 0, "duration": 30}),
        ),
    ]
}

fn headers_for(cred: Cred) -> Vec<(&'static str, String)> {
    let (at, ct) = tokens();
    let mut h = vec![
        ("Content-Type", "application/json".to_string()),
        ("X-Access-Token", at),
    ];
    if let Cred::Control = cred {
        h.push(("X-Conference-Authorization", ct));
    }
    h
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn mutated_bodies_of_authenticated_requests_get_the_huawei_envelope(op in 0usize..8, m in mutation()) {
        let s = server();
        let _g = s.exclusive();
        let (method, target, cred, mut valid) = operations().swap_remove(op);
        let h = headers_for(cred);
        if valid["token"] == "<access>" {
            valid["token"] = Value::from(h[1].1.clone());
        }
        let body = apply(&valid, &m);
        let hs: Vec<(&str, &str)> = h.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (refused, _) = s.case("huawei", || s.send_str(method, &target, &hs, &body))?;
        if !refused {
            reset();
        }
    }

    #[test]
    fn arbitrary_authorization_headers_and_bodies_on_logins_are_answered_cleanly(
        app_id in any::<bool>(),
        scheme in "(Basic |basic |HMAC-SHA256 |hmac-sha256 |Bearer |)",
        value in prop::collection::vec(prop_oneof![0x20u8..0x7f, 0x80u8..=0xff], 0..90),
        m in mutation(),
    ) {
        let s = server();
        let _g = s.exclusive();
        let (path, valid) = if app_id {
            ("/v2/usg/acs/auth/appauth", app_login("propuser", "n0nce").1)
        } else {
            ("/v1/usg/acs/auth/account", json!({"account": ACCOUNT, "clientType": 72}))
        };
        let mut auth = scheme.into_bytes();
        auth.extend(value);
        let body = apply(&valid, &m);
        let h: Vec<(&str, &[u8])> = vec![("Content-Type", b"application/json"), ("Authorization", &auth)];
        let (refused, _) = s.case("huawei", || s.send("POST", path.as_bytes(), &h, &body))?;
        if !refused {
            reset();
        }
    }

    #[test]
    fn basic_logins_with_arbitrary_accounts_and_passwords_are_answered_cleanly(
        account in prop_oneof![Just(ACCOUNT.to_string()), "\\PC{0,12}"],
        password in prop_oneof![Just(PASSWORD.to_string()), "\\PC{0,12}"],
        body_account in any::<bool>(),
    ) {
        let s = server();
        let _g = s.exclusive();
        let auth = basic(&account, &password);
        let body = if body_account { json!({"account": account, "clientType": 72}).to_string() } else { String::new() };
        let h = [("Authorization", auth.as_str()), ("Content-Type", "application/json")];
        let (refused, r) = s.case("huawei", || s.send_str("POST", "/v1/usg/acs/auth/account", &h, body.as_bytes()))?;
        if account == ACCOUNT {
            prop_assert_eq!(refused, password != PASSWORD, "{}", r.text());
        }
        if !refused {
            reset();
        }
    }

    #[test]
    fn a_correct_app_id_signature_always_logs_in(user in "[A-Za-z0-9_.@-]{1,24}", nonce in "[A-Za-z0-9-]{1,40}") {
        let s = server();
        let _g = s.exclusive();
        let (auth, body) = app_login(&user, &nonce);
        let h = [("Authorization", auth.as_str()), ("Content-Type", "application/json")];
        let (refused, r) = s.case("huawei", || s.send_str("POST", "/v2/usg/acs/auth/appauth", &h, body.to_string().as_bytes()))?;
        prop_assert!(!refused && r.json()["accessToken"].is_string(), "{}", r.text());
        reset();
    }

    #[test]
    fn any_change_to_an_app_id_signature_or_signed_field_fails(
        field in 0usize..4,
        at in any::<prop::sample::Index>(),
        rep in "[0-9A-Z]",
    ) {
        let s = server();
        let _g = s.exclusive();
        let (auth, mut body) = app_login("propuser", "n0nce-x");
        let mut auth = auth.into_bytes();
        let rep = rep.as_bytes()[0];
        match field {
            0 => {
                // One hex digit of the signature (case-insensitive: change the digit itself).
                let start = "HMAC-SHA256 signature=".len();
                let i = start + at.index(64);
                let r = if auth[i].eq_ignore_ascii_case(&rep) { if rep == b'0' { b'1' } else { b'0' } } else { rep };
                auth[i] = r;
            }
            1 => body["userId"] = Value::from(format!("propuser{}", rep as char)),
            2 => body["nonce"] = Value::from(format!("n0nce-{}", rep as char)),
            _ => body["expireTime"] = Value::from(body["expireTime"].as_i64().unwrap_or(0) + 1 + at.index(100) as i64),
        }
        let h: Vec<(&str, &[u8])> = vec![("Content-Type", b"application/json"), ("Authorization", &auth)];
        let (refused, r) = s.case("huawei", || s.send("POST", b"/v2/usg/acs/auth/appauth", &h, body.to_string().as_bytes()))?;
        prop_assert!(refused, "accepted after a change: {}", r.text());
    }
}

#[test]
fn the_valid_requests_the_targets_mutate_are_accepted() {
    let s = server();
    let _g = s.exclusive();
    for (method, target, cred, mut valid) in operations() {
        reset();
        let h = headers_for(cred);
        if valid["token"] == "<access>" {
            valid["token"] = Value::from(h[1].1.clone());
        }
        let hs: Vec<(&str, &str)> = h.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = s
            .send_str(method, &target, &hs, valid.to_string().as_bytes())
            .expect("answered");
        let refused = crate::server::judge("huawei", &r).expect("the vendor envelope");
        // The hang-up and attendee-delete bodies name nobody in the meeting.
        let expected = target.contains("delete");
        assert_eq!(refused, expected, "{method} {target}: {}", r.text());
    }
    reset();
}

#[test]
fn an_app_id_login_of_an_unknown_app_with_a_malformed_signature_creates_no_tenant() {
    let s = server();
    let _g = s.exclusive();
    let before = s.fingerprint("huawei");
    let body = json!({"appId": "unknownapp42", "userId": "u", "expireTime": now_secs() + 600, "nonce": "n"});
    let h = [
        ("Authorization", "HMAC-SHA256 signature=nothex"),
        ("Content-Type", "application/json"),
    ];
    let r = s
        .send_str(
            "POST",
            "/v2/usg/acs/auth/appauth",
            &h,
            body.to_string().as_bytes(),
        )
        .expect("answered");
    assert_eq!(r.status, 401, "{}", r.text());
    assert_eq!(r.json()["error_code"], "USG.201010025", "{}", r.text());
    assert_eq!(
        s.fingerprint("huawei"),
        before,
        "a refused login provisioned a tenant"
    );
}
