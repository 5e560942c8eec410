//! The admin route table: every `/__admin/` endpoint the dispatcher serves, as method, path
//! pattern (OpenAPI's `{param}` form) and handler. The dispatcher walks it in order (the first
//! match wins, so fixed segments come before parameters), and a test checks it against the
//! OpenAPI description both ways: an endpoint added here without a description fails CI.
//! Health, the dashboard and its live stream are answered before the table (see
//! [`SERVED_BEFORE`]).

use super::{behaviours, changes, connections, events, faults, journal, library, meetings};
use super::{openapi, subscriptions, AdminReq, AdminResult};
use super::{ops, state};
use crate::app::App;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// The path parameters of a matched route, by name.
pub struct Params<'a>(Vec<(&'static str, &'a str)>);

impl Params<'_> {
    /// A parameter by name ("" when the pattern has none of that name).
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| *k == name)
            .map_or("", |(_, v)| v)
    }
}

/// A boxed handler future.
pub type Pending<'a> = Pin<Box<dyn Future<Output = AdminResult> + Send + 'a>>;

/// What serves a route.
#[derive(Clone, Copy)]
pub enum Handler {
    Now(fn(&Arc<App>, &AdminReq<'_>, &Params<'_>) -> AdminResult),
    Later(for<'a> fn(&'a Arc<App>, &'a AdminReq<'a>, &'a Params<'a>) -> Pending<'a>),
}

/// One admin endpoint.
pub struct Route {
    pub method: &'static str,
    /// Under `/__admin`, e.g. `/meetings/{id}/{action}`.
    pub path: &'static str,
    pub handler: Handler,
}

impl Route {
    /// The parameters when `segments` (the path under `/__admin`, split) fit the pattern.
    pub fn matches<'a>(&self, segments: &[&'a str]) -> Option<Params<'a>> {
        let pattern = self.path.split('/').filter(|s| !s.is_empty());
        if pattern.clone().count() != segments.len() {
            return None;
        }
        let mut params = Vec::new();
        for (p, s) in pattern.zip(segments) {
            match p.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                Some(name) => params.push((name, *s)),
                None if p == *s => {}
                None => return None,
            }
        }
        Some(Params(params))
    }
}

/// Admin paths answered before the table: health (to anyone), the dashboard's files and its
/// live stream (`admin::ui`). Described in the OpenAPI document like the rest.
pub const SERVED_BEFORE: &[(&str, &str)] = &[
    ("GET", "/health"),
    ("GET", "/ui"),
    ("GET", "/ui/{file}"),
    ("GET", "/changes/stream"),
];

macro_rules! now {
    ($f:expr) => {
        Handler::Now($f)
    };
}

