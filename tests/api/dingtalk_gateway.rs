//! DingTalk: the gateway's own checks before the service (Missingbody, Missing<field>, the QPS limit, the
//! unknown-route message), third-party and corp tokens, strict tenants per vendor, the
//! auto-provisioning counters, and the transports the Tea runtimes use (Node: chunked bodies
//! without Content-Length on one keep-alive socket, body-less DELETE; TLS on the same port).

use super::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn a_json_body_sent_form_encoded_is_missingbody_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let r = app
        .send(
            Method::POST,
            "/v1.0/conference/videoConferences",
            &[
                (TOKEN_HEADER, tok.as_str()),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            r#"{"userId":"host-union-0001","confTitle":"x"}"#,
        )
        .await;
    assert_error(&r, 400, "Missingbody", "body is mandatory for this action.");
    let r = app
        .send(
            Method::POST,
            "/v1.0/oauth2/accessToken",
            &[("content-type", "application/x-www-form-urlencoded")],
            "appKey=dingmockappkey&appSecret=mock-app-secret",
        )
        .await;
    assert_error(&r, 400, "Missingbody", "body is mandatory for this action.");
    let all = app.admin_get("/meetings?vendor=dingtalk").await.json();
    assert_eq!(all["meetings"].as_array().map(Vec::len), Some(1), "{all}");
}

#[tokio::test]
async fn an_empty_body_is_missingbody_and_a_missing_required_field_is_missing_field() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let r = call(
        &app,
        &tok,
        Method::POST,
        &conf(DEMO_CONF, "/users/invite"),
        json!(null),
    )
    .await;
    // `null` is a body; the service refuses it.
    assert_eq!(r.json()["code"], "paramsError", "{}", r.text);
    let r = app
        .send(
            Method::POST,
            &conf(DEMO_CONF, "/lock"),
            &[(TOKEN_HEADER, tok.as_str())],
            "",
        )
        .await;
    assert_error(&r, 400, "Missingbody", "body is mandatory for this action.");
    let r = call(
        &app,
        &tok,
        Method::POST,
        &conf(DEMO_CONF, "/lock"),
        json!({}),
    )
    .await;
    assert_error(
        &r,
        400,
        "Missingaction",
        "action is mandatory for this action.",
    );
    let r = token_of(&app, "", "x").await;
    assert_eq!(
        r.json()["code"],
        "invalidClientIdOrSecret",
        "present but empty: the service"
    );
    let r = app
        .send_json(
            Method::POST,
            "/v1.0/oauth2/accessToken",
            &[],
            &json!({"appSecret": "s"}),
        )
        .await;
    assert_error(
        &r,
        400,
        "MissingappKey",
        "appKey is mandatory for this action.",
    );
    let r = get(&app, &tok, "/v1.0/conference/users/lists").await;
    assert_error(
        &r,
        400,
        "MissingunionId",
        "unionId is mandatory for this action.",
    );
    assert!(!info(&app, &tok, DEMO_CONF).await.is_null());
}

#[tokio::test]
async fn a_wrong_method_or_path_gets_the_gateways_not_found_message() {
    let app = TestApp::spawn().await;
    let r = app
        .send(Method::GET, "/v1.0/oauth2/accessToken", &[], "")
        .await;
    assert_error(&r, 404, "InvalidAction.NotFound", NOT_FOUND);
    let r = app
        .send(Method::POST, "/v1.0/oauth2/token", &[], "{}")
        .await;
    assert_error(&r, 404, "InvalidAction.NotFound", NOT_FOUND);
}

