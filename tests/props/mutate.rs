//! Structured mutations of valid JSON bodies: drop or replace a value anywhere in the
//! document, add an unknown key, truncate, overwrite one byte, or send other bytes entirely.

use proptest::prelude::*;
use serde_json::{json, Value};

/// One structured change to a valid JSON body.
#[derive(Debug, Clone)]
pub enum Mutation {
    /// Remove the n-th key found walking the document.
    Drop(usize),
    /// Replace the n-th value found walking the document.
    Replace(usize, Value),
    /// Add an unknown key to the top object.
    Extra(String, Value),
    /// Cut the serialised body after this many bytes.
    Truncate(usize),
    /// Overwrite one byte of the serialised body.
    Byte(usize, u8),
    /// Send these bytes instead.
    Raw(Vec<u8>),
}

/// Arbitrary JSON values, small and nested a little.
pub fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e12f64..1e12).prop_map(|f| json!(f)),
        "[ -~]{0,12}".prop_map(Value::from),
        "\\PC{0,6}".prop_map(Value::from),
        Just(Value::from("x".repeat(300))),
        Just(Value::from(-1)),
        Just(Value::from(0)),
        Just(Value::from("")),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-zA-Z_]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

pub fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (0usize..32).prop_map(Mutation::Drop),
        6 => (0usize..32, any_json()).prop_map(|(i, v)| Mutation::Replace(i, v)),
        1 => ("[a-zA-Z_]{1,10}", any_json()).prop_map(|(k, v)| Mutation::Extra(k, v)),
        1 => (0usize..400).prop_map(Mutation::Truncate),
        2 => (0usize..400, any::<u8>()).prop_map(|(i, b)| Mutation::Byte(i, b)),
        1 => prop::collection::vec(any::<u8>(), 0..64).prop_map(Mutation::Raw),
    ]
}

/// `valid` with `m` applied, serialised.
pub fn apply(valid: &Value, m: &Mutation) -> Vec<u8> {
    let mut v = valid.clone();
    match m {
        Mutation::Drop(n) => {
            let count = count_slots(&v);
            if count > 0 {
                drop_nth(&mut v, &mut (n % count));
            }
        }
        Mutation::Replace(n, new) => {
            let count = count_slots(&v);
            if count > 0 {
                replace_nth(&mut v, &mut (n % count), new);
            }
        }
        Mutation::Extra(k, new) => {
            if let Some(o) = v.as_object_mut() {
                o.insert(k.clone(), new.clone());
            }
        }
        Mutation::Truncate(n) => {
            let mut b = v.to_string().into_bytes();
            b.truncate(n % (b.len() + 1));
            return b;
        }
        Mutation::Byte(i, byte) => {
            let mut b = v.to_string().into_bytes();
            if !b.is_empty() {
                let at = i % b.len();
                b[at] = *byte;
            }
            return b;
        }
        Mutation::Raw(bytes) => return bytes.clone(),
    }
    v.to_string().into_bytes()
}

/// Values below the root (object members and array elements).
fn count_slots(v: &Value) -> usize {
    match v {
        Value::Object(o) => o.values().map(|c| 1 + count_slots(c)).sum(),
        Value::Array(a) => a.iter().map(|c| 1 + count_slots(c)).sum(),
        _ => 0,
    }
}

fn drop_nth(v: &mut Value, n: &mut usize) -> bool {
    match v {
        Value::Object(o) => {
            let keys: Vec<String> = o.keys().cloned().collect();
            for k in keys {
                if *n == 0 {
                    o.remove(&k);
                    return true;
                }
                *n -= 1;
                if o.get_mut(&k).is_some_and(|c| drop_nth(c, n)) {
                    return true;
                }
            }
            false
        }
        Value::Array(a) => {
            for i in 0..a.len() {
                if *n == 0 {
                    a.remove(i);
                    return true;
                }
                *n -= 1;
                if drop_nth(&mut a[i], n) {
                    return true;
                }
            }
            false
        }
        _ => false,
    }
}

fn replace_nth(v: &mut Value, n: &mut usize, new: &Value) -> bool {
    let children: Vec<&mut Value> = match v {
        Value::Object(o) => o.values_mut().collect(),
        Value::Array(a) => a.iter_mut().collect(),
        _ => return false,
    };
    for c in children {
        if *n == 0 {
            *c = new.clone();
            return true;
        }
        *n -= 1;
        if replace_nth(c, n, new) {
            return true;
        }
    }
    false
}
