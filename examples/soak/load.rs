//! The soak's mixed load: each worker cycles through the four vendors against the demo tenants,
//! authenticating as the official SDKs do (Tencent signatures, Feishu tenant and user tokens,
//! DingTalk access tokens, Huawei account login and control tokens), on a bounded set of
//! meetings (steady state: memory must stay flat). Invites race for small capacities.

use crate::client::Ctx;
use crate::creds::{refresh, Creds};
use base64::Engine;
use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::{json, Value};
use sha2::Sha256;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub const TC_APP: &str = "211000001";
const TC_SDK: &str = "28370000001";
const TC_SID: &str = "AKIDmeetmockDemoSecretId0001";
const TC_KEY: &str = "meetmockDemoSecretKey0001";
pub const FS_LIVE: &str = "7000000000000000028";
const DT_HOST: &str = "host-union-0001";
pub const HW_RUNNING: &str = "914673889";

static NONCE: AtomicU64 = AtomicU64::new(15_000_000_000_000_000_000);

/// xorshift64*: enough randomness for a load mix, no dependency.
pub struct Rng(pub u64);
impl Rng {
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1)
    }
}

/// Tencent's gateway headers for a request signed at the server's current time.
pub fn tencent_headers(
    ctx: &Ctx,
    method: &str,
    target: &str,
    body: &[u8],
    secret: &str,
) -> Vec<(&'static str, String)> {
    let ts = (ctx.server_now_ms() / 1000).to_string();
    let nonce = NONCE.fetch_add(1, Ordering::Relaxed).to_string();
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(
        format!("{method}\nX-TC-Key={TC_SID}&X-TC-Nonce={nonce}&X-TC-Timestamp={ts}\n{target}\n")
            .as_bytes(),
    );
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    vec![
        ("AppId", TC_APP.into()),
        ("SdkId", TC_SDK.into()),
        ("X-TC-Key", TC_SID.into()),
        ("X-TC-Timestamp", ts),
        ("X-TC-Nonce", nonce),
        ("X-TC-Registered", "1".into()),
        (
            "X-TC-Signature",
            base64::engine::general_purpose::STANDARD.encode(hex),
        ),
    ]
}

pub async fn tencent(
    ctx: &Ctx,
    m: Method,
    target: &str,
    body: &Value,
    op: &'static str,
) -> Option<crate::client::Answer> {
    let b = if body.is_null() {
        Vec::new()
    } else {
        body.to_string().into_bytes()
    };
    let h = tencent_headers(ctx, m.as_str(), target, &b, TC_KEY);
    ctx.call("tencent", op, m, target, &h, b).await
}

const USERS_TC: &[&str] = &["userB", "userC", "userD", "userE", "ghost_u", "nobody"];
const GUESTS_FS: &[&str] = &[
    "ou_guest_0001",
    "ou_guest_0002",
    "ou_guest_0003",
    "ou_guest_0004",
    "ou_guest_0005",
    "ou_guest_0006",
    "ou_guest_0007",
    "ou_guest_0008",
    "ou_guest_0009",
    "ou_guest_0010",
    "ou_guest_0011",
];
const USERS_DT: &[&str] = &[
    "union-alice-0001",
    "union-bob-0002",
    "union-carol-0003",
    "ghost-union",
];

/// Runs one worker until `ctx.stop`.
pub async fn worker(ctx: &Ctx, id: u64) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (id + 1).wrapping_mul(0x1000_0000_01B3));
    let mut c = Creds::default();
    let mut i = id;
    while !ctx.stop.load(Ordering::Relaxed) {
        if c.at.is_none_or(|t| t.elapsed() > Duration::from_secs(60)) {
            refresh(ctx, &mut c).await;
        }
        match i % 4 {
            0 => tencent_step(ctx, &mut c, &mut rng).await,
            1 => feishu_step(ctx, &c, &mut rng).await,
            2 => dingtalk_step(ctx, &mut c, &mut rng).await,
            _ => huawei_step(ctx, &c, &mut rng).await,
        }
        i += 1;
    }
}

async fn tencent_step(ctx: &Ctx, c: &mut Creds, rng: &mut Rng) {
    let Some(id) = c.tc_meeting.clone() else {
        let start = ctx.server_now_ms() / 1000 + 3600;
        let body = json!({"userid": "userA", "instanceid": 1, "subject": "soak", "type": 0,
            "start_time": start.to_string(), "end_time": (start + 3600).to_string()});
        let r = tencent(ctx, Method::POST, "/v1/meetings", &body, "v1_meetings_post").await;
        c.tc_meeting = r.and_then(|a| {
            a.json["meeting_info_list"][0]["meeting_id"]
                .as_str()
                .map(str::to_string)
        });
        return;
    };
    match rng.below(3) {
        0 => {
            let n = 1 + rng.below(USERS_TC.len() as u64) as usize;
            let inv: Vec<Value> = USERS_TC
                .iter()
                .take(n)
                .map(|u| json!({"userid": u}))
                .collect();
            let body = json!({"userid": "userA", "instanceid": 1, "invitees": inv});
            tencent(
                ctx,
                Method::PUT,
                &format!("/v1/meetings/{id}/invitees"),
                &body,
                "invitees_put",
            )
            .await;
        }
        1 => {
            let t = format!("/v1/meetings/{id}?userid=userA&instanceid=1");
            tencent(
                ctx,
                Method::GET,
                &t,
                &Value::Null,
                "v1_meetings_meeting_id_get",
            )
            .await;
        }
        _ => {
            let t = format!("/v1/meetings/{id}/invitees?userid=userA&instanceid=1&pos=0");
            tencent(ctx, Method::GET, &t, &Value::Null, "invitees_get").await;
        }
    }
}

