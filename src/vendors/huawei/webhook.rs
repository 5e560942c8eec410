//! Huawei push-configuration endpoints (企业级会议事件推送配置): SetWebHookConfig (`POST
//! /v1/mmc/management/webhook/link-config`), ShowWebHookConfig (`GET …/link-config`),
//! UpdateWebHookConfigStatus (`PUT /v1/mmc/management/webhook/change-status?id=&status=`) and
//! DeleteWebHookConfig (`DELETE …/link-config?id=`), with `X-Access-Token` (pages
//! zh-cn_topic_0000001200922862, …1245922647, …1201082838; SDK models WebHookConfigRequest,
//! ShowWebHookConfigResponse; notes `shared/vendors/huawei-events.md` §2.1).
//!
//! The configuration is the enterprise's event subscription, kept in the store
//! (`store::Subscription`; format in `events.rs`): one per enterprise, id 32 hex. A new one is
//! disabled (status 1, as the docs' query example shows). Enabling (status 0) sends
//! `meeting.verify` to the URL — the delivery engine runs the handshake the store asks for —
//! and the call answers when the receiver has: 200 on the documented echo, else the
//! configuration stays disabled and the call fails. Disabling (1) and locking (2) stop pushes.
//!
//! Checks: a body that is not JSON, a missing `subscriberId`, `subscriberKey` or `url`, a URL
//! that is not `https://` ("必须使用HTTPS"), a missing `id` or a `status` outside 0–2:
//! MMC.111070001. An `id` the enterprise has no configuration under: MMC.111070005.
// DEVIATION: a failed `meeting.verify` answers 500 `MMC.100000501 WEBHOOK_VERIFY_FAILED`; the
// docs say only that enabling fails (the page lists 500 among its statuses, no code).
// ShowWebHookConfig with nothing configured answers 200 `{}` (not documented).

use super::errors::{fail, ok, ok_empty};
use super::events::{self as fmt, HuaweiEvents, APP_ID, CORP_ID, KEY, SP_ID, STATUS};
use crate::exchange::{Exchange, Reply};
use crate::store::{Mode, Subscription, SubscriptionOrigin, Subscriptions, VendorId, Verification};
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// How long the enabling call waits for its handshake (the receiver has 5 s to answer).
const VERIFY_WAIT: Duration = Duration::from_secs(15);

/// WebHookConfigRequest.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConfigBody {
    corp_id: Option<String>,
    sp_id: Option<String>,
    subscriber_id: Option<String>,
    subscriber_key: Option<String>,
    url: Option<String>,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// An `https://` URL with a host ("订阅url。必须使用HTTPS").
fn https(url: &str) -> bool {
    url::Url::parse(url)
        .is_ok_and(|u| u.scheme() == "https" && u.host_str().is_some_and(|h| !h.is_empty()))
}

/// The enterprise's configuration (its Huawei subscription), if any.
fn current(ex: &Exchange<'_>, tenant: &str) -> Option<Arc<Subscription>> {
    ex.app
        .store
        .subscriptions
        .of_tenant(VendorId::Huawei, tenant)
        .into_iter()
        .next()
}

/// The enterprise's configuration with this id.
fn by_id(ex: &Exchange<'_>, tenant: &str, id: &str) -> Option<Arc<Subscription>> {
    ex.app
        .store
        .subscriptions
        .get(id)
        .filter(|s| s.vendor == VendorId::Huawei && s.tenant == tenant)
}

/// POST /v1/mmc/management/webhook/link-config — SetWebHookConfig.
pub fn set_web_hook_config(ex: &mut Exchange<'_>) -> Reply {
    let Some(p) = ex.principal.clone() else {
        return fail("token_invalid");
    };
    let Ok(body) = ex.json::<ConfigBody>() else {
        return fail("conf_bad_request");
    };
    let (Some(app_id), Some(key), Some(url)) = (
        given(&body.subscriber_id),
        given(&body.subscriber_key),
        given(&body.url),
    ) else {
        return fail("conf_bad_request");
    };
    if !https(url) {
        return fail("conf_bad_request");
    }
    let old = current(ex, &p.tenant.id);
    let mut settings = BTreeMap::from([(APP_ID.to_string(), json!(app_id))]);
    for (name, v) in [(CORP_ID, &body.corp_id), (SP_ID, &body.sp_id)] {
        if let Some(v) = given(v) {
            settings.insert(name.to_string(), json!(v));
        }
    }
    // The same receiver, id and key keep their status; anything else must be enabled again.
    let same = old.as_ref().is_some_and(|o| {
        o.url == url && o.secret(KEY) == Some(key) && fmt::text_setting(o, APP_ID) == app_id
    });
    let status = match &old {
        Some(o) if same => fmt::status(o).unwrap_or(1),
        _ => 1,
    };
    settings.insert(STATUS.to_string(), json!(status));
    let sub = Subscription {
        id: old
            .as_ref()
            .map_or_else(|| ex.app.store.secrets.hex(32), |o| o.id.clone()),
        vendor: VendorId::Huawei,
        tenant: p.tenant.id.clone(),
        mode: Mode::Webhook,
        url: url.to_string(),
        secrets: BTreeMap::from([(KEY.to_string(), key.to_string())]),
        settings,
        types: old.as_ref().map(|o| o.types.clone()).unwrap_or_default(),
        paused: status != 0,
        ca_pem: old.as_ref().and_then(|o| o.ca_pem.clone()),
        verification: match &old {
            Some(o) if same => o.verification,
            _ => Verification::Unchecked,
        },
        verification_error: None,
        verified_at_ms: old.as_ref().and_then(|o| o.verified_at_ms),
        origin: old
            .as_ref()
            .map_or(SubscriptionOrigin::Vendor, |o| o.origin),
    };
    if crate::vendors::events::validate(&HuaweiEvents, &sub).is_err() {
        return fail("conf_bad_request");
    }
    ex.app.store.subscriptions.put(sub);
    ex.app.persist.touch();
    ok_empty()
}

