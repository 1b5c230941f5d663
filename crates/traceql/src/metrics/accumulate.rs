//! Per-series, per-step state of the first-stage functions, and how it turns
//! into output values. Values arrive in raw units (nanoseconds for
//! durations) so log2 buckets of durations fall on the same boundaries as
//! Tempo's; the scale to seconds is applied when the series is finished.

use super::quantile::{bucket_of, bucket_upper, quantile};
use super::range::Buckets;
use super::result::{Exemplar, LabelValue, Series};
use crate::ast::MetricsFnKind;

const NANOS_PER_SECOND: f64 = 1e9;

/// The first-stage function, with what it needs to finish its values.
#[derive(Clone, Debug, PartialEq)]
pub enum Func {
    Rate,
    Count,
    Sum,
    Min,
    Max,
    Avg,
    Quantile(Vec<f64>),
    Histogram,
}

impl Func {
    /// `None` for `compare()`, which has its own evaluator.
    pub fn new(kind: MetricsFnKind, quantiles: &[f64]) -> Option<Func> {
        Some(match kind {
            MetricsFnKind::Rate => Func::Rate,
            MetricsFnKind::CountOverTime => Func::Count,
            MetricsFnKind::SumOverTime => Func::Sum,
            MetricsFnKind::MinOverTime => Func::Min,
            MetricsFnKind::MaxOverTime => Func::Max,
            MetricsFnKind::AvgOverTime => Func::Avg,
            MetricsFnKind::QuantileOverTime => Func::Quantile(quantiles.to_vec()),
            MetricsFnKind::HistogramOverTime => Func::Histogram,
            MetricsFnKind::Compare => return None,
        })
    }

    /// Whether the function reads a value (an attribute or `duration`).
    pub fn needs_value(&self) -> bool {
        !matches!(self, Func::Rate | Func::Count)
    }
}

/// The state of one series. Only the vectors the function uses are
/// allocated.
#[derive(Debug)]
pub struct Acc {
    counts: Vec<u64>,
    sums: Vec<f64>,
    extremes: Vec<f64>,
    /// `(log2 bucket, count per step)`, sorted by bucket.
    hist: Vec<(i32, Vec<u64>)>,
    /// Any value was a duration: report in seconds.
    duration: bool,
    exemplars: Vec<Exemplar>,
    /// One exemplar per slot of `slot_width` steps, so they spread over time.
    slot_taken: Vec<bool>,
    slot_width: usize,
}

impl Acc {
    /// A new state and the number of (step) cells it allocated, for the
    /// memory bound.
    pub fn new(func: &Func, steps: usize, max_exemplars: usize) -> (Acc, usize) {
        let zeros = || vec![0u64; steps];
        let (counts, sums, extremes) = match func {
            Func::Rate | Func::Count => (zeros(), Vec::new(), Vec::new()),
            Func::Sum | Func::Avg => (zeros(), vec![0.0; steps], Vec::new()),
            Func::Min | Func::Max => (Vec::new(), Vec::new(), vec![f64::NAN; steps]),
            Func::Quantile(_) | Func::Histogram => (Vec::new(), Vec::new(), Vec::new()),
        };
        let cells = counts.len() + sums.len() + extremes.len();
        let slots = max_exemplars.min(steps);
        let slot_width = if slots == 0 { usize::MAX } else { steps.div_ceil(slots) };
        let acc = Acc {
            counts,
            sums,
            extremes,
            hist: Vec::new(),
            duration: false,
            exemplars: Vec::new(),
            slot_taken: vec![false; slots],
            slot_width,
        };
        (acc, cells)
    }

