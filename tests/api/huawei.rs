//! Huawei Cloud Meeting: logins and tokens, meeting management, the control gate and
//! InviteParticipant's rules — over plain HTTP and over TLS on the same port.

use crate::common::{Resp, TestApp};
use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const ACCOUNT: &str = "demo@hwcorp";
const PASSWORD: &str = "Demo@Passw0rd";
const APP_ID: &str = "hwdemoappid0123456789";
const APP_KEY: &str = "HwDemoAppKey0123456789abcdef";
const SCHEDULED: &str = "916206899";
const SCHEDULED_PWD: &str = "167602";
const RUNNING: &str = "914673889";
const RUNNING_PWD: &str = "246810";

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// A client of one TestApp, over HTTP or TLS.
struct Hw {
    app: TestApp,
    tls: bool,
}

impl Hw {
    async fn new(tls: bool) -> Hw {
        Hw {
            app: TestApp::spawn().await,
            tls,
        }
    }

    async fn with_scenario(yaml: &str) -> Hw {
        let cfg = meetmock::config::Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            no_demo: false,
            ..meetmock::config::Config::default()
        };
        Hw {
            app: TestApp::spawn_config(cfg, yaml).await,
            tls: false,
        }
    }

    async fn call(&self, m: Method, path: &str, headers: &[(&str, &str)], body: &str) -> Resp {
        let url = if self.tls {
            self.app.https_url(path)
        } else {
            self.app.url(path)
        };
        let mut rb = self.app.client.request(m, url).body(body.to_string());
        rb = rb.header("Content-Type", "application/json");
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        let r = rb.send().await.expect("sent");
        Resp {
            status: r.status(),
            headers: r.headers().clone(),
            text: r.text().await.unwrap_or_default(),
        }
    }

    async fn login(&self) -> String {
        let auth = format!("Basic {}", b64(&format!("{ACCOUNT}:{PASSWORD}")));
        let r = self
            .call(
                Method::POST,
                "/v1/usg/acs/auth/account",
                &[("Authorization", &auth)],
                r#"{"account": "demo@hwcorp", "clientType": 72}"#,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        r.json()["accessToken"].as_str().unwrap().to_string()
    }

    async fn at(&self, m: Method, path: &str, token: &str, body: &str) -> Resp {
        self.call(m, path, &[("X-Access-Token", token)], body).await
    }

    async fn conf_token(&self, at: &str, conf: &str, pwd: &str) -> Resp {
        let path = format!("/v1/mmc/control/conferences/token?conferenceID={conf}");
        self.call(
            Method::GET,
            &path,
            &[
                ("X-Access-Token", at),
                ("X-Password", pwd),
                ("X-Login-Type", "1"),
            ],
            "",
        )
        .await
    }

    async fn ctl(&self, m: Method, op: &str, conf: &str, ct: &str, at: &str, body: &str) -> Resp {
        let path = format!("/v1/mmc/control/conferences/{op}?conferenceID={conf}");
        self.call(
            m,
            &path,
            &[("X-Access-Token", at), ("X-Conference-Authorization", ct)],
            body,
        )
        .await
    }

    async fn invite(&self, conf: &str, ct: &str, at: &str, body: &Value) -> Resp {
        self.ctl(
            Method::POST,
            "participants",
            conf,
            ct,
            at,
            &body.to_string(),
        )
        .await
    }

    /// Access token + control token of the running demo meeting.
    async fn running(&self) -> (String, String) {
        let at = self.login().await;
        let r = self.conf_token(&at, RUNNING, RUNNING_PWD).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let ct = r.json()["data"]["token"].as_str().unwrap().to_string();
        (at, ct)
    }

    async fn online(&self, at: &str, conf: &str) -> Value {
        let r = self
            .at(
                Method::GET,
                &format!(
                    "/v1/mmc/management/conferences/online/conf-attendee?limit=500&conf_id={conf}"
                ),
                at,
                "",
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        r.json()
    }
}

fn assert_err(r: &Resp, status: u16, code: &str, msg: &str) {
    assert_eq!(r.status.as_u16(), status, "{}", r.text);
    let v = r.json();
    assert_eq!(v["error_code"], code, "{}", r.text);
    assert_eq!(v["error_msg"], msg, "{}", r.text);
    let id = r.header("x-request-id").unwrap_or("");
    assert!(
        id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()),
        "request id {id:?}"
    );
    assert_eq!(
        r.header("content-type"),
        Some("application/json;charset=UTF-8")
    );
}