/// GET /v1/mmc/management/webhook/link-config — ShowWebHookConfig.
pub fn show_web_hook_config(ex: &mut Exchange<'_>) -> Reply {
    let Some(p) = ex.principal.clone() else {
        return fail("token_invalid");
    };
    match current(ex, &p.tenant.id) {
        None => ok(&json!({})),
        Some(s) => ok(&json!({
            "id": s.id,
            "subscriberId": fmt::text_setting(&s, APP_ID),
            "url": s.url,
            "status": fmt::status(&s).unwrap_or(0),
        })),
    }
}

/// PUT /v1/mmc/management/webhook/change-status — UpdateWebHookConfigStatus.
pub fn update_web_hook_config_status(ex: &mut Exchange<'_>) -> Reply {
    let Some(p) = ex.principal.clone() else {
        return fail("token_invalid");
    };
    let id = ex.query("id").unwrap_or_default();
    let status = match ex.query("status").as_deref() {
        Some("0") => 0,
        Some("1") => 1,
        Some("2") => 2,
        _ => return fail("conf_bad_request"),
    };
    if id.is_empty() {
        return fail("conf_bad_request");
    }
    let Some(sub) = by_id(ex, &p.tenant.id, &id) else {
        return fail("conf_data_not_found");
    };
    let subs = Arc::clone(&ex.app.store.subscriptions);
    if status != 0 {
        let _ = subs.update(&id, |s| {
            s.settings.insert(STATUS.to_string(), json!(status));
            s.paused = true;
        });
        ex.app.persist.touch();
        return ok_empty();
    }
    if fmt::enabled(&sub) && sub.verification.allows_delivery() {
        return ok_empty();
    }
    // Watch before asking, so the handshake's outcome cannot be missed.
    let feed = subs.watch();
    if subs
        .update(&id, |s| {
            s.verification = Verification::Pending;
            s.verification_error = None;
        })
        .is_err()
    {
        return fail("conf_data_not_found");
    }
    // Its own task: the outcome is recorded even if the caller goes away.
    let outcome = tokio::spawn(enable_when_verified(subs, id, feed));
    ex.answer_later(
        async move {
            match outcome.await {
                Ok(true) => ok_empty(),
                _ => fail("webhook_verify_failed"),
            }
        },
        fail("webhook_verify_failed"),
    )
}

/// Waits for the handshake of `id`; enables the configuration when it passed.
async fn enable_when_verified(
    subs: Arc<Subscriptions>,
    id: String,
    mut feed: tokio::sync::watch::Receiver<u64>,
) -> bool {
    let deadline = tokio::time::Instant::now() + VERIFY_WAIT;
    loop {
        match subs.get(&id).map(|s| s.verification) {
            None | Some(Verification::Failed) => return false,
            Some(Verification::Verified) => {
                return subs
                    .update(&id, |s| {
                        s.settings.insert(STATUS.to_string(), json!(0));
                        s.paused = false;
                    })
                    .is_ok();
            }
            Some(_) => {}
        }
        match tokio::time::timeout_at(deadline, feed.changed()).await {
            Ok(Ok(())) => {}
            _ => {
                let _ = subs.update(&id, |s| {
                    if matches!(s.verification, Verification::Pending) {
                        s.verification = Verification::Failed;
                        s.verification_error = Some("meeting.verify was never sent".into());
                    }
                });
                return false;
            }
        }
    }
}

/// DELETE /v1/mmc/management/webhook/link-config — DeleteWebHookConfig.
pub fn delete_web_hook_config(ex: &mut Exchange<'_>) -> Reply {
    let Some(p) = ex.principal.clone() else {
        return fail("token_invalid");
    };
    let id = ex.query("id").unwrap_or_default();
    if id.is_empty() {
        return fail("conf_bad_request");
    }
    if by_id(ex, &p.tenant.id, &id).is_none() {
        return fail("conf_data_not_found");
    }
    let _ = ex.app.store.subscriptions.remove(&id);
    ex.app.persist.touch();
    ok_empty()
}
