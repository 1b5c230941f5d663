//! The backend search form as the URL holds it, so a search is a shareable link. Jaeger and Zipkin
//! use Jaeger UI's parameter names (`service`, `operation`, `tags`, `lookback`, `minDuration`,
//! `maxDuration`, `limit`); Tempo uses `q`, `lookback`, `limit`, `spss` (and `mode=simple` for its
//! simple form); each with `backend=<name>`.

use leptos_router::params::ParamsMap;
use spanlens_backends::{BackendError, BackendKind, SearchRequest, TimeWindow, parse_duration_text, parse_logfmt_tags};
use spanlens_traceql::simple::SimpleSearch;

/// Lookback presets: (URL value, label, nanoseconds).
pub const LOOKBACKS: [(&str, &str, i64); 7] = [
    ("15m", "Last 15 minutes", 15 * MINUTE),
    ("1h", "Last hour", 60 * MINUTE),
    ("6h", "Last 6 hours", 6 * 60 * MINUTE),
    ("24h", "Last 24 hours", 24 * 60 * MINUTE),
    ("2d", "Last 2 days", 2 * 24 * 60 * MINUTE),
    ("7d", "Last 7 days", 7 * 24 * 60 * MINUTE),
    ("30d", "Last 30 days", 30 * 24 * 60 * MINUTE),
];
const MINUTE: i64 = 60_000_000_000;
const DEFAULT_LOOKBACK: &str = "1h";
/// `mode=simple`: Tempo's simple form.
pub const SIMPLE_MODE: &str = "simple";

#[derive(Clone, Debug, Default, PartialEq)]
pub struct BackendForm {
    pub service: String,
    pub operation: String,
    /// Jaeger UI's logfmt: `http.status_code=500 error=true`.
    pub tags: String,
    pub lookback: String,
    pub min_duration: String,
    pub max_duration: String,
    pub limit: String,
    /// Tempo: a TraceQL query.
    pub q: String,
    pub spss: String,
    /// Tempo: `simple` for the simple form (service, span name, status, duration), else TraceQL.
    /// Not a search field: a URL with only a mode asks nothing.
    pub mode: String,
}

const FIELDS: [&str; 9] =
    ["service", "operation", "tags", "lookback", "minDuration", "maxDuration", "limit", "q", "spss"];

impl BackendForm {
    pub fn from_params(params: &ParamsMap) -> BackendForm {
        BackendForm::from_lookup(|k| params.get(k))
    }

    /// The form from any key → value lookup (the URL's query in the app, a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> BackendForm {
        let get = |k: &str| lookup(k).unwrap_or_default();
        BackendForm {
            service: get("service"),
            operation: get("operation"),
            tags: get("tags"),
            lookback: get("lookback"),
            min_duration: get("minDuration"),
            max_duration: get("maxDuration"),
            limit: get("limit"),
            q: get("q"),
            spss: get("spss"),
            mode: get("mode"),
        }
    }

    fn values(&self) -> [&str; 9] {
        [
            &self.service,
            &self.operation,
            &self.tags,
            &self.lookback,
            &self.min_duration,
            &self.max_duration,
            &self.limit,
            &self.q,
            &self.spss,
        ]
    }

    /// True when nothing was asked yet (a search page opened without a form in its URL).
    pub fn is_empty(&self) -> bool {
        self.values().iter().all(|v| v.trim().is_empty())
    }

    /// `/search?backend=…&service=…` for this form: the link that reruns it.
    pub fn href(&self, backend: &str) -> String {
        let mut parts = vec![format!("backend={}", encode(backend))];
        for (key, value) in FIELDS.iter().zip(self.values()) {
            if !value.trim().is_empty() {
                parts.push(format!("{key}={}", encode(value.trim())));
            }
        }
        if !self.mode.trim().is_empty() {
            parts.push(format!("mode={}", encode(self.mode.trim())));
        }
        format!("/search?{}", parts.join("&"))
    }

    /// Tempo: the simple form is shown (asked for, and the query is one it can show).
    pub fn is_simple(&self) -> bool {
        self.mode == SIMPLE_MODE && SimpleSearch::from_traceql(&self.q).is_some()
    }

    pub fn lookback_nanos(&self) -> i64 {
        let wanted = if self.lookback.is_empty() { DEFAULT_LOOKBACK } else { self.lookback.as_str() };
        LOOKBACKS.iter().find(|(k, _, _)| *k == wanted).map_or(60 * MINUTE, |(_, _, n)| *n)
    }

    /// The request for `kind`, ending at `now_nanos`; bad input is an error naming the field.
    pub fn to_request(&self, kind: BackendKind, now_nanos: i64) -> Result<SearchRequest, BackendError> {
        let text = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
        let duration = |v: &str| text(v).map(|v| parse_duration_text(&v)).transpose();
        let limit = match text(&self.limit) {
            Some(l) => Some(
                l.parse::<u32>().map_err(|_| BackendError::InvalidRequest(format!("limit \"{l}\" is not a number")))?,
            ),
            None => None,
        };
        let spss = text(&self.spss).and_then(|s| s.parse::<u32>().ok());
        let window = Some(TimeWindow::lookback(now_nanos, self.lookback_nanos()));
        let tempo = kind == BackendKind::Tempo;
        Ok(SearchRequest {
            service: if tempo && text(&self.q).is_some() { None } else { text(&self.service) },
            operation: if tempo && text(&self.q).is_some() { None } else { text(&self.operation) },
            tags: match text(&self.tags) {
                Some(t) if !(tempo && text(&self.q).is_some()) => parse_logfmt_tags(&t)?,
                _ => Vec::new(),
            },
            window,
            min_duration_nanos: duration(&self.min_duration)?,
            max_duration_nanos: duration(&self.max_duration)?,
            limit,
            traceql: if tempo { text(&self.q) } else { None },
            spans_per_spanset: if tempo { spss } else { None },
            ..SearchRequest::default()
        })
    }
}

