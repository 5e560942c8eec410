//! The URL-verification handshake: when a subscription's URL is set (admin API, a vendor
//! config endpoint, `POST /__admin/subscriptions/{id}/verify`), the vendor's challenge is sent
//! and the answer judged; the subscription is marked verified, or failed with the reason (and
//! then receives nothing until a handshake passes). A connection mode (long connection) is
//! verified when a client of the tenant is connected, as the console saves it only then.

use crate::app::App;
use crate::store::{Mode, Subscription, Verification};
use crate::vendors::events::{AttemptSeed, Timeouts};
use std::sync::Arc;

/// Runs the handshake of subscription `id` and records the result.
pub async fn verify(app: &App, id: &str) -> Result<Arc<Subscription>, String> {
    let sub = app
        .store
        .subscriptions
        .get(id)
        .ok_or_else(|| format!("no subscription {id:?}"))?;
    let (state, error) = handshake(app, &sub).await;
    let now = app.store.clock.now_ms();
    let (_, updated) = app
        .store
        .subscriptions
        .update(id, |s| {
            s.verification = state;
            s.verification_error = error;
            s.verified_at_ms = Some(now);
        })
        .map_err(|e| e.to_string())?;
    app.persist.touch();
    app.events.wake();
    Ok(updated)
}

async fn handshake(app: &App, sub: &Subscription) -> (Verification, Option<String>) {
    let Some(format) = app.vendor(sub.vendor).events() else {
        return (
            Verification::Failed,
            Some(format!("{} has no event format", sub.vendor)),
        );
    };
    if sub.mode != Mode::Webhook {
        // A connection mode is saved only while a client is online (Feishu: "应用未建立长连接").
        return match format.live() {
            Some(_) if app.events.live.count(sub.vendor, &sub.tenant) > 0 => {
                (Verification::Verified, None)
            }
            Some(p) => (Verification::Failed, Some(p.offline(&sub.tenant))),
            None => (
                Verification::Failed,
                Some(format!("{} has no {} mode", sub.vendor, sub.mode.as_str())),
            ),
        };
    }
    let ids = &app.events.ids;
    let challenge = format!("{:016x}{:016x}", ids.next(), ids.next());
    let seed = AttemptSeed {
        at_ms: app.store.clock.now_ms(),
        seed: ids.next(),
    };
    let Some(out) = format.handshake(sub, &challenge, seed) else {
        return (Verification::Verified, None);
    };
    let limit = format.handshake_timeout();
    let timeouts = Timeouts {
        connect: format.timeouts().connect.min(limit),
        total: limit,
    };
    let sent = app
        .events
        .webhook
        .post(
            &sub.url,
            &out,
            format.header_case(),
            timeouts,
            sub.ca_pem.as_deref(),
        )
        .await;
    match (sent.status, sent.error) {
        (Some(status), None) => match format.handshake_check(sub, &challenge, status, &sent.body) {
            Ok(()) => (Verification::Verified, None),
            Err(why) => (Verification::Failed, Some(why)),
        },
        (_, Some(e)) => (Verification::Failed, Some(e)),
        (None, None) => (
            Verification::Failed,
            Some("no answer to the handshake".into()),
        ),
    }
}

impl crate::events::Engine {
    /// Runs the handshake of subscription `id` now (admin API) and records the result. It runs
    /// in its own task, so it completes (and the subscription never stays `checking`) even if
    /// the caller goes away.
    pub async fn verify(&self, app: &Arc<App>, id: &str) -> Result<Arc<Subscription>, String> {
        let (app, id) = (Arc::clone(app), id.to_string());
        tokio::spawn(async move { verify(&app, &id).await })
            .await
            .map_err(|e| format!("handshake task failed: {e}"))?
    }
}
