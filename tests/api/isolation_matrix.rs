//! The isolation matrix: every route of every vendor, driven from `meetmock::vendors::registry()`
//! (a route without an entry in [`SPECS`] fails the test), called with tenant B's valid
//! credentials against tenant A's resources. Meeting routes target A's running and scheduled
//! meetings (refused with the vendor's own "unknown meeting" answer, nothing changed) and the
//! twin id both tenants have (B acts on its own copy; A's data unchanged). List routes never
//! show A's meetings; credential routes refuse A's codes, tokens and ids with B's secrets.
//! State is compared through `GET /__admin/state`, ignoring tokens, ids drawn and the journal.

use crate::common::{Resp, TestApp};
use crate::isolation_clients::{self as c, Side};
use crate::isolation_panic::vendor_code;
use reqwest::Method;
use serde_json::Value;

/// Which of B's credentials a call carries.
#[derive(Clone, Copy, Debug)]
enum Cred {
    /// None: credentials in the body or query (token routes).
    None,
    /// Tencent signature of B.
    Sig,
    /// Feishu tenant / user / app access token of B.
    Tenant,
    User,
    App,
    /// DingTalk access token of B.
    Ding,
    /// Huawei access token of B; with a control token of B's own meeting.
    HwUser,
    HwCtl,
    /// Huawei login: A's account with B's password / A's App ID signed with B's key.
    HwBasicMix,
    HwSigMix,
}

