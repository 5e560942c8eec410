//! DingTalk: the flows an invite integration uses around InviteUsers — phone invitees without
//! nick, settings update, focus, scheduled conferences, room-code / org / data / details
//! queries, and the old gateway's user lookups that lead to unionIds.

use super::*;

#[tokio::test]
async fn a_phone_invitee_without_nick_is_called_under_its_number() {
    let app = TestApp::spawn().await;
    // The demo's invitees answer within seconds; a still clock keeps the calls as placed.
    app.freeze().await;
    let tok = token(&app).await;
    let id = new_conf(&app, &tok).await;
    let r = invite(
        &app,
        &tok,
        &id,
        json!({"phoneInviteeList": [{"phoneNumber": "13800000007"}]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json(), json!({"success": true}));
    let list = members(&app, &tok, &id).await;
    let phone = list.iter().find(|m| m["pstnJoin"] == true).unwrap();
    assert_eq!(phone["userNick"], "13800000007");
    assert_eq!(phone["attendStatus"], 2);
}

#[tokio::test]
async fn settings_update_locks_mutes_and_records_and_refuses_bad_types_unchanged() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let path = conf(DEMO_CONF, "");
    let r = call(
        &app,
        &tok,
        Method::PUT,
        &path,
        json!({"lockConference": "yes"}),
    )
    .await;
    assert_error(
        &r,
        400,
        "paramsError",
        "error:lockConference must be a boolean",
    );
    let r = invite(&app, &tok, DEMO_CONF, two_and_a_phone()).await;
    assert_eq!(r.status, StatusCode::OK, "not locked by the refused call");
    let r = call(
        &app,
        &tok,
        Method::PUT,
        &path,
        json!({"lockConference": true, "muteAll": true, "forbiddenShareScreen": true}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json(), json!({"case": "success", "code": "200"}));
    let r = invite(
        &app,
        &tok,
        DEMO_CONF,
        json!({"phoneInviteeList": [{"phoneNumber": "13800000008"}]}),
    )
    .await;
    assert_error(&r, 400, "paramsError", "error:conference is locked");
    let m = app
        .admin_get(&format!("/meetings/{DEMO_CONF}"))
        .await
        .json();
    assert_eq!(m["meeting"]["extra"]["forbiddenShareScreen"], true, "{m}");
    assert_eq!(m["meeting"]["locked"], true);
    let r = call(
        &app,
        &tok,
        Method::PUT,
        &conf("ffffffffffffffffffffffff", ""),
        json!({}),
    )
    .await;
    assert_error(&r, 400, "paramsError", "error:conference not found");
}

#[tokio::test]
async fn focus_sets_and_cancels_a_seated_member_only() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let path = conf(DEMO_CONF, "/focus");
    let r = call(
        &app,
        &tok,
        Method::POST,
        &path,
        json!({"action": "set", "unionId": "union-carol-0003"}),
    )
    .await;
    assert_eq!(r.json(), json!({"success": true}), "{}", r.text);
    let m = app
        .admin_get(&format!("/meetings/{DEMO_CONF}"))
        .await
        .json();
    assert_eq!(m["meeting"]["extra"]["focusUnionId"], "union-carol-0003");
    let r = call(
        &app,
        &tok,
        Method::POST,
        &path,
        json!({"action": "set", "unionId": ALICE}),
    )
    .await;
    assert_error(
        &r,
        400,
        "paramsError",
        "error:user is not in the conference",
    );
    let r = call(
        &app,
        &tok,
        Method::POST,
        &path,
        json!({"action": "spin", "unionId": HOST}),
    )
    .await;
    assert_error(&r, 400, "paramsError", "error:action is invalid");
    let r = call(&app, &tok, Method::POST, &path, json!({"action": "cancel"})).await;
    assert_error(
        &r,
        400,
        "MissingunionId",
        "unionId is mandatory for this action.",
    );
}

fn schedule_body(title: &str, start_s: i64) -> Value {
    json!({"creatorUnionId": HOST, "title": title, "startTime": start_s * 1000,
           "endTime": (start_s + 3600) * 1000,
           "scheduleConfSettingModel": {"hostUnionId": HOST, "muteOnJoin": 1}})
}

#[tokio::test]
async fn a_scheduled_conference_is_created_moved_queried_and_cancelled() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let path = "/v1.0/conference/scheduleConferences";
    let r = call(
        &app,
        &tok,
        Method::POST,
        path,
        schedule_body("Plan", 1_893_484_800),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let b = r.json();
    let id = b["scheduleConferenceId"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 36, "{id}");
    assert_eq!(b["roomCode"].as_str().map(str::len), Some(9));
    assert_eq!(b["requestId"], r.header("x-acs-request-id").unwrap());
    let mut moved = schedule_body("Moved", 1_893_571_200);
    moved["scheduleConferenceId"] = json!(id);
    let r = call(&app, &tok, Method::PUT, path, moved).await;
    assert_eq!(r.json(), json!({"success": true}), "{}", r.text);
    let q = get(
        &app,
        &tok,
        &format!("{path}/{id}/infos?requestUnionId={HOST}"),
    )
    .await;
    assert_eq!(q.json()["title"], "Moved", "{}", q.text);
    assert_eq!(q.json()["startTime"], 1_893_571_200_000i64);
    let held = get(
        &app,
        &tok,
        &format!("/v1.0/conference/videoConferences/scheduleConferences/{id}"),
    )
    .await;
    assert_eq!(held.json()["conferenceList"], json!([]), "not started yet");
    let r = call(
        &app,
        &tok,
        Method::POST,
        &format!("{path}/cancel"),
        json!({"scheduleConferenceId": id, "creatorUnionId": ALICE}),
    )
    .await;
    assert_error(
        &r,
        400,
        "paramsError",
        "error:only the creator can change the conference",
    );
    let r = call(
        &app,
        &tok,
        Method::POST,
        &format!("{path}/cancel"),
        json!({"scheduleConferenceId": id, "creatorUnionId": HOST}),
    )
    .await;
    assert_eq!(r.json(), json!({"success": true}), "{}", r.text);
    let r = call(
        &app,
        &tok,
        Method::POST,
        &format!("{path}/cancel"),
        json!({"scheduleConferenceId": id, "creatorUnionId": HOST}),
    )
    .await;
    assert_error(&r, 400, "paramsError", "error:conference has ended");
}

#[tokio::test]
async fn a_started_schedule_lists_its_conference_and_takes_invitations() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let r = call(
        &app,
        &tok,
        Method::POST,
        "/v1.0/conference/scheduleConferences",
        schedule_body("Plan", 1_893_484_800),
    )
    .await;
    let id = r.json()["scheduleConferenceId"]
        .as_str()
        .unwrap()
        .to_string();
    app.admin_post(
        &format!("/meetings/{id}/start"),
        json!({"vendor": "dingtalk"}),
    )
    .await;
    let held = get(
        &app,
        &tok,
        &format!("/v1.0/conference/videoConferences/scheduleConferences/{id}"),
    )
    .await;
    let list = held.json()["conferenceList"].clone();
    assert_eq!(list[0]["conferenceId"], id.as_str(), "{}", held.text);
    assert_eq!(list[0]["status"], 1);
    let r = invite(&app, &tok, &id, two_and_a_phone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn bad_schedules_are_refused_and_nothing_is_created() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let path = "/v1.0/conference/scheduleConferences";
    let mut b = schedule_body("Plan", 1_893_484_800);
    b["endTime"] = b["startTime"].clone();
    let r = call(&app, &tok, Method::POST, path, b).await;
    assert_error(
        &r,
        400,
        "paramsError",
        "error:endTime must be after startTime",
    );
    let mut b = schedule_body("Plan", 1_893_484_800);
    b["creatorUnionId"] = json!("nobody-xyz");
    let r = call(&app, &tok, Method::POST, path, b).await;
    assert_error(&r, 400, "unknownUserError", "unknownUserError");
    let mut b = schedule_body("Plan", 1_893_484_800);
    b.as_object_mut().unwrap().remove("startTime");
    let r = call(&app, &tok, Method::POST, path, b).await;
    assert_error(
        &r,
        400,
        "MissingstartTime",
        "startTime is mandatory for this action.",
    );
    let all = app.admin_get("/meetings?vendor=dingtalk").await.json();
    assert_eq!(all["meetings"].as_array().map(Vec::len), Some(1), "{all}");
}

#[tokio::test]
async fn room_code_org_list_data_and_details_read_the_store() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let r = get(&app, &tok, "/v1.0/conference/roomCodes/583912640/infos").await;
    let b = r.json();
    assert_eq!(
        b["conferenceList"][0]["conferenceId"], DEMO_CONF,
        "{}",
        r.text
    );
    assert_eq!(b["totalCount"], 1);
    assert_eq!(b["hasMore"], false);
    let none = get(&app, &tok, "/v1.0/conference/roomCodes/111111111/infos").await;
    assert_eq!(none.json()["conferenceList"], json!([]));
    let id = new_conf(&app, &tok).await;
    let org = get(&app, &tok, "/v1.0/conference/orgConferences?maxResults=1")
        .await
        .json();
    assert_eq!(org["totalCount"], 2, "{org}");
    assert_eq!(org["hasMore"], true);
    assert_eq!(org["nextToken"], "1");
    let data = get(&app, &tok, &conf(DEMO_CONF, "/infos?realData=true"))
        .await
        .json();
    assert_eq!(data["creatorId"], HOST, "{data}");
    assert_eq!(data["userCount"], 2);
    let r = get(&app, &tok, &conf(DEMO_CONF, "/infos")).await;
    assert_error(
        &r,
        400,
        "MissingrealData",
        "realData is mandatory for this action.",
    );
    let details = get(&app, &tok, &conf(DEMO_CONF, "/details?nick=Carol"))
        .await
        .json();
    let list = details["list"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{details}");
    assert_eq!(list[0]["unionId"], "union-carol-0003");
    assert_eq!(list[0]["status"], "online");
    let empty = get(&app, &tok, &conf(&id, "/details")).await.json();
    assert_eq!(empty["list"], json!([]), "nobody joined yet: {empty}");
}

#[tokio::test]
async fn the_user_lookups_lead_from_userid_or_mobile_to_the_union_id() {
    let app = TestApp::spawn().await;
    let tok = token(&app).await;
    let post = |path: &str, body: Value| {
        let url = format!("{path}?access_token={tok}");
        let app = &app;
        async move { app.send_json(Method::POST, &url, &[], &body).await }
    };
    let r = post(
        "/topapi/v2/user/get",
        json!({"userid": "user0001", "language": "zh_CN"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let b = r.json();
    assert_eq!(
        (b["errcode"].clone(), b["errmsg"].clone()),
        (json!(0), json!("ok")),
        "{b}"
    );
    assert_eq!(b["result"]["unionid"], ALICE);
    assert_eq!(b["result"]["name"], "Alice");
    let r = post("/topapi/user/getbymobile", json!({"mobile": "13800000003"}))
        .await
        .json();
    assert_eq!(r["result"]["userid"], "user0002", "{r}");
    let r = post("/topapi/user/getbyunionid", json!({"unionid": HOST}))
        .await
        .json();
    assert_eq!(r["result"]["userid"], "manager0001", "{r}");
    let r = post("/topapi/v2/user/get", json!({"userid": "nobody"}))
        .await
        .json();
    assert_eq!(
        (r["errcode"].clone(), r["errmsg"].clone()),
        (json!(60121), json!("找不到该用户"))
    );
    let r = post("/topapi/v2/user/get", json!({})).await.json();
    assert_eq!(r["errcode"], 400002);
    let r = app
        .send_json(
            Method::POST,
            "/topapi/v2/user/get?access_token=bogus",
            &[],
            &json!({"userid": "user0001"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let b = r.json();
    assert_eq!(b["errcode"], 88, "{b}");
    assert_eq!(b["sub_code"], "40014");
}
