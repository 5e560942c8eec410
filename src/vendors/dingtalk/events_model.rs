//! DingTalk conference events as the receiver reads them: which change makes which event, the
//! `data` object (`openConfModel` / `openMemberModels`, `statusSeqNum`, `changeScene`) and the
//! two envelopes around it — the HTTP push plaintext (`EventType`, `EventTime`, `CorpId`,
//! `BizId`, `eventId`, then the data keys) and the Stream view (headers `eventId`,
//! `eventType`, `eventBornTime`, `eventCorpId`, `eventUnifiedAppId` beside `data`).
//!
//! Mirrors open.dingtalk.com `event-meeting-status-change`, `event-meeting-member-status-change`
//! and their `…-target-push` pages (notes `shared/vendors/dingtalk-events.md` §1).
//! Decisions where the pages are silent or disagree (`docs/vendors/dingtalk.md`, "Events"):
//! - `status` (notes §6.1): the examples' enum by default — created 1, closed 2 (the Java SDK's
//!   "0 init, 1 started, 2 ended") — or the field text's (started 2, closed 1) when the tenant
//!   says `extra: {event_status_enum: field_text}`.
//! - `bizType`: a string (`"0"`) in the org-wide events, an integer (`0`) in the target-push
//!   ones, as each page shows it (notes §6.2).
//! - `statusSeqNum`: the change's position in its conference's own stream, shared by status and
//!   member events (rising by one per change of the conference, so it may skip numbers).
//! - `user_invited`: one event per member called (the notes leave open whether DingTalk groups
//!   an invite's members); declined, busy and unanswered calls fire nothing (no scene names them).

use crate::store::change::{ChangeKind, LeaveReason, MeetingSummary, Who};
use crate::store::{Change, TenantData};
use serde::Serialize;
use serde_json::{Map, Value};

pub const STATUS_CHANGE: &str = "meeting_status_change";
pub const STATUS_CHANGE_TARGET: &str = "meeting_status_change_target_push";
pub const MEMBER_CHANGE: &str = "meeting_member_status_change";
pub const MEMBER_CHANGE_TARGET: &str = "meeting_member_status_change_target_push";

/// Every type this format produces.
pub const TYPES: &[&str] = &[
    STATUS_CHANGE,
    STATUS_CHANGE_TARGET,
    MEMBER_CHANGE,
    MEMBER_CHANGE_TARGET,
];

/// `changeScene` values [doc D1–D4].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scene {
    ConferenceCreated,
    ConferenceClosed,
    UserInvited,
    UserJoin,
    UserLeave,
    UserKicked,
}

impl Scene {
    pub fn as_str(self) -> &'static str {
        match self {
            Scene::ConferenceCreated => "conference_created",
            Scene::ConferenceClosed => "conference_closed",
            Scene::UserInvited => "user_invited",
            Scene::UserJoin => "user_join",
            Scene::UserLeave => "user_leave",
            Scene::UserKicked => "user_kicked",
        }
    }

    /// The scene a change makes, if any. A conference comes to life when it starts (an
    /// open-API conference is in progress as soon as it is created; a scheduled one when it
    /// begins): that is `conference_created`.
    pub fn of(kind: &ChangeKind) -> Option<Scene> {
        Some(match kind {
            ChangeKind::MeetingStarted => Scene::ConferenceCreated,
            ChangeKind::MeetingEnded { .. } => Scene::ConferenceClosed,
            ChangeKind::ParticipantCalled { .. } => Scene::UserInvited,
            ChangeKind::ParticipantJoined { .. } => Scene::UserJoin,
            ChangeKind::ParticipantLeft {
                reason: LeaveReason::Kicked,
                ..
            } => Scene::UserKicked,
            ChangeKind::ParticipantLeft { .. } => Scene::UserLeave,
            _ => return None,
        })
    }

    fn is_status(self) -> bool {
        matches!(self, Scene::ConferenceCreated | Scene::ConferenceClosed)
    }

    /// `attendStatus` of the member the scene is about (notes §1.2 mapping).
    fn attend_status(self) -> i64 {
        match self {
            Scene::UserInvited => 2,
            Scene::UserJoin => 3,
            Scene::UserKicked => 5,
            _ => 6,
        }
    }
}

