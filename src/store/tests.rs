//! The change stream end to end inside the store: meeting methods record, the tenant's lock
//! publishes, sinks see every change in order with its summary and operator.

use super::bus::acting_as;
use super::*;
use parking_lot::Mutex;
use std::collections::BTreeMap;
use std::sync::Arc;

type Seen = Arc<Mutex<Vec<Arc<Change>>>>;

fn store_with_tenant() -> (Store, Arc<Tenant>, Seen) {
    let store = Store::new(1, false);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink_seen = Arc::clone(&seen);
    store
        .changes
        .add_sink(Arc::new(move |c| sink_seen.lock().push(Arc::clone(c))));
    let t = store.put_tenant(Tenant::new(
        VendorId::Feishu,
        "app".into(),
        "secret".into(),
        BTreeMap::new(),
        Origin::Scenario,
    ));
    (store, t, seen)
}

fn meeting(id: &str) -> Meeting {
    Meeting {
        id: id.into(),
        creator: "host".into(),
        host: Some("host".into()),
        capacity: 10,
        ..Default::default()
    }
}

fn names(seen: &Mutex<Vec<Arc<Change>>>) -> Vec<&'static str> {
    seen.lock().iter().map(|c| c.kind.name()).collect()
}

#[test]
fn a_meeting_started_before_insertion_is_created_first_and_its_settings_are_not_updates() {
    let (_s, t, seen) = store_with_tenant();
    t.with(|d| {
        let mut m = meeting("m1");
        m.set_topic("Weekly".into());
        m.set_locked(true);
        m.start(10).unwrap();
        m.call("a", "A", ParticipantStatus::Calling).unwrap();
        d.insert_meeting(m).unwrap();
    });
    assert_eq!(
        names(&seen),
        ["meeting_created", "meeting_started", "participant_called"]
    );
    let c = &seen.lock()[0];
    assert_eq!(c.meeting.topic, "Weekly");
    assert!(c.meeting.locked);
    assert_eq!(
        c.meeting.seats_taken, 1,
        "the summary is taken after the operation"
    );
}

#[test]
fn a_call_rings_then_is_declined_and_frees_its_seat() {
    let (_s, t, seen) = store_with_tenant();
    t.with(|d| {
        let mut m = meeting("m1");
        m.start(1).unwrap();
        d.insert_meeting(m).unwrap();
    });
    t.with(|d| {
        let m = d.meeting_mut("m1").unwrap();
        m.call("a", "A", ParticipantStatus::Calling).unwrap();
    });
    t.with(|d| d.meeting_mut("m1").unwrap().ring("a").unwrap());
    t.with(|d| d.meeting_mut("m1").unwrap().decline("a", 5).unwrap());
    let seen = seen.lock();
    let tail: Vec<_> = seen.iter().skip(2).map(|c| c.kind.name()).collect();
    assert_eq!(
        tail,
        [
            "participant_called",
            "participant_ringing",
            "participant_declined"
        ]
    );
    let last = seen.last().unwrap();
    assert_eq!(last.meeting.seats_taken, 0);
    assert_eq!(
        last.kind.participant().unwrap().status,
        ParticipantStatus::Declined
    );
    let seqs: Vec<u64> = seen.iter().map(|c| c.seq).collect();
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1));
}

#[test]
fn answering_a_call_that_is_not_ringing_is_refused_and_records_nothing() {
    let (_s, t, seen) = store_with_tenant();
    t.with(|d| {
        let mut m = meeting("m1");
        m.start(1).unwrap();
        m.join("a", "A", 1).unwrap();
        d.insert_meeting(m).unwrap();
    });
    let n = seen.lock().len();
    let r = t.with(|d| d.meeting_mut("m1").unwrap().decline("a", 2));
    assert_eq!(r, Err(StoreError::NotInMeeting("a".into())));
    assert_eq!(seen.lock().len(), n);
}

