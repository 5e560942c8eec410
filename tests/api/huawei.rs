//! Huawei Cloud Meeting: the shared client (`Hw`, over plain HTTP or TLS on the same port),
//! demo constants and assertion helpers used by the `huawei_*` modules, plus the general tests
//! (access-token gate, gateway 404, flow control, TLS garbage). Logins and tokens are in
//! `huawei_login`, meeting management in `huawei_meetings`, InviteParticipant in
//! `huawei_invite`, the other control APIs in `huawei_control`.

use crate::common::{Resp, TestApp};
use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

pub(crate) const ACCOUNT: &str = "demo@hwcorp";
pub(crate) const PASSWORD: &str = "Demo@Passw0rd";
pub(crate) const APP_ID: &str = "hwdemoappid0123456789";
pub(crate) const APP_KEY: &str = "HwDemoAppKey0123456789abcdef";
pub(crate) const SCHEDULED: &str = "916206899";
pub(crate) const SCHEDULED_PWD: &str = "167602";
pub(crate) const RUNNING: &str = "914673889";
pub(crate) const RUNNING_PWD: &str = "246810";

pub(crate) fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// A client of one TestApp, over HTTP or TLS.
pub(crate) struct Hw {
    pub(crate) app: TestApp,
    tls: bool,
}

impl Hw {
    pub(crate) async fn new(tls: bool) -> Hw {
        Hw {
            app: TestApp::spawn().await,
            tls,
        }
    }

    /// A client of this server, over plain HTTP.
    pub(crate) fn of(app: TestApp) -> Hw {
        Hw { app, tls: false }
    }

    pub(crate) async fn with_scenario(yaml: &str) -> Hw {
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

    pub(crate) async fn call(
        &self,
        m: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Resp {
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

    pub(crate) async fn login(&self) -> String {
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

    pub(crate) async fn at(&self, m: Method, path: &str, token: &str, body: &str) -> Resp {
        self.call(m, path, &[("X-Access-Token", token)], body).await
    }

    pub(crate) async fn conf_token(&self, at: &str, conf: &str, pwd: &str) -> Resp {
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

    pub(crate) async fn ctl(
        &self,
        m: Method,
        op: &str,
        conf: &str,
        ct: &str,
        at: &str,
        body: &str,
    ) -> Resp {
        let path = format!("/v1/mmc/control/conferences/{op}?conferenceID={conf}");
        self.call(
            m,
            &path,
            &[("X-Access-Token", at), ("X-Conference-Authorization", ct)],
            body,
        )
        .await
    }

    pub(crate) async fn invite(&self, conf: &str, ct: &str, at: &str, body: &Value) -> Resp {
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
    pub(crate) async fn running(&self) -> (String, String) {
        let at = self.login().await;
        let r = self.conf_token(&at, RUNNING, RUNNING_PWD).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let ct = r.json()["data"]["token"].as_str().unwrap().to_string();
        (at, ct)
    }

    pub(crate) async fn online(&self, at: &str, conf: &str) -> Value {
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

pub(crate) fn assert_err(r: &Resp, status: u16, code: &str, msg: &str) {
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

pub(crate) fn bob() -> Value {
    json!({"attendees": [{"name": "Bob", "phone": "+8613800000002", "type": "normal"}]})
}

pub(crate) async fn create(hw: &Hw, at: &str, body: Value) -> Resp {
    hw.at(
        Method::POST,
        "/v1/mmc/management/conferences",
        at,
        &body.to_string(),
    )
    .await
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