/// The two event types a scene fires: (org-wide, target-push).
pub fn types_of(scene: Scene) -> (&'static str, &'static str) {
    if scene.is_status() {
        (STATUS_CHANGE, STATUS_CHANGE_TARGET)
    } else {
        (MEMBER_CHANGE, MEMBER_CHANGE_TARGET)
    }
}

/// True for a conference made through the open API (what the target-push events are about):
/// every conference unless its `extra` says `openApi: false`.
// DEVIATION: conferences seeded from a scenario count as made through the open API unless they
// say `extra: {openApi: false}`; the real service knows which app made each one.
pub fn open_api(m: &MeetingSummary) -> bool {
    m.extra.get("openApi").and_then(Value::as_bool) != Some(false)
}

/// `openConfModel` [doc D1, D3]. Fields marked `target` exist only in the target-push schema.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ConfModel {
    conference_id: String,
    title: String,
    status: i64,
    start_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_time: Option<i64>,
    conf_duration: i64,
    active_num: usize,
    attend_num: usize,
    invited_num: usize,
    creator_id: String,
    creator_nick: String,
    biz_type: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    room_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_link_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    schedule_conference_id: Option<String>,
}

/// One `openMemberModels` entry [doc D2, D4]; times in ms, `userId` a unionId (empty for
/// phone members).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MemberModel {
    conference_id: String,
    user_id: String,
    user_nick: String,
    attend_status: i64,
    host: bool,
    co_host: bool,
    pstn_join: bool,
    device_type: String,
    join_time: i64,
    leave_time: i64,
    duration: i64,
}

