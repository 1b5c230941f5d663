//! Tempo's TraceQL metrics endpoints (TEMPO-API.md §5): `GET /api/metrics/query_range` and the
//! instant `GET /api/metrics/query`. Answers become [`MetricsResult`], the shape local evaluation
//! (`spanlens_traceql::metrics`) produces, so a chart draws both the same way.
//!
//! Requests send times as unix nanoseconds (Tempo reads an integer of more than 10 digits as
//! nanoseconds, so nothing is rounded to seconds) and the step as a Go duration.

use crate::error::{BackendError, error_from_response};
use crate::json::{Flex, from_body, i64_of, id_hex, pad_trace_id, u64_of};
use crate::request::{TimeWindow, go_duration, query_string};
use crate::{Backend, BackendKind};
use serde::Deserialize;
use spanlens_traceql::metrics::{Exemplar, LabelValue, MetricsResult, Series};

const RANGE_ENDPOINT: &str = "tempo metrics query_range";
const INSTANT_ENDPOINT: &str = "tempo metrics query";

fn check_window(window: TimeWindow) -> Result<(), BackendError> {
    if window.start_nanos >= window.end_nanos {
        return Err(BackendError::InvalidRequest("the metrics range's start must be before its end".to_owned()));
    }
    Ok(())
}

impl Backend {
    /// `GET /api/metrics/query_range?q=…&start=…&end=…[&step=…][&exemplars=…]`. `step_nanos: None`
    /// leaves the step to Tempo (about range/240). Tempo only.
    pub fn metrics_query_range_url(
        &self,
        query: &str,
        window: TimeWindow,
        step_nanos: Option<i64>,
        exemplars: Option<u32>,
    ) -> Result<String, BackendError> {
        if self.kind != BackendKind::Tempo {
            return Err(BackendError::Unsupported { backend: self.kind, what: "TraceQL metrics" });
        }
        check_window(window)?;
        let mut p = vec![
            ("q", query.trim().to_owned()),
            ("start", window.start_nanos.to_string()),
            ("end", window.end_nanos.to_string()),
        ];
        if let Some(step) = step_nanos {
            if step <= 0 {
                return Err(BackendError::InvalidRequest("the metrics step must be positive".to_owned()));
            }
            p.push(("step", go_duration(step)));
        }
        if let Some(n) = exemplars {
            p.push(("exemplars", n.to_string()));
        }
        Ok(format!("{}/api/metrics/query_range{}", self.url.trim().trim_end_matches('/'), query_string(&p)))
    }

