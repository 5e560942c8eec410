//! Planning one call: from a [`Behaviour`] and the call's own random stream, the timed steps the
//! callee takes (reach or ring, then accept / decline / miss / busy, then maybe leave).
//!
//! The stream is `--seed` mixed with the call's identity (vendor, tenant, meeting, callee and
//! which call to them this is), so the same seed gives the same outcomes whatever the order in
//! which requests arrive. Each random quantity has its own draw indices, so changing one field
//! of a declaration does not reshuffle the others.

use super::behaviour::{Behaviour, Outcome};
use super::ids::splitmix64;
use super::VendorId;
use serde::{Deserialize, Serialize};

/// What a step does to the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// The call reaches the callee without ringing: a busy user answers busy, else nothing.
    Reach,
    /// The call reaches the callee and rings (a busy user answers busy instead).
    Ring,
    Accept,
    Decline,
    /// The ring timeout passed unanswered.
    Miss,
    Busy,
    /// An accepted callee leaves after their stay.
    Leave,
}

/// One planned step: what and when (server clock, unix ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub due_ms: i64,
    pub step: StepKind,
}

/// Longest single latency a plan uses: 30 days (a log-normal tail must not overflow the clock).
const MAX_LATENCY_MS: f64 = 30.0 * 86_400_000.0;

/// The random stream of one call.
pub fn stream(
    seed: u64,
    vendor: VendorId,
    tenant: &str,
    meeting: &str,
    callee: &str,
    attempt: u32,
) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for part in [vendor.as_str(), tenant, meeting, callee] {
        for b in part.bytes().chain([0xff]) {
            h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
    }
    splitmix64(seed ^ splitmix64(h ^ u64::from(attempt)))
}

/// The `k`th uniform draw in [0, 1) of a stream.
fn draw(stream: u64, k: u64) -> f64 {
    let bits = splitmix64(stream.wrapping_add(k.wrapping_mul(0x9E37_79B9_7F4A_7C15)));
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// A latency sampled from draws `first` and `first + 1`, in whole ms.
fn sample(d: &super::latency::Delay, stream: u64, first: u64) -> i64 {
    let mut k = first;
    let ms = d.sample(|| {
        let u = draw(stream, k);
        k += 1;
        u
    });
    ms.clamp(0.0, MAX_LATENCY_MS).round() as i64
}

/// The outcome drawn for this call (draw 0).
pub fn pick(b: &Behaviour, stream: u64) -> Outcome {
    let total: f64 = b.outcomes.iter().map(|(_, w)| w).sum();
    let mut x = draw(stream, 0) * total;
    for (o, w) in &b.outcomes {
        if x < *w {
            return *o;
        }
        x -= w;
    }
    // Rounding at the top end: the last outcome with weight.
    b.outcomes
        .iter()
        .rev()
        .find(|(_, w)| *w > 0.0)
        .map_or(Outcome::Manual, |(o, _)| *o)
}

/// The steps of a call placed at `t0` (unix ms), in time order; empty for `manual`.
pub fn plan(b: &Behaviour, ring_timeout_ms: u64, t0: i64, stream: u64) -> Vec<Step> {
    let outcome = pick(b, stream);
    if outcome == Outcome::Manual {
        return Vec::new();
    }
    let timeout_at = t0.saturating_add(ring_timeout_ms as i64);
    let reach_at = b
        .alert
        .as_ref()
        .map_or(t0, |a| t0.saturating_add(sample(a, stream, 1)))
        .min(timeout_at);
    let rings = b.alert.is_some() && reach_at < timeout_at;
    let reach = Step {
        due_ms: reach_at,
        step: if rings {
            StepKind::Ring
        } else {
            StepKind::Reach
        },
    };
    let step = |due_ms, step| Step { due_ms, step };
    match outcome {
        Outcome::Busy => vec![step(reach_at, StepKind::Busy)],
        Outcome::NoAnswer => vec![reach, step(timeout_at, StepKind::Miss)],
        Outcome::Accept | Outcome::Decline => {
            let answer_at = reach_at.saturating_add(sample(&b.ring, stream, 3));
            if answer_at >= timeout_at {
                return vec![reach, step(timeout_at, StepKind::Miss)];
            }
            if outcome == Outcome::Decline {
                return vec![reach, step(answer_at, StepKind::Decline)];
            }
            let mut steps = vec![reach, step(answer_at, StepKind::Accept)];
            if let Some(stay) = &b.stay {
                steps.push(step(
                    answer_at.saturating_add(sample(stay, stream, 5)),
                    StepKind::Leave,
                ));
            }
            steps
        }
        Outcome::Manual => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::latency::Delay;

    fn behaviour(outcome: Outcome) -> Behaviour {
        Behaviour {
            alert: Some(Delay::Fixed(500.0)),
            ring: Delay::Fixed(3000.0),
            outcomes: vec![(outcome, 1.0)],
            stay: Some(Delay::Fixed(10_000.0)).filter(|_| outcome == Outcome::Accept),
            ring_timeout_ms: None,
        }
    }

    #[test]
    fn an_accepting_callee_rings_answers_and_leaves_after_the_stay() {
        let steps = plan(&behaviour(Outcome::Accept), 60_000, 1_000, 7);
        let kinds: Vec<(i64, StepKind)> = steps.iter().map(|s| (s.due_ms, s.step)).collect();
        assert_eq!(
            kinds,
            [
                (1_500, StepKind::Ring),
                (4_500, StepKind::Accept),
                (14_500, StepKind::Leave)
            ]
        );
    }

    #[test]
    fn an_answer_later_than_the_ring_timeout_is_a_missed_call() {
        let steps = plan(&behaviour(Outcome::Decline), 2_000, 0, 7);
        assert_eq!(steps.last().unwrap().step, StepKind::Miss);
        assert_eq!(steps.last().unwrap().due_ms, 2_000);
    }

    #[test]
    fn the_default_never_rings_and_misses_at_the_timeout() {
        let steps = plan(&Behaviour::default_unanswered(), 60_000, 0, 1);
        assert_eq!(
            steps,
            [
                Step {
                    due_ms: 0,
                    step: StepKind::Reach
                },
                Step {
                    due_ms: 60_000,
                    step: StepKind::Miss
                }
            ]
        );
    }

    #[test]
    fn weights_are_honoured_and_streams_differ_per_call() {
        let b = Behaviour {
            outcomes: vec![(Outcome::Accept, 3.0), (Outcome::Decline, 1.0)],
            ..behaviour(Outcome::Accept)
        };
        let accepted = (0..4000u32)
            .filter(|i| {
                pick(&b, stream(42, VendorId::Feishu, "t", "m", "u", *i)) == Outcome::Accept
            })
            .count();
        assert!((2800..3200).contains(&accepted), "{accepted}");
        assert_ne!(
            stream(42, VendorId::Feishu, "t", "m", "u", 1),
            stream(42, VendorId::Feishu, "t", "m", "u", 2)
        );
        assert_eq!(
            stream(42, VendorId::Feishu, "t", "m", "u", 1),
            stream(42, VendorId::Feishu, "t", "m", "u", 1)
        );
    }
}
