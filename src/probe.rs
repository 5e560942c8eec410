//! `meetmock health`: checks a running server the way a container `HEALTHCHECK` needs — over
//! loopback, without curl and without the admin token (`GET /__admin/health` answers without
//! it). Reads the same `MEETMOCK_LISTEN` / `MEETMOCK_LISTEN_ADMIN` as `serve`, so the image's
//! environment is enough.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
use std::time::Duration;

/// Where to look: the admin listener when there is one, else the edge listener; a wildcard
/// address (0.0.0.0, ::) is reached over loopback.
pub fn target(listen: SocketAddr, listen_admin: Option<SocketAddr>) -> SocketAddr {
    let mut a = listen_admin.unwrap_or(listen);
    if a.ip().is_unspecified() {
        a.set_ip(match a.ip() {
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
        });
    }
    a
}

/// `GET /__admin/health` at `addr`; `Ok(body)` when it answered 200 with `"status":"ok"`.
pub fn check(addr: SocketAddr, timeout: Duration) -> Result<String, String> {
    let mut s = TcpStream::connect_timeout(&addr, timeout)
        .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
    let _ = s.set_read_timeout(Some(timeout));
    let _ = s.set_write_timeout(Some(timeout));
    let req = format!(
        "GET /__admin/health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAccept: application/json\r\n\r\n"
    );
    s.write_all(req.as_bytes())
        .map_err(|e| format!("cannot send to {addr}: {e}"))?;
    let mut raw = Vec::new();
    s.take(64 * 1024)
        .read_to_end(&mut raw)
        .map_err(|e| format!("no answer from {addr}: {e}"))?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.lines().next().unwrap_or("");
    let ok = status.split_whitespace().nth(1) == Some("200")
        && serde_json::from_str::<serde_json::Value>(body.trim())
            .is_ok_and(|v| v["status"] == "ok");
    if ok {
        Ok(body.trim().to_string())
    } else {
        Err(format!("{addr} is not healthy: {status} {}", body.trim()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wildcard_listener_is_checked_over_loopback_and_the_admin_listener_wins() {
        let any: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        assert_eq!(target(any, None).to_string(), "127.0.0.1:8080");
        let v6: SocketAddr = "[::]:9".parse().unwrap();
        assert_eq!(target(v6, None).to_string(), "[::1]:9");
        let admin: SocketAddr = "127.0.0.1:9000".parse().unwrap();
        assert_eq!(target(any, Some(admin)), admin);
    }
}
