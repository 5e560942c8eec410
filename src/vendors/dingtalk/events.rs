//! DingTalk conference events: the format the delivery engine (`src/events/`) uses for
//! DingTalk subscriptions — the catalogue (`events_model.rs`), HTTP push (encrypted body,
//! signature in the query, the encrypted `success` reply, the `check_url` handshake; crypto in
//! `events_wire.rs`) and Stream mode's payload (framed by `stream.rs`).
//!
//! Mirrors open.dingtalk.com "HTTP回调概述" (http-callback-overview), "test-callback-url-events",
//! "obtain-the-event-list-of-failed-push-messages" and the conference event pages; notes
//! `shared/vendors/dingtalk-events.md` §0–§2, §5, §6.
//!
//! A subscription is the app's event configuration: one per app (the console keeps one push
//! mode and one request URL), `mode: webhook` (HTTP push, needs `token` and `aes_key`) or
//! `mode: stream`. Without `types` it receives the target-push pair for the conferences the app
//! made through the open API (notes §0.1); the org-wide pair is delivered when `types` names it.

use super::events_model::{self as model, HttpPlaintext, Scene, Source, StreamView};
use super::events_wire as wire;
use crate::store::{Change, ChangeKind, Mode, Subscription, Tenant, TenantData, VendorId};
use crate::vendors::events::{
    flip_last, AttemptSeed, EventDraft, EventFormat, FieldError, Outbound, SecretField, Timeouts,
};
use crate::vendors::live::LiveProtocol;
use serde_json::Value;
use std::time::Duration;

/// The DingTalk event format.
pub struct DingtalkEvents;

/// Token and aes_key: required for HTTP push (checked in `check`, Stream needs neither);
/// owner_key: what the receiver's helper checks after the message — the appKey for events
/// subscribed in the developer console (default), the corpId for callbacks registered through
/// the legacy register API, the suiteKey for third-party apps [doc D6][sdk D12].
const SECRETS: &[SecretField] = &[
    SecretField {
        name: "token",
        required: false,
    },
    SecretField {
        name: "aes_key",
        required: false,
    },
    SecretField {
        name: "owner_key",
        required: false,
    },
];

/// A failed push is retried after 10 s, then 30 s; then it goes to the failed list [doc D11].
const RETRIES: &[Duration] = &[Duration::from_secs(10), Duration::from_secs(30)];

/// How long the receiver has to answer a push or the `check_url` probe.
// DEVIATION: 2.5 s for both (D8, 2026); the older D6 says 1.5 s for the probe, and the limit
// for ordinary pushes is undocumented (notes §6.4, §2.6).
const ANSWER_WITHIN: Duration = Duration::from_millis(2500);

/// How long a Stream client has to ACK an EVENT frame (real time).
const STREAM_ACK_WITHIN: Duration = Duration::from_secs(5);

/// The console's message for a reply that is not the encrypted `success` [doc D9].
pub const REPLY_CHECK_FAILED: &str = "HTTP请求结果校验返回字段值失败";

/// The probe DingTalk sends when a URL is saved [doc D7].
const CHECK_URL: &[u8] = br#"{"EventType":"check_url"}"#;

fn owner_key(sub: &Subscription) -> &str {
    sub.secret("owner_key").unwrap_or(&sub.tenant)
}

/// The token rule of the console: 3 to 32 letters and digits [doc D9].
fn check_token(token: &str) -> Result<(), String> {
    let n = token.chars().count();
    if !(3..=32).contains(&n) || !token.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(format!(
            "must be 3 to 32 letters and digits (the console's token), got {n} characters{}",
            if token.chars().all(|c| c.is_ascii_alphanumeric()) {
                ""
            } else {
                " with other characters"
            }
        ));
    }
    Ok(())
}

impl DingtalkEvents {
    /// The drafts of one change for one subscription, with the app's corpId.
    fn drafts(
        &self,
        c: &Change,
        sub: &Subscription,
        corp_id: &str,
        d: &TenantData,
        new_id: &mut dyn FnMut() -> u128,
    ) -> Vec<EventDraft> {
        let Some(scene) = Scene::of(&c.kind) else {
            return Vec::new();
        };
        let (org, target) = model::types_of(scene);
        let mut wanted = Vec::new();
        if sub.types.iter().any(|t| t == org) {
            wanted.push((org, false));
        }
        let target_wanted = sub.types.is_empty() || sub.types.iter().any(|t| t == target);
        if target_wanted && model::open_api(&c.meeting) {
            wanted.push((target, true));
        }
        let unified = model::unified_app_id(&c.tenant);
        let src = Source {
            corp_id,
            unified_app_id: &unified,
        };
        wanted
            .into_iter()
            .map(|(event_type, is_target)| {
                let data = model::data(c, scene, is_target, d);
                // 32 lower-case hex, the same on every retry [inf §1.3].
                let event_id = format!("{:032x}", new_id());
                let payload = match sub.mode {
                    Mode::Stream => serde_json::to_string(&StreamView {
                        event_unified_app_id: src.unified_app_id,
                        event_corp_id: src.corp_id,
                        event_type,
                        event_id: &event_id,
                        event_born_time: c.at_ms,
                        data: &data,
                    }),
                    _ => serde_json::to_string(&HttpPlaintext {
                        event_type,
                        event_time: c.at_ms,
                        corp_id: src.corp_id,
                        biz_id: &format!("{:032x}", new_id()),
                        event_id: &event_id,
                        data: &data,
                    }),
                };
                EventDraft {
                    event_type,
                    event_id,
                    payload: payload.unwrap_or_default(),
                }
            })
            .collect()
    }

