//! TraceQL metrics on the search page: telling a metrics query from a trace search, the time window
//! the URL asks for (`start=`/`end=`/`step=`, unix nanoseconds), running a query over the loaded
//! traces, and the chart-ready shape shared with a Tempo `query_range` answer.

use crate::state::Catalog;
use spanlens_layout::palette::fnv1a;
use spanlens_traceql::ast::Root;
use spanlens_traceql::metrics::{MetricsRange, MetricsResult, default_range, default_step_nanos, metrics_search};
use std::collections::HashMap;

/// Colour slots of the palette (`spanlens_layout::palette::LIGHT`/`DARK`).
const SLOTS: usize = 12;

/// True when `text` parses to a metrics query (`{ } | rate()`, `… | quantile_over_time(…)`).
pub fn is_metrics_query(text: &str) -> bool {
    spanlens_traceql::parse(text).is_ok_and(|q| matches!(q.root, Root::Metrics(_)))
}

/// The window the URL asks for; `None`s mean "the default" (the loaded set, or the lookback).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MetricsWindow {
    pub start_nanos: Option<i64>,
    pub end_nanos: Option<i64>,
    pub step_nanos: Option<i64>,
}

impl MetricsWindow {
    /// From the URL's `start`, `end` and `step` (nanoseconds); a bad or inverted pair is ignored.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> MetricsWindow {
        let num = |k: &str| lookup(k).and_then(|v| v.trim().parse::<i64>().ok());
        let (start_nanos, end_nanos) = match (num("start"), num("end")) {
            (Some(s), Some(e)) if e > s => (Some(s), Some(e)),
            _ => (None, None),
        };
        MetricsWindow { start_nanos, end_nanos, step_nanos: num("step").filter(|s| *s > 0) }
    }

    /// A zoom was asked for (a start and an end).
    pub fn is_zoomed(&self) -> bool {
        self.start_nanos.is_some() && self.end_nanos.is_some()
    }

    /// The window over `start_nanos..end_nanos` with a step fitting it.
    pub fn zoom(start_nanos: i64, end_nanos: i64) -> MetricsWindow {
        MetricsWindow {
            start_nanos: Some(start_nanos),
            end_nanos: Some(end_nanos),
            step_nanos: Some(default_step_nanos(end_nanos.saturating_sub(start_nanos))),
        }
    }

    /// `&start=…&end=…&step=…` (empty when nothing is set).
    pub fn query_suffix(&self) -> String {
        [("start", self.start_nanos), ("end", self.end_nanos), ("step", self.step_nanos)]
            .iter()
            .filter_map(|(k, v)| v.map(|v| format!("&{k}={v}")))
            .collect()
    }

    /// The range to evaluate: this window over `fallback` (the set's or the lookback's range).
    pub fn range_over(&self, fallback: MetricsRange) -> MetricsRange {
        match (self.start_nanos, self.end_nanos) {
            (Some(start_nanos), Some(end_nanos)) => MetricsRange {
                start_nanos,
                end_nanos,
                step_nanos: self.step_nanos.unwrap_or_else(|| default_step_nanos(end_nanos - start_nanos)),
            },
            _ => MetricsRange { step_nanos: self.step_nanos.unwrap_or(fallback.step_nanos), ..fallback },
        }
    }
}

/// One sampled span, placed on the chart, opening its trace when it is known.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartExemplar {
    pub trace_id: String,
    pub timestamp_nanos: i64,
    pub value: f64,
    pub href: Option<String>,
}

/// One line of the chart.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartSeries {
    /// `key=value, …`, or `value` for a series without labels.
    pub label: String,
    /// Palette slot, stable for a label.
    pub slot: usize,
    pub timestamps_nanos: Vec<i64>,
    /// NaN is a gap.
    pub values: Vec<f64>,
    pub exemplars: Vec<ChartExemplar>,
}

