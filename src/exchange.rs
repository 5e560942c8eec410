//! What a handler sees and returns: the [`Exchange`] (one request, parsed once, plus the
//! server state) and the [`Reply`] (status, headers, body) the pipeline writes back.

use crate::app::App;
use crate::store::{Tenant, TokenKind, VendorId};
use crate::vendors::Route;
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::borrow::Cow;
use std::net::IpAddr;
use std::sync::Arc;

/// Who made an authenticated request.
#[derive(Debug, Clone)]
pub struct Principal {
    pub tenant: Arc<Tenant>,
    /// The kind of credential presented (`None` for signature auth).
    pub kind: Option<TokenKind>,
    /// The user the credential speaks for, when it is a user credential.
    pub user: Option<String>,
    /// The token value presented, if any (never journaled).
    pub token: Option<String>,
}

/// Facts a handler reports for the journal and for fault matching.
#[derive(Debug, Clone, Default)]
pub struct Note {
    /// The vendor code of the answer (`"0"` for success where the vendor has one).
    pub code: Option<String>,
    /// The meeting the request was about.
    pub meeting: Option<String>,
    /// The tenant the request named, kept when a fault rule answered before auth ran (no
    /// principal then).
    pub tenant: Option<String>,
}

/// One request being served.
pub struct Exchange<'a> {
    pub app: &'a App,
    pub vendor: VendorId,
    pub route: &'static Route,
    pub method: &'a Method,
    /// The raw request-target exactly as received (path, `?`, raw query).
    pub target: &'a str,
    /// The path part of the target, still percent-encoded.
    pub path: &'a str,
    /// The raw query string (without `?`), still percent-encoded; empty when absent.
    pub raw_query: &'a str,
    /// Path parameters from the route pattern, percent-decoded.
    pub params: Vec<(String, String)>,
    pub headers: &'a HeaderMap,
    pub body: Bytes,
    /// The vendor-format request id, also sent in the vendor's request-id header.
    pub request_id: String,
    /// Set by the vendor's `authenticate` before the handler runs.
    pub principal: Option<Principal>,
    /// The server clock when the request arrived.
    pub now_ms: i64,
    pub note: Note,
    /// The request came over TLS (the listener sniffed a handshake).
    pub secure: bool,
    /// The client's address: the TCP peer of the connection, IPv4-mapped IPv6 written as
    /// IPv4 (a dual-stack listener sees `::ffff:127.0.0.1`). `X-Forwarded-For` and friends
    /// are never read: a vendor's gateway sees the connection's source, and a header would
    /// let any client claim an allowed address. `None` for an exchange not made from a
    /// connection (none today).
    pub peer: Option<IpAddr>,
    /// Set by a handler whose answer waits for I/O it started (Huawei's enabling call waits
    /// for the receiver's `meeting.verify` echo): the pipeline awaits it, holding nothing, and
    /// answers with its reply instead of the handler's.
    pub later: Option<Later>,
}

/// An answer still on its way: owns what it needs (no borrow of the exchange, no lock).
pub type Later = std::pin::Pin<Box<dyn std::future::Future<Output = Reply> + Send>>;

impl<'a> Exchange<'a> {
    /// Answers with what `f` gives when it completes (see [`Exchange::later`]); returns the
    /// handler's placeholder, used only when the pipeline cannot wait (a broken-answer fault).
    pub fn answer_later(
        &mut self,
        f: impl std::future::Future<Output = Reply> + Send + 'static,
        placeholder: Reply,
    ) -> Reply {
        self.later = Some(Box::pin(f));
        placeholder
    }

    /// A path parameter by name; empty when the route has no such parameter.
    pub fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// Every query pair, percent- and `+`-decoded, in order.
    pub fn query_pairs(&self) -> Vec<(Cow<'a, str>, Cow<'a, str>)> {
        parse_query(self.raw_query)
    }

