//! `--state-file`: the whole state (the snapshot `GET /__admin/state` exports) restored on start
//! and saved while running, on the model of LocalStack's persistence strategies (`--persist`):
//!
//! - `on-change` (default): the saver looks every [`ON_CHANGE_PERIOD`]; when anything happened
//!   since (a request was served, a change was published on the store's change stream, or
//!   [`Persist::touch`] was called by a background task) it
//!   takes the snapshot and writes it if it differs from the last one written. A crash loses at
//!   most what was acknowledged in the last period plus one save.
//! - `interval`: the same every `--persist-interval-ms` (LocalStack's "scheduled").
//! - `on-shutdown`: only at a clean exit.
//!
//! Every mode also saves at shutdown, right when the signal arrives ("save first") and once more
//! after in-flight requests drained; `POST /__admin/state/save` saves on demand. The file is
//! written once at start, so an unwritable path is refused before serving. A write goes to a
//! temporary file in the same directory (mode 0600: the state holds every tenant's secrets), is
//! synced, renamed over the target and the directory synced: a crash never leaves a
//! half-written file. A failed save is logged at ERROR, turns
//! `GET /__admin/health` to 503 `degraded` until a save succeeds, and a failed final save makes
//! the process exit non-zero. A file that does not parse, or is not a state object, is refused
//! at start and never overwritten.
//!
//! Locks: the snapshot holds each tenant's lock only to copy it (never across I/O); saves are
//! serialised by `Persist::last`, which guards only the hash of the last bytes written.

use crate::admin::snapshot::{restore, snapshot, Checked};
use crate::app::App;
use crate::config::{Config, Persist as Mode};
use parking_lot::Mutex;
use serde_json::{json, Value};
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How often `--persist on-change` looks for changes.
pub const ON_CHANGE_PERIOD: Duration = Duration::from_millis(500);

/// How often a persisting failure is logged again (every attempt is counted).
const RELOG_EVERY_MS: i64 = 30_000;

/// A state file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum StateFileError {
    #[error("cannot read state file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("state file {path} is corrupt ({message}); it was left untouched — fix or remove it")]
    Corrupt { path: String, message: String },
    #[error("cannot write state file {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

/// Persistence bookkeeping, shared by the saver, shutdown, the admin API and health.
#[derive(Debug, Default)]
pub struct Persist {
    /// Hash of the bytes last written; its lock serialises saves.
    last: Mutex<Option<u64>>,
    /// Bumped by background changes that no request accompanies.
    touched: AtomicU64,
    saves: AtomicU64,
    failures: AtomicU64,
    /// A save failed and none succeeded since.
    failing: AtomicBool,
    /// Wall time of the last successful write (ms since the epoch), 0 before any.
    last_saved_ms: AtomicI64,
    /// Wall time the current failure was last logged.
    logged_ms: AtomicI64,
    last_error: Mutex<Option<String>>,
}

impl Persist {
    /// Marks the state changed by something other than a request (a background task), so the
    /// saver looks at it.
    pub fn touch(&self) {
        self.touched.fetch_add(1, Ordering::Relaxed);
    }

    /// How many times [`Persist::touch`] was called: background activity (event sends and
    /// handshakes finishing), which the dashboard's stream watches.
    pub fn touches(&self) -> u64 {
        self.touched.load(Ordering::Relaxed)
    }

    /// True while saving fails.
    pub fn failing(&self) -> bool {
        self.failing.load(Ordering::Relaxed)
    }

    /// The health view.
    pub fn status(&self, config: &Config) -> Value {
        let Some(path) = &config.state_file else {
            return json!({"file": null});
        };
        let mode = match config.persist {
            Mode::OnChange => "on-change",
            Mode::Interval => "interval",
            Mode::OnShutdown => "on-shutdown",
        };
        json!({
            "file": path.display().to_string(),
            "mode": mode,
            "saves": self.saves.load(Ordering::Relaxed),
            "failures": self.failures.load(Ordering::Relaxed),
            "last_saved_ms": Some(self.last_saved_ms.load(Ordering::Relaxed)).filter(|t| *t > 0),
            "last_error": self.last_error.lock().clone(),
        })
    }

    /// What changes the state: requests served, the change stream's position (meeting changes
    /// made by background work publish there too) and explicit touches.
    fn generation(&self, app: &App) -> u64 {
        app.requests()
            .wrapping_add(app.store.changes.last_seq())
            .wrapping_add(self.touched.load(Ordering::Relaxed))
    }

