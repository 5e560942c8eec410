//! The isolation matrix: every route of every vendor, driven from `meetmock::vendors::registry()`
//! (a route without an entry in [`SPECS`] fails the test), called with tenant B's valid
//! credentials against tenant A's resources. Meeting routes target A's running and scheduled
//! meetings (refused with the vendor's own "unknown meeting" answer, nothing changed) and the
//! twin id both tenants have (B acts on its own copy; A's data unchanged). List routes never
//! show A's meetings; credential routes refuse A's codes, tokens and ids with B's secrets.
//! State is compared through `GET /__admin/state`, ignoring tokens, ids drawn and the journal.

use crate::common::{Resp, TestApp};
use crate::isolation_clients::{self as c, Side};
use crate::isolation_panic::vendor_code;
use reqwest::Method;
use serde_json::Value;

use crate::isolation_specs::{Cred, Kind, Spec, SPECS};

/// The state to compare: tenants keyed by vendor/id (tokens, ids drawn, journal ignored).
async fn tenants(app: &TestApp) -> std::collections::BTreeMap<String, Value> {
    let s = app.admin_get("/state").await.json();
    let mut out = std::collections::BTreeMap::new();
    for t in s["tenants"].as_array().unwrap() {
        out.insert(
            format!(
                "{}/{}",
                t["vendor"].as_str().unwrap(),
                t["id"].as_str().unwrap()
            ),
            t.clone(),
        );
    }
    out
}

/// A route pattern with every `{param}` replaced by `m`.
fn fill_path(pattern: &str, m: &str) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        out.push_str(m);
        rest = rest[i..]
            .find('}')
            .map(|j| &rest[i + j + 1..])
            .unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// Replaces the placeholders of a query or body template.
async fn fill(app: &TestApp, vendor: &str, t: &str, m: &str) -> String {
    let (a, b) = (c::side(vendor, false), c::side(vendor, true));
    let mut s = t
        .replace("{m}", m)
        .replace("{code}", a.run_code)
        .replace("{a_id}", a.id)
        .replace("{b_id}", b.id)
        .replace("{b_secret}", b.secret)
        .replace("{a_run}", a.run)
        .replace("{a_sched}", a.sched)
        .replace("{a_host}", a.host)
        .replace("{b_pwd}", b.extra);
    if s.contains("{soon}") {
        s = s.replace("{soon}", &(c::server_secs(app).await + 7200).to_string());
    }
    if s.contains("{ago}") {
        s = s.replace("{ago}", &(c::server_secs(app).await - 7200).to_string());
    }
    if s.contains("{b_ding}") {
        s = s.replace("{b_ding}", &c::dingtalk_token(app, &b).await);
    }
    if s.contains("{a_code}") {
        s = s.replace("{a_code}", &c::feishu_code(app, &a).await);
    }
    if s.contains("{a_refresh}") {
        s = s.replace("{a_refresh}", &c::feishu_user(app, &a).await.1);
    }
    if s.contains("{a_at}") {
        s = s.replace("{a_at}", &c::huawei_login(app, &a).await.0);
    }
    s
}

/// Calls one route as tenant B.
async fn call(
    app: &TestApp,
    vendor: &str,
    method: &Method,
    pattern: &str,
    spec: &Spec,
    m: &str,
) -> Resp {
    let b: Side = c::side(vendor, true);
    let a: Side = c::side(vendor, false);
    let query = fill(app, vendor, spec.3, m).await;
    let body = fill(app, vendor, spec.4, m).await.into_bytes();
    // Huawei user paths name A's account (`{account}`) or a status (`{value}`: 1, disable);
    // a path parameter of another non-meeting route (a room code, a corpId) gets A's meeting
    // code.
    let path = match (vendor, pattern.contains("{value}")) {
        ("huawei", true) => fill_path(pattern, "1"),
        ("huawei", false) if m.is_empty() => fill_path(pattern, a.host),
        _ => fill_path(pattern, if m.is_empty() { a.run_code } else { m }),
    };
    let target = if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    };
    let bearer = |t: String| vec![("Authorization".to_string(), format!("Bearer {t}"))];
    let mut h: Vec<(String, String)> = match spec.2 {
        Cred::None => vec![],
        Cred::Sig => {
            let ts = c::server_secs(app).await;
            c::tencent_headers(&b, method.as_str(), &target, &body, ts)
        }
        Cred::Tenant => bearer(c::feishu_token(app, &b, "tenant").await),
        Cred::App => bearer(c::feishu_token(app, &b, "app").await),
        Cred::User => bearer(c::feishu_user(app, &b).await.0),
        Cred::Ding => vec![(
            "x-acs-dingtalk-access-token".into(),
            c::dingtalk_token(app, &b).await,
        )],
        Cred::HwUser => vec![
            ("X-Access-Token".into(), c::huawei_login(app, &b).await.0),
            ("X-Password".into(), b.chair.into()),
            ("X-Login-Type".into(), "1".into()),
        ],
        Cred::HwCtl => {
            let at = c::huawei_login(app, &b).await.0;
            let own = if m == c::twin(vendor) { m } else { b.run };
            let ct = c::huawei_conf_token(app, &b, &at, own).await;
            vec![
                ("X-Access-Token".into(), at),
                ("X-Conference-Authorization".into(), ct),
            ]
        }
        Cred::HwBasicMix => vec![("Authorization".into(), c::basic(a.host, b.extra))],
        Cred::HwSigMix => {
            let exp = c::server_secs(app).await + 600;
            let body_v = serde_json::json!({"appId": a.key, "userId": "u1", "expireTime": exp, "nonce": "n-1", "clientType": 72});
            let h = vec![(
                "Authorization".into(),
                c::huawei_app_auth(a.key, b.secret, "u1", exp, "n-1"),
            )];
            let mut hh: Vec<(String, String)> = h;
            hh.push(("Content-Type".into(), "application/json".into()));
            return c::send(
                app,
                method.clone(),
                &target,
                &hh,
                body_v.to_string().into_bytes(),
            )
            .await;
        }
    };
    if !h
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
    {
        h.push((
            "Content-Type".into(),
            "application/json; charset=utf-8".into(),
        ));
    }
    c::send(app, method.clone(), &target, &h, body).await
}

