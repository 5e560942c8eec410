//! The Huawei route table (operation names are the API reference's own) and router tests fed
//! with the docs' example URLs.
//!
//! Mirrors the operation list of support.huaweicloud.com `api-meeting` (the seed's tree) for
//! the emulated subset. Management and user calls need `X-Access-Token`; control calls the
//! control token in `X-Conference-Authorization` (checked by the control gate, see
//! `control.rs`); CreateConfToken and InviteWithPwd authenticate with the meeting's password,
//! CheckToken with the token in its body.

use super::{
    appauth, auth, conftoken, control, history, invite, meetings, participants, tokens, update,
    users,
};
use crate::store::TokenKind;
use crate::vendors::{Auth, Route};
use http::Method;

const AT: Auth = Auth::Token(&[TokenKind::User]);
const CT: Auth = Auth::Token(&[TokenKind::Control]);

macro_rules! r {
    ($m:ident, $path:literal, $op:literal, $auth:expr, $h:path) => {
        Route {
            method: Method::$m,
            path: $path,
            operation: $op,
            auth: $auth,
            handler: $h,
            meeting_param: None,
        }
    };
}

/// Every emulated Huawei endpoint.
pub static ROUTES: &[Route] = &[
    r!(
        POST,
        "/v1/usg/acs/auth/account",
        "CreateToken",
        Auth::Open,
        auth::create_token
    ),
    r!(
        POST,
        "/v2/usg/acs/auth/appauth",
        "CreateAppIdToken",
        Auth::Open,
        appauth::create_app_id_token
    ),
    r!(
        POST,
        "/v1/usg/acs/token/validate",
        "CheckToken",
        Auth::Open,
        tokens::check_token
    ),
    r!(
        PUT,
        "/v1/usg/acs/token",
        "UpdateToken",
        Auth::Token(&[TokenKind::Refresh, TokenKind::User]),
        tokens::update_token
    ),
    r!(
        DELETE,
        "/v1/usg/acs/token",
        "DeleteToken",
        AT,
        tokens::delete_token
    ),
    r!(
        POST,
        "/v1/mmc/management/conferences",
        "CreateMeeting",
        AT,
        meetings::create_meeting
    ),
    r!(
        GET,
        "/v1/mmc/management/conferences",
        "SearchMeetings",
        AT,
        meetings::search_meetings
    ),
    r!(
        DELETE,
        "/v1/mmc/management/conferences",
        "CancelMeeting",
        AT,
        meetings::cancel_meeting
    ),
    r!(
        POST,
        "/v1/mmc/management/conferences/start",
        "StartMeeting",
        AT,
        meetings::start_meeting
    ),
    r!(
        GET,
        "/v1/mmc/management/conferences/confDetail",
        "ShowMeetingDetail",
        AT,
        meetings::show_meeting_detail
    ),
    r!(
        GET,
        "/v1/mmc/management/conferences/online",
        "SearchOnlineMeetings",
        AT,
        meetings::search_online_meetings
    ),
    r!(
        GET,
        "/v1/mmc/management/conferences/online/confDetail",
        "ShowOnlineMeetingDetail",
        AT,
        meetings::show_online_meeting_detail
    ),
    r!(
        GET,
        "/v1/mmc/management/conferences/online/conf-attendee",
        "ListOnlineConfAttendee",
        AT,
        meetings::list_online_conf_attendee
    ),
    r!(
        GET,
        "/v1/mmc/control/conferences/token",
        "CreateConfToken",
        Auth::Open,
        conftoken::create_conf_token
    ),
    r!(
        POST,
        "/v1/mmc/control/conferences/participants",
        "InviteParticipant",
        CT,
        invite::invite_participant
    ),
    r!(
        POST,
        "/v1/mmc/control/conferences/participants/delete",
        "HangUp",
        CT,
        control::hang_up
    ),
    r!(
        POST,
        "/v1/mmc/control/conferences/attendees/delete",
        "DeleteAttendees",
        CT,
        control::delete_attendees
    ),
    r!(
        PUT,
        "/v1/mmc/control/conferences/lock",
        "LockMeeting",
        CT,
        control::lock_meeting
    ),
    r!(
        PUT,
        "/v1/mmc/control/conferences/stop",
        "StopMeeting",
        CT,
        control::stop_meeting
    ),
    r!(
        PUT,
        "/v1/mmc/control/conferences/duration",
        "ProlongMeeting",
        CT,
        control::prolong_meeting
    ),
    r!(
        GET,
        "/v1/mmc/control/conferences/realTimeInfo",
        "ShowRealTimeInfoOfMeeting",
        CT,
        control::show_real_time_info
    ),
    r!(
        POST,
        "/v1/usg/acs/auth/proxy",
        "CreateProxyToken",
        Auth::Open,
        auth::create_proxy_token
    ),
    r!(
        PUT,
        "/v1/mmc/management/conferences",
        "UpdateMeeting",
        AT,
        update::update_meeting
    ),
    r!(
        GET,
        "/v1/mmc/management/conferences/history",
        "SearchHisMeetings",
        AT,
        history::search_his_meetings
    ),
    r!(
        GET,
        "/v1/mmc/management/conferences/history/confDetail",
        "ShowHisMeetingDetail",
        AT,
        history::show_his_meeting_detail
    ),
    r!(
        GET,
        "/v2/mms/ncms/conferences/online/check-callnumber-in-conf",
        "CheckCallNumberInConf",
        AT,
        history::check_call_number_in_conf
    ),
    r!(
        GET,
        "/v1/mmc/control/conferences/wsToken",
        "CreateWebSocketToken",
        CT,
        conftoken::create_web_socket_token
    ),
    r!(
        POST,
        "/v1/mmc/control/conferences/inviteWithPwd",
        "InviteWithPwd",
        Auth::Open,
        participants::invite_with_pwd
    ),
    r!(
        PUT,
        "/v1/mmc/control/conferences/participants/mute",
        "MuteParticipant",
        CT,
        participants::mute_participant
    ),
    r!(
        PUT,
        "/v1/mmc/control/conferences/mute",
        "MuteMeeting",
        CT,
        participants::mute_meeting
    ),
    r!(
        PUT,
        "/v1/mmc/control/conferences/participants/role",
        "SetRole",
        CT,
        participants::set_role
    ),
    r!(
        PUT,
        "/v1/mmc/control/conferences/participants/cohost",
        "SetCohost",
        CT,
        participants::set_cohost
    ),
    r!(
        PUT,
        "/v1/mmc/control/conferences/participants/name",
        "RenameParticipant",
        CT,
        participants::rename_participant
    ),
    r!(
        GET,
        "/v1/usg/abs/users",
        "SearchCorpDir",
        AT,
        users::search_corp_dir
    ),
    r!(
        POST,
        "/v1/usg/dcs/corp/member",
        "AddUser",
        AT,
        users::add_user
    ),
    r!(
        GET,
        "/v1/usg/dcs/corp/member",
        "SearchUsers",
        AT,
        users::search_users
    ),
    r!(
        GET,
        "/v1/usg/dcs/corp/member/{account}",
        "ShowUserDetail",
        AT,
        users::show_user_detail
    ),
    r!(
        PUT,
        "/v1/usg/dcs/corp/member/{account}",
        "UpdateUser",
        AT,
        users::update_user
    ),
    r!(
        POST,
        "/v1/usg/dcs/corp/member/delete",
        "BatchDeleteUsers",
        AT,
        users::batch_delete_users
    ),
    r!(
        PUT,
        "/v1/usg/dcs/corp/member/status/{value}",
        "BatchUpdateUserStatus",
        AT,
        users::batch_update_user_status
    ),
];

