//! Errors, and turning a backend's error response into one.
//!
//! Each backend words its errors differently: Jaeger's legacy API sends its JSON envelope with
//! `errors[].msg` (as `text/plain`), `api_v3` sends `{"error":{"httpCode","message"}}` (also
//! `text/plain`), Tempo and Zipkin send plain text, and Tempo answers an unknown trace with an empty
//! 404. [`error_from_response`] reads all of them whatever the kind, since proxies in front of a
//! backend add their own bodies (HTML error pages, JSON from gateways).

use crate::BackendKind;
use serde::Deserialize;

/// Longest backend message kept in an error (bodies can be whole HTML pages).
const MAX_MESSAGE_CHARS: usize = 300;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    /// The backend answered with an error status; `message` is its own words (or the status reason).
    /// `endpoint` names the request for people (`"tempo search"`), so the kind is not repeated.
    #[error("{endpoint}: HTTP {status}: {message}")]
    Http { backend: BackendKind, endpoint: String, status: u16, message: String },
    /// HTTP 404: an unknown trace id, or (api_v3) a search with no match. `message` may be empty.
    #[error("{endpoint}: not found{}", if message.is_empty() { String::new() } else { format!(" ({message})") })]
    NotFound { endpoint: String, message: String },
    /// A 2xx body that is not what the endpoint sends. `line`/`column` are 1-based, 0 when unknown.
    #[error("{endpoint}: unexpected response ({message}) at line {line}, column {column}")]
    Malformed { endpoint: String, message: String, line: usize, column: usize },
    /// Input from the user or the caller that cannot make a request (bad duration text, bad tags).
    /// (Displayed without credentials: the text may echo what the user typed.)
    #[error("{}", strip_credentials(.0))]
    InvalidRequest(String),
    /// The endpoint does not exist for this kind of backend.
    #[error("{backend} has no {what}")]
    Unsupported { backend: BackendKind, what: &'static str },
    /// A bad `config.json`.
    #[error("config.json: {}", strip_credentials(.0))]
    Config(String),
}

impl BackendError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, BackendError::NotFound { .. })
    }

    /// A body that did not parse: serde_json's message without its position suffix, which the fields
    /// carry instead.
    pub(crate) fn malformed(endpoint: &str, e: &serde_json::Error) -> BackendError {
        let (line, column) = (e.line(), e.column());
        let text = e.to_string();
        // serde quotes offending values, which may be URLs with credentials.
        let message = strip_credentials(&text.replacen(&format!(" at line {line} column {column}"), "", 1));
        BackendError::Malformed {
            endpoint: endpoint.to_owned(),
            message: clip(&message, MAX_MESSAGE_CHARS),
            line,
            column,
        }
    }
}

/// Builds the error for a non-2xx response of `endpoint`, a short name for people that includes the
/// backend (`"tempo search"`, `"prod: trace 4bf92f35…"`).
/// Never fails: an unreadable body falls back to the status's reason phrase.
pub fn error_from_response(kind: BackendKind, endpoint: &str, status: u16, body: &str) -> BackendError {
    let message = strip_credentials(&message_from_body(body).unwrap_or_default());
    let endpoint = strip_credentials(endpoint);
    if status == 404 {
        return BackendError::NotFound { endpoint, message };
    }
    let message = if message.is_empty() { reason(status).to_owned() } else { message };
    BackendError::Http { backend: kind, endpoint, status, message }
}

/// The backend's own words from an error body, trimmed and clipped. `None` for an empty body.
pub(crate) fn message_from_body(body: &str) -> Option<String> {
    let text = body.trim();
    if text.is_empty() {
        return None;
    }
    if text.starts_with('{')
        && let Ok(shape) = serde_json::from_str::<ErrorShapes>(text)
        && let Some(m) = shape.message()
    {
        return Some(clip(m.trim(), MAX_MESSAGE_CHARS));
    }
    let lower = text.get(..text.len().min(200)).unwrap_or("").to_ascii_lowercase();
    if lower.starts_with("<!doctype html") || lower.starts_with("<html") {
        // A proxy's error page: its title is the useful part, the markup is noise.
        let title = between(text, "<title>", "</title>").map(str::trim).filter(|t| !t.is_empty());
        return Some(match title {
            Some(t) => format!("an HTML page titled {:?} (a proxy in front of the backend?)", clip(t, 100)),
            None => "an HTML page (a proxy in front of the backend?)".to_owned(),
        });
    }
    Some(clip(&text.split_whitespace().collect::<Vec<_>>().join(" "), MAX_MESSAGE_CHARS))
}

