//! The start-up banner on stderr, whatever `--log` says: in text the address (`meetmock X
//! listening on http://ADDR …`, the line every test fixture waits for), the other listeners,
//! the dashboard and the demo credentials; with `--log-format json` one `listening` event per
//! listener (`{"event":"listening","addr":…,"url":…,"scope":…}`), so a machine reads the bound
//! address without parsing prose.

use super::Logger;
use crate::config::LogFormat;
use crate::store::{Tenant, VendorId};
use crate::Running;
use serde_json::json;
use std::fmt::Write as _;
use std::io::Write as _;

/// Writes the banner (`demo`: the embedded demo scenario is loaded).
pub fn banner(log: &mut Logger, running: &Running, demo: bool) {
    let text = match log.format {
        LogFormat::Text => text(running, demo),
        LogFormat::Json => json_lines(running),
    };
    // Written through the log's writer thread, after whatever was logged while starting.
    let _ = log.writer.write_all(text.as_bytes());
}

fn json_lines(running: &Running) -> String {
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let mut out = String::new();
    for (i, (scope, addr)) in running.addrs.iter().enumerate() {
        let kind = match (i, scope.only) {
            (0, _) => "edge".to_string(),
            (_, Some(v)) => v.as_str().to_string(),
            (_, None) => "admin".to_string(),
        };
        let mut line = json!({
            "timestamp": now,
            "level": "INFO",
            "message": format!("listening on http://{addr}"),
            "event": "listening",
            "scope": kind,
            "addr": addr.to_string(),
            "url": format!("http://{addr}"),
            "version": env!("CARGO_PKG_VERSION"),
        });
        if scope.admin {
            line["dashboard"] = json!(format!("http://{addr}/__admin/ui"));
        }
        out.push_str(&line.to_string());
        out.push('\n');
    }
    out
}

fn text(running: &Running, demo: bool) -> String {
    let base = format!("http://{}", running.addr());
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line(format!(
        "meetmock {} listening on {base} (HTTP and HTTPS on the same port)",
        env!("CARGO_PKG_VERSION")
    ));
    for (scope, a) in running.addrs.iter().skip(1) {
        match scope.only {
            Some(v) => line(format!("  {v} only on http://{a}")),
            None => line(format!("  admin API on http://{a}/__admin/")),
        }
    }
    line(format!(
        "  admin API: {base}/__admin/health   routes: meetmock routes"
    ));
    match running.addrs.iter().skip(1).find(|(s, _)| s.admin) {
        Some((_, a)) => line(format!("  dashboard: http://{a}/__admin/ui")),
        None => line(format!("  dashboard: {base}/__admin/ui")),
    }
    line(
        "  log: a line per HTTP call below; --log info,request=off (MEETMOCK_LOG) stops them"
            .into(),
    );
    if demo {
        demo_credentials(running, &base, &mut out);
    }
    out
}

fn demo_credentials(running: &Running, base: &str, out: &mut String) {
    let _ = writeln!(out, "demo credentials (scenarios/demo.yaml):");
    let tenants = running.app.store.tenants();
    for t in &tenants {
        let label = match t.vendor {
            VendorId::Tencent => "AppId",
            VendorId::Feishu => "app_id",
            VendorId::Dingtalk => "appKey",
            VendorId::Huawei => "corp",
        };
        let mut extra: Vec<String> = t
            .credentials
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        if t.vendor == VendorId::Huawei {
            extra.extend(huawei_login(t));
        }
        let _ = writeln!(
            out,
            "  {:<8} {label}={} secret={}{}{}",
            t.vendor.as_str(),
            t.id,
            t.secret,
            if extra.is_empty() { "" } else { " " },
            extra.join(" ")
        );
    }
    if let Some(t) = tenants.iter().find(|t| t.vendor == VendorId::Feishu) {
        let _ = writeln!(out, "try:");
        let _ = writeln!(
            out,
            "  curl -s -X POST {base}/open-apis/auth/v3/tenant_access_token/internal -d '{{\"app_id\":\"{}\",\"app_secret\":\"{}\"}}'",
            t.id, t.secret
        );
    }
}

/// The SDK's default Huawei login is account + password: a meeting host's account first (it
/// can start and control the demo meetings), else any user with a password.
fn huawei_login(t: &Tenant) -> Option<String> {
    t.with(|d| {
        let with_password = |u: &crate::store::User| {
            u.password
                .clone()
                .map(|p| format!("account={} password={p}", u.id))
        };
        d.meetings
            .values()
            .filter_map(|m| m.host.as_deref().and_then(|h| d.user(h)))
            .find_map(with_password)
            .or_else(|| d.users().find_map(with_password))
    })
}
