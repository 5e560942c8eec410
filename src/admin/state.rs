//! Admin state operations: reset, export/import of everything (event subscriptions and the
//! outbox included, see `snapshot.rs`), scenario upload, the clock, token expiry.

use super::snapshot::{restore, snapshot, Checked};
use super::{bad, not_found, AdminReq, AdminResult};
use crate::app::App;
use crate::store::Clock;
use serde_json::{json, Value};

/// `POST /__admin/reset`
pub fn reset(app: &App) -> Value {
    app.reset();
    json!({"reset": true, "scenarios": app.scenarios.read().len()})
}

/// `GET /__admin/state`
pub fn export(app: &App) -> Value {
    serde_json::to_value(snapshot(app)).unwrap_or_else(|_| json!({}))
}

/// `PUT /__admin/state`: checked whole before anything changes, then built aside and swapped
/// in (readers with valid tokens are never refused during it).
pub fn import(app: &App, req: &AdminReq<'_>) -> AdminResult {
    let checked = Checked::parse(app, &req.body).map_err(bad)?;
    let tenants = checked.tenants();
    restore(app, checked);
    Ok(json!({"imported": true, "tenants": tenants}))
}

/// `POST /__admin/state/save`: writes `--state-file` now (whatever `--persist` says).
pub async fn save_now(app: &std::sync::Arc<App>) -> AdminResult {
    match crate::statefile::save_blocking(app).await {
        Ok(Some(written)) => Ok(json!({"saved": true, "written": written})),
        Ok(None) => Err(bad("no --state-file is configured")),
        Err(e) => Err((http::StatusCode::INTERNAL_SERVER_ERROR, e.to_string())),
    }
}

/// `POST /__admin/scenarios`: a YAML or JSON scenario, validated whole, then applied.
pub fn load(app: &App, req: &AdminReq<'_>) -> AdminResult {
    let text = std::str::from_utf8(&req.body).map_err(|_| bad("scenario is not UTF-8 text"))?;
    let name = req.q("name").unwrap_or("<admin>");
    match crate::scenario::parse(name, text, &app.vendors) {
        Ok(s) => {
            let summary = json!({
                "loaded": s.name,
                "tenants": s.tenants.len(),
                "faults": s.faults.len(),
            });
            app.load_scenario(s);
            Ok(summary)
        }
        Err(problems) => Err(bad(problems
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join("\n"))),
    }
}

/// `GET /__admin/scenarios`
pub fn list_scenarios(app: &App) -> Value {
    let list: Vec<Value> = app
        .scenarios
        .read()
        .iter()
        .map(|s| json!({"name": s.name, "source": s.source, "tenants": s.tenants.len(), "faults": s.faults.len()}))
        .collect();
    json!({ "scenarios": list })
}

/// `GET /__admin/clock`
pub fn clock(app: &App) -> Value {
    let c = &app.store.clock;
    json!({"now_ms": c.now_ms(), "offset_ms": c.offset_ms(), "frozen": c.is_frozen()})
}

/// `POST /__admin/clock/freeze` with optional `{"at_ms": n}`: the clock stands still (advance
/// still moves it) — for tests that count calls inside one second.
pub fn freeze(app: &App, req: &AdminReq<'_>) -> AdminResult {
    let body = req.json()?;
    let at = match body.get("at_ms") {
        None => None,
        Some(v) => Some(
            v.as_i64()
                .filter(|ms| (1..=Clock::MAX_MS).contains(ms))
                .ok_or_else(|| {
                    bad("`at_ms` must be ms since the epoch, after 1970 and before year 10000")
                })?,
        ),
    };
    app.store.clock.freeze(at);
    app.events.wake();
    Ok(clock(app))
}

/// `POST /__admin/clock/unfreeze`: the clock runs again from where it stood.
pub fn unfreeze(app: &App) -> Value {
    app.store.clock.unfreeze();
    app.events.wake();
    clock(app)
}

/// `POST /__admin/clock/advance` with `{"seconds": n}` or `{"ms": n}`; simulated invitees'
/// steps that fall due meanwhile happen before it answers (`invitee_steps` counts them).
pub fn advance(app: &App, req: &AdminReq<'_>) -> AdminResult {
    let body = req.json()?;
    let ms = match (body.get("ms"), body.get("seconds")) {
        (Some(v), None) => v.as_i64(),
        // Range-checked before the cast: a cast would saturate 1e18 s to i64::MAX.
        (None, Some(v)) => v
            .as_f64()
            .filter(|s| s.is_finite() && (0.0..=Clock::MAX_MS as f64 / 1000.0).contains(s))
            .map(|s| (s * 1000.0) as i64),
        _ => None,
    }
    .filter(|ms| *ms >= 0)
    .ok_or_else(|| bad("give exactly one of `ms` or `seconds`, a number ≥ 0"))?;
    let now = app.store.clock.now_ms();
    if now.checked_add(ms).is_none_or(|t| t > Clock::MAX_MS) {
        return Err(bad(format!(
            "advancing {ms} ms would move the clock past year 9999 (now_ms {now})"
        )));
    }
    app.store.clock.advance(ms);
    let now = app.store.clock.now_ms();
    app.store
        .tokens
        .purge_expired(now, crate::store::TOKEN_GRACE_MS);
    // Simulated invitees act now, in time order, each change stamped with its due time.
    let steps = app.store.run_due();
    // Event retries due on the server clock become due now.
    app.events.wake();
    let mut v = clock(app);
    v["invitee_steps"] = json!(steps);
    Ok(v)
}

/// `POST /__admin/tokens/expire` with `{"token": "..."}`: the token expires now.
pub fn expire_token(app: &App, req: &AdminReq<'_>) -> AdminResult {
    let body = req.json()?;
    let token = req
        .field(&body, "token")
        .ok_or_else(|| bad("`token` is required"))?;
    let now = app.store.clock.now_ms();
    if app.store.tokens.set_expiry(&token, now) {
        Ok(json!({"expired": true}))
    } else {
        Err(not_found("no such token"))
    }
}
