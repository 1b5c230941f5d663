//! `compare({filter}, topN, start, end)`: splits the spans the pipeline
//! selects into a *selection* (matching `filter`, and starting inside
//! `[start, end)` when given) and a *baseline* (the rest), and counts, per
//! step, the spans of each side carrying each value of each attribute.
//!
//! Output, per attribute: the `topN` values of each side (by total count)
//! as series labelled `__meta_type` = `baseline`/`selection` plus the
//! attribute, and one `baseline_total`/`selection_total` series labelled
//! with the attribute = `"nil"`, counting every span of that side that has
//! the attribute. Attributes: `name`, `status`, `kind`, every resource
//! (`resource.x`) and span (`span.x`) attribute with a string, int or bool
//! value; floats and arrays are skipped (they rarely repeat, so they would
//! only add series).

use super::first_stage::{compile_pipeline, selected_spans};
use super::range::Buckets;
use super::result::{LabelValue, Series};
use super::{MetricsError, MetricsLimits};
use crate::ast::{MetricsFn, Pipeline, Stage};
use crate::eval::{ModelTrace, Spanset};
use spanlens_model::{AnyValue, Attribute, Span, StatusCode, Sym, TraceSet, sorting};
use std::collections::HashMap;

const DEFAULT_TOP_N: i64 = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum AttrId {
    Name,
    Status,
    Kind,
    Resource(Sym),
    Span(Sym),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum CVal {
    Sym(Sym),
    Int(i64),
    Bool(bool),
    Text(&'static str),
}

/// Counts per step for `[baseline, selection]`.
type Sides = [Vec<u64>; 2];

pub(crate) fn run(
    set: &TraceSet,
    pipeline: &Pipeline,
    func: &MetricsFn,
    buckets: &Buckets,
    limits: &MetricsLimits,
) -> Result<(Vec<Series>, u64, u64), MetricsError> {
    let compiled = compile_pipeline(set, pipeline)?;
    let filter = match &func.compare_filter {
        Some(f) => {
            Some(compile_pipeline(set, &Pipeline { stages: vec![Stage::Spanset((**f).clone())], range: f.range() })?)
        }
        None => None,
    };
    let top_n = usize::try_from(func.compare_args.first().copied().unwrap_or(DEFAULT_TOP_N).max(1)).unwrap_or(1);
    let window = match (func.compare_args.get(1), func.compare_args.get(2)) {
        (Some(&s), Some(&e)) if e > s => Some((s, e)),
        _ => None,
    };
    let steps = buckets.count;
    let mut values: HashMap<(AttrId, CVal), Sides> = HashMap::new();
    let mut totals: HashMap<AttrId, Sides> = HashMap::new();
    let mut cells = 0usize;
    let (mut traces_inspected, mut spans_inspected) = (0u64, 0u64);
    let mut pairs: Vec<(AttrId, CVal)> = Vec::new();
    for trace in &set.traces {
        traces_inspected += 1;
        spans_inspected += trace.spans.len() as u64;
        let src = ModelTrace::new(set, trace);
        let spans = selected_spans(&compiled, &src)?;
        if spans.is_empty() {
            continue;
        }
        let selection: Vec<u32> = match &filter {
            Some(f) => {
                let sets = f.run(&src, vec![Spanset { spans: spans.clone(), ..Spanset::default() }])?;
                let mut s: Vec<u32> = sets.into_iter().flat_map(|s| s.spans).collect();
                s.sort_unstable();
                s.dedup();
                s
            }
            None => Vec::new(),
        };
        for &i in &spans {
            let Some(span) = trace.spans.get(i as usize) else { continue };
            let Some(step) = buckets.index(span.start_nanos) else { continue };
            let in_window = window.is_none_or(|(s, e)| (s..e).contains(&span.start_nanos));
            let side = usize::from(selection.binary_search(&i).is_ok() && in_window);
            pairs.clear();
            attributes_of(set, span, &mut pairs);
            for &(attr, value) in &pairs {
                let counts = match values.get_mut(&(attr, value)) {
                    Some(c) => c,
                    None => {
                        cells += 2 * steps;
                        if cells > limits.max_points {
                            return Err(MetricsError::TooManyPoints { points: cells, limit: limits.max_points });
                        }
                        values.entry((attr, value)).or_insert_with(|| [vec![0; steps], vec![0; steps]])
                    }
                };
                bump(counts, side, step);
                let total = totals.entry(attr).or_insert_with(|| [vec![0; steps], vec![0; steps]]);
                bump(total, side, step);
            }
        }
    }
    let series = shape(set, values, totals, top_n, buckets);
    if series.len() > limits.max_compare_series {
        return Err(MetricsError::TooManySeries { limit: limits.max_compare_series });
    }
    Ok((series, traces_inspected, spans_inspected))
}

fn bump(sides: &mut Sides, side: usize, step: usize) {
    if let Some(c) = sides.get_mut(side).and_then(|v| v.get_mut(step)) {
        *c += 1;
    }
}

fn attributes_of(set: &TraceSet, span: &Span, out: &mut Vec<(AttrId, CVal)>) {
    out.push((AttrId::Name, CVal::Sym(span.name)));
    out.push((
        AttrId::Status,
        CVal::Text(match span.status.code {
            StatusCode::Unset => "unset",
            StatusCode::Ok => "ok",
            StatusCode::Error => "error",
        }),
    ));
    out.push((AttrId::Kind, CVal::Text(span.kind.as_str())));
    let push = |out: &mut Vec<(AttrId, CVal)>, attrs: &[Attribute], id: fn(Sym) -> AttrId| {
        for a in attrs {
            let v = match a.value {
                AnyValue::Str(s) => CVal::Sym(s),
                AnyValue::Int(i) => CVal::Int(i),
                AnyValue::Bool(b) => CVal::Bool(b),
                _ => continue,
            };
            out.push((id(a.key), v));
        }
    };
    if let Some(r) = set.resource(span) {
        push(out, &r.attributes, AttrId::Resource);
    }
    push(out, &span.attributes, AttrId::Span);
}

fn attr_label(set: &TraceSet, a: AttrId) -> String {
    match a {
        AttrId::Name => "name".to_owned(),
        AttrId::Status => "status".to_owned(),
        AttrId::Kind => "kind".to_owned(),
        AttrId::Resource(k) => format!("resource.{}", set.resolve(k)),
        AttrId::Span(k) => format!("span.{}", set.resolve(k)),
    }
}

fn value_label(set: &TraceSet, v: CVal) -> LabelValue {
    match v {
        CVal::Sym(s) => LabelValue::String(set.resolve(s).to_owned()),
        CVal::Int(i) => LabelValue::Int(i),
        CVal::Bool(b) => LabelValue::Bool(b),
        CVal::Text(t) => LabelValue::String(t.to_owned()),
    }
}

const SIDES: [&str; 2] = ["baseline", "selection"];

fn shape(
    set: &TraceSet,
    values: HashMap<(AttrId, CVal), Sides>,
    totals: HashMap<AttrId, Sides>,
    top_n: usize,
    buckets: &Buckets,
) -> Vec<Series> {
    let timestamps = buckets.timestamps_nanos();
    let series = |labels: Vec<(String, LabelValue)>, counts: &[u64]| Series {
        labels,
        timestamps_nanos: timestamps.clone(),
        values: counts.iter().map(|&c| c as f64).collect(),
        exemplars: Vec::new(),
    };
    // Group the values by attribute, attributes in label order for a stable answer.
    let mut by_attr: HashMap<AttrId, Vec<(LabelValue, Sides)>> = HashMap::new();
    for ((attr, v), sides) in values {
        by_attr.entry(attr).or_default().push((value_label(set, v), sides));
    }
    let mut attrs: Vec<(String, AttrId)> = totals.keys().map(|&a| (attr_label(set, a), a)).collect();
    sorting::sort_by(&mut attrs, |a, b| a.0.cmp(&b.0));
    let mut out = Vec::new();
    for (label, attr) in attrs {
        let mut entries = by_attr.remove(&attr).unwrap_or_default();
        for (side, name) in SIDES.iter().enumerate() {
            let total_of = |s: &Sides| s.get(side).map_or(0, |c| c.iter().sum::<u64>());
            sorting::sort_by(&mut entries, |a, b| {
                total_of(&b.1).cmp(&total_of(&a.1)).then_with(|| a.0.to_text().cmp(&b.0.to_text()))
            });
            for (value, sides) in entries.iter().filter(|(_, s)| total_of(s) > 0).take(top_n) {
                let labels = vec![
                    ("__meta_type".to_owned(), LabelValue::String((*name).to_owned())),
                    (label.clone(), value.clone()),
                ];
                out.push(series(labels, sides.get(side).map_or(&[][..], Vec::as_slice)));
            }
        }
        if let Some(t) = totals.get(&attr) {
            for (side, name) in SIDES.iter().enumerate() {
                let counts = t.get(side).map_or(&[][..], Vec::as_slice);
                if counts.iter().all(|&c| c == 0) {
                    continue;
                }
                let labels = vec![
                    ("__meta_type".to_owned(), LabelValue::String(format!("{name}_total"))),
                    (label.clone(), LabelValue::String("nil".to_owned())),
                ];
                out.push(series(labels, counts));
            }
        }
    }
    out
}
