//! The enterprise's concurrent parties (tenant setting `concurrent_participants`): calling
//! one party too many, in any of the enterprise's running meetings, answers 400
//! `MMC.111076004 CONF_PORTAL_PARTICIPANT_RESOURCE_NOT_ENOUGH` and changes nothing; a seat
//! freed anywhere in the enterprise makes room again. Scenario
//! `scenarios/huawei-enterprise-resource.yaml`.

use crate::huawei::{assert_err, b64, Hw};
use reqwest::{Method, StatusCode};
use serde_json::json;

const SALES: (&str, &str) = ("915000001", "111111");
const SUPPORT: (&str, &str) = ("915000002", "333333");

async fn small() -> (Hw, String) {
    let hw = Hw::with_scenario(include_str!(
        "../../scenarios/huawei-enterprise-resource.yaml"
    ))
    .await;
    let auth = format!("Basic {}", b64("admin@hwsmall:Small@Passw0rd"));
    let r = hw
        .call(
            Method::POST,
            "/v1/usg/acs/auth/account",
            &[("Authorization", &auth)],
            r#"{"account": "admin@hwsmall", "clientType": 72}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let at = r.json()["accessToken"].as_str().unwrap().to_string();
    (hw, at)
}

async fn ct(hw: &Hw, at: &str, (conf, pwd): (&str, &str)) -> String {
    let r = hw.conf_token(at, conf, pwd).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json()["data"]["token"].as_str().unwrap().to_string()
}

async fn seated(hw: &Hw, at: &str, conf: &str) -> u64 {
    hw.online(at, conf).await["count"].as_u64().unwrap()
}

#[tokio::test]
async fn one_party_over_the_enterprise_resource_is_111076004_in_any_meeting_and_changes_nothing() {
    let (hw, at) = small().await;
    let (sales, support) = (ct(&hw, &at, SALES).await, ct(&hw, &at, SUPPORT).await);
    let base = seated(&hw, &at, SALES.0).await + seated(&hw, &at, SUPPORT.0).await;
    assert!(base < 3, "the scenario leaves room: {base}");
    for n in base..3 {
        let one =
            json!({"attendees": [{"name": format!("P{n}"), "phone": format!("+861500000000{n}")}]});
        let r = hw.invite(SALES.0, &sales, &at, &one).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    let before = seated(&hw, &at, SUPPORT.0).await;
    let more = json!({"attendees": [{"name": "Q", "phone": "+8615100000009"}]});
    let r = hw.invite(SUPPORT.0, &support, &at, &more).await;
    assert_err(
        &r,
        400,
        "MMC.111076004",
        "CONF_PORTAL_PARTICIPANT_RESOURCE_NOT_ENOUGH",
    );
    assert_eq!(seated(&hw, &at, SUPPORT.0).await, before, "nothing changed");
    // InviteWithPwd counts against the same resource.
    let body = json!({"callNum": "+8615100000010", "pwd": "444444"}).to_string();
    let r = hw
        .call(
            Method::POST,
            &format!(
                "/v1/mmc/control/conferences/inviteWithPwd?conferenceID={}",
                SUPPORT.0
            ),
            &[],
            &body,
        )
        .await;
    assert_err(
        &r,
        400,
        "MMC.111076004",
        "CONF_PORTAL_PARTICIPANT_RESOURCE_NOT_ENOUGH",
    );
    // Ending the sales meeting frees its seats for the enterprise.
    hw.app
        .admin_post(
            &format!("/meetings/{}/end?vendor=huawei", SALES.0),
            json!({}),
        )
        .await;
    let r = hw.invite(SUPPORT.0, &support, &at, &more).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn a_resource_that_is_not_a_positive_count_is_refused_naming_the_tenant() {
    let hw = Hw::new(false).await;
    let yaml = "tenants:\n  - vendor: huawei\n    id: hwbad\n    extra:\n      concurrent_participants: 0\n";
    let r = hw
        .app
        .send(Method::POST, "/__admin/scenarios", &[], yaml)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(r.text.contains("positive whole number"), "{}", r.text);
    assert!(r.text.contains("huawei/hwbad"), "{}", r.text);
    assert!(hw
        .app
        .admin_get("/tenants?vendor=huawei")
        .await
        .text
        .find("hwbad")
        .is_none());
}
