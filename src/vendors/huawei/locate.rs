//! Finding a conference's enterprise (tenant) from what a meeting-control call carries, as the
//! service must: the control token names its tenant and meeting; without a usable one, the
//! conference id itself (conference IDs are unique across enterprises). `X-Access-Token` is
//! never required on these calls (pages meeting_21_0027 and the control pages list only
//! `X-Conference-Authorization` / `X-Password`); when a client sends one anyway (the SDKs do),
//! it only breaks the tie for a scenario that reused one conference ID in two enterprises.

use super::auth::{control_token, live_token, HW};
use crate::exchange::Exchange;
use crate::store::{Store, Tenant, TokenKind};
use std::sync::Arc;

/// Every Huawei tenant holding a conference with this id (usually one, none when unknown).
pub fn holders(store: &Store, conference_id: &str) -> Vec<Arc<Tenant>> {
    if conference_id.is_empty() {
        return Vec::new();
    }
    store
        .tenants()
        .into_iter()
        .filter(|t| t.vendor == HW && t.with(|d| d.meetings.contains_key(conference_id)))
        .collect()
}

/// True when some Huawei tenant already uses this conference id (new ids avoid it).
pub fn taken(store: &Store, conference_id: &str) -> bool {
    !holders(store, conference_id).is_empty()
}

/// The tenant of conference `id` for a control-side request: the live control token's tenant
/// when it is bound to this conference, else the holder the access token names, else the first
/// holder. `None` when no enterprise has the conference.
pub fn conference_tenant(ex: &Exchange<'_>, id: &str) -> Option<Arc<Tenant>> {
    if let Some(t) = control_token(ex).filter(|t| t.meeting.as_deref() == Some(id)) {
        if let Some(tenant) = ex.app.store.tenant(HW, &t.tenant) {
            return Some(tenant);
        }
    }
    let list = holders(&ex.app.store, id);
    let access = ex.header("x-access-token").unwrap_or("").trim();
    let hint = live_token(ex, access)
        .filter(|t| t.kind == TokenKind::User)
        .map(|t| t.tenant.clone());
    list.iter()
        .find(|t| Some(&t.id) == hint.as_ref())
        .or_else(|| list.first())
        .cloned()
}
