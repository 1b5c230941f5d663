//! Metrics queries over hand-built traces with known answers.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use spanlens_model::{AnyValue, Attribute, Resource, Span, SpanId, StatusCode, TraceId, TraceSet, TraceSetBuilder};

const S: i64 = 1_000_000_000;

/// Trace a: `GET /` (api) at 0 s for 2 s -> `query` (db) at 1 s for 0.5 s,
/// `http.status_code = 500`, status error.
/// Trace b: `GET /` (api) at 1.5 s for 1 s -> `query` (db) at 2.5 s for 4 s.
fn sample() -> TraceSet {
    let mut b = TraceSetBuilder::new();
    let svc = |b: &mut TraceSetBuilder, name: &str| {
        let service = b.intern(name);
        let key = b.intern("service.name");
        let r = b.add_resource(Resource {
            service,
            attributes: vec![Attribute { key, value: AnyValue::Str(service) }].into_boxed_slice(),
            dropped_attributes_count: 0,
        });
        (service, r)
    };
    let (api, r_api) = svc(&mut b, "api");
    let (db, r_db) = svc(&mut b, "db");
    let code = b.intern("http.status_code");
    let get = b.intern("GET /");
    let query = b.intern("query");
    let mut a_root = Span::new(SpanId(1), get, api, 0, 2 * S);
    a_root.resource = r_api;
    let mut a_db = Span::new(SpanId(2), query, db, S, S / 2);
    a_db.resource = r_db;
    a_db.parent_span_id = Some(SpanId(1));
    a_db.attributes = vec![Attribute { key: code, value: AnyValue::Int(500) }].into_boxed_slice();
    a_db.status.code = StatusCode::Error;
    let mut b_root = Span::new(SpanId(3), get, api, 3 * S / 2, S);
    b_root.resource = r_api;
    let mut b_db = Span::new(SpanId(4), query, db, 5 * S / 2, 4 * S);
    b_db.resource = r_db;
    b_db.parent_span_id = Some(SpanId(3));
    b.push_span(TraceId(0xa), 16, a_root);
    b.push_span(TraceId(0xa), 16, a_db);
    b.push_span(TraceId(0xb), 16, b_root);
    b.push_span(TraceId(0xb), 16, b_db);
    b.finish()
}

fn range(step_nanos: i64) -> MetricsRange {
    MetricsRange { start_nanos: 0, end_nanos: 4 * S, step_nanos }
}

fn run(q: &str, step_nanos: i64) -> MetricsResult {
    let query = crate::check(q).unwrap_or_else(|e| panic!("{q}: {e}"));
    evaluate_metrics(&query, &sample(), &range(step_nanos)).unwrap_or_else(|e| panic!("{q}: {e}"))
}

/// Series as `labels => values`, NaN written `NaN`.
fn table(r: &MetricsResult) -> Vec<String> {
    let mut rows: Vec<String> = r
        .series
        .iter()
        .map(|s| {
            let labels: Vec<String> = s.labels.iter().map(|(k, v)| format!("{k}={}", v.to_text())).collect();
            let values: Vec<String> = s.values.iter().map(|v| format!("{v}")).collect();
            format!("{} => {}", labels.join(","), values.join(" "))
        })
        .collect();
    rows.sort();
    rows
}

