//! A subscription as written in a scenario's `events:` list or posted to
//! `/__admin/subscriptions`: the generic keys (`id`, `mode`, `url`, `types`, `paused`,
//! `ca_pem`) and, beside them, the vendor's own secret fields by their vendor names (Feishu
//! `encrypt_key`, `verification_token`) and its delivery settings (Tencent
//! `plain_base64_padding`, `retries`, …). The vendor format decides which secret fields and
//! settings exist; any other key is refused naming it.

use crate::store::{Mode, Subscription, SubscriptionOrigin, VendorId, Verification};
use crate::vendors::events::{validate, EventFormat, FieldError};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// See the module documentation.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct SubscriptionSpec {
    #[serde(default)]
    pub id: Option<String>,
    /// Admin API only (a scenario takes them from the tenant entry).
    #[serde(default)]
    pub vendor: Option<String>,
    #[serde(default)]
    pub tenant: Option<String>,
    #[serde(default)]
    pub mode: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    /// Event types to deliver; absent or empty: every type the vendor format produces.
    #[serde(default)]
    pub types: Option<Vec<String>>,
    #[serde(default)]
    pub paused: Option<bool>,
    /// Extra CA certificate(s), PEM, for an HTTPS receiver with its own CA.
    #[serde(default)]
    pub ca_pem: Option<String>,
    /// A PEM file instead of `ca_pem` (scenarios; read when the scenario is loaded).
    #[serde(default)]
    pub ca_file: Option<String>,
    /// Admin API only: run the URL-verification handshake now (default true).
    #[serde(default)]
    pub verify: Option<bool>,
    /// Everything else: the vendor's secret fields and settings.
    #[serde(flatten)]
    pub secrets: BTreeMap<String, Value>,
}

impl SubscriptionSpec {
    /// The subscription this spec describes for `vendor`/`tenant`, validated by `format`.
    /// `id` is used when the spec names none.
    pub fn build(
        &self,
        format: &dyn EventFormat,
        tenant: &str,
        id: String,
        origin: SubscriptionOrigin,
    ) -> Result<Subscription, FieldError> {
        let mode = match self.mode.as_deref() {
            None => Mode::Webhook,
            Some(m) => Mode::parse(m).ok_or_else(|| {
                FieldError::new(
                    "mode",
                    format!(
                        "unknown mode {m:?}; valid: webhook, long_connection, stream, websocket"
                    ),
                )
            })?,
        };
        let mut secrets = BTreeMap::new();
        let mut settings = BTreeMap::new();
        for (k, v) in &self.secrets {
            if format.setting_fields().iter().any(|f| f.name == k) {
                settings.insert(k.clone(), v.clone());
                continue;
            }
            match v {
                Value::String(s) => {
                    secrets.insert(k.clone(), s.clone());
                }
                _ => {
                    return Err(FieldError::new(
                        k.as_str(),
                        "must be a string (quote it in YAML)",
                    ))
                }
            }
        }
        let ca_pem =
            match (&self.ca_pem, &self.ca_file) {
                (Some(_), Some(_)) => {
                    return Err(FieldError::new(
                        "ca_file",
                        "give ca_pem or ca_file, not both",
                    ))
                }
                (Some(p), None) => Some(p.clone()),
                (None, Some(path)) => Some(std::fs::read_to_string(path).map_err(|e| {
                    FieldError::new("ca_file", format!("cannot read {path:?}: {e}"))
                })?),
                (None, None) => None,
            };
        let sub = Subscription {
            id: self.id.clone().unwrap_or(id),
            vendor: format.vendor(),
            tenant: tenant.to_string(),
            mode,
            url: self.url.clone().unwrap_or_default(),
            secrets,
            settings,
            types: self.types.clone().unwrap_or_default(),
            paused: self.paused.unwrap_or(false),
            ca_pem,
            verification: Verification::Unchecked,
            verification_error: None,
            verified_at_ms: None,
            origin,
        };
        validate(format, &sub)?;
        Ok(sub)
    }
}

/// The vendor a spec names (admin API), or the error naming the field.
pub fn vendor_of(spec: &SubscriptionSpec) -> Result<VendorId, FieldError> {
    let v = spec
        .vendor
        .as_deref()
        .ok_or_else(|| FieldError::new("vendor", "is required"))?;
    VendorId::parse(v).ok_or_else(|| {
        FieldError::new(
            "vendor",
            format!("unknown vendor {v:?}; valid: tencent, feishu, dingtalk, huawei"),
        )
    })
}

/// A subscription as the admin API shows it: secrets masked, the outbox count added.
pub fn view(s: &Subscription, unfinished: usize) -> Value {
    let secrets: serde_json::Map<String, Value> = s
        .secrets
        .keys()
        .map(|k| (k.clone(), Value::String("***".into())))
        .collect();
    serde_json::json!({
        "id": s.id,
        "vendor": s.vendor,
        "tenant": s.tenant,
        "mode": s.mode,
        "url": s.url,
        "types": s.types,
        "paused": s.paused,
        "ca_pem": s.ca_pem.is_some(),
        "secrets": secrets,
        "settings": s.settings,
        "verification": {
            "state": s.verification,
            "error": s.verification_error,
            "at_ms": s.verified_at_ms,
        },
        "origin": s.origin,
        "unfinished": unfinished,
    })
}
