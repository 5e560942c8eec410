//! `--watch`: reloads changed scenario files without a restart. Every configured file is
//! re-validated; a file that no longer validates is refused (logged with file, line, column)
//! and nothing changes. A valid changed file replaces its previous version: its fault rules
//! replace the rules it declared before, in their place (rules from other files or the admin
//! API keep their place and counters), the rate-limit modes become those of the loaded
//! versions, and the tenants it declares are re-seeded. `reset` afterwards returns to the new
//! version.

use crate::app::App;
use crate::scenario::Scenario;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::sync::watch;

/// How often files are checked.
pub const POLL: Duration = Duration::from_millis(250);

fn mtimes(paths: &[PathBuf]) -> HashMap<PathBuf, SystemTime> {
    crate::scenario::load::expand_paths(paths)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| {
            let m = std::fs::metadata(&p).and_then(|m| m.modified()).ok()?;
            Some((p, m))
        })
        .collect()
}

/// Polls the configured scenario files until shutdown.
pub fn spawn(app: Arc<App>, mut shutdown: watch::Receiver<bool>) {
    tokio::spawn(async move {
        let paths = app.config.scenarios.clone();
        let mut seen = mtimes(&paths);
        loop {
            tokio::select! {
                _ = tokio::time::sleep(POLL) => {}
                _ = shutdown.changed() => return,
            }
            let now = mtimes(&paths);
            if now != seen {
                let changed: Vec<PathBuf> = now
                    .iter()
                    .filter(|(p, m)| seen.get(*p) != Some(m))
                    .map(|(p, _)| p.clone())
                    .collect();
                reload(&app, &changed);
                seen = now;
            }
        }
    });
}

/// Re-validates `files`; applies them only when every one is valid. Returns whether applied.
pub fn reload(app: &App, files: &[PathBuf]) -> bool {
    let vendors = &app.vendors;
    let mut fresh: Vec<Scenario> = Vec::new();
    let mut problems = Vec::new();
    for f in files {
        match crate::scenario::load::load_file(f, vendors) {
            Ok(s) => fresh.push(s),
            Err(mut p) => problems.append(&mut p),
        }
    }
    if !problems.is_empty() {
        for p in problems {
            tracing::warn!("scenario reload refused, previous version kept: {p}");
        }
        return false;
    }
    for s in fresh {
        app.faults.replace_source(&s.source, s.faults.clone());
        let mut without_rules = s.clone();
        without_rules.faults.clear();
        crate::scenario::apply::apply(app, &without_rules);
        let mut list = app.scenarios.write();
        match list.iter().position(|old| old.source == s.source) {
            Some(i) => list[i] = s,
            None => list.push(s),
        }
        tracing::info!("scenario reloaded");
    }
    // Rate-limit modes follow the loaded versions: a mode an edit removed is dropped, as
    // `reset` would drop it.
    let list = app.scenarios.read();
    for v in crate::store::VendorId::ALL {
        app.limiter.set_mode(v, None);
    }
    for s in list.iter() {
        for (v, mode) in &s.rate_limits {
            app.limiter.set_mode(*v, Some(mode.clone()));
        }
    }
    true
}
