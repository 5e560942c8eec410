//! Secrets never leave through the journal, whatever the shape of the request: bodies longer
//! than the kept bytes (cut mid-document, even mid-secret), bodies that are not valid JSON,
//! percent-encoded or oddly cased names in query strings and form bodies.

use crate::common::TestApp;
use meetmock::journal::BODY_KEEP;
use reqwest::Method;
use serde_json::json;

const FS_APP: &str = "cli_journal";
const SECRET: &str = "S3cr3tValueNeverShown0123456789";

async fn journal(app: &TestApp) -> String {
    app.admin_get("/requests?limit=1000").await.text
}

fn assert_hidden(journal: &str) {
    // Any 8 characters of the secret would be a leak.
    for w in SECRET.as_bytes().windows(8) {
        let w = std::str::from_utf8(w).unwrap();
        assert!(
            !journal.contains(w),
            "{w:?} of the secret leaked:\n{journal}"
        );
    }
}

#[tokio::test]
async fn a_valid_token_body_padded_past_the_kept_bytes_is_masked() {
    let app = TestApp::spawn_with("").await;
    let pad = "x".repeat(BODY_KEEP + 100);
    let body = json!({"app_id": FS_APP, "app_secret": SECRET, "pad": pad}).to_string();
    let r = app
        .send(
            Method::POST,
            "/open-apis/auth/v3/tenant_access_token/internal",
            &[("Content-Type", "application/json")],
            body,
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.text);
    let j = journal(&app).await;
    assert!(j.contains(FS_APP), "the entry is there");
    assert_hidden(&j);
}

#[tokio::test]
async fn a_secret_cut_by_the_kept_bytes_is_masked_up_to_the_cut() {
    let app = TestApp::spawn_with("").await;
    let head = format!(r#"{{"app_id":"{FS_APP}","pad":""#);
    let filler = "y".repeat(BODY_KEEP - head.len() - r#"","app_secret":""#.len() - 10);
    let body = format!(r#"{head}{filler}","app_secret":"{SECRET}"}}"#);
    assert!(body.len() > BODY_KEEP);
    app.send(
        Method::POST,
        "/open-apis/auth/v3/app_access_token/internal",
        &[("Content-Type", "application/json")],
        body,
    )
    .await;
    assert_hidden(&journal(&app).await);
}

#[tokio::test]
async fn a_body_that_is_not_valid_json_is_masked_by_field_name() {
    let app = TestApp::spawn_with("").await;
    for body in [
        // DingTalk with a trailing comma.
        format!(r#"{{"appKey":"k","note":"visible","appSecret":"{SECRET}",}}"#),
        // Unquoted junk after the secret, escaped key, spaces around the colon.
        format!(r#"{{"app\u005fsecret" : "{SECRET}" ,, nonsense"#),
        // A number and a nested object as values of secret names.
        format!(r#"{{"password": {{"x": "{SECRET}"}}, "#),
    ] {
        app.send(
            Method::POST,
            "/v1.0/oauth2/accessToken",
            &[("Content-Type", "application/json")],
            body,
        )
        .await;
    }
    let j = journal(&app).await;
    assert!(j.contains("visible"), "other fields stay readable: {j}");
    assert_hidden(&j);
}

#[tokio::test]
async fn percent_encoded_and_oddly_cased_secret_names_are_masked_in_queries_and_forms() {
    let app = TestApp::spawn_with("").await;
    for target in [
        format!("/gettoken?appkey=k&app%73ecret={SECRET}"),
        format!("/gettoken?appkey=k&APP%53ECRET={SECRET}"),
        format!("/gettoken?appkey=k&app%2573ecret={SECRET}"),
        format!("/gettoken?appkey=k&%61ppsecret={SECRET}&visible=1"),
    ] {
        app.send(Method::GET, &target, &[], "").await;
    }
    app.send(
        Method::POST,
        "/oauth/v3/token",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        format!("grant_type=client_credentials&client_id=c&client%5Fsecret={SECRET}"),
    )
    .await;
    let j = journal(&app).await;
    assert!(j.contains("visible=1"), "{j}");
    assert_hidden(&j);
}