#[cfg(test)]
mod tests {
    use crate::vendors::router::{Lookup, Router};
    use http::Method;

    fn op(method: Method, url: &str) -> String {
        let router = Router::new(&crate::vendors::registry()).expect("routes compile");
        let path = url.split('?').next().unwrap_or(url);
        match router.lookup(&method, path) {
            Lookup::Found { route, vendor, .. } => {
                assert_eq!(vendor, crate::store::VendorId::Huawei);
                route.operation.to_string()
            }
            Lookup::WrongMethod(_) => "wrong method".into(),
            Lookup::Unknown(v) => format!("unknown {v:?}"),
        }
    }

    #[test]
    fn the_docs_example_urls_reach_their_operations() {
        let cases = [
            (
                Method::POST,
                "/v1/mmc/control/conferences/participants?conferenceID=914067448",
                "InviteParticipant",
            ),
            (Method::POST, "/v1/usg/acs/auth/account", "CreateToken"),
            (Method::POST, "/v2/usg/acs/auth/appauth", "CreateAppIdToken"),
            (
                Method::GET,
                "/v1/mmc/control/conferences/token?conferenceID=916206899",
                "CreateConfToken",
            ),
            (
                Method::GET,
                "/v1/mmc/management/conferences/online/conf-attendee?conf_id=1&limit=100&offset=0",
                "ListOnlineConfAttendee",
            ),
            (
                Method::PUT,
                "/v1/mmc/control/conferences/stop?conferenceID=916206899",
                "StopMeeting",
            ),
            (
                Method::DELETE,
                "/v1/mmc/management/conferences?conferenceID=916206899&type=1",
                "CancelMeeting",
            ),
            (
                Method::PUT,
                "/v1/mmc/control/conferences/lock?conferenceID=916206899",
                "LockMeeting",
            ),
            (
                Method::GET,
                "/v1/mmc/management/conferences/confDetail?conferenceID=1",
                "ShowMeetingDetail",
            ),
        ];
        for (m, url, want) in cases {
            assert_eq!(op(m, url), want, "{url}");
        }
    }

    #[test]
    fn unknown_paths_under_huawei_prefixes_belong_to_huawei() {
        assert_eq!(op(Method::GET, "/v1/mmc/nope"), "unknown Some(Huawei)");
        assert_eq!(
            op(Method::GET, "/v1/mmc/control/conferences/stop"),
            "wrong method"
        );
    }
}