fn encode(text: &str) -> String {
    // Plain percent-encoding of everything but unreserved characters, as encodeURIComponent does;
    // pure Rust so that the form is tested natively.
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_form_round_trips_through_its_link() {
        let form = BackendForm {
            service: "frontend".into(),
            tags: "http.status_code=500 error=true".into(),
            lookback: "6h".into(),
            min_duration: "100ms".into(),
            limit: "20".into(),
            ..BackendForm::default()
        };
        let href = form.href("prod jaeger");
        assert_eq!(
            href,
            "/search?backend=prod%20jaeger&service=frontend&tags=http.status_code%3D500%20error%3Dtrue&lookback=6h&minDuration=100ms&limit=20"
        );
        let query = href.split_once('?').unwrap().1;
        let params: std::collections::HashMap<String, String> = query
            .split('&')
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap();
                (k.to_owned(), percent_decode(v))
            })
            .collect();
        assert_eq!(BackendForm::from_lookup(|k| params.get(k).cloned()), form);
    }

    fn percent_decode(text: &str) -> String {
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' && i + 2 < bytes.len() + 1 {
                out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn requests_follow_the_backend_kind() {
        let now = 1_000_000 * MINUTE;
        let form = BackendForm { service: "cart".into(), min_duration: "1.5s".into(), ..BackendForm::default() };
        let req = form.to_request(BackendKind::Jaeger, now).unwrap();
        assert_eq!(req.service.as_deref(), Some("cart"));
        assert_eq!(req.min_duration_nanos, Some(1_500_000_000));
        assert_eq!(req.window.map(|w| w.end_nanos - w.start_nanos), Some(60 * MINUTE));
        assert!(req.traceql.is_none());
        // Tempo with a TraceQL query: the query alone is sent (mixing would be refused by the backend crate).
        let tempo = BackendForm {
            q: "{ status = error }".into(),
            service: "cart".into(),
            lookback: "24h".into(),
            ..BackendForm::default()
        };
        let req = tempo.to_request(BackendKind::Tempo, now).unwrap();
        assert_eq!(req.traceql.as_deref(), Some("{ status = error }"));
        assert!(req.service.is_none());
        assert_eq!(req.window.map(|w| w.end_nanos - w.start_nanos), Some(24 * 60 * MINUTE));
        // Bad input names the problem.
        let bad = BackendForm { limit: "many".into(), ..BackendForm::default() };
        assert!(bad.to_request(BackendKind::Zipkin, now).unwrap_err().to_string().contains("limit"));
        let bad = BackendForm { max_duration: "soon".into(), ..BackendForm::default() };
        assert!(bad.to_request(BackendKind::Zipkin, now).is_err());
        assert!(BackendForm::default().is_empty());
        assert!(BackendForm { mode: SIMPLE_MODE.into(), ..BackendForm::default() }.is_empty());
    }

    #[test]
    fn the_tempo_mode_is_kept_in_the_link() {
        let form = BackendForm { q: "{}".into(), mode: SIMPLE_MODE.into(), ..BackendForm::default() };
        assert_eq!(form.href("tempo"), "/search?backend=tempo&q=%7B%7D&mode=simple");
        assert!(form.is_simple());
        assert!(!BackendForm { q: "{ a".into(), ..form.clone() }.is_simple());
        assert!(!BackendForm { mode: String::new(), ..form }.is_simple());
    }
}