    /// Adds one span at step `step`. `raw` is the measured value (nanoseconds
    /// for durations), `None` for rate/count. Returns the cells newly
    /// allocated (a histogram grows one vector per new log2 bucket).
    pub fn add(&mut self, func: &Func, step: usize, raw: Option<f64>, duration: bool, steps: usize) -> usize {
        self.duration |= duration;
        let v = raw.unwrap_or(0.0);
        match func {
            Func::Rate | Func::Count => bump(&mut self.counts, step),
            Func::Sum | Func::Avg => {
                bump(&mut self.counts, step);
                if let Some(s) = self.sums.get_mut(step) {
                    *s += v;
                }
            }
            Func::Min | Func::Max => {
                if let Some(e) = self.extremes.get_mut(step) {
                    let better = if *func == Func::Min { v < *e } else { v > *e };
                    if e.is_nan() || better {
                        *e = v;
                    }
                }
            }
            Func::Quantile(_) | Func::Histogram => {
                let b = bucket_of(v);
                let at = match self.hist.binary_search_by_key(&b, |(k, _)| *k) {
                    Ok(at) => at,
                    Err(at) => {
                        self.hist.insert(at, (b, vec![0; steps]));
                        if let Some((_, counts)) = self.hist.get_mut(at) {
                            bump(counts, step);
                        }
                        return steps;
                    }
                };
                if let Some((_, counts)) = self.hist.get_mut(at) {
                    bump(counts, step);
                }
            }
        }
        0
    }

    /// Whether an exemplar for `step` would be kept; the caller builds it
    /// only then (ids are formatted strings).
    pub fn wants_exemplar(&self, step: usize) -> bool {
        self.slot_taken.get(step / self.slot_width).is_some_and(|taken| !taken)
    }

    pub fn push_exemplar(&mut self, step: usize, exemplar: Exemplar) {
        if let Some(taken) = self.slot_taken.get_mut(step / self.slot_width)
            && !*taken
        {
            *taken = true;
            self.exemplars.push(exemplar);
        }
    }

    /// The output series of this state: one, or one per quantile / log2 bucket.
    pub fn finish(self, func: &Func, labels: Vec<(String, LabelValue)>, buckets: &Buckets) -> Vec<Series> {
        // Divide (not multiply by 1e-9) so 7.5e9 ns is exactly 7.5 s.
        let div = if self.duration { NANOS_PER_SECOND } else { 1.0 };
        let timestamps = buckets.timestamps_nanos();
        let mut exemplars = self.exemplars;
        spanlens_model::sorting::sort_by_u64_key(&mut exemplars, |e| {
            spanlens_model::sorting::ascending_i64(e.timestamp_nanos)
        });
        let one = |values: Vec<f64>| {
            vec![Series {
                labels: labels.clone(),
                timestamps_nanos: timestamps.clone(),
                values,
                exemplars: exemplars.clone(),
            }]
        };
        match func {
            Func::Rate => {
                let per_second = buckets.step_seconds();
                one(self.counts.iter().map(|&c| c as f64 / per_second).collect())
            }
            Func::Count => one(self.counts.iter().map(|&c| c as f64).collect()),
            Func::Sum => one(self.sums.iter().zip(&self.counts).map(|(&s, &c)| nan_if_empty(s / div, c)).collect()),
            Func::Avg => {
                one(self.sums.iter().zip(&self.counts).map(|(&s, &c)| nan_if_empty(s / div / c as f64, c)).collect())
            }
            Func::Min | Func::Max => one(self.extremes.iter().map(|&e| e / div).collect()),
            Func::Quantile(qs) => {
                let mut out = Vec::with_capacity(qs.len());
                let mut per_step: Vec<(i32, u64)> = Vec::with_capacity(self.hist.len());
                for &q in qs {
                    let values = (0..buckets.count)
                        .map(|step| {
                            per_step.clear();
                            per_step.extend(
                                self.hist.iter().map(|(b, counts)| (*b, counts.get(step).copied().unwrap_or(0))),
                            );
                            quantile(&per_step, q) / div
                        })
                        .collect();
                    let mut labels = labels.clone();
                    labels.push(("p".to_owned(), LabelValue::Float(q)));
                    out.push(Series {
                        labels,
                        timestamps_nanos: timestamps.clone(),
                        values,
                        exemplars: exemplars.clone(),
                    });
                }
                out
            }
            Func::Histogram => self
                .hist
                .iter()
                .map(|(b, counts)| {
                    let mut labels = labels.clone();
                    labels.push(("__bucket".to_owned(), LabelValue::Float(bucket_upper(*b) / div)));
                    Series {
                        labels,
                        timestamps_nanos: timestamps.clone(),
                        values: counts.iter().map(|&c| c as f64).collect(),
                        exemplars: exemplars.clone(),
                    }
                })
                .collect(),
        }
    }
}

