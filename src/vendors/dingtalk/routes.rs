//! The DingTalk route table: the oauth2_1_0 token call, the legacy `/gettoken`, and the
//! conference_1_0 operations emulated (notes §5, §6). Operation names are the SDK's
//! (`InviteUsers`, `CreateVideoConference`, …). Every conference route takes the app token in
//! `x-acs-dingtalk-access-token`; the path parameter is `{conferenceId}` everywhere.

use super::{
    conferences, contact, controls, events_failed, invite, members, queries, schedule, stream,
    tokens,
};
use crate::store::TokenKind;
use crate::vendors::{Auth, Route};
use http::Method;

const APP: Auth = Auth::Token(&[TokenKind::App]);
const CONF: &str = "/v1.0/conference/videoConferences/{conferenceId}";

macro_rules! route {
    ($m:ident, $path:expr, $op:literal, $auth:expr, $h:path, $mp:expr) => {
        Route {
            method: Method::$m,
            path: $path,
            operation: $op,
            auth: $auth,
            handler: $h,
            meeting_param: $mp,
        }
    };
}

const ID: Option<&str> = Some("conferenceId");
const SCHEDULE_ID: Option<&str> = Some("scheduleConferenceId");
const SCHEDULES: &str = "/v1.0/conference/scheduleConferences";

/// Every emulated DingTalk endpoint.
pub static ROUTES: &[Route] = &[
    route!(
        POST,
        "/v1.0/oauth2/accessToken",
        "GetAccessToken",
        Auth::Open,
        tokens::access_token,
        None
    ),
    route!(
        POST,
        "/v1.0/oauth2/corpAccessToken",
        "GetCorpAccessToken",
        Auth::Open,
        tokens::corp_access_token,
        None
    ),
    route!(
        POST,
        "/v1.0/oauth2/{corpId}/token",
        "GetToken",
        Auth::Open,
        tokens::corp_token,
        None
    ),
    // The old gateway's user lookups (token in `?access_token=`, checked by the handler).
    route!(
        POST,
        "/topapi/v2/user/get",
        "topapi.v2.user.get",
        Auth::Open,
        contact::user_get,
        None
    ),
    route!(
        POST,
        "/topapi/user/getbymobile",
        "topapi.user.getbymobile",
        Auth::Open,
        contact::by_mobile,
        None
    ),
    route!(
        POST,
        "/topapi/user/getbyunionid",
        "topapi.user.getbyunionid",
        Auth::Open,
        contact::by_union_id,
        None
    ),
    route!(
        GET,
        "/gettoken",
        "gettoken",
        Auth::Open,
        tokens::gettoken,
        None
    ),
    route!(
        POST,
        "/v1.0/conference/videoConferences",
        "CreateVideoConference",
        APP,
        conferences::create,
        None
    ),
    route!(
        POST,
        "/v1.0/conference/videoConferences/query",
        "QueryConferenceInfoBatch",
        APP,
        conferences::query_batch,
        None
    ),
    route!(GET, CONF, "QueryConferenceInfo", APP, conferences::info, ID),
    route!(
        DELETE,
        CONF,
        "CloseVideoConference",
        APP,
        conferences::close,
        ID
    ),
    route!(
        POST,
        "/v1.0/conference/videoConferences/{conferenceId}/users/invite",
        "InviteUsers",
        APP,
        invite::invite,
        ID
    ),
    route!(
        GET,
        "/v1.0/conference/videoConferences/{conferenceId}/members",
        "QueryConferenceMembers",
        APP,
        members::members,
        ID
    ),
    route!(
        POST,
        "/v1.0/conference/videoConferences/{conferenceId}/members/kick",
        "KickMembers",
        APP,
        controls::kick,
        ID
    ),
    route!(
        POST,
        "/v1.0/conference/videoConferences/{conferenceId}/members/mute",
        "MuteMembers",
        APP,
        controls::mute,
        ID
    ),
    route!(
        POST,
        "/v1.0/conference/videoConferences/{conferenceId}/members/updateNick",
        "UpdateMemberNick",
        APP,
        controls::update_nick,
        ID
    ),
    route!(
        POST,
        "/v1.0/conference/videoConferences/{conferenceId}/allMembers/mute",
        "MuteAll",
        APP,
        controls::mute_all,
        ID
    ),
    route!(
        POST,
        "/v1.0/conference/videoConferences/{conferenceId}/coHosts/set",
        "Cohosts",
        APP,
        controls::cohosts,
        ID
    ),
    route!(
        POST,
        "/v1.0/conference/videoConferences/{conferenceId}/lock",
        "LockConference",
        APP,
        controls::lock,
        ID
    ),
    route!(
        PUT,
        CONF,
        "UpdateVideoConferenceSetting",
        APP,
        controls::update_settings,
        ID
    ),
    route!(
        POST,
        "/v1.0/conference/videoConferences/{conferenceId}/focus",
        "Focus",
        APP,
        controls::focus,
        ID
    ),
    route!(
        GET,
        "/v1.0/conference/videoConferences/{conferenceId}/infos",
        "GetConfDataByConferenceId",
        APP,
        queries::data,
        ID
    ),
    route!(
        GET,
        "/v1.0/conference/videoConferences/{conferenceId}/details",
        "GetConfDetailData",
        APP,
        queries::details,
        ID
    ),
    route!(
        GET,
        "/v1.0/conference/roomCodes/{roomCode}/infos",
        "QueryConferenceInfoByRoomCode",
        APP,
        queries::by_room_code,
        None
    ),
    route!(
        POST,
        "/v1.0/gateway/connections/open",
        "OpenConnection",
        Auth::Open,
        stream::open,
        None
    ),
    route!(
        GET,
        "/v1.0/event/callbacks/failedResults",
        "GetCallBackFaileResult",
        APP,
        events_failed::failed_results,
        None
    ),
    route!(
        GET,
        "/v1.0/conference/orgConferences",
        "QueryOrgConferenceList",
        APP,
        queries::org_ongoing,
        None
    ),
    route!(
        POST,
        SCHEDULES,
        "CreateScheduleConference",
        APP,
        schedule::create,
        None
    ),
    route!(
        PUT,
        SCHEDULES,
        "UpdateScheduleConference",
        APP,
        schedule::update,
        None
    ),
    route!(
        POST,
        "/v1.0/conference/scheduleConferences/cancel",
        "CancelScheduleConference",
        APP,
        schedule::cancel,
        None
    ),
    route!(
        GET,
        "/v1.0/conference/scheduleConferences/{scheduleConferenceId}/infos",
        "QueryScheduleConference",
        APP,
        schedule::query,
        SCHEDULE_ID
    ),
    route!(
        GET,
        "/v1.0/conference/videoConferences/scheduleConferences/{scheduleConferenceId}",
        "QueryScheduleConferenceInfo",
        APP,
        schedule::conferences,
        SCHEDULE_ID
    ),
    route!(
        GET,
        "/v1.0/conference/users/lists",
        "QueryUserOnGoingConference",
        APP,
        conferences::user_ongoing,
        None
    ),
];