#[tokio::test]
async fn a_third_party_suite_gets_a_corp_token_for_the_corp_that_authorised_it() {
    let app = TestApp::spawn().await;
    let body = |secret: &str, corp: &str| json!({"suiteKey": "suite-x", "suiteSecret": secret, "authCorpId": corp, "suiteTicket": "t"});
    let path = "/v1.0/oauth2/corpAccessToken";
    let r = app
        .send_json(Method::POST, path, &[], &body("s3cret", "corp-1"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let tok = r.json()["accessToken"].as_str().unwrap().to_string();
    assert_eq!(r.json()["expireIn"], 7200);
    let r = get(&app, &tok, "/v1.0/conference/orgConferences").await;
    assert_eq!(r.status, StatusCode::OK, "the corp token works: {}", r.text);
    let r = app
        .send_json(Method::POST, path, &[], &body("wrong", "corp-1"))
        .await;
    assert_error(&r, 400, "invalidSuiteKey", "suitekey不合法");
    let r = app
        .send_json(Method::POST, path, &[], &body("s3cret", "corp-2"))
        .await;
    assert_error(&r, 500, "unknownError", "未知错误");
    let mut b = body("s3cret", "corp-1");
    b.as_object_mut().unwrap().remove("suiteTicket");
    let r = app.send_json(Method::POST, path, &[], &b).await;
    assert_error(
        &r,
        400,
        "MissingsuiteTicket",
        "suiteTicket is mandatory for this action.",
    );
}

#[tokio::test]
async fn the_corp_token_endpoint_answers_snake_case_and_checks_the_corp() {
    let app = TestApp::spawn().await;
    let send = |corp: &'static str, secret: &'static str, grant: &'static str| {
        let app = &app;
        async move {
            app.send_json(
                Method::POST,
                &format!("/v1.0/oauth2/{corp}/token"),
                &[],
                &json!({"client_id": KEY, "client_secret": secret, "grant_type": grant}),
            )
            .await
        }
    };
    let r = send("dingmockcorp0001", SECRET, "client_credentials").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["expires_in"], 7200);
    let tok = r.json()["access_token"].as_str().unwrap().to_string();
    assert_eq!(tok, token(&app).await, "one live token per app");
    let r = send("dingbogus", SECRET, "client_credentials").await;
    assert_error(&r, 500, "unknownError", "未知错误");
    let r = send("dingmockcorp0001", "nope", "client_credentials").await;
    assert_error(
        &r,
        400,
        "invalidClientIdOrSecret",
        "无效的clientId或者clientSecret",
    );
    let r = send("dingmockcorp0001", SECRET, "password").await;
    assert_error(&r, 400, "paramsError", "error:grant_type is invalid");
}

