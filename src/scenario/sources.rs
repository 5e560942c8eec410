//! Where scenarios come from: `--scenario` and `meetmock check` arguments name files,
//! directories (their `*.yaml`, `*.yml`, `*.json` in name order, not recursive) or, when no
//! such path exists, a scenario of the embedded library by name (`feishu-meeting-locked`,
//! with or without `.yaml`), so a lone binary needs no `scenarios/` directory beside it.

use super::library;
use super::load::{parse, Problem};
use super::schema::Scenario;
use crate::vendors::Vendor;
use std::path::{Path, PathBuf};

/// One scenario to load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    File(PathBuf),
    /// An embedded library file.
    Library {
        file: &'static str,
        text: &'static str,
    },
}

impl Source {
    /// How problems and `GET /__admin/scenarios` name it: the path, or the library file name
    /// (as `POST /__admin/scenarios/library/{file}` does, so both are one source).
    pub fn name(&self) -> String {
        match self {
            Source::File(p) => p.display().to_string(),
            Source::Library { file, .. } => file.to_string(),
        }
    }

    /// Reads and validates it.
    pub fn load(&self, vendors: &[Box<dyn Vendor>]) -> Result<Scenario, Vec<Problem>> {
        match self {
            Source::File(p) => load_file(p, vendors),
            Source::Library { file, text } => parse(file, text, vendors),
        }
    }
}

/// A bare name (no directory part) may name a library scenario.
fn bare(p: &Path) -> Option<&str> {
    let s = p.to_str()?;
    (!s.is_empty() && !s.contains(['/', '\\'])).then_some(s)
}

/// The sources `paths` name, in order; `Err` names the first path that is neither a file, a
/// readable directory nor a library scenario.
pub fn resolve(paths: &[PathBuf]) -> Result<Vec<Source>, Problem> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let listed = std::fs::read_dir(p).map_err(|e| {
                Problem::whole(
                    p.display().to_string(),
                    format!("cannot read the directory: {e}"),
                )
            })?;
            let mut files: Vec<PathBuf> = listed
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    f.is_file()
                        && matches!(
                            f.extension().and_then(|e| e.to_str()),
                            Some("yaml" | "yml" | "json")
                        )
                })
                .collect();
            files.sort();
            out.extend(files.into_iter().map(Source::File));
        } else if p.exists() {
            out.push(Source::File(p.clone()));
        } else if let Some((file, text)) = bare(p).and_then(library::find) {
            out.push(Source::Library { file, text });
        } else {
            return Err(missing(p));
        }
    }
    Ok(out)
}

/// The problem of a path that does not exist.
fn missing(p: &Path) -> Problem {
    let name = p.display().to_string();
    let message = match bare(p) {
        Some(b) => {
            let hint = library::suggest(b)
                .map(|s| format!(" (did you mean {s}?)"))
                .unwrap_or_default();
            format!(
                "no such file or directory, and no scenario of that name in the library{hint}; \
                 `meetmock scenarios` lists the library"
            )
        }
        None => "no such file or directory".to_string(),
    };
    Problem::whole(name, message)
}

/// The paths that are not library names (what `--watch` watches: library scenarios never
/// change).
pub fn on_disk(paths: &[PathBuf]) -> Vec<PathBuf> {
    paths
        .iter()
        .filter(|p| p.exists() || bare(p).and_then(library::find).is_none())
        .cloned()
        .collect()
}

/// The files `paths` name now (directories listed; missing files and library names left out).
pub fn files(paths: &[PathBuf]) -> Vec<PathBuf> {
    let sources = paths
        .iter()
        .flat_map(|p| resolve(std::slice::from_ref(p)).unwrap_or_default());
    sources
        .filter_map(|s| match s {
            Source::File(f) => Some(f),
            Source::Library { .. } => None,
        })
        .collect()
}

/// Loads and validates every scenario `paths` name; every problem of every file on error.
pub fn load_paths(
    paths: &[PathBuf],
    vendors: &[Box<dyn Vendor>],
) -> Result<Vec<Scenario>, Vec<Problem>> {
    let sources = resolve(paths).map_err(|p| vec![p])?;
    let mut all = Vec::new();
    let mut problems = Vec::new();
    for s in &sources {
        match s.load(vendors) {
            Ok(s) => all.push(s),
            Err(mut p) => problems.append(&mut p),
        }
    }
    if problems.is_empty() {
        Ok(all)
    } else {
        Err(problems)
    }
}

/// Loads and validates one file.
pub fn load_file(path: &Path, vendors: &[Box<dyn Vendor>]) -> Result<Scenario, Vec<Problem>> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| vec![Problem::whole(name.clone(), format!("cannot read: {e}"))])?;
    parse(&name, &text, vendors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_library_name_resolves_when_no_such_path_exists() {
        let got = resolve(&[PathBuf::from("feishu-meeting-locked")]).unwrap();
        assert!(matches!(
            got.as_slice(),
            [Source::Library {
                file: "feishu-meeting-locked.yaml",
                ..
            }]
        ));
    }

    #[test]
    fn a_missing_path_is_named_with_a_suggestion() {
        let p = resolve(&[PathBuf::from("feishu-meeting-lockd.yaml")]).unwrap_err();
        assert_eq!(
            p.to_string(),
            "feishu-meeting-lockd.yaml: no such file or directory, and no scenario of that \
             name in the library (did you mean feishu-meeting-locked?); `meetmock scenarios` \
             lists the library"
        );
        let p = resolve(&[PathBuf::from("/no/such/dir/x.yaml")]).unwrap_err();
        assert_eq!(
            p.to_string(),
            "/no/such/dir/x.yaml: no such file or directory"
        );
    }
}