#[cfg(test)]
mod tests {
    use crate::vendors::router::{Lookup, Router};
    use http::Method;

    fn op(router: &Router, method: Method, path: &str) -> Option<(&'static str, String)> {
        match router.lookup(&method, path) {
            Lookup::Found { route, params, .. } => Some((
                route.operation,
                params
                    .into_iter()
                    .find(|(k, _)| k == "conferenceId")
                    .map(|(_, v)| v)
                    .unwrap_or_default(),
            )),
            _ => None,
        }
    }

    #[test]
    fn the_docs_example_urls_reach_their_operations() {
        let router = Router::new(&crate::vendors::registry()).expect("routes compile");
        let id = "644272f14ba33101xxxxxxxx";
        let cases = [
            (
                Method::POST,
                format!("/v1.0/conference/videoConferences/{id}/users/invite"),
                "InviteUsers",
            ),
            (
                Method::GET,
                format!("/v1.0/conference/videoConferences/{id}"),
                "QueryConferenceInfo",
            ),
            (
                Method::DELETE,
                format!("/v1.0/conference/videoConferences/{id}"),
                "CloseVideoConference",
            ),
            (
                Method::GET,
                format!("/v1.0/conference/videoConferences/{id}/members"),
                "QueryConferenceMembers",
            ),
            (
                Method::POST,
                format!("/v1.0/conference/videoConferences/{id}/lock"),
                "LockConference",
            ),
            (
                Method::POST,
                format!("/v1.0/conference/videoConferences/{id}/coHosts/set"),
                "Cohosts",
            ),
        ];
        for (m, path, want) in cases {
            assert_eq!(
                op(&router, m, &path),
                Some((want, id.to_string())),
                "{path}"
            );
        }
        let statics = [
            (
                Method::POST,
                "/v1.0/conference/videoConferences",
                "CreateVideoConference",
            ),
            (
                Method::POST,
                "/v1.0/conference/videoConferences/query",
                "QueryConferenceInfoBatch",
            ),
            (
                Method::GET,
                "/v1.0/conference/users/lists",
                "QueryUserOnGoingConference",
            ),
            (Method::POST, "/v1.0/oauth2/accessToken", "GetAccessToken"),
            (Method::GET, "/gettoken", "gettoken"),
        ];
        for (m, path, want) in statics {
            assert_eq!(op(&router, m, path).map(|o| o.0), Some(want), "{path}");
        }
    }

    #[test]
    fn wrong_methods_and_unknown_paths_fall_to_dingtalk() {
        let router = Router::new(&crate::vendors::registry()).expect("routes compile");
        assert!(matches!(
            router.lookup(&Method::PUT, "/v1.0/conference/videoConferences/query"),
            Lookup::WrongMethod(crate::store::VendorId::Dingtalk)
        ));
        assert!(matches!(
            router.lookup(&Method::GET, "/v1.0/nothing"),
            Lookup::Unknown(Some(crate::store::VendorId::Dingtalk))
        ));
    }
}
