//! `GET /__admin/connections`: the open WebSocket sessions (vendors' endpoints and event push
//! connections such as Feishu's long connection), filtered by `vendor` and `tenant`;
//! `DELETE /__admin/connections/{id}`: closes one (1001), to rehearse a client's reconnect.

use super::{bad, not_found, AdminReq, AdminResult};
use crate::app::App;
use crate::store::VendorId;
use serde_json::{json, Value};

pub fn list(app: &App, req: &AdminReq<'_>) -> AdminResult {
    let vendor = match req.q("vendor") {
        None => None,
        Some(v) => Some(VendorId::parse(v).ok_or_else(|| bad(format!("unknown vendor {v:?}")))?),
    };
    let sessions: Vec<Value> = app
        .ws
        .sessions
        .list(vendor, req.q("tenant"))
        .iter()
        .map(|i| i.view())
        .collect();
    let routes: Vec<Value> = app
        .ws
        .routes()
        .iter()
        .map(|(path, vendor, op)| json!({"path": path, "vendor": vendor, "operation": op}))
        .collect();
    Ok(json!({"count": sessions.len(), "connections": sessions, "endpoints": routes}))
}

pub fn close(app: &App, id: &str) -> AdminResult {
    let info = id
        .parse::<u64>()
        .ok()
        .and_then(|n| app.ws.sessions.get(n))
        .ok_or_else(|| not_found(format!("no open connection {id:?}")))?;
    info.request_close();
    Ok(json!({"closing": info.view()}))
}
