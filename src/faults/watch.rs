//! `--watch`: reloads changed scenario files without a restart. Every configured file is
//! re-validated; a file that no longer validates is refused (logged with file, line, column)
//! and nothing changes. A valid changed file replaces its previous version: its fault rules
//! replace the rules it declared before, in their place (rules from other files or the admin
//! API keep their place and counters), the rate-limit modes become those of the loaded
//! versions, and the tenants it declares are re-seeded. `reset` afterwards returns to the new
//! version.
//!
//! Changes are noticed through the OS (inotify etc. via the `notify` crate, watching the files'
//! directories so an editor that saves by rename is seen too), with polling every [`POLL`] when
//! no OS watcher is available (e.g. inotify instances exhausted) and a slow poll as a safety
//! net. A change is applied only once the file reads the same twice [`DEBOUNCE`] apart (the save
//! is finished), and a file that shrinks to nothing while its applied version had content is
//! unstable until it has stayed empty for [`SETTLE`]: an in-place save truncates first, and the
//! previous rules stay meanwhile.

use crate::app::App;
use crate::scenario::Scenario;
use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};

/// How often files are polled when no OS watcher is available.
pub const POLL: Duration = Duration::from_millis(250);
/// A change must read the same this long before it is applied.
pub const DEBOUNCE: Duration = Duration::from_millis(100);
/// How long a file that became empty must stay empty before its emptiness is applied.
pub const SETTLE: Duration = Duration::from_millis(2_000);
/// The safety-net poll alongside an OS watcher.
const SAFETY_POLL: Duration = Duration::from_secs(1);

/// What the watcher knows of one file.
#[derive(Debug, Default)]
struct Tracked {
    /// Hash of the content last handled (applied, or refused as invalid).
    handled: Option<u64>,
    /// The version last applied had content (so emptiness must settle first).
    applied_content: bool,
    /// A differing content seen and when it was first seen with this hash.
    pending: Option<(u64, Instant)>,
}

fn blank(content: &[u8]) -> bool {
    content.iter().all(u8::is_ascii_whitespace)
}

fn hash(content: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    content.hash(&mut h);
    h.finish()
}

/// The directories to watch: each directory given, and the parent of each file.
fn dirs(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = paths
        .iter()
        .map(|p| {
            if p.is_dir() {
                p.clone()
            } else {
                match p.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                    _ => PathBuf::from("."),
                }
            }
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// An OS watcher on the files' directories that pokes `tx` on any event; `None` when the OS
/// refuses one (then polling alone is used).
fn os_watcher(paths: &[PathBuf], tx: mpsc::Sender<()>) -> Option<notify::RecommendedWatcher> {
    use notify::Watcher;
    let mut w = notify::recommended_watcher(move |e: notify::Result<notify::Event>| {
        if e.is_ok() {
            let _ = tx.try_send(());
        }
    })
    .map_err(|e| tracing::warn!("--watch: no OS file watcher ({e}); polling instead"))
    .ok()?;
    for d in dirs(paths) {
        if let Err(e) = w.watch(&d, notify::RecursiveMode::NonRecursive) {
            tracing::warn!(dir = %d.display(), "--watch: cannot watch ({e}); polling instead");
            return None;
        }
    }
    Some(w)
}

fn read_all(paths: &[PathBuf]) -> Vec<(PathBuf, Vec<u8>)> {
    crate::scenario::load::expand_paths(paths)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| std::fs::read(&p).ok().map(|c| (p, c)))
        .collect()
}

/// Watches the configured scenario files until shutdown. What the files hold now is taken as
/// applied before this returns (the server just loaded them), so an edit right after start is
/// seen as one.
pub fn spawn(app: Arc<App>, mut shutdown: watch::Receiver<bool>) {
    let paths = app.config.scenarios.clone();
    let mut files: HashMap<PathBuf, Tracked> = read_all(&paths)
        .into_iter()
        .map(|(p, c)| {
            let t = Tracked {
                handled: Some(hash(&c)),
                applied_content: !blank(&c),
                pending: None,
            };
            (p, t)
        })
        .collect();
    let (tx, mut rx) = mpsc::channel(1);
    let watcher = os_watcher(&paths, tx);
    let poll = if watcher.is_some() { SAFETY_POLL } else { POLL };
    tokio::spawn(async move {
        // Kept alive for as long as the loop runs; without one, only the timer wakes it.
        let _watcher = watcher;
        let mut events = _watcher.is_some();
        loop {
            let pending = files.values().any(|t| t.pending.is_some());
            let wait = if pending { DEBOUNCE } else { poll };
            tokio::select! {
                e = rx.recv(), if events => events = e.is_some(),
                _ = tokio::time::sleep(wait) => {}
                _ = shutdown.changed() => return,
            }
            scan(&app, &paths, &mut files);
        }
    });
}

/// Reads every file; applies those whose new content is stable.
fn scan(app: &App, paths: &[PathBuf], files: &mut HashMap<PathBuf, Tracked>) {
    let now = Instant::now();
    let mut ready: Vec<(PathBuf, u64, bool)> = Vec::new();
    for (p, content) in read_all(paths) {
        let h = hash(&content);
        let t = files.entry(p.clone()).or_default();
        if t.handled == Some(h) {
            t.pending = None;
            continue;
        }
        match t.pending {
            Some((ph, since)) if ph == h => {
                let quiet = now.duration_since(since);
                let empty = blank(&content);
                if quiet >= DEBOUNCE && !(empty && t.applied_content && quiet < SETTLE) {
                    ready.push((p, h, !empty));
                }
            }
            _ => t.pending = Some((h, now)),
        }
    }
    if ready.is_empty() {
        return;
    }
    let list: Vec<PathBuf> = ready.iter().map(|(p, _, _)| p.clone()).collect();
    let applied = reload(app, &list);
    for (p, h, content) in ready {
        let t = files.entry(p).or_default();
        t.handled = Some(h);
        t.pending = None;
        if applied {
            t.applied_content = content;
        }
    }
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