#[test]
fn kicking_the_host_records_the_reason_and_the_lost_host() {
    let (_s, t, seen) = store_with_tenant();
    t.with(|d| {
        let mut m = meeting("m1");
        m.start(1).unwrap();
        m.join("host", "H", 1).unwrap();
        d.insert_meeting(m).unwrap();
    });
    seen.lock().clear();
    t.with(|d| d.meeting_mut("m1").unwrap().kick("host", 3).unwrap());
    let seen = seen.lock();
    assert_eq!(seen[0].kind.name(), "participant_left");
    assert!(matches!(
        seen[0].kind,
        ChangeKind::ParticipantLeft {
            reason: change::LeaveReason::Kicked,
            ..
        }
    ));
    assert_eq!(
        seen[1].kind,
        ChangeKind::HostChanged {
            from: Some("host".into()),
            to: None
        }
    );
}

#[test]
fn ending_a_meeting_leaves_the_joined_and_misses_the_ringing() {
    let (_s, t, seen) = store_with_tenant();
    t.with(|d| {
        let mut m = meeting("m1");
        m.start(1).unwrap();
        m.join("a", "A", 1).unwrap();
        m.call("b", "B", ParticipantStatus::Ringing).unwrap();
        d.insert_meeting(m).unwrap();
    });
    seen.lock().clear();
    t.with(|d| d.meeting_mut("m1").unwrap().expire(9).unwrap());
    assert_eq!(
        names(&seen),
        ["participant_left", "participant_missed", "meeting_ended"]
    );
    assert!(matches!(
        seen.lock()[2].kind,
        ChangeKind::MeetingEnded {
            reason: change::EndReason::Expired
        }
    ));
}

#[test]
fn the_operator_comes_from_the_request_scope_unless_the_handler_names_one() {
    let (_s, t, seen) = store_with_tenant();
    t.with(|d| d.insert_meeting(meeting("m1")).unwrap());
    acting_as(Some("ou_1"), || {
        t.with(|d| d.meeting_mut("m1").unwrap().set_locked(true));
        t.with(|d| {
            d.act_as(Some("ou_2".into()));
            d.meeting_mut("m1").unwrap().set_locked(false);
        });
    });
    t.with(|d| d.meeting_mut("m1").unwrap().set_locked(true));
    let ops: Vec<Option<String>> = seen.lock().iter().map(|c| c.operator.clone()).collect();
    assert_eq!(ops, [None, Some("ou_1".into()), Some("ou_2".into()), None]);
}

#[test]
fn a_copy_changed_and_replaced_publishes_its_changes_and_a_discarded_copy_none() {
    let (_s, t, seen) = store_with_tenant();
    t.with(|d| d.insert_meeting(meeting("m1")).unwrap());
    t.with(|d| {
        let mut m = d.meeting("m1").unwrap().clone();
        m.set_topic("Changed".into());
        m.set_schedule(0, 3600);
        d.replace_meeting(m);
        let mut discarded = d.meeting("m1").unwrap().clone();
        discarded.set_topic("Never".into());
    });
    let seen = seen.lock();
    assert_eq!(seen.len(), 2);
    assert_eq!(
        seen[1].kind,
        ChangeKind::MeetingUpdated {
            fields: vec!["topic".into(), "end_time".into()]
        }
    );
}

#[test]
fn an_invite_of_many_is_one_invitees_set_with_exact_counts() {
    let (_s, t, seen) = store_with_tenant();
    t.with(|d| d.insert_meeting(meeting("m1")).unwrap());
    t.with(|d| {
        let m = d.meeting_mut("m1").unwrap();
        for i in 0..250 {
            m.add_invitees([Invitee {
                user_id: format!("u{i}"),
                ..Default::default()
            }]);
        }
    });
    let seen = seen.lock();
    assert_eq!(seen.len(), 2);
    match &seen[1].kind {
        ChangeKind::InviteesSet {
            added,
            added_count,
            total,
            ..
        } => {
            assert_eq!(added.len(), change::LISTED_IDS);
            assert_eq!(*added_count, 250);
            assert_eq!(*total, 250);
        }
        other => panic!("not invitees_set: {other:?}"),
    }
}

