//! Request URLs and response parsers for the trace backends spanlens talks to: Jaeger's legacy
//! `/api/*` JSON API, Jaeger `api_v3` (OTLP JSON), Grafana Tempo and Zipkin v2.
//!
//! The crate is pure on purpose: no HTTP client, no clock, no browser types. The app fetches the URLs
//! built here (with gloo-net) and hands the bodies back to the parsers here; trace bodies (trace by id,
//! and the full traces some searches return) are imported by the worker with `spanlens-formats`.
//!
//! Conventions: every time and duration in the API is `i64` nanoseconds (each backend's own unit is
//! produced inside, see [`request`]), except [`Backend::dependencies_url`] which takes the
//! milliseconds both Jaeger and Zipkin use for that endpoint. No function panics on any input.
//!
//! A search, as the app drives it (the HTTP part is the app's):
//!
//! ```
//! use spanlens_backends::{Backend, BackendKind, SearchRequest, TimeWindow, parse_duration_text, parse_logfmt_tags, search_from_response};
//!
//! let tempo = Backend::new("prod", BackendKind::Tempo, "/tempo");
//! let now_nanos = 1_700_000_000_000_000_000; // from the browser's clock
//! let req = SearchRequest {
//!     service: Some("checkout".into()),
//!     tags: parse_logfmt_tags("http.status_code=500")?,
//!     min_duration_nanos: Some(parse_duration_text("250ms")?),
//!     window: Some(TimeWindow::lookback(now_nanos, 3_600_000_000_000)),
//!     limit: Some(20),
//!     ..Default::default()
//! };
//! let url = tempo.search_url(&req)?;
//! assert!(url.starts_with("/tempo/api/search?q=%7B%20resource.service.name%20%3D%20%22checkout%22"));
//!
//! // …fetch `url`, then hand over the status and body whatever the status was:
//! let body = r#"{"traces":[{"traceID":"2f3e0cee77ae5dc9c17ade3689eb2e54","rootServiceName":"checkout",
//!     "rootTraceName":"POST /pay","startTimeUnixNano":"1699999000000000000","durationMs":420}]}"#;
//! let results = search_from_response(BackendKind::Tempo, 200, body)?;
//! let first = &results.traces[0];
//! assert_eq!(first.duration_nanos, 420_000_000);
//! // Opening it: the worker imports the body of this URL with spanlens-formats.
//! assert_eq!(tempo.trace_url(&first.trace_id_hex), "/tempo/api/v2/traces/2f3e0cee77ae5dc9c17ade3689eb2e54");
//!
//! // Errors carry the backend's own words.
//! let err = search_from_response(BackendKind::Tempo, 400, "invalid TraceQL query: parse error").unwrap_err();
//! assert_eq!(err.to_string(), "tempo search: HTTP 400: invalid TraceQL query: parse error");
//! # Ok::<(), spanlens_backends::BackendError>(())
//! ```

pub mod backend;
pub mod config;
pub mod error;
pub mod jaeger;
pub mod jaeger_v3;
mod json;
mod otlp;
pub mod parse;
pub mod probe;
pub mod request;
pub mod summary;
pub mod tempo;
pub mod tempo_metrics;
pub mod zipkin;

pub use backend::Backend;
pub use config::parse_config;
pub use error::{BackendError, error_from_response, strip_credentials};
pub use parse::{
    parse_autocomplete, parse_dependencies, parse_operations, parse_search, parse_services, parse_tag_names,
    parse_tag_values, search_failure, search_from_response, trace_notice,
};
pub use probe::{ProbeAnswer, answer_matches, detect_kind_from_probe, probe_plan};
pub use request::{SearchRequest, TimeWindow, format_logfmt_tags, parse_duration_text, parse_logfmt_tags};
pub use summary::{DependencyLink, Operation, SearchResults, TagValue, TraceSummary};
pub use tempo::{parse_buildinfo, traceql_from_form};
pub use tempo_metrics::{metrics_query_range_from_response, parse_metrics_query, parse_metrics_query_range};

use std::fmt;
use std::str::FromStr;

/// Which API a backend speaks. Jaeger's two APIs are separate kinds because one server may offer
/// either or both (legacy `/api/*` was removed after v2.20, `api_v3` exists since v1.60).
/// Serialised as [`BackendKind::as_str`] (as in `config.json`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BackendKind {
    Jaeger,
    JaegerV3,
    Tempo,
    Zipkin,
}

impl BackendKind {
    pub const ALL: [BackendKind; 4] =
        [BackendKind::Jaeger, BackendKind::JaegerV3, BackendKind::Tempo, BackendKind::Zipkin];

    /// The name used in `config.json`, URLs and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            BackendKind::Jaeger => "jaeger",
            BackendKind::JaegerV3 => "jaeger-v3",
            BackendKind::Tempo => "tempo",
            BackendKind::Zipkin => "zipkin",
        }
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            BackendKind::Jaeger => "Jaeger",
            BackendKind::JaegerV3 => "Jaeger (api_v3)",
            BackendKind::Tempo => "Grafana Tempo",
            BackendKind::Zipkin => "Zipkin",
        }
    }
}

impl fmt::Display for BackendKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for BackendKind {
    type Err = BackendError;

    /// Accepts the [`BackendKind::as_str`] names, case-insensitively, plus the spellings people type
    /// (`jaeger_v3`, `jaegerv3`, `grafana-tempo`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm = s.trim().to_ascii_lowercase().replace('_', "-");
        match norm.as_str() {
            "jaeger" => Ok(BackendKind::Jaeger),
            "jaeger-v3" | "jaegerv3" | "jaeger-api-v3" => Ok(BackendKind::JaegerV3),
            "tempo" | "grafana-tempo" => Ok(BackendKind::Tempo),
            "zipkin" => Ok(BackendKind::Zipkin),
            _ => Err(BackendError::InvalidRequest(format!(
                "unknown backend kind {:?}: expected one of jaeger, jaeger-v3, tempo, zipkin",
                error::clip(s, 60)
            ))),
        }
    }
}

impl serde::Serialize for BackendKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for BackendKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in BackendKind::ALL {
            assert_eq!(kind.as_str().parse::<BackendKind>().unwrap(), kind);
            assert_eq!(kind.to_string(), kind.as_str());
        }
        assert_eq!("Jaeger_V3".parse::<BackendKind>().unwrap(), BackendKind::JaegerV3);
        assert_eq!(BackendKind::Tempo.label(), "Grafana Tempo");
        assert_eq!(BackendKind::JaegerV3.label(), "Jaeger (api_v3)");
        assert_eq!(serde_json::to_string(&BackendKind::JaegerV3).unwrap(), "\"jaeger-v3\"");
        assert_eq!(serde_json::from_str::<BackendKind>("\"zipkin\"").unwrap(), BackendKind::Zipkin);
        let b = Backend::new("prod", BackendKind::Tempo, "/tempo");
        let json = serde_json::to_string(&b).unwrap();
        assert_eq!(json, r#"{"name":"prod","kind":"tempo","url":"/tempo"}"#);
        assert_eq!(serde_json::from_str::<Backend>(&json).unwrap(), b);
        let e = "prometheus".parse::<BackendKind>().unwrap_err().to_string();
        assert!(e.contains("prometheus") && e.contains("jaeger-v3"), "{e}");
    }
}
