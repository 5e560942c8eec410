//! Tencent Meeting under arbitrary input, over real HTTP: the AK/SK signature verifier (a
//! correct signature always verifies, any single-byte change to the target, body or a signed
//! header fails, garbage never panics) and every write handler fed structured mutations of a
//! valid, correctly signed body. Each answer must be the `error_info` envelope (or a success)
//! with a documented status, and a refused request must change nothing.

use crate::mutate::{apply, mutation, Mutation};
use crate::server::{config, Resp, Shared};
use base64::Engine;
use hmac::{Hmac, Mac};
use proptest::prelude::*;
use serde_json::{json, Value};
use sha2::Sha256;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

const APP: &str = "211000001";
const SDK: &str = "28370000001";
const SID: &str = "AKIDmeetmockDemoSecretId0001";
const SKEY: &str = "meetmockDemoSecretKey0001";
const SCHEDULED: &str = "5417310002754750436";
const RUNNING: &str = "5417310002754750437";
/// The gateway's refusals: invalid app, timestamp, signature, replay.
const GATEWAY: &[i64] = &[190303, 190300, 200003, 190301];

static SERVER: OnceLock<Shared> = OnceLock::new();
static NONCE: AtomicU64 = AtomicU64::new(17_000_000_000_000_000_000);

fn server() -> &'static Shared {
    Shared::get(&SERVER)
}

fn sign(method: &str, nonce: &str, ts: &str, target: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(SKEY.as_bytes()).expect("any key length");
    mac.update(
        format!("{method}\nX-TC-Key={SID}&X-TC-Nonce={nonce}&X-TC-Timestamp={ts}\n").as_bytes(),
    );
    mac.update(target);
    mac.update(b"\n");
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    base64::engine::general_purpose::STANDARD.encode(hex)
}

/// The six gateway headers of a correctly signed request, in order:
/// AppId, SdkId, X-TC-Key, X-TC-Timestamp, X-TC-Nonce, X-TC-Signature.
fn signed_headers(method: &str, target: &[u8], body: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let ts = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0))
    .to_string();
    let nonce = NONCE.fetch_add(1, Ordering::Relaxed).to_string();
    let sig = sign(method, &nonce, &ts, target, body);
    vec![
        ("AppId", APP.into()),
        ("SdkId", SDK.into()),
        ("X-TC-Key", SID.into()),
        ("X-TC-Timestamp", ts.into()),
        ("X-TC-Nonce", nonce.into()),
        ("X-TC-Signature", sig.into()),
        ("X-TC-Registered", "1".into()),
    ]
}