    /// One encrypted, signed request: `{"encrypt":…}` with the signature in the query.
    fn push(&self, sub: &Subscription, plaintext: &[u8], at: AttemptSeed) -> Outbound {
        let headers = vec![("Content-Type", "application/json".to_string())];
        let (Some(token), Some(aes)) = (sub.secret("token"), sub.secret("aes_key")) else {
            // Refused by `check`: a webhook subscription always has both.
            return Outbound::post(plaintext.to_vec(), headers);
        };
        let key = wire::aes_key(aes).unwrap_or([0; 32]);
        let random = wire::alnum(at.bytes::<16>(1));
        let encrypt = wire::encrypt(&key, &random, plaintext, owner_key(sub));
        // Milliseconds, as the helper's vector and the Java helper [sdk D12]; nonce 8 alnum.
        let timestamp = at.at_ms.to_string();
        let nonce = String::from_utf8_lossy(&wire::alnum(at.bytes::<8>(2))).into_owned();
        let signature = wire::signature(token, &timestamp, &nonce, &encrypt);
        let body = serde_json::json!({ "encrypt": encrypt }).to_string();
        Outbound {
            method: Default::default(),
            body: body.into_bytes(),
            headers,
            // Both names (D6 `signature`, D8 and the helper's README `msg_signature`) [inf §2.2].
            query: vec![
                ("msg_signature", signature.clone()),
                ("signature", signature),
                ("timestamp", timestamp),
                ("nonce", nonce),
            ],
        }
    }

    /// Checks the app's answer: HTTP 200 and JSON `{msg_signature, timeStamp, nonce, encrypt}`
    /// whose signature matches (over the exact `encrypt` string, line breaks included) and
    /// whose `encrypt` opens to `success` followed by the owner key. Tolerant where the
    /// official helpers differ: Base64 wrapped or not, `timeStamp` in seconds or ms, as a
    /// string or a number (notes §2.4, §6.7).
    fn check_reply(&self, sub: &Subscription, status: u16, body: &[u8]) -> Result<(), String> {
        if status != 200 {
            return Err(format!(
                "answered HTTP {status}; DingTalk wants 200 with the encrypted \"success\" \
                 ({REPLY_CHECK_FAILED})"
            ));
        }
        let fail = |why: String| format!("{REPLY_CHECK_FAILED}: {why}");
        let v: Value = serde_json::from_slice(body).map_err(|_| {
            fail(
                "the answer is not JSON {\"msg_signature\",\"timeStamp\",\"nonce\",\"encrypt\"}"
                    .into(),
            )
        })?;
        let field = |name: &str| -> Result<String, String> {
            match v.get(name) {
                Some(Value::String(s)) => Ok(s.clone()),
                Some(Value::Number(n)) if name == "timeStamp" => Ok(n.to_string()),
                Some(_) => Err(fail(format!("`{name}` is not a string"))),
                None => Err(fail(format!("`{name}` is missing"))),
            }
        };
        let (sig, ts, nonce, encrypt) = (
            field("msg_signature")?,
            field("timeStamp")?,
            field("nonce")?,
            field("encrypt")?,
        );
        let token = sub.secret("token").unwrap_or("");
        if wire::signature(token, &ts, &nonce, &encrypt) != sig {
            return Err(fail(
                "msg_signature is not sha1(sort(token, timeStamp, nonce, encrypt)) (wrong token?)"
                    .into(),
            ));
        }
        let key = wire::aes_key(sub.secret("aes_key").unwrap_or("")).map_err(fail)?;
        let opened = wire::decrypt(&key, &encrypt).map_err(fail)?;
        if opened.msg != b"success" {
            return Err(fail(format!(
                "encrypt opens to {:?}, not \"success\"",
                String::from_utf8_lossy(&opened.msg)
            )));
        }
        let owner = owner_key(sub);
        if opened.owner != owner.as_bytes() {
            return Err(fail(format!(
                "encrypt ends with {:?}, not the owner key {owner:?}",
                String::from_utf8_lossy(&opened.owner)
            )));
        }
        Ok(())
    }
}

