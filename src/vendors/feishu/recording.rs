//! Recording: start / stop / get / set_permission. Mirrors open.feishu.cn
//! `vc-v1/meeting-recording/start`, `stop`, `get`, `set_permission`.
//!
//! Start and stop: user token, meeting in progress (122001), the operator in it (122003) and
//! its current host (121005) ["如果操作者为用户，必须是会中当前主持人" doc]. The file exists
//! once the meeting has ended and processing is done: until then `get` answers 124002
//! "record processing" [doc]; a meeting never recorded is 121004. Processing takes
//! [`PROCESSING_S`] on the server clock after the meeting ends [inf]; tests advance the clock.
//! Get with a user token is for the meeting's owner only; set_permission likewise (121005).

use super::errors::*;
use super::meetings::{no, ok, with_meeting, Refusal};
use super::schema::{self, find_or_learn_user, id_type, tri, IdType};
use crate::exchange::{Exchange, Reply};
use crate::store::{Meeting, MeetingState};
use serde::Deserialize;
use serde_json::{json, Value};

/// How long the recording file takes to generate after the meeting ends [inf].
pub const PROCESSING_S: i64 = 60;

/// The minutes link of a meeting's recording (`get` and `recording_ready_v1` agree).
pub fn minutes_url(meeting_id: &str) -> String {
    let tail: String = meeting_id
        .chars()
        .rev()
        .take(12)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let token = format!("obcn{tail}");
    format!("https://meetings.feishu.cn/minutes/{token}")
}

/// Checks the operator of start/stop: in the meeting and its current host.
fn host_in_meeting(m: &Meeting, op: &str) -> Result<(), Refusal> {
    if m.state != MeetingState::InProgress || super::view::is_calling(m) {
        return Err(no(&STATUS_UNEXPECTED));
    }
    if !m.is_joined(op) {
        return Err(no(&OPERATOR_NOT_IN));
    }
    if m.host.as_deref() != Some(op) {
        return Err(no(&NO_PERMISSION));
    }
    Ok(())
}

#[derive(Deserialize, Default)]
struct StartBody {
    timezone: Option<i64>,
}

/// `PATCH /open-apis/vc/v1/meetings/{meeting_id}/recording/start` `{"timezone"?}`.
// [inf] starting while already recording is 122001 (the state does not allow it).
pub fn start(ex: &mut Exchange<'_>) -> Reply {
    // The body is optional; the SDKs send `{}` or nothing.
    let body: StartBody = if ex.body.is_empty() {
        StartBody::default()
    } else {
        tri!(schema::body(ex))
    };
    if body.timezone.is_some_and(|tz| !(-12..=12).contains(&tz)) {
        return super::errors::fail_with(ex, &PARAM, "timezone must be in [-12, 12]");
    }
    let op = schema::operator(ex).unwrap_or_default();
    let now = ex.now_secs();
    tri!(with_meeting(ex, &MEETING_NOT_EXIST, |_, m| {
        host_in_meeting(m, &op)?;
        m.start_recording(now).map_err(|_| no(&STATUS_UNEXPECTED))
    }));
    ok(json!({}))
}

/// `PATCH /open-apis/vc/v1/meetings/{meeting_id}/recording/stop`.
// [inf] stopping a meeting that is not recording is 122001.
pub fn stop(ex: &mut Exchange<'_>) -> Reply {
    let op = schema::operator(ex).unwrap_or_default();
    let now = ex.now_secs();
    tri!(with_meeting(ex, &MEETING_NOT_EXIST, |_, m| {
        host_in_meeting(m, &op)?;
        m.stop_recording(now).map_err(|_| no(&STATUS_UNEXPECTED))
    }));
    ok(json!({}))
}

/// The meeting's owner: who reserved it (`owner_id`), else its creator.
fn owner_ok(m: &Meeting, op: &Option<String>) -> bool {
    op.as_ref().is_none_or(|u| *u == m.creator)
}

