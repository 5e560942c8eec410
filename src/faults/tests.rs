//! Unit tests of the rule engine: order, `when` counters, seeded probabilities, delays,
//! replacement by source.

use super::rule::{DelaySpec, MatchSpec, ResponseSpec, WhenSpec};
use super::*;
use crate::store::latency::DelayShape;
use crate::store::VendorId;
use crate::vendors::registry;
use http::HeaderMap;

fn rule(name: &str, when: Option<WhenSpec>, status: u16) -> Rule {
    let spec = RuleSpec {
        name: Some(name.into()),
        matcher: MatchSpec {
            vendor: Some("feishu".into()),
            ..Default::default()
        },
        when,
        response: Some(ResponseSpec {
            status,
            ..Default::default()
        }),
        ..Default::default()
    };
    Rule::compile(&spec, 0, &registry()).unwrap()
}

fn fire(e: &FaultEngine, body: &[u8]) -> Option<String> {
    let headers = HeaderMap::new();
    e.check(&FaultInput {
        vendor: VendorId::Feishu,
        operation: "op",
        tenant: None,
        meeting: None,
        target: "/x",
        headers: &headers,
        body,
    })
    .map(|d| d.rule)
}

#[test]
fn the_first_matching_rule_wins() {
    let e = FaultEngine::new(1);
    e.add_all(vec![rule("a", None, 500), rule("b", None, 503)]);
    assert_eq!(fire(&e, b"").as_deref(), Some("a"));
}

#[test]
fn every_first_after_and_times_count_matching_calls() {
    let e = FaultEngine::new(1);
    e.add_all(vec![rule(
        "every3",
        Some(WhenSpec {
            every: Some(3),
            ..Default::default()
        }),
        500,
    )]);
    let fired: Vec<bool> = (0..6).map(|_| fire(&e, b"").is_some()).collect();
    assert_eq!(fired, [false, false, true, false, false, true]);

    let e = FaultEngine::new(1);
    e.add_all(vec![rule(
        "first2",
        Some(WhenSpec {
            first: Some(2),
            ..Default::default()
        }),
        500,
    )]);
    let fired: Vec<bool> = (0..4).map(|_| fire(&e, b"").is_some()).collect();
    assert_eq!(fired, [true, true, false, false]);

    let e = FaultEngine::new(1);
    e.add_all(vec![rule(
        "after2",
        Some(WhenSpec {
            after: Some(2),
            times: Some(1),
            ..Default::default()
        }),
        500,
    )]);
    let fired: Vec<bool> = (0..5).map(|_| fire(&e, b"").is_some()).collect();
    assert_eq!(fired, [false, false, true, false, false]);
}

#[test]
fn probabilities_are_deterministic_per_seed_and_per_rule() {
    let run = |seed, extra: bool| {
        let e = FaultEngine::new(seed);
        let mut rules = vec![];
        if extra {
            rules.push(rule(
                "other",
                Some(WhenSpec {
                    probability: Some(0.0),
                    ..Default::default()
                }),
                500,
            ));
        }
        rules.push(rule(
            "coin",
            Some(WhenSpec {
                probability: Some(0.5),
                ..Default::default()
            }),
            500,
        ));
        e.add_all(rules);
        (0..64).map(|_| fire(&e, b"").is_some()).collect::<Vec<_>>()
    };
    assert_eq!(run(7, false), run(7, false));
    assert_eq!(
        run(7, false),
        run(7, true),
        "adding a rule must not reshuffle the others"
    );
    assert_ne!(run(7, false), run(8, false));
    let hits = run(7, false).iter().filter(|b| **b).count();
    assert!((16..=48).contains(&hits), "{hits}");
}

#[test]
fn uniform_delays_stay_in_range() {
    let spec = RuleSpec {
        name: Some("slow".into()),
        delay: Some(DelaySpec::Shaped(DelayShape {
            min_ms: Some(10.0),
            max_ms: Some(20.0),
            ..Default::default()
        })),
        ..Default::default()
    };
    let e = FaultEngine::new(3);
    e.add_all(vec![Rule::compile(&spec, 0, &registry()).unwrap()]);
    let headers = HeaderMap::new();
    for _ in 0..50 {
        let d = e
            .check(&FaultInput {
                vendor: VendorId::Huawei,
                operation: "x",
                tenant: None,
                meeting: None,
                target: "/",
                headers: &headers,
                body: b"",
            })
            .unwrap();
        assert!((10.0..=20.0).contains(&d.delay_ms), "{}", d.delay_ms);
        assert_eq!(d.action, Action::None);
    }
}

