//! The isolation matrix's table: one entry per route of every vendor (what B's credentials
//! are, the query and body sent, and what must happen), read by `isolation_matrix.rs`.

/// Which of B's credentials a call carries.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Cred {
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
pub(crate) enum Kind {
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
pub(crate) type Spec = (
    &'static str,
    &'static str,
    Cred,
    &'static str,
    &'static str,
    Kind,
);

pub(crate) const TC_Q: &str = "userid=host1&operator_id=host1&operator_id_type=1&instanceid=1";
pub(crate) const TC_B: &str = r#"{"userid":"host1","operator_id":"host1","operator_id_type":1,"instanceid":1,"reason_code":1,"subject":"hijack","invitees":[{"userid":"guest1"}],"meeting_locked":true}"#;
pub(crate) const TC_CTL: &str = r#"{"operator_id":"host1","operator_id_type":1,"instanceid":1,"allow_rejoin":true,"operate_type":3,"mute":true,"users":[{"to_operator_id":"guest1","to_operator_id_type":1,"ms_open_id":"guest1","nick_name":"X","instanceid":1}],"action":true,"user":{"to_operator_id":"guest1","to_operator_id_type":1}}"#;
pub(crate) const TC_USER: &str = r#"{"operator_id":"host1","operator_id_type":1,"userid":"newcomer","username":"N","phone":"13800000001","userid_list":["guest1"],"open_id_list":["o1"],"sdkid":"1"}"#;
pub(crate) const FS_INV: &str = r#"{"invitees":[{"id":"ou_guest","user_type":1}],"kickout_users":[{"id":"ou_guest","user_type":1}],"host_user":{"id":"ou_guest","user_type":1},"old_host_user":{"id":"ou_host","user_type":1},"end_time":"{soon}"}"#;
pub(crate) const DT_USERS: &str = r#"{"userList":[{"unionId":"union-guest"}],"inviteeList":[{"unionId":"union-guest","nick":"G"}],"unionId":"union-guest","nick":"Hijacked"}"#;
pub(crate) const HW_ATT: &str = r#"{"attendees":[{"name":"G","phone":"+8613800000009"}],"bulkHangUpParticipants":["p1"],"bulkDelAttendInfo":[{"number":"+8613800000009"}],"isLock":1,"auto":0,"duration":30,"isMute":1,"applyChair":1,"chairmanPwd":"222222","isCohost":1,"newName":"X","number":"+8613800000009","callNum":"+8613800000009","confID":"{m}","pwd":"222222","isRecord":1}"#;

/// Each vendor's own answer for a meeting its caller's tenant does not have.
pub(crate) const T_TC: Kind = Kind::Target(500, "9003");
pub(crate) const T_TC_INV: Kind = Kind::Target(400, "190457");
/// Tencent's modify-guests table has no 9003: an unknown meeting is 13703 there.
pub(crate) const T_TC_GUEST: Kind = Kind::Target(500, "13703");
pub(crate) const T_FS_NO_DATA: Kind = Kind::Target(404, "121004");
pub(crate) const T_FS: Kind = Kind::Target(404, "122002");
pub(crate) const T_DT: Kind = Kind::Target(400, "paramsError");
pub(crate) const T_HW: Kind = Kind::Target(400, "MMC.111070005");
pub(crate) const T_HW_CTL: Kind = Kind::Conf(400, "MMC.111072065", "MMC.111072005");
pub(crate) const HW_USER_GONE: Kind = Kind::Mixed(400, "USG.201040000");

#[rustfmt::skip]
pub(crate) static SPECS: &[Spec] = &[
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