fn extra_str(extra: &Map<String, Value>, key: &str) -> Option<String> {
    extra
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The tenant setting that chooses the `status` enum: `examples` (default) or `field_text`.
pub const STATUS_ENUM: &str = "event_status_enum";

/// The conference `status` of a scene under the tenant's chosen enum.
fn status(scene: Scene, d: &TenantData) -> i64 {
    let field_text = d.extra.get(STATUS_ENUM).and_then(Value::as_str) == Some("field_text");
    match (scene, field_text) {
        (Scene::ConferenceCreated, false) | (Scene::ConferenceClosed, true) => 1,
        _ => 2,
    }
}

fn conf_model(c: &Change, scene: Scene, target: bool, d: &TenantData) -> ConfModel {
    let m = &c.meeting;
    let start = m.started_at.unwrap_or(m.start_time) * 1000;
    let end = m.ended_at.map(|e| e * 1000);
    ConfModel {
        conference_id: m.id.clone(),
        title: m.topic.clone(),
        status: status(scene, d),
        start_time: start,
        end_time: target.then_some(end.unwrap_or(0)),
        conf_duration: (end.unwrap_or(c.at_ms) - start).max(0),
        active_num: m.joined,
        attend_num: m.attended,
        invited_num: m.invited,
        creator_id: m.creator.clone(),
        creator_nick: d
            .user(&m.creator)
            .map(|u| u.name.clone())
            .unwrap_or_default(),
        biz_type: if target {
            Value::from(0)
        } else {
            Value::from("0")
        },
        room_code: target.then(|| m.code.clone()),
        external_link_url: if target {
            Some(extra_str(&m.extra, "externalLinkUrl").unwrap_or_default())
        } else {
            None
        },
        schedule_conference_id: extra_str(&m.extra, "scheduleConferenceId"),
    }
}

fn flag(w: &Who, key: &str) -> bool {
    w.extra.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn member_model(m: &MeetingSummary, w: &Who, scene: Scene) -> MemberModel {
    let pstn = flag(w, "pstnJoin");
    let join = w.joined_at.map_or(0, |t| t * 1000);
    let leave = match (scene, w.left_at, w.joined_at) {
        (Scene::UserLeave | Scene::UserKicked, Some(l), Some(_)) => l * 1000,
        _ => 0,
    };
    // The host who leaves is no longer the meeting's host; their own leave still names them.
    let host = m.host.as_deref() == Some(w.user_id.as_str())
        || (m.host.is_none() && m.creator == w.user_id);
    MemberModel {
        conference_id: m.id.clone(),
        user_id: if pstn {
            String::new()
        } else {
            w.user_id.clone()
        },
        user_nick: w.name.clone(),
        attend_status: scene.attend_status(),
        host,
        co_host: flag(w, "coHost"),
        pstn_join: pstn,
        device_type: extra_str(&w.extra, "deviceType").unwrap_or_default(),
        join_time: join,
        leave_time: leave,
        duration: if leave > 0 { (leave - join).max(0) } else { 0 },
    }
}

/// The event's `data` object (key order as the pages list them).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Data {
    #[serde(skip_serializing_if = "Option::is_none")]
    open_conf_model: Option<ConfModel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    open_member_models: Option<Vec<MemberModel>>,
    status_seq_num: u64,
    change_scene: &'static str,
}

/// The `data` of the event `scene` makes of change `c` (target-push schema when `target`).
pub fn data(c: &Change, scene: Scene, target: bool, d: &TenantData) -> Data {
    let (conf, members) = if scene.is_status() {
        (Some(conf_model(c, scene, target, d)), None)
    } else {
        let members = c
            .kind
            .participant()
            .map(|w| member_model(&c.meeting, w, scene));
        (None, Some(members.into_iter().collect()))
    };
    Data {
        open_conf_model: conf,
        open_member_models: members,
        status_seq_num: c.meeting_seq,
        change_scene: scene.as_str(),
    }
}

/// Who the event is from: the organisation and the app.
pub struct Source<'a> {
    pub corp_id: &'a str,
    pub unified_app_id: &'a str,
}

/// The HTTP push plaintext: `EventType`, `EventTime` (ms), `CorpId`, `BizId`, `eventId`, then
/// the data keys [doc D2, D4 "HTTP" view].
#[derive(Serialize)]
pub struct HttpPlaintext<'a> {
    #[serde(rename = "EventType")]
    pub event_type: &'a str,
    #[serde(rename = "EventTime")]
    pub event_time: i64,
    #[serde(rename = "CorpId")]
    pub corp_id: &'a str,
    #[serde(rename = "BizId")]
    pub biz_id: &'a str,
    #[serde(rename = "eventId")]
    pub event_id: &'a str,
    #[serde(flatten)]
    pub data: &'a Data,
}

/// The Stream view: the EVENT headers beside `data` (an object here; the frame carries it as
/// a JSON string) [doc D4 "Stream" view, sdk D13].
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StreamView<'a> {
    pub event_unified_app_id: &'a str,
    pub event_corp_id: &'a str,
    pub event_type: &'a str,
    pub event_id: &'a str,
    pub event_born_time: i64,
    pub data: &'a Data,
}

fn fnv(s: &str, salt: u64) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64 ^ salt, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A stable stand-in corpId for an app that declares none: `ding` + 16 hex of the appKey.
pub fn derived_corp_id(app_key: &str) -> String {
    format!("ding{:016x}", crate::store::splitmix64(fnv(app_key, 1)))
}

/// The app's `eventUnifiedAppId`: a UUID derived from the appKey (stable per app).
pub fn unified_app_id(app_key: &str) -> String {
    let a = crate::store::splitmix64(fnv(app_key, 2));
    let b = crate::store::splitmix64(fnv(app_key, 3));
    let h = format!("{a:016x}{b:016x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}
