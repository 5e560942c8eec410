//! What `serve` writes, read from the real binary: the banner and one line per request on
//! stderr (nothing on stdout), no colour codes into a pipe, JSON lines with a `listening`
//! event under `--log-format json`, request lines off with `info,request=off`, and an
//! auto-provisioned tenant logged once.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// `meetmock serve --no-demo --listen 127.0.0.1:0 <args>` with stdout and stderr apart.
struct Served {
    child: Child,
    addr: SocketAddr,
    lines: mpsc::Receiver<String>,
    stdout: std::process::ChildStdout,
}

impl Served {
    fn start(args: &[&str]) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_meetmock"))
            .args(["serve", "--no-demo", "--listen", "127.0.0.1:0"])
            .args(args)
            .env_remove("MEETMOCK_LOG")
            .env_remove("NO_COLOR")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, lines) = mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let stdout = child.stdout.take().unwrap();
        let mut s = Served {
            child,
            addr: "0.0.0.0:0".parse().unwrap(),
            lines,
            stdout,
        };
        let first = s.next_line();
        s.addr = match first.split("listening on http://").nth(1) {
            Some(rest) => rest.split([' ', '"']).next().unwrap().parse().unwrap(),
            None => panic!("no banner first: {first}"),
        };
        s
    }

    fn next_line(&self) -> String {
        self.lines
            .recv_timeout(Duration::from_secs(20))
            .expect("a line on stderr")
    }

    /// Lines until one contains `needle` (which is returned), failing after 20 s.
    fn until(&self, needle: &str) -> (Vec<String>, String) {
        let mut before = Vec::new();
        loop {
            let l = self.next_line();
            if l.contains(needle) {
                return (before, l);
            }
            before.push(l);
        }
    }

    fn post(&self, path: &str, body: &str) {
        let mut s = TcpStream::connect(self.addr).unwrap();
        write!(
            s,
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.addr,
            body.len()
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
    }

    /// Stops the server; what it wrote on stdout.
    fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut out = String::new();
        let _ = self.stdout.read_to_string(&mut out);
        out
    }
}

const TOKEN: &str = "/open-apis/auth/v3/tenant_access_token/internal";

#[test]
fn each_request_is_one_line_on_stderr_without_colour_codes() {
    let s = Served::start(&[]);
    s.post(TOKEN, r#"{"app_id":"cli_logs","app_secret":"x"}"#);
    let (_, line) = s.until("path=/open-apis/auth/v3/tenant_access_token/internal");
    assert!(
        line.contains(
            " INFO request method=POST path=/open-apis/auth/v3/tenant_access_token/internal \
             vendor=feishu operation=auth.tenant_access_token.internal status=200 code=0 us="
        ),
        "{line}"
    );
    assert!(!line.contains('\x1b'), "colour codes into a pipe: {line:?}");
    s.post("/nowhere", "");
    let (_, line) = s.until("path=/nowhere");
    assert!(
        line.contains("method=POST path=/nowhere vendor=none operation=unknown status=404 us="),
        "{line}"
    );
    assert_eq!(s.stop(), "", "stdout stays empty: everything is on stderr");
}

#[test]
fn a_fault_rule_and_the_tenant_it_named_are_on_the_line() {
    let s = Served::start(&[]);
    let rule = r#"{"name":"down","match":{"vendor":"feishu","operation":"auth.tenant_access_token.internal"},"error":"internal_error"}"#;
    s.post("/__admin/faults", rule);
    s.post(TOKEN, r#"{"app_id":"cli_faulted","app_secret":"x"}"#);
    let (_, line) = s.until("fault=down");
    assert!(
        line.contains("status=500 code=121001 fault=down tenant=cli_faulted us="),
        "{line}"
    );
    s.stop();
}

#[test]
fn json_logs_open_with_a_listening_event_and_carry_request_fields() {
    let s = Served::start(&["--log-format", "json"]);
    s.post(TOKEN, r#"{"app_id":"cli_json","app_secret":"x"}"#);
    let (_, line) = s.until("\"message\":\"request\"");
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["level"], "INFO");
    assert_eq!(v["method"], "POST");
    assert_eq!(v["status"], 200);
    assert_eq!(v["operation"], "auth.tenant_access_token.internal");
    assert!(v["us"].as_u64().is_some(), "{v}");
    s.stop();
    // The listening event stands whatever the filter (`start` reads it as the first line).
    let quiet = Served::start(&["--log-format", "json", "--log", "off"]);
    assert_ne!(quiet.addr.port(), 0);
    quiet.stop();
}

#[test]
fn the_listening_event_is_json_with_the_bound_address() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_meetmock"))
        .args([
            "serve",
            "--no-demo",
            "--listen",
            "127.0.0.1:0",
            "--log-format",
            "json",
        ])
        .env_remove("MEETMOCK_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let v: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(v["event"], "listening", "{v}");
    assert_eq!(v["scope"], "edge");
    let addr: SocketAddr = v["addr"].as_str().unwrap().parse().unwrap();
    assert!(addr.ip().is_loopback() && addr.port() != 0, "{v}");
    assert_eq!(v["url"], format!("http://{addr}"));
    assert_eq!(v["message"], format!("listening on http://{addr}"));
    assert_eq!(v["dashboard"], format!("http://{addr}/__admin/ui"));
}

#[test]
fn request_lines_can_be_turned_off_and_warnings_stay() {
    let s = Served::start(&["--log", "info,request=off"]);
    s.post(TOKEN, r#"{"app_id":"cli_quiet","app_secret":"x"}"#);
    let (before, line) = s.until("unknown credential");
    assert!(line.contains("tenant=\"cli_quiet\""), "{line}");
    assert!(
        before.iter().all(|l| !l.contains(" request ")),
        "a request line despite request=off: {before:#?}"
    );
    s.post(TOKEN, r#"{"app_id":"cli_quiet","app_secret":"x"}"#);
    s.post(TOKEN, r#"{"app_id":"cli_quiet2","app_secret":"x"}"#);
    let (between, _) = s.until("cli_quiet2");
    assert!(
        between.iter().all(|l| !l.contains("cli_quiet")),
        "the tenant was logged again: {between:#?}"
    );
    s.stop();
}