/// What must happen.
#[derive(Clone, Copy, Debug)]
enum Kind {
    /// Targets a meeting: for A's meetings refused with (status, vendor code), nothing changed;
    /// for the twin id, A's data unchanged.
    Target(u16, &'static str),
    /// Targets a conference by its id alone, as Huawei meeting control does (the conference id
    /// and its password or control token authorise, not the enterprise): A's running meeting
    /// refused with (status, first code), A's scheduled one with (status, second code) — its
    /// own state —, nothing changed.
    Conf(u16, &'static str, &'static str),
    /// Answered without any of A's meetings; nothing of A changed.
    List,
    /// Acts on B's own data; A's data unchanged.
    Own,
    /// A's code, token or id with B's credentials: refused with (status, code), nothing changed.
    Mixed(u16, &'static str),
}

/// (vendor, operation, credential, query, body, kind). Placeholders: `{m}` target meeting,
/// `{code}` A's running meeting code, `{a_id}` A's tenant id, `{b_id}`, `{b_secret}`,
/// `{a_code}` a Feishu login code of A, `{a_refresh}` / `{a_at}` A's refresh / access token,
/// `{soon}` / `{ago}` the server time two hours ahead / back.
type Spec = (
    &'static str,
    &'static str,
    Cred,
    &'static str,
    &'static str,
    Kind,
);

const TC_Q: &str = "userid=host1&operator_id=host1&operator_id_type=1&instanceid=1";
const TC_B: &str = r#"{"userid":"host1","operator_id":"host1","operator_id_type":1,"instanceid":1,"reason_code":1,"subject":"hijack","invitees":[{"userid":"guest1"}],"meeting_locked":true}"#;
const TC_CTL: &str = r#"{"operator_id":"host1","operator_id_type":1,"instanceid":1,"allow_rejoin":true,"operate_type":3,"mute":true,"users":[{"to_operator_id":"guest1","to_operator_id_type":1,"ms_open_id":"guest1","nick_name":"X","instanceid":1}],"action":true,"user":{"to_operator_id":"guest1","to_operator_id_type":1}}"#;
const TC_USER: &str = r#"{"operator_id":"host1","operator_id_type":1,"userid":"newcomer","username":"N","phone":"13800000001","userid_list":["guest1"],"open_id_list":["o1"],"sdkid":"1"}"#;
const FS_INV: &str = r#"{"invitees":[{"id":"ou_guest","user_type":1}],"kickout_users":[{"id":"ou_guest","user_type":1}],"host_user":{"id":"ou_guest","user_type":1},"old_host_user":{"id":"ou_host","user_type":1},"end_time":"{soon}"}"#;
const DT_USERS: &str = r#"{"userList":[{"unionId":"union-guest"}],"inviteeList":[{"unionId":"union-guest","nick":"G"}],"unionId":"union-guest","nick":"Hijacked"}"#;
const HW_ATT: &str = r#"{"attendees":[{"name":"G","phone":"+8613800000009"}],"bulkHangUpParticipants":["p1"],"bulkDelAttendInfo":[{"number":"+8613800000009"}],"isLock":1,"auto":0,"duration":30,"isMute":1,"applyChair":1,"chairmanPwd":"222222","isCohost":1,"newName":"X","number":"+8613800000009","callNum":"+8613800000009","confID":"{m}","pwd":"222222","isRecord":1}"#;

/// Each vendor's own answer for a meeting its caller's tenant does not have.
const T_TC: Kind = Kind::Target(500, "9003");
const T_TC_INV: Kind = Kind::Target(400, "190457");
/// Tencent's modify-guests table has no 9003: an unknown meeting is 13703 there.
const T_TC_GUEST: Kind = Kind::Target(500, "13703");
const T_FS_NO_DATA: Kind = Kind::Target(404, "121004");
const T_FS: Kind = Kind::Target(404, "122002");
const T_DT: Kind = Kind::Target(400, "paramsError");
const T_HW: Kind = Kind::Target(400, "MMC.111070005");
const T_HW_CTL: Kind = Kind::Conf(400, "MMC.111072065", "MMC.111072005");
const HW_USER_GONE: Kind = Kind::Mixed(400, "USG.201040000");

#[rustfmt::skip]
static SPECS: &[Spec] = &[
    ("tencent", "v1_meetings_post", Cred::Sig, "", r#"{"userid":"host1","instanceid":1,"subject":"b","type":0,"start_time":"1893484800","end_time":"1893488400"}"#, Kind::Own),
    ("tencent", "v1_meetings_get", Cred::Sig, "meeting_code={code}&userid=host1&instanceid=1", "", Kind::List),
    ("tencent", "v1_meetings_meeting_id_get", Cred::Sig, TC_Q, "", T_TC),
    ("tencent", "v1_meetings_meeting_id_put", Cred::Sig, "", TC_B, T_TC),
    ("tencent", "v1_meetings_meeting_id_invitees_put", Cred::Sig, "", TC_B, T_TC_INV),
    ("tencent", "v1_meetings_meeting_id_invitees_get", Cred::Sig, TC_Q, "", T_TC_INV),
    ("tencent", "v1_meetings_meeting_id_cancel_post", Cred::Sig, "", TC_B, T_TC),
    ("tencent", "v1_meetings_meeting_id_dismiss_post", Cred::Sig, "", TC_B, T_TC),
    ("tencent", "v1_meetings_meeting_id_participants_get", Cred::Sig, TC_Q, "", T_TC),
    ("tencent", "v1_meetings_meeting_id_real_time_participants_get", Cred::Sig, TC_Q, "", T_TC),
    ("tencent", "v1_real_control_meetings_meeting_id_status_put", Cred::Sig, "", TC_B, T_TC),
    ("tencent", "v1_real_control_meetings_meeting_id_kickout_put", Cred::Sig, "", TC_CTL, T_TC),
    ("tencent", "v1_real_control_meetings_meeting_id_cohosts_put", Cred::Sig, "", TC_CTL, T_TC),
    ("tencent", "v1_real_control_meetings_meeting_id_mutes_put", Cred::Sig, "", TC_CTL, T_TC),
    ("tencent", "v1_real_control_meetings_meeting_id_names_put", Cred::Sig, "", TC_CTL, T_TC),
    ("tencent", "v1_meetings_meeting_id_waiting_room_participants_get", Cred::Sig, TC_Q, "", T_TC),
    ("tencent", "v1_meeting_meeting_id_waiting_room_get", Cred::Sig, TC_Q, "", T_TC),
    ("tencent", "v1_real_control_meetings_meeting_id_waiting_room_put", Cred::Sig, "", TC_CTL, T_TC),
    ("tencent", "v1_guests_meeting_id_get", Cred::Sig, TC_Q, "", T_TC),
    ("tencent", "v1_guests_meeting_id_put", Cred::Sig, "", TC_B, T_TC_GUEST),
    ("tencent", "v1_history_meetings_userid_get", Cred::Sig, "page=1&page_size=20", "", Kind::List),
    ("tencent", "v1_users_post", Cred::Sig, "", TC_USER, Kind::Own),
    ("tencent", "v1_users_list_get", Cred::Sig, "page=1&page_size=20&operator_id=host1&operator_id_type=1", "", Kind::List),
    ("tencent", "v1_users_invite_activate_post", Cred::Sig, "", TC_USER, Kind::Own),
    ("tencent", "v1_users_open_id_to_userid_post", Cred::Sig, "", TC_USER, Kind::Own),
    ("tencent", "v1_users_userid_get", Cred::Sig, TC_Q, "", Kind::List),
    ("tencent", "v1_users_userid_put", Cred::Sig, "", TC_USER, Kind::Own),
    ("tencent", "v1_users_userid_delete", Cred::Sig, TC_Q, "", Kind::Own),
    ("tencent", "v1_users_userid_invite_activate_put", Cred::Sig, TC_Q, "", Kind::Own),
    ("tencent", "v1_users_get", Cred::Sig, TC_Q, "", Kind::List),
    ("tencent", "v1_users_put", Cred::Sig, "", TC_USER, Kind::Own),
    ("tencent", "v1_users_delete", Cred::Sig, TC_Q, "", Kind::Own),
    ("feishu", "auth.tenant_access_token.internal", Cred::None, "", r#"{"app_id":"{a_id}","app_secret":"{b_secret}"}"#, Kind::Mixed(200, "10014")),
    ("feishu", "auth.app_access_token.internal", Cred::None, "", r#"{"app_id":"{a_id}","app_secret":"{b_secret}"}"#, Kind::Mixed(200, "10014")),
    ("feishu", "callback.ws.endpoint", Cred::None, "", r#"{"AppID":"{a_id}","AppSecret":"{b_secret}"}"#, Kind::Mixed(200, "1000040345")),
    ("feishu", "auth.app_access_token.create", Cred::None, "", r#"{"app_id":"{a_id}","app_secret":"{b_secret}","app_ticket":"t"}"#, Kind::Mixed(200, "10014")),
    ("feishu", "auth.tenant_access_token.create", Cred::None, "", r#"{"app_access_token":"a-{a_id}","tenant_key":"{a_id}"}"#, Kind::Mixed(200, "10013")),
    ("feishu", "auth.app_ticket.resend", Cred::None, "", r#"{"app_id":"{a_id}","app_secret":"{b_secret}"}"#, Kind::Mixed(200, "10014")),
    ("feishu", "authen.oidc_access_token.create", Cred::App, "", r#"{"grant_type":"authorization_code","code":"{a_code}"}"#, Kind::Mixed(200, "20024")),
    ("feishu", "authen.oidc_refresh_access_token.create", Cred::App, "", r#"{"grant_type":"refresh_token","refresh_token":"{a_refresh}"}"#, Kind::Mixed(200, "20024")),
    ("feishu", "authen.access_token.create", Cred::App, "", r#"{"grant_type":"authorization_code","code":"{a_code}"}"#, Kind::Mixed(200, "20024")),
    ("feishu", "authen.refresh_access_token.create", Cred::App, "", r#"{"grant_type":"refresh_token","refresh_token":"{a_refresh}"}"#, Kind::Mixed(200, "20024")),
    ("feishu", "authen.user_info.get", Cred::User, "", "", Kind::Own),
    ("feishu", "authen.oauth.token", Cred::None, "", r#"{"grant_type":"authorization_code","client_id":"{b_id}","client_secret":"{b_secret}","code":"{a_code}"}"#, Kind::Mixed(400, "20024")),
    ("feishu", "oauth.v3.token", Cred::None, "", r#"{"grant_type":"client_credentials","client_id":"{a_id}","client_secret":"{b_secret}"}"#, Kind::Mixed(400, "20002")),
    ("feishu", "reserve.apply", Cred::User, "", r#"{"end_time":"{soon}","meeting_settings":{"topic":"b"}}"#, Kind::Own),
    ("feishu", "reserve.get", Cred::User, "", "", T_FS_NO_DATA),
    ("feishu", "reserve.update", Cred::User, "", FS_INV, T_FS_NO_DATA),
    ("feishu", "reserve.delete", Cred::User, "", "", T_FS_NO_DATA),
    ("feishu", "reserve.get_active_meeting", Cred::User, "", "", T_FS_NO_DATA),
    ("feishu", "meeting.list_by_no", Cred::Tenant, "meeting_no={code}&start_time=0&end_time=1999999999", "", Kind::List),
    ("feishu", "meeting.get", Cred::Tenant, "", "", T_FS_NO_DATA),
    ("feishu", "meeting.invite", Cred::User, "", FS_INV, T_FS),
    ("feishu", "meeting.kickout", Cred::Tenant, "", FS_INV, T_FS),
    ("feishu", "meeting.set_host", Cred::Tenant, "", FS_INV, T_FS),
    ("feishu", "meeting.end", Cred::User, "", "", T_FS),
    ("feishu", "meeting.recording.start", Cred::User, "", "", T_FS),
    ("feishu", "meeting.recording.stop", Cred::User, "", "", T_FS),
    ("feishu", "meeting.recording.get", Cred::Tenant, "", "", T_FS),
    ("feishu", "meeting.recording.set_permission", Cred::User, "", r#"{"permission_objects":[{"type":3,"permission":1}]}"#, T_FS),
    ("feishu", "contact.user.batch_get_id", Cred::Tenant, "", r#"{"emails":["host@isoa.example"],"mobiles":["+8613800000000"]}"#, Kind::List),
    ("feishu", "contact.user.get", Cred::Tenant, "", "", Kind::Target(400, "40001")),
    ("feishu", "meeting_list.get", Cred::Tenant, "start_time={ago}&end_time={soon}&meeting_status=1", "", Kind::List),
    ("feishu", "participant_list.get", Cred::User, "meeting_start_time={ago}&meeting_end_time={soon}&meeting_no={code}&meeting_status=1", "", Kind::List),
    ("dingtalk", "GetAccessToken", Cred::None, "", r#"{"appKey":"{a_id}","appSecret":"{b_secret}"}"#, Kind::Mixed(400, "invalidClientIdOrSecret")),
    ("dingtalk", "gettoken", Cred::None, "appkey={a_id}&appsecret={b_secret}", "", Kind::Mixed(200, "40096")),
    ("dingtalk", "CreateVideoConference", Cred::Ding, "", r#"{"userId":"union-host","confTitle":"b"}"#, Kind::Own),
    ("dingtalk", "QueryConferenceInfoBatch", Cred::Ding, "", r#"{"conferenceIdList":["{a_run}","{a_sched}"]}"#, Kind::List),
    ("dingtalk", "QueryConferenceInfo", Cred::Ding, "", "", T_DT),
    ("dingtalk", "CloseVideoConference", Cred::Ding, "unionId=union-host", "", T_DT),
    ("dingtalk", "InviteUsers", Cred::Ding, "", DT_USERS, T_DT),
    ("dingtalk", "QueryConferenceMembers", Cred::Ding, "", "", T_DT),
    ("dingtalk", "KickMembers", Cred::Ding, "", DT_USERS, T_DT),
    ("dingtalk", "MuteMembers", Cred::Ding, "", r#"{"action":"mute","userList":[{"unionId":"union-guest"}]}"#, T_DT),
    ("dingtalk", "UpdateMemberNick", Cred::Ding, "", DT_USERS, T_DT),
    ("dingtalk", "MuteAll", Cred::Ding, "", r#"{"action":"mute"}"#, T_DT),
    ("dingtalk", "Cohosts", Cred::Ding, "", r#"{"action":"add","userList":[{"unionId":"union-guest"}]}"#, T_DT),
    ("dingtalk", "LockConference", Cred::Ding, "", r#"{"action":"lock"}"#, T_DT),
    ("dingtalk", "QueryUserOnGoingConference", Cred::Ding, "unionId=union-host", "", Kind::List),
    ("dingtalk", "GetCorpAccessToken", Cred::None, "", r#"{"suiteKey":"{a_id}","suiteSecret":"{b_secret}","authCorpId":"corp","suiteTicket":"t"}"#, Kind::Mixed(400, "invalidSuiteKey")),
    ("dingtalk", "GetToken", Cred::None, "", r#"{"client_id":"{a_id}","client_secret":"{b_secret}","grant_type":"client_credentials"}"#, Kind::Mixed(400, "invalidClientIdOrSecret")),
    ("dingtalk", "topapi.v2.user.get", Cred::None, "access_token={b_ding}", r#"{"userid":"union-host"}"#, Kind::List),
    ("dingtalk", "topapi.user.getbymobile", Cred::None, "access_token={b_ding}", r#"{"mobile":"13800000001"}"#, Kind::List),
    ("dingtalk", "topapi.user.getbyunionid", Cred::None, "access_token={b_ding}", r#"{"unionid":"union-host"}"#, Kind::List),
    ("dingtalk", "UpdateVideoConferenceSetting", Cred::Ding, "", r#"{"lockConference":true,"muteAll":true}"#, T_DT),
    ("dingtalk", "Focus", Cred::Ding, "", r#"{"action":"set","unionId":"union-host"}"#, T_DT),
    ("dingtalk", "GetConfDataByConferenceId", Cred::Ding, "realData=true", "", T_DT),
    ("dingtalk", "GetConfDetailData", Cred::Ding, "", "", T_DT),
    ("dingtalk", "QueryConferenceInfoByRoomCode", Cred::Ding, "", "", Kind::List),
    ("dingtalk", "QueryOrgConferenceList", Cred::Ding, "", "", Kind::List),
    ("dingtalk", "CreateScheduleConference", Cred::Ding, "", r#"{"creatorUnionId":"union-host","title":"b","startTime":1893484800000,"endTime":1893488400000}"#, Kind::Own),
    ("dingtalk", "UpdateScheduleConference", Cred::Ding, "", r#"{"scheduleConferenceId":"{m}","creatorUnionId":"union-host","title":"b","startTime":1893484800000,"endTime":1893488400000}"#, T_DT),
    ("dingtalk", "CancelScheduleConference", Cred::Ding, "", r#"{"scheduleConferenceId":"{m}","creatorUnionId":"union-host"}"#, T_DT),
    ("dingtalk", "QueryScheduleConference", Cred::Ding, "requestUnionId=union-host", "", T_DT),
    ("dingtalk", "QueryScheduleConferenceInfo", Cred::Ding, "", "", T_DT),
    ("dingtalk", "GetCallBackFaileResult", Cred::Ding, "", "", Kind::List),
    ("dingtalk", "OpenConnection", Cred::None, "", r#"{"clientId":"{a_id}","clientSecret":"{b_secret}","subscriptions":[{"type":"EVENT","topic":"*"}]}"#, Kind::Mixed(400, "invalidClientIdOrSecret")),
    ("huawei", "CreateToken", Cred::HwBasicMix, "", r#"{"account":"host@isoa","clientType":72}"#, Kind::Mixed(401, "USG.201010001")),
    ("huawei", "CreateAppIdToken", Cred::HwSigMix, "", "", Kind::Mixed(401, "USG.201010025")),
    ("huawei", "CheckToken", Cred::HwUser, "", r#"{"token":"{a_at}","needGenNewToken":false}"#, Kind::Mixed(401, "USG.000000004")),
    ("huawei", "UpdateToken", Cred::HwUser, "", "", Kind::Own),
    ("huawei", "DeleteToken", Cred::HwUser, "", "", Kind::Own),
    ("huawei", "CreateMeeting", Cred::HwUser, "", r#"{"subject":"b","length":60,"mediaTypes":"Voice"}"#, Kind::Own),
    ("huawei", "SearchMeetings", Cred::HwUser, "", "", Kind::List),
    ("huawei", "CancelMeeting", Cred::HwUser, "conferenceID={m}", "", T_HW),
    ("huawei", "StartMeeting", Cred::HwUser, "", r#"{"conferenceID":"{m}","password":"222222"}"#, T_HW),
    ("huawei", "ShowMeetingDetail", Cred::HwUser, "conferenceID={m}", "", T_HW),
    ("huawei", "SearchOnlineMeetings", Cred::HwUser, "", "", Kind::List),
    ("huawei", "ShowOnlineMeetingDetail", Cred::HwUser, "conferenceID={m}", "", T_HW),
    ("huawei", "ListOnlineConfAttendee", Cred::HwUser, "conf_id={m}", "", T_HW),
    ("huawei", "CreateConfToken", Cred::HwUser, "conferenceID={m}", "", T_HW_CTL),
    ("huawei", "InviteParticipant", Cred::HwCtl, "conferenceID={m}", HW_ATT, T_HW_CTL),
    ("huawei", "HangUp", Cred::HwCtl, "conferenceID={m}", HW_ATT, T_HW_CTL),
    ("huawei", "DeleteAttendees", Cred::HwCtl, "conferenceID={m}", HW_ATT, T_HW_CTL),
    ("huawei", "LockMeeting", Cred::HwCtl, "conferenceID={m}", HW_ATT, T_HW_CTL),
    ("huawei", "StopMeeting", Cred::HwCtl, "conferenceID={m}", "", T_HW_CTL),
    ("huawei", "ProlongMeeting", Cred::HwCtl, "conferenceID={m}", HW_ATT, T_HW_CTL),
    ("huawei", "ShowRealTimeInfoOfMeeting", Cred::HwCtl, "conferenceID={m}", "", T_HW_CTL),
    ("huawei", "CreateWebSocketToken", Cred::HwCtl, "conferenceID={m}", "", T_HW_CTL),
    ("huawei", "InviteWithPwd", Cred::HwUser, "conferenceID={m}", HW_ATT, T_HW_CTL),
    ("huawei", "MuteParticipant", Cred::HwCtl, "conferenceID={m}&participantID=p1", HW_ATT, T_HW_CTL),
    ("huawei", "MuteMeeting", Cred::HwCtl, "conferenceID={m}", HW_ATT, T_HW_CTL),
    ("huawei", "SetRole", Cred::HwCtl, "conferenceID={m}&participantID=p1", HW_ATT, T_HW_CTL),
    ("huawei", "SetCohost", Cred::HwCtl, "conferenceID={m}&participantID=p1", HW_ATT, T_HW_CTL),
    ("huawei", "RenameParticipant", Cred::HwCtl, "conferenceID={m}", HW_ATT, T_HW_CTL),
    ("huawei", "UpdateMeeting", Cred::HwUser, "conferenceID={m}", r#"{"subject":"hijack"}"#, T_HW),
    ("huawei", "SearchHisMeetings", Cred::HwUser, "queryAll=true", "", Kind::List),
    ("huawei", "ShowHisMeetingDetail", Cred::HwUser, "confUUID=00000000000000000000000000000000", "", Kind::List),
    ("huawei", "CheckCallNumberInConf", Cred::HwUser, "call_number={a_host}", "", Kind::List),
    ("huawei", "CreateProxyToken", Cred::None, "", r#"{"account":"{a_host}","pwd":"{b_pwd}","authServerType":"workplace","authType":"AccountAndPwd","clientType":72}"#, Kind::Mixed(401, "USG.201010001")),
    ("huawei", "SearchCorpDir", Cred::HwUser, "", "", Kind::List),
    ("huawei", "SearchUsers", Cred::HwUser, "", "", Kind::List),
    ("huawei", "AddUser", Cred::HwUser, "", r#"{"name":"New","account":"new@isob","pwd":"New@Passw0rd"}"#, Kind::Own),
    ("huawei", "ShowUserDetail", Cred::HwUser, "", "", HW_USER_GONE),
    ("huawei", "UpdateUser", Cred::HwUser, "", r#"{"name":"hijack"}"#, HW_USER_GONE),
    ("huawei", "BatchDeleteUsers", Cred::HwUser, "", r#"["{a_host}"]"#, HW_USER_GONE),
    ("huawei", "BatchUpdateUserStatus", Cred::HwUser, "", r#"["{a_host}"]"#, HW_USER_GONE),
    ("huawei", "Record", Cred::HwCtl, "conferenceID={m}", HW_ATT, T_HW_CTL),
    ("huawei", "SetWebHookConfig", Cred::HwUser, "", r#"{"subscriberId":"1","subscriberKey":"k","url":"https://127.0.0.1:1/cb"}"#, Kind::Own),
    ("huawei", "ShowWebHookConfig", Cred::HwUser, "", "", Kind::List),
    ("huawei", "UpdateWebHookConfigStatus", Cred::HwUser, "id=00000000000000000000000000000000&status=1", "", Kind::Mixed(400, "MMC.111070005")),
    ("huawei", "DeleteWebHookConfig", Cred::HwUser, "id=00000000000000000000000000000000", "", Kind::Mixed(400, "MMC.111070005")),
];

/// The state to compare: tenants keyed by vendor/id (tokens, ids drawn, journal ignored).
async fn tenants(app: &TestApp) -> std::collections::BTreeMap<String, Value> {
    let s = app.admin_get("/state").await.json();
    let mut out = std::collections::BTreeMap::new();
    for t in s["tenants"].as_array().unwrap() {
        out.insert(
            format!(
                "{}/{}",
                t["vendor"].as_str().unwrap(),
                t["id"].as_str().unwrap()
            ),
            t.clone(),
        );
    }
    out
}

/// A route pattern with every `{param}` replaced by `m`.
fn fill_path(pattern: &str, m: &str) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        out.push_str(m);
        rest = rest[i..]
            .find('}')
            .map(|j| &rest[i + j + 1..])
            .unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// Replaces the placeholders of a query or body template.
async fn fill(app: &TestApp, vendor: &str, t: &str, m: &str) -> String {
    let (a, b) = (c::side(vendor, false), c::side(vendor, true));
    let mut s = t
        .replace("{m}", m)
        .replace("{code}", a.run_code)
        .replace("{a_id}", a.id)
        .replace("{b_id}", b.id)
        .replace("{b_secret}", b.secret)
        .replace("{a_run}", a.run)
        .replace("{a_sched}", a.sched)
        .replace("{a_host}", a.host)
        .replace("{b_pwd}", b.extra);
    if s.contains("{soon}") {
        s = s.replace("{soon}", &(c::server_secs(app).await + 7200).to_string());
    }
    if s.contains("{ago}") {
        s = s.replace("{ago}", &(c::server_secs(app).await - 7200).to_string());
    }
    if s.contains("{b_ding}") {
        s = s.replace("{b_ding}", &c::dingtalk_token(app, &b).await);
    }
    if s.contains("{a_code}") {
        s = s.replace("{a_code}", &c::feishu_code(app, &a).await);
    }
    if s.contains("{a_refresh}") {
        s = s.replace("{a_refresh}", &c::feishu_user(app, &a).await.1);
    }
    if s.contains("{a_at}") {
        s = s.replace("{a_at}", &c::huawei_login(app, &a).await.0);
    }
    s
}

/// Calls one route as tenant B.
async fn call(
    app: &TestApp,
    vendor: &str,
    method: &Method,
    pattern: &str,
    spec: &Spec,
    m: &str,
) -> Resp {
    let b: Side = c::side(vendor, true);
    let a: Side = c::side(vendor, false);
    let query = fill(app, vendor, spec.3, m).await;
    let body = fill(app, vendor, spec.4, m).await.into_bytes();
    // Huawei user paths name A's account (`{account}`) or a status (`{value}`: 1, disable);
    // a path parameter of another non-meeting route (a room code, a corpId) gets A's meeting
    // code.
    let path = match (vendor, pattern.contains("{value}")) {
        ("huawei", true) => fill_path(pattern, "1"),
        ("huawei", false) if m.is_empty() => fill_path(pattern, a.host),
        _ => fill_path(pattern, if m.is_empty() { a.run_code } else { m }),
    };
    let target = if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    };
    let bearer = |t: String| vec![("Authorization".to_string(), format!("Bearer {t}"))];
    let mut h: Vec<(String, String)> = match spec.2 {
        Cred::None => vec![],
        Cred::Sig => {
            let ts = c::server_secs(app).await;
            c::tencent_headers(&b, method.as_str(), &target, &body, ts)
        }
        Cred::Tenant => bearer(c::feishu_token(app, &b, "tenant").await),
        Cred::App => bearer(c::feishu_token(app, &b, "app").await),
        Cred::User => bearer(c::feishu_user(app, &b).await.0),
        Cred::Ding => vec![(
            "x-acs-dingtalk-access-token".into(),
            c::dingtalk_token(app, &b).await,
        )],
        Cred::HwUser => vec![
            ("X-Access-Token".into(), c::huawei_login(app, &b).await.0),
            ("X-Password".into(), b.chair.into()),
            ("X-Login-Type".into(), "1".into()),
        ],
        Cred::HwCtl => {
            let at = c::huawei_login(app, &b).await.0;
            let own = if m == c::twin(vendor) { m } else { b.run };
            let ct = c::huawei_conf_token(app, &b, &at, own).await;
            vec![
                ("X-Access-Token".into(), at),
                ("X-Conference-Authorization".into(), ct),
            ]
        }
        Cred::HwBasicMix => vec![("Authorization".into(), c::basic(a.host, b.extra))],
        Cred::HwSigMix => {
            let exp = c::server_secs(app).await + 600;
            let body_v = serde_json::json!({"appId": a.key, "userId": "u1", "expireTime": exp, "nonce": "n-1", "clientType": 72});
            let h = vec![(
                "Authorization".into(),
                c::huawei_app_auth(a.key, b.secret, "u1", exp, "n-1"),
            )];
            let mut hh: Vec<(String, String)> = h;
            hh.push(("Content-Type".into(), "application/json".into()));
            return c::send(
                app,
                method.clone(),
                &target,
                &hh,
                body_v.to_string().into_bytes(),
            )
            .await;
        }
    };
    if !h
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
    {
        h.push((
            "Content-Type".into(),
            "application/json; charset=utf-8".into(),
        ));
    }
    c::send(app, method.clone(), &target, &h, body).await
}

fn a_ids(vendor: &str) -> [&'static str; 3] {
    let a = c::side(vendor, false);
    [a.run, a.sched, a.run_code]
}

#[tokio::test]
async fn every_route_of_every_vendor_has_an_isolation_entry() {
    let mut missing = Vec::new();
    for v in meetmock::vendors::registry() {
        for r in v.routes() {
            let vendor = v.id().to_string();
            if !SPECS.iter().any(|s| s.0 == vendor && s.1 == r.operation) {
                missing.push(format!(
                    "{vendor} {} {} ({})",
                    r.method, r.path, r.operation
                ));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "routes without an isolation entry:\n{}",
        missing.join("\n")
    );
}

/// Runs the matrix for one vendor; returns the failures.
async fn matrix(vendor: &str) -> Vec<String> {
    let app = c::spawn().await;
    let discover = std::env::var("ISO_DISCOVER").is_ok();
    let mut fails = Vec::new();
    for v in meetmock::vendors::registry() {
        if v.id().to_string() != vendor {
            continue;
        }
        for r in v.routes() {
            let Some(spec) = SPECS.iter().find(|s| s.0 == vendor && s.1 == r.operation) else {
                fails.push(format!("no entry for {}", r.operation));
                continue;
            };
            let a = c::side(vendor, false);
            let key = format!("{vendor}/{}", a.id);
            let targets: Vec<(&str, bool)> = match spec.5 {
                Kind::Target(..) | Kind::Conf(..) => {
                    vec![(a.run, true), (a.sched, true), (c::twin(vendor), false)]
                }
                _ => vec![("", true)],
            };
            for (m, whole) in targets {
                app.admin_post("/reset", serde_json::json!({})).await;
                let before = tenants(&app).await;
                let resp = call(&app, vendor, &r.method, r.path, spec, m).await;
                let after = tenants(&app).await;
                let code = vendor_code(vendor, &resp);
                let what = format!("{} {} [{}] {m}", r.method, r.path, r.operation);
                if discover {
                    eprintln!(
                        "DISCOVER {what} -> {} {code:?} {}",
                        resp.status.as_u16(),
                        resp.text.chars().take(160).collect::<String>()
                    );
                }
                let changed = if whole && !matches!(spec.5, Kind::Own | Kind::List) {
                    before != after
                } else {
                    before.get(&key) != after.get(&key)
                };
                if changed {
                    fails.push(format!("{what}: state changed"));
                }
                let expect = match spec.5 {
                    Kind::Target(s, c) | Kind::Mixed(s, c) if whole => Some((s, c)),
                    Kind::Conf(s, c, _) if whole && m == a.run => Some((s, c)),
                    Kind::Conf(s, _, c) if whole => Some((s, c)),
                    _ => None,
                };
                if let Some((s, c)) = expect {
                    if (resp.status.as_u16(), code.as_str()) != (s, c) && !discover {
                        fails.push(format!(
                            "{what}: want {s} {c}, got {} {code} {}",
                            resp.status.as_u16(),
                            resp.text
                        ));
                    }
                }
                if matches!(spec.5, Kind::List) || matches!(spec.5, Kind::Own) {
                    for id in a_ids(vendor) {
                        if resp.text.contains(id) {
                            fails.push(format!("{what}: answer shows A's {id}: {}", resp.text));
                        }
                    }
                }
            }
        }
    }
    fails
}

#[tokio::test]
async fn tencent_routes_refuse_another_tenants_meetings_and_change_nothing() {
    let f = matrix("tencent").await;
    assert!(f.is_empty(), "{}", f.join("\n"));
}

#[tokio::test]
async fn feishu_routes_refuse_another_tenants_meetings_and_change_nothing() {
    let f = matrix("feishu").await;
    assert!(f.is_empty(), "{}", f.join("\n"));
}

#[tokio::test]
async fn dingtalk_routes_refuse_another_tenants_meetings_and_change_nothing() {
    let f = matrix("dingtalk").await;
    assert!(f.is_empty(), "{}", f.join("\n"));
}

#[tokio::test]
async fn huawei_routes_refuse_another_tenants_meetings_and_change_nothing() {
    let f = matrix("huawei").await;
    assert!(f.is_empty(), "{}", f.join("\n"));
}
