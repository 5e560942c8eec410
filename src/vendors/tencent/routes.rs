//! The Tencent Meeting route table: every emulated endpoint, served both at the vendor's own
//! paths (`/v1/…`) and under the `/tencent` path prefix (`HttpClient(host="HOST:PORT/tencent")`,
//! signed with the prefix, as the SDK does for a host carrying a path).
//!
//! Mirrors cloud.tencent.com/document/product/1095 (pages listed per route). Operation names
//! are the official SDK's method names (`wemeet_openapi` 1.0.10), which is how Tencent users
//! name these APIs in code.

use super::{
    activation, control, guests, incall, invitees, lifecycle, meetings, realctl, users, waiting,
};
use crate::vendors::{Auth, Route};
use http::Method;

macro_rules! table {
    ($( $method:ident $path:literal $op:literal $handler:path ; )*) => {
        /// Every route, plain then prefixed.
        pub static ROUTES: &[Route] = &[
            $( Route {
                method: Method::$method,
                path: $path,
                operation: $op,
                auth: Auth::Signature,
                handler: $handler,
                meeting_param: meeting_param($path),
            }, )*
            $( Route {
                method: Method::$method,
                path: concat!("/tencent", $path),
                operation: $op,
                auth: Auth::Signature,
                handler: $handler,
                meeting_param: meeting_param($path),
            }, )*
        ];
    };
}

/// `Some("meeting_id")` when the pattern carries the meeting id.
const fn meeting_param(path: &str) -> Option<&'static str> {
    let b = path.as_bytes();
    let needle = b"{meeting_id}";
    let mut i = 0;
    while i + needle.len() <= b.len() {
        let mut j = 0;
        while j < needle.len() && b[i + j] == needle[j] {
            j += 1;
        }
        if j == needle.len() {
            return Some("meeting_id");
        }
        i += 1;
    }
    None
}

table! {
    // /1095/42417 create, /1095/42418 query by id, /1095/42421 query list, /1095/42420 modify
    POST "/v1/meetings" "v1_meetings_post" meetings::create;
    GET "/v1/meetings" "v1_meetings_get" meetings::list;
    GET "/v1/meetings/{meeting_id}" "v1_meetings_meeting_id_get" meetings::get;
    PUT "/v1/meetings/{meeting_id}" "v1_meetings_meeting_id_put" meetings::modify;
    // /1095/63659 set invitees, /1095/63648 list invitees
    PUT "/v1/meetings/{meeting_id}/invitees" "v1_meetings_meeting_id_invitees_put" invitees::set;
    GET "/v1/meetings/{meeting_id}/invitees" "v1_meetings_meeting_id_invitees_get" invitees::list;
    // /1095/42422 cancel, /1095/57955 dismiss
    POST "/v1/meetings/{meeting_id}/cancel" "v1_meetings_meeting_id_cancel_post" lifecycle::cancel;
    POST "/v1/meetings/{meeting_id}/dismiss" "v1_meetings_meeting_id_dismiss_post" lifecycle::dismiss;
    // /1095/42701 participants, /1095/72810 real-time participants, real-control status
    GET "/v1/meetings/{meeting_id}/participants" "v1_meetings_meeting_id_participants_get" control::participants;
    GET "/v1/meetings/{meeting_id}/real-time-participants" "v1_meetings_meeting_id_real_time_participants_get" control::real_time_participants;
    PUT "/v1/real-control/meetings/{meeting_id}/status" "v1_real_control_meetings_meeting_id_status_put" control::status;
    PUT "/v1/real-control/meetings/{meeting_id}/kickout" "v1_real_control_meetings_meeting_id_kickout_put" incall::kickout;
    PUT "/v1/real-control/meetings/{meeting_id}/cohosts" "v1_real_control_meetings_meeting_id_cohosts_put" incall::cohosts;
    // /1095/57948 mute a user, /1095/67794 rename participants
    PUT "/v1/real-control/meetings/{meeting_id}/mutes" "v1_real_control_meetings_meeting_id_mutes_put" realctl::mutes;
    PUT "/v1/real-control/meetings/{meeting_id}/names" "v1_real_control_meetings_meeting_id_names_put" realctl::names;
    // /1095/58522 waiting-room members now, /1095/80579 waiting-room records, /1095/57954 control
    GET "/v1/meetings/{meeting_id}/waiting-room-participants" "v1_meetings_meeting_id_waiting_room_participants_get" waiting::current;
    GET "/v1/meeting/{meeting_id}/waiting-room" "v1_meeting_meeting_id_waiting_room_get" waiting::records;
    PUT "/v1/real-control/meetings/{meeting_id}/waiting-room" "v1_real_control_meetings_meeting_id_waiting_room_put" waiting::control;
    // /1095/54308 query guests, /1095/93438 modify guests
    GET "/v1/guests/{meeting_id}" "v1_guests_meeting_id_get" guests::get;
    PUT "/v1/guests/{meeting_id}" "v1_guests_meeting_id_put" guests::put;
    GET "/v1/history/meetings/{userid}" "v1_history_meetings_userid_get" incall::history;
    // user management (/1095 user pages, SDK user_manager)
    POST "/v1/users" "v1_users_post" users::create;
    GET "/v1/users" "v1_users_get" users::get;
    PUT "/v1/users" "v1_users_put" users::update;
    DELETE "/v1/users" "v1_users_delete" users::delete;
    GET "/v1/users/list" "v1_users_list_get" users::list;
    POST "/v1/users/invite-activate" "v1_users_invite_activate_post" activation::invite_links;
    POST "/v1/users/open-id-to-userid" "v1_users_open_id_to_userid_post" activation::open_id_to_userid;
    GET "/v1/users/{userid}" "v1_users_userid_get" users::get;
    PUT "/v1/users/{userid}" "v1_users_userid_put" users::update;
    DELETE "/v1/users/{userid}" "v1_users_userid_delete" users::delete;
    PUT "/v1/users/{userid}/invite-activate" "v1_users_userid_invite_activate_put" activation::invite_one;
}

