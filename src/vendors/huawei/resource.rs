//! The enterprise's concurrent-participant resource (企业并发方数): the tenant setting
//! `concurrent_participants`, and `MMC.111076004 CONF_PORTAL_PARTICIPANT_RESOURCE_NOT_ENOUGH`
//! when calling someone more would take the enterprise past it.
//!
//! Huawei sells meeting capacity per enterprise as concurrent parties; the error centre
//! (notes §6.5) names 111076004 for an exhausted enterprise resource and 111076003 for an
//! exhausted cloud meeting room. Neither the size nor what counts is public; meetmock counts
//! every seat taken (in the meeting, being called, ringing) across the enterprise's running
//! meetings. With no setting the enterprise is unlimited (only each meeting's own cap holds).

use crate::store::{MeetingState, TenantData};
use serde_json::{Map, Value};

/// The tenant `extra:` key holding the enterprise's concurrent parties.
pub const CONCURRENT: &str = "concurrent_participants";

/// Checks a scenario tenant's Huawei settings: only `concurrent_participants`, a positive integer.
pub fn validate(extra: &Map<String, Value>) -> Result<(), String> {
    for (k, v) in extra {
        if k != CONCURRENT {
            return Err(format!(
                "huawei tenants take no setting {k:?}; valid: {CONCURRENT}"
            ));
        }
        if v.as_u64().is_none_or(|n| n == 0) {
            return Err(format!(
                "{k}: {v} is not a positive whole number of parties"
            ));
        }
    }
    Ok(())
}

/// `Err("resource_not_enough")` when `adding` more seats would take the enterprise's running
/// meetings past its concurrent parties.
pub fn check(d: &TenantData, adding: usize) -> Result<(), &'static str> {
    let Some(limit) = d.extra.get(CONCURRENT).and_then(Value::as_u64) else {
        return Ok(());
    };
    let taken: usize = d
        .meetings
        .values()
        .filter(|m| m.state == MeetingState::InProgress)
        .map(|m| m.seats_taken())
        .sum();
    if adding > 0 && (taken + adding) as u64 > limit {
        return Err("resource_not_enough");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_a_positive_party_count_is_a_setting() {
        let ok = json!({"concurrent_participants": 3});
        assert!(validate(ok.as_object().unwrap()).is_ok());
        for bad in [
            json!({"concurrent_participants": 0}),
            json!({"concurrent_participants": "3"}),
        ] {
            assert!(validate(bad.as_object().unwrap())
                .unwrap_err()
                .contains("positive"));
        }
        let unknown = json!({"seats": 3});
        assert!(validate(unknown.as_object().unwrap())
            .unwrap_err()
            .contains("valid: concurrent_participants"));
    }
}
