use super::*;
use crate::test_util::{BASE_NANOS, S, Val, build, s};
use spanlens_model::{Span, SpanId, TraceId, TraceSetBuilder};

fn by_name<'a>(t: &'a StatsTable, group: &str, parent: Option<u32>) -> &'a StatsRow {
    t.rows.iter().find(|r| r.group == group && r.parent == parent).unwrap()
}

/// root(svc a, 0..100) with children b1 (10..40), b2 (30..60, overlaps b1), c (70..80, error).
fn small() -> Vec<S> {
    vec![
        s(1, 0, 0, 100).svc("a").name("root"),
        s(2, 1, 10, 30).svc("b").name("get").attr("db", Val::Str("pg")),
        s(3, 1, 30, 30).svc("b").name("get").attr("db", Val::Int(7)),
        s(4, 1, 70, 10).svc("c").name("put").err(),
    ]
}

#[test]
fn one_trace_by_service_with_self_time_and_percent() {
    let set = build(&small());
    let t = trace_stats(&set, 0, &GroupKey::Service, None);
    let names: Vec<_> = t.rows.iter().map(|r| r.group.as_str()).collect();
    assert_eq!(names, ["a", "b", "c"], "first-appearance order");
    let a = by_name(&t, "a", None);
    // Children cover [10,60] and [70,80]: 60 of 100.
    assert_eq!((a.count, a.total_nanos, a.self_total_nanos), (1, 100, 40));
    assert!((a.percent_of_trace - 40.0).abs() < 1e-9);
    let b = by_name(&t, "b", None);
    assert_eq!((b.count, b.total_nanos, b.avg_nanos, b.min_nanos, b.max_nanos), (2, 60, 30, 30, 30));
    assert_eq!((b.self_total_nanos, b.self_min_nanos, b.self_max_nanos), (60, 30, 30));
    let c = by_name(&t, "c", None);
    assert_eq!(c.errors, 1);
    let percent: f64 = t.rows.iter().map(|r| r.percent_of_trace).sum();
    // Sequential work tiles the trace; b1 and b2 overlap by 10, which both count as their own.
    assert!((percent - 110.0).abs() < 1e-9, "{percent}");
    assert_eq!(t.members_of(1).len(), 2);
    assert!(
        t.members_of(1).iter().all(|m| set.traces[0].spans[m.span as usize].service == set.strings.get("b").unwrap())
    );
}

