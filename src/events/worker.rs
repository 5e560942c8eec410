//! The delivery worker: one task that pumps changes into the outbox, starts handshakes and
//! sends due deliveries, each send in its own task (so a hanging receiver holds only its own
//! meeting's queue), then sleeps until the next retry is due on the server clock or something
//! wakes it (a change, a finished send, a clock advance, a subscription change).

use super::delivery::{keep, Attempt};
use super::outbox::{Job, SubState, Verdict};
use super::webhook::DEAD_URL;
use super::{Engine, MAX_IN_FLIGHT};
use crate::app::App;
use crate::faults::{DeliveryDecision, DeliveryFault, DeliveryInput};
use crate::store::{Mode, Subscription, Verification};
use crate::vendors::events::{AttemptSeed, EventFormat};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How long the worker sleeps with nothing due (it is woken for anything that matters).
const IDLE: Duration = Duration::from_secs(60);

/// Whether each subscription may receive now.
fn sub_state(subs: &BTreeMap<String, Arc<Subscription>>, id: &str) -> SubState {
    match subs.get(id) {
        None => SubState::Gone,
        Some(s) if s.active() => SubState::Active,
        Some(_) => SubState::Inactive,
    }
}

/// Starts the worker; it stops when `shutdown` flips.
pub fn spawn(app: Arc<App>, mut shutdown: watch::Receiver<bool>) {
    tokio::spawn(async move {
        loop {
            let sleep = turn(&app);
            let e = &app.events;
            tokio::select! {
                _ = e.wake.notified() => {}
                _ = app.store.subscriptions.changed() => {}
                _ = tokio::time::sleep(sleep) => {}
                _ = shutdown.changed() => return,
            }
        }
    });
}

/// One turn: pump, handshakes, sends; returns how long to sleep.
fn turn(app: &Arc<App>) -> Duration {
    let e: &Engine = &app.events;
    e.pump(app);
    start_handshakes(app);
    let clock = &app.store.clock;
    let now = clock.now_ms();
    let subs = app.store.subscriptions.snapshot();
    let state = |id: &str| sub_state(&subs, id);
    let (jobs, next) = {
        let mut o = e.outbox.lock();
        o.unpark(now, state);
        let room = MAX_IN_FLIGHT.saturating_sub(o.in_flight());
        let jobs = o.take_due(now, room, state);
        (jobs, o.next_due())
    };
    for job in jobs {
        tokio::spawn(send(Arc::clone(app), job));
    }
    match next {
        // A frozen clock only moves when advanced, and an advance wakes the worker.
        Some(due) if due > now && !clock.is_frozen() => {
            Duration::from_millis((due - now) as u64).min(IDLE)
        }
        _ => IDLE,
    }
}

/// Runs the handshake of every subscription a vendor config endpoint left `pending`.
fn start_handshakes(app: &Arc<App>) {
    let subs = &app.store.subscriptions;
    for s in subs.all() {
        if s.verification != Verification::Pending {
            continue;
        }
        let claimed = subs.update(&s.id, |x| {
            let mine = x.verification == Verification::Pending;
            if mine {
                x.verification = Verification::Checking;
            }
            mine
        });
        if let Ok((true, _)) = claimed {
            let app = Arc::clone(app);
            let id = s.id.clone();
            tokio::spawn(async move {
                let _ = super::verify::verify(&app, &id).await;
            });
        }
    }
}

/// Sends one delivery (the decided fault applied) and records how it went.
async fn send(app: Arc<App>, job: Job) {
    let (attempts, verdict) = attempt(&app, &job).await;
    let now = app.store.clock.now_ms();
    let e = &app.events;
    e.outbox
        .lock()
        .complete(job.generation, job.id, attempts, verdict, now);
    // The outbox changed without a request: `--state-file` should look.
    app.persist.touch();
    e.wake();
}

