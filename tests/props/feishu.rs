//! Feishu / Lark VC under arbitrary input, over real HTTP: every write handler and the token
//! endpoints fed structured mutations of a valid, authenticated body; read endpoints fed
//! arbitrary queries; arbitrary `Authorization` headers. Each answer must be Feishu's
//! `{code, msg}` envelope with a documented status, and a refused request must change nothing.

use crate::mutate::{apply, mutation};
use crate::server::{config, Shared};
use parking_lot::Mutex;
use proptest::prelude::*;
use serde_json::{json, Value};
use std::sync::OnceLock;

const APP: &str = "cli_demo_feishu";
const SECRET: &str = "demo_feishu_secret";
const LIVE: &str = "7000000000000000028";
const RESERVE: &str = "6911188411934973028";
const HOST: &str = "ou_host_0001";

static SERVER: OnceLock<Shared> = OnceLock::new();
/// (tenant token, host's user token), fetched after each reset.
static TOKENS: Mutex<Option<(String, String)>> = Mutex::new(None);

fn server() -> &'static Shared {
    Shared::get(&SERVER)
}

fn post(path: &str, bearer: Option<&str>, body: &Value) -> Value {
    let auth = bearer.map(|t| format!("Bearer {t}")).unwrap_or_default();
    let mut h = vec![("Content-Type", "application/json")];
    if bearer.is_some() {
        h.push(("Authorization", auth.as_str()));
    }
    let r = server().send_str("POST", path, &h, body.to_string().as_bytes());
    r.map(|r| r.json()).unwrap_or(Value::Null)
}

fn login_code() -> String {
    let c = server().admin(
        "POST",
        "/vendors/feishu/login_code",
        &json!({"app_id": APP, "user": HOST}),
    );
    c["code"].as_str().unwrap_or_default().to_string()
}