/// What the chart and the table draw.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChartData {
    pub series: Vec<ChartSeries>,
    pub step_nanos: i64,
    /// The evaluated window (the x axis), when known.
    pub start_nanos: i64,
    pub end_nanos: i64,
    /// An incomplete answer, and why.
    pub partial: bool,
    pub message: Option<String>,
}

impl ChartData {
    /// Builds the chart data of `result`; `href` names the page of an exemplar's trace.
    pub fn from_result(result: MetricsResult, range: MetricsRange, href: impl Fn(&str) -> Option<String>) -> ChartData {
        let mut used = [false; SLOTS];
        let series = result
            .series
            .into_iter()
            .map(|s| {
                let label = series_label(&s.labels);
                let slot = free_slot(&label, &mut used);
                let exemplars = s
                    .exemplars
                    .into_iter()
                    .map(|e| ChartExemplar {
                        href: if e.trace_id.is_empty() { None } else { href(&e.trace_id) },
                        trace_id: e.trace_id,
                        timestamp_nanos: e.timestamp_nanos,
                        value: e.value,
                    })
                    .collect();
                ChartSeries { label, slot, timestamps_nanos: s.timestamps_nanos, values: s.values, exemplars }
            })
            .collect();
        ChartData {
            series,
            step_nanos: range.step_nanos,
            start_nanos: range.start_nanos,
            end_nanos: range.end_nanos,
            partial: result.partial,
            message: result.message,
        }
    }

    /// Finite points over every series.
    pub fn point_count(&self) -> usize {
        self.series.iter().map(|s| s.values.iter().filter(|v| v.is_finite()).count()).sum()
    }
}

/// The CSS colour of palette `slot` in `theme`, for legends and tooltips.
pub fn series_color(theme: crate::theme::Theme, slot: usize) -> String {
    let colors = spanlens_layout::palette::palette(theme.palette());
    colors[slot % colors.len()].hex()
}

/// `key=value, …` in the series' label order.
pub fn series_label(labels: &[(String, spanlens_traceql::metrics::LabelValue)]) -> String {
    if labels.is_empty() {
        return "value".to_owned();
    }
    labels.iter().map(|(k, v)| format!("{k}={}", v.to_text())).collect::<Vec<_>>().join(", ")
}

/// The label's hashed slot, or the next one free in this chart (so a few series never share).
fn free_slot(label: &str, used: &mut [bool; SLOTS]) -> usize {
    let home = fnv1a(label.as_bytes()) as usize % SLOTS;
    let slot = (0..SLOTS).map(|i| (home + i) % SLOTS).find(|s| !used[*s]).unwrap_or(home);
    used[slot] = true;
    slot
}

/// One run over the loaded traces.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricsOutcome {
    pub query: String,
    pub result: Result<ChartData, String>,
    pub traces_inspected: u64,
    pub spans_inspected: u64,
    pub millis: f64,
}

/// The range covering every load (first span start to last span end), with the default step.
fn catalog_range(catalog: &Catalog) -> Option<MetricsRange> {
    let ranges: Vec<MetricsRange> =
        catalog.loads().iter().filter_map(|l| spanlens_traceql::metrics::set_range(&l.set)).collect();
    let start = ranges.iter().map(|r| r.start_nanos).min()?;
    let end = ranges.iter().map(|r| r.end_nanos).max()?;
    Some(default_range(start, end))
}

