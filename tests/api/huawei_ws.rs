//! Huawei's meeting-control WebSocket through a client that follows the documented frames
//! (pages meeting_21_1508 … 1520): connect with CreateWebSocketToken's token, Subscribe with the
//! control token (`data` double-encoded and `Basic` as the docs' sample code sends it), the
//! pushes that report invite outcomes — agreeing with ShowRealTimeInfoOfMeeting — heartbeats
//! and silence on the server clock, used/expired tokens, bad frames, the meeting's end, and a
//! client that stops reading.

use crate::common::TestApp;
use crate::huawei::{b64, Hw, RUNNING};
use futures_util::{SinkExt, StreamExt};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

type Ws = WebSocketStream<TcpStream>;

const PATH: &str = "/cms/open/websocket/confctl/increment/conn";
const ALICE: &str = "+8613800000001";
const NOBODY: &str = "+8613800000008";
const DECLINER: &str = "+8613800000009";

/// A fresh 1-minute WebSocket token (CreateWebSocketToken).
async fn ws_token(hw: &Hw, at: &str, ct: &str) -> String {
    let r = hw.ctl(Method::GET, "wsToken", RUNNING, ct, at, "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let t = r.json()["webSocketToken"].as_str().unwrap().to_string();
    assert!(t.starts_with("cnr"));
    t
}

async fn connect(hw: &Hw, conf: &str, token: &str) -> Ws {
    let addr = hw.app.running.addr();
    let stream = TcpStream::connect(addr).await.unwrap();
    let url = format!("ws://{addr}{PATH}?confID={conf}&tmpToken={token}");
    let (ws, resp) = tokio_tungstenite::client_async(url, stream)
        .await
        .expect("upgraded");
    assert_eq!(resp.status(), 101);
    ws
}

/// The next text frame as JSON; `None` once closed (the close code with it).
async fn next(ws: &mut Ws) -> Result<Value, Option<(u16, String)>> {
    loop {
        let m = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("a frame within 10 s");
        match m {
            Some(Ok(Message::Text(t))) => return Ok(serde_json::from_str(&t).expect("JSON")),
            Some(Ok(Message::Close(c))) => {
                return Err(c.map(|c| (u16::from(c.code), c.reason.to_string())))
            }
            Some(Ok(_)) => continue,
            _ => return Err(None),
        }
    }
}

async fn send(ws: &mut Ws, v: Value) {
    ws.send(Message::text(v.to_string())).await.unwrap();
}

/// Subscribes as the docs' sample code does; returns the answer.
async fn subscribe(ws: &mut Ws, ct: &str, types: &[&str]) -> Value {
    let data = json!({"subscribeType": types, "confToken": format!("Basic {}", b64(ct))});
    send(ws, json!({"sequence": "000000000000000002611382271289", "action": "Subscribe", "data": data.to_string()})).await;
    next(ws).await.expect("the Subscribe answer")
}

/// Reads frames until `pred` holds for the frames read so far.
async fn until(ws: &mut Ws, got: &mut Vec<Value>, pred: impl Fn(&[Value]) -> bool) {
    while !pred(got) {
        got.push(next(ws).await.expect("open"));
    }
}

/// (TEL, STATE) of everyone the ParticipantsNotify frames list, sorted.
fn view(frames: &[Value]) -> Vec<(String, i64)> {
    let mut by_pid: BTreeMap<String, (String, i64)> = BTreeMap::new();
    for f in frames
        .iter()
        .filter(|f| f["action"] == "ParticipantsNotify")
    {
        for p in f["data"].as_array().unwrap() {
            let pid = p["pid"].as_str().unwrap().to_string();
            if p["mode"] == 1 {
                by_pid.remove(&pid);
            } else {
                let m = &p["pinfoMap"];
                let state = m["STATE"].as_str().unwrap().parse().unwrap();
                by_pid.insert(pid, (m["TEL"].as_str().unwrap().to_string(), state));
            }
        }
    }
    let mut v: Vec<_> = by_pid.into_values().collect();
    v.sort();
    v
}

/// callNumber → errorCode of every InviteResultNotify, the last one winning.
fn results(frames: &[Value]) -> BTreeMap<String, String> {
    frames
        .iter()
        .filter(|f| f["action"] == "InviteResultNotify")
        .flat_map(|f| f["data"].as_array().unwrap().clone())
        .map(|d| {
            (
                d["callNumber"].as_str().unwrap().to_string(),
                d["errorCode"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn real_time(hw: &Hw, at: &str, ct: &str) -> Vec<(String, i64)> {
    let r = hw
        .ctl(Method::GET, "realTimeInfo", RUNNING, ct, at, "")
        .await;
    let mut v: Vec<(String, i64)> = r.json()["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["phone"].as_str().unwrap().to_string(),
                p["state"].as_i64().unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

async fn setup() -> (Hw, String, String) {
    let hw = Hw::of(TestApp::spawn().await);
    hw.app.freeze().await;
    let (at, ct) = hw.running().await;
    (hw, at, ct)
}

#[tokio::test]
async fn invite_outcomes_are_pushed_and_agree_with_real_time_info() {
    let (hw, at, ct) = setup().await;
    let mut ws = connect(&hw, RUNNING, &ws_token(&hw, &at, &ct).await).await;
    let ack = subscribe(
        &mut ws,
        &ct,
        &[
            "ParticipantsNotify",
            "InviteResultNotify",
            "AttendeesNotify",
        ],
    )
    .await;
    assert_eq!(
        ack,
        json!({"action": "Subscribe", "sequence": "000000000000000002611382271289",
               "data": {"returnCode": 0, "returnDesc": "SUCCESS"}})
    );
    let mut got = Vec::new();
    until(&mut ws, &mut got, |g| g.len() >= 2).await;
    assert_eq!(got[0]["action"], "ParticipantsNotify");
    assert_eq!(got[0]["msgMode"], 0);
    assert_eq!(got[0]["version"], got[0]["createTime"], "a full message");
    assert_eq!(got[1]["action"], "AttendeesNotify");
    assert_eq!(view(&got), real_time(&hw, &at, &ct).await);
    let list: Vec<Value> = [ALICE, NOBODY, DECLINER]
        .iter()
        .map(|n| json!({"name": n, "phone": n}))
        .collect();
    let body = json!({ "attendees": list });
    assert_eq!(hw.invite(RUNNING, &ct, &at, &body).await.status, 200);
    until(&mut ws, &mut got, |g| view(g).len() == 4).await;
    assert_eq!(view(&got), real_time(&hw, &at, &ct).await);
    assert!(
        view(&got).iter().filter(|(_, s)| *s == 1).count() == 3,
        "calling"
    );
    hw.app.advance_secs(30.0).await;
    until(&mut ws, &mut got, |g| results(g).len() == 2).await;
    assert_eq!(
        results(&got),
        BTreeMap::from([(ALICE.into(), "0".into()), (DECLINER.into(), "603".into())])
    );
    assert_eq!(view(&got), real_time(&hw, &at, &ct).await);
    hw.app.advance_secs(30.0).await;
    until(&mut ws, &mut got, |g| results(g).len() == 3).await;
    assert_eq!(results(&got)[NOBODY], "408", "rang out");
    assert_eq!(view(&got), real_time(&hw, &at, &ct).await);
    // The host hangs Alice up: a leave reason on the same channel.
    let pid = hw.online(&at, RUNNING).await["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["call_number"] == ALICE)
        .unwrap()["participant_id"]
        .clone();
    let hang = json!({"bulkHangUpParticipants": [pid]}).to_string();
    let r = hw
        .ctl(
            Method::POST,
            "participants/delete",
            RUNNING,
            &ct,
            &at,
            &hang,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    until(&mut ws, &mut got, |g| results(g)[ALICE] == "11076002").await;
    assert_eq!(view(&got), real_time(&hw, &at, &ct).await);
    assert_eq!(view(&got), [("demo@hwcorp".to_string(), 0)]);
    let versions: Vec<u64> = got
        .iter()
        .filter(|f| f["msgMode"] == 1)
        .map(|f| f["version"].as_u64().unwrap())
        .collect();
    assert_eq!(versions, (1..=versions.len() as u64).collect::<Vec<_>>());
    for f in &got {
        assert_eq!(f["confID"], RUNNING);
        assert_eq!(f["msgID"].as_str().unwrap().len(), 32);
    }
    let conns = hw.app.admin_get("/connections").await.json();
    assert!(
        conns.to_string().contains(&format!("conference {RUNNING}")),
        "{conns}"
    );
}

#[tokio::test]
async fn heartbeats_are_echoed_and_180_s_of_server_clock_silence_closes_the_channel() {
    let (hw, at, ct) = setup().await;
    let mut ws = connect(&hw, RUNNING, &ws_token(&hw, &at, &ct).await).await;
    let hb = json!({"sequence": "000000000000000001611993655770", "action": "HeartBeat"});
    send(&mut ws, hb.clone()).await;
    assert_eq!(next(&mut ws).await.unwrap(), hb);
    hw.app.advance_secs(179.0).await;
    send(&mut ws, hb.clone()).await;
    assert_eq!(next(&mut ws).await.unwrap(), hb, "still open at 179 s");
    hw.app.advance_secs(179.0).await;
    send(&mut ws, hb.clone()).await;
    assert_eq!(
        next(&mut ws).await.unwrap(),
        hb,
        "the heartbeat restarted the count"
    );
    hw.app.advance_secs(180.0).await;
    let closed = next(&mut ws).await.unwrap_err().unwrap();
    assert_eq!(closed.0, 1001, "{closed:?}");
}

#[tokio::test]
async fn a_used_expired_or_foreign_token_or_a_stopped_meeting_gets_the_channel_closed() {
    let (hw, at, ct) = setup().await;
    let closed = |ws: Ws| async move {
        let mut ws = ws;
        let (code, reason) = next(&mut ws).await.unwrap_err().unwrap();
        assert_eq!(code, 1008);
        serde_json::from_str::<Value>(&reason).unwrap()["error_code"].clone()
    };
    let t = ws_token(&hw, &at, &ct).await;
    drop(connect(&hw, RUNNING, &t).await);
    assert_eq!(
        closed(connect(&hw, RUNNING, &t).await).await,
        "MMC.111072065",
        "single use"
    );
    let t = ws_token(&hw, &at, &ct).await;
    hw.app.advance_secs(61.0).await;
    assert_eq!(
        closed(connect(&hw, RUNNING, &t).await).await,
        "MMC.111072065",
        "1 minute"
    );
    let t = ws_token(&hw, &at, &ct).await;
    assert_eq!(
        closed(connect(&hw, "916206899", &t).await).await,
        "MMC.111072065",
        "another conference's"
    );
    assert_eq!(
        closed(connect(&hw, "999999999", &t).await).await,
        "MMC.111072065"
    );
    // CreateConfToken's tmpWsToken also opens the channel, once.
    let r = hw
        .conf_token(&at, RUNNING, crate::huawei::RUNNING_PWD)
        .await;
    let tmp = r.json()["data"]["tmpWsToken"].as_str().unwrap().to_string();
    let mut ws = connect(&hw, RUNNING, &tmp).await;
    send(&mut ws, json!({"sequence": "1", "action": "HeartBeat"})).await;
    assert_eq!(next(&mut ws).await.unwrap()["action"], "HeartBeat");
    let t = ws_token(&hw, &at, &ct).await;
    assert_eq!(
        hw.ctl(Method::PUT, "stop", RUNNING, &ct, &at, "")
            .await
            .status,
        200
    );
    assert_eq!(
        closed(connect(&hw, RUNNING, &t).await).await,
        "MMC.111072005",
        "not running"
    );
}

#[tokio::test]
async fn bad_frames_get_conf_bad_request_and_a_wrong_conf_token_closes_the_channel() {
    let (hw, at, ct) = setup().await;
    let mut ws = connect(&hw, RUNNING, &ws_token(&hw, &at, &ct).await).await;
    for (frame, action, sequence) in [
        ("not json".to_string(), "", ""),
        (json!({"action": "HeartBeat"}).to_string(), "HeartBeat", ""),
        (json!({"action": "Dance", "sequence": "7"}).to_string(), "Dance", "7"),
        (
            json!({"action": "Subscribe", "sequence": "8", "data": {"subscribeType": ["NoSuchNotify"], "confToken": ct}}).to_string(),
            "Subscribe",
            "8",
        ),
    ] {
        ws.send(Message::text(frame.clone())).await.unwrap();
        let a = next(&mut ws).await.unwrap();
        assert_eq!(
            a,
            json!({"action": action, "sequence": sequence,
                   "data": {"returnCode": 111070001, "returnDesc": "CONF_BAD_REQUEST"}}),
            "{frame}"
        );
    }
    ws.send(Message::binary(vec![1u8, 2, 3])).await.unwrap();
    assert_eq!(
        next(&mut ws).await.unwrap()["data"]["returnCode"],
        111070001
    );
    let a = subscribe(&mut ws, "stbNOTATOKEN", &["ParticipantsNotify"]).await;
    assert_eq!(a["data"]["returnCode"], 111072065);
    assert_eq!(next(&mut ws).await.unwrap_err().unwrap().0, 1008);
}

#[tokio::test]
async fn the_meeting_ending_pushes_its_last_frames_then_closes_the_channel() {
    let (hw, at, ct) = setup().await;
    let mut ws = connect(&hw, RUNNING, &ws_token(&hw, &at, &ct).await).await;
    subscribe(
        &mut ws,
        &ct,
        &["ParticipantsNotify", "ConfDynamicInfoNotify"],
    )
    .await;
    let mut got = Vec::new();
    until(&mut ws, &mut got, |g| g.len() >= 2).await;
    assert_eq!(got[0]["action"], "ConfDynamicInfoNotify");
    assert_eq!(got[0]["state"], "Created");
    assert!(got[0].get("data").is_none(), "fields at the top level");
    assert_eq!(
        hw.ctl(Method::PUT, "stop", RUNNING, &ct, &at, "")
            .await
            .status,
        200
    );
    let closed = loop {
        match next(&mut ws).await {
            Ok(f) => got.push(f),
            Err(c) => break c,
        }
    };
    assert_eq!(closed.unwrap().0, 1000);
    assert_eq!(view(&got), Vec::<(String, i64)>::new(), "the host left");
    let last = got.last().unwrap();
    assert_eq!(last["action"], "ConfDynamicInfoNotify");
    assert_eq!(
        last["state"], "Schedule",
        "StopMeeting puts it back on the schedule"
    );
}

#[tokio::test]
async fn a_session_behind_by_more_than_the_live_feed_replays_the_kept_changes_in_order() {
    let (hw, at, ct) = setup().await;
    hw.app
        .admin_post(
            &format!("/meetings/{RUNNING}/capacity"),
            json!({"vendor": "huawei", "capacity": 2000}),
        )
        .await;
    let mut ws = connect(&hw, RUNNING, &ws_token(&hw, &at, &ct).await).await;
    subscribe(&mut ws, &ct, &["ParticipantsNotify"]).await;
    // One invite of 1,100 numbers: 1,100 changes published at once, more than the live feed
    // holds, while the client reads nothing; requests are answered meanwhile.
    let list: Vec<Value> = (0..1100)
        .map(|i| json!({"name": format!("n{i}"), "phone": format!("+8617{i:09}")}))
        .collect();
    let r = hw
        .invite(RUNNING, &ct, &at, &json!({ "attendees": list }))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    for _ in 0..20 {
        let r = hw
            .ctl(Method::GET, "realTimeInfo", RUNNING, &ct, &at, "")
            .await;
        assert_eq!(r.status, 200);
    }
    let mut got = Vec::new();
    until(&mut ws, &mut got, |g| view(g).len() == 1101).await;
    assert_eq!(view(&got), real_time(&hw, &at, &ct).await);
    assert_eq!(
        got.iter().filter(|f| f["msgMode"] == 0).count(),
        1,
        "only the first full message: the kept changes were replayed, not a new snapshot"
    );
    let versions: Vec<u64> = got
        .iter()
        .filter(|f| f["msgMode"] == 1)
        .map(|f| f["version"].as_u64().unwrap())
        .collect();
    assert_eq!(
        versions,
        (1..=1100).collect::<Vec<u64>>(),
        "every call, in order"
    );
}