/// Every endpoint the dispatcher serves, in match order.
pub const ROUTES: &[Route] = &[
    r(
        "GET",
        "/openapi.json",
        now!(|_, _, _| Ok(openapi::document())),
    ),
    r("GET", "/routes", now!(|app, _, _| Ok(ops::routes(app)))),
    r("POST", "/reset", now!(|app, _, _| Ok(state::reset(app)))),
    r("GET", "/state", now!(|app, _, _| Ok(state::export(app)))),
    r("PUT", "/state", now!(|app, req, _| state::import(app, req))),
    r(
        "POST",
        "/state/save",
        Handler::Later(|app, _, _| Box::pin(state::save_now(app))),
    ),
    r(
        "POST",
        "/scenarios",
        now!(|app, req, _| state::load(app, req)),
    ),
    r(
        "GET",
        "/scenarios",
        now!(|app, _, _| Ok(state::list_scenarios(app))),
    ),
    r(
        "GET",
        "/scenarios/library",
        now!(|_, _, _| Ok(library::list())),
    ),
    r(
        "POST",
        "/scenarios/library/{file}",
        now!(|app, _, p| library::load(app, p.get("file"))),
    ),
    r("GET", "/clock", now!(|app, _, _| Ok(state::clock(app)))),
    r(
        "POST",
        "/clock/advance",
        now!(|app, req, _| state::advance(app, req)),
    ),
    r(
        "POST",
        "/clock/freeze",
        now!(|app, req, _| state::freeze(app, req)),
    ),
    r(
        "POST",
        "/clock/unfreeze",
        now!(|app, _, _| Ok(state::unfreeze(app))),
    ),
    r(
        "GET",
        "/meetings",
        now!(|app, req, _| Ok(meetings::list(app, req))),
    ),
    r(
        "GET",
        "/meetings/{id}",
        now!(|app, req, p| meetings::get(app, req, p.get("id"))),
    ),
    r(
        "POST",
        "/meetings/{id}/{action}",
        now!(|app, req, p| meetings::control(app, req, p.get("id"), p.get("action"))),
    ),
    r(
        "POST",
        "/users/{id}/{action}",
        now!(|app, req, p| meetings::user_control(app, req, p.get("id"), p.get("action"))),
    ),
    r(
        "GET",
        "/tenants",
        now!(|app, _, _| Ok(meetings::tenants(app))),
    ),
    r(
        "PUT",
        "/tenants/strict",
        now!(|app, req, _| meetings::set_strict(app, req)),
    ),
    r(
        "POST",
        "/tenants/{vendor}/{tenant}/users",
        now!(|app, req, p| meetings::add_users(app, req, p.get("vendor"), p.get("tenant"))),
    ),
    r(
        "POST",
        "/tokens/expire",
        now!(|app, req, _| state::expire_token(app, req)),
    ),
    r(
        "GET",
        "/changes",
        now!(|app, req, _| changes::list(app, req)),
    ),
    r(
        "GET",
        "/subscriptions",
        now!(|app, req, _| subscriptions::list(app, req)),
    ),
    r(
        "POST",
        "/subscriptions",
        Handler::Later(|app, req, _| Box::pin(subscriptions::create(app, req))),
    ),
    r(
        "GET",
        "/subscriptions/{id}",
        now!(|app, _, p| subscriptions::get(app, p.get("id"))),
    ),
    r(
        "PUT",
        "/subscriptions/{id}",
        Handler::Later(|app, req, p| Box::pin(subscriptions::replace(app, req, p.get("id")))),
    ),
    r(
        "DELETE",
        "/subscriptions/{id}",
        now!(|app, _, p| subscriptions::remove(app, p.get("id"))),
    ),
    r(
        "POST",
        "/subscriptions/{id}/{action}",
        Handler::Later(|app, _, p| {
            Box::pin(subscriptions::action(app, p.get("id"), p.get("action")))
        }),
    ),
    r(
        "GET",
        "/connections",
        now!(|app, req, _| connections::list(app, req)),
    ),
    r(
        "DELETE",
        "/connections/{id}",
        now!(|app, _, p| connections::close(app, p.get("id"))),
    ),
    r("GET", "/events", now!(|app, req, _| events::list(app, req))),
    r(
        "GET",
        "/events/count",
        now!(|app, req, _| events::count(app, req)),
    ),
    r(
        "GET",
        "/events/{id}",
        now!(|app, _, p| events::get(app, p.get("id"))),
    ),
    r(
        "POST",
        "/events/{id}/redeliver",
        now!(|app, _, p| events::redeliver(app, p.get("id"))),
    ),
    r(
        "GET",
        "/behaviours",
        now!(|app, req, _| behaviours::list(app, req)),
    ),
    r(
        "PUT",
        "/behaviours",
        now!(|app, req, _| behaviours::put(app, req)),
    ),
    r(
        "DELETE",
        "/behaviours",
        now!(|app, req, _| behaviours::delete(app, req)),
    ),
    r(
        "GET",
        "/behaviours/pending",
        now!(|app, req, _| behaviours::pending(app, req)),
    ),
    r(
        "GET",
        "/requests",
        now!(|app, req, _| journal::requests(app, req)),
    ),
    r(
        "GET",
        "/requests/count",
        now!(|app, req, _| journal::count(app, req)),
    ),
    r(
        "GET",
        "/requests/unmatched",
        now!(|app, req, _| journal::unmatched(app, req)),
    ),
    r(
        "DELETE",
        "/requests",
        now!(|app, _, _| Ok(journal::clear(app))),
    ),
    r("GET", "/faults", now!(|app, _, _| Ok(faults::list(app)))),
    r("POST", "/faults", now!(|app, req, _| faults::add(app, req))),
    r(
        "DELETE",
        "/faults",
        now!(|app, _, _| Ok(faults::clear(app))),
    ),
    r(
        "DELETE",
        "/faults/{name}",
        now!(|app, _, p| faults::remove(app, p.get("name"))),
    ),
    r(
        "POST",
        "/faults/{name}/enable",
        now!(|app, _, p| faults::switch(app, p.get("name"), true)),
    ),
    r(
        "POST",
        "/faults/{name}/disable",
        now!(|app, _, p| faults::switch(app, p.get("name"), false)),
    ),
    r(
        "POST",
        "/vendors/{vendor}/{action}",
        now!(|app, req, p| ops::vendor_action(app, req, p.get("vendor"), p.get("action"))),
    ),
];

const fn r(method: &'static str, path: &'static str, handler: Handler) -> Route {
    Route {
        method,
        path,
        handler,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_whole_paths_and_name_their_parameters() {
        let route = r(
            "POST",
            "/meetings/{id}/{action}",
            now!(|_, _, _| Ok(serde_json::json!({}))),
        );
        let p = route.matches(&["meetings", "m1", "lock"]).unwrap();
        assert_eq!(
            (p.get("id"), p.get("action"), p.get("x")),
            ("m1", "lock", "")
        );
        assert!(route.matches(&["meetings", "m1"]).is_none());
        assert!(route.matches(&["users", "m1", "lock"]).is_none());
    }

    #[test]
    fn no_route_is_shadowed_by_an_earlier_one() {
        for (i, later) in ROUTES.iter().enumerate() {
            let segments: Vec<&str> = later.path.split('/').filter(|s| !s.is_empty()).collect();
            let first = ROUTES
                .iter()
                .position(|r| r.method == later.method && r.matches(&segments).is_some());
            assert_eq!(
                first,
                Some(i),
                "{} {} is shadowed",
                later.method,
                later.path
            );
        }
    }
}