fn bob() -> Value {
    json!({"attendees": [{"name": "Bob", "phone": "+8613800000002", "type": "normal"}]})
}

#[tokio::test]
async fn account_login_over_tls_returns_a_token_valid_for_at_least_twelve_hours() {
    let hw = Hw::new(true).await;
    let auth = format!("Basic {}", b64(&format!("{ACCOUNT}:{PASSWORD}")));
    let r = hw
        .call(
            Method::POST,
            "/v1/usg/acs/auth/account",
            &[("Authorization", &auth)],
            r#"{"account": "demo@hwcorp", "clientType": 72}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert!(v["validPeriod"].as_i64().unwrap() >= 43_200);
    assert!(v["accessToken"].as_str().unwrap().starts_with("stb"));
    assert_eq!(v["user"]["companyId"], "hwcorp0001");
    assert_eq!(r.header("x-request-id").map(str::len), Some(32));
    hw.app.advance_secs(12.0 * 3600.0 + 60.0).await;
    let token = v["accessToken"].as_str().unwrap();
    let r = hw
        .at(Method::GET, "/v1/mmc/management/conferences", token, "")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn a_wrong_password_is_refused_with_401_and_a_usg_code() {
    let hw = Hw::new(false).await;
    let auth = format!("Basic {}", b64(&format!("{ACCOUNT}:wrong")));
    let r = hw
        .call(
            Method::POST,
            "/v1/usg/acs/auth/account",
            &[("Authorization", &auth)],
            "{}",
        )
        .await;
    assert_err(
        &r,
        401,
        "USG.201010001",
        "The account or password is incorrect.",
    );
}

#[tokio::test]
async fn broken_basic_headers_and_bodies_get_the_usg_parameter_error() {
    let hw = Hw::new(false).await;
    for (h, body) in [
        ("Basic %%%notbase64", "{}"),
        ("Basic", "{}"),
        ("Bearer x", "{}"),
    ] {
        let r = hw
            .call(
                Method::POST,
                "/v1/usg/acs/auth/account",
                &[("Authorization", h)],
                body,
            )
            .await;
        assert_err(
            &r,
            400,
            "USG.000000001",
            "The request parameter is invalid.",
        );
    }
    let auth = format!("Basic {}", b64(&format!("{ACCOUNT}:{PASSWORD}")));
    let r = hw
        .call(
            Method::POST,
            "/v1/usg/acs/auth/account",
            &[("Authorization", &auth)],
            "not json",
        )
        .await;
    assert_err(
        &r,
        400,
        "USG.000000001",
        "The request parameter is invalid.",
    );
}

fn sign(key: &str, data: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(data.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

async fn appauth(hw: &Hw, key: &str, expire: i64) -> Resp {
    let nonce = "2e9d3f47-9891-4a6e-8614-30fdf383cee8";
    let sig = sign(key, &format!("{APP_ID}:thirduser01:{expire}:{nonce}"));
    let auth = format!("HMAC-SHA256 signature={sig},access={}", b64(APP_ID));
    let body = json!({"appId": APP_ID, "userId": "thirduser01", "corpId": null, "expireTime": expire, "nonce": nonce, "clientType": 72, "deptCode": null});
    hw.call(
        Method::POST,
        "/v2/usg/acs/auth/appauth",
        &[("Authorization", &auth)],
        &body.to_string(),
    )
    .await
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test]
async fn app_id_login_accepts_the_sdk_signature_with_null_fields() {
    let hw = Hw::new(true).await;
    let r = appauth(&hw, APP_KEY, now_secs() + 600).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let token = r.json()["accessToken"].as_str().unwrap().to_string();
    let r = hw
        .at(
            Method::GET,
            "/v1/mmc/management/conferences?queryAll=true",
            &token,
            "",
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["count"], 2);
}

#[tokio::test]
async fn app_id_login_with_a_bad_signature_or_past_expiry_is_refused() {
    let hw = Hw::new(false).await;
    let r = appauth(&hw, "not-the-key", now_secs() + 600).await;
    assert_err(&r, 401, "USG.201010025", "App ID authentication failed.");
    let r = appauth(&hw, APP_KEY, now_secs() - 10).await;
    assert_err(
        &r,
        401,
        "USG.201010057",
        "App ID authentication has expired.",
    );
}

#[tokio::test]
async fn management_calls_without_a_valid_access_token_get_usg_000000004() {
    let hw = Hw::new(false).await;
    let r = hw
        .call(Method::GET, "/v1/mmc/management/conferences", &[], "")
        .await;
    assert_err(
        &r,
        401,
        "USG.000000004",
        "The token is invalid or has expired.",
    );
    let r = hw
        .at(
            Method::POST,
            "/v1/mmc/management/conferences",
            "stbUNKNOWN",
            "{}",
        )
        .await;
    assert_err(
        &r,
        401,
        "USG.000000004",
        "The token is invalid or has expired.",
    );
}

#[tokio::test]
async fn check_update_and_delete_token_follow_the_token_lifecycle() {
    let hw = Hw::new(false).await;
    let at = hw.login().await;
    let r = hw
        .at(
            Method::POST,
            "/v1/usg/acs/token/validate",
            &at,
            &json!({"token": at, "needGenNewToken": false}).to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["accessToken"], at.as_str());
    let r = hw
        .at(
            Method::POST,
            "/v1/usg/acs/token/validate",
            &at,
            r#"{"token": "stbX", "needGenNewToken": false}"#,
        )
        .await;
    assert_err(
        &r,
        401,
        "USG.000000004",
        "The token is invalid or has expired.",
    );
    let r = hw.at(Method::PUT, "/v1/usg/acs/token", &at, "").await;
    assert_eq!(r.status, StatusCode::OK);
    let newer = r.json()["accessToken"].as_str().unwrap().to_string();
    assert_ne!(newer, at);
    let r = hw.at(Method::DELETE, "/v1/usg/acs/token", &at, "").await;
    assert_eq!(r.status, StatusCode::OK);
    let r = hw
        .at(Method::GET, "/v1/mmc/management/conferences", &at, "")
        .await;
    assert_err(
        &r,
        401,
        "USG.000000004",
        "The token is invalid or has expired.",
    );
    let r = hw
        .at(Method::GET, "/v1/mmc/management/conferences", &newer, "")
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

async fn create(hw: &Hw, at: &str, body: Value) -> Resp {
    hw.at(
        Method::POST,
        "/v1/mmc/management/conferences",
        at,
        &body.to_string(),
    )
    .await
}

#[tokio::test]
async fn create_meeting_answers_an_array_with_nine_digit_id_and_six_digit_passwords() {
    let hw = Hw::new(false).await;
    let at = hw.login().await;
    let r = create(&hw, &at, json!({"startTime": "2030-01-01 08:00", "length": 60, "subject": "probe", "mediaTypes": "HDVideo", "attendees": [{"name": "Alice", "phone": "+8613800000001", "type": "normal"}]})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    let c = &v.as_array().expect("an array")[0];
    let id = c["conferenceID"].as_str().unwrap();
    assert!(id.len() == 9 && id.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(c["conferenceState"], "Schedule");
    assert_eq!(c["endTime"], "2030-01-01 09:00");
    for e in c["passwordEntry"].as_array().unwrap() {
        assert_eq!(e["password"].as_str().unwrap().len(), 6);
    }
    let r = hw
        .at(
            Method::GET,
            &format!("/v1/mmc/management/conferences/confDetail?conferenceID={id}"),
            &at,
            "",
        )
        .await;
    assert_eq!(r.json()["data"]["data"][0]["name"], "Alice");
}

#[tokio::test]
async fn create_meeting_validation_errors_use_their_codes_and_create_nothing() {
    let hw = Hw::new(false).await;
    let at = hw.login().await;
    let cases = [
        (
            json!({"length": 10}),
            "MMC.111071021",
            "CONF_LENGTH_OVER_RANGE",
        ),
        (
            json!({"subject": "x".repeat(129)}),
            "MMC.111071022",
            "CONF_SUBJECT_LENGTH_TOO_LONG",
        ),
        (
            json!({"mediaTypes": "Video,HDVideo"}),
            "MMC.111071018",
            "CONF_MEDIA_TYPES_ILLEGAL",
        ),
        (
            json!({"startTime": "2001-01-01 08:00"}),
            "MMC.111071013",
            "CONF_START_TIME_LESS_THAN_CURRENT_TIME",
        ),
        (
            json!({"startTime": "tomorrow"}),
            "MMC.111070001",
            "CONF_BAD_REQUEST",
        ),
        (
            json!({"attendees": [{"name": "A", "email": "nope"}]}),
            "MMC.111071024",
            "CONF_EMAIL_ILLEGAL",
        ),
        (
            json!({"attendees": [{"name": "A"}]}),
            "MMC.111072031",
            "SITE_CALL_NUMBER_IS_EMPTY",
        ),
    ];
    for (body, code, msg) in cases {
        assert_err(&create(&hw, &at, body).await, 400, code, msg);
    }
    let r = hw
        .at(
            Method::GET,
            "/v1/mmc/management/conferences?queryAll=true",
            &at,
            "",
        )
        .await;
    assert_eq!(r.json()["count"], 2);
}

#[tokio::test]
async fn inviting_before_start_is_conf_not_started_and_unknown_conference_is_111072065() {
    let hw = Hw::new(false).await;
    let at = hw.login().await;
    let r = hw.conf_token(&at, SCHEDULED, SCHEDULED_PWD).await;
    assert_err(&r, 400, "MMC.111072005", "CONF_NOT_STARTED");
    let r = hw.invite(SCHEDULED, "stbPLACEHOLDER", &at, &bob()).await;
    assert_err(&r, 400, "MMC.111072005", "CONF_NOT_STARTED");
    let r = hw.invite("999999999", "stbPLACEHOLDER", &at, &bob()).await;
    assert_err(&r, 400, "MMC.111072065", "CONF_NOT_FOUND_OR_AUTH_FAILED");
}

#[tokio::test]
async fn start_then_control_token_then_invite_two_puts_them_online_with_32_hex_ids() {
    let hw = Hw::new(true).await;
    let at = hw.login().await;
    let r = hw
        .at(
            Method::POST,
            "/v1/mmc/management/conferences/start",
            &at,
            &json!({"conferenceID": SCHEDULED, "password": "000000"}).to_string(),
        )
        .await;
    assert_err(&r, 400, "MMC.111072065", "CONF_NOT_FOUND_OR_AUTH_FAILED");
    let r = hw
        .at(
            Method::POST,
            "/v1/mmc/management/conferences/start",
            &at,
            &json!({"conferenceID": SCHEDULED, "password": SCHEDULED_PWD}).to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = hw.conf_token(&at, SCHEDULED, "000000").await;
    assert_err(&r, 400, "MMC.111072065", "CONF_NOT_FOUND_OR_AUTH_FAILED");
    let r = hw.conf_token(&at, SCHEDULED, SCHEDULED_PWD).await;
    let data = r.json()["data"].clone();
    assert_eq!(data["confTokenExpireTime"], 1800);
    let ct = data["token"].as_str().unwrap().to_string();
    let body = json!({"attendees": [{"name": "Bob", "role": 0, "phone": "+8613800000002", "type": "normal"}, {"userUUID": "2b8a5f38411d459ebacb8ef8ea32ed27", "accountId": "carol01", "name": "Carol", "email": "carol@example.com", "sms": "+8613800000003", "type": "outside", "deptUUID": "d1", "deptName": "R&D"}]});
    let r = hw.invite(SCHEDULED, &ct, &at, &body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = hw.online(&at, SCHEDULED).await;
    assert_eq!(v["count"], 2);
    for a in v["data"].as_array().unwrap() {
        let pid = a["participant_id"].as_str().unwrap();
        assert!(pid.len() == 32 && pid.bytes().all(|b| b.is_ascii_hexdigit()));
    }
    let r = hw.at(Method::GET, &format!("/v1/mmc/management/conferences/confDetail?offset=0&conferenceID={SCHEDULED}&limit=20"), &at, "").await;
    let names: Vec<String> = r.json()["data"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["Bob", "Carol"]);
    assert_eq!(r.json()["conferenceData"]["conferenceState"], "Created");
}

#[tokio::test]
async fn the_control_token_is_accepted_raw_or_as_basic_base64() {
    let hw = Hw::new(false).await;
    let (at, ct) = hw.running().await;
    let r = hw
        .invite(RUNNING, &format!("Basic {}", b64(&ct)), &at, &bob())
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = hw.invite(RUNNING, "Basic !!!", &at, &bob()).await;
    assert_err(&r, 400, "MMC.111072065", "CONF_NOT_FOUND_OR_AUTH_FAILED");
}

#[tokio::test]
async fn a_wrong_or_expired_control_token_is_111072065() {
    let hw = Hw::new(false).await;
    let (at, ct) = hw.running().await;
    let r = hw.invite(RUNNING, "stbWRONG", &at, &bob()).await;
    assert_err(&r, 400, "MMC.111072065", "CONF_NOT_FOUND_OR_AUTH_FAILED");
    hw.app.advance_secs(1801.0).await;
    let r = hw.invite(RUNNING, &ct, &at, &bob()).await;
    assert_err(&r, 400, "MMC.111072065", "CONF_NOT_FOUND_OR_AUTH_FAILED");
    assert_eq!(hw.online(&at, RUNNING).await["count"], 1, "only the host");
}

#[tokio::test]
async fn a_closed_meeting_refuses_invites_with_conf_is_closed() {
    let hw = Hw::new(false).await;
    let (at, ct) = hw.running().await;
    hw.app
        .admin_post(
            &format!("/meetings/{RUNNING}/end"),
            json!({"vendor": "huawei", "tenant": "hwcorp0001"}),
        )
        .await;
    let r = hw.invite(RUNNING, &ct, &at, &bob()).await;
    assert_err(&r, 400, "MMC.111072006", "CONF_IS_CLOSED");
}

#[tokio::test]
async fn invite_validation_errors_use_their_codes_and_change_nothing() {
    let hw = Hw::new(false).await;
    let (at, ct) = hw.running().await;
    let one = |a: Value| json!({"attendees": [a]});
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!({}), "MMC.111072057", "REQUEST_BODY_IS_NULL"),
        (
            json!({"attendees": []}),
            "MMC.111072057",
            "REQUEST_BODY_IS_NULL",
        ),
        (
            json!({"attendees": "Bob"}),
            "MMC.111070001",
            "CONF_BAD_REQUEST",
        ),
        (
            one(json!({"phone": "1"})),
            "MMC.111072046",
            "SITE_NAME_IS_EMPTY",
        ),
        (
            one(json!({"name": "x".repeat(97), "phone": "1"})),
            "MMC.111072034",
            "SITE_NAME_LENGTH_TOO_LONG",
        ),
        (
            one(json!({"name": "NoNumber"})),
            "MMC.111072031",
            "SITE_CALL_NUMBER_IS_EMPTY",
        ),
        (
            one(json!({"name": "a", "phone": "1".repeat(128)})),
            "MMC.111072032",
            "SITE_CALL_NUMBER_LENGTH_TOO_LONG",
        ),
        (
            one(json!({"name": "a", "email": "e".repeat(256)})),
            "MMC.111072036",
            "SITE_EMAIL_LENGTH_TOO_LONG",
        ),
        (
            one(json!({"name": "a", "sms": "1".repeat(33)})),
            "MMC.111072037",
            "SITE_SMS_LENGTH_TOO_LONG",
        ),
        (
            one(json!({"name": "a", "phone": "1", "role": 7})),
            "MMC.111072035",
            "SITE_ROLE_NOT_IN_RANGE",
        ),
        (
            one(json!({"name": "a", "phone": "1", "type": "hologram"})),
            "MMC.111070001",
            "CONF_BAD_REQUEST",
        ),
    ];
    for (body, code, msg) in cases {
        assert_err(&hw.invite(RUNNING, &ct, &at, &body).await, 400, code, msg);
    }
    let r = hw
        .ctl(Method::POST, "participants", RUNNING, &ct, &at, "not json")
        .await;
    assert_err(&r, 400, "MMC.111070001", "CONF_BAD_REQUEST");
    let r = hw
        .ctl(Method::POST, "participants", RUNNING, &ct, &at, "")
        .await;
    assert_err(&r, 400, "MMC.111072057", "REQUEST_BODY_IS_NULL");
    assert_eq!(hw.online(&at, RUNNING).await["count"], 1);
}

#[tokio::test]
async fn ten_thousand_attendees_exceed_the_capacity_and_change_nothing() {
    let hw = Hw::new(false).await;
    let (at, ct) = hw.running().await;
    let list: Vec<Value> = (0..10_000)
        .map(|i| json!({"name": format!("P{i}"), "phone": format!("+86{i:011}")}))
        .collect();
    let r = hw
        .invite(RUNNING, &ct, &at, &json!({"attendees": list}))
        .await;
    assert_err(&r, 400, "MMC.111072101", "OVER_MAX_PARTICIPANT_NUMBER");
    assert_eq!(hw.online(&at, RUNNING).await["count"], 1);
}

#[tokio::test]
async fn concurrent_participants_caps_invitations() {
    let hw = Hw::new(false).await;
    let at = hw.login().await;
    let r = create(
        &hw,
        &at,
        json!({"subject": "small", "concurrentParticipants": 2}),
    )
    .await;
    let c = r.json()[0].clone();
    let id = c["conferenceID"].as_str().unwrap().to_string();
    let chair = c["passwordEntry"][0]["password"]
        .as_str()
        .unwrap()
        .to_string();
    let r = hw
        .at(
            Method::POST,
            "/v1/mmc/management/conferences/start",
            &at,
            &json!({"conferenceID": id, "password": chair}).to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let ct = hw.conf_token(&at, &id, &chair).await.json()["data"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let two = json!({"attendees": [{"name": "A", "phone": "1"}, {"name": "B", "phone": "2"}]});
    assert_eq!(hw.invite(&id, &ct, &at, &two).await.status, StatusCode::OK);
    let r = hw
        .invite(
            &id,
            &ct,
            &at,
            &json!({"attendees": [{"name": "C", "phone": "3"}]}),
        )
        .await;
    assert_err(&r, 400, "MMC.111072101", "OVER_MAX_PARTICIPANT_NUMBER");
    assert_eq!(hw.online(&at, &id).await["count"], 2);
}

#[tokio::test]
async fn a_locked_meeting_still_accepts_host_invitations() {
    let hw = Hw::new(true).await;
    let (at, ct) = hw.running().await;
    let r = hw
        .ctl(Method::PUT, "lock", RUNNING, &ct, &at, r#"{"isLock": 1}"#)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let m = hw
        .app
        .admin_get(&format!("/meetings/{RUNNING}?vendor=huawei"))
        .await
        .json();
    assert_eq!(m["meeting"]["locked"], true, "{m}");
    let r = hw.invite(RUNNING, &ct, &at, &bob()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(hw.online(&at, RUNNING).await["count"], 2);
}

#[tokio::test]
async fn hang_up_and_delete_attendees_remove_people() {
    let hw = Hw::new(false).await;
    let (at, ct) = hw.running().await;
    hw.invite(RUNNING, &ct, &at, &bob()).await;
    let v = hw.online(&at, RUNNING).await;
    let pid = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "Bob")
        .unwrap()["participant_id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = hw
        .ctl(
            Method::POST,
            "participants/delete",
            RUNNING,
            &ct,
            &at,
            r#"{"bulkHangUpParticipants": ["nope"]}"#,
        )
        .await;
    assert_err(&r, 400, "MMC.111072008", "CONF_PARTICIPANT_NOT_EXIST");
    let r = hw
        .ctl(
            Method::POST,
            "participants/delete",
            RUNNING,
            &ct,
            &at,
            &json!({"bulkHangUpParticipants": [pid]}).to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(hw.online(&at, RUNNING).await["count"], 1);
    let path = format!("/v1/mmc/control/conferences/attendees/delete?conferenceID={RUNNING}");
    let body = json!({"bulkDelAttendInfo": [{"number": "+8613800000002", "participantID": pid}]})
        .to_string();
    let r = hw
        .call(
            Method::POST,
            &path,
            &[("X-Conference-Authorization", &ct)],
            &body,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = hw
        .ctl(Method::GET, "realTimeInfo", RUNNING, &ct, &at, "")
        .await;
    assert_eq!(r.json()["attendees"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn stop_returns_to_schedule_and_its_control_tokens_stop_working() {
    let hw = Hw::new(false).await;
    let (at, ct) = hw.running().await;
    let r = hw.ctl(Method::PUT, "stop", RUNNING, &ct, &at, "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = hw.invite(RUNNING, &ct, &at, &bob()).await;
    assert_err(&r, 400, "MMC.111072005", "CONF_NOT_STARTED");
    let r = hw
        .at(
            Method::GET,
            &format!("/v1/mmc/management/conferences/confDetail?conferenceID={RUNNING}"),
            &at,
            "",
        )
        .await;
    assert_eq!(r.json()["conferenceData"]["conferenceState"], "Schedule");
    let r = hw
        .at(
            Method::POST,
            "/v1/mmc/management/conferences/start",
            &at,
            &json!({"conferenceID": RUNNING, "password": RUNNING_PWD}).to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = hw.invite(RUNNING, &ct, &at, &bob()).await;
    assert_err(&r, 400, "MMC.111072065", "CONF_NOT_FOUND_OR_AUTH_FAILED");
}

#[tokio::test]
async fn cancelling_a_running_meeting_needs_type_1() {
    let hw = Hw::new(false).await;
    let at = hw.login().await;
    let r = hw
        .at(
            Method::DELETE,
            &format!("/v1/mmc/management/conferences?conferenceID={RUNNING}"),
            &at,
            "",
        )
        .await;
    assert_err(&r, 400, "MMC.111071067", "CONF_IS_ONGOING_CANNOT_CANCEL");
    let r = hw
        .at(
            Method::DELETE,
            &format!("/v1/mmc/management/conferences?type=1&conferenceID={RUNNING}"),
            &at,
            "",
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = hw
        .at(
            Method::GET,
            &format!("/v1/mmc/management/conferences/confDetail?conferenceID={RUNNING}"),
            &at,
            "",
        )
        .await;
    assert_err(&r, 400, "MMC.111070005", "CONF_DATA_NOT_FOUND");
    let m = hw
        .app
        .admin_get(&format!("/meetings/{RUNNING}?vendor=huawei"))
        .await
        .json();
    assert_eq!(m["meeting"]["state"], "cancelled", "{m}");
}

async fn end_time(hw: &Hw, at: &str) -> String {
    let p = format!("/v1/mmc/management/conferences/online/confDetail?conferenceID={RUNNING}");
    hw.at(Method::GET, &p, at, "").await.json()["conferenceData"]["endTime"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn prolong_extends_the_end_time() {
    let hw = Hw::new(false).await;
    let (at, ct) = hw.running().await;
    let before = end_time(&hw, &at).await;
    let r = hw
        .ctl(
            Method::PUT,
            "duration",
            RUNNING,
            &ct,
            &at,
            r#"{"auto": 0, "duration": 30}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_ne!(end_time(&hw, &at).await, before);
    let r = hw
        .ctl(
            Method::PUT,
            "duration",
            RUNNING,
            &ct,
            &at,
            r#"{"duration": 30}"#,
        )
        .await;
    assert_err(&r, 400, "MMC.111070001", "CONF_BAD_REQUEST");
}

#[tokio::test]
async fn list_online_checks_its_limit_and_search_lists_only_live_meetings() {
    let hw = Hw::new(false).await;
    let at = hw.login().await;
    let r = hw
        .at(
            Method::GET,
            &format!(
                "/v1/mmc/management/conferences/online/conf-attendee?conf_id={RUNNING}&limit=501"
            ),
            &at,
            "",
        )
        .await;
    assert_err(&r, 400, "MMC.111070001", "CONF_BAD_REQUEST");
    let r = hw
        .at(
            Method::GET,
            "/v1/mmc/management/conferences/online?queryAll=true",
            &at,
            "",
        )
        .await;
    assert_eq!(r.json()["count"], 1);
    assert_eq!(r.json()["data"][0]["conferenceID"], RUNNING);
}

#[tokio::test]
async fn unknown_paths_get_the_gateway_404() {
    let hw = Hw::new(false).await;
    let r = hw.call(Method::GET, "/v1/mmc/nothing/here", &[], "").await;
    assert_err(
        &r,
        404,
        "APIGW.0101",
        "The API does not exist or has not been published in the environment",
    );
}

#[tokio::test]
async fn a_scenario_can_switch_flow_control_on() {
    let hw = Hw::with_scenario("rate_limits:\n  huawei: [{limit: 2, window_secs: 60}]\n").await;
    let at = hw.login().await;
    for _ in 0..2 {
        assert_eq!(
            hw.at(Method::GET, "/v1/mmc/management/conferences", &at, "")
                .await
                .status,
            StatusCode::OK
        );
    }
    let r = hw
        .at(Method::GET, "/v1/mmc/management/conferences", &at, "")
        .await;
    assert_err(&r, 429, "MMC.100000429", "SERVER_FLOW_CONTROL");
}

#[tokio::test]
async fn garbage_instead_of_tls_closes_cleanly_and_the_server_keeps_serving() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let hw = Hw::new(false).await;
    let addr = hw.app.running.addr();
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(&[0x16, 0x03, 0x01, 0xff, 0xff, 1, 2, 3, 4, 5])
        .await
        .unwrap();
    s.write_all(&[0u8; 512]).await.unwrap();
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), s.read_to_end(&mut buf)).await;
    let half = tokio::net::TcpStream::connect(addr).await.unwrap();
    half.try_write(&[0x16, 0x03]).ok();
    drop(half);
    let at = hw.login().await;
    assert!(at.starts_with("stb"));
}

#[tokio::test]
async fn the_dial_failed_scenario_fails_the_first_invite_with_the_catalogue_envelope() {
    let hw = Hw::with_scenario(include_str!(
        "../../scenarios/huawei-invite-dial-failed.yaml"
    ))
    .await;
    let (at, ct) = hw.running().await;
    let r = hw.invite(RUNNING, &ct, &at, &bob()).await;
    assert_err(&r, 500, "MMC.112010010", "PARTICIPANT_DIALOG_FAILED");
    assert_eq!(hw.online(&at, RUNNING).await["count"], 1);
    let r = hw.invite(RUNNING, &ct, &at, &bob()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}
