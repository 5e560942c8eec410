//! The project's papers: the licence the manifest declares is shipped, no dependency is
//! pinned to `*` (a wildcard breaks `cargo install` and reproducible builds), and the
//! changelog has an entry for the version the binary reports.

use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_declared_licence_is_shipped() {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    assert!(
        manifest.contains("\nlicense = \"MIT OR Apache-2.0\"\n"),
        "{manifest}"
    );
    let mit = std::fs::read_to_string(root().join("LICENSE-MIT")).unwrap();
    assert!(mit.starts_with("MIT License\n"));
    let apache = std::fs::read_to_string(root().join("LICENSE-APACHE")).unwrap();
    assert!(apache.contains("Apache License\n                        Version 2.0, January 2004"));
    assert!(apache.trim_end().ends_with("END OF TERMS AND CONDITIONS"));
}

/// Every Cargo.toml of the repository (not under target/ or node_modules/).
fn manifests(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let name = e.file_name();
        if p.is_dir() {
            if !matches!(
                name.to_str(),
                Some("target" | "node_modules" | ".git" | ".venv")
            ) {
                manifests(&p, out);
            }
        } else if name == "Cargo.toml" {
            out.push(p);
        }
    }
}

#[test]
fn no_dependency_is_a_wildcard() {
    let mut found = Vec::new();
    manifests(root(), &mut found);
    assert!(!found.is_empty());
    for m in found {
        let text = std::fs::read_to_string(&m).unwrap();
        for (i, line) in text.lines().enumerate() {
            let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
            assert!(
                !compact.contains("=\"*\"") && !compact.contains("version=\"*\""),
                "{}:{}: a wildcard version: {line}",
                m.display(),
                i + 1
            );
        }
    }
}

#[test]
fn the_changelog_covers_the_version_the_binary_reports() {
    let log = std::fs::read_to_string(root().join("CHANGELOG.md")).unwrap();
    assert!(log.contains("\n## [Unreleased]\n"));
    let heading = format!("\n## [{}]", env!("CARGO_PKG_VERSION"));
    assert!(log.contains(&heading), "CHANGELOG.md lacks {heading:?}");
}