#[test]
fn counts_and_rates_per_step() {
    let r = run("{ } | count_over_time()", S);
    assert_eq!(table(&r), [" => 1 2 1 0"]);
    assert_eq!(r.series[0].timestamps_nanos, [0, S, 2 * S, 3 * S]);
    assert_eq!((r.traces_inspected, r.spans_inspected), (2, 4));
    assert_eq!(
        table(&run("{ } | rate() by (resource.service.name)", S)),
        ["resource.service.name=api => 1 1 0 0", "resource.service.name=db => 0 1 1 0"]
    );
    // Two-second steps: two spans in a step are one span per second.
    assert_eq!(table(&run("{ } | rate()", 2 * S)), [" => 1.5 0.5"]);
    assert_eq!(table(&run(r#"{ resource.service.name = "db" } | count_over_time()"#, S)), [" => 0 1 1 0"]);
}

#[test]
fn by_several_labels_and_nil() {
    assert_eq!(
        table(&run("{ } | count_over_time() by (resource.service.name, span.http.status_code)", S)),
        [
            "resource.service.name=api,span.http.status_code=nil => 1 1 0 0",
            "resource.service.name=db,span.http.status_code=500 => 0 1 0 0",
            "resource.service.name=db,span.http.status_code=nil => 0 0 1 0",
        ]
    );
    let r = run("{ } | count_over_time() by (span.http.status_code, name)", S);
    let labels: Vec<&str> = r.series[0].labels.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(labels, ["span.http.status_code", "name"], "labels keep the by() order");
}

#[test]
fn value_functions_report_seconds() {
    assert_eq!(
        table(&run("{ } | avg_over_time(duration) by (name)", S)),
        ["name=GET / => 2 1 NaN NaN", "name=query => NaN 0.5 4 NaN"]
    );
    assert_eq!(table(&run("{ } | max_over_time(duration)", 4 * S)), [" => 4"]);
    assert_eq!(table(&run("{ } | min_over_time(duration)", 4 * S)), [" => 0.5"]);
    assert_eq!(table(&run("{ } | sum_over_time(duration)", 4 * S)), [" => 7.5"]);
    // An attribute: spans without it are skipped.
    assert_eq!(table(&run("{ } | sum_over_time(span.http.status_code)", S)), [" => NaN 500 NaN NaN"]);
}

#[test]
fn quantiles_and_histograms_use_log2_buckets() {
    let r = run("{ } | quantile_over_time(duration, 0, 1) by (name)", 4 * S);
    // 2 s and 1 s `GET /` spans: buckets (2^29.9.., 2^30] ns and (2^30, 2^31] ns.
    let get: Vec<&Series> =
        r.series.iter().filter(|s| s.label("name") == Some(&LabelValue::String("GET /".into()))).collect();
    assert_eq!(get.len(), 2);
    assert_eq!(get[0].label("p"), Some(&LabelValue::Float(0.0)));
    assert_eq!(get[0].values, [2f64.powi(29) / 1e9]);
    assert_eq!(get[1].values, [2f64.powi(31) / 1e9]);
    let h = run("{ } | histogram_over_time(duration)", 4 * S);
    let buckets: Vec<String> = h.series.iter().map(|s| s.label("__bucket").unwrap().to_text()).collect();
    assert_eq!(buckets, ["0.536870912", "1.073741824", "2.147483648", "4.294967296"]);
    assert!(h.series.iter().all(|s| s.values == [1.0]));
}

#[test]
fn second_stages_and_math() {
    assert_eq!(table(&run("{ } | count_over_time() by (name) | topk(1)", 4 * S)), ["name=GET / => 2"]);
    assert_eq!(
        table(&run("{ } | count_over_time() by (resource.service.name) > 1", S)),
        ["resource.service.name=api => NaN NaN NaN NaN"][..0]
    );
    assert_eq!(table(&run("{ } | count_over_time() > 1", S)), [" => NaN 2 NaN NaN"]);
    assert_eq!(
        table(&run("({ } | count_over_time() by (resource.service.name)) / ({ } | count_over_time()) * 100", S)),
        ["resource.service.name=api => 100 50 0 NaN", "resource.service.name=db => 0 50 100 NaN"]
    );
    assert_eq!(table(&run("({ } | rate()) * 2 > 3", S)), [" => NaN 4 NaN NaN"]);
}

#[test]
fn compare_splits_selection_and_baseline() {
    let r = run("{ } | compare({ status = error })", 4 * S);
    let t = table(&r);
    assert!(t.contains(&"__meta_type=selection,name=query => 1".to_string()), "{t:#?}");
    assert!(t.contains(&"__meta_type=baseline,name=query => 1".to_string()), "{t:#?}");
    assert!(t.contains(&"__meta_type=baseline,name=GET / => 2".to_string()), "{t:#?}");
    assert!(t.contains(&"__meta_type=baseline_total,name=nil => 3".to_string()), "{t:#?}");
    assert!(t.contains(&"__meta_type=selection_total,span.http.status_code=nil => 1".to_string()), "{t:#?}");
    assert!(t.contains(&"__meta_type=selection,resource.service.name=db => 1".to_string()), "{t:#?}");
    // topN = 1 keeps one value per attribute and side.
    let r = run("{ } | compare({ status = error }, 1)", 4 * S);
    let baseline_names = r
        .series
        .iter()
        .filter(|s| s.label("__meta_type") == Some(&LabelValue::String("baseline".into())) && s.label("name").is_some())
        .count();
    assert_eq!(baseline_names, 1);
}

#[test]
fn exemplars_name_spans() {
    let r = run(r#"{ resource.service.name = "db" } | max_over_time(duration)"#, S);
    let e = &r.series[0].exemplars;
    assert_eq!(e.len(), 2);
    assert_eq!(e[0].trace_id, "0000000000000000000000000000000a");
    assert_eq!(e[0].span_id, "0000000000000002");
    assert_eq!((e[0].timestamp_nanos, e[0].value), (S, 0.5));
}

#[test]
fn empty_ranges_and_limits() {
    let q = crate::check("{ } | rate() by (span:id)").unwrap();
    let set = sample();
    let far = MetricsRange { start_nanos: 100 * S, end_nanos: 200 * S, step_nanos: S };
    assert!(evaluate_metrics(&q, &set, &far).unwrap().series.is_empty());
    let limits = MetricsLimits { max_series: 3, ..MetricsLimits::default() };
    let e = evaluate_metrics_with(&q, &set, &range(S), &limits).unwrap_err();
    assert_eq!(e, MetricsError::TooManySeries { limit: 3 });
    let fine = MetricsRange { start_nanos: 0, end_nanos: 4 * S, step_nanos: 1 };
    assert!(matches!(evaluate_metrics(&q, &set, &fine), Err(MetricsError::TooManyPoints { .. })));
    let backwards = MetricsRange { start_nanos: 4 * S, end_nanos: 0, step_nanos: S };
    assert!(matches!(evaluate_metrics(&q, &set, &backwards), Err(MetricsError::InvalidRange(_))));
    let search = crate::check("{ }").unwrap();
    assert_eq!(evaluate_metrics(&search, &set, &range(S)), Err(MetricsError::NotMetrics));
    let e: crate::Error = MetricsError::TooManySeries { limit: 3 }.into();
    assert_eq!(e.kind, crate::ErrorKind::Runtime);
}

#[test]
fn default_range_covers_the_set() {
    let set = sample();
    let r = set_range(&set).unwrap();
    assert_eq!(r.start_nanos, 0);
    assert_eq!(r.end_nanos, 13 * S / 2 + 1);
    let result = metrics_search("{ } | count_over_time()", &set, None).unwrap();
    let total: f64 = result.series[0].values.iter().sum();
    assert_eq!(total, 4.0);
    assert!((100..=241).contains(&result.series[0].values.len()));
    assert!(metrics_search("{ } | count_over_time()", &TraceSet::default(), None).unwrap().series.is_empty());
    assert_eq!(metrics_search("{ } | rate(", &set, None).unwrap_err().kind(), crate::ErrorKind::Syntax);
}