#[test]
fn a_user_matcher_finds_the_id_in_the_body() {
    let mut spec = RuleSpec {
        name: Some("u".into()),
        response: Some(ResponseSpec {
            status: 500,
            ..Default::default()
        }),
        ..Default::default()
    };
    spec.matcher.user = Some("ou_guest".into());
    let e = FaultEngine::new(1);
    e.add_all(vec![Rule::compile(&spec, 0, &registry()).unwrap()]);
    assert!(fire(&e, br#"{"invitees":[{"id":"ou_guest"}]}"#).is_some());
    assert!(fire(&e, br#"{"invitees":[{"id":"ou_guest2"}]}"#).is_none());
}

#[test]
fn bad_rules_are_refused_with_the_valid_choices() {
    let v = registry();
    let mut spec = RuleSpec::default();
    assert!(Rule::compile(&spec, 0, &v)
        .unwrap_err()
        .contains("needs an action"));
    spec.delay = Some(DelaySpec::Fixed(-1.0));
    assert!(Rule::compile(&spec, 0, &v)
        .unwrap_err()
        .contains("non-negative"));
    spec.delay = None;
    spec.when = Some(WhenSpec {
        probability: Some(2.0),
        ..Default::default()
    });
    spec.response = Some(ResponseSpec {
        status: 500,
        ..Default::default()
    });
    assert!(Rule::compile(&spec, 0, &v)
        .unwrap_err()
        .contains("between 0 and 1"));
    spec.when = None;
    spec.matcher.vendor = Some("zoom".into());
    assert!(Rule::compile(&spec, 0, &v)
        .unwrap_err()
        .contains("valid vendors"));
    spec.matcher.vendor = None;
    spec.response = None;
    spec.connection = Some(rule::ConnectionSpec::Kind("explode".into()));
    let err = Rule::compile(&spec, 0, &v).unwrap_err();
    assert!(
        err.contains("reset, close, empty, truncated, slow, hang"),
        "{err}"
    );
}

#[test]
fn replacing_a_source_keeps_other_rules_and_their_counters() {
    let e = FaultEngine::new(1);
    let first_only = WhenSpec {
        first: Some(1),
        ..Default::default()
    };
    let mut a = rule("from-file", Some(first_only), 500);
    a.source = "f.yaml".into();
    let b = rule(
        "from-admin",
        Some(WhenSpec {
            every: Some(1000),
            ..Default::default()
        }),
        503,
    );
    e.add_all(vec![a, b]);
    for _ in 0..3 {
        fire(&e, b"");
    }
    let mut a2 = rule("from-file-v2", None, 502);
    a2.source = "f.yaml".into();
    e.replace_source("f.yaml", vec![a2]);
    let listed = e.list();
    let names: Vec<&str> = listed.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        ["from-file-v2", "from-admin"],
        "the file keeps its precedence"
    );
    assert_eq!(listed[1].matched, 2, "the admin rule keeps its counters");
    assert_eq!(fire(&e, b"").as_deref(), Some("from-file-v2"));
}

#[test]
fn path_and_body_regexes_narrow_a_rule() {
    let spec: RuleSpec = serde_json::from_value(serde_json::json!({
        "name": "re",
        "match": {"path_regex": "/x$", "body_regex": "ou_guest_00[0-4]\""},
        "response": {"status": 500}
    }))
    .unwrap();
    let e = FaultEngine::new(1);
    e.add_all(vec![Rule::compile(&spec, 0, &registry()).unwrap()]);
    assert!(fire(&e, br#"{"id":"ou_guest_003"}"#).is_some());
    assert!(fire(&e, br#"{"id":"ou_guest_007"}"#).is_none());
}

#[test]
fn a_regex_that_does_not_compile_is_refused() {
    for field in ["path_regex", "body_regex"] {
        let spec: RuleSpec = serde_json::from_value(serde_json::json!({
            "match": {field: "ou_(guest"},
            "response": {"status": 500}
        }))
        .unwrap();
        let err = Rule::compile(&spec, 0, &registry()).unwrap_err();
        assert!(
            err.contains(field) && err.contains("does not compile"),
            "{err}"
        );
    }
}