#[test]
fn seeding_and_tenants_built_aside_publish_nothing() {
    let (store, t, seen) = store_with_tenant();
    t.with(|d| d.seed_meeting(meeting("m1")));
    let aside = Tenant::new(
        VendorId::Feishu,
        "other".into(),
        "s".into(),
        BTreeMap::new(),
        Origin::Scenario,
    );
    aside.with(|d| d.insert_meeting(meeting("m2")).unwrap());
    assert!(seen.lock().is_empty());
    assert_eq!(store.changes.last_seq(), 0);
}

#[test]
fn a_reusable_schedule_opens_one_meeting_at_a_time() {
    let mut d = TenantData::default();
    d.insert_meeting(Meeting {
        id: "r".into(),
        code: "123".into(),
        creator: "h".into(),
        host: Some("h".into()),
        ..Default::default()
    })
    .unwrap();
    let m1 = d.start_meeting("r", 5, Some("m1".into())).unwrap();
    assert_eq!(m1, "m1");
    assert_eq!(d.meeting("r").unwrap().state, MeetingState::Scheduled);
    let m = d.meeting("m1").unwrap();
    assert_eq!(
        (m.state, m.code.as_str()),
        (MeetingState::InProgress, "123")
    );
    assert_eq!(m.opened_from.as_deref(), Some("r"));
    assert!(
        d.start_meeting("r", 6, Some("m2".into())).is_err(),
        "one at a time"
    );
    d.meeting_mut("m1").unwrap().end(7).unwrap();
    d.start_meeting("r", 8, Some("m2".into())).unwrap();
    assert_eq!(d.opened_from("r").count(), 2);
    // without a new id the meeting itself starts
    assert_eq!(d.start_meeting("r", 9, None).unwrap(), "r");
}

#[test]
fn held_arrivals_withdrawn_calls_and_returns_are_told_apart_on_the_stream() {
    let (_s, t, seen) = store_with_tenant();
    t.with(|d| {
        let mut m = meeting("m1");
        m.start(1).unwrap();
        d.insert_meeting(m).unwrap();
    });
    seen.lock().clear();
    t.with(|d| {
        let m = d.meeting_mut("m1").unwrap();
        m.join("a", "A", 2).unwrap();
        m.leave("a", 3).unwrap();
        m.join("a", "A", 4).unwrap();
        m.set_waiting_room(true);
        m.enter("w", "Wanda", 5).unwrap();
        m.set_waiter_id("w", "pid-w".into());
        m.call("r", "R", ParticipantStatus::Calling).unwrap();
        m.miss("r", 6).unwrap();
        m.call("h", "H", ParticipantStatus::Ringing).unwrap();
        m.leave("h", 7).unwrap();
    });
    let seen = seen.lock();
    let joins: Vec<bool> = seen
        .iter()
        .filter_map(|c| match &c.kind {
            ChangeKind::ParticipantJoined { participant } => Some(participant.rejoined),
            _ => None,
        })
        .collect();
    assert_eq!(joins, [false, true], "the second join of `a` is a return");
    let waiting = seen
        .iter()
        .find_map(|c| match &c.kind {
            ChangeKind::ParticipantWaiting { participant } => Some(participant.clone()),
            _ => None,
        })
        .expect("a participant_waiting change");
    assert_eq!(
        (waiting.user_id.as_str(), waiting.name.as_str()),
        ("w", "Wanda")
    );
    assert_eq!(waiting.participant_id, "pid-w", "filled in at publication");
    let missed: Vec<(String, bool)> = seen
        .iter()
        .filter_map(|c| match &c.kind {
            ChangeKind::ParticipantMissed {
                participant,
                cancelled,
            } => Some((participant.user_id.clone(), *cancelled)),
            _ => None,
        })
        .collect();
    assert_eq!(
        missed,
        [("r".to_string(), false), ("h".to_string(), true)],
        "rung out vs hung up by the calling side"
    );
}
