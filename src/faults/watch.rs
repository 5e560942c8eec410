//! `--watch`: reloads changed scenario files without a restart. A file that no longer
//! validates is refused (logged with file, line, column) and the running state is untouched.

use crate::app::App;
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
                reload(&app, &paths);
                seen = now;
            }
        }
    });
}

/// Re-validates every configured file; applies them all only when all are valid.
pub fn reload(app: &App, paths: &[PathBuf]) -> bool {
    match crate::scenario::load_paths(paths, &app.vendors) {
        Ok(scenarios) => {
            let mut keep: Vec<_> = app
                .scenarios
                .read()
                .iter()
                .filter(|s| {
                    !s.source.ends_with(".yaml")
                        && !s.source.ends_with(".yml")
                        && !s.source.ends_with(".json")
                })
                .cloned()
                .collect();
            keep.extend(scenarios);
            *app.scenarios.write() = keep;
            app.reset();
            tracing::info!("scenario files reloaded");
            true
        }
        Err(problems) => {
            for p in problems {
                tracing::warn!("reload refused: {p}");
            }
            false
        }
    }
}
