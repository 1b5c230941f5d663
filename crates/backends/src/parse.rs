//! The response parsers, one entry point per endpoint and the backend kind that answered. Bodies
//! may be `&str`, `&[u8]` or `Vec<u8>`. Every parser accepts the documented shape and the
//! reasonable neighbours (an envelope or a bare array, v1 or v2) and never panics.

use crate::error::{BackendError, error_from_response, message_from_body};
use crate::summary::{DependencyLink, Operation, SearchResults, TagValue};
use crate::{BackendKind, jaeger, jaeger_v3, tempo, zipkin};

/// `services_url` answers: service names.
pub fn parse_services(kind: BackendKind, body: impl AsRef<[u8]>) -> Result<Vec<String>, BackendError> {
    let body = body.as_ref();
    match kind {
        BackendKind::Jaeger => jaeger::parse_services(body),
        BackendKind::JaegerV3 => jaeger_v3::parse_services(body),
        BackendKind::Tempo => tempo::parse_services(body),
        BackendKind::Zipkin => zipkin::parse_names("zipkin services", body),
    }
}

/// `operations_url` answers.
pub fn parse_operations(kind: BackendKind, body: impl AsRef<[u8]>) -> Result<Vec<Operation>, BackendError> {
    let body = body.as_ref();
    match kind {
        BackendKind::Jaeger => jaeger::parse_operations(body),
        BackendKind::JaegerV3 => jaeger_v3::parse_operations(body),
        BackendKind::Tempo => tempo::parse_operations(body),
        BackendKind::Zipkin => zipkin::parse_operations(body),
    }
}

/// `search_url` (and api_v3 `trace_summaries_url`) answers, as summaries. Backends that answer with
/// whole traces are summarised here; the worker imports the same body when the user opens them.
pub fn parse_search(kind: BackendKind, body: impl AsRef<[u8]>) -> Result<SearchResults, BackendError> {
    let body = body.as_ref();
    match kind {
        BackendKind::Jaeger => jaeger::parse_search(body),
        BackendKind::JaegerV3 if first_key(body).as_deref() == Some("summaries") => jaeger_v3::parse_summaries(body),
        BackendKind::JaegerV3 => jaeger_v3::parse_find_traces(body),
        BackendKind::Tempo => tempo::parse_search(body),
        BackendKind::Zipkin => zipkin::parse_search(body),
    }
}

/// A search answer with its status: 2xx parses, api_v3's 404 "No traces found" is an empty result
/// (that API says "nothing matched" that way), anything else is the backend's error.
pub fn search_from_response(
    kind: BackendKind,
    status: u16,
    body: impl AsRef<[u8]>,
) -> Result<SearchResults, BackendError> {
    let body = body.as_ref();
    if (200..300).contains(&status) {
        return parse_search(kind, body);
    }
    search_failure(kind, status, body)
}

/// What a search answer with a non-success `status` means: the backend's own message as an error,
/// or no results (api_v3's 404 "no traces found"). The UI thread reads error answers with this alone,
/// so that the search parser (which runs in the worker) stays out of the UI's bundle.
pub fn search_failure(kind: BackendKind, status: u16, body: &[u8]) -> Result<SearchResults, BackendError> {
    let text = String::from_utf8_lossy(body);
    if kind == BackendKind::JaegerV3
        && status == 404
        && message_from_body(&text).is_some_and(|m| m.eq_ignore_ascii_case("no traces found"))
    {
        return Ok(SearchResults::default());
    }
    Err(error_from_response(kind, &format!("{} search", kind.as_str()), status, &text))
}

/// `dependencies_url` answers (Jaeger: envelope or bare array; Zipkin: array).
pub fn parse_dependencies(kind: BackendKind, body: impl AsRef<[u8]>) -> Result<Vec<DependencyLink>, BackendError> {
    match kind {
        BackendKind::Jaeger => jaeger::parse_dependencies(body.as_ref()),
        BackendKind::Zipkin => zipkin::parse_dependencies(body.as_ref()),
        kind => Err(BackendError::Unsupported { backend: kind, what: "dependencies endpoint" }),
    }
}

/// Tempo `tag_names_url` / `tag_names_v1_url` answers: `(scope, tags)`, scopes in a fixed order;
/// a v1 answer is one scope named `""`.
pub fn parse_tag_names(body: impl AsRef<[u8]>) -> Result<Vec<(String, Vec<String>)>, BackendError> {
    tempo::parse_tag_names(body.as_ref())
}

/// Tempo `tag_values_url` answers (v2 typed, or v1 strings).
pub fn parse_tag_values(body: impl AsRef<[u8]>) -> Result<Vec<TagValue>, BackendError> {
    tempo::parse_tag_values(body.as_ref())
}

