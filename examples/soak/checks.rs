//! What the soak verifies: requests that must be refused (sent throughout the run at sentinel
//! meetings nothing else touches, which must read back unchanged), the domain invariants of
//! the final state, and flat memory.

use crate::client::Ctx;
use crate::load::{tencent, tencent_headers};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::atomic::Ordering;

/// Meetings only the refusal tracker addresses: (vendor, id).
pub const SENTINELS: &[(&str, &str)] = &[
    ("tencent", "5417310002754750436"),
    ("feishu", "6911188411934973028"),
    ("dingtalk", "607452e01401526ee39609e1"),
    ("huawei", "916206899"),
];

pub async fn sentinel_views(ctx: &Ctx) -> Vec<Value> {
    let mut out = Vec::new();
    for (v, id) in SENTINELS {
        out.push(
            ctx.admin(Method::GET, &format!("/meetings/{id}?vendor={v}"), None)
                .await,
        );
    }
    out
}

/// Sends one request that must be refused (kind `n` of eight); notes a failure if accepted.
pub async fn refused_request(ctx: &Ctx, n: u64, tokens: &(String, String)) {
    let (fs_tenant, dt_token) = tokens;
    let (vendor, answer) = match n % 8 {
        0 => {
            // A signature made with the wrong secret.
            let t = format!("/v1/meetings/{}/invitees", SENTINELS[0].1);
            let b = json!({"userid": "userA", "instanceid": 1, "invitees": [{"userid": "userB"}]})
                .to_string();
            let h = tencent_headers(ctx, "PUT", &t, b.as_bytes(), "not-the-secret");
            (
                "tencent",
                ctx.call(
                    "tencent",
                    "invitees_put",
                    Method::PUT,
                    &t,
                    &h,
                    b.into_bytes(),
                )
                .await,
            )
        }
        1 => {
            // Over Tencent's 2000-invitee limit, correctly signed.
            let inv: Vec<Value> = (0..2001)
                .map(|i| json!({"userid": format!("u{i}")}))
                .collect();
            let b = json!({"userid": "userA", "instanceid": 1, "invitees": inv});
            (
                "tencent",
                tencent(
                    ctx,
                    Method::PUT,
                    &format!("/v1/meetings/{}/invitees", SENTINELS[0].1),
                    &b,
                    "invitees_put",
                )
                .await,
            )
        }
        2 => {
            let p = format!("/open-apis/vc/v1/reserves/{}", SENTINELS[1].1);
            let b = json!({"end_time": "1", "meeting_settings": {"topic": "refused"}})
                .to_string()
                .into_bytes();
            (
                "feishu",
                ctx.call(
                    "feishu",
                    "reserve.update",
                    Method::PUT,
                    &p,
                    &[("Authorization", format!("Bearer {fs_tenant}"))],
                    b,
                )
                .await,
            )
        }
        3 => {
            let p = format!("/open-apis/vc/v1/reserves/{}", SENTINELS[1].1);
            (
                "feishu",
                ctx.call(
                    "feishu",
                    "reserve.delete",
                    Method::DELETE,
                    &p,
                    &[("Authorization", "Bearer t-forged".into())],
                    Vec::new(),
                )
                .await,
            )
        }
        4 => {
            let p = format!(
                "/v1.0/conference/videoConferences/{}/users/invite",
                SENTINELS[2].1
            );
            let b = br#"{"unionId": "host-union-0001", "inviteeList": [{"unionId": "union-alice-0001"}]}"#.to_vec();
            (
                "dingtalk",
                ctx.call(
                    "dingtalk",
                    "InviteUsers",
                    Method::POST,
                    &p,
                    &[("x-acs-dingtalk-access-token", "forged".into())],
                    b,
                )
                .await,
            )
        }
        5 => {
            let p = format!(
                "/v1.0/conference/videoConferences/{}/users/invite",
                SENTINELS[2].1
            );
            let b = br#"{"unionId": "host-union-0001", "inviteeList": [{"unionId": "#.to_vec();
            (
                "dingtalk",
                ctx.call(
                    "dingtalk",
                    "InviteUsers",
                    Method::POST,
                    &p,
                    &[("x-acs-dingtalk-access-token", dt_token.clone())],
                    b,
                )
                .await,
            )
        }
        6 => {
            let b = json!({"conferenceID": SENTINELS[3].1, "password": "000000"})
                .to_string()
                .into_bytes();
            (
                "huawei",
                ctx.call(
                    "huawei",
                    "StartMeeting",
                    Method::POST,
                    "/v1/mmc/management/conferences/start",
                    &[("X-Access-Token", "forged".into())],
                    b,
                )
                .await,
            )
        }
        _ => {
            let p = format!(
                "/v1/mmc/control/conferences/lock?conferenceID={}",
                SENTINELS[3].1
            );
            let h = [
                ("X-Access-Token", "forged".into()),
                ("X-Conference-Authorization", "forged".into()),
            ];
            (
                "huawei",
                ctx.call(
                    "huawei",
                    "LockMeeting",
                    Method::PUT,
                    &p,
                    &h,
                    br#"{"isLock": 1}"#.to_vec(),
                )
                .await,
            )
        }
    };
    ctx.stats.tracked_refusals.fetch_add(1, Ordering::Relaxed);
    if let Some(a) = answer {
        if a.ok(vendor) {
            ctx.stats.fail(format!(
                "a request that must be refused was accepted ({vendor}, kind {}): {}",
                n % 8,
                a.json
            ));
        }
    }
}

