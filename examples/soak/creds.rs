//! Per-worker credentials, fetched as the official SDKs do and refreshed every minute:
//! Feishu tenant and user tokens, a DingTalk access token, a Huawei account login and the
//! control token of the running meeting.

use crate::client::Ctx;
use crate::load::HW_RUNNING;
use base64::Engine;
use reqwest::Method;
use serde_json::json;
use std::time::Instant;

const FS_APP: &str = "cli_demo_feishu";
const FS_SECRET: &str = "demo_feishu_secret";

/// One worker's credentials and meetings, refreshed every minute.
#[derive(Default)]
pub struct Creds {
    pub at: Option<Instant>,
    pub tc_meeting: Option<String>,
    pub fs_tenant: String,
    pub fs_user: String,
    pub dt_token: String,
    pub dt_conf: Option<String>,
    pub hw_access: String,
    pub hw_control: String,
}

pub async fn refresh(ctx: &Ctx, c: &mut Creds) {
    let creds = json!({"app_id": FS_APP, "app_secret": FS_SECRET});
    let t = ctx
        .call(
            "feishu",
            "auth",
            Method::POST,
            "/open-apis/auth/v3/tenant_access_token/internal",
            &[],
            creds.to_string().into_bytes(),
        )
        .await;
    c.fs_tenant = t
        .map(|a| {
            a.json["tenant_access_token"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .unwrap_or_default();
    let a = ctx
        .call(
            "feishu",
            "auth",
            Method::POST,
            "/open-apis/auth/v3/app_access_token/internal",
            &[],
            creds.to_string().into_bytes(),
        )
        .await;
    let app = a
        .map(|a| {
            a.json["app_access_token"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .unwrap_or_default();
    let code = ctx
        .admin(
            Method::POST,
            "/vendors/feishu/login_code",
            Some(json!({"app_id": FS_APP, "user": "ou_host_0001"})),
        )
        .await;
    let body = json!({"grant_type": "authorization_code", "code": code["code"]})
        .to_string()
        .into_bytes();
    let u = ctx
        .call(
            "feishu",
            "auth",
            Method::POST,
            "/open-apis/authen/v1/oidc/access_token",
            &[("Authorization", format!("Bearer {app}"))],
            body,
        )
        .await;
    c.fs_user = u
        .map(|a| {
            a.json["data"]["access_token"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .unwrap_or_default();
    let body = json!({"appKey": "dingmockappkey", "appSecret": "mock-app-secret"})
        .to_string()
        .into_bytes();
    let d = ctx
        .call(
            "dingtalk",
            "auth",
            Method::POST,
            "/v1.0/oauth2/accessToken",
            &[],
            body,
        )
        .await;
    c.dt_token = d
        .map(|a| {
            a.json["accessToken"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .unwrap_or_default();
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("demo@hwcorp:Demo@Passw0rd")
    );
    let body = br#"{"account": "demo@hwcorp", "clientType": 72}"#.to_vec();
    let h = ctx
        .call(
            "huawei",
            "auth",
            Method::POST,
            "/v1/usg/acs/auth/account",
            &[("Authorization", basic)],
            body,
        )
        .await;
    c.hw_access = h
        .map(|a| {
            a.json["accessToken"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .unwrap_or_default();
    let path = format!("/v1/mmc/control/conferences/token?conferenceID={HW_RUNNING}");
    let hdr = [
        ("X-Access-Token", c.hw_access.clone()),
        ("X-Password", "246810".to_string()),
        ("X-Login-Type", "1".into()),
    ];
    let ct = ctx
        .call("huawei", "auth", Method::GET, &path, &hdr, Vec::new())
        .await;
    c.hw_control = ct
        .map(|a| {
            a.json["data"]["token"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .unwrap_or_default();
    c.at = Some(Instant::now());
}
