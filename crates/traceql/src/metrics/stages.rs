//! Second-stage functions over finished series: `topk`/`bottomk`, value
//! filters (`> 10`), and metrics math (`(q1) / (q2) * 100`).

use super::result::Series;
use crate::ast::{BinaryOp, SecondStage};

/// An evaluated metrics expression: series, or a constant from the query.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    Scalar(f64),
    Series(Vec<Series>),
}

/// Applies one second stage. Values a stage removes become NaN; a series
/// left with no value at all is dropped.
pub fn apply_stage(series: Vec<Series>, stage: &SecondStage) -> Vec<Series> {
    match stage {
        SecondStage::TopK { k, .. } => rank(series, *k, true),
        SecondStage::BottomK { k, .. } => rank(series, *k, false),
        SecondStage::Filter { op, value, .. } => filter(series, *op, *value),
    }
}

/// Like Prometheus' `topk`, per timestamp: at each step the `k` highest
/// (lowest) values survive. A series stays if it ranked at any step.
fn rank(mut series: Vec<Series>, k: i64, top: bool) -> Vec<Series> {
    let k = usize::try_from(k).unwrap_or(0);
    let steps = series.iter().map(|s| s.values.len()).max().unwrap_or(0);
    let mut keep: Vec<Vec<bool>> = series.iter().map(|s| vec![false; s.values.len()]).collect();
    let mut column: Vec<(f64, usize)> = Vec::with_capacity(series.len());
    for step in 0..steps {
        column.clear();
        column.extend(
            series.iter().enumerate().filter_map(|(i, s)| s.values.get(step).filter(|v| !v.is_nan()).map(|&v| (v, i))),
        );
        // Ties keep query order, so the answer does not depend on hashing.
        spanlens_model::sorting::sort_by(&mut column, |a, b| {
            if top { b.0.total_cmp(&a.0) } else { a.0.total_cmp(&b.0) }.then(a.1.cmp(&b.1))
        });
        for &(_, i) in column.iter().take(k) {
            if let Some(flag) = keep.get_mut(i).and_then(|row| row.get_mut(step)) {
                *flag = true;
            }
        }
    }
    for (s, row) in series.iter_mut().zip(&keep) {
        for (v, &kept) in s.values.iter_mut().zip(row) {
            if !kept {
                *v = f64::NAN;
            }
        }
    }
    drop_empty(series)
}

fn filter(mut series: Vec<Series>, op: BinaryOp, threshold: f64) -> Vec<Series> {
    for s in &mut series {
        for v in &mut s.values {
            if !holds(op, *v, threshold) {
                *v = f64::NAN;
            }
        }
    }
    drop_empty(series)
}

fn holds(op: BinaryOp, v: f64, t: f64) -> bool {
    match op {
        BinaryOp::Eq => v == t,
        BinaryOp::Neq => !v.is_nan() && v != t,
        BinaryOp::Lt => v < t,
        BinaryOp::Lte => v <= t,
        BinaryOp::Gt => v > t,
        BinaryOp::Gte => v >= t,
        _ => false,
    }
}

fn drop_empty(series: Vec<Series>) -> Vec<Series> {
    series.into_iter().filter(|s| s.values.iter().any(|v| !v.is_nan())).collect()
}

fn arith(op: BinaryOp, a: f64, b: f64) -> f64 {
    match op {
        BinaryOp::Add => a + b,
        BinaryOp::Sub => a - b,
        BinaryOp::Mul => a * b,
        // Tempo: division by zero is NaN, not infinity.
        BinaryOp::Div if b == 0.0 => f64::NAN,
        BinaryOp::Div => a / b,
        _ => f64::NAN,
    }
}