/// Every JSON error shape the four backends (and common gateways) use.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ErrorShapes {
    /// Jaeger legacy envelope: `errors: [{code, msg}]` (null on success).
    errors: Option<Vec<JaegerError>>,
    /// api_v3 `{"error":{"httpCode","message"}}`; some gateways send `"error": "text"`.
    error: Option<serde_json::Value>,
    message: Option<String>,
    msg: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct JaegerError {
    msg: Option<String>,
    #[serde(rename = "traceID")]
    trace_id: Option<String>,
}

impl ErrorShapes {
    fn message(&self) -> Option<String> {
        if let Some(errors) = &self.errors {
            let msgs: Vec<String> = errors
                .iter()
                .filter_map(|e| {
                    let m = e.msg.as_deref()?;
                    Some(match &e.trace_id {
                        Some(id) => format!("{m} ({id})"),
                        None => m.to_owned(),
                    })
                })
                .collect();
            if !msgs.is_empty() {
                return Some(msgs.join("; "));
            }
        }
        match &self.error {
            Some(serde_json::Value::String(s)) if !s.is_empty() => return Some(s.clone()),
            Some(serde_json::Value::Object(o)) => {
                if let Some(m) = o.get("message").and_then(|m| m.as_str()).filter(|m| !m.is_empty()) {
                    return Some(m.to_owned());
                }
            }
            _ => {}
        }
        self.message.clone().or_else(|| self.msg.clone()).filter(|m| !m.is_empty())
    }
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let lower = text.to_ascii_lowercase();
    let start = lower.find(open)? + open.len();
    let end = start + lower.get(start..)?.find(close)?;
    text.get(start..end)
}

/// Removes `user:password@` (or `user@`) from every URL in `text`: messages are shown on screen and
/// copied into bug reports, credentials must never travel with them.
pub fn strip_credentials(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(p) = rest.find("://") {
        let (head, tail) = rest.split_at(p + 3);
        out.push_str(head);
        // The authority ends at the first of these; an `@` before it ends the userinfo.
        let authority_end =
            tail.find(|c: char| matches!(c, '/' | '?' | '#') || c.is_whitespace()).unwrap_or(tail.len());
        let authority = tail.get(..authority_end).unwrap_or("");
        match authority.rfind('@') {
            Some(at) => rest = tail.get(at + 1..).unwrap_or(""),
            None => rest = tail,
        }
    }
    out.push_str(rest);
    out
}

/// At most `max` characters of `s`, with an ellipsis when cut.
pub(crate) fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", s.get(..i).unwrap_or("")),
        None => s.to_owned(),
    }
}

