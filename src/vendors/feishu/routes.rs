//! The Feishu route table (open.feishu.cn paths; `shared/vendors/feishu.md` §2) and router
//! tests feeding the docs' example URLs through the shared router.

use super::{
    authen, contact, invite, longconn, meetings, oauth, recording, reports, reserves, tokens,
};
use crate::store::TokenKind::{App, Tenant, User};
use crate::vendors::{Auth, Route};
use http::Method;

const TENANT_OR_USER: Auth = Auth::Token(&[Tenant, User]);
/// The authen v1 endpoints want an app token; a self-built app's tenant token is one (auth.rs).
const APP: Auth = Auth::Token(&[App]);

macro_rules! route {
    ($m:ident, $p:expr, $op:expr, $auth:expr, $h:path) => {
        route!($m, $p, $op, $auth, $h, None)
    };
    ($m:ident, $p:expr, $op:expr, $auth:expr, $h:path, $mp:expr) => {
        Route {
            method: Method::$m,
            path: $p,
            operation: $op,
            auth: $auth,
            handler: $h,
            meeting_param: $mp,
        }
    };
}

const MID: Option<&str> = Some("meeting_id");

/// Every emulated Feishu endpoint.
pub static ROUTES: &[Route] = &[
    // The long connection's endpoint discovery [sdk: every SDK's ws client].
    route!(
        POST,
        longconn::ENDPOINT,
        "callback.ws.endpoint",
        Auth::Open,
        longconn::endpoint
    ),
    route!(
        POST,
        "/open-apis/auth/v3/tenant_access_token/internal",
        "auth.tenant_access_token.internal",
        Auth::Open,
        tokens::tenant_access_token
    ),
    // The live gateway accepts the trailing slash too [obs].
    route!(
        POST,
        "/open-apis/auth/v3/tenant_access_token/internal/",
        "auth.tenant_access_token.internal",
        Auth::Open,
        tokens::tenant_access_token
    ),
    route!(
        POST,
        "/open-apis/auth/v3/app_access_token/internal",
        "auth.app_access_token.internal",
        Auth::Open,
        tokens::app_access_token
    ),
    route!(
        POST,
        "/open-apis/auth/v3/app_access_token/internal/",
        "auth.app_access_token.internal",
        Auth::Open,
        tokens::app_access_token
    ),
    // Store (ISV) apps [doc: auth-v3 app_access_token, tenant_access_token, app_ticket_resend].
    route!(
        POST,
        "/open-apis/auth/v3/app_access_token",
        "auth.app_access_token.create",
        Auth::Open,
        tokens::store_app_access_token
    ),
    route!(
        POST,
        "/open-apis/auth/v3/tenant_access_token",
        "auth.tenant_access_token.create",
        Auth::Open,
        tokens::store_tenant_access_token
    ),
    route!(
        POST,
        "/open-apis/auth/v3/app_ticket/resend",
        "auth.app_ticket.resend",
        Auth::Open,
        tokens::app_ticket_resend
    ),
    route!(
        POST,
        "/open-apis/authen/v1/oidc/access_token",
        "authen.oidc_access_token.create",
        APP,
        authen::oidc_access_token
    ),
    route!(
        POST,
        "/open-apis/authen/v1/oidc/refresh_access_token",
        "authen.oidc_refresh_access_token.create",
        APP,
        authen::oidc_refresh
    ),
    route!(
        POST,
        "/open-apis/authen/v1/access_token",
        "authen.access_token.create",
        APP,
        authen::legacy_access_token
    ),
    route!(
        POST,
        "/open-apis/authen/v1/refresh_access_token",
        "authen.refresh_access_token.create",
        APP,
        authen::legacy_refresh
    ),
    route!(
        GET,
        "/open-apis/authen/v1/user_info",
        "authen.user_info.get",
        Auth::Token(&[User]),
        authen::user_info
    ),
    route!(
        POST,
        "/open-apis/authen/v2/oauth/token",
        "authen.oauth.token",
        Auth::Open,
        oauth::token
    ),
    route!(
        POST,
        "/oauth/v3/token",
        "oauth.v3.token",
        Auth::Open,
        oauth::token
    ),
    route!(
        POST,
        "/open-apis/vc/v1/reserves/apply",
        "reserve.apply",
        TENANT_OR_USER,
        reserves::apply
    ),
    route!(
        GET,
        "/open-apis/vc/v1/reserves/{reserve_id}",
        "reserve.get",
        TENANT_OR_USER,
        reserves::get
    ),
    route!(
        PUT,
        "/open-apis/vc/v1/reserves/{reserve_id}",
        "reserve.update",
        TENANT_OR_USER,
        reserves::update
    ),
    route!(
        DELETE,
        "/open-apis/vc/v1/reserves/{reserve_id}",
        "reserve.delete",
        TENANT_OR_USER,
        reserves::delete
    ),
    route!(
        GET,
        "/open-apis/vc/v1/reserves/{reserve_id}/get_active_meeting",
        "reserve.get_active_meeting",
        TENANT_OR_USER,
        reserves::get_active_meeting,
        Some("reserve_id")
    ),
    route!(
        GET,
        "/open-apis/vc/v1/meetings/list_by_no",
        "meeting.list_by_no",
        TENANT_OR_USER,
        meetings::list_by_no
    ),
    route!(
        GET,
        "/open-apis/vc/v1/meetings/{meeting_id}",
        "meeting.get",
        TENANT_OR_USER,
        meetings::get,
        MID
    ),
    route!(
        PATCH,
        "/open-apis/vc/v1/meetings/{meeting_id}/invite",
        "meeting.invite",
        Auth::Token(&[User]),
        invite::invite,
        MID
    ),
    route!(
        POST,
        "/open-apis/vc/v1/meetings/{meeting_id}/kickout",
        "meeting.kickout",
        Auth::Token(&[Tenant]),
        invite::kickout,
        MID
    ),
    route!(
        PATCH,
        "/open-apis/vc/v1/meetings/{meeting_id}/set_host",
        "meeting.set_host",
        TENANT_OR_USER,
        invite::set_host,
        MID
    ),
    route!(
        PATCH,
        "/open-apis/vc/v1/meetings/{meeting_id}/end",
        "meeting.end",
        Auth::Token(&[User]),
        meetings::end,
        MID
    ),
    // Recording [doc: vc-v1 meeting-recording/*].
    route!(
        PATCH,
        "/open-apis/vc/v1/meetings/{meeting_id}/recording/start",
        "meeting.recording.start",
        Auth::Token(&[User]),
        recording::start,
        MID
    ),
    route!(
        PATCH,
        "/open-apis/vc/v1/meetings/{meeting_id}/recording/stop",
        "meeting.recording.stop",
        Auth::Token(&[User]),
        recording::stop,
        MID
    ),
    route!(
        GET,
        "/open-apis/vc/v1/meetings/{meeting_id}/recording",
        "meeting.recording.get",
        TENANT_OR_USER,
        recording::get,
        MID
    ),
    route!(
        PATCH,
        "/open-apis/vc/v1/meetings/{meeting_id}/recording/set_permission",
        "meeting.recording.set_permission",
        Auth::Token(&[User]),
        recording::set_permission,
        MID
    ),
    // Contact lookups made before inviting [doc: contact-v3 user/batch_get_id, user/get].
    route!(
        POST,
        "/open-apis/contact/v3/users/batch_get_id",
        "contact.user.batch_get_id",
        Auth::Token(&[Tenant]),
        contact::batch_get_id
    ),
    route!(
        GET,
        "/open-apis/contact/v3/users/{user_id}",
        "contact.user.get",
        TENANT_OR_USER,
        contact::get
    ),
    route!(
        GET,
        "/open-apis/vc/v1/meeting_list",
        "meeting_list.get",
        TENANT_OR_USER,
        reports::meeting_list
    ),
    route!(
        GET,
        "/open-apis/vc/v1/participant_list",
        "participant_list.get",
        TENANT_OR_USER,
        reports::participant_list
    ),
];