#[tokio::test]
async fn auto_provisioning_is_counted_marked_and_switchable_per_vendor() {
    let app = TestApp::spawn().await;
    assert_eq!(
        token_of(&app, "ding-auto-1", "s").await.status,
        StatusCode::OK
    );
    let h = app.admin_get("/health").await.json();
    assert_eq!(h["auto_provisioned"], 1, "{h}");
    assert_eq!(h["tenants_auto"], 1, "{h}");
    let t = app.admin_get("/tenants").await.json();
    let auto = t["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "ding-auto-1")
        .unwrap();
    assert_eq!(auto["origin"], "auto");
    assert_eq!(t["strict"]["dingtalk"], false);
    let r = app
        .admin_try(
            Method::PUT,
            "/tenants/strict",
            json!({"vendor": "dingtalk", "strict": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["strict"]["feishu"], false, "only DingTalk");
    let r = token_of(&app, "ding-misconfigured", "s").await;
    assert_error(
        &r,
        400,
        "invalidClientIdOrSecret",
        "无效的clientId或者clientSecret",
    );
    assert_eq!(
        token_of(&app, "ding-auto-1", "s").await.status,
        StatusCode::OK,
        "known apps still work"
    );
    let r = app
        .send(
            Method::GET,
            "/gettoken?appkey=ding-misconfigured&appsecret=s",
            &[],
            "",
        )
        .await;
    assert_eq!(r.json()["errcode"], 40096);
    assert_eq!(app.admin_get("/health").await.json()["auto_provisioned"], 1);
    app.admin_post("/reset", json!({})).await;
    assert_eq!(
        app.admin_get("/tenants").await.json()["strict"]["dingtalk"],
        false
    );
    let r = app
        .admin_try(
            Method::PUT,
            "/tenants/strict",
            json!({"vendor": "nope", "strict": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

/// Reads HTTP/1.1 responses off `s` until `n` complete ones (Content-Length bodies) arrived.
async fn read_responses(s: &mut tokio::net::TcpStream, n: usize) -> Vec<(u16, String)> {
    let mut buf = Vec::new();
    let mut out = Vec::new();
    while out.len() < n {
        let mut chunk = [0u8; 4096];
        let k = s.read(&mut chunk).await.unwrap();
        assert!(k > 0, "connection closed after {} answers", out.len());
        buf.extend_from_slice(&chunk[..k]);
        loop {
            let text = String::from_utf8_lossy(&buf).to_string();
            let Some(head_end) = text.find("\r\n\r\n") else {
                break;
            };
            let head = &text[..head_end];
            let len: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap())
                })
                .unwrap_or(0);
            if buf.len() < head_end + 4 + len {
                break;
            }
            let status = head[9..12].parse().unwrap();
            let body = String::from_utf8_lossy(&buf[head_end + 4..head_end + 4 + len]).to_string();
            out.push((status, body));
            buf.drain(..head_end + 4 + len);
        }
    }
    out
}

#[tokio::test]
async fn chunked_bodies_and_a_bodiless_delete_share_one_keep_alive_socket() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let id = new_conf(&app, &tok).await;
    let addr = app.url("").trim_start_matches("http://").to_string();
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let body = r#"{"phoneInviteeList":[{"phoneNumber":"13800000009"}]}"#;
    let (a, b) = body.split_at(10);
    let chunked = format!(
        "POST /v1.0/conference/videoConferences/{id}/users/invite HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: keep-alive\r\ncontent-type: application/json; charset=utf-8\r\nx-acs-dingtalk-access-token: {tok}\r\ntransfer-encoding: chunked\r\n\r\n{:x}\r\n{a}\r\n{:x}\r\n{b}\r\n0\r\n\r\n",
        a.len(),
        b.len()
    );
    let delete = format!(
        "DELETE /v1.0/conference/videoConferences/{id}?unionId={HOST} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: keep-alive\r\nx-acs-dingtalk-access-token: {tok}\r\n\r\n"
    );
    s.write_all(chunked.as_bytes()).await.unwrap();
    let first = read_responses(&mut s, 1).await;
    assert_eq!(first[0], (200, r#"{"success":true}"#.to_string()));
    s.write_all(delete.as_bytes()).await.unwrap();
    let second = read_responses(&mut s, 1).await;
    assert_eq!(second[0].0, 200, "{}", second[0].1);
    assert_eq!(info(&app, &tok, &id).await["status"], 2);
    let phone = members(&app, &tok, &id).await;
    assert!(
        phone.iter().any(|m| m["userNick"] == "13800000009"),
        "{phone:?}"
    );
}

#[tokio::test]
async fn the_tls_port_on_the_same_port_serves_dingtalk() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    let r = client
        .post(app.https_url("/v1.0/oauth2/accessToken"))
        .json(&json!({"appKey": KEY, "appSecret": SECRET}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["accessToken"].as_str().map(str::len), Some(32));
}

#[tokio::test]
async fn the_third_party_library_scenario_serves_its_suite_in_its_corp_only() {
    let app = crate::faults_common::with_library("dingtalk-third-party.yaml").await;
    let corp = |corp: &str| {
        json!({"suiteKey": "suitemockkey", "suiteSecret": "suite-mock-secret",
               "authCorpId": corp, "suiteTicket": "ticket"})
    };
    let path = "/v1.0/oauth2/corpAccessToken";
    let r = app
        .send_json(Method::POST, path, &[], &corp("dingisvcorp0001"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let tok = r.json()["accessToken"].as_str().unwrap().to_string();
    let isv = "7a5bd1833dbffe1dffb52d4b";
    let body = json!({"inviteeList": [{"unionId": "isv-guest-0002", "nick": "G"}]});
    let r = invite(&app, &tok, isv, body).await;
    assert_eq!(r.json(), json!({"success": true}), "{}", r.text);
    let r = get(&app, &tok, &conf(DEMO_CONF, "")).await;
    assert_error(&r, 400, "paramsError", "error:conference not found");
    let r = app
        .send_json(Method::POST, path, &[], &corp("dingothercorp"))
        .await;
    assert_error(&r, 500, "unknownError", "未知错误");
    let r = app
        .send_json(
            Method::POST,
            "/v1.0/oauth2/dingisvcorp0001/token",
            &[],
            &json!({"client_id": "suitemockkey", "client_secret": "suite-mock-secret",
                    "grant_type": "client_credentials"}),
        )
        .await;
    assert_eq!(r.json()["access_token"], tok.as_str(), "{}", r.text);
}

#[tokio::test]
async fn throttling_answers_403_qps_limit_with_the_ban_end_time_when_switched_on() {
    let app = TestApp::spawn_config(
        Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            ..Config::default()
        },
        "name: dt-rl\nrate_limits: { dingtalk: documented }\n",
    )
    .await;
    // Frozen before anything is sent, so every call below shares one rate-limit second.
    crate::faults_common::freeze_on_a_second(&app).await;
    let tok = token(&app).await;
    for _ in 0..20 {
        assert_eq!(
            get(&app, &tok, &conf(DEMO_CONF, "")).await.status,
            StatusCode::OK
        );
    }
    let r = get(&app, &tok, &conf(DEMO_CONF, "")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let b = r.json();
    assert_eq!(b["code"], "Forbidden.AccessDenied.QpsLimitForApi");
    let msg = b["message"].as_str().unwrap();
    assert!(
        msg.starts_with("请求过于频繁，限制将在 ") && msg.ends_with(" 结束"),
        "{msg}"
    );
    assert_eq!(msg.chars().filter(|c| *c == ':').count(), 2, "{msg}");
    app.advance_secs(1.0).await;
    assert_eq!(
        get(&app, &tok, &conf(DEMO_CONF, "")).await.status,
        StatusCode::OK
    );
}
