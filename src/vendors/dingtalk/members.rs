//! QueryConferenceMembers: `GET /v1.0/conference/videoConferences/{conferenceId}/members`.
//!
//! Mirrors `querying-video-conference-members` (notes §6.4): `maxResults` (default 128, no
//! upper limit) and `nextToken` (first page: absent, empty or `0`; then the token returned).
//! Members are listed in the order they entered the conference (organiser first).
//! [INF] `nextToken` is the offset of the next page and is omitted on the last page;
//! `totalCount` is the number of members returned in this page (the Java model's comment).
//! Ended conferences can still be queried (everyone reads attendStatus 6 or why they left).

use super::conferences::{conf_id, find, tenant};
use super::errors::{self, Fail};
use super::schema;
use crate::exchange::{Exchange, Reply};
use serde_json::{json, Value};

/// `maxResults` when absent.
pub const DEFAULT_MAX_RESULTS: usize = 128;

/// `(maxResults, offset)` from `maxResults` / `nextToken` (the offset of the page).
pub fn paging(ex: &Exchange<'_>) -> Result<(usize, usize), Fail> {
    let max = match ex.query("maxResults").filter(|s| !s.is_empty()) {
        None => DEFAULT_MAX_RESULTS,
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| Fail::params("maxResults is invalid"))?,
    };
    let offset = match ex.query("nextToken").filter(|s| !s.is_empty()) {
        None => 0,
        Some(s) => s
            .parse::<usize>()
            .map_err(|_| Fail::params("nextToken is invalid"))?,
    };
    Ok((max, offset))
}

/// The handler.
pub fn members(ex: &mut Exchange<'_>) -> Reply {
    let r = (|| {
        let id = conf_id(ex)?;
        let (max, offset) = paging(ex)?;
        let now = ex.now_secs();
        tenant(ex)?.with(|d| {
            let m = find(d, &id)?;
            let page: Vec<Value> = m
                .participants
                .iter()
                .skip(offset)
                .take(max)
                .map(|p| schema::member_model(m, p, now))
                .collect();
            let mut out = json!({ "totalCount": page.len(), "memberModels": page });
            let next = offset.saturating_add(max);
            if next < m.participants.len() {
                out["nextToken"] = json!(next.to_string());
            }
            Ok(out)
        })
    })();
    errors::reply(ex, r)
}