    /// The instant query `GET /api/metrics/query?q=…&start=…&end=…`: one value per series for the
    /// whole window. Tempo only.
    pub fn metrics_query_url(&self, query: &str, window: TimeWindow) -> Result<String, BackendError> {
        if self.kind != BackendKind::Tempo {
            return Err(BackendError::Unsupported { backend: self.kind, what: "TraceQL metrics" });
        }
        check_window(window)?;
        let p = [
            ("q", query.trim().to_owned()),
            ("start", window.start_nanos.to_string()),
            ("end", window.end_nanos.to_string()),
        ];
        Ok(format!("{}/api/metrics/query{}", self.url.trim().trim_end_matches('/'), query_string(&p)))
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Response {
    series: Option<Vec<RawSeries>>,
    metrics: Option<RawMetrics>,
    status: Option<String>,
    message: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct RawMetrics {
    inspected_traces: Option<Flex>,
    inspected_spans: Option<Flex>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawSeries {
    labels: Option<Vec<RawLabel>>,
    samples: Option<Vec<RawSample>>,
    exemplars: Option<Vec<RawExemplar>>,
    /// Instant queries.
    value: Option<Flex>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawLabel {
    key: Option<String>,
    value: Option<RawValue>,
}

/// OTLP `AnyValue` as proto3 JSON: 64-bit ints arrive as strings, doubles may be `"NaN"`.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct RawValue {
    string_value: Option<String>,
    int_value: Option<Flex>,
    double_value: Option<Flex>,
    bool_value: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct RawSample {
    timestamp_ms: Option<Flex>,
    value: Option<Flex>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct RawExemplar {
    labels: Option<Vec<RawLabel>>,
    value: Option<Flex>,
    timestamp_ms: Option<Flex>,
}

/// A sample value: a number, or proto3 JSON's `"NaN"`, `"Infinity"`, `"-Infinity"`.
fn float_of(f: &Option<Flex>) -> f64 {
    match f {
        Some(Flex::Float(v)) => *v,
        Some(Flex::Int(v)) => *v as f64,
        Some(Flex::Uint(v)) => *v as f64,
        Some(Flex::Text(s)) => s.trim().parse::<f64>().unwrap_or(f64::NAN),
        _ => f64::NAN,
    }
}

fn label_value(v: Option<RawValue>) -> LabelValue {
    let Some(v) = v else { return LabelValue::String(String::new()) };
    if let Some(s) = v.string_value {
        return LabelValue::String(s);
    }
    if let Some(i) = v.int_value.as_ref().and_then(Flex::as_i64) {
        return LabelValue::Int(i);
    }
    if v.double_value.is_some() {
        return LabelValue::Float(float_of(&v.double_value));
    }
    match v.bool_value {
        Some(b) => LabelValue::Bool(b),
        None => LabelValue::String(String::new()),
    }
}

fn labels_of(raw: Option<Vec<RawLabel>>) -> Vec<(String, LabelValue)> {
    raw.unwrap_or_default().into_iter().map(|l| (l.key.unwrap_or_default(), label_value(l.value))).collect()
}

fn millis_to_nanos(f: &Option<Flex>) -> i64 {
    i64_of(f).unwrap_or(0).saturating_mul(1_000_000)
}

/// Tempo names exemplar ids with labels; accept the spellings in use.
fn exemplar_of(e: RawExemplar) -> Exemplar {
    let labels = labels_of(e.labels);
    let find = |keys: &[&str]| {
        labels.iter().find(|(k, _)| keys.contains(&k.as_str())).map(|(_, v)| v.to_text()).unwrap_or_default()
    };
    let trace = find(&["trace:id", "traceID", "trace_id", "traceId"]);
    let span = find(&["span:id", "spanID", "span_id", "spanId"]);
    Exemplar {
        trace_id: if trace.is_empty() { trace } else { pad_trace_id(&id_hex(&trace)) },
        span_id: if span.is_empty() { span } else { id_hex(&span) },
        timestamp_nanos: millis_to_nanos(&e.timestamp_ms),
        value: float_of(&e.value),
    }
}

fn result_of(resp: Response, series: Vec<Series>) -> MetricsResult {
    let metrics = resp.metrics.unwrap_or_default();
    let partial = resp.status.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("partial"));
    MetricsResult {
        series,
        partial,
        message: resp.message.filter(|m| !m.is_empty()),
        traces_inspected: u64_of(&metrics.inspected_traces).unwrap_or(0),
        spans_inspected: u64_of(&metrics.inspected_spans).unwrap_or(0),
    }
}

/// Parses a `query_range` answer. Samples are sorted by time (Tempo sends them sorted; a proxy
/// may not); only the samples Tempo sent are listed, so series may have different timestamps.
pub fn parse_metrics_query_range(body: impl AsRef<[u8]>) -> Result<MetricsResult, BackendError> {
    let mut resp: Response = from_body(RANGE_ENDPOINT, body.as_ref())?;
    let series = resp
        .series
        .take()
        .unwrap_or_default()
        .into_iter()
        .map(|s| {
            let mut samples: Vec<(i64, f64)> = s
                .samples
                .unwrap_or_default()
                .iter()
                .map(|p| (millis_to_nanos(&p.timestamp_ms), float_of(&p.value)))
                .collect();
            spanlens_model::sorting::sort_by_u64_key(&mut samples, |p| spanlens_model::sorting::ascending_i64(p.0));
            Series {
                labels: labels_of(s.labels),
                timestamps_nanos: samples.iter().map(|p| p.0).collect(),
                values: samples.iter().map(|p| p.1).collect(),
                exemplars: s.exemplars.unwrap_or_default().into_iter().map(exemplar_of).collect(),
            }
        })
        .collect();
    Ok(result_of(resp, series))
}

/// Parses an instant `query` answer (`{"series":[{"labels":[…],"value":42}]}`): each series gets
/// one point, stamped `at_nanos` (the end of the requested window; Tempo's answer carries no time).
pub fn parse_metrics_query(body: impl AsRef<[u8]>, at_nanos: i64) -> Result<MetricsResult, BackendError> {
    let mut resp: Response = from_body(INSTANT_ENDPOINT, body.as_ref())?;
    let series = resp
        .series
        .take()
        .unwrap_or_default()
        .into_iter()
        .map(|s| Series {
            labels: labels_of(s.labels),
            timestamps_nanos: vec![at_nanos],
            values: vec![float_of(&s.value)],
            exemplars: s.exemplars.unwrap_or_default().into_iter().map(exemplar_of).collect(),
        })
        .collect();
    Ok(result_of(resp, series))
}

/// A `query_range` response whatever its status: 2xx parses, anything else is an error carrying
/// Tempo's own words (e.g. `invalid TraceQL query: …` with 400).
pub fn metrics_query_range_from_response(status: u16, body: impl AsRef<[u8]>) -> Result<MetricsResult, BackendError> {
    let body = body.as_ref();
    if (200..300).contains(&status) {
        return parse_metrics_query_range(body);
    }
    Err(error_from_response(BackendKind::Tempo, RANGE_ENDPOINT, status, &String::from_utf8_lossy(body)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The example of TEMPO-API.md §5, completed into valid JSON.
    const EXAMPLE: &str = r#"{"series":[{"labels":[{"key":"resource.service.name","value":{"stringValue":"api"}}],
      "samples":[{"timestampMs":"1700000060000","value":2},{"timestampMs":"1700000000000","value":1.5}],
      "exemplars":[{"labels":[{"key":"trace:id","value":{"stringValue":"W47/95gDgQPSabYzgT/HAA=="}},
                               {"key":"span:id","value":{"stringValue":"00f067aa0ba902b7"}}],
                    "value":0.12,"timestampMs":"1700000001000"}]},
      {"labels":[{"key":"span.http.status_code","value":{"intValue":"500"}},{"key":"p","value":{"doubleValue":0.99}},
                 {"key":"ok","value":{"boolValue":true}}],
       "samples":[{"timestampMs":"1700000000000","value":"NaN"}]}],
     "metrics":{"inspectedTraces":"12","inspectedBytes":"1024","inspectedSpans":"340"},
     "status":"PARTIAL","message":"Range is too large, results are truncated"}"#;

    #[test]
    fn parses_series_samples_exemplars_and_status() {
        let r = parse_metrics_query_range(EXAMPLE).unwrap();
        assert_eq!(r.series.len(), 2);
        let s = &r.series[0];
        assert_eq!(s.labels, [("resource.service.name".to_owned(), LabelValue::String("api".into()))]);
        assert_eq!(s.timestamps_nanos, [1_700_000_000_000_000_000, 1_700_000_060_000_000_000]);
        assert_eq!(s.values, [1.5, 2.0]);
        let e = &s.exemplars[0];
        assert_eq!(e.trace_id, "5b8efff798038103d269b633813fc700");
        assert_eq!(e.span_id, "00f067aa0ba902b7");
        assert_eq!((e.timestamp_nanos, e.value), (1_700_000_001_000_000_000, 0.12));
        let s = &r.series[1];
        assert_eq!(s.label("span.http.status_code"), Some(&LabelValue::Int(500)));
        assert_eq!(s.label("p"), Some(&LabelValue::Float(0.99)));
        assert_eq!(s.label("ok"), Some(&LabelValue::Bool(true)));
        assert!(s.values[0].is_nan());
        assert!(r.partial);
        assert_eq!(r.message.as_deref(), Some("Range is too large, results are truncated"));
        assert_eq!((r.traces_inspected, r.spans_inspected), (12, 340));
        let r = parse_metrics_query_range(r#"{"series":[]}"#).unwrap();
        assert!(r.series.is_empty() && !r.partial);
    }

    #[test]
    fn instant_answers_and_errors() {
        let r = parse_metrics_query(
            r#"{"series":[{"labels":[{"key":"name","value":{"stringValue":"GET /"}}],"value":42}]}"#,
            7,
        )
        .unwrap();
        assert_eq!((r.series[0].timestamps_nanos.as_slice(), r.series[0].values.as_slice()), (&[7][..], &[42.0][..]));
        let e = metrics_query_range_from_response(400, "invalid TraceQL query: parse error").unwrap_err();
        assert_eq!(e.to_string(), "tempo metrics query_range: HTTP 400: invalid TraceQL query: parse error");
        let e = parse_metrics_query_range("<html>").unwrap_err();
        assert!(e.to_string().starts_with("tempo metrics query_range: unexpected response"), "{e}");
        assert!(parse_metrics_query_range(r#"{"series":{}}"#).is_err());
    }

    #[test]
    fn urls() {
        let tempo = Backend::new("t", BackendKind::Tempo, "/tempo/");
        let w = TimeWindow { start_nanos: 1_700_000_000_000_000_000, end_nanos: 1_700_003_600_000_000_000 };
        let url = tempo.metrics_query_range_url("{ } | rate() by (name)", w, Some(30_000_000_000), Some(50)).unwrap();
        assert_eq!(
            url,
            "/tempo/api/metrics/query_range?q=%7B%20%7D%20%7C%20rate%28%29%20by%20%28name%29\
             &start=1700000000000000000&end=1700003600000000000&step=30s&exemplars=50"
        );
        let url = tempo.metrics_query_url("{ } | rate()", w).unwrap();
        assert!(url.starts_with("/tempo/api/metrics/query?q="), "{url}");
        assert!(tempo.metrics_query_range_url("{}", TimeWindow { start_nanos: 5, end_nanos: 5 }, None, None).is_err());
        assert!(tempo.metrics_query_range_url("{}", w, Some(0), None).is_err());
        let jaeger = Backend::new("j", BackendKind::Jaeger, "/jaeger");
        assert!(matches!(jaeger.metrics_query_url("{}", w), Err(BackendError::Unsupported { .. })));
    }
}
