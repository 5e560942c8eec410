//! Feishu / Lark VC v1 over real HTTP against the demo scenario (app `cli_demo_feishu`): the
//! shared helpers (demo credentials and ids, token minting, authorised calls, invite, error and
//! admin helpers) that the other `feishu_*` modules reuse, plus the rate-limit tests.
//! Topics live in `feishu_tokens`, `feishu_gateway`, `feishu_meetings`, `feishu_invite` and
//! `feishu_reports`.

use crate::common::{Resp, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

pub(crate) const APP: &str = "cli_demo_feishu";
pub(crate) const SECRET: &str = "demo_feishu_secret";
pub(crate) const LIVE: &str = "7000000000000000028";
pub(crate) const RESERVE: &str = "6911188411934973028";
pub(crate) const HOST: &str = "ou_host_0001";

pub(crate) async fn tenant_token(app: &TestApp) -> String {
    let r = app
        .send(
            Method::POST,
            "/open-apis/auth/v3/tenant_access_token/internal",
            &[],
            json!({"app_id": APP, "app_secret": SECRET}).to_string(),
        )
        .await;
    r.json()["tenant_access_token"]
        .as_str()
        .unwrap()
        .to_string()
}

pub(crate) async fn app_token(app: &TestApp) -> String {
    let r = app
        .send(
            Method::POST,
            "/open-apis/auth/v3/app_access_token/internal",
            &[],
            json!({"app_id": APP, "app_secret": SECRET}).to_string(),
        )
        .await;
    r.json()["app_access_token"].as_str().unwrap().to_string()
}

pub(crate) async fn login_code(app: &TestApp, user: &str) -> String {
    let v = app
        .admin_post(
            "/vendors/feishu/login_code",
            json!({"app_id": APP, "user": user}),
        )
        .await;
    v["code"].as_str().unwrap().to_string()
}

pub(crate) async fn user_token(app: &TestApp, user: &str) -> String {
    let code = login_code(app, user).await;
    let a = app_token(app).await;
    let r = call(
        app,
        Method::POST,
        "/open-apis/authen/v1/oidc/access_token",
        &a,
        Some(json!({"grant_type": "authorization_code", "code": code})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()["data"]["access_token"]
        .as_str()
        .unwrap()
        .to_string()
}

pub(crate) async fn call(
    app: &TestApp,
    m: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> Resp {
    let auth = format!("Bearer {token}");
    match body {
        Some(b) => {
            app.send_json(m, path, &[("authorization", &auth)], &b)
                .await
        }
        None => app.send(m, path, &[("authorization", &auth)], "").await,
    }
}

pub(crate) async fn invite(app: &TestApp, token: &str, meeting: &str, ids: &[&str]) -> Resp {
    let invitees: Vec<Value> = ids
        .iter()
        .map(|i| json!({"id": i, "user_type": 1}))
        .collect();
    call(
        app,
        Method::PATCH,
        &format!("/open-apis/vc/v1/meetings/{meeting}/invite"),
        token,
        Some(json!({"invitees": invitees})),
    )
    .await
}

pub(crate) fn assert_err(r: &Resp, status: u16, code: i64, msg: &str) {
    assert_eq!(r.status.as_u16(), status, "{}", r.text);
    let v = r.json();
    assert_eq!(v["code"], code, "{}", r.text);
    assert_eq!(v["msg"], msg, "{}", r.text);
}

pub(crate) async fn admin_meeting(app: &TestApp, id: &str) -> Value {
    app.admin_get(&format!("/meetings/{id}?vendor=feishu"))
        .await
        .json()["meeting"]
        .clone()
}

pub(crate) async fn admin(app: &TestApp, id: &str, action: &str, extra: Value) -> Value {
    let mut body = json!({"vendor": "feishu"});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    app.admin_post(&format!("/meetings/{id}/{action}"), body)
        .await
}

// ---- rate limit ----

#[tokio::test]
async fn meeting_get_over_fifty_a_second_is_429_with_ogw_headers() {
    let app = TestApp::spawn().await;
    let t = tenant_token(&app).await;
    let path = format!("/open-apis/vc/v1/meetings/{LIVE}");
    let mut ok = 0;
    let mut refused = None;
    for _ in 0..400 {
        let r = call(&app, Method::GET, &path, &t, None).await;
        if r.status == StatusCode::OK {
            ok += 1;
        } else {
            refused = Some(r);
            break;
        }
    }
    let r = refused.expect("a burst of meeting.get calls is refused");
    assert!(ok >= 50, "only {ok} calls passed before the refusal");
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        r.json(),
        json!({"code": 99991400, "msg": "request trigger frequency limit"})
    );
    assert_eq!(r.header("x-ogw-ratelimit-limit"), Some("50"));
    assert_eq!(r.header("x-ogw-ratelimit-reset"), Some("1"));
    // token endpoints have no documented limit
    for _ in 0..60 {
        let r = app
            .send(
                Method::POST,
                "/open-apis/auth/v3/tenant_access_token/internal",
                &[],
                json!({"app_id": APP, "app_secret": SECRET}).to_string(),
            )
            .await;
        assert_eq!(r.json()["code"], 0);
    }
}

#[tokio::test]
async fn a_scenario_limit_of_two_per_minute_refuses_the_third_call() {
    let app = TestApp::spawn_config(
        meetmock::config::Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            no_demo: false,
            ..Default::default()
        },
        "name: tight\nrate_limits:\n  feishu: [{limit: 2, window_secs: 60}]\n",
    )
    .await;
    let t = tenant_token(&app).await;
    let path = format!("/open-apis/vc/v1/meetings/{LIVE}");
    for _ in 0..2 {
        assert_eq!(
            call(&app, Method::GET, &path, &t, None).await.status,
            StatusCode::OK
        );
    }
    let r = call(&app, Method::GET, &path, &t, None).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.header("x-ogw-ratelimit-limit"), Some("2"));
    app.advance_secs(60.0).await;
    assert_eq!(
        call(&app, Method::GET, &path, &t, None).await.status,
        StatusCode::OK
    );
}
