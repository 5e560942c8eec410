//! The scenario library over the admin API: `GET /__admin/scenarios/library` lists the files
//! shipped in `scenarios/` (embedded, see `scenario::library`) and
//! `POST /__admin/scenarios/library/{file}` loads one by name (the dashboard's "load a
//! scenario" action), like an upload.

use super::{bad, not_found, AdminResult};
use crate::app::App;
use crate::scenario::library::{description, find, suggest, LIBRARY};
use serde_json::{json, Value};

/// `GET /__admin/scenarios/library`
pub fn list() -> Value {
    let files: Vec<Value> = LIBRARY
        .iter()
        .map(|(name, text)| json!({"file": name, "description": description(text)}))
        .collect();
    json!({ "library": files })
}

/// `POST /__admin/scenarios/library/{file}` (with or without `.yaml`): validated whole, then
/// applied (like an upload).
pub fn load(app: &App, file: &str) -> AdminResult {
    let Some((name, text)) = find(file) else {
        let hint = suggest(file)
            .map(|s| format!(" (did you mean {s}?)"))
            .unwrap_or_default();
        return Err(not_found(format!(
            "no scenario {file:?} in the library{hint}; GET /__admin/scenarios/library lists them"
        )));
    };
    let s = crate::scenario::parse(name, text, &app.vendors).map_err(|problems| {
        bad(problems
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join("\n"))
    })?;
    let summary = json!({
        "loaded": s.name,
        "file": name,
        "tenants": s.tenants.len(),
        "faults": s.faults.len(),
    });
    app.load_scenario(s);
    Ok(summary)
}