fn bump(counts: &mut [u64], step: usize) {
    if let Some(c) = counts.get_mut(step) {
        *c += 1;
    }
}

fn nan_if_empty(v: f64, count: u64) -> f64 {
    if count == 0 { f64::NAN } else { v }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::metrics::result::MetricsRange;

    fn buckets() -> Buckets {
        Buckets::new(&MetricsRange { start_nanos: 0, end_nanos: 3_000_000_000, step_nanos: 1_000_000_000 }, 100)
            .unwrap()
    }

    fn run(func: Func, points: &[(usize, f64)], duration: bool) -> Vec<Series> {
        let b = buckets();
        let (mut acc, _) = Acc::new(&func, b.count, 10);
        for &(step, v) in points {
            acc.add(&func, step, Some(v), duration, b.count);
        }
        acc.finish(&func, Vec::new(), &b)
    }

    fn vals(s: &Series) -> Vec<String> {
        s.values.iter().map(|v| format!("{v}")).collect()
    }

    #[test]
    fn counts_sums_extremes() {
        let pts = [(0, 1.0), (0, 3.0), (2, 5.0)];
        assert_eq!(vals(&run(Func::Count, &pts, false)[0]), ["2", "0", "1"]);
        assert_eq!(vals(&run(Func::Rate, &pts, false)[0]), ["2", "0", "1"]);
        assert_eq!(vals(&run(Func::Sum, &pts, false)[0]), ["4", "NaN", "5"]);
        assert_eq!(vals(&run(Func::Avg, &pts, false)[0]), ["2", "NaN", "5"]);
        assert_eq!(vals(&run(Func::Min, &pts, false)[0]), ["1", "NaN", "5"]);
        assert_eq!(vals(&run(Func::Max, &pts, false)[0]), ["3", "NaN", "5"]);
        // Durations in nanoseconds come out in seconds.
        assert_eq!(vals(&run(Func::Max, &[(1, 2e9)], true)[0]), ["NaN", "2", "NaN"]);
    }

    #[test]
    fn quantiles_and_histograms() {
        let pts = [(0, 10.0), (0, 20.0), (1, 3.0)];
        let q = run(Func::Quantile(vec![0.5, 1.0]), &pts, false);
        assert_eq!(q.len(), 2);
        assert_eq!(q[0].labels, [("p".to_owned(), LabelValue::Float(0.5))]);
        assert_eq!(vals(&q[0]), ["16", "3", "NaN"]);
        assert_eq!(vals(&q[1]), ["32", "4", "NaN"]);
        let h = run(Func::Histogram, &pts, false);
        let labels: Vec<_> = h.iter().map(|s| s.label("__bucket").cloned()).collect();
        assert_eq!(
            labels,
            [Some(LabelValue::Float(4.0)), Some(LabelValue::Float(16.0)), Some(LabelValue::Float(32.0))]
        );
        assert_eq!(vals(&h[0]), ["0", "1", "0"]);
    }

    #[test]
    fn exemplars_are_bounded_and_spread() {
        let b = Buckets::new(&MetricsRange { start_nanos: 0, end_nanos: 100, step_nanos: 1 }, 1000).unwrap();
        let (mut acc, _) = Acc::new(&Func::Count, b.count, 10);
        for step in 0..100 {
            for _ in 0..3 {
                if acc.wants_exemplar(step) {
                    let e = Exemplar {
                        trace_id: String::new(),
                        span_id: String::new(),
                        timestamp_nanos: step as i64,
                        value: 1.0,
                    };
                    acc.push_exemplar(step, e);
                }
                acc.add(&Func::Count, step, None, false, b.count);
            }
        }
        let s = acc.finish(&Func::Count, Vec::new(), &b);
        let ts: Vec<i64> = s[0].exemplars.iter().map(|e| e.timestamp_nanos).collect();
        assert_eq!(ts, [0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    }
}