/// Zipkin's plain name lists: autocomplete keys and values, remote services.
pub fn parse_autocomplete(body: impl AsRef<[u8]>) -> Result<Vec<String>, BackendError> {
    zipkin::parse_names("zipkin autocomplete", body.as_ref())
}

/// What a successful trace-by-id answer says beside the trace, for a banner over it: Tempo v2's
/// `status: PARTIAL` with its message (a trace too large, or filtered by `q`), or Jaeger errors sent
/// next to the data. `None` when there is nothing to say or the body is not readable (the importer
/// reports that).
pub fn trace_notice(kind: BackendKind, body: impl AsRef<[u8]>) -> Option<String> {
    #[derive(serde::Deserialize, Default)]
    #[serde(default)]
    struct Notice {
        status: Option<serde_json::Value>,
        message: Option<String>,
        errors: Option<Vec<JaegerError>>,
    }
    #[derive(serde::Deserialize, Default)]
    #[serde(default)]
    struct JaegerError {
        msg: Option<String>,
    }
    let body = body.as_ref();
    if crate::jaeger::first_byte(body) != Some(b'{') {
        return None;
    }
    let n: Notice = crate::json::from_body("trace", body).ok()?;
    match kind {
        BackendKind::Tempo if n.status.as_ref().and_then(|s| s.as_str()) == Some("PARTIAL") => Some(
            n.message.filter(|m| !m.trim().is_empty()).unwrap_or_else(|| "Tempo returned part of the trace".to_owned()),
        ),
        BackendKind::Jaeger => {
            let msgs: Vec<String> = n.errors.unwrap_or_default().into_iter().filter_map(|e| e.msg).collect();
            (!msgs.is_empty()).then(|| crate::error::strip_credentials(&msgs.join("; ")))
        }
        _ => None,
    }
}

/// The first key of a JSON object body, cheaply (no full parse): tells api_v3's two search shapes apart.
fn first_key(body: &[u8]) -> Option<String> {
    let head = body.get(..body.len().min(256))?;
    // The cut may split a character: keep the valid part (the key is near the start anyway).
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        Err(e) => std::str::from_utf8(head.get(..e.valid_up_to())?).ok()?,
    };
    let rest = text.trim_start_matches('\u{feff}').trim_start().strip_prefix('{')?.trim_start().strip_prefix('"')?;
    Some(rest.get(..rest.find('"')?)?.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v3_search_shapes_and_empty_404() {
        let s = parse_search(BackendKind::JaegerV3, r#" { "summaries": [] }"#).unwrap();
        assert!(s.traces.is_empty());
        let mut long = String::from(r#"{"summaries":[{"rootServiceName":""#);
        long.push_str(&"é".repeat(200));
        long.push_str(r#""}]}"#);
        let s = parse_search(BackendKind::JaegerV3, &long).unwrap();
        assert_eq!(s.traces[0].root_service.as_deref().map(|n| n.chars().count()), Some(200));
        let none = search_from_response(
            BackendKind::JaegerV3,
            404,
            "{\"error\":{\"httpCode\":404,\"message\":\"No traces found\"}}\n",
        );
        assert_eq!(none.unwrap(), SearchResults::default());
        let old = search_from_response(BackendKind::JaegerV3, 404, "404 page not found\n").unwrap_err();
        assert!(old.is_not_found());
        let bad = search_from_response(BackendKind::Tempo, 400, "invalid TraceQL query").unwrap_err();
        assert!(matches!(bad, BackendError::Http { status: 400, .. }), "{bad:?}");
    }

    // TEMPO-API.md §3.2: a v2 answer with `status: PARTIAL` (no recorded one exists).
    #[test]
    fn partial_traces_say_so() {
        let partial = r#"{"trace":{"resourceSpans":[]},"status":"PARTIAL","message":"Trace exceeds maximum size of 50 bytes, a partial trace is returned"}"#;
        assert_eq!(
            trace_notice(BackendKind::Tempo, partial).unwrap(),
            "Trace exceeds maximum size of 50 bytes, a partial trace is returned"
        );
        assert_eq!(trace_notice(BackendKind::Tempo, r#"{"trace":{"resourceSpans":[]}}"#), None);
        let jaeger = r#"{"data":[],"total":0,"limit":0,"offset":0,"errors":[{"code":500,"msg":"span limit reached"}]}"#;
        assert_eq!(trace_notice(BackendKind::Jaeger, jaeger).unwrap(), "span limit reached");
        assert_eq!(trace_notice(BackendKind::Zipkin, "[]"), None);
        assert_eq!(trace_notice(BackendKind::Tempo, "{"), None);
    }

    #[test]
    fn kinds_without_an_endpoint() {
        assert!(matches!(parse_dependencies(BackendKind::Tempo, "[]"), Err(BackendError::Unsupported { .. })));
    }
}