    /// The first value of a query parameter, decoded.
    pub fn query(&self, name: &str) -> Option<String> {
        parse_query(self.raw_query)
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    /// A request header as text (`None` when absent or not visible ASCII).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body decoded as JSON into `T`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }

    /// The authenticated principal. Handlers of routes with `Auth::Open` must not call this.
    pub fn principal(&self) -> Option<&Principal> {
        self.principal.as_ref()
    }

    /// Server time in unix seconds.
    pub fn now_secs(&self) -> i64 {
        self.now_ms.div_euclid(1000)
    }
}

/// Splits and decodes `a=1&b=x+y` into pairs (`application/x-www-form-urlencoded` rules:
/// `+` is a space, invalid escapes stay as text, invalid UTF-8 becomes U+FFFD).
pub fn parse_query(raw: &str) -> Vec<(Cow<'_, str>, Cow<'_, str>)> {
    form_urlencoded::parse(raw.as_bytes()).collect()
}

/// Percent-decodes one query component, `+` meaning space; invalid escapes are kept as text.
pub fn decode_component(s: &str) -> Cow<'_, str> {
    if !s.contains('+') {
        return percent_encoding::percent_decode_str(s).decode_utf8_lossy();
    }
    let spaced = s.replace('+', " ");
    Cow::Owned(
        percent_encoding::percent_decode_str(&spaced)
            .decode_utf8_lossy()
            .into_owned(),
    )
}

/// Percent-decodes a path segment (no `+` rule).
pub fn decode_path(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// An answer ready to be written.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub body: Bytes,
    /// The vendor code this answer carries, for the journal (`None` when the vendor has none).
    pub code: Option<Cow<'static, str>>,
}

/// `application/json; charset=utf-8`, the content type most vendors answer with.
pub const JSON_UTF8: &str = "application/json; charset=utf-8";

impl Reply {
    /// A reply with this status, content type and body.
    pub fn new(status: StatusCode, content_type: &str, body: impl Into<Bytes>) -> Reply {
        let mut headers = Vec::with_capacity(4);
        if let Ok(v) = HeaderValue::from_str(content_type) {
            headers.push((http::header::CONTENT_TYPE, v));
        }
        Reply {
            status,
            headers,
            body: body.into(),
            code: None,
        }
    }

    /// A JSON reply (`application/json; charset=utf-8`).
    pub fn json(status: StatusCode, value: &impl Serialize) -> Reply {
        Reply::json_as(status, JSON_UTF8, value)
    }

    /// A JSON reply with a vendor-specific content type.
    pub fn json_as(status: StatusCode, content_type: &str, value: &impl Serialize) -> Reply {
        // Serializing our own DTOs cannot fail (no non-string map keys, no failing Serialize
        // impls); fall back to an empty object rather than panic.
        let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
        Reply::new(status, content_type, body)
    }

    /// A plain-text reply.
    pub fn text(status: StatusCode, body: impl Into<Bytes>) -> Reply {
        Reply::new(status, "text/plain; charset=utf-8", body)
    }

    /// Adds a header (invalid values are skipped, never panicked on).
    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            self.headers.push((n, v));
        }
        self
    }

    /// Records the vendor code carried by this reply.
    pub fn with_code(mut self, code: impl Into<Cow<'static, str>>) -> Reply {
        self.code = Some(code.into());
        self
    }

    /// The value of a header set on this reply.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.as_str().eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.to_str().ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_decoding_handles_plus_and_percent() {
        let q = parse_query("userid=a+b%40c%2F%C3%A9&instanceid=1&bad=%zz&e=");
        assert_eq!(q[0].1, "a b@c/é");
        assert_eq!(q[1].1, "1");
        assert_eq!(q[2].1, "%zz");
        assert_eq!(q[3].1, "");
    }

    #[test]
    fn truncated_escape_is_kept() {
        assert_eq!(decode_component("ab%4"), "ab%4");
        assert_eq!(decode_component("%"), "%");
    }
}