/// `GET /open-apis/vc/v1/meetings/{meeting_id}/recording` → `{"recording":{"url","duration"}}`
/// (`duration` in ms, a string).
pub fn get(ex: &mut Exchange<'_>) -> Reply {
    let op = schema::operator(ex);
    let now = ex.now_secs();
    let v = tri!(with_meeting(ex, &MEETING_NOT_EXIST, |_, m| {
        if !owner_ok(m, &op) {
            return Err(no(&NO_PERMISSION));
        }
        let Some(r) = &m.recording else {
            return Err(no(&DATA_NOT_EXIST));
        };
        let ready =
            m.state == MeetingState::Ended && m.ended_at.is_some_and(|e| now >= e + PROCESSING_S);
        if !ready {
            return Err(no(&RECORD_PROCESSING));
        }
        Ok(json!({"recording": {
            "url": minutes_url(&m.id),
            "duration": (r.total_secs(now) * 1000).to_string(),
        }}))
    }));
    ok(v)
}

#[derive(Deserialize)]
struct PermissionObject {
    id: Option<String>,
    #[serde(rename = "type")]
    kind: Option<i64>,
    permission: Option<i64>,
}

#[derive(Deserialize)]
struct SetPermissionBody {
    permission_objects: Option<Vec<PermissionObject>>,
    action_type: Option<i64>,
}

/// Checks one permission object: type 1 user (id by `user_id_type`), 2 group (`oc_…`),
/// 3 tenant and 4 public (no id); permission 1 (view).
fn object_ok(o: &PermissionObject, kind: IdType) -> bool {
    let id = o.id.as_deref().unwrap_or("");
    o.permission == Some(1)
        && match o.kind {
            Some(1) => kind.well_formed(id),
            Some(2) => id.starts_with("oc_") && id.len() > 3,
            Some(3) | Some(4) => id.is_empty(),
            _ => false,
        }
}

/// `PATCH /open-apis/vc/v1/meetings/{meeting_id}/recording/set_permission`: the owner grants
/// (or, `action_type` 1, revokes) viewing the recording once it is ready.
pub fn set_permission(ex: &mut Exchange<'_>) -> Reply {
    let kind = tri!(id_type(ex));
    let body: SetPermissionBody = tri!(schema::body(ex));
    let objects = body.permission_objects.unwrap_or_default();
    if objects.is_empty() || !objects.iter().all(|o| object_ok(o, kind)) {
        return super::errors::fail_with(
            ex,
            &PARAM,
            "permission_objects is required and each needs a valid type, id and permission 1",
        );
    }
    let revoke = match body.action_type {
        None | Some(0) => false,
        Some(1) => true,
        Some(_) => return super::errors::fail_with(ex, &PARAM, "action_type must be 0 or 1"),
    };
    let t = tri!(schema::tenant(ex));
    let op = schema::operator(ex);
    let now = ex.now_secs();
    let ids = &ex.app.store.ids;
    tri!(with_meeting(ex, &MEETING_NOT_EXIST, |d, m| {
        if !owner_ok(m, &op) {
            return Err(no(&NO_PERMISSION));
        }
        let ready = m.recording.is_some()
            && m.state == MeetingState::Ended
            && m.ended_at.is_some_and(|e| now >= e + PROCESSING_S);
        if !ready {
            return Err(no(&DATA_NOT_EXIST));
        }
        let mut granted: Vec<Value> = m
            .extra
            .get("recording_permissions")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for o in &objects {
            let id = match (o.kind, o.id.as_deref()) {
                (Some(1), Some(w)) => {
                    find_or_learn_user(&t, d, kind, w, || format!("ou_{}", ids.hex(32)))
                        .ok_or_else(|| no(&PARAM))?
                }
                (_, w) => w.unwrap_or("").to_string(),
            };
            let entry = json!({"type": o.kind, "id": id, "permission": 1});
            granted.retain(|g| g != &entry);
            if !revoke {
                granted.push(entry);
            }
        }
        m.set_extra("recording_permissions", Value::Array(granted));
        Ok(())
    }));
    ok(json!({}))
}
