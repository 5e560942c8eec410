//! Frames of the meeting WebSocket against the docs' examples (pages meeting_21_1511 …
//! 1520): client frames both ways the docs write them, answers, and the pushes of a call.
//! Compiled only as ws_frames.rs's `#[cfg(test)] mod tests`.

use super::*;
use crate::store::change::MeetingSummary;
use crate::store::VendorId;
use serde_json::Value;

#[test]
fn subscribe_data_is_read_as_a_json_string_or_an_object() {
    let doc = r#"{ "sequence": "000000000000000001702459164879", "action": "Subscribe", "data": "{\"subscribeType\":[\"ParticipantsNotify\",\"InviteResultNotify\"],\"confToken\":\"Basic c3RiZjYyMjZlZWU4\"}" }"#;
    let want = Client::Subscribe {
        sequence: "000000000000000001702459164879".into(),
        types: vec!["ParticipantsNotify".into(), "InviteResultNotify".into()],
        conf_token: "Basic c3RiZjYyMjZlZWU4".into(),
        conference_id: None,
    };
    assert_eq!(parse(doc), want);
    let object = r#"{"sequence":"000000000000000001702459164879","action":"Subscribe","data":{"subscribeType":["ParticipantsNotify","InviteResultNotify"],"confToken":"Basic c3RiZjYyMjZlZWU4"}}"#;
    assert_eq!(parse(object), want);
    assert_eq!(conf_token("Basic c3RiZjYyMjZlZWU4"), "stbf6226eee8");
    assert_eq!(conf_token(" stbraw "), "stbraw");
}