#[cfg(test)]
mod tests {
    use crate::vendors::router::{Lookup, Router};
    use http::Method;

    fn op(method: Method, path: &str) -> Option<&'static str> {
        let router = Router::new(&crate::vendors::registry()).ok()?;
        match router.lookup(&method, path) {
            Lookup::Found { route, .. } => Some(route.operation),
            _ => None,
        }
    }

    #[test]
    fn doc_example_urls_reach_their_operations() {
        let cases = [
            (
                Method::PATCH,
                "/open-apis/vc/v1/meetings/6911188411932033028/invite",
                "meeting.invite",
            ),
            (
                Method::GET,
                "/open-apis/vc/v1/meetings/6911188411932033028",
                "meeting.get",
            ),
            (
                Method::GET,
                "/open-apis/vc/v1/meetings/list_by_no",
                "meeting.list_by_no",
            ),
            (
                Method::POST,
                "/open-apis/vc/v1/meetings/6911188411932033028/kickout",
                "meeting.kickout",
            ),
            (
                Method::PATCH,
                "/open-apis/vc/v1/meetings/6911188411932033028/set_host",
                "meeting.set_host",
            ),
            (
                Method::PATCH,
                "/open-apis/vc/v1/meetings/6911188411932033028/end",
                "meeting.end",
            ),
            (
                Method::POST,
                "/open-apis/vc/v1/reserves/apply",
                "reserve.apply",
            ),
            (
                Method::GET,
                "/open-apis/vc/v1/reserves/6911188411934973028",
                "reserve.get",
            ),
            (
                Method::PUT,
                "/open-apis/vc/v1/reserves/6911188411934973028",
                "reserve.update",
            ),
            (
                Method::DELETE,
                "/open-apis/vc/v1/reserves/6911188411934973028",
                "reserve.delete",
            ),
            (
                Method::GET,
                "/open-apis/vc/v1/reserves/6911188411934973028/get_active_meeting",
                "reserve.get_active_meeting",
            ),
            (
                Method::POST,
                "/open-apis/auth/v3/tenant_access_token/internal",
                "auth.tenant_access_token.internal",
            ),
            (
                Method::POST,
                "/open-apis/auth/v3/tenant_access_token/internal/",
                "auth.tenant_access_token.internal",
            ),
            (Method::POST, "/oauth/v3/token", "oauth.v3.token"),
            (
                Method::POST,
                "/open-apis/auth/v3/app_access_token",
                "auth.app_access_token.create",
            ),
            (
                Method::POST,
                "/open-apis/authen/v1/refresh_access_token",
                "authen.refresh_access_token.create",
            ),
            (
                Method::GET,
                "/open-apis/vc/v1/meetings/6911188411932033028/recording",
                "meeting.recording.get",
            ),
            (
                Method::PATCH,
                "/open-apis/vc/v1/meetings/6911188411932033028/recording/start",
                "meeting.recording.start",
            ),
            (
                Method::POST,
                "/open-apis/contact/v3/users/batch_get_id",
                "contact.user.batch_get_id",
            ),
            (
                Method::GET,
                "/open-apis/contact/v3/users/ou_7dab8a3d3cdcc9da365777c7ad535d62",
                "contact.user.get",
            ),
            (
                Method::GET,
                "/open-apis/vc/v1/meeting_list",
                "meeting_list.get",
            ),
            (
                Method::GET,
                "/open-apis/vc/v1/participant_list",
                "participant_list.get",
            ),
        ];
        for (m, p, want) in cases {
            assert_eq!(op(m.clone(), p), Some(want), "{m} {p}");
        }
    }

    #[test]
    fn wrong_method_is_not_a_route() {
        assert_eq!(op(Method::GET, "/open-apis/vc/v1/meetings/1/invite"), None);
    }
}