    fn succeeded(&self) {
        self.saves.fetch_add(1, Ordering::Relaxed);
        self.last_saved_ms
            .store(crate::store::Clock::wall_ms(), Ordering::Relaxed);
        if self.failing.swap(false, Ordering::Relaxed) {
            tracing::warn!("state file written again after earlier failures");
        }
        *self.last_error.lock() = None;
    }

    fn failed(&self, e: &StateFileError) {
        self.failures.fetch_add(1, Ordering::Relaxed);
        let first = !self.failing.swap(true, Ordering::Relaxed);
        *self.last_error.lock() = Some(e.to_string());
        let now = crate::store::Clock::wall_ms();
        if first || now - self.logged_ms.load(Ordering::Relaxed) >= RELOG_EVERY_MS {
            self.logged_ms.store(now, Ordering::Relaxed);
            tracing::error!(
                "{e} — changes are NOT being persisted (GET /__admin/health is 503 until a save succeeds)"
            );
        }
    }
}

/// Reads and checks a state file; `Ok(None)` when it does not exist yet.
pub fn read(app: &App, path: &Path) -> Result<Option<Checked>, StateFileError> {
    let text = match std::fs::read(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(StateFileError::Read {
                path: path.display().to_string(),
                source,
            })
        }
    };
    Checked::parse(app, &text)
        .map(Some)
        .map_err(|message| StateFileError::Corrupt {
            path: path.display().to_string(),
            message,
        })
}

/// Replaces the app's state with a checked snapshot read earlier.
pub fn apply(app: &App, s: Checked) {
    restore(app, s);
}

/// Writes the app's state if it differs from what was written last. `Ok(true)` when written.
pub fn save(app: &App, path: &Path) -> Result<bool, StateFileError> {
    let mut last = app.persist.last.lock();
    let result = serde_json::to_vec_pretty(&snapshot(app))
        .map_err(std::io::Error::other)
        .and_then(|body| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            body.hash(&mut h);
            let hash = h.finish();
            if *last == Some(hash) {
                return Ok(false);
            }
            write_atomic(path, &body)?;
            *last = Some(hash);
            Ok(true)
        })
        .map_err(|source| StateFileError::Write {
            path: path.display().to_string(),
            source,
        });
    match &result {
        Ok(_) => app.persist.succeeded(),
        Err(e) => app.persist.failed(e),
    }
    result
}

/// [`save`] on a blocking thread; `Ok(None)` when no state file is configured.
pub async fn save_blocking(app: &Arc<App>) -> Result<Option<bool>, StateFileError> {
    let Some(path) = app.config.state_file.clone() else {
        return Ok(None);
    };
    let app = Arc::clone(app);
    match tokio::task::spawn_blocking(move || save(&app, &path)).await {
        Ok(r) => r.map(Some),
        Err(e) => Err(StateFileError::Write {
            path: String::new(),
            source: std::io::Error::other(e.to_string()),
        }),
    }
}

/// Temp file beside the target, fsync, rename, fsync of the directory.
fn write_atomic(path: &Path, body: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "state".into());
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let written = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        // The state holds every tenant's secrets: owner-only, like a credentials file.
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut f = options.open(&tmp)?;
        f.write_all(body)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
        return written;
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // Makes the rename itself durable; not every platform lets a directory be synced.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Starts the background saver of `--persist on-change|interval` (none for `on-shutdown`); it
/// stops at shutdown, where `lib.rs` takes over. A failed save is retried every period.
pub fn spawn_saver(app: Arc<App>, mut shutdown: watch::Receiver<bool>) {
    let period = match app.config.persist {
        Mode::OnChange => ON_CHANGE_PERIOD,
        Mode::Interval => Duration::from_millis(app.config.persist_interval_ms.max(1)),
        Mode::OnShutdown => return,
    };
    if app.config.state_file.is_none() {
        return;
    }
    tokio::spawn(async move {
        let mut seen = app.persist.generation(&app);
        loop {
            tokio::select! {
                _ = tokio::time::sleep(period) => {}
                _ = shutdown.wait_for(|s| *s) => return,
            }
            let now = app.persist.generation(&app);
            if now != seen || app.persist.failing() {
                // Errors are recorded and logged by `save`; a failure is retried next period.
                if save_blocking(&app).await.is_ok() {
                    seen = now;
                }
            }
        }
    });
}
