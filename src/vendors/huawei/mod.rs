//! Huawei: being built (see its issue). Registered so the pipeline and registry are complete.

use crate::exchange::{Exchange, Reply};
use crate::store::{Store, VendorId};
use crate::vendors::{Auth, ErrorDef, RateLimitDef, Route, Vendor};
use http::StatusCode;

/// The Huawei vendor.
pub struct Huawei;

impl Vendor for Huawei {
    fn id(&self) -> VendorId {
        VendorId::Huawei
    }
    fn routes(&self) -> &'static [Route] {
        &[]
    }
    fn prefixes(&self) -> &'static [&'static str] {
        &[]
    }
    fn request_id_header(&self) -> &'static str {
        "X-Request-Id"
    }
    fn new_request_id(&self, store: &Store) -> String {
        store.ids.hex(32)
    }
    fn authenticate(&self, _ex: &mut Exchange<'_>, _auth: Auth) -> Result<(), Reply> {
        Ok(())
    }
    fn not_found(&self, _ex: &Exchange<'_>) -> Reply {
        Reply::text(StatusCode::NOT_FOUND, "404 page not found")
    }
    fn errors(&self) -> &'static [ErrorDef] {
        &[]
    }
    fn render_error(&self, _ex: &Exchange<'_>, err: &ErrorDef, _detail: Option<&str>) -> Reply {
        Reply::text(
            StatusCode::from_u16(err.status).unwrap_or(StatusCode::BAD_REQUEST),
            err.message,
        )
    }
    fn body_too_large(&self, _ex: &Exchange<'_>) -> Reply {
        Reply::text(StatusCode::PAYLOAD_TOO_LARGE, "too large")
    }
    fn internal_error(&self, _ex: &Exchange<'_>) -> Reply {
        Reply::text(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
    }
    fn rate_limited(&self, _ex: &Exchange<'_>, _def: &RateLimitDef, _reset: u64) -> Reply {
        Reply::text(StatusCode::TOO_MANY_REQUESTS, "rate limited")
    }
    fn tenant_hint(&self, _ex: &Exchange<'_>) -> Option<String> {
        None
    }
}
