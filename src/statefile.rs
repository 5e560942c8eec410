//! `--state-file`: the whole state saved on shutdown and restored on start. Writes go to a
//! temporary file in the same directory, are synced, then renamed over the target, so a crash
//! never leaves a half-written file. A file that does not parse is refused at start with a clear
//! message and is never overwritten.

use crate::admin::state::{declarations_of, restore, snapshot, StateSnapshot};
use crate::app::App;
use std::io::Write;
use std::path::Path;

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

/// Reads a state file; `Ok(None)` when it does not exist yet.
pub fn read(path: &Path) -> Result<Option<StateSnapshot>, StateFileError> {
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
    serde_json::from_slice(&text)
        .map(Some)
        .map_err(|e| StateFileError::Corrupt {
            path: path.display().to_string(),
            message: e.to_string(),
        })
}

/// Replaces the app's state with a snapshot read earlier; a snapshot whose behaviour
/// declarations do not validate is refused whole.
pub fn apply(app: &App, path: &Path, s: StateSnapshot) -> Result<(), StateFileError> {
    let declarations = declarations_of(app, &s).map_err(|message| StateFileError::Corrupt {
        path: path.display().to_string(),
        message,
    })?;
    restore(app, s, declarations);
    Ok(())
}

/// Writes the app's state atomically (temp file, fsync, rename).
pub fn save(app: &App, path: &Path) -> Result<(), StateFileError> {
    let err = |source| StateFileError::Write {
        path: path.display().to_string(),
        source,
    };
    let body = serde_json::to_vec_pretty(&snapshot(app))
        .map_err(|e| err(std::io::Error::other(e.to_string())))?;
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let mut f = std::fs::File::create(&tmp).map_err(err)?;
    f.write_all(&body).map_err(err)?;
    f.sync_all().map_err(err)?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(err)
}
