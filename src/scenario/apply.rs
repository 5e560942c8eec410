//! Writing validated scenarios into the running server: tenants, users, meetings, invitee
//! behaviours, event subscriptions, rate-limit modes and fault rules.

use crate::app::App;
use crate::scenario::Scenario;
use crate::store::declaration::Declaration;
use crate::store::{
    Meeting, MeetingState, Origin, ParticipantStatus, Subscription, Tenant, User, VendorId,
};
use std::collections::BTreeMap;

/// A tenant ready to be seeded.
#[derive(Debug, Clone)]
pub struct TenantSeed {
    pub vendor: VendorId,
    pub id: String,
    pub secret: String,
    pub credentials: BTreeMap<String, String>,
    pub users: Vec<User>,
    pub meetings: Vec<Meeting>,
    /// Invitee behaviour declarations, resolved against `users` and `meetings`.
    pub behaviours: Vec<Declaration>,
    /// Vendor-owned tenant settings.
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// Validated event subscriptions.
    pub subscriptions: Vec<Subscription>,
}

/// Applies one scenario: its tenants replace tenants of the same id (with their behaviour
/// declarations; calls planned in the old tenant are dropped), its rate-limit modes and fault
/// rules replace the previous ones for what they name.
pub fn apply(app: &App, scenario: &Scenario) {
    let now = app.store.clock.now_secs();
    for seed in &scenario.tenants {
        let tenant = Tenant::new(
            seed.vendor,
            seed.id.clone(),
            seed.secret.clone(),
            seed.credentials.clone(),
            Origin::Scenario,
        );
        let t = app.store.put_tenant(tenant);
        app.store.living.forget_tenant(seed.vendor, &seed.id);
        app.store
            .living
            .declare_tenant(seed.vendor, &seed.id, seed.behaviours.clone());
        for u in &seed.users {
            // Huawei accounts log in by account name: index it as a credential.
            if u.password.is_some() {
                app.store.index_credential(seed.vendor, &u.id, &seed.id);
                for alias in u.aliases.values() {
                    app.store.index_credential(seed.vendor, alias, &seed.id);
                }
            }
        }
        t.with(|data| {
            data.extra = seed.extra.clone();
            for u in &seed.users {
                data.put_user(u.clone());
            }
            for m in &seed.meetings {
                let mut m = m.clone();
                resolve_defaults(app, &mut m, now, |id| {
                    data.user(id).map(|u| u.name.clone()).unwrap_or_default()
                });
                data.seed_meeting(m);
            }
        });
        for sub in &seed.subscriptions {
            app.store.subscriptions.put(sub.clone());
        }
    }
    for (vendor, mode) in &scenario.rate_limits {
        app.limiter.set_mode(*vendor, Some(mode.clone()));
    }
    app.faults.add_all(scenario.faults.clone());
}

/// Fills what a scenario may leave out: meeting code, times, the host joined in a running
/// meeting, participant ids and names.
fn resolve_defaults(app: &App, m: &mut Meeting, now: i64, name_of: impl Fn(&str) -> String) {
    if m.code.is_empty() {
        m.code = app.store.ids.digits(9);
    }
    if m.start_time == 0 {
        m.start_time = now;
    }
    if m.end_time == 0 {
        m.end_time = m.start_time + 3600;
    }
    m.created_at = now;
    match m.state {
        MeetingState::InProgress => {
            m.started_at.get_or_insert(now);
            if let Some(host) = m.host.clone() {
                if m.participant(&host).is_none() {
                    let name = name_of(&host);
                    // A seeded running meeting has its host in it unless told otherwise.
                    let _ = m.join(&host, &name, now);
                }
            }
        }
        MeetingState::Ended | MeetingState::Cancelled => {
            m.ended_at.get_or_insert(now);
        }
        MeetingState::Scheduled => {}
    }
    for p in &mut m.participants {
        if p.participant_id.is_empty() {
            p.participant_id = app.store.ids.hex(32);
        }
        if p.name.is_empty() {
            p.name = name_of(&p.user_id);
        }
        if p.status == ParticipantStatus::Joined && p.joined_at.is_none() {
            p.joined_at = Some(now);
        }
    }
    for i in &mut m.invitees {
        if i.name.is_empty() {
            i.name = name_of(&i.user_id);
        }
    }
}