/// Evaluates a metrics query over every load with one shared range. With several loads, each load's
/// series carry a `load` label (series of different loads are not summed: a quantile cannot be).
pub fn run_metrics(query: &str, catalog: &Catalog, window: MetricsWindow) -> MetricsOutcome {
    let started = crate::timing::now_millis();
    let finish = |result, traces_inspected, spans_inspected| MetricsOutcome {
        query: query.to_owned(),
        result,
        traces_inspected,
        spans_inspected,
        millis: crate::timing::now_millis() - started,
    };
    let Some(range) = catalog_range(catalog).map(|r| window.range_over(r)) else {
        return finish(Ok(ChartData::default()), 0, 0);
    };
    let several = catalog.loads().len() > 1;
    let mut all = MetricsResult::default();
    let mut hrefs: HashMap<String, String> = HashMap::new();
    for loaded in catalog.loads() {
        let mut result = match metrics_search(query, &loaded.set, Some(range)) {
            Ok(r) => r,
            Err(errors) => {
                let message =
                    errors.0.first().map(|e| format!("{}:{}: {}", e.line, e.col, e.message)).unwrap_or_default();
                return finish(Err(message), 0, 0);
            }
        };
        for s in &mut result.series {
            for e in &s.exemplars {
                if !hrefs.contains_key(&e.trace_id)
                    && let Some((_, trace)) = loaded.trace_by_hex(&e.trace_id)
                {
                    hrefs.insert(e.trace_id.clone(), loaded.trace_href(trace));
                }
            }
            if several {
                s.labels
                    .push(("load".to_owned(), spanlens_traceql::metrics::LabelValue::String(loaded.source.label())));
            }
        }
        all.traces_inspected += result.traces_inspected;
        all.spans_inspected += result.spans_inspected;
        all.partial |= result.partial;
        all.message = all.message.or(result.message);
        all.series.extend(result.series);
    }
    let (traces, spans) = (all.traces_inspected, all.spans_inspected);
    let data = ChartData::from_result(all, range, |id| hrefs.get(id).cloned());
    finish(Ok(data), traces, spans)
}

/// A number for a tooltip or a table cell: up to four significant digits, `–` for a gap.
pub fn format_value(v: f64) -> String {
    if !v.is_finite() {
        return "–".to_owned();
    }
    let a = v.abs();
    if a == 0.0 {
        "0".to_owned()
    } else if !(1e-3..1e6).contains(&a) {
        format!("{v:.3e}")
    } else if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        let decimals = (3 - a.log10().floor() as i32).clamp(0, 6) as usize;
        let s = format!("{v:.decimals$}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_queries_are_told_from_searches() {
        assert!(is_metrics_query("{ } | rate() by (resource.service.name)"));
        assert!(is_metrics_query("{ } | quantile_over_time(duration, .5, .95)"));
        assert!(!is_metrics_query("{ status = error }"));
        assert!(!is_metrics_query("{ } | count() > 2"));
        assert!(!is_metrics_query("{ "));
    }

    #[test]
    fn the_window_reads_and_writes_the_url() {
        let w = MetricsWindow::from_lookup(|k| match k {
            "start" => Some("100".into()),
            "end" => Some("300".into()),
            "step" => Some("10".into()),
            _ => None,
        });
        assert_eq!(w, MetricsWindow { start_nanos: Some(100), end_nanos: Some(300), step_nanos: Some(10) });
        assert_eq!(w.query_suffix(), "&start=100&end=300&step=10");
        assert!(w.is_zoomed());
        let inverted =
            MetricsWindow::from_lookup(|k| (k != "step").then(|| if k == "start" { "9" } else { "1" }.into()));
        assert!(!inverted.is_zoomed());
        let fallback = MetricsRange { start_nanos: 0, end_nanos: 1000, step_nanos: 5 };
        assert_eq!(w.range_over(fallback), MetricsRange { start_nanos: 100, end_nanos: 300, step_nanos: 10 });
        assert_eq!(MetricsWindow::default().range_over(fallback), fallback);
    }

    #[test]
    fn slots_are_stable_and_distinct() {
        let mut used = [false; SLOTS];
        let a = free_slot("service=a", &mut used);
        let b = free_slot("service=a", &mut used);
        assert_ne!(a, b);
        let mut fresh = [false; SLOTS];
        assert_eq!(free_slot("service=a", &mut fresh), a);
    }

    #[test]
    fn values_read_well() {
        assert_eq!(format_value(f64::NAN), "–");
        assert_eq!(format_value(3.0), "3");
        assert_eq!(format_value(0.123456), "0.1235");
        assert_eq!(format_value(12.5), "12.5");
    }
}
