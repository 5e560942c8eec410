//! Router tests for the Huawei table: the docs' example URLs reach their operations.
//! Compiled only as routes.rs's `#[cfg(test)] mod tests`.

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