#[test]
fn heartbeats_echo_their_sequence_and_bad_frames_are_named() {
    let hb = r#"{ "sequence": "000000000000000001611993655770", "action": "HeartBeat" }"#;
    let Client::HeartBeat { sequence } = parse(hb) else {
        panic!("a heartbeat")
    };
    let echo: Value = serde_json::from_str(&heartbeat(&sequence)).unwrap();
    assert_eq!(echo, serde_json::from_str::<Value>(hb).unwrap());
    for (frame, action, sequence) in [
        ("not json", "", ""),
        (r#"{"action":"HeartBeat"}"#, "HeartBeat", ""),
        (r#"{"action":"Dance","sequence":"1"}"#, "Dance", "1"),
        (
            r#"{"action":"Subscribe","sequence":"2","data":"{}"}"#,
            "Subscribe",
            "2",
        ),
        (
            r#"{"action":"Subscribe","sequence":"3","data":{"subscribeType":"x","confToken":"t"}}"#,
            "Subscribe",
            "3",
        ),
    ] {
        assert_eq!(
            parse(frame),
            Client::Bad {
                action: action.into(),
                sequence: sequence.into()
            },
            "{frame}"
        );
    }
    let a: Value = serde_json::from_str(&answer("Subscribe", "9", 0, "SUCCESS")).unwrap();
    assert_eq!(
        a,
        serde_json::json!({"action":"Subscribe","sequence":"9","data":{"returnCode":0,"returnDesc":"SUCCESS"}})
    );
}

fn change(seq: u64, kind: ChangeKind, operator: Option<&str>) -> Change {
    let m = Meeting {
        id: "900487914".into(),
        creator: "host".into(),
        host: Some("host".into()),
        state: MeetingState::InProgress,
        ..Default::default()
    };
    Change {
        seq,
        meeting_seq: seq,
        at_ms: 1_611_993_595_063 + seq as i64,
        vendor: VendorId::Huawei,
        tenant: "t".into(),
        operator: operator.map(str::to_string),
        meeting: MeetingSummary::of(&m),
        kind,
    }
}

fn who(status: ParticipantStatus) -> Who {
    let mut extra = Map::new();
    extra.insert("phone".into(), Value::from("+86571299676493248"));
    Who {
        user_id: "+86571299676493248".into(),
        name: "Alice".into(),
        participant_id: "ebbe4e6cdc6111ee960a91a270e1373e".into(),
        status,
        joined_at: None,
        left_at: None,
        extra,
        rejoined: false,
    }
}

fn parsed(frames: &[String]) -> Vec<Value> {
    frames
        .iter()
        .map(|f| serde_json::from_str(f).unwrap())
        .collect()
}

#[test]
fn a_call_then_an_answer_pushes_calling_then_in_meeting_and_result_zero() {
    let mut p = Pusher::new("900487914", 7);
    p.subscribe(&[PARTICIPANTS.into(), INVITE_RESULT.into()]);
    let called = parsed(&p.change(
        &change(
            1,
            ChangeKind::ParticipantCalled {
                participant: who(ParticipantStatus::Calling),
            },
            Some("host"),
        ),
        None,
    ));
    assert_eq!(called.len(), 1);
    let f = &called[0];
    assert_eq!(f["action"], "ParticipantsNotify");
    assert_eq!(
        (f["msgMode"].clone(), f["version"].clone()),
        (1.into(), 1.into())
    );
    assert_eq!(f["confID"], "900487914");
    assert_eq!(f["createTime"], 1_611_993_595_064i64);
    assert_eq!(f["msgID"].as_str().unwrap().len(), 32);
    let dto = &f["data"][0];
    assert_eq!(dto["pid"], "ebbe4e6cdc6111ee960a91a270e1373e");
    assert_eq!(dto["mode"], 0);
    assert_eq!(dto["pinfoMap"]["STATE"], "1");
    assert_eq!(dto["pinfoMap"]["TEL"], "+86571299676493248");
    assert!(dto["pinfoMap"]
        .as_object()
        .unwrap()
        .values()
        .all(Value::is_string));
    let rang = p.change(
        &change(
            2,
            ChangeKind::ParticipantRinging {
                participant: who(ParticipantStatus::Ringing),
            },
            None,
        ),
        None,
    );
    assert!(rang.is_empty(), "still calling: nothing new");
    let joined = parsed(&p.change(
        &change(
            3,
            ChangeKind::ParticipantJoined {
                participant: who(ParticipantStatus::Joined),
            },
            None,
        ),
        None,
    ));
    assert_eq!(joined[0]["data"][0]["pinfoMap"]["STATE"], "0");
    assert_eq!(joined[0]["version"], 2);
    assert_eq!(joined[1]["action"], "InviteResultNotify");
    assert_eq!(
        joined[1]["data"],
        serde_json::json!([{"callNumber": "+86571299676493248", "errorCode": "0"}])
    );
    assert_eq!(joined[1]["version"], 3);
    let left = parsed(&p.change(
        &change(
            4,
            ChangeKind::ParticipantLeft {
                participant: who(ParticipantStatus::Left),
                reason: LeaveReason::Kicked,
            },
            Some("host"),
        ),
        None,
    ));
    assert_eq!(left[0]["data"][0]["mode"], 1);
    assert_eq!(left[1]["data"][0]["errorCode"], "11076002");
}

#[test]
fn refusals_are_failed_invite_results_and_a_self_join_is_no_invite_result() {
    for (kind, code) in [
        (
            ChangeKind::ParticipantDeclined {
                participant: who(ParticipantStatus::Declined),
            },
            "603",
        ),
        (
            ChangeKind::ParticipantBusy {
                participant: who(ParticipantStatus::Busy),
            },
            "486",
        ),
        (
            ChangeKind::ParticipantMissed {
                participant: who(ParticipantStatus::Missed),
                cancelled: false,
            },
            "408",
        ),
        (
            ChangeKind::ParticipantMissed {
                participant: who(ParticipantStatus::Missed),
                cancelled: true,
            },
            "487",
        ),
        (
            ChangeKind::ParticipantLeft {
                participant: who(ParticipantStatus::Left),
                reason: LeaveReason::Left,
            },
            "11076010",
        ),
        (
            ChangeKind::ParticipantLeft {
                participant: who(ParticipantStatus::Left),
                reason: LeaveReason::Kicked,
            },
            "11076016",
        ),
    ] {
        let mut p = Pusher::new("900487914", 1);
        p.subscribe(&[INVITE_RESULT.into()]);
        let f = parsed(&p.change(&change(1, kind, None), None));
        assert_eq!(f.len(), 1, "only the subscribed type");
        assert_eq!(f[0]["data"][0]["errorCode"], code);
    }
    let mut p = Pusher::new("900487914", 1);
    p.subscribe(&[INVITE_RESULT.into(), PARTICIPANTS.into()]);
    let f = p.change(
        &change(
            1,
            ChangeKind::ParticipantJoined {
                participant: who(ParticipantStatus::Joined),
            },
            None,
        ),
        None,
    );
    assert_eq!(
        parsed(&f).len(),
        1,
        "a join nobody called reports no invite result"
    );
}
