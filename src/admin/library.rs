//! The scenario library: every file shipped in `scenarios/`, embedded at build time, listed by
//! `GET /__admin/scenarios/library` and loaded by name with
//! `POST /__admin/scenarios/library/{file}` (the dashboard's "load a scenario" action). A test
//! checks that this table and the directory hold the same files.

use super::{bad, not_found, AdminResult};
use crate::app::App;
use serde_json::{json, Value};

/// One library entry, embedded from `scenarios/`.
macro_rules! shipped {
    ($name:literal) => {
        ($name, include_str!(concat!("../../scenarios/", $name)))
    };
}

/// `(file name, contents)` of every shipped scenario, in the directory's order.
pub const LIBRARY: &[(&str, &str)] = &[
    ("demo.yaml", crate::scenario::DEMO),
    shipped!("dingtalk-bad-token.yaml"),
    shipped!("dingtalk-errors.yaml"),
    shipped!("dingtalk-third-party.yaml"),
    shipped!("dingtalk-throttled.yaml"),
    shipped!("dingtalk-unknown-user.yaml"),
    shipped!("feishu-callee-busy.yaml"),
    shipped!("feishu-meeting-full.yaml"),
    shipped!("feishu-meeting-locked.yaml"),
    shipped!("feishu-meeting-not-in-progress.yaml"),
    shipped!("feishu-missing-scope.yaml"),
    shipped!("feishu-rate-limited.yaml"),
    shipped!("feishu-store-app.yaml"),
    shipped!("feishu-token-expired.yaml"),
    shipped!("flaky-network.yaml"),
    shipped!("huawei-bad-control-token.yaml"),
    shipped!("huawei-conf-closed.yaml"),
    shipped!("huawei-conf-not-found-500.yaml"),
    shipped!("huawei-conf-not-started.yaml"),
    shipped!("huawei-flow-control.yaml"),
    shipped!("huawei-invite-dial-failed.yaml"),
    shipped!("slow-vendor.yaml"),
    shipped!("tencent-invitee-cap.yaml"),
    shipped!("tencent-invitee-faults.yaml"),
    shipped!("tencent-not-creator.yaml"),
    shipped!("tencent-rate-limits.yaml"),
    shipped!("tencent-replayed-request.yaml"),
    shipped!("tencent-signature-failed.yaml"),
];

/// What a file says about itself: its leading comment, up to the first indented usage line.
fn description(text: &str) -> String {
    text.lines()
        .map_while(|l| l.strip_prefix('#'))
        .take_while(|l| !l.starts_with("  "))
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}

/// `GET /__admin/scenarios/library`
pub fn list() -> Value {
    let files: Vec<Value> = LIBRARY
        .iter()
        .map(|(name, text)| json!({"file": name, "description": description(text)}))
        .collect();
    json!({ "library": files })
}

/// `POST /__admin/scenarios/library/{file}`: validated whole, then applied (like an upload).
pub fn load(app: &App, file: &str) -> AdminResult {
    let Some((name, text)) = LIBRARY.iter().find(|(n, _)| *n == file) else {
        return Err(not_found(format!(
            "no scenario {file:?} in the library; GET /__admin/scenarios/library lists them"
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_library_is_every_yaml_file_in_the_scenarios_directory() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".yaml") || n.ends_with(".yml"))
            .collect();
        on_disk.sort();
        let mut listed: Vec<String> = LIBRARY.iter().map(|(n, _)| n.to_string()).collect();
        listed.sort();
        assert_eq!(
            listed, on_disk,
            "add the new file to LIBRARY in src/admin/library.rs"
        );
    }

    #[test]
    fn every_library_file_is_a_valid_scenario_with_a_description() {
        let vendors = crate::vendors::registry();
        for (name, text) in LIBRARY {
            assert!(
                crate::scenario::parse(name, text, &vendors).is_ok(),
                "{name}"
            );
            assert!(
                !description(text).is_empty(),
                "{name} has no leading comment"
            );
        }
    }
}