/// Reason phrases for the statuses a trace backend or its proxy plausibly sends.
fn reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized (the backend or its proxy wants credentials)",
        403 => "Forbidden",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Payload Too Large",
        422 => {
            "Unprocessable Entity (Tempo: the trace is too large for /api/traces; the v2 endpoint returns part of it)"
        }
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "no message",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http_message(e: BackendError) -> (u16, String) {
        match e {
            BackendError::Http { status, message, .. } => (status, message),
            other => panic!("expected Http, got {other:?}"),
        }
    }

    #[test]
    fn reads_each_backends_error_shape() {
        // JAEGER-UI-AND-API.md, Addendum: legacy `http.Error` body with a trailing newline.
        let jaeger = "{\"data\":null,\"total\":0,\"limit\":0,\"offset\":0,\"errors\":[{\"code\":400,\"msg\":\"parameter 'service' is required\"}]}\n";
        assert_eq!(
            http_message(error_from_response(BackendKind::Jaeger, "jaeger search", 400, jaeger)),
            (400, "parameter 'service' is required".to_owned())
        );
        // Same addendum: api_v3 `tryHandleError`.
        let v3 = "{\"error\":{\"httpCode\":400,\"message\":\"malformed parameter query.start_time_min: bad\"}}\n";
        assert_eq!(
            http_message(error_from_response(BackendKind::JaegerV3, "v3 search", 400, v3)).1,
            "malformed parameter query.start_time_min: bad"
        );
        // TEMPO-API.md §0: plain text 400.
        let tempo = "invalid TraceQL query: parse error at line 1, col 6: syntax error: unexpected |\n";
        assert_eq!(http_message(error_from_response(BackendKind::Tempo, "tempo search", 400, tempo)).1, tempo.trim());
        // ZIPKIN-API.md §3.2: plain text 400.
        assert_eq!(
            http_message(error_from_response(BackendKind::Zipkin, "zipkin search", 400, "endTs <= 0")).1,
            "endTs <= 0"
        );
    }

    #[test]
    fn not_found_in_every_form() {
        // Tempo v1: empty 404 (TEMPO-API.md Addendum).
        let e = error_from_response(BackendKind::Tempo, "tempo trace", 404, "");
        assert_eq!(e, BackendError::NotFound { endpoint: "tempo trace".into(), message: String::new() });
        assert_eq!(e.to_string(), "tempo trace: not found");
        let jaeger = r#"{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":404,"msg":"trace not found"}]}"#;
        let e = error_from_response(BackendKind::Jaeger, "jaeger trace", 404, jaeger);
        assert!(e.is_not_found());
        assert_eq!(e.to_string(), "jaeger trace: not found (trace not found)");
        let v3 = r#"{"error":{"httpCode":404,"message":"No traces found"}}"#;
        assert!(
            error_from_response(BackendKind::JaegerV3, "v3 search", 404, v3).to_string().contains("No traces found")
        );
        let z = error_from_response(BackendKind::Zipkin, "zipkin trace", 404, "463ac35c9f6413ad not found");
        assert!(z.to_string().contains("463ac35c9f6413ad not found"));
    }

    #[test]
    fn empty_and_html_bodies_get_a_useful_message() {
        let (_, m) = http_message(error_from_response(BackendKind::Tempo, "tempo search", 502, "  "));
        assert_eq!(m, "Bad Gateway");
        let html = "<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>";
        let (_, m) = http_message(error_from_response(BackendKind::Tempo, "tempo search", 502, html));
        assert!(m.contains("\"502 Bad Gateway\"") && m.contains("proxy"), "{m}");
        let long = "x".repeat(5000);
        let (_, m) = http_message(error_from_response(BackendKind::Zipkin, "zipkin", 500, &long));
        assert!(m.chars().count() <= MAX_MESSAGE_CHARS + 1);
    }

    #[test]
    fn credentials_never_reach_a_message() {
        assert_eq!(strip_credentials("https://user:pa55@tempo.example/api/search"), "https://tempo.example/api/search");
        assert_eq!(
            strip_credentials("GET http://a:b@h:3200/x and https://c@d/e?u=f@g"),
            "GET http://h:3200/x and https://d/e?u=f@g"
        );
        assert_eq!(strip_credentials("no url, mail me@example.com"), "no url, mail me@example.com");
        assert_eq!(strip_credentials("http://"), "http://");
        let e =
            error_from_response(BackendKind::Tempo, "https://u:secret@x/api", 500, "dial http://u:secret@y:1 refused");
        assert!(!e.to_string().contains("secret"), "{e}");
    }

    #[test]
    fn malformed_keeps_the_position() {
        let err = serde_json::from_str::<Vec<String>>("[\"a\",\n 3]").unwrap_err();
        let e = BackendError::malformed("zipkin services", &err);
        assert_eq!(
            e,
            BackendError::Malformed {
                endpoint: "zipkin services".into(),
                message: "invalid type: integer `3`, expected a string".into(),
                line: 2,
                column: 2
            }
        );
        assert!(e.to_string().contains("line 2, column 2"));
    }
}