/// The tenant token and the host's user token (cached until the next reset).
fn tokens() -> (String, String) {
    let mut cache = TOKENS.lock();
    if let Some(t) = cache.as_ref() {
        return t.clone();
    }
    let creds = json!({"app_id": APP, "app_secret": SECRET});
    let tenant = post(
        "/open-apis/auth/v3/tenant_access_token/internal",
        None,
        &creds,
    )["tenant_access_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let app = post("/open-apis/auth/v3/app_access_token/internal", None, &creds)
        ["app_access_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let user = post(
        "/open-apis/authen/v1/oidc/access_token",
        Some(&app),
        &json!({"grant_type": "authorization_code", "code": login_code()}),
    )["data"]["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let t = (tenant, user);
    // Fresh state (first use or after a reset): a guest joins, so set_host has someone to pick.
    server().admin(
        "POST",
        &format!("/meetings/{LIVE}/join"),
        &json!({"vendor": "feishu", "user": "ou_guest_0000"}),
    );
    *cache = Some(t.clone());
    t
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn reset() {
    server().reset();
    *TOKENS.lock() = None;
}

/// Which token an operation is sent with.
#[derive(Clone, Copy)]
enum Tok {
    None,
    Tenant,
    User,
    App,
}

/// Valid requests of every write operation (method, target, token, body).
fn operations() -> Vec<(&'static str, String, Tok, Value)> {
    let end = (now_secs() + 86_400).to_string();
    let guest = |id: &str| json!({"id": id, "user_type": 1});
    vec![
        (
            "PATCH",
            format!("/open-apis/vc/v1/meetings/{LIVE}/invite"),
            Tok::User,
            json!({"invitees": [guest("ou_guest_0001"), guest("ou_guest_0002")]}),
        ),
        (
            "POST",
            format!("/open-apis/vc/v1/meetings/{LIVE}/kickout"),
            Tok::Tenant,
            json!({"kickout_users": [guest("ou_guest_0000")]}),
        ),
        (
            "PATCH",
            format!("/open-apis/vc/v1/meetings/{LIVE}/set_host"),
            Tok::Tenant,
            json!({"host_user": guest("ou_guest_0000"), "old_host_user": guest(HOST)}),
        ),
        (
            "PATCH",
            format!("/open-apis/vc/v1/meetings/{LIVE}/end"),
            Tok::User,
            json!({}),
        ),
        (
            "POST",
            "/open-apis/vc/v1/reserves/apply?user_id_type=open_id".into(),
            Tok::Tenant,
            json!({"end_time": end, "owner_id": HOST,
                   "meeting_settings": {"topic": "probe", "meeting_initial_type": 1,
                   "call_setting": {"callee": {"id": "ou_guest_0003", "user_type": 1}}}}),
        ),
        (
            "PUT",
            format!("/open-apis/vc/v1/reserves/{RESERVE}"),
            Tok::Tenant,
            json!({"end_time": end, "meeting_settings": {"topic": "renamed"}}),
        ),
        (
            "PATCH",
            format!("/open-apis/vc/v1/meetings/{LIVE}/recording/start"),
            Tok::User,
            json!({"timezone": 8}),
        ),
        (
            "POST",
            "/open-apis/contact/v3/users/batch_get_id?user_id_type=union_id".into(),
            Tok::Tenant,
            json!({"emails": ["host@example.com"], "mobiles": ["+8613800000000"]}),
        ),
        (
            "POST",
            "/open-apis/authen/v1/access_token".into(),
            Tok::App,
            json!({"grant_type": "authorization_code", "code": "<fresh>"}),
        ),
        (
            "POST",
            "/open-apis/auth/v3/tenant_access_token/internal".into(),
            Tok::None,
            json!({"app_id": APP, "app_secret": SECRET}),
        ),
        (
            "POST",
            "/open-apis/authen/v1/oidc/access_token".into(),
            Tok::App,
            json!({"grant_type": "authorization_code", "code": "<fresh>"}),
        ),
        (
            "POST",
            "/open-apis/authen/v2/oauth/token".into(),
            Tok::None,
            json!({"grant_type": "authorization_code", "client_id": APP, "client_secret": SECRET,
                   "code": "<fresh>", "redirect_uri": "http://localhost/cb"}),
        ),
    ]
}

fn bearer(tok: Tok) -> Option<String> {
    let (tenant, user) = tokens();
    match tok {
        Tok::None => None,
        Tok::Tenant => Some(tenant),
        Tok::User => Some(user),
        Tok::App => {
            let creds = json!({"app_id": APP, "app_secret": SECRET});
            post("/open-apis/auth/v3/app_access_token/internal", None, &creds)["app_access_token"]
                .as_str()
                .map(str::to_string)
        }
    }
}

/// Read targets whose query is fuzzed.
const READS: &[&str] = &[
    "/open-apis/vc/v1/meetings/list_by_no?",
    "/open-apis/vc/v1/meetings/7000000000000000028/recording?",
    "/open-apis/contact/v3/users/ou_host_0001?",
    "/open-apis/vc/v1/meetings/7000000000000000028?",
    "/open-apis/vc/v1/reserves/6911188411934973028?",
    "/open-apis/vc/v1/reserves/6911188411934973028/get_active_meeting?",
];

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn mutated_bodies_of_authenticated_requests_get_the_feishu_envelope(op in 0usize..12, m in mutation()) {
        let s = server();
        let _g = s.exclusive();
        let (method, target, tok, mut valid) = operations().swap_remove(op);
        if valid["code"] == "<fresh>" {
            valid["code"] = Value::from(login_code());
        }
        let body = apply(&valid, &m);
        let auth = bearer(tok).map(|t| format!("Bearer {t}"));
        let mut h = vec![("Content-Type", "application/json; charset=utf-8")];
        if let Some(a) = &auth {
            h.push(("Authorization", a.as_str()));
        }
        let (refused, _) = s.case("feishu", || s.send_str(method, &target, &h, &body))?;
        if !refused {
            reset();
        }
    }

    #[test]
    fn arbitrary_queries_on_read_endpoints_get_the_feishu_envelope(
        which in 0usize..6,
        query in "([a-z_]{1,16}=[A-Za-z0-9_%.~-]{0,20}&?){0,4}",
        tenant in any::<bool>(),
    ) {
        let s = server();
        let _g = s.exclusive();
        let (t, u) = tokens();
        let auth = format!("Bearer {}", if tenant { t } else { u });
        let target = format!("{}{query}", READS[which]);
        s.case("feishu", || s.send_str("GET", &target, &[("Authorization", &auth)], b""))?;
    }

    #[test]
    fn arbitrary_authorization_headers_are_refused_cleanly(
        op in 0usize..6,
        scheme in "(Bearer |bearer |Basic |)",
        value in prop::collection::vec(prop_oneof![0x20u8..0x7f, 0x80u8..=0xff], 0..80),
    ) {
        let s = server();
        let _g = s.exclusive();
        let (method, target, _, valid) = operations().swap_remove(op);
        let mut auth = scheme.into_bytes();
        auth.extend(value);
        let h: Vec<(&str, &[u8])> = vec![("Content-Type", b"application/json"), ("Authorization", &auth)];
        let (refused, r) = s.case("feishu", || s.send(method, target.as_bytes(), &h, valid.to_string().as_bytes()))?;
        prop_assert!(refused, "accepted with a garbage token: {}", r.text());
    }
}

#[test]
fn the_valid_requests_the_targets_mutate_are_accepted() {
    let s = server();
    let _g = s.exclusive();
    for (method, target, tok, mut valid) in operations() {
        reset();
        if valid["code"] == "<fresh>" {
            valid["code"] = Value::from(login_code());
        }
        let auth = bearer(tok).map(|t| format!("Bearer {t}"));
        let mut h = vec![("Content-Type", "application/json; charset=utf-8")];
        if let Some(a) = &auth {
            h.push(("Authorization", a.as_str()));
        }
        let r = s
            .send_str(method, &target, &h, valid.to_string().as_bytes())
            .expect("answered");
        let refused = crate::server::judge("feishu", &r).expect("the vendor envelope");
        assert!(!refused, "{method} {target}: {}", r.text());
    }
    reset();
}

#[test]
fn an_oauth_code_exchange_by_an_unknown_app_is_refused_without_provisioning_it() {
    let s = server();
    let _g = s.exclusive();
    let code = login_code();
    let before = s.fingerprint("feishu");
    let body = json!({"grant_type": "authorization_code", "client_id": "cli_unknown_app", "client_secret": "s",
                      "code": code, "redirect_uri": "http://localhost/cb"});
    let r = s
        .send_str(
            "POST",
            "/open-apis/authen/v2/oauth/token",
            &[("Content-Type", "application/json")],
            body.to_string().as_bytes(),
        )
        .expect("answered");
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.json()["code"], 20024, "{}", r.text());
    assert_eq!(
        s.fingerprint("feishu"),
        before,
        "a refused exchange provisioned a tenant"
    );
}
