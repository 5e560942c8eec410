//! The request journal over the admin API: `GET /__admin/requests` (newest first, paged),
//! `/requests/count`, `/requests/unmatched` (requests no route matched, each with a hint) and
//! `DELETE /__admin/requests`. A filter name it does not know is refused with the valid
//! ones, so a typo never silently matches everything.

use super::{bad, AdminReq, AdminResult};
use crate::app::App;
use crate::journal::{mask_target, EntryView, Filter};
use crate::pipeline::UNMATCHED;
use crate::store::VendorId;
use crate::vendors::router::Lookup;
use http::StatusCode;
use serde_json::{json, Value};

/// The filters of `/requests` and `/requests/count`.
const FILTERS: &[&str] = &[
    "vendor",
    "operation",
    "status",
    "meeting",
    "tenant",
    "code",
    "fault",
];
/// What `/requests` and `/requests/unmatched` take besides filters.
const PAGING: &[&str] = &["limit", "before"];

/// Refuses a query name not in `filters` or `extra`.
fn known(req: &AdminReq<'_>, filters: &[&str], extra: &[&str]) -> Result<(), (StatusCode, String)> {
    for (name, _) in &req.query {
        if !filters.contains(&name.as_str()) && !extra.contains(&name.as_str()) {
            let valid: Vec<&str> = filters.iter().chain(extra).copied().collect();
            return Err(bad(format!(
                "unknown filter {name:?}; valid: {}",
                valid.join(", ")
            )));
        }
    }
    Ok(())
}

fn filter(req: &AdminReq<'_>) -> Result<Filter, (StatusCode, String)> {
    Ok(Filter {
        vendor: match req.q("vendor") {
            Some(v) => {
                Some(VendorId::parse(v).ok_or_else(|| bad(format!("unknown vendor {v:?}")))?)
            }
            None => None,
        },
        operation: req.q("operation").map(str::to_string),
        status: match req.q("status") {
            Some(s) => Some(
                s.parse()
                    .map_err(|_| bad(format!("status {s:?} is not a number")))?,
            ),
            None => None,
        },
        meeting: req.q("meeting").map(str::to_string),
        tenant: req.q("tenant").map(str::to_string),
        code: req.q("code").map(str::to_string),
        fault: req.q("fault").map(str::to_string),
    })
}

/// `limit` (default 100) and `before` (an entry's `seq`: only older entries).
fn paging(req: &AdminReq<'_>) -> Result<(usize, Option<u64>), (StatusCode, String)> {
    let limit = match req.q("limit") {
        Some(l) => l.parse().map_err(|_| bad("limit must be a number"))?,
        None => 100,
    };
    let before = match req.q("before") {
        Some(b) => Some(
            b.parse::<u64>()
                .map_err(|_| bad("`before` must be an entry's seq (a whole number)"))?,
        ),
        None => None,
    };
    Ok((limit, before))
}

/// Matching entries, newest first, one page.
fn page(app: &App, f: &Filter, limit: usize, before: Option<u64>) -> Vec<crate::journal::Entry> {
    let listed = match before {
        None => app.journal.list(f, limit),
        Some(_) => app.journal.list(f, usize::MAX),
    };
    listed
        .into_iter()
        .filter(|e| before.is_none_or(|b| e.seq < b))
        .take(limit)
        .collect()
}

/// `GET /__admin/requests?vendor=&operation=&status=&meeting=&tenant=&code=&fault=&limit=&before=`
pub fn requests(app: &App, req: &AdminReq<'_>) -> AdminResult {
    known(req, FILTERS, PAGING)?;
    let f = filter(req)?;
    let (limit, before) = paging(req)?;
    let entries: Vec<EntryView> = page(app, &f, limit, before)
        .iter()
        .map(EntryView::from)
        .collect();
    Ok(json!({ "requests": entries }))
}

/// `GET /__admin/requests/count?…` (the same filters).
pub fn count(app: &App, req: &AdminReq<'_>) -> AdminResult {
    known(req, FILTERS, &[])?;
    let f = filter(req)?;
    Ok(json!({ "count": app.journal.count(&f) }))
}

/// `DELETE /__admin/requests`
pub fn clear(app: &App) -> Value {
    app.journal.clear();
    json!({"cleared": true})
}

/// `GET /__admin/requests/unmatched?vendor=&limit=&before=`: requests no route matched, newest
/// first, each with a hint (the methods the path takes, or who owns its prefix).
pub fn unmatched(app: &App, req: &AdminReq<'_>) -> AdminResult {
    known(req, &["vendor"], PAGING)?;
    let f = Filter {
        operation: Some(UNMATCHED.to_string()),
        ..filter(req)?
    };
    let (limit, before) = paging(req)?;
    let list: Vec<Value> = page(app, &f, limit, before)
        .iter()
        .map(|e| {
            let path = e.target.split('?').next().unwrap_or("");
            json!({
                "seq": e.seq,
                "time_ms": e.time_ms,
                "method": e.method.as_str(),
                "target": mask_target(&e.target),
                "vendor": e.vendor,
                "status": e.status,
                "hint": hint(app, &e.method, path),
            })
        })
        .collect();
    Ok(json!({ "unmatched": list }))
}

/// Why nothing matched, in a sentence a user can act on.
fn hint(app: &App, method: &http::Method, path: &str) -> String {
    let served = app.router.methods(path);
    if !served.is_empty() {
        let list: Vec<String> = served
            .iter()
            .map(|(v, r)| format!("{} ({v} {})", r.method, r.operation))
            .collect();
        return format!(
            "{path} is served, but not with {method}: it takes {}",
            list.join(", ")
        );
    }
    let trimmed = path.trim_end_matches('/');
    for other in [format!("{trimmed}/"), trimmed.to_string()] {
        if other != path && !other.is_empty() {
            if let Lookup::Found { .. } | Lookup::WrongMethod(_) = app.router.lookup(method, &other)
            {
                return format!("no route {path}; {other} is one (mind the trailing slash)");
            }
        }
    }
    match app.router.owner(path) {
        Some(v) => format!(
            "no {v} route {method} {path}: `meetmock routes` or GET /__admin/routes lists them"
        ),
        None => format!(
            "no vendor serves {path}: vendor paths start with {}",
            prefixes(app).join(", ")
        ),
    }
}

fn prefixes(app: &App) -> Vec<&'static str> {
    let mut all: Vec<&'static str> = app
        .vendors
        .iter()
        .flat_map(|v| v.prefixes().iter().copied())
        .collect();
    all.sort_unstable();
    all.dedup();
    all
}
