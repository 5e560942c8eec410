//! Huawei account state and user management (lockout 423, disabled 412, USG.201040000/1, the
//! corporate directory, proxy login) and the control operations around the invite flow (mute,
//! roles, rename, InviteWithPwd, history, number lookup, UpdateMeeting).

use crate::huawei::{assert_err, b64, bob, create, Hw, ACCOUNT, PASSWORD, RUNNING, RUNNING_PWD};
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn login_with(hw: &Hw, account: &str, pwd: &str) -> crate::common::Resp {
    let auth = format!("Basic {}", b64(&format!("{account}:{pwd}")));
    let body = json!({"account": account, "clientType": 72}).to_string();
    hw.call(
        Method::POST,
        "/v1/usg/acs/auth/account",
        &[("Authorization", &auth)],
        &body,
    )
    .await
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_with_423_until_five_minutes_pass() {
    let hw = Hw::new(false).await;
    for _ in 0..5 {
        let r = login_with(&hw, ACCOUNT, "Wrong@Passw0rd").await;
        assert_err(
            &r,
            401,
            "USG.201010001",
            "The account or password is incorrect.",
        );
    }
    let r = login_with(&hw, ACCOUNT, PASSWORD).await;
    assert_err(&r, 423, "USG.201010010", "The account has been locked.");
    hw.app.advance_secs(300.0).await;
    assert_eq!(
        login_with(&hw, ACCOUNT, PASSWORD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn users_are_added_found_disabled_and_deleted_with_their_usg_codes() {
    let hw = Hw::new(false).await;
    let at = hw.login().await;
    let add = json!({"name": "Carol", "account": "carol@hwcorp", "pwd": "Carol@Passw0rd", "phone": "+8613800000003"}).to_string();
    let r = hw
        .at(Method::POST, "/v1/usg/dcs/corp/member", &at, &add)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["userAccount"], "carol@hwcorp");
    let r = hw
        .at(Method::POST, "/v1/usg/dcs/corp/member", &at, &add)
        .await;
    assert_err(&r, 400, "USG.201040001", "The account already exists.");
    assert_eq!(
        login_with(&hw, "carol@hwcorp", "Carol@Passw0rd")
            .await
            .status,
        StatusCode::OK
    );
    let r = hw
        .at(
            Method::PUT,
            "/v1/usg/dcs/corp/member/status/1",
            &at,
            r#"["carol@hwcorp"]"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = login_with(&hw, "carol@hwcorp", "Carol@Passw0rd").await;
    assert_err(&r, 412, "USG.201010007", "The account has been disabled.");
    let r = hw
        .at(
            Method::PUT,
            "/v1/usg/dcs/corp/member/status/1",
            &at,
            r#"["carol@hwcorp","nobody"]"#,
        )
        .await;
    assert_err(&r, 400, "USG.201040000", "The user does not exist.");
    let r = hw
        .at(
            Method::POST,
            "/v1/usg/dcs/corp/member/delete",
            &at,
            r#"["carol@hwcorp"]"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = hw
        .at(Method::GET, "/v1/usg/dcs/corp/member/carol@hwcorp", &at, "")
        .await;
    assert_err(&r, 400, "USG.201040000", "The user does not exist.");
}

#[tokio::test]
async fn the_corporate_directory_gives_the_numbers_invitations_dial() {
    let hw = Hw::new(false).await;
    let at = hw.login().await;
    let r = hw
        .at(Method::GET, "/v1/usg/abs/users?searchKey=Alice", &at, "")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    assert_eq!(v["count"], 1, "{v}");
    let entry = &v["data"][0];
    assert_eq!(entry["account"], "alice@hwcorp");
    assert_eq!(entry["phone"], "+8613800000001");
    let number = entry["number"].as_str().unwrap().to_string();
    assert!(number.starts_with("+99111"), "{number}");
    let (_, ct) = hw.running().await;
    let body = json!({"attendees": [{"name": "Alice", "phone": number}]});
    assert_eq!(
        hw.invite(RUNNING, &ct, &at, &body).await.status,
        StatusCode::OK
    );
    let q = format!(
        "/v2/mms/ncms/conferences/online/check-callnumber-in-conf?call_number={}",
        number.replace('+', "%2B")
    );
    let r = hw.at(Method::GET, &q, &at, "").await;
    assert_eq!(r.json(), json!({"in_conf": true, "conf_id": RUNNING}));
}

#[tokio::test]
async fn proxy_login_checks_the_account_like_create_token() {
    let hw = Hw::new(false).await;
    let body = |pwd: &str| {
        json!({"account": ACCOUNT, "pwd": pwd, "authServerType": "workplace", "authType": "AccountAndPwd", "clientType": 72}).to_string()
    };
    let r = hw
        .call(Method::POST, "/v1/usg/acs/auth/proxy", &[], &body(PASSWORD))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.json()["accessToken"].as_str().unwrap().starts_with("stb"));
    let r = hw
        .call(
            Method::POST,
            "/v1/usg/acs/auth/proxy",
            &[],
            &body("nope-nope"),
        )
        .await;
    assert_err(
        &r,
        401,
        "USG.201010001",
        "The account or password is incorrect.",
    );
}

#[tokio::test]
async fn participants_are_muted_renamed_and_given_roles_by_participant_id() {
    let hw = Hw::new(false).await;
    let (at, ct) = hw.running().await;
    hw.invite(RUNNING, &ct, &at, &bob()).await;
    let online = hw.online(&at, RUNNING).await;
    let pid = online["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "Bob")
        .unwrap()["participant_id"]
        .as_str()
        .unwrap()
        .to_string();
    let q = |op: &str| {
        format!("/v1/mmc/control/conferences/participants/{op}?conferenceID={RUNNING}&participantID={pid}")
    };
    let h = [("X-Conference-Authorization", ct.as_str())];
    let r = hw
        .call(Method::PUT, &q("mute"), &h, r#"{"isMute": 1}"#)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let rt = hw
        .ctl(Method::GET, "realTimeInfo", RUNNING, &ct, &at, "")
        .await
        .json();
    let bob_rt = rt["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["pid"] == pid.as_str())
        .unwrap()
        .clone();
    assert_eq!(bob_rt["mute"], 1, "{rt}");
    let r = hw
        .call(Method::PUT, &q("cohost"), &h, r#"{"isCohost": 1}"#)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let rt = hw
        .ctl(Method::GET, "realTimeInfo", RUNNING, &ct, &at, "")
        .await
        .json();
    assert_eq!(rt["confInfo"]["coHosts"], json!([pid]), "{rt}");
    let long = json!({"participantID": pid, "number": "+8613800000002", "newName": "x".repeat(97)})
        .to_string();
    let r = hw
        .ctl(Method::PUT, "participants/name", RUNNING, &ct, &at, &long)
        .await;
    assert_err(&r, 400, "MMC.111072047", "SITE_NEW_NAME_LENGTH_TOO_LONG");
    let ok = json!({"number": "+8613800000002", "newName": "Robert"}).to_string();
    assert_eq!(
        hw.ctl(Method::PUT, "participants/name", RUNNING, &ct, &at, &ok)
            .await
            .status,
        StatusCode::OK
    );
    let r = hw
        .call(
            Method::PUT,
            &q("role"),
            &h,
            r#"{"applyChair": 1, "chairmanPwd": "000000"}"#,
        )
        .await;
    assert_err(&r, 400, "MMC.111072065", "CONF_NOT_FOUND_OR_AUTH_FAILED");
    let body = json!({"applyChair": 1, "chairmanPwd": RUNNING_PWD}).to_string();
    assert_eq!(
        hw.call(Method::PUT, &q("role"), &h, &body).await.status,
        StatusCode::OK
    );
    let rt = hw
        .ctl(Method::GET, "realTimeInfo", RUNNING, &ct, &at, "")
        .await
        .json();
    assert_eq!(rt["confInfo"]["chairID"], pid.as_str(), "{rt}");
    let r = hw
        .call(
            Method::PUT,
            &q("mute").replace(&pid, "nope"),
            &h,
            r#"{"isMute": 1}"#,
        )
        .await;
    assert_err(&r, 400, "MMC.111072008", "CONF_PARTICIPANT_NOT_EXIST");
}

#[tokio::test]
async fn invite_with_the_guest_password_is_refused_while_the_meeting_is_locked() {
    let hw = Hw::new(false).await;
    let (at, ct) = hw.running().await;
    hw.ctl(Method::PUT, "lock", RUNNING, &ct, &at, r#"{"isLock": 1}"#)
        .await;
    let path = format!("/v1/mmc/control/conferences/inviteWithPwd?conferenceID={RUNNING}");
    let body = |pwd: &str| {
        json!({"callNum": "+99111000000042", "confID": RUNNING, "pwd": pwd}).to_string()
    };
    let r = hw.call(Method::POST, &path, &[], &body("135790")).await;
    assert_err(&r, 400, "MMC.111072050", "CONF_LOCKED");
    let r = hw.call(Method::POST, &path, &[], &body(RUNNING_PWD)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(hw.online(&at, RUNNING).await["count"], 2);
}

#[tokio::test]
async fn a_stopped_meeting_is_history_and_a_scheduled_one_can_be_updated() {
    let hw = Hw::new(false).await;
    let (at, ct) = hw.running().await;
    hw.invite(RUNNING, &ct, &at, &bob()).await;
    hw.ctl(Method::PUT, "stop", RUNNING, &ct, &at, "").await;
    let v = hw
        .at(
            Method::GET,
            "/v1/mmc/management/conferences/history?queryAll=true",
            &at,
            "",
        )
        .await
        .json();
    assert_eq!(v["count"], 1, "{v}");
    let uuid = v["data"][0]["confUUID"].as_str().unwrap().to_string();
    let r = hw
        .at(
            Method::GET,
            &format!("/v1/mmc/management/conferences/history/confDetail?confUUID={uuid}"),
            &at,
            "",
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.text.contains("+8613800000002"), "{}", r.text);
    let r = create(&hw, &at, json!({"startTime": "2031-01-01 08:00", "subject": "a", "length": 60, "mediaTypes": "Voice"})).await;
    let conf = r.json()[0]["conferenceID"].as_str().unwrap().to_string();
    let path = format!("/v1/mmc/management/conferences?conferenceID={conf}");
    let r = hw
        .at(
            Method::PUT,
            &path,
            &at,
            r#"{"subject": "renamed", "length": 90}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()[0]["subject"], "renamed");
    assert_eq!(r.json()[0]["endTime"], "2031-01-01 09:30");
    let r = hw
        .at(
            Method::PUT,
            &format!("/v1/mmc/management/conferences?conferenceID={RUNNING}"),
            &at,
            r#"{"length": 500}"#,
        )
        .await;
    // RUNNING was stopped above: back on the schedule, so it can be edited.
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}