async fn feishu_step(ctx: &Ctx, c: &Creds, rng: &mut Rng) {
    let guest = GUESTS_FS[rng.below(GUESTS_FS.len() as u64) as usize];
    let (m, path, tok, body, op) = match rng.below(3) {
        0 => (
            Method::PATCH,
            format!("/open-apis/vc/v1/meetings/{FS_LIVE}/invite"),
            &c.fs_user,
            json!({"invitees": [{"id": guest, "user_type": 1}]}),
            "meeting.invite",
        ),
        1 => (
            Method::POST,
            format!("/open-apis/vc/v1/meetings/{FS_LIVE}/kickout"),
            &c.fs_tenant,
            json!({"kickout_users": [{"id": guest, "user_type": 1}]}),
            "meeting.kickout",
        ),
        _ => (
            Method::GET,
            format!("/open-apis/vc/v1/meetings/{FS_LIVE}?with_participants=true"),
            &c.fs_tenant,
            Value::Null,
            "meeting.get",
        ),
    };
    let b = if body.is_null() {
        Vec::new()
    } else {
        body.to_string().into_bytes()
    };
    ctx.call(
        "feishu",
        op,
        m,
        &path,
        &[("Authorization", format!("Bearer {tok}"))],
        b,
    )
    .await;
}

async fn dingtalk_step(ctx: &Ctx, c: &mut Creds, rng: &mut Rng) {
    let h = [("x-acs-dingtalk-access-token", c.dt_token.clone())];
    let Some(id) = c.dt_conf.clone() else {
        let body = json!({"userId": DT_HOST, "confTitle": "soak", "inviteCaller": false})
            .to_string()
            .into_bytes();
        let r = ctx
            .call(
                "dingtalk",
                "CreateVideoConference",
                Method::POST,
                "/v1.0/conference/videoConferences",
                &h,
                body,
            )
            .await;
        if let Some(id) = r.and_then(|a| a.json["conferenceId"].as_str().map(str::to_string)) {
            // Small rooms, so concurrent invites race for the last seats.
            ctx.admin(
                Method::POST,
                &format!("/meetings/{id}/capacity"),
                Some(json!({"vendor": "dingtalk", "capacity": 4})),
            )
            .await;
            c.dt_conf = Some(id);
        }
        return;
    };
    let conf = format!("/v1.0/conference/videoConferences/{id}");
    let user = USERS_DT[rng.below(USERS_DT.len() as u64) as usize];
    let (m, path, body, op) = match rng.below(4) {
        0 => (
            Method::POST,
            format!("{conf}/users/invite"),
            json!({"unionId": DT_HOST,
            "inviteeList": [{"unionId": user, "nick": "x"}],
            "phoneInviteeList": [{"nick": "Phone", "phoneNumber": format!("1380000{:04}", rng.below(20))}]}),
            "InviteUsers",
        ),
        1 => (
            Method::POST,
            format!("{conf}/members/kick"),
            json!({"userList": [{"unionId": user}]}),
            "KickMembers",
        ),
        2 => (
            Method::GET,
            conf.clone(),
            Value::Null,
            "QueryConferenceInfo",
        ),
        _ => (
            Method::GET,
            format!("{conf}/members"),
            Value::Null,
            "QueryConferenceMembers",
        ),
    };
    let b = if body.is_null() {
        Vec::new()
    } else {
        body.to_string().into_bytes()
    };
    ctx.call("dingtalk", op, m, &path, &h, b).await;
}

async fn huawei_step(ctx: &Ctx, c: &Creds, rng: &mut Rng) {
    let ctl = [
        ("X-Access-Token", c.hw_access.clone()),
        ("X-Conference-Authorization", c.hw_control.clone()),
    ];
    match rng.below(3) {
        0 => {
            let phone = format!("+86139{:08}", rng.below(40));
            let body = json!({"attendees": [{"name": "Soak", "phone": phone, "type": "normal"}]})
                .to_string()
                .into_bytes();
            let p = format!("/v1/mmc/control/conferences/participants?conferenceID={HW_RUNNING}");
            ctx.call("huawei", "InviteParticipant", Method::POST, &p, &ctl, body)
                .await;
        }
        1 => {
            let p = format!("/v1/mmc/management/conferences/confDetail?conferenceID={HW_RUNNING}");
            ctx.call(
                "huawei",
                "ShowMeetingDetail",
                Method::GET,
                &p,
                &ctl[..1],
                Vec::new(),
            )
            .await;
        }
        _ => {
            let p = format!("/v1/mmc/management/conferences/online/conf-attendee?conf_id={HW_RUNNING}&limit=500");
            ctx.call(
                "huawei",
                "ListOnlineConfAttendee",
                Method::GET,
                &p,
                &ctl[..1],
                Vec::new(),
            )
            .await;
        }
    }
}