/// Checks the final state; returns (meetings checked, people checked, phone/guest entries
/// among them, problems).
pub fn invariants(state: &Value) -> (usize, usize, usize, Vec<String>) {
    let mut problems = Vec::new();
    let (mut meetings, mut checked, mut outside) = (0, 0, 0);
    for t in state["tenants"].as_array().into_iter().flatten() {
        let vendor = t["vendor"].as_str().unwrap_or("");
        let mut known: HashSet<&str> = HashSet::new();
        for u in t["users"].as_array().into_iter().flatten() {
            known.extend(u["id"].as_str());
            for a in u["aliases"]
                .as_object()
                .into_iter()
                .flat_map(|o| o.values())
            {
                known.extend(a.as_str());
            }
        }
        for m in t["meetings"].as_array().into_iter().flatten() {
            meetings += 1;
            let id = m["id"].as_str().unwrap_or("?");
            let seats = m["participants"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| matches!(p["status"].as_str(), Some("joined" | "calling" | "ringing")))
                .count() as u64;
            let capacity = m["capacity"].as_u64().unwrap_or(0);
            if seats > capacity {
                problems.push(format!(
                    "{vendor} meeting {id}: {seats} seats taken of {capacity}"
                ));
            }
            let invitees = m["invitees"].as_array().map_or(0, Vec::len);
            if vendor == "tencent" && invitees > 2000 {
                problems.push(format!("tencent meeting {id}: {invitees} invitees"));
            }
            let people = m["participants"]
                .as_array()
                .into_iter()
                .flatten()
                .chain(m["invitees"].as_array().into_iter().flatten());
            for p in people {
                let uid = p["user_id"].as_str().unwrap_or("");
                checked += 1;
                if known.contains(uid) {
                    continue;
                }
                outside += 1;
                if !outside_entry(uid, p) {
                    problems.push(format!(
                        "{vendor} meeting {id}: {uid:?} is not a user of tenant {}",
                        t["id"]
                    ));
                }
            }
        }
    }
    (meetings, checked, outside, problems)
}

/// A phone number or a guest the vendor records by its own details (not a directory user).
fn outside_entry(uid: &str, p: &Value) -> bool {
    let phone = uid.len() >= 5
        && uid
            .trim_start_matches('+')
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'-' || b == b' ');
    let extra = p["extra"].as_object();
    phone
        || extra.is_some_and(|e| {
            e.contains_key("phone") || e.contains_key("phoneNumber") || e.contains_key("guest")
        })
}

/// VmRSS of a process, KiB.
pub fn rss_kib(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// (second-third average, last-third average) of the samples, KiB.
pub fn thirds(samples: &[u64]) -> (f64, f64) {
    let n = samples.len();
    let avg = |s: &[u64]| {
        if s.is_empty() {
            0.0
        } else {
            s.iter().sum::<u64>() as f64 / s.len() as f64
        }
    };
    (avg(&samples[n / 3..2 * n / 3]), avg(&samples[2 * n / 3..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(participants: Value, capacity: u64) -> Value {
        json!({"tenants": [{"vendor": "feishu", "id": "t", "users": [{"id": "ou_a", "aliases": {"union_id": "on_a"}}],
            "meetings": [{"id": "m", "capacity": capacity, "participants": participants}]}]})
    }

    #[test]
    fn a_meeting_over_capacity_is_reported() {
        let s = state(
            json!([{"user_id": "ou_a", "status": "joined"}, {"user_id": "+8613800000000", "status": "calling"}]),
            1,
        );
        let (_, people, outside, problems) = invariants(&s);
        assert_eq!((people, outside), (2, 1));
        assert_eq!(
            problems,
            vec!["feishu meeting m: 2 seats taken of 1".to_string()]
        );
    }

    #[test]
    fn a_participant_of_another_tenant_is_reported_but_aliases_and_phones_are_not() {
        let s = state(
            json!([{"user_id": "on_a", "status": "joined"}, {"user_id": "13800000000", "status": "left"},
            {"user_id": "ou_other_tenant", "status": "left"}]),
            5,
        );
        let (_, _, _, problems) = invariants(&s);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("ou_other_tenant"));
    }

    #[test]
    fn rss_thirds_compare_the_middle_and_the_end() {
        assert_eq!(thirds(&[1, 1, 1, 4, 4, 4, 7, 7, 7]), (4.0, 7.0));
    }
}