#[test]
fn nearest_rank_percentiles() {
    let v: Vec<i64> = (1..=100).collect();
    assert_eq!((nearest_rank(&v, 50), nearest_rank(&v, 95), nearest_rank(&v, 99)), (50, 95, 99));
    assert_eq!(nearest_rank(&[7], 50), 7);
    assert_eq!(nearest_rank(&[], 50), 0);
    // n = 3: ranks ceil(1.5) = 2, ceil(2.85) = 3.
    assert_eq!((nearest_rank(&[1, 2, 3], 50), nearest_rank(&[1, 2, 3], 95)), (2, 3));
    // Through the table: 10 spans of durations 10..100 under one root of 1000.
    let mut spans = vec![s(1, 0, 0, 1000).name("root")];
    for k in 0..10u64 {
        spans.push(s(10 + k, 1, 0, 100 - 10 * k as i64).name("leaf"));
    }
    let set = build(&spans);
    let t = trace_stats(&set, 0, &GroupKey::Operation, None);
    let leaf = by_name(&t, "leaf", None);
    assert_eq!((leaf.p50_nanos, leaf.p95_nanos, leaf.p99_nanos), (50, 100, 100));
    let row = t.rows.iter().position(|r| r.group == "leaf").unwrap();
    assert_eq!(t.durations_of(row), [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    let h = crate::histogram::histogram(t.durations_of(row), 3);
    assert_eq!(h.bins.iter().map(|b| b.count).collect::<Vec<_>>(), [3, 3, 4]);
}

#[test]
fn attr_grouping_falls_back_to_display_text_and_has_a_without_tag_row() {
    let set = build(&small());
    let t = trace_stats(&set, 0, &GroupKey::Attr("db".into()), None);
    let names: Vec<_> = t.rows.iter().map(|r| (r.group.as_str(), r.count, r.without_tag)).collect();
    assert_eq!(names, [("pg", 1, false), ("7", 1, false), ("Without tag: db", 2, true)]);
    // A key nobody has: everything is "Without tag".
    let t = trace_stats(&set, 0, &GroupKey::Attr("nope".into()), None);
    assert_eq!(t.rows.len(), 1);
    assert_eq!(t.rows[0].count, 4);
}

#[test]
fn second_level_rows_follow_their_parent() {
    let set = build(&small());
    let t = trace_stats(&set, 0, &GroupKey::Service, Some(&GroupKey::Attr("db".into())));
    let rows: Vec<_> = t.rows.iter().map(|r| (r.group.as_str(), r.parent, r.count)).collect();
    assert_eq!(
        rows,
        [
            ("a", None, 1),
            ("Without tag: db", Some(0), 1),
            ("b", None, 2),
            ("pg", Some(2), 1),
            ("7", Some(2), 1),
            ("c", None, 1),
            ("Without tag: db", Some(5), 1)
        ]
    );
    // Sorting by total descending keeps details under their parent.
    let order = t.sorted_order(StatsColumn::Total, true);
    let names: Vec<_> = order.iter().map(|&i| t.rows[i as usize].group.as_str()).collect();
    assert_eq!(names, ["a", "Without tag: db", "b", "pg", "7", "c", "Without tag: db"]);
    let order = t.sorted_order(StatsColumn::Total, false);
    let names: Vec<_> = order.iter().map(|&i| t.rows[i as usize].group.as_str()).collect();
    assert_eq!(names, ["c", "Without tag: db", "b", "pg", "7", "a", "Without tag: db"]);
}

#[test]
fn several_traces_merge_and_percent_uses_their_total_time() {
    let mut b = TraceSetBuilder::new();
    b.begin_source("t", "t", 0);
    let (svc, op) = (b.intern("svc"), b.intern("op"));
    for (trace, dur) in [(1u128, 100i64), (2, 300)] {
        b.push_span(TraceId(trace), 16, Span::new(SpanId(1), op, svc, BASE_NANOS, dur));
    }
    let set = b.finish();
    let t = stats(&set, &[0, 1, 99], &GroupKey::Operation, None);
    assert_eq!(t.rows.len(), 1);
    let r = &t.rows[0];
    assert_eq!((r.count, r.total_nanos, r.min_nanos, r.max_nanos, r.p50_nanos), (2, 400, 100, 300, 100));
    assert_eq!(t.traces_duration_nanos, 400);
    assert!((r.percent_of_trace - 100.0).abs() < 1e-9);
    assert_eq!(t.members_of(0), [SpanRef { trace: 0, span: 0 }, SpanRef { trace: 1, span: 0 }]);
}

#[test]
fn empty_and_incomplete() {
    let set = build(&[]);
    assert!(stats(&set, &[0], &GroupKey::Service, None).rows.is_empty());
    let set = build(&[s(1, 0, 0, 100), s(2, 1, 10, 10).incomplete()]);
    let t = trace_stats(&set, 0, &GroupKey::Service, Some(&GroupKey::Operation));
    assert_eq!(t.rows[0].count, 1);
    assert_eq!(t.rows[0].self_total_nanos, 100);
    assert_eq!(t.skipped_incomplete, 1);
}

#[test]
fn group_key_spelling() {
    for k in [GroupKey::Service, GroupKey::Operation, GroupKey::Attr("http.route".into())] {
        assert_eq!(GroupKey::parse(&k.spelling()), Some(k));
    }
    assert_eq!(GroupKey::parse("attr:"), None);
    assert_eq!(GroupKey::parse("bogus"), None);
}

#[test]
fn deep_chain_and_many_groups() {
    // 100,000 levels: nothing here walks the tree recursively.
    let set = crate::test_util::chain(100_000);
    let t = trace_stats(&set, 0, &GroupKey::Service, Some(&GroupKey::Operation));
    assert_eq!(t.rows.len(), 2);
    let r = &t.rows[0];
    assert_eq!((r.count, r.min_nanos, r.max_nanos, r.self_min_nanos, r.self_max_nanos), (100_000, 2, 200_000, 2, 2));
    assert_eq!(r.p50_nanos, 100_000);
    assert_eq!(t.durations_of(1), t.durations_of(0), "the one detail row has the same members");
    // Durations with negative values and large ones sort right (the radix sort flips the sign bit).
    let set =
        build(&[s(1, 0, 0, 1 << 40), s(2, 1, 5, 3).name("x"), s(3, 1, 6, 1 << 33).name("x"), s(4, 1, 7, 0).name("x")]);
    let t = trace_stats(&set, 0, &GroupKey::Operation, None);
    let x = t.rows.iter().position(|r| r.group == "x").unwrap();
    assert_eq!(t.durations_of(x), [0, 3, 1 << 33]);
}
