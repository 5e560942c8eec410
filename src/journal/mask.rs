//! Secret masking for what the journal shows. A value is masked by the *name* it is given under
//! — every vendor's secret field names (app_secret, appSecret, client_secret, password,
//! conferencePassword, access/refresh tokens, login codes, signatures, …) are covered by
//! [`SECRET_MARKERS`] — whatever the shape of the request:
//!
//! - JSON that parses: every value under a secret name, objects and arrays included.
//! - Anything else (a body cut at the journal's kept bytes, a trailing comma, junk): a lexer
//!   walks the JSON-looking text and masks the value after every `"<secret name>" :`, up to its
//!   end or the end of the text; then `name=value` pairs are masked as in a form body.
//! - Query strings and form bodies: names are percent- and `+`-decoded (repeatedly, so a
//!   double-encoded name is recognised too) before they are compared.
//!
//! Answers kept by the journal are masked the same way, except that `code` is their result
//! code there ([`is_secret_in_answer`]).

use crate::exchange::decode_component;
use serde_json::Value;

/// Names whose values are secrets wherever they appear (JSON keys, query names), compared
/// case-insensitively as substrings; `code` (an OAuth login code) only as the whole name.
const SECRET_MARKERS: &[&str] = &[
    "secret",
    "password",
    "passwd",
    "pwd",
    "token",
    "signature",
    "authorization",
    "app_key",
    "appkey",
    "code_verifier",
    "ticket",
    "private_key",
];

/// The mask.
const MASK: &str = "***";

/// True when a field or header with this name carries a secret.
pub fn is_secret_name(name: &str) -> bool {
    let n = name.trim().to_ascii_lowercase();
    SECRET_MARKERS.iter().any(|m| n.contains(m)) || n == "code"
}

/// In an answer, `code` is the vendor's result code (never a login code, which no emulated
/// answer carries), so it stays; every other secret-named field is masked.
pub fn is_secret_in_answer(name: &str) -> bool {
    !name.trim().eq_ignore_ascii_case("code") && is_secret_name(name)
}

/// A query or form name as the server would read it: percent- and `+`-decoded until stable.
fn decoded_name(raw: &str) -> String {
    let mut name = raw.to_string();
    for _ in 0..4 {
        let next = decode_component(&name).into_owned();
        if next == name {
            break;
        }
        name = next;
    }
    name
}

/// Replaces every value under a secret name with `"***"`, recursively.
pub fn mask_json(v: &mut Value) {
    mask_json_by(v, &is_secret_name);
}

/// Replaces every value under a name `secret` flags with `"***"`, recursively.
fn mask_json_by(v: &mut Value, secret: &dyn Fn(&str) -> bool) {
    match v {
        Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if secret(k) {
                    *val = Value::String(MASK.into());
                } else {
                    mask_json_by(val, secret);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| mask_json_by(i, secret)),
        _ => {}
    }
}

/// Masks secret query values in a request target (`?app_secret=x` → `?app_secret=***`).
pub fn mask_target(target: &str) -> String {
    let Some((path, query)) = target.split_once('?') else {
        return target.to_string();
    };
    format!("{path}?{}", mask_pairs(query))
}

/// Masks the secret values of `a=1&app%73ecret=x` pairs (`app%73ecret=***`).
pub fn mask_pairs(pairs: &str) -> String {
    let masked: Vec<String> = pairs
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if is_secret_name(&decoded_name(k)) => format!("{k}={MASK}"),
            _ => pair.to_string(),
        })
        .collect();
    masked.join("&")
}

/// A journaled body as shown: JSON when it parses, else text; the values under the names
/// `secret` flags masked either way ([`is_secret_name`] for requests, [`is_secret_in_answer`]
/// for answers).
pub fn mask_body(body: &[u8], secret: &dyn Fn(&str) -> bool) -> Value {
    match serde_json::from_slice::<Value>(body) {
        Ok(mut v) => {
            mask_json_by(&mut v, secret);
            v
        }
        Err(_) => Value::String(mask_pairs(&mask_text(
            &String::from_utf8_lossy(body),
            secret,
        ))),
    }
}

