//! Who may use the admin API, decided before any admin handler runs.
//!
//! - With `--admin-token`, a request carrying `Authorization: Bearer <token>` is trusted from
//!   anywhere and for any `Host`/`Origin`: a browser cannot attach that header to a cross-site
//!   or DNS-rebound request, so neither CSRF nor rebinding can forge it. Without it: 401.
//! - Without a token, trust rests on being local, so three more checks apply: the peer must be
//!   a loopback address (a listener on 0.0.0.0 serves the admin API to this machine only);
//!   `Host` must be an IP address, a loopback name (`localhost`, `*.localhost`) or a name given
//!   with `--admin-allowed-host` (DNS rebinding needs a name that resolves to us); and the
//!   request must not come from another site: a foreign `Origin` (or `null`), a
//!   `Sec-Fetch-Site` of `cross-site`/`same-site`, or a change sent with one of the content
//!   types a page may send without a preflight (text/plain, form, multipart) is refused.
//! - `GET /__admin/health` is never refused: liveness for container health checks. It shows
//!   its counters only to a caller the rules above would admit.

use crate::app::App;
use crate::exchange::Reply;
use http::request::Parts;
use http::{Method, StatusCode};
use std::net::{IpAddr, SocketAddr};

/// The connection a request came in on, put in the request's extensions by the server.
#[derive(Debug, Clone, Copy)]
pub struct ConnInfo {
    /// The client's address.
    pub peer: SocketAddr,
    /// The listener-side address the client connected to.
    pub local: SocketAddr,
}

/// How much of the admin API a request may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Everything.
    Full,
    /// Only the liveness part of `GET /__admin/health`.
    HealthOnly,
}

/// The media types a browser may send cross-site without a CORS preflight.
const SIMPLE_TYPES: &[&str] = &[
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
];

/// Decides a request's access; `Err` is the refusal to answer with (nothing runs).
pub fn check(app: &App, parts: &Parts, health: bool) -> Result<Access, Reply> {
    match verdict(app, parts) {
        Ok(()) => Ok(Access::Full),
        Err(_) if health => Ok(Access::HealthOnly),
        Err((status, msg)) => Err(super::error(status, &msg)),
    }
}

fn verdict(app: &App, parts: &Parts) -> Result<(), (StatusCode, String)> {
    if let Some(token) = &app.config.admin_token {
        return if bearer(parts).is_some_and(|p| same(p.as_bytes(), token.as_bytes())) {
            Ok(())
        } else {
            Err((
                StatusCode::UNAUTHORIZED,
                "admin API needs `Authorization: Bearer <admin token>`".into(),
            ))
        };
    }
    let conn = parts.extensions.get::<ConnInfo>();
    if !conn.is_some_and(|c| c.peer.ip().to_canonical().is_loopback()) {
        return Err((
            StatusCode::FORBIDDEN,
            "the admin API answers loopback clients only unless the server runs with \
             --admin-token (MEETMOCK_ADMIN_TOKEN); then send `Authorization: Bearer <token>`"
                .into(),
        ));
    }
    let host = header(parts, http::header::HOST);
    if let Some(h) = host {
        if !host_allowed(app, h) {
            return Err((
                StatusCode::FORBIDDEN,
                format!(
                    "Host {h:?} is not this server's address or a loopback name (DNS-rebinding \
                     guard); use an IP address or localhost, or start with \
                     --admin-allowed-host NAME"
                ),
            ));
        }
    }
    if let Some(origin) = header(parts, http::header::ORIGIN) {
        if !same_origin(origin, host) {
            return Err((
                StatusCode::FORBIDDEN,
                format!(
                    "cross-site request refused: Origin {origin:?} is not this server (CSRF \
                     guard)"
                ),
            ));
        }
    }
    if let Some(site) = parts.headers.get("sec-fetch-site") {
        if site == "cross-site" || site == "same-site" {
            return Err((
                StatusCode::FORBIDDEN,
                "cross-site request refused: Sec-Fetch-Site says another site sent it (CSRF \
                 guard)"
                    .into(),
            ));
        }
    }
    let changes = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    if changes {
        if let Some(ct) = header(parts, http::header::CONTENT_TYPE) {
            let media = ct
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if SIMPLE_TYPES.contains(&media.as_str()) {
                return Err((
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    format!(
                        "admin changes take Content-Type: application/json (YAML types for \
                         scenarios), not {media}: a cross-site page can send that one without \
                         asking (CSRF guard); with curl add -H 'Content-Type: application/json'"
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn header(parts: &Parts, name: http::header::HeaderName) -> Option<&str> {
    parts.headers.get(name).and_then(|v| v.to_str().ok())
}

fn bearer(parts: &Parts) -> Option<&str> {
    header(parts, http::header::AUTHORIZATION).and_then(|v| v.strip_prefix("Bearer "))
}

/// Constant-time equality (the length is not secret).
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The host part of an authority (`name:port`, `1.2.3.4:port`, `[::1]:port`), lower-cased and
/// without a trailing dot.
fn host_part(authority: &str) -> String {
    let a = authority.trim();
    let host = if let Some(rest) = a.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        a.rsplit_once(':').map_or(a, |(h, p)| {
            if p.bytes().all(|b| b.is_ascii_digit()) {
                h
            } else {
                a
            }
        })
    };
    host.trim_end_matches('.').to_ascii_lowercase()
}

/// An IP address, a loopback name, or a configured name.
fn host_allowed(app: &App, authority: &str) -> bool {
    let host = host_part(authority);
    if host.parse::<IpAddr>().is_ok() || host == "localhost" || host.ends_with(".localhost") {
        return true;
    }
    app.config.admin_allowed_hosts.iter().any(|allowed| {
        let allowed = allowed.trim().trim_end_matches('.').to_ascii_lowercase();
        allowed == "*"
            || allowed == host
            || (allowed.starts_with('.') && host.ends_with(allowed.as_str()))
    })
}

/// `Origin` (`scheme://authority`) names the same authority as `Host`.
fn same_origin(origin: &str, host: Option<&str>) -> bool {
    let Some(host) = host else { return false };
    let Some((scheme, authority)) = origin.split_once("://") else {
        return false;
    };
    let with_port = |a: &str| {
        let a = a.trim().to_ascii_lowercase();
        let has_port = a
            .rsplit_once(':')
            .is_some_and(|(h, p)| !h.ends_with('[') && !p.contains(']'));
        if has_port {
            a
        } else {
            let port = if scheme.eq_ignore_ascii_case("https") {
                443
            } else {
                80
            };
            format!("{a}:{port}")
        }
    };
    with_port(authority) == with_port(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_parts_drop_ports_brackets_case_and_trailing_dots() {
        assert_eq!(host_part("LocalHost.:8080"), "localhost");
        assert_eq!(host_part("[::1]:8080"), "::1");
        assert_eq!(host_part("127.0.0.1"), "127.0.0.1");
        assert_eq!(host_part("evil.example:80"), "evil.example");
    }

    #[test]
    fn origins_compare_with_default_ports() {
        assert!(same_origin("http://127.0.0.1:8080", Some("127.0.0.1:8080")));
        assert!(same_origin("http://localhost", Some("localhost:80")));
        assert!(same_origin("https://[::1]", Some("[::1]:443")));
        assert!(!same_origin(
            "http://127.0.0.1:3000",
            Some("127.0.0.1:8080")
        ));
        assert!(!same_origin("https://evil.example", Some("127.0.0.1:8080")));
        assert!(!same_origin("null", Some("127.0.0.1:8080")));
        assert!(!same_origin("http://127.0.0.1:8080", None));
    }
}
