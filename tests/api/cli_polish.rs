//! The command line's answers to the usual mistakes, exact text and exit code: a port in use,
//! a host name as listen address, output into a closed pipe, a scenario path that does not
//! exist, a file with several problems, and the embedded scenario library (from a directory
//! with no `scenarios/` in it, as a lone binary sees the world).

use crate::harness::{temp_dir, Binary};
use std::process::{Command, Output, Stdio};

fn meetmock() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_meetmock"));
    c.env("MEETMOCK_LOG", "warn").env_remove("MEETMOCK_LISTEN");
    c
}

fn run(args: &[&str]) -> Output {
    meetmock().args(args).output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn a_port_in_use_is_named_with_the_way_out() {
    let first = Binary::start(&[]);
    let addr = first.addr.to_string();
    let out = run(&["serve", "--no-demo", "--listen", &addr]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        format!(
            "meetmock: cannot listen on {addr} (--listen): address already in use; another \
             server (another meetmock?) has that port: stop it, or let the system pick a free \
             port with --listen 127.0.0.1:0 (the banner says which)\n"
        )
    );
    let out = run(&[
        "serve",
        "--no-demo",
        "--listen",
        "127.0.0.1:0",
        "--listen-feishu",
        &addr,
    ]);
    assert!(
        text(&out.stderr).starts_with(&format!(
            "meetmock: cannot listen on {addr} (--listen-feishu): address already in use"
        )),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_host_name_is_a_listen_address() {
    let mut child = meetmock()
        .args(["serve", "--no-demo", "--listen", "localhost:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stderr.take().unwrap()),
        &mut first,
    )
    .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        first.starts_with("meetmock ") && first.contains(" listening on http://127.0.0.1:"),
        "{first}"
    );
    let out = run(&["serve", "--listen", "8080"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).starts_with(
            "error: invalid value '8080' for '--listen <LISTEN>': \"8080\" is not HOST:PORT (e.g. 127.0.0.1:8080, localhost:8080, 0.0.0.0:8080)\n"
        ),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn every_printing_subcommand_ends_quietly_when_its_reader_has_gone() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
    let cases: &[&[&str]] = &[
        &["routes"],
        &["routes", "--json"],
        &["scenarios"],
        &["scenarios", "demo"],
        &["check", dir],
        &["--help"],
        &["serve", "--help"],
    ];
    for args in cases {
        // A pipe whose reading end is already closed: the first write fails with EPIPE.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = meetmock()
            .args(*args)
            .stdout(Stdio::from(writer))
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let err = text(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
    }
}

#[test]
fn a_scenario_path_that_does_not_exist_is_named() {
    let out = run(&[
        "serve",
        "--no-demo",
        "--listen",
        "127.0.0.1:0",
        "--scenario",
        "nope.yaml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "meetmock: scenario problems:\nnope.yaml: no such file or directory, and no scenario \
         of that name in the library; `meetmock scenarios` lists the library\n"
    );
    let out = run(&["check", "/tmp/meetmock-nowhere/a.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "meetmock check: /tmp/meetmock-nowhere/a.yaml: no such file or directory\n"
    );
    let out = run(&["check", "feishu-meeting-lockd"]);
    assert_eq!(
        text(&out.stderr),
        "meetmock check: feishu-meeting-lockd: no such file or directory, and no scenario of \
         that name in the library (did you mean feishu-meeting-locked?); `meetmock scenarios` \
         lists the library\n"
    );
}

#[test]
fn check_reports_every_problem_of_a_file() {
    let dir = temp_dir("check-all");
    let file = dir.join("many.yaml");
    std::fs::write(
        &file,
        "tenants:\n  - vendor: feishu\n    id: a\n    users:\n      - id: u1\n        nmae: x\n  - vendor: zoom\n    id: b\nfaults:\n  - match: {vendor: feishu}\n    dleay: 5\n",
    )
    .unwrap();
    let out = run(&["check", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    let f = file.display();
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 3, "{err}");
    assert_eq!(
        lines[0],
        format!("{f}:6:9: unknown field `nmae`, expected one of id, name, aliases, phone, email, password, registered, busy, disabled, extra")
    );
    assert_eq!(
        lines[1],
        format!("{f}:7:5: tenant \"b\": unknown vendor \"zoom\"; valid vendors: tencent, feishu, dingtalk, huawei")
    );
    assert_eq!(
        lines[2],
        format!("{f}:11:5: unknown field `dleay`, expected one of name, match, when, error, response, delay, connection, target, delivery")
    );
}

#[test]
fn the_scenario_library_is_in_the_binary() {
    let nowhere = temp_dir("lone-binary");
    let list = meetmock()
        .arg("scenarios")
        .current_dir(&nowhere)
        .output()
        .unwrap();
    assert_eq!(list.status.code(), Some(0));
    let listed = text(&list.stdout);
    assert!(
        listed
            .lines()
            .any(|l| l.starts_with("feishu-meeting-locked ")),
        "{listed}"
    );
    let one = meetmock()
        .args(["scenarios", "feishu-meeting-locked"])
        .output()
        .unwrap();
    let shipped = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/feishu-meeting-locked.yaml"
    );
    assert_eq!(text(&one.stdout), std::fs::read_to_string(shipped).unwrap());
    let missing = run(&["scenarios", "nope"]);
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(
        text(&missing.stderr),
        "meetmock scenarios: no scenario \"nope\" in the library; `meetmock scenarios` lists them\n"
    );
    let checked = meetmock()
        .args(["check", "feishu-meeting-locked.yaml"])
        .current_dir(&nowhere)
        .output()
        .unwrap();
    assert_eq!(checked.status.code(), Some(0), "{}", text(&checked.stderr));
    assert_eq!(
        text(&checked.stdout),
        "feishu-meeting-locked.yaml (library): ok (0 tenants, 0 behaviours, 1 fault rules)\n"
    );
}

#[test]
fn serve_loads_a_library_scenario_by_name_from_anywhere() {
    let nowhere = temp_dir("lone-serve");
    let bin = Binary::start_in(&nowhere, &["--scenario", "feishu-meeting-locked"]);
    let faults = ureq_get(&bin.url("/__admin/faults"));
    assert!(
        faults.contains("\"name\":\"feishu-meeting-locked\""),
        "{faults}"
    );
    let scenarios = ureq_get(&bin.url("/__admin/scenarios"));
    assert!(
        scenarios.contains("\"source\":\"feishu-meeting-locked.yaml\""),
        "{scenarios}"
    );
}

/// A blocking GET without a client library: the harness' raw connection.
fn ureq_get(url: &str) -> String {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let mut s = std::net::TcpStream::connect(host).unwrap();
    use std::io::{Read, Write};
    write!(
        s,
        "GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn version_and_health_say_the_same_version() {
    let out = run(&["--version"]);
    assert_eq!(
        text(&out.stdout),
        format!("meetmock {}\n", env!("CARGO_PKG_VERSION"))
    );
    let bin = Binary::start(&["--no-demo"]);
    let health = ureq_get(&bin.url("/__admin/health"));
    assert!(
        health.contains(&format!("\"version\":\"{}\"", env!("CARGO_PKG_VERSION"))),
        "{health}"
    );
}

#[test]
fn serve_help_documents_the_log_filter_and_how_to_quiet_request_lines() {
    let help = text(&run(&["serve", "--help"]).stdout);
    assert!(help.contains("--log <FILTER>"), "{help}");
    assert!(help.contains("[env: MEETMOCK_LOG="), "{help}");
    assert!(help.contains("info,request=off"), "{help}");
    assert!(help.contains("--scenario"), "{help}");
    assert!(help.contains("library name"), "{help}");
}
