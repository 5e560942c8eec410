//! Micro-benchmarks of the hot pieces: routing, Tencent signature computation, the fault-rule
//! match with 50 rules that do not match, and the store's invite and 2000-invitee overwrite.
//! `cargo bench --bench hot` (criterion; results in target/criterion).

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use http::{HeaderMap, Method};
use meetmock::faults::{FaultEngine, FaultInput, Rule, RuleSpec};
use meetmock::store::{Invitee, Meeting, MeetingState, ParticipantStatus, VendorId};
use meetmock::vendors::registry;
use meetmock::vendors::router::Router;
use meetmock::vendors::tencent::{sign, string_to_sign};

fn routing(c: &mut Criterion) {
    let vendors = registry();
    let router = Router::new(&vendors).unwrap();
    c.bench_function("route feishu invite", |b| {
        b.iter(|| {
            router.lookup(
                &Method::PATCH,
                black_box("/open-apis/vc/v1/meetings/7000000000000000028/invite"),
            )
        })
    });
    c.bench_function("route tencent invitees", |b| {
        b.iter(|| {
            router.lookup(
                &Method::PUT,
                black_box("/v1/meetings/5417310002754750436/invitees"),
            )
        })
    });
    c.bench_function("route unknown path", |b| {
        b.iter(|| router.lookup(&Method::GET, black_box("/open-apis/nope/nope")))
    });
}

fn signature(c: &mut Criterion) {
    let body = br#"{"instanceid":1,"invitees":[{"userid":"userB"},{"userid":"userC"},{"userid":"ghost_x"}],"userid":"userA"}"#;
    c.bench_function("tencent sign (string-to-sign + HMAC + hex + base64)", |b| {
        b.iter(|| {
            let s = string_to_sign(
                "PUT",
                "AKIDmockSecretId0001",
                "1795246405072011568",
                "1795246405",
                black_box("/v1/meetings/5417310002754750436/invitees"),
                black_box(body),
            );
            sign("mockSecretKey0001", &s)
        })
    });
}

fn faults(c: &mut Criterion) {
    let vendors = registry();
    let engine = FaultEngine::new(1);
    let rules: Vec<Rule> = (0..50)
        .map(|i| {
            let spec: RuleSpec = serde_json::from_value(serde_json::json!({
                "name": format!("never-{i}"),
                "match": {"vendor": "feishu", "headers": {"X-Never": i.to_string()}},
                "error": "121001"
            }))
            .unwrap();
            Rule::compile(&spec, i, &vendors).unwrap()
        })
        .collect();
    engine.add_all(rules);
    let headers = HeaderMap::new();
    c.bench_function("fault match, 50 rules, none matching", |b| {
        b.iter(|| {
            engine.check(black_box(&FaultInput {
                vendor: VendorId::Feishu,
                operation: "meeting.invite",
                tenant: Some("cli_demo_feishu"),
                meeting: Some("7000000000000000028"),
                target: "/open-apis/vc/v1/meetings/7000000000000000028/invite",
                headers: &headers,
                body: br#"{"invitees":[{"id":"ou_guest_0000","user_type":1}]}"#,
            }))
        })
    });
}

fn store(c: &mut Criterion) {
    let mut m = Meeting {
        id: "m".into(),
        creator: "h".into(),
        host: Some("h".into()),
        state: MeetingState::InProgress,
        capacity: 10_000,
        ..Default::default()
    };
    c.bench_function("store invite (call an already-called user)", |b| {
        m.call("guest", "Guest", ParticipantStatus::Calling)
            .unwrap();
        b.iter(|| {
            m.call(black_box("guest"), "Guest", ParticipantStatus::Calling)
                .map(|p| p.status)
        })
    });
    let list: Vec<Invitee> = (0..2000)
        .map(|i| Invitee {
            user_id: format!("tu{i:05}"),
            ..Default::default()
        })
        .collect();
    c.bench_function("store overwrite 2000 invitees", |b| {
        b.iter(|| m.set_invitees(black_box(list.clone()), 2000))
    });
}

criterion_group!(benches, routing, signature, faults, store);
criterion_main!(benches);