fn a_ids(vendor: &str) -> [&'static str; 3] {
    let a = c::side(vendor, false);
    [a.run, a.sched, a.run_code]
}

#[tokio::test]
async fn every_route_of_every_vendor_has_an_isolation_entry() {
    let mut missing = Vec::new();
    for v in meetmock::vendors::registry() {
        for r in v.routes() {
            let vendor = v.id().to_string();
            if !SPECS.iter().any(|s| s.0 == vendor && s.1 == r.operation) {
                missing.push(format!(
                    "{vendor} {} {} ({})",
                    r.method, r.path, r.operation
                ));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "routes without an isolation entry:\n{}",
        missing.join("\n")
    );
}

/// Runs the matrix for one vendor; returns the failures.
async fn matrix(vendor: &str) -> Vec<String> {
    let app = c::spawn().await;
    let discover = std::env::var("ISO_DISCOVER").is_ok();
    let mut fails = Vec::new();
    for v in meetmock::vendors::registry() {
        if v.id().to_string() != vendor {
            continue;
        }
        for r in v.routes() {
            let Some(spec) = SPECS.iter().find(|s| s.0 == vendor && s.1 == r.operation) else {
                fails.push(format!("no entry for {}", r.operation));
                continue;
            };
            let a = c::side(vendor, false);
            let key = format!("{vendor}/{}", a.id);
            let targets: Vec<(&str, bool)> = match spec.5 {
                Kind::Target(..) | Kind::Conf(..) => {
                    vec![(a.run, true), (a.sched, true), (c::twin(vendor), false)]
                }
                _ => vec![("", true)],
            };
            for (m, whole) in targets {
                app.admin_post("/reset", serde_json::json!({})).await;
                let before = tenants(&app).await;
                let resp = call(&app, vendor, &r.method, r.path, spec, m).await;
                let after = tenants(&app).await;
                let code = vendor_code(vendor, &resp);
                let what = format!("{} {} [{}] {m}", r.method, r.path, r.operation);
                if discover {
                    eprintln!(
                        "DISCOVER {what} -> {} {code:?} {}",
                        resp.status.as_u16(),
                        resp.text.chars().take(160).collect::<String>()
                    );
                }
                let changed = if whole && !matches!(spec.5, Kind::Own | Kind::List) {
                    before != after
                } else {
                    before.get(&key) != after.get(&key)
                };
                if changed {
                    fails.push(format!("{what}: state changed"));
                }
                let expect = match spec.5 {
                    Kind::Target(s, c) | Kind::Mixed(s, c) if whole => Some((s, c)),
                    Kind::Conf(s, c, _) if whole && m == a.run => Some((s, c)),
                    Kind::Conf(s, _, c) if whole => Some((s, c)),
                    _ => None,
                };
                if let Some((s, c)) = expect {
                    if (resp.status.as_u16(), code.as_str()) != (s, c) && !discover {
                        fails.push(format!(
                            "{what}: want {s} {c}, got {} {code} {}",
                            resp.status.as_u16(),
                            resp.text
                        ));
                    }
                }
                if matches!(spec.5, Kind::List) || matches!(spec.5, Kind::Own) {
                    for id in a_ids(vendor) {
                        if resp.text.contains(id) {
                            fails.push(format!("{what}: answer shows A's {id}: {}", resp.text));
                        }
                    }
                }
            }
        }
    }
    fails
}

#[tokio::test]
async fn tencent_routes_refuse_another_tenants_meetings_and_change_nothing() {
    let f = matrix("tencent").await;
    assert!(f.is_empty(), "{}", f.join("\n"));
}

#[tokio::test]
async fn feishu_routes_refuse_another_tenants_meetings_and_change_nothing() {
    let f = matrix("feishu").await;
    assert!(f.is_empty(), "{}", f.join("\n"));
}

#[tokio::test]
async fn dingtalk_routes_refuse_another_tenants_meetings_and_change_nothing() {
    let f = matrix("dingtalk").await;
    assert!(f.is_empty(), "{}", f.join("\n"));
}

#[tokio::test]
async fn huawei_routes_refuse_another_tenants_meetings_and_change_nothing() {
    let f = matrix("huawei").await;
    assert!(f.is_empty(), "{}", f.join("\n"));
}