/// Metrics math. Series are paired by equal label sets; a side that is one
/// unlabelled series (e.g. `{ } | rate()` without `by`) applies to every
/// series of the other side. Series with no partner are dropped. A step
/// missing on either side gives NaN.
pub fn combine(op: BinaryOp, lhs: Operand, rhs: Operand) -> Operand {
    match (lhs, rhs) {
        (Operand::Scalar(a), Operand::Scalar(b)) => Operand::Scalar(arith(op, a, b)),
        (Operand::Series(mut l), Operand::Scalar(b)) => {
            l.iter_mut().for_each(|s| s.values.iter_mut().for_each(|v| *v = arith(op, *v, b)));
            Operand::Series(l)
        }
        (Operand::Scalar(a), Operand::Series(mut r)) => {
            r.iter_mut().for_each(|s| s.values.iter_mut().for_each(|v| *v = arith(op, a, *v)));
            Operand::Series(r)
        }
        (Operand::Series(l), Operand::Series(r)) => {
            let unlabelled = |side: &[Series]| side.len() == 1 && side.iter().all(|s| s.labels.is_empty());
            let mut out = Vec::new();
            if unlabelled(&r) {
                for s in l {
                    out.push(pair(op, s, &r[0]));
                }
            } else if unlabelled(&l) {
                for s in &r {
                    let mut combined = pair(op, l[0].clone(), s);
                    combined.labels.clone_from(&s.labels);
                    out.push(combined);
                }
            } else {
                for s in l {
                    if let Some(partner) = r.iter().find(|o| o.labels == s.labels) {
                        out.push(pair(op, s, partner));
                    }
                }
            }
            Operand::Series(out)
        }
    }
}

/// `lhs OP rhs` step by step, matched on timestamps.
fn pair(op: BinaryOp, mut lhs: Series, rhs: &Series) -> Series {
    for (t, v) in lhs.timestamps_nanos.iter().zip(lhs.values.iter_mut()) {
        let other = rhs.timestamps_nanos.binary_search(t).ok().and_then(|i| rhs.values.get(i)).copied();
        *v = match other {
            Some(o) => arith(op, *v, o),
            None => f64::NAN,
        };
    }
    lhs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::result::LabelValue;

    fn s(label: Option<&str>, values: &[f64]) -> Series {
        Series {
            labels: label.map(|l| vec![("name".to_owned(), LabelValue::String(l.to_owned()))]).unwrap_or_default(),
            timestamps_nanos: (0..values.len() as i64).collect(),
            values: values.to_vec(),
            exemplars: Vec::new(),
        }
    }

    fn names(series: &[Series]) -> Vec<String> {
        series.iter().map(|s| s.label("name").map(LabelValue::to_text).unwrap_or_default()).collect()
    }

    #[test]
    fn topk_is_per_step() {
        let input = vec![s(Some("a"), &[1.0, 9.0]), s(Some("b"), &[5.0, 1.0]), s(Some("c"), &[3.0, 2.0])];
        let out = apply_stage(input.clone(), &SecondStage::TopK { k: 1, range: 0..0 });
        assert_eq!(names(&out), ["a", "b"]);
        assert!(out[0].values[0].is_nan() && out[0].values[1] == 9.0);
        let out = apply_stage(input, &SecondStage::BottomK { k: 1, range: 0..0 });
        assert_eq!(names(&out), ["a", "b"]);
        assert_eq!(out[0].values[0], 1.0);
    }

    #[test]
    fn filters_drop_values_then_empty_series() {
        let input = vec![s(Some("a"), &[1.0, 20.0]), s(Some("b"), &[5.0, 1.0])];
        let out = apply_stage(input, &SecondStage::Filter { op: BinaryOp::Gt, value: 10.0, range: 0..0 });
        assert_eq!(names(&out), ["a"]);
        assert!(out[0].values[0].is_nan());
        assert_eq!(out[0].values[1], 20.0);
    }

    #[test]
    fn math_pairs_labels_and_broadcasts_unlabelled() {
        let l = Operand::Series(vec![s(Some("a"), &[2.0, 4.0]), s(Some("b"), &[1.0, 1.0])]);
        let total = Operand::Series(vec![s(None, &[4.0, 0.0])]);
        let Operand::Series(out) = combine(BinaryOp::Div, l.clone(), total) else { panic!() };
        assert_eq!(names(&out), ["a", "b"]);
        assert_eq!(out[0].values[0], 0.5);
        assert!(out[0].values[1].is_nan(), "division by zero is NaN");
        let Operand::Series(out) = combine(BinaryOp::Mul, Operand::Scalar(100.0), l.clone()) else { panic!() };
        assert_eq!(out[1].values, [100.0, 100.0]);
        let other = Operand::Series(vec![s(Some("b"), &[3.0, 3.0]), s(Some("z"), &[1.0, 1.0])]);
        let Operand::Series(out) = combine(BinaryOp::Add, l, other) else { panic!() };
        assert_eq!(names(&out), ["b"]);
        assert_eq!(out[0].values, [4.0, 4.0]);
        assert_eq!(combine(BinaryOp::Sub, Operand::Scalar(1.0), Operand::Scalar(3.0)), Operand::Scalar(-2.0));
    }
}
