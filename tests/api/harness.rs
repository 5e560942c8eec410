//! What the adversarial suites (`security_*`, `durability_*`) share: the real `meetmock` binary
//! as a child process (its address read from the banner, its output kept, SIGTERM / SIGKILL),
//! a raw HTTP/1.1 connection that can send any bytes and stall, temporary directories, and the
//! machine's non-loopback address (to be a "remote" client of a 0.0.0.0 listener).

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A fresh, empty temporary directory for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("meetmock-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// This machine's first non-loopback IPv4 address, if it has one (a client connecting from it
/// to a 0.0.0.0 listener is a remote peer). No packet is sent: a UDP "connect" only picks the
/// route.
pub fn non_loopback_ip() -> Option<IpAddr> {
    for probe in [
        "192.0.2.1:9",
        "203.0.113.1:9",
        "8.8.8.8:53",
        "10.255.255.1:9",
    ] {
        let Ok(s) = std::net::UdpSocket::bind("0.0.0.0:0") else {
            continue;
        };
        if s.connect(probe).is_err() {
            continue;
        }
        if let Ok(a) = s.local_addr() {
            if !a.ip().is_loopback() && !a.ip().is_unspecified() {
                return Some(a.ip());
            }
        }
    }
    None
}

/// The real binary, running `serve` on 127.0.0.1:0 with the given extra arguments.
pub struct Binary {
    child: Child,
    pub addr: SocketAddr,
    /// Everything it printed (stdout and stderr), collected by two reader threads.
    output: Arc<Mutex<String>>,
}

impl Binary {
    /// Starts `meetmock serve --listen 127.0.0.1:0 <args>` and waits for its banner.
    pub fn start(args: &[&str]) -> Binary {
        Self::try_start(args)
            .unwrap_or_else(|(status, out)| panic!("meetmock did not start ({status:?}):\n{out}"))
    }

    /// Like [`Binary::start`], but a server that exits instead of listening is returned as
    /// its exit status and output.
    pub fn try_start(args: &[&str]) -> Result<Binary, (Option<ExitStatus>, String)> {
        let mut child = Command::new(env!("CARGO_BIN_EXE_meetmock"))
            .arg("serve")
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .env("MEETMOCK_LOG", "warn")
            .env_remove("MEETMOCK_ADMIN_TOKEN")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the meetmock binary runs");
        let output = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel::<SocketAddr>();
        let stdout = child.stdout.take().unwrap();
        let out = Arc::clone(&output);
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("listening on http://").nth(1) {
                    if let Some(a) = rest.split_whitespace().next().and_then(|a| a.parse().ok()) {
                        let _ = tx.send(a);
                    }
                }
                out.lock().unwrap().push_str(&(line + "\n"));
            }
        });
        let mut stderr = child.stderr.take().unwrap();
        let err = Arc::clone(&output);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                err.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(addr) = rx.recv_timeout(Duration::from_millis(50)) {
                return Ok(Binary {
                    child,
                    addr,
                    output,
                });
            }
            if let Ok(Some(status)) = child.try_wait() {
                std::thread::sleep(Duration::from_millis(100));
                let out = output.lock().unwrap().clone();
                return Err((Some(status), out));
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                return Err((None, output.lock().unwrap().clone()));
            }
        }
    }

    /// `http://127.0.0.1:PORT` + path.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM (through `kill`, so the test needs no libc binding).
    pub fn sigterm(&self) {
        signal(self.pid(), "-TERM");
    }

    /// SIGKILL: no chance to save anything.
    pub fn sigkill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits up to `limit` for the process to exit.
    pub async fn exit_within(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        loop {
            if let Ok(Some(s)) = self.child.try_wait() {
                // Let the reader threads take the last lines.
                tokio::time::sleep(Duration::from_millis(50)).await;
                return Some(s);
            }
            if Instant::now() > deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// True while the process runs.
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Everything it printed so far.
    pub fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends a signal to a process with the system's `kill`.
pub fn signal(pid: u32, sig: &str) {
    let ok = Command::new("kill")
        .arg(sig)
        .arg(pid.to_string())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(ok, "kill {sig} {pid}");
}

/// A plain HTTP client for the binary (no proxy).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// Writes raw bytes on a new connection.
pub async fn raw(addr: SocketAddr, bytes: &[u8]) -> TcpStream {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(bytes).await.unwrap();
    s
}

/// Reads what arrives until the server closes the connection or `limit` passes; `None` when
/// the connection was still open at the deadline.
pub async fn read_until_close(s: &mut TcpStream, limit: Duration) -> Option<String> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, s.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(String::from_utf8_lossy(&out).into_owned()),
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
        }
    }
}

/// Reads one response head (and whatever body bytes came with it) within `limit`.
pub async fn read_head(s: &mut TcpStream, limit: Duration) -> Option<String> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + limit;
    while !out.windows(4).any(|w| w == b"\r\n\r\n") {
        match tokio::time::timeout_at(deadline, s.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => out.extend_from_slice(&buf[..n]),
            _ => return None,
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// The state file's meetings of one tenant, or 0 when the file is missing or unreadable.
pub fn meetings_in_file(path: &Path, tenant: &str) -> usize {
    let Ok(text) = std::fs::read(path) else {
        return 0;
    };
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(&text) else {
        return 0;
    };
    v["tenants"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["id"] == tenant)
        .map(|t| t["meetings"].as_array().map_or(0, Vec::len))
        .sum()
}