impl EventFormat for DingtalkEvents {
    fn vendor(&self) -> VendorId {
        VendorId::Dingtalk
    }

    fn secret_fields(&self) -> &'static [SecretField] {
        SECRETS
    }

    fn event_types(&self) -> &'static [&'static str] {
        model::TYPES
    }

    fn modes(&self) -> &'static [Mode] {
        &[Mode::Webhook, Mode::Stream]
    }

    /// One push mode and one request URL per app [doc D9].
    fn one_per_tenant(&self) -> bool {
        true
    }

    /// HTTP push needs a valid `token` and `aes_key`; Stream needs no secret.
    fn check(&self, sub: &Subscription) -> Result<(), FieldError> {
        if let Some(o) = sub.secrets.get("owner_key") {
            if o.trim().is_empty() {
                return Err(FieldError::new(
                    "owner_key",
                    "must not be empty (omit it for the appKey)",
                ));
            }
        }
        if sub.mode != Mode::Webhook {
            return Ok(());
        }
        let token = sub.secret("token").ok_or_else(|| {
            FieldError::new("token", "is required for DingTalk HTTP push subscriptions")
        })?;
        check_token(token).map_err(|e| FieldError::new("token", e))?;
        let aes = sub.secret("aes_key").ok_or_else(|| {
            FieldError::new(
                "aes_key",
                "is required for DingTalk HTTP push subscriptions",
            )
        })?;
        wire::aes_key(aes).map_err(|e| FieldError::new("aes_key", e))?;
        Ok(())
    }

    fn interested(&self, kind: &ChangeKind) -> bool {
        Scene::of(kind).is_some()
    }

    /// Without the tenant at hand the corpId is the one derived from the appKey.
    fn events(
        &self,
        change: &Change,
        sub: &Subscription,
        d: &TenantData,
        new_id: &mut dyn FnMut() -> u128,
    ) -> Vec<EventDraft> {
        let corp = model::derived_corp_id(&change.tenant);
        self.drafts(change, sub, &corp, d, new_id)
    }

    /// `CorpId` / `eventCorpId`: the app's organisation (`credentials: {corp_id}`), else an id
    /// derived from the appKey.
    fn events_of_tenant(
        &self,
        change: &Change,
        sub: &Subscription,
        tenant: &Tenant,
        d: &TenantData,
        new_id: &mut dyn FnMut() -> u128,
    ) -> Vec<EventDraft> {
        let corp = tenant
            .credential(super::tokens::CORP_ID)
            .map(str::to_string)
            .unwrap_or_else(|| model::derived_corp_id(&tenant.id));
        self.drafts(change, sub, &corp, d, new_id)
    }

    fn encode(&self, sub: &Subscription, payload: &[u8], at: AttemptSeed) -> Outbound {
        self.push(sub, payload, at)
    }

    /// Stream mode's push protocol (`stream.rs`).
    fn live(&self) -> Option<&'static dyn LiveProtocol> {
        Some(&super::stream::StreamProtocol)
    }

    /// The signature travels in the query, under both names: both go wrong alike.
    fn corrupt_signature(&self, out: &mut Outbound) {
        for (name, value) in out.query.iter_mut() {
            if matches!(*name, "msg_signature" | "signature") {
                flip_last(value);
            }
        }
    }

    /// A Stream client has 5 s to ACK a frame (real time); HTTP push 2.5 s to answer.
    // DEVIATION: DingTalk documents no ACK deadline (notes §7).
    fn delivery_timeouts(&self, sub: &Subscription) -> Timeouts {
        match sub.mode {
            Mode::Stream => Timeouts {
                connect: STREAM_ACK_WITHIN,
                total: STREAM_ACK_WITHIN,
            },
            _ => self.timeouts(),
        }
    }

    fn reply_check(&self, sub: &Subscription, status: u16, body: &[u8]) -> Result<(), String> {
        self.check_reply(sub, status, body)
    }

    fn retry_schedule(&self) -> &'static [Duration] {
        RETRIES
    }

    fn timeouts(&self) -> Timeouts {
        Timeouts {
            connect: ANSWER_WITHIN,
            total: ANSWER_WITHIN,
        }
    }

    /// The encrypted `{"EventType":"check_url"}`, signed like any push [doc D6, D7]. Stream
    /// subscriptions have no probe.
    fn handshake(&self, sub: &Subscription, _challenge: &str, at: AttemptSeed) -> Option<Outbound> {
        (sub.mode == Mode::Webhook).then(|| self.push(sub, CHECK_URL, at))
    }

    fn handshake_check(
        &self,
        sub: &Subscription,
        _challenge: &str,
        status: u16,
        body: &[u8],
    ) -> Result<(), String> {
        self.check_reply(sub, status, body)
    }

    fn handshake_timeout(&self) -> Duration {
        ANSWER_WITHIN
    }
}
