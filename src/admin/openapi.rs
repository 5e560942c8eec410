//! `GET /__admin/openapi.json`: the OpenAPI 3 description of the whole admin API, written by
//! hand in YAML parts beside this file (`openapi/`: server, domain, traffic, events), embedded,
//! merged and converted once. Tests hold it to the dispatcher's table (`table.rs`) both ways
//! and to the live server (every described path answers).

use serde_json::{Map, Value};
use std::sync::OnceLock;

/// The parts, in order; each has `paths` and may have `components`.
const PARTS: &[(&str, &str)] = &[
    ("base.yaml", include_str!("openapi/base.yaml")),
    ("data.yaml", include_str!("openapi/data.yaml")),
    ("traffic.yaml", include_str!("openapi/traffic.yaml")),
    ("events.yaml", include_str!("openapi/events.yaml")),
];

/// The document, merged; `Err` names the part that does not parse (a build defect the tests
/// catch, answered as such rather than panicking).
pub fn build() -> Result<Value, String> {
    let mut doc = Value::Object(Map::new());
    for (name, text) in PARTS {
        let part: Value =
            serde_saphyr::from_str(text).map_err(|e| format!("src/admin/openapi/{name}: {e}"))?;
        merge(&mut doc, part);
    }
    doc["info"]["version"] = Value::String(env!("CARGO_PKG_VERSION").to_string());
    Ok(doc)
}

/// Maps merged key by key (a later part adds paths and components), lists appended (tags);
/// anything else replaced.
fn merge(into: &mut Value, from: Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                merge(a.entry(k).or_insert(Value::Null), v);
            }
        }
        (Value::Array(a), Value::Array(b)) => a.extend(b),
        (slot, v) => *slot = v,
    }
}

/// What `GET /__admin/openapi.json` answers.
pub fn document() -> Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| match build() {
        Ok(doc) => doc,
        Err(e) => serde_json::json!({"error": "openapi_invalid", "message": e}),
    })
    .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parts_merge_into_one_openapi_3_document() {
        let doc = build().unwrap();
        assert_eq!(doc["openapi"], "3.0.3");
        assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
        let paths = doc["paths"].as_object().unwrap();
        assert!(paths.contains_key("/__admin/health"));
        assert!(paths.contains_key("/__admin/meetings/{id}/{action}"));
        assert!(paths.contains_key("/__admin/requests/unmatched"));
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        assert!(schemas.contains_key("Error") && schemas.contains_key("Rule"));
    }

    #[test]
    fn no_value_is_null() {
        // A comma inside an unquoted flow-style description splits it into a key with no
        // value: `{description: a, b}` is `{description: a, b: null}`.
        fn nulls(v: &Value, at: &str, out: &mut Vec<String>) {
            match v {
                Value::Null => out.push(at.to_string()),
                Value::Object(m) => m
                    .iter()
                    .for_each(|(k, v)| nulls(v, &format!("{at}/{k}"), out)),
                Value::Array(a) => a.iter().for_each(|v| nulls(v, at, out)),
                _ => {}
            }
        }
        let mut found = Vec::new();
        nulls(&build().unwrap(), "", &mut found);
        assert!(found.is_empty(), "null values (quote the text): {found:#?}");
    }

    #[test]
    fn every_reference_points_at_a_component() {
        fn refs(v: &Value, out: &mut Vec<String>) {
            match v {
                Value::Object(m) => {
                    if let Some(Value::String(r)) = m.get("$ref") {
                        out.push(r.clone());
                    }
                    m.values().for_each(|v| refs(v, out));
                }
                Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
                _ => {}
            }
        }
        let doc = build().unwrap();
        let mut all = Vec::new();
        refs(&doc, &mut all);
        assert!(!all.is_empty());
        for r in all {
            let pointer = r.strip_prefix('#').unwrap();
            assert!(doc.pointer(pointer).is_some(), "dangling $ref {r}");
        }
    }
}