/// Masks, in text that only looks like JSON, the value after every `"<name>" :` that `secret`
/// flags.
pub fn mask_text(text: &str, secret: &dyn Fn(&str) -> bool) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'"' {
            i += 1;
            continue;
        }
        let (key, after) = string_at(text, i);
        let colon = skip_ws(b, after);
        if colon < b.len() && b[colon] == b':' && secret(&key) {
            let start = skip_ws(b, colon + 1);
            let end = value_end(b, start);
            out.push_str(&text[copied..start]);
            out.push_str(&format!("\"{MASK}\""));
            copied = end;
            i = end;
        } else {
            i = after;
        }
    }
    out.push_str(&text[copied..]);
    out
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// The string starting at the quote at `start`, unescaped, and the index after its closing
/// quote (the end of the text when unterminated).
fn string_at(text: &str, start: usize) -> (String, usize) {
    let mut out = String::new();
    let mut chars = text[start + 1..].char_indices();
    while let Some((off, c)) = chars.next() {
        match c {
            '"' => return (out, start + 1 + off + 1),
            '\\' => match chars.next() {
                Some((_, 'u')) => {
                    let hex: String = chars.by_ref().take(4).map(|(_, h)| h).collect();
                    if let Some(ch) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                        out.push(ch);
                    }
                }
                Some((_, e)) => out.push(e),
                None => break,
            },
            c => out.push(c),
        }
    }
    (out, text.len())
}

/// Where the value starting at `start` ends: after its closing quote or bracket, or at the
/// next `,` `}` `]` or line end for a bare value; the end of the text when it never closes.
fn value_end(b: &[u8], start: usize) -> usize {
    match b.get(start) {
        None => start,
        Some(b'"') => {
            let mut i = start + 1;
            while i < b.len() {
                match b[i] {
                    b'\\' => i += 2,
                    b'"' => return i + 1,
                    _ => i += 1,
                }
            }
            b.len()
        }
        Some(b'{') | Some(b'[') => {
            let mut depth = 0usize;
            let mut i = start;
            while i < b.len() {
                match b[i] {
                    b'"' => {
                        i = value_end(b, i);
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return i + 1;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            b.len()
        }
        Some(_) => {
            let mut i = start;
            while i < b.len() && !matches!(b[i], b',' | b'}' | b']' | b'\n' | b'\r') {
                i += 1;
            }
            i
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_json_is_masked_by_field_name() {
        let cases = [
            (
                r#"{"appKey":"k","appSecret":"s3",}"#,
                r#"{"appKey":"***","appSecret":"***",}"#,
            ),
            (
                r#"{"app_id":"a","app_secret":"s3cr"#,
                r#"{"app_id":"a","app_secret":"***""#,
            ),
            (
                r#"{"app\u005fsecret" : "s3" ,, x"#,
                r#"{"app\u005fsecret" : "***" ,, x"#,
            ),
            (r#"{"password": {"x": "s3"}, "#, r#"{"password": "***", "#),
            (r#"{"code": 123456}"#, r#"{"code": "***"}"#),
            (
                r#"{"note": "\"secret\": no"}"#,
                r#"{"note": "\"secret\": no"}"#,
            ),
            (r#"{"token":"#, r#"{"token":"***""#),
        ];
        for (input, want) in cases {
            assert_eq!(mask_text(input, &is_secret_name), want, "{input}");
        }
    }

    #[test]
    fn secret_names_are_decoded_before_they_are_compared() {
        assert_eq!(
            mask_pairs("appkey=k&app%73ecret=s&APP%53ECRET=s&app%2573ecret=s&x=1"),
            "appkey=***&app%73ecret=***&APP%53ECRET=***&app%2573ecret=***&x=1"
        );
        assert_eq!(
            mask_target("/p?client%5Fsecret=s"),
            "/p?client%5Fsecret=***"
        );
        assert_eq!(mask_target("/p"), "/p");
    }

    #[test]
    fn parsed_json_masks_whole_values_under_secret_names() {
        let mut v: Value = serde_json::from_str(
            r#"{"app_id":"cli","app_secret":"s","nested":{"password":{"x":"p"}},"list":[{"refresh_token":"r"}]}"#,
        )
        .unwrap();
        mask_json(&mut v);
        assert_eq!(
            v.to_string(),
            r#"{"app_id":"cli","app_secret":"***","list":[{"refresh_token":"***"}],"nested":{"password":"***"}}"#
        );
    }
}