#[cfg(test)]
mod tests {
    use super::ROUTES;
    use crate::vendors::router::{Lookup, Router};
    use http::Method;

    fn router() -> Router {
        Router::new(&crate::vendors::registry()).expect("routes compile")
    }

    fn op(r: &Router, m: Method, path: &str) -> Option<(&'static str, String)> {
        match r.lookup(&m, path) {
            Lookup::Found { route, params, .. } => Some((
                route.operation,
                params
                    .iter()
                    .find(|(k, _)| k == "meeting_id")
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default(),
            )),
            _ => None,
        }
    }

    #[test]
    fn doc_example_urls_reach_their_operations() {
        let r = router();
        let cases = [
            (
                Method::PUT,
                "/v1/meetings/5417310002754750436/invitees",
                "v1_meetings_meeting_id_invitees_put",
            ),
            (
                Method::GET,
                "/v1/meetings/5417310002754750436/invitees",
                "v1_meetings_meeting_id_invitees_get",
            ),
            (Method::POST, "/v1/meetings", "v1_meetings_post"),
            (Method::GET, "/v1/meetings", "v1_meetings_get"),
            (
                Method::GET,
                "/v1/meetings/5417310002754750436",
                "v1_meetings_meeting_id_get",
            ),
            (
                Method::POST,
                "/v1/meetings/5417310002754750436/cancel",
                "v1_meetings_meeting_id_cancel_post",
            ),
            (
                Method::POST,
                "/v1/meetings/5417310002754750436/dismiss",
                "v1_meetings_meeting_id_dismiss_post",
            ),
            (
                Method::GET,
                "/v1/meetings/5417310002754750436/participants",
                "v1_meetings_meeting_id_participants_get",
            ),
            (
                Method::GET,
                "/v1/meetings/5417310002754750436/real-time-participants",
                "v1_meetings_meeting_id_real_time_participants_get",
            ),
            (
                Method::PUT,
                "/v1/real-control/meetings/5417310002754750436/status",
                "v1_real_control_meetings_meeting_id_status_put",
            ),
            (
                Method::GET,
                "/tencent/v1/meetings/123/invitees",
                "v1_meetings_meeting_id_invitees_get",
            ),
            (
                Method::GET,
                "/v1/guests/15923312864334416762",
                "v1_guests_meeting_id_get",
            ),
            (
                Method::PUT,
                "/v1/real-control/meetings/5417310002754750437/waiting-room",
                "v1_real_control_meetings_meeting_id_waiting_room_put",
            ),
            (
                Method::GET,
                "/v1/meeting/5417310002754750437/waiting-room",
                "v1_meeting_meeting_id_waiting_room_get",
            ),
            (
                Method::GET,
                "/v1/meetings/5417310002754750437/waiting-room-participants",
                "v1_meetings_meeting_id_waiting_room_participants_get",
            ),
            (Method::DELETE, "/v1/users", "v1_users_delete"),
        ];
        for (m, path, want) in cases {
            let (got, _) =
                op(&r, m.clone(), path).unwrap_or_else(|| panic!("{m} {path} not routed"));
            assert_eq!(got, want, "{m} {path}");
        }
        assert_eq!(
            op(&r, Method::PUT, "/v1/meetings/2594/invitees").unwrap().1,
            "2594"
        );
    }

    #[test]
    fn the_seed_docs_post_to_invitees_is_a_wrong_method() {
        let r = router();
        assert!(matches!(
            r.lookup(&Method::POST, "/v1/meetings/2594/invitees"),
            Lookup::WrongMethod(crate::store::VendorId::Tencent)
        ));
        assert!(matches!(
            r.lookup(&Method::GET, "/v1/nothing"),
            Lookup::Unknown(Some(crate::store::VendorId::Tencent))
        ));
    }

    #[test]
    fn every_route_is_signed_and_prefixed_once() {
        assert_eq!(ROUTES.len() % 2, 0);
        let half = ROUTES.len() / 2;
        for (a, b) in ROUTES[..half].iter().zip(&ROUTES[half..]) {
            assert_eq!(format!("/tencent{}", a.path), b.path);
            assert_eq!(a.operation, b.operation);
        }
    }
}
