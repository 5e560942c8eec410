//! Unit tests of the outbox: per-meeting order, capacity, retries, parking, reorder, history,
//! export/import.
//! Compiled only as outbox.rs's `#[cfg(test)] mod tests`.

use super::*;
use crate::store::VendorId;
use std::sync::Arc;

fn d(sub: &str, meeting: &str, n: u64) -> Delivery {
    Delivery {
        id: 0,
        event_id: format!("e{n}"),
        event_type: "t".into(),
        vendor: VendorId::Feishu,
        tenant: "cli".into(),
        subscription: sub.into(),
        meeting: meeting.into(),
        change_seq: n,
        created_at_ms: 0,
        payload: Arc::from("{}"),
        status: Status::Pending,
        failures: 0,
        next_at_ms: None,
        reordered: false,
        note: None,
        attempts: vec![],
    }
}

fn active(_: &str) -> SubState {
    SubState::Active
}

fn ids(jobs: &[Job]) -> Vec<u64> {
    jobs.iter().map(|j| j.id).collect()
}

#[test]
fn a_later_event_of_a_meeting_waits_for_the_earlier_one() {
    let mut o = Outbox::new(10);
    o.enqueue(d("s", "m1", 1), 0);
    o.enqueue(d("s", "m1", 2), 0);
    o.enqueue(d("s", "m2", 3), 0);
    let jobs = o.take_due(0, 10, active);
    assert_eq!(ids(&jobs), [1, 3], "only lane heads");
    assert!(jobs[0].can_reorder && !jobs[1].can_reorder);
    assert!(o.take_due(0, 10, active).is_empty());
    o.complete(0, 1, vec![], Verdict::Delivered, 5);
    assert_eq!(ids(&o.take_due(5, 10, active)), [2]);
    assert_eq!(o.counters.delivered, 1);
}

#[test]
fn a_retry_is_due_at_its_time_and_holds_the_lane() {
    let mut o = Outbox::new(10);
    o.enqueue(d("s", "m", 1), 0);
    o.enqueue(d("s", "m", 2), 0);
    o.take_due(0, 10, active);
    o.complete(0, 1, vec![], Verdict::Retry { at_ms: 15_000 }, 0);
    assert_eq!(o.next_due(), Some(15_000));
    assert!(o.take_due(14_999, 10, active).is_empty());
    let j = o.take_due(15_000, 10, active);
    assert_eq!((ids(&j), j[0].failures), (vec![1], 1));
    o.complete(0, 1, vec![], Verdict::Failed("gave up".into()), 20_000);
    assert_eq!(o.get(1).unwrap().status, Status::Failed);
    assert_eq!(ids(&o.take_due(20_000, 10, active)), [2]);
}

#[test]
fn a_full_outbox_drops_and_counts_new_deliveries() {
    let mut o = Outbox::new(2);
    assert!(o.enqueue(d("s", "m", 1), 0));
    assert!(o.enqueue(d("s", "m", 2), 0));
    assert!(!o.enqueue(d("s", "m", 3), 0));
    assert_eq!(o.counters.dropped_outbox_full, 1);
    assert_eq!(o.unfinished(), 2);
}

#[test]
fn history_keeps_at_most_capacity_finished_deliveries() {
    let mut o = Outbox::new(2);
    for n in 1..=5 {
        o.enqueue(d("s", &format!("m{n}"), n), 0);
        o.take_due(0, 10, active);
        o.complete(0, n, vec![], Verdict::Delivered, 0);
    }
    assert_eq!(o.count(&Filter::default()), 2);
    assert!(o.get(3).is_none() && o.get(5).is_some());
}

#[test]
fn inactive_subscriptions_park_and_removed_ones_drop() {
    let mut o = Outbox::new(10);
    o.enqueue(d("paused", "m", 1), 0);
    o.enqueue(d("gone", "m", 2), 0);
    let state = |s: &str| match s {
        "paused" => SubState::Inactive,
        _ => SubState::Gone,
    };
    assert!(o.take_due(0, 10, state).is_empty());
    assert_eq!(o.get(2).unwrap().status, Status::Dropped);
    o.unpark(1, |_| SubState::Inactive);
    assert_eq!(o.next_due(), None);
    o.unpark(1, active);
    assert_eq!(ids(&o.take_due(1, 10, active)), [1]);
}

#[test]
fn reorder_swaps_a_head_with_its_successor_once() {
    let mut o = Outbox::new(10);
    o.enqueue(d("s", "m", 1), 0);
    o.enqueue(d("s", "m", 2), 0);
    o.take_due(0, 10, active);
    o.complete(0, 1, vec![], Verdict::Reorder, 0);
    let j = o.take_due(0, 10, active);
    assert_eq!(ids(&j), [2]);
    assert!(!j[0].can_reorder, "the successor is never swapped back");
    o.complete(0, 2, vec![], Verdict::Delivered, 0);
    let j = o.take_due(0, 10, active);
    assert_eq!(ids(&j), [1]);
    assert!(!j[0].can_reorder);
}

#[test]
fn clear_ignores_completions_of_earlier_sends_and_keeps_counting_ids() {
    let mut o = Outbox::new(10);
    o.enqueue(d("s", "m", 1), 0);
    let j = o.take_due(0, 10, active);
    o.clear();
    o.complete(j[0].generation, 1, vec![], Verdict::Delivered, 0);
    assert_eq!(o.counters.delivered, 0);
    o.enqueue(d("s", "m", 2), 0);
    assert!(o.get(2).is_some(), "ids continue after a clear");
}

#[test]
fn export_and_import_keep_lane_order_retry_times_and_ids() {
    let mut o = Outbox::new(10);
    o.enqueue(d("s", "m", 1), 0);
    o.enqueue(d("s", "m", 2), 0);
    o.take_due(0, 10, active);
    o.complete(0, 1, vec![], Verdict::Retry { at_ms: 15_000 }, 0);
    let state = o.export();
    assert_eq!(state.deliveries.len(), 2);
    let mut p = Outbox::new(10);
    p.import(state.clone(), 100);
    assert_eq!(p.export(), state);
    assert!(p.take_due(14_999, 10, active).is_empty());
    assert_eq!(ids(&p.take_due(15_000, 10, active)), [1]);
    p.enqueue(d("s", "x", 9), 0);
    assert!(
        p.get(3).is_some(),
        "numbering continues after the imported ids"
    );
}

#[test]
fn redeliver_requeues_a_finished_delivery_with_the_same_event_id() {
    let mut o = Outbox::new(10);
    o.enqueue(d("s", "m", 1), 0);
    o.take_due(0, 10, active);
    assert!(o.redeliver(1, 0).is_err(), "in flight");
    o.complete(0, 1, vec![], Verdict::Delivered, 0);
    let again = o.redeliver(1, 0).unwrap();
    assert_eq!(
        (again.status, again.event_id.as_str()),
        (Status::Pending, "e1")
    );
    assert_eq!(ids(&o.take_due(0, 10, active)), [1]);
}
