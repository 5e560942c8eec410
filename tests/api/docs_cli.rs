//! Docs as tests, part 2: every admin endpoint the docs name answers (not "no admin
//! endpoint"), every `meetmock <command> --flag` they show is a flag of that command, and every
//! `MEETMOCK_*` variable they mention is read by something.

use crate::common::TestApp;
use crate::docs_names::{block_after, documents, read};
use clap::CommandFactory;
use regex::Regex;
use reqwest::{Method, StatusCode};
use std::collections::BTreeSet;

/// `(METHOD, /__admin/path)` pairs named in backticks anywhere in the docs; `[/{x}]` parts are
/// taken both ways, placeholders filled with plausible values.
fn documented_admin_calls() -> BTreeSet<(String, String)> {
    let call = Regex::new(r"`(GET|POST|PUT|DELETE|PATCH) (/__admin[^`\s?]*)").unwrap();
    let optional = Regex::new(r"\[(/[^\]]+)\]").unwrap();
    let mut out = BTreeSet::new();
    for (_, text) in documents() {
        for c in call.captures_iter(&text) {
            let path = c[2].to_string();
            let mut variants = vec![optional.replace_all(&path, "").to_string()];
            if optional.is_match(&path) {
                variants.push(optional.replace_all(&path, "$1").to_string());
            }
            for v in variants {
                out.insert((c[1].to_string(), fill(&v)));
            }
        }
    }
    out
}

fn fill(path: &str) -> String {
    path.replace("{vendor}", "feishu")
        .replace("{action}", "start")
        .replace("{file}", "demo.yaml")
        .replace("{reserve_id}", "6911188411934973028")
        .split('/')
        .map(|seg| {
            if seg.starts_with('{') {
                "doc-test-x"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn every_admin_endpoint_the_docs_name_exists() {
    let app = TestApp::spawn().await;
    let calls = documented_admin_calls();
    assert!(calls.len() > 40, "found only {} admin calls", calls.len());
    let mut missing = Vec::new();
    for (method, path) in calls {
        let m = Method::from_bytes(method.as_bytes()).unwrap();
        let r = app
            .client
            .request(m, app.url(&path))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .expect("sent");
        if r.status() == StatusCode::NOT_FOUND {
            // The SSE stream is never read whole; a 404 body is short.
            let text = r.text().await.unwrap_or_default();
            if text.contains("no admin endpoint") {
                missing.push(format!("{method} {path}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "documented but not served: {missing:#?}"
    );
}

/// The flags of one subcommand, from the parser itself.
fn flags_of(sub: &str) -> BTreeSet<String> {
    let cmd = meetmock::config::Cli::command();
    let sub = cmd
        .find_subcommand(sub)
        .unwrap_or_else(|| panic!("no subcommand {sub}"));
    let mut out: BTreeSet<String> = sub
        .get_arguments()
        .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
        .collect();
    out.insert("--help".into());
    out
}

#[test]
fn every_flag_the_docs_show_for_a_command_is_one_of_its_flags() {
    let mut wrong = Vec::new();
    let mut seen = 0;
    // The synopsis: each `meetmock <sub>` line and its continuation lines.
    let readme = read("README.md");
    let synopsis = block_after(&readme, "## Command line", "");
    let flag = Regex::new(r"--[a-z][a-z-]*").unwrap();
    let mut sub = String::new();
    for line in synopsis.lines() {
        if let Some(rest) = line.trim_start().strip_prefix("meetmock ") {
            sub = rest.split_whitespace().next().unwrap_or("").to_string();
        }
        let known = flags_of(&sub);
        for f in flag.find_iter(line) {
            seen += 1;
            if !known.contains(f.as_str()) {
                wrong.push(format!("README synopsis: meetmock {sub} {}", f.as_str()));
            }
        }
    }
    // Command lines anywhere: `meetmock serve …`, `cargo run -- serve …`, `meetmock check …`.
    let command = Regex::new(r"(?:meetmock|--) (serve|check|routes|health)\b([^`\n|]*)").unwrap();
    for (file, text) in documents() {
        for c in command.captures_iter(&text) {
            let known = flags_of(&c[1]);
            let args = c[2].split('#').next().unwrap_or("");
            for f in flag.find_iter(args) {
                seen += 1;
                if !known.contains(f.as_str()) {
                    wrong.push(format!("{file}: meetmock {} {}", &c[1], f.as_str()));
                }
            }
        }
    }
    assert!(seen > 30, "found only {seen} flags");
    assert!(
        wrong.is_empty(),
        "flags the commands do not have: {wrong:#?}"
    );
}

#[test]
fn every_meetmock_variable_the_docs_mention_is_read_by_something() {
    let cmd = meetmock::config::Cli::command();
    let mut known: BTreeSet<String> = cmd
        .get_subcommands()
        .flat_map(|s| s.get_arguments())
        .filter_map(|a| a.get_env().map(|e| e.to_string_lossy().into_owned()))
        .collect();
    // Read outside clap: the log filter (src/main.rs); the test fixtures and helper clients
    // (tests/clients/*, clients/*): the binary, a server to attach to, its certificate.
    for extra in [
        "MEETMOCK_LOG",
        "MEETMOCK_BIN",
        "MEETMOCK_URL",
        "MEETMOCK_CERT",
    ] {
        known.insert(extra.to_string());
    }
    assert!(known.contains("MEETMOCK_LISTEN") && known.len() > 15);
    let var = Regex::new(r"MEETMOCK_[A-Z_]*[A-Z]").unwrap();
    let mut wrong = Vec::new();
    for (file, text) in documents() {
        for m in var.find_iter(&text) {
            let name = m.as_str();
            // `MEETMOCK_LISTEN_<VENDOR>` stands for the four vendor listeners.
            let template = text[m.end()..].starts_with("_<");
            if template && known.iter().any(|k| k.starts_with(&format!("{name}_"))) {
                continue;
            }
            if !known.contains(name) {
                wrong.push(format!("{file}: {name}"));
            }
        }
    }
    assert!(wrong.is_empty(), "variables nothing reads: {wrong:#?}");
}
