//! `meetmock check` validates fault rules: an unknown vendor, operation or error name, an
//! impossible matcher or an out-of-range probability is reported as `file:line:column:` with
//! the valid choices, and the file is refused whole.

use std::path::PathBuf;
use std::process::Command;

/// Writes `faults:` + `rule` (indented YAML list item) to a fresh file and runs `check`.
fn check(tag: &str, rule: &str) -> (bool, String, PathBuf) {
    let dir =
        std::env::temp_dir().join(format!("meetmock-faults-cli-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("rules.yaml");
    let text = format!(
        "name: t\nfaults:\n  - name: fine\n    match: {{vendor: feishu}}\n    delay: 1\n{rule}"
    );
    std::fs::write(&file, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_meetmock"))
        .arg("check")
        .arg(&file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    std::fs::remove_dir_all(&dir).ok();
    (out.status.success(), stderr, file)
}

/// Asserts the check failed at line 6 (the second rule), column 5, and names `choices`.
fn assert_refused(tag: &str, rule: &str, choices: &[&str]) {
    let (ok, stderr, file) = check(tag, rule);
    assert!(!ok, "{tag}: accepted");
    let at = format!("{}:6:5: faults[1]: ", file.display());
    assert!(stderr.starts_with(&at), "{tag}: {stderr}");
    for c in choices {
        assert!(stderr.contains(c), "{tag}: {stderr} lacks {c}");
    }
}

#[test]
fn check_refuses_an_unknown_vendor_listing_the_vendors() {
    assert_refused(
        "vendor",
        "  - match: {vendor: zoom}\n    delay: 1\n",
        &[
            "unknown vendor \"zoom\"",
            "tencent, feishu, dingtalk, huawei",
        ],
    );
}

#[test]
fn check_refuses_an_unknown_operation_listing_the_vendors_operations() {
    assert_refused(
        "operation",
        "  - match: {vendor: huawei, operation: meeting.invite}\n    delay: 1\n",
        &[
            "unknown operation \"meeting.invite\" for huawei",
            "InviteParticipant",
            "CreateConfToken",
        ],
    );
}

#[test]
fn check_refuses_an_error_of_another_vendor_listing_this_vendors_errors() {
    assert_refused(
        "error",
        "  - match: {vendor: dingtalk}\n    error: meeting_is_locked\n",
        &[
            "unknown dingtalk error \"meeting_is_locked\"",
            "unknown_user (unknownUserError)",
        ],
    );
}

#[test]
fn check_refuses_impossible_matchers() {
    for (tag, rule, why) in [
        (
            "first-after",
            "  - match: {vendor: feishu}\n    when: {first: 2, after: 2}\n    delay: 1\n",
            "never fires",
        ),
        (
            "times-zero",
            "  - match: {vendor: feishu}\n    when: {times: 0}\n    delay: 1\n",
            "never fires",
        ),
        (
            "every-first",
            "  - match: {vendor: feishu}\n    when: {every: 5, first: 3}\n    delay: 1\n",
            "never fires",
        ),
        (
            "empty-meeting",
            "  - match: {vendor: feishu, meeting: \"\"}\n    delay: 1\n",
            "match.meeting is empty",
        ),
        (
            "bad-header",
            "  - match: {headers: {\"bad header\": x}}\n    delay: 1\n",
            "not a valid HTTP header name",
        ),
        (
            "error-no-vendor",
            "  - error: meeting_is_locked\n",
            "must match one vendor",
        ),
    ] {
        assert_refused(tag, rule, &[why]);
    }
}

#[test]
fn check_refuses_out_of_range_probabilities_and_negative_delays() {
    assert_refused(
        "probability",
        "  - match: {vendor: feishu}\n    when: {probability: 2}\n    delay: 1\n",
        &["when.probability must be between 0 and 1, got 2"],
    );
    assert_refused(
        "negative",
        "  - match: {vendor: feishu}\n    when: {probability: -0.1}\n    delay: 1\n",
        &["between 0 and 1"],
    );
    assert_refused(
        "delay",
        "  - match: {vendor: feishu}\n    delay: {min_ms: 10, max_ms: -1}\n",
        &["delay.max_ms must be a non-negative number"],
    );
}

#[test]
fn check_accepts_a_valid_rule_file() {
    let (ok, stderr, _) = check(
        "valid",
        "  - match: {vendor: huawei, operation: InviteParticipant}\n    when: {every: 2, first: 10}\n    error: conf_is_closed\n",
    );
    assert!(ok, "{stderr}");
}
