//! The shape of a metrics answer, shared by local evaluation and the Tempo
//! `query_range` parser in `spanlens-backends` (which builds this crate
//! without the `model` feature, so nothing here needs a trace model).

use serde::{Deserialize, Serialize};

/// The time window of a range query. Times are unix nanoseconds. Local
/// evaluation aligns `start_nanos` down and `end_nanos` up to multiples of
/// `step_nanos`, as Tempo does, so the buckets are the same whatever the
/// exact request times were.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricsRange {
    pub start_nanos: i64,
    pub end_nanos: i64,
    pub step_nanos: i64,
}

/// A typed label value (Tempo's `AnyValue` subset used in metrics labels).
/// A `by()` group whose value is nil is labelled with the string `"nil"`,
/// like Tempo.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum LabelValue {
    String(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl LabelValue {
    /// The text a legend shows.
    pub fn to_text(&self) -> String {
        match self {
            LabelValue::String(s) => s.clone(),
            LabelValue::Int(i) => i.to_string(),
            LabelValue::Float(f) => f.to_string(),
            LabelValue::Bool(b) => b.to_string(),
        }
    }
}

/// One sampled span that contributed to a series.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Exemplar {
    /// Lower-case hex; empty when the source did not say (Tempo exemplars
    /// carry the ids as labels, which may be missing).
    pub trace_id: String,
    pub span_id: String,
    pub timestamp_nanos: i64,
    /// The measured value (seconds for durations); NaN when unknown.
    pub value: f64,
}

/// One time series. `timestamps_nanos` and `values` have the same length.
/// Local evaluation fills every bucket of the range (NaN where a bucket has
/// no value); a Tempo answer only lists the samples it sent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// In order: `by()` labels in the query's order, then `p` (quantiles),
    /// `__bucket` (histograms) or `__meta_type` + attribute (compare).
    pub labels: Vec<(String, LabelValue)>,
    pub timestamps_nanos: Vec<i64>,
    pub values: Vec<f64>,
    pub exemplars: Vec<Exemplar>,
}

impl Series {
    pub fn label(&self, key: &str) -> Option<&LabelValue> {
        self.labels.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// The answer to a metrics query.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MetricsResult {
    pub series: Vec<Series>,
    /// Tempo's `status: PARTIAL` (the answer is incomplete); `message` says why.
    pub partial: bool,
    pub message: Option<String>,
    pub traces_inspected: u64,
    pub spans_inspected: u64,
}
