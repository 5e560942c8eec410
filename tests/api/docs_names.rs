//! Docs as tests, part 1: every name the documentation gives a reader to type — the annotated
//! scenario example, error names and codes, operation names in the endpoint tables, rate-limit
//! labels, scenario file names — is checked against the code, so a wrong name fails CI.
//! (Admin endpoints, flags and environment variables: `docs_cli.rs`. The README's runnable
//! snippets: `scripts/readme-snippets`.)

use meetmock::vendors::{registry, Vendor};
use regex::Regex;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub(crate) fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub(crate) fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every document a reader is pointed at: README, DEVELOPING, the vendor pages, the scenario
/// README, the container files and the recipes beside them.
pub(crate) fn documents() -> Vec<(String, String)> {
    let mut rels: Vec<String> = vec![
        "README.md".into(),
        "scenarios/README.md".into(),
        "docs/DEVELOPING.md".into(),
        "Dockerfile".into(),
    ];
    for dir in ["docs", "docs/vendors", "examples/compose"] {
        let Ok(entries) = std::fs::read_dir(root().join(dir)) else {
            continue;
        };
        let mut more: Vec<String> = entries
            .filter_map(|e| e.ok())
            .map(|e| format!("{dir}/{}", e.file_name().to_string_lossy()))
            .filter(|p| !p.ends_with("DEVELOPING.md") && root().join(p).is_file())
            .collect();
        more.sort();
        rels.extend(more);
    }
    rels.into_iter()
        .map(|r| {
            let text = read(&r);
            (r, text)
        })
        .collect()
}

/// The fenced block (```lang … ```) that follows `heading` in `text`.
pub(crate) fn block_after(text: &str, heading: &str, lang: &str) -> String {
    let start = text
        .find(heading)
        .unwrap_or_else(|| panic!("no {heading:?}"));
    let rest = &text[start..];
    let open = format!("```{lang}\n");
    let from = rest.find(&open).expect("a fenced block") + open.len();
    let len = rest[from..].find("\n```").expect("a closed block");
    rest[from..from + len + 1].to_string()
}

fn vendor_named(name: &str) -> Box<dyn Vendor> {
    registry()
        .into_iter()
        .find(|v| v.id().as_str() == name)
        .unwrap_or_else(|| panic!("no vendor {name}"))
}

fn resolves_somewhere(key: &str) -> bool {
    registry().iter().any(|v| v.error_by_key(key).is_some())
}

