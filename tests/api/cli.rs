//! The binary's subcommands: `check` validates scenario files, `routes` lists the registry,
//! `--help` documents every flag.

use std::process::Command;

fn meetmock() -> Command {
    Command::new(env!("CARGO_BIN_EXE_meetmock"))
}

fn scenarios_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

#[test]
fn check_accepts_every_shipped_scenario() {
    let out = meetmock()
        .arg("check")
        .arg(scenarios_dir())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("demo.yaml: ok"), "{stdout}");
}

#[test]
fn check_rejects_a_broken_copy_with_file_line_and_column() {
    let dir = std::env::temp_dir().join(format!("meetmock-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("broken.yaml");
    std::fs::write(
        &file,
        "tenants:\n  - vendor: feishu\n    id: cli_x\n    users:\n      - id: ou_1\n        nmae: typo\n",
    )
    .unwrap();
    let out = meetmock().arg("check").arg(&file).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let expected = format!("{}:6:", file.display());
    assert!(stderr.starts_with(&expected), "{stderr}");
    assert!(stderr.contains("nmae"), "{stderr}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn check_of_a_missing_file_fails() {
    let out = meetmock()
        .args(["check", "/nonexistent/meetmock.yaml"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
}

#[test]
fn routes_lists_every_vendor_from_the_registry() {
    let out = meetmock().args(["routes", "--json"]).output().unwrap();
    assert!(out.status.success());
    let routes: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let routes = routes.as_array().unwrap();
    let total: usize = meetmock::vendors::registry()
        .iter()
        .map(|v| v.routes().len())
        .sum();
    assert_eq!(routes.len(), total);
    for v in ["tencent", "feishu", "dingtalk", "huawei"] {
        assert!(
            routes.iter().any(|r| r["vendor"] == v),
            "no route of {v} in `meetmock routes`"
        );
    }
}

#[test]
fn serve_help_documents_every_flag_with_its_env_variable() {
    let out = meetmock().args(["serve", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--listen ",
        "--listen-feishu",
        "--scenario",
        "--no-demo",
        "--seed",
        "--tls-cert",
        "--write-cert",
        "--admin-token",
        "--journal-capacity",
        "--log-format",
        "--strict-tenants",
        "--watch",
        "--events-capacity",
        "--events-ca",
    ] {
        assert!(help.contains(flag), "missing {flag} in:\n{help}");
    }
    assert!(help.contains("MEETMOCK_LISTEN"));
}

#[test]
fn the_readme_names_every_emulated_operation() {
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let mut missing = Vec::new();
    for v in meetmock::vendors::registry() {
        for r in v.routes() {
            let short = r.operation.rsplit('.').next().unwrap_or(r.operation);
            if !readme.contains(r.operation) && !readme.contains(short) {
                missing.push(format!("{} {} {}", v.id(), r.method, r.operation));
            }
        }
    }
    assert!(missing.is_empty(), "README.md lacks: {missing:#?}");
}
