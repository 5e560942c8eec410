//! Unit tests of the scheduler on a bare store with a frozen clock.

use super::*;
use crate::store::behaviour::{BehaviourSpec, OutcomeSpec};
use crate::store::latency::DelaySpec;
use crate::store::{Meeting, Origin, Tenant, User};
use std::collections::BTreeMap;

const T0: i64 = 1_900_000_000_000;

fn store() -> Store {
    let s = Store::new(7, false);
    s.clock.freeze(Some(T0));
    let t = s.put_tenant(Tenant::new(
        VendorId::Dingtalk,
        "app".into(),
        "secret".into(),
        BTreeMap::new(),
        Origin::Scenario,
    ));
    t.with(|d| {
        for id in ["host", "bob", "carol"] {
            d.put_user(User {
                id: id.into(),
                name: id.to_uppercase(),
                phone: Some(format!("+86{}", id.len())),
                ..Default::default()
            });
        }
        let mut m = Meeting {
            id: "m1".into(),
            creator: "host".into(),
            host: Some("host".into()),
            capacity: 10,
            ..Default::default()
        };
        m.start(T0 / 1000).unwrap();
        m.join("host", "HOST", T0 / 1000).unwrap();
        d.seed_meeting(m);
    });
    s
}

fn spec(outcome: &str) -> BehaviourSpec {
    BehaviourSpec {
        user: None,
        number: None,
        meeting: None,
        alert: None,
        ring: Some(DelaySpec::Fixed(3000.0)),
        outcome: OutcomeSpec::One(outcome.into()),
        stay: None,
        ring_timeout_ms: None,
    }
}

fn declare(s: &Store, spec: BehaviourSpec) {
    let d = Declaration::resolve(
        VendorId::Dingtalk,
        "app",
        &spec,
        "<test>",
        |u| Some((u.to_string(), vec![u.to_string()])),
        |_| true,
    )
    .unwrap();
    s.living.declare(vec![d]);
}

fn call(s: &Store, who: &str) {
    let t = s.tenant(VendorId::Dingtalk, "app").unwrap();
    t.with(|d| {
        d.meeting_mut("m1")
            .unwrap()
            .call(who, "", ParticipantStatus::Calling)
            .map(|_| ())
    })
    .unwrap();
}

fn status(s: &Store, who: &str) -> ParticipantStatus {
    let t = s.tenant(VendorId::Dingtalk, "app").unwrap();
    t.with(|d| d.meeting("m1").unwrap().participant(who).unwrap().status)
}

fn advance(s: &Store, ms: i64) -> usize {
    s.clock.advance(ms);
    s.run_due()
}

fn kinds_since(s: &Store, seq: u64) -> Vec<(i64, &'static str)> {
    s.changes
        .since(seq, 100)
        .iter()
        .map(|c| (c.at_ms - T0, c.kind.name()))
        .collect()
}

#[test]
fn an_accepting_invitee_rings_joins_and_leaves_stamped_at_due_times() {
    let s = store();
    let mut b = spec("accept");
    b.stay = Some(DelaySpec::Fixed(10_000.0));
    declare(&s, b);
    let seq = s.changes.last_seq();
    call(&s, "bob");
    assert_eq!(advance(&s, 5_000), 2);
    assert_eq!(status(&s, "bob"), ParticipantStatus::Joined);
    assert_eq!(advance(&s, 10_000), 1);
    assert_eq!(status(&s, "bob"), ParticipantStatus::Left);
    assert_eq!(
        kinds_since(&s, seq),
        [
            (0, "participant_called"),
            (0, "participant_ringing"),
            (3_000, "participant_joined"),
            (13_000, "participant_left")
        ]
    );
    assert!(s.living.calls(true, |_| true).is_empty());
}

#[test]
fn nothing_declared_rings_out_after_the_vendor_timeout() {
    let s = store();
    call(&s, "bob");
    assert_eq!(advance(&s, 59_999), 1, "the reach step only");
    assert_eq!(status(&s, "bob"), ParticipantStatus::Calling);
    advance(&s, 1);
    assert_eq!(status(&s, "bob"), ParticipantStatus::Missed);
}

#[test]
fn a_busy_user_answers_busy_whatever_was_declared() {
    let s = store();
    declare(&s, spec("accept"));
    let t = s.tenant(VendorId::Dingtalk, "app").unwrap();
    t.with(|d| d.user_mut("carol").unwrap().busy = true);
    call(&s, "carol");
    advance(&s, 1);
    assert_eq!(status(&s, "carol"), ParticipantStatus::Busy);
    assert!(s.living.calls(true, |_| true).is_empty());
}

#[test]
fn a_manual_answer_cancels_the_plan_and_a_new_call_replaces_it() {
    let s = store();
    declare(&s, spec("decline"));
    call(&s, "bob");
    let t = s.tenant(VendorId::Dingtalk, "app").unwrap();
    t.with(|d| d.meeting_mut("m1").unwrap().join("bob", "", T0 / 1000))
        .unwrap();
    assert!(s.living.calls(true, |_| true).is_empty());
    advance(&s, 10_000);
    assert_eq!(status(&s, "bob"), ParticipantStatus::Joined);
    t.with(|d| d.meeting_mut("m1").unwrap().leave("bob", T0 / 1000))
        .unwrap();
    call(&s, "bob");
    let pending = s.living.calls(true, |_| true);
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].attempts, 2);
    advance(&s, 3_000);
    assert_eq!(status(&s, "bob"), ParticipantStatus::Declined);
}

#[test]
fn the_meeting_ending_cancels_pending_calls() {
    let s = store();
    declare(&s, spec("accept"));
    call(&s, "bob");
    let t = s.tenant(VendorId::Dingtalk, "app").unwrap();
    t.with(|d| d.meeting_mut("m1").unwrap().end(T0 / 1000))
        .unwrap();
    assert!(s.living.calls(true, |_| true).is_empty());
    assert_eq!(advance(&s, 10_000), 0);
    assert_eq!(status(&s, "bob"), ParticipantStatus::Missed);
}

#[test]
fn the_most_specific_declaration_wins() {
    let s = store();
    declare(&s, spec("decline"));
    let mut per_user = spec("busy");
    per_user.user = Some("bob".into());
    declare(&s, per_user);
    let mut per_meeting = spec("accept");
    per_meeting.meeting = Some("m1".into());
    declare(&s, per_meeting);
    let mut pair = spec("no_answer");
    pair.meeting = Some("m1".into());
    pair.user = Some("carol".into());
    declare(&s, pair);
    call(&s, "bob");
    call(&s, "carol");
    advance(&s, 5_000);
    assert_eq!(
        status(&s, "bob"),
        ParticipantStatus::Joined,
        "meeting beats user"
    );
    assert_eq!(
        status(&s, "carol"),
        ParticipantStatus::Ringing,
        "pair beats meeting"
    );
}

#[test]
fn calls_round_trip_through_their_export() {
    let s = store();
    declare(&s, spec("accept"));
    call(&s, "bob");
    let exported = s.living.calls(false, |_| true);
    s.living.clear_calls();
    assert!(s.living.calls(false, |_| true).is_empty());
    s.living.restore_calls(exported.clone());
    assert_eq!(s.living.calls(false, |_| true), exported);
    advance(&s, 3_000);
    assert_eq!(status(&s, "bob"), ParticipantStatus::Joined);
}