fn send(
    method: &str,
    target: &[u8],
    headers: &[(&'static str, Vec<u8>)],
    body: &[u8],
) -> Result<Resp, String> {
    let mut h: Vec<(&str, &[u8])> = vec![("Content-Type", b"application/json")];
    h.extend(headers.iter().map(|(k, v)| (*k, v.as_slice())));
    server().send(method, target, &h, body)
}

fn gateway_code(r: &Resp) -> Option<i64> {
    r.json()["error_info"]["error_code"]
        .as_i64()
        .filter(|c| GATEWAY.contains(c))
}

/// Valid requests of every write operation (method, target, body).
fn operations() -> Vec<(&'static str, String, Value)> {
    let now = 1_795_250_005;
    vec![
        (
            "POST",
            "/v1/meetings".into(),
            json!({"userid": "userA", "instanceid": 1, "subject": "probe", "type": 0,
            "start_time": now.to_string(), "end_time": (now + 3600).to_string(),
            "invitees": [{"userid": "userB"}], "settings": {"mute_enable_join": true}}),
        ),
        (
            "PUT",
            format!("/v1/meetings/{SCHEDULED}/invitees"),
            json!({"userid": "userA", "instanceid": 1, "invitees": [{"userid": "userB"}, {"userid": "userC"}]}),
        ),
        (
            "PUT",
            format!("/v1/meetings/{SCHEDULED}"),
            json!({"userid": "userA", "instanceid": 1, "subject": "renamed"}),
        ),
        (
            "POST",
            format!("/v1/meetings/{SCHEDULED}/cancel"),
            json!({"userid": "userA", "instanceid": 1, "reason_code": 1}),
        ),
        (
            "POST",
            format!("/v1/meetings/{RUNNING}/dismiss"),
            json!({"operator_id": "userA", "operator_id_type": 1, "instanceid": 1, "reason_code": 1}),
        ),
        (
            "PUT",
            format!("/v1/real-control/meetings/{RUNNING}/status"),
            json!({"instanceid": 1, "meeting_locked": true, "operator_id": "userA", "operator_id_type": 1, "mute_all": true}),
        ),
    ]
}

/// Read-only targets whose query the verifier must sign byte for byte.
fn read_target(which: usize, extra: &str) -> String {
    let base = [
        format!("/v1/meetings/{RUNNING}?operator_id=userA&operator_id_type=1&instanceid=1"),
        format!("/v1/meetings/{SCHEDULED}/invitees?userid=userA&instanceid=1&pos=0"),
        format!("/v1/meetings/{RUNNING}/participants?userid=userA"),
        "/v1/meetings?userid=userA&instanceid=1".to_string(),
    ];
    format!("{}{extra}", base[which % base.len()])
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn a_correct_signature_always_verifies(
        which in 0usize..4,
        extra in "(&[A-Za-z0-9_.~%=-]{0,12}){0,3}",
        body in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let s = server();
        let _g = s.exclusive();
        let target = read_target(which, &extra);
        let h = signed_headers("GET", target.as_bytes(), &body);
        let (_, r) = s.case("tencent", || send("GET", target.as_bytes(), &h, &body))?;
        prop_assert_eq!(gateway_code(&r), None, "refused by the gateway: {}", r.text());
    }

    #[test]
    fn any_single_byte_change_to_target_body_or_signed_header_fails(
        op in 0usize..6,
        field in 0usize..8,
        at in any::<prop::sample::Index>(),
        replacement in "[A-Za-z0-9]",
    ) {
        let s = server();
        let _g = s.exclusive();
        let (method, target, body) = operations().swap_remove(op);
        let mut target = target.into_bytes();
        let mut body = body.to_string().into_bytes();
        let mut h = signed_headers(method, &target, &body);
        let rep = replacement.as_bytes()[0];
        // field 0: target, 1: body, 2..8: one of the six gateway headers.
        let bytes: &mut Vec<u8> = match field {
            0 => &mut target,
            1 => &mut body,
            n => &mut h[n - 2].1,
        };
        let i = at.index(bytes.len());
        let rep = if bytes[i] == rep { if rep == b'0' { b'1' } else { b'0' } } else { rep };
        // Keep the `/v1/` prefix: without it no vendor owns the path at all.
        prop_assume!(!(field == 0 && i < 4));
        bytes[i] = rep;
        let (refused, r) = s.case("tencent", || send(method, &target, &h, &body))?;
        prop_assert!(refused && r.status != 200, "accepted after a change: {}", r.text());
        let code = r.json()["error_info"]["error_code"].as_i64().unwrap_or(0);
        prop_assert!(GATEWAY.contains(&code) || code == 404, "not a gateway refusal: {}", r.text());
    }

    #[test]
    fn arbitrary_gateway_headers_targets_and_bodies_are_refused_cleanly(
        path in "/v1/(meetings|real-control/meetings)(/[A-Za-z0-9_%.-]{0,20}){0,3}(\\?[A-Za-z0-9_=&%-]{0,30})?",
        values in prop::collection::vec(prop::option::of(prop::collection::vec(
            prop_oneof![0x20u8..0x7f, 0x80u8..=0xff, Just(b'\t')], 0..40)), 6),
        method in prop::sample::select(vec!["GET", "POST", "PUT", "DELETE", "PATCH"]),
        body in prop::collection::vec(any::<u8>(), 0..128),
    ) {
        let s = server();
        let _g = s.exclusive();
        let names = ["AppId", "SdkId", "X-TC-Key", "X-TC-Timestamp", "X-TC-Nonce", "X-TC-Signature"];
        let h: Vec<(&'static str, Vec<u8>)> = names.iter().zip(values)
            .filter_map(|(n, v)| v.map(|v| (*n, v)))
            .collect();
        let (refused, r) = s.case("tencent", || send(method, path.as_bytes(), &h, &body))?;
        prop_assert!(refused, "unsigned request accepted: {}", r.text());
    }

    #[test]
    fn mutated_bodies_of_signed_write_requests_get_the_vendor_envelope(
        op in 0usize..6,
        m in mutation(),
    ) {
        let s = server();
        let _g = s.exclusive();
        let (method, target, valid) = operations().swap_remove(op);
        let body = apply(&valid, &m);
        let h = signed_headers(method, target.as_bytes(), &body);
        let (refused, r) = s.case("tencent", || send(method, target.as_bytes(), &h, &body))?;
        prop_assert_eq!(gateway_code(&r), None, "signed request refused by the gateway: {}", r.text());
        if matches!(m, Mutation::Raw(_) | Mutation::Truncate(_)) && serde_json::from_slice::<Value>(&body).is_err() {
            prop_assert!(refused, "a non-JSON body was accepted: {}", r.text());
        }
        if !refused {
            s.reset();
        }
    }
}

#[test]
fn the_valid_requests_the_targets_mutate_are_accepted() {
    let s = server();
    let _g = s.exclusive();
    for (method, target, valid) in operations() {
        s.reset();
        let body = valid.to_string().into_bytes();
        let h = signed_headers(method, target.as_bytes(), &body);
        let r = send(method, target.as_bytes(), &h, &body).expect("answered");
        let refused = crate::server::judge("tencent", &r).expect("the vendor envelope");
        assert!(!refused, "{method} {target}: {}", r.text());
    }
    s.reset();
}
