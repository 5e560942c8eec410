//! Router, scenario loader, query decoding and fault-rule compilation under arbitrary input.

use meetmock::exchange::{decode_component, parse_query};
use meetmock::faults::{Rule, RuleSpec};
use meetmock::vendors::registry;
use meetmock::vendors::router::{Lookup, Router};
use proptest::prelude::*;

proptest! {
    #[test]
    fn the_router_never_panics_and_only_returns_real_routes(path in "/[ -~]{0,120}", m in 0usize..7) {
        let vendors = registry();
        let router = Router::new(&vendors).unwrap();
        let methods = [http::Method::GET, http::Method::POST, http::Method::PUT, http::Method::PATCH,
            http::Method::DELETE, http::Method::HEAD, http::Method::OPTIONS];
        if let Lookup::Found { route, .. } = router.lookup(&methods[m], &path) {
            prop_assert_eq!(&route.method, &methods[m]);
        }
    }

    #[test]
    fn query_decoding_never_panics(raw in "[ -~]{0,200}") {
        for (k, v) in parse_query(&raw) {
            prop_assert!(!k.contains('&') && !v.contains('&') || raw.contains('%'));
        }
        let _ = decode_component(&raw);
    }

    #[test]
    fn arbitrary_text_is_either_a_valid_scenario_or_located_problems(text in "[ -~\n]{0,300}") {
        let vendors = registry();
        if let Err(problems) = meetmock::scenario::parse("p.yaml", &text, &vendors) {
            prop_assert!(!problems.is_empty());
            for p in problems {
                prop_assert_eq!(p.file.as_str(), "p.yaml");
                prop_assert!(!p.message.is_empty());
            }
        }
    }

    #[test]
    fn structured_yaml_mutations_never_panic_the_loader(
        vendor in "(feishu|tencent|dingtalk|huawei|zoom|)",
        id in "[a-z0-9_]{0,8}",
        host in "(ou_h|ou_x|)",
        state in "(scheduled|in_progress|ended|cancelled|bogus)",
        capacity in -2i64..5,
        prob in -1.0f64..3.0,
    ) {
        let text = format!(
            "tenants:\n  - vendor: {vendor}\n    id: '{id}'\n    users: [{{id: ou_h}}]\n    meetings:\n      - {{id: m, host: '{host}', state: {state}, capacity: {capacity}}}\nfaults:\n  - {{match: {{vendor: feishu}}, when: {{probability: {prob}}}, delay: 1}}\n"
        );
        let _ = meetmock::scenario::parse("m.yaml", &text, &registry());
    }

    #[test]
    fn rule_compilation_never_panics(json in "\\{[ -~]{0,120}\\}") {
        if let Ok(spec) = serde_json::from_str::<RuleSpec>(&json) {
            let _ = Rule::compile(&spec, 0, &registry());
        }
    }
}

#[test]
fn deeply_nested_yaml_is_refused_not_overflowed() {
    let text = format!("tenants: {}{}", "[".repeat(5000), "]".repeat(5000));
    assert!(meetmock::scenario::parse("deep.yaml", &text, &registry()).is_err());
}

#[test]
fn a_billion_laughs_scenario_is_refused() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let prev = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
        ));
    }
    // The YAML parser's alias budget refuses the expansion itself, whatever the target type.
    let expanded = serde_saphyr::from_str::<serde_json::Value>(&text);
    assert!(expanded.is_err(), "alias expansion must be bounded");
    text.push_str("tenants: []\n");
    assert!(meetmock::scenario::parse("laughs.yaml", &text, &registry()).is_err());
}
