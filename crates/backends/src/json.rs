//! Shared JSON reading: bodies into typed shapes with positioned errors, and the scalars that arrive
//! as numbers or strings depending on the backend (proto3 JSON writes 64-bit integers as strings).

use crate::error::BackendError;
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// Parses a body as `T`, naming `endpoint` and the line/column when it is not `T`.
pub(crate) fn from_body<T: DeserializeOwned>(endpoint: &str, body: &[u8]) -> Result<T, BackendError> {
    // A byte-order mark is not JSON, but proxies and saved files add one.
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    serde_json::from_slice(body).map_err(|e| {
        // The two commonest wrong answers get words instead of "expected value at line 1 column 1".
        let (message, line, column) = match body.iter().position(|b| !b.is_ascii_whitespace()) {
            None => ("the body is empty".to_owned(), 1, 0),
            Some(at) if body.get(at) == Some(&b'<') => (
                "an HTML page instead of JSON: is the URL right? A proxy or a single-page app may have answered"
                    .to_owned(),
                e.line(),
                e.column(),
            ),
            Some(_) => return BackendError::malformed(endpoint, &e),
        };
        BackendError::Malformed { endpoint: endpoint.to_owned(), message, line, column }
    })
}

/// A number that may be written as a JSON number or a string (`"1634727903545000000"`).
#[derive(Deserialize, Clone, Debug)]
#[serde(untagged)]
pub(crate) enum Flex {
    Int(i64),
    Uint(u64),
    Float(f64),
    Text(String),
    Bool(bool),
}

impl Flex {
    pub(crate) fn as_i64(&self) -> Option<i64> {
        match self {
            Flex::Int(v) => Some(*v),
            Flex::Uint(v) => i64::try_from(*v).ok(),
            Flex::Float(v) if v.is_finite() && v.abs() < 9.2e18 => Some(*v as i64),
            Flex::Text(s) => {
                let s = s.trim();
                s.parse::<i64>()
                    .ok()
                    .or_else(|| s.parse::<f64>().ok().filter(|v| v.is_finite() && v.abs() < 9.2e18).map(|v| v as i64))
            }
            _ => None,
        }
    }

    pub(crate) fn as_u64(&self) -> Option<u64> {
        self.as_i64().and_then(|v| u64::try_from(v).ok()).or(match self {
            Flex::Uint(v) => Some(*v),
            _ => None,
        })
    }

    pub(crate) fn as_text(&self) -> String {
        match self {
            Flex::Int(v) => v.to_string(),
            Flex::Uint(v) => v.to_string(),
            Flex::Float(v) => v.to_string(),
            Flex::Text(s) => s.clone(),
            Flex::Bool(b) => b.to_string(),
        }
    }
}

pub(crate) fn i64_of(f: &Option<Flex>) -> Option<i64> {
    f.as_ref().and_then(Flex::as_i64)
}

pub(crate) fn u64_of(f: &Option<Flex>) -> Option<u64> {
    f.as_ref().and_then(Flex::as_u64)
}

/// A trace id as lower-case hex: hex stays hex (lower-cased), anything else is read as base64 (Tempo's
/// jsonpb, api_v3 paths) and written as hex; unreadable ids are kept as given.
pub(crate) fn id_hex(id: &str) -> String {
    let id = id.trim();
    if !id.is_empty() && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return id.to_ascii_lowercase();
    }
    match spanlens_model::base64::decode_base64(id) {
        Some(bytes) if !bytes.is_empty() => bytes.iter().map(|b| format!("{b:02x}")).collect(),
        _ => id.to_owned(),
    }
}

/// Left-pads a hex trace id to 16 or 32 digits (Tempo strips leading zeros; Zipkin pads).
pub(crate) fn pad_trace_id(hex: &str) -> String {
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) || hex.len() >= 32 {
        return hex.to_owned();
    }
    let width = if hex.len() <= 16 { 16 } else { 32 };
    format!("{hex:0>width$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert_eq!(id_hex("W47/95gDgQPSabYzgT/HAA=="), "5b8efff798038103d269b633813fc700");
        assert_eq!(id_hex("ABCDEF0123"), "abcdef0123");
        assert_eq!(id_hex("not base64!"), "not base64!");
        assert_eq!(pad_trace_id("1"), "0000000000000001");
        assert_eq!(pad_trace_id("12345678901234567"), "00000000000000012345678901234567");
        assert_eq!(pad_trace_id("xyz"), "xyz");
    }

    #[test]
    fn empty_and_html_bodies_are_named() {
        let e = from_body::<Vec<String>>("zipkin services", b"  \n").unwrap_err();
        assert_eq!(e.to_string(), "zipkin services: unexpected response (the body is empty) at line 1, column 0");
        let e = from_body::<Vec<String>>("zipkin services", b"<!doctype html><html>").unwrap_err();
        assert!(e.to_string().contains("an HTML page instead of JSON"), "{e}");
    }

    #[test]
    fn flex_numbers() {
        let v: Vec<Flex> = serde_json::from_str(r#"[1, "2", 3.5, "x", true, 18446744073709551615]"#).unwrap();
        let ints: Vec<Option<i64>> = v.iter().map(Flex::as_i64).collect();
        assert_eq!(ints, vec![Some(1), Some(2), Some(3), None, None, None]);
        assert_eq!(v[5].as_u64(), Some(u64::MAX));
    }
}