#[test]
fn the_annotated_scenario_example_passes_check_and_its_alternatives_are_real_names() {
    let readme = read("scenarios/README.md");
    let yaml = block_after(&readme, "## Annotated example", "yaml");
    let parsed = meetmock::scenario::parse("scenarios/README.md", &yaml, &registry());
    let scenario = parsed.unwrap_or_else(|problems| {
        panic!(
            "the annotated example fails `meetmock check`:\n{}",
            problems
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    assert!(!scenario.tenants.is_empty() && !scenario.faults.is_empty());
    // The comment under `error:` lists other accepted forms in quotes: each must resolve.
    let lines: Vec<&str> = yaml.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim_start().starts_with("error:"))
        .expect("an error: line");
    let quoted = Regex::new(r#""([^"]+)""#).unwrap();
    let mut comments = vec![lines[at].split_once('#').map(|c| c.1).unwrap_or("")];
    for line in &lines[at + 1..] {
        match line.trim_start().strip_prefix('#') {
            Some(c) => comments.push(c),
            None => break,
        }
    }
    // Quoted keys only: a custom `message: "…"` has spaces.
    let alternatives: Vec<String> = comments
        .iter()
        .flat_map(|c| quoted.captures_iter(c).map(|m| m[1].to_string()))
        .filter(|k| !k.contains(' '))
        .collect();
    assert!(alternatives.len() >= 3, "found {alternatives:?}");
    let unknown: Vec<_> = alternatives
        .iter()
        .filter(|k| !resolves_somewhere(k))
        .collect();
    assert!(
        unknown.is_empty(),
        "scenarios/README.md names errors no catalogue has: {unknown:?}"
    );
}

#[test]
fn every_error_name_and_code_in_the_docs_is_in_its_vendors_catalogue() {
    // `error: NAME` in prose and examples; the vendors' prefixed codes anywhere.
    let error_key = Regex::new(r#"\berror: +"?([A-Za-z][A-Za-z0-9_.]*|[0-9]{4,})"?"#).unwrap();
    let huawei_code = Regex::new(r"\b(?:MMC|USG|APIGW)\.[0-9]+\b").unwrap();
    let dingtalk_code = Regex::new(r"\bForbidden\.AccessDenied\.[A-Za-z]+\b").unwrap();
    let mut wrong = Vec::new();
    let mut seen = 0;
    for (file, text) in documents() {
        let own = file
            .strip_prefix("docs/vendors/")
            .and_then(|f| f.strip_suffix(".md"))
            .map(vendor_named);
        for c in error_key.captures_iter(&text) {
            let key = &c[1];
            seen += 1;
            let ok = match &own {
                Some(v) => v.error_by_key(key).is_some(),
                None => resolves_somewhere(key),
            };
            if !ok {
                wrong.push(format!("{file}: error: {key}"));
            }
        }
        for (re, vendor) in [(&huawei_code, "huawei"), (&dingtalk_code, "dingtalk")] {
            for m in re.find_iter(&text) {
                seen += 1;
                if vendor_named(vendor).error_by_key(m.as_str()).is_none() {
                    wrong.push(format!("{file}: {vendor} code {}", m.as_str()));
                }
            }
        }
    }
    // The DingTalk page lists its catalogue names for fault rules.
    let page = read("docs/vendors/dingtalk.md");
    let section = page
        .split("## Error catalogue names")
        .nth(1)
        .and_then(|s| s.split("\nA rule's").next())
        .expect("the DingTalk error-name section");
    let name = Regex::new(r"`([a-z][a-z_]+)`").unwrap();
    let dingtalk = vendor_named("dingtalk");
    for c in name.captures_iter(section) {
        seen += 1;
        if dingtalk.error_by_key(&c[1]).is_none() {
            wrong.push(format!("docs/vendors/dingtalk.md: error name {}", &c[1]));
        }
    }
    assert!(
        seen > 40,
        "the scan found only {seen} names: is it reading the docs?"
    );
    assert!(
        wrong.is_empty(),
        "documented errors the catalogues lack:\n{wrong:#?}"
    );
}

/// The operation tables: README's vendor sections and each vendor page's endpoint table.
fn operation_tables() -> Vec<(String, &'static str, Vec<String>)> {
    let readme = read("README.md");
    let mut out = Vec::new();
    for (heading, vendor) in [
        ("### Feishu", "feishu"),
        ("### Tencent", "tencent"),
        ("### DingTalk", "dingtalk"),
        ("### Huawei", "huawei"),
    ] {
        let section = readme.split(heading).nth(1).expect(heading);
        let section = section.split("\n## ").next().unwrap_or(section);
        let section = section.split("\n### ").next().unwrap_or(section);
        out.push((format!("README.md {heading}"), vendor, table_rows(section)));
    }
    for vendor in ["feishu", "tencent", "dingtalk", "huawei"] {
        let file = format!("docs/vendors/{vendor}.md");
        out.push((file.clone(), vendor, table_rows(&read(&file))));
    }
    out
}

/// Rows (`| Method | Path | Operation | … |`) of tables with Method and Operation columns.
fn table_rows(text: &str) -> Vec<String> {
    let mut rows = Vec::new();
    let mut in_table = false;
    for line in text.lines() {
        if line.starts_with("| Method | Path | Operation") {
            in_table = true;
            continue;
        }
        if in_table && line.starts_with('|') {
            if !line.starts_with("|---") {
                rows.push(line.to_string());
            }
        } else {
            in_table = false;
        }
    }
    rows
}

/// `reserve.get / update / delete` → the three full names; parentheses and backticks dropped.
fn operations_in(cell: &str) -> Vec<String> {
    let no_parens = Regex::new(r"\([^)]*\)").unwrap().replace_all(cell, "");
    let mut out: Vec<String> = Vec::new();
    for raw in no_parens.split(['/', '·', ',']) {
        let token = raw.trim().trim_matches('`').trim();
        if token.is_empty() {
            continue;
        }
        let full = match out.last() {
            // Tencent: `v1_users_userid_get` / `_put`.
            Some(prev) if token.starts_with('_') => {
                format!(
                    "{}{token}",
                    prev.rsplit_once('_').map(|p| p.0).unwrap_or("")
                )
            }
            Some(prev) if !token.contains('.') && prev.contains('.') => {
                format!(
                    "{}.{token}",
                    prev.rsplit_once('.').map(|p| p.0).unwrap_or("")
                )
            }
            _ => token.to_string(),
        };
        out.push(full);
    }
    out
}

#[test]
fn every_operation_in_the_endpoint_tables_is_a_route_of_that_vendor_and_method() {
    let mut wrong = Vec::new();
    for (doc, vendor, rows) in operation_tables() {
        let v = vendor_named(vendor);
        assert!(rows.len() >= 10, "{doc}: only {} rows", rows.len());
        let mut named = BTreeSet::new();
        for row in rows {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            let (methods, op_cell) = (cells[1], cells[3]);
            for op in operations_in(op_cell) {
                named.insert(op.clone());
                let routes: Vec<_> = v.routes().iter().filter(|r| r.operation == op).collect();
                if routes.is_empty() {
                    wrong.push(format!("{doc}: {op} is no {vendor} operation"));
                } else if !routes.iter().any(|r| methods.contains(r.method.as_str())) {
                    wrong.push(format!("{doc}: {op} is not served with {methods}"));
                }
            }
        }
        for r in v.routes() {
            if !named.contains(r.operation) {
                wrong.push(format!(
                    "{doc}: the table lacks {} {}",
                    r.method, r.operation
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "operation tables out of step:\n{wrong:#?}"
    );
}

#[test]
fn every_operation_named_in_a_fault_or_journal_example_exists() {
    let ops: BTreeSet<&str> = registry()
        .iter()
        .flat_map(|v| v.routes().iter().map(|r| r.operation))
        .collect();
    let re = Regex::new(r"\boperation(?::\s*|=)([A-Za-z][A-Za-z0-9_.]+)").unwrap();
    let mut wrong = Vec::new();
    let mut seen = 0;
    for (file, text) in documents() {
        for c in re.captures_iter(&text) {
            seen += 1;
            if !ops.contains(&c[1]) {
                wrong.push(format!("{file}: operation {}", &c[1]));
            }
        }
    }
    assert!(seen >= 2, "found only {seen}");
    assert!(
        wrong.is_empty(),
        "unknown operations in the docs: {wrong:#?}"
    );
}

#[test]
fn every_rate_limit_label_in_the_docs_is_a_documented_limit() {
    let mut known = BTreeSet::new();
    for v in registry() {
        for r in v.routes() {
            for d in v.rate_limits(r) {
                known.insert(format!("rate_limit:{}/{}s", d.limit, d.window_secs));
            }
        }
    }
    let re = Regex::new(r"rate_limit:[0-9]+/[0-9]+s").unwrap();
    let mut wrong = Vec::new();
    for (file, text) in documents() {
        for m in re.find_iter(&text) {
            if !known.contains(m.as_str()) {
                wrong.push(format!("{file}: {}", m.as_str()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "not a documented limit: {wrong:#?} (known: {known:?})"
    );
}

fn library_files() -> BTreeSet<String> {
    std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|f| f.ends_with(".yaml"))
        .collect()
}

#[test]
fn every_scenario_file_the_docs_name_exists() {
    let files = library_files();
    let patterns = [
        r"scenarios/([A-Za-z0-9_-]+\.ya?ml)",
        r"/etc/meetmock/scenarios/([A-Za-z0-9_.-]+)",
        r"--scenario[ =]+(?:[A-Za-z0-9_./-]*/)?([A-Za-z0-9_.-]+\.ya?ml)",
        r"MEETMOCK_SCENARIO[=:]\s*(?:[A-Za-z0-9_./-]*/)?([A-Za-z0-9_.-]+\.ya?ml)",
    ];
    let mut wrong = Vec::new();
    let mut seen = 0;
    for (file, text) in documents() {
        for p in patterns {
            for c in Regex::new(p).unwrap().captures_iter(&text) {
                seen += 1;
                if !files.contains(&c[1]) {
                    wrong.push(format!("{file}: {}", &c[0]));
                }
            }
        }
    }
    assert!(seen > 10, "found only {seen}");
    assert!(
        wrong.is_empty(),
        "scenario files that do not exist: {wrong:#?}"
    );
}

#[test]
fn the_scenario_library_table_lists_exactly_the_shipped_files() {
    let readme = read("scenarios/README.md");
    let table = readme.split("## The library").nth(1).expect("the library");
    let row = Regex::new(r"(?m)^\| `([^`]+)` \|").unwrap();
    let listed: BTreeSet<String> = row.captures_iter(table).map(|c| c[1].to_string()).collect();
    let mut shipped = library_files();
    shipped.remove("demo.yaml");
    let missing: Vec<_> = shipped.difference(&listed).collect();
    let extra: Vec<_> = listed.difference(&shipped).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "scenarios/README.md library table: missing {missing:?}, not shipped {extra:?}"
    );
}

#[test]
fn the_docs_listing_helpers_read_real_files() {
    let docs: Vec<PathBuf> = documents().iter().map(|(f, _)| root().join(f)).collect();
    assert!(docs.iter().any(|p| p.ends_with("docs/vendors/huawei.md")));
    assert_eq!(
        operations_in("reserve.get / update / delete"),
        ["reserve.get", "reserve.update", "reserve.delete"]
    );
    assert_eq!(operations_in("`a_b` · `c_d` (x / y)"), ["a_b", "c_d"]);
}
