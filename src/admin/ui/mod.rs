//! The dashboard (DESIGN decision 13): `/__admin/ui`, plain HTML, CSS and JavaScript embedded
//! in the binary at build time from `src/admin/ui/assets/` (nothing fetched at run time, no
//! build step), the live stream that feeds it (`stream.rs`), and the edge root page that links
//! to it.
//!
//! The assets carry no data and no secret, so they are served without the admin token (a
//! browser cannot attach a bearer header to a navigation); everything the page shows comes
//! from admin API calls that need the token when one is configured. The page asks for it once
//! and keeps it in session storage.

pub mod stream;

use crate::app::App;
use crate::body::Body;
use crate::pipeline::{to_response, Scope};
use http::request::Parts;
use http::{Method, Response, StatusCode};

/// One embedded file: its path under `/__admin/ui/`, its content type and its bytes.
pub struct Asset {
    pub path: &'static str,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

/// Embeds `assets/<path>`.
macro_rules! asset {
    ($path:literal, $type:expr) => {
        Asset {
            path: $path,
            content_type: $type,
            bytes: include_bytes!(concat!("assets/", $path)),
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// Every file of the page. A test checks that this table and `assets/` hold the same files,
/// byte for byte.
pub const ASSETS: &[Asset] = &[
    asset!("index.html", "text/html; charset=utf-8"),
    asset!("css/base.css", CSS),
    asset!("css/views.css", CSS),
    asset!("js/main.js", JS),
    asset!("js/api.js", JS),
    asset!("js/dom.js", JS),
    asset!("js/model.js", JS),
    asset!("js/chrome.js", JS),
    asset!("js/meetings.js", JS),
    asset!("js/meeting.js", JS),
    asset!("js/calls.js", JS),
    asset!("js/journal.js", JS),
    asset!("js/faults.js", JS),
    asset!("js/events.js", JS),
];

/// The page's own rules: only its own scripts, styles and API; never framed.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
                   connect-src 'self'; img-src 'self' data:; base-uri 'none'; \
                   form-action 'none'; frame-ancestors 'none'";

/// The asset served at `path` (below `/__admin/ui`), if any.
pub fn asset(path: &str) -> Option<&'static Asset> {
    let rel = path.strip_prefix("/__admin/ui")?;
    let rel = match rel {
        "" | "/" | "/index.html" => "index.html",
        r => r.strip_prefix('/')?,
    };
    ASSETS.iter().find(|a| a.path == rel)
}

/// A strong validator for an asset: FNV-1a of its bytes.
fn etag(bytes: &[u8]) -> String {
    let h = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ *b as u64).wrapping_mul(0x0100_0000_01b3)
    });
    format!("\"{h:016x}\"")
}

/// Serves what this module owns under `/__admin`: the page's files (no token needed) and the
/// live stream (token checked like every admin call). `None` leaves the request to the admin
/// API.
pub fn serve(app: &std::sync::Arc<App>, parts: &Parts, path: &str) -> Option<Response<Body>> {
    if path == stream::PATH {
        if parts.method != Method::GET {
            return None;
        }
        if let Err(refused) = super::authorize(app, parts) {
            return Some(to_response(refused));
        }
        return Some(stream::open(app, parts));
    }
    if !(path == "/__admin/ui" || path.starts_with("/__admin/ui/")) {
        return None;
    }
    if parts.method != Method::GET && parts.method != Method::HEAD {
        return Some(to_response(super::error(
            StatusCode::METHOD_NOT_ALLOWED,
            "the dashboard's files are read with GET",
        )));
    }
    let Some(a) = asset(path) else {
        return Some(to_response(super::error(
            StatusCode::NOT_FOUND,
            &format!("the dashboard has no file {path}; open /__admin/ui"),
        )));
    };
    let tag = etag(a.bytes);
    let fresh = parts
        .headers
        .get(http::header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == tag.as_bytes());
    let (status, body) = if fresh {
        (StatusCode::NOT_MODIFIED, &[][..])
    } else {
        (StatusCode::OK, a.bytes)
    };
    let body = if parts.method == Method::HEAD {
        &[][..]
    } else {
        body
    };
    let reply = crate::exchange::Reply::new(status, a.content_type, body)
        .with_header("etag", &tag)
        .with_header("cache-control", "no-cache")
        .with_header("content-security-policy", CSP)
        .with_header("x-content-type-options", "nosniff")
        .with_header("referrer-policy", "no-referrer")
        .with_header("x-frame-options", "DENY");
    Some(to_response(reply))
}

/// `GET /` on the edge listener: where things are, with a link to the dashboard.
pub fn root(app: &App, scope: Scope) -> Response<Body> {
    let admin = if scope.admin {
        r#"<p><a href="/__admin/ui">Open the dashboard</a> — every vendor's meetings, live.</p>
<p>Admin API: <a href="/__admin/health">/__admin/health</a>, <a href="/__admin/meetings">/__admin/meetings</a>, <a href="/__admin/routes">/__admin/routes</a>.</p>"#
            .to_string()
    } else {
        match app.config.listen_admin {
            Some(a) => format!(
                "<p>The dashboard and admin API are on the admin listener: \
                 <a href=\"http://{a}/__admin/ui\">http://{a}/__admin/ui</a>.</p>"
            ),
            None => "<p>This listener serves one vendor only.</p>".to_string(),
        }
    };
    let html = format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>meetmock</title>\
         <meta name=\"viewport\" content=\"width=device-width\">\
         <h1>meetmock {}</h1><p>Tencent Meeting, Feishu/Lark VC, DingTalk and Huawei Cloud \
         Meeting APIs on this port.</p>{admin}</html>",
        env!("CARGO_PKG_VERSION")
    );
    to_response(
        crate::exchange::Reply::new(StatusCode::OK, "text/html; charset=utf-8", html)
            .with_header("content-security-policy", CSP)
            .with_header("x-content-type-options", "nosniff"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_assets_and_nothing_else() {
        assert_eq!(asset("/__admin/ui").map(|a| a.path), Some("index.html"));
        assert_eq!(asset("/__admin/ui/").map(|a| a.path), Some("index.html"));
        assert_eq!(
            asset("/__admin/ui/js/api.js").map(|a| a.path),
            Some("js/api.js")
        );
        assert!(asset("/__admin/ui/../Cargo.toml").is_none());
        assert!(asset("/__admin/uix").is_none());
        assert!(asset("/__admin/ui/nope.js").is_none());
    }

    #[test]
    fn content_types_follow_the_extension() {
        for a in ASSETS {
            let want = match a.path.rsplit('.').next() {
                Some("html") => "text/html; charset=utf-8",
                Some("css") => CSS,
                Some("js") => JS,
                other => panic!("no content type for {other:?}"),
            };
            assert_eq!(a.content_type, want, "{}", a.path);
        }
    }
}