async fn attempt(app: &App, job: &Job) -> (Vec<Attempt>, Verdict) {
    let d = &job.delivery;
    let Some(sub) = app.store.subscriptions.get(&d.subscription) else {
        return (vec![], Verdict::Dropped("subscription removed".into()));
    };
    let Some(format) = app.vendor(d.vendor).events() else {
        return (
            vec![],
            Verdict::Dropped(format!("{} has no event format", d.vendor)),
        );
    };
    let decision = app.faults.check_delivery(&DeliveryInput {
        vendor: d.vendor,
        tenant: &d.tenant,
        meeting: &d.meeting,
        event_type: &d.event_type,
        payload: d.payload.as_bytes(),
        can_reorder: job.can_reorder,
    });
    let fault = decision.as_ref().map(|x| x.fault);
    let label = decision.as_ref().map(label);
    if let Some(ms) = decision.as_ref().map(|x| x.delay_ms).filter(|ms| *ms > 0.0) {
        tokio::time::sleep(Duration::from_secs_f64(ms / 1000.0)).await;
    }
    match fault {
        Some(DeliveryFault::Drop) => {
            let why = format!("dropped by fault rule {}", label.unwrap_or_default());
            return (vec![], Verdict::Dropped(why));
        }
        Some(DeliveryFault::Reorder) => return (vec![], Verdict::Reorder),
        _ => {}
    }
    let first = once(app, format, &sub, job, fault, label.clone()).await;
    let ok = first.ok;
    let error = first.error.clone();
    let mut attempts = vec![first];
    if ok && fault == Some(DeliveryFault::Duplicate) {
        attempts.push(once(app, format, &sub, job, fault, label).await);
    }
    if ok {
        return (attempts, Verdict::Delivered);
    }
    let now = app.store.clock.now_ms();
    // The window counts from the first attempt ever made (this one, if it is the first).
    let first = d.attempts.first().map_or(now, |a| a.seed.at_ms);
    let next = format
        .retry_wait(&sub, job.failures)
        .map(|wait| now + wait.as_millis() as i64);
    let verdict = match (next, format.retry_window()) {
        (Some(at), Some(w)) if at - first > w.as_millis() as i64 => Verdict::Failed(format!(
            "gave up: no retry is due within {} h of the first attempt; last: {}",
            w.as_secs() / 3600,
            error.unwrap_or_default()
        )),
        (Some(at_ms), _) => Verdict::Retry { at_ms },
        (None, _) => Verdict::Failed(format!(
            "gave up after {} retries; last: {}",
            job.failures,
            error.unwrap_or_default()
        )),
    };
    (attempts, verdict)
}

fn label(d: &DeliveryDecision) -> String {
    let kind = match d.fault {
        DeliveryFault::Drop => "drop",
        DeliveryFault::Duplicate => "duplicate",
        DeliveryFault::Reorder => "reorder",
        DeliveryFault::CorruptSignature => "corrupt_signature",
        DeliveryFault::DeadUrl => "dead_url",
        DeliveryFault::DelayOnly => "delay",
    };
    format!("{} ({kind})", d.rule)
}

/// One POST of the delivery, freshly encoded (new timestamp, nonce and IV).
async fn once(
    app: &App,
    format: &'static dyn EventFormat,
    sub: &Subscription,
    job: &Job,
    fault: Option<DeliveryFault>,
    label: Option<String>,
) -> Attempt {
    if sub.mode != Mode::Webhook {
        return super::live::once(app, format, sub, job, fault, label).await;
    }
    let seed = AttemptSeed {
        at_ms: app.store.clock.now_ms(),
        seed: app.events.ids.next(),
    };
    let mut out = format.encode(sub, job.delivery.payload.as_bytes(), seed);
    if fault == Some(DeliveryFault::CorruptSignature) {
        format.corrupt_signature(&mut out);
    }
    let base = if fault == Some(DeliveryFault::DeadUrl) {
        DEAD_URL
    } else {
        sub.url.as_str()
    };
    let case = format.header_case();
    let sent = app
        .events
        .webhook
        .post(
            base,
            &out,
            case,
            format.delivery_timeouts(sub),
            sub.ca_pem.as_deref(),
        )
        .await;
    let error = match (sent.error, sent.status) {
        (Some(e), _) => Some(e),
        (None, Some(s)) => format.reply_check(sub, s, &sent.body).err(),
        (None, None) => Some("no answer".to_string()),
    };
    let ok = error.is_none();
    Attempt {
        n: job.n,
        seed,
        // With the query the transport appended (DingTalk's signature is there).
        url: out.url(base),
        headers: out
            .headers
            .iter()
            .map(|(k, v)| (wire_name(k, case), v.clone()))
            .collect(),
        body: keep(&out.body),
        status: sent.status,
        response: keep(&sent.body),
        error,
        latency_ms: sent.latency_ms,
        ok,
        fault: label,
    }
}

/// A header name as it went on the wire.
fn wire_name(name: &str, case: crate::vendors::events::HeaderCase) -> String {
    use crate::vendors::events::HeaderCase;
    match case {
        HeaderCase::Lower => name.to_ascii_lowercase(),
        HeaderCase::Title => name
            .split('-')
            .map(|w| {
                let mut c = w.chars();
                match c.next() {
                    Some(f) => {
                        f.to_ascii_uppercase().to_string() + &c.as_str().to_ascii_lowercase()
                    }
                    None => String::new(),
                }
            })
            .collect::<Vec<_>>()
            .join("-"),
    }
}
