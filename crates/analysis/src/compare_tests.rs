use super::*;
use crate::test_util::{build, chain, idx, s, trace};

fn find(d: &TraceDiff, service: &str, op: &str, depth: u32) -> DiffNode {
    *d.nodes
        .iter()
        .find(|n| d.label(n.service) == service && d.label(n.operation) == op && n.depth == depth)
        .unwrap_or_else(|| panic!("no node {service}/{op} at depth {depth}"))
}

#[test]
fn classes_follow_span_counts() {
    assert_eq!(DiffClass::from_counts(100, 100), DiffClass::Same);
    assert_eq!(DiffClass::from_counts(50, 100), DiffClass::More);
    assert_eq!(DiffClass::from_counts(100, 50), DiffClass::Less);
    assert_eq!(DiffClass::from_counts(0, 100), DiffClass::Added);
    assert_eq!(DiffClass::from_counts(3, 0), DiffClass::Removed);
    assert!(!DiffClass::Same.is_changed() && DiffClass::More.is_changed());
    assert_eq!(count_change_percent(3, 7), 57);
    assert_eq!(count_change_percent(50, 100), 50);
    assert_eq!(count_change_percent(0, 4), 100);
    assert_eq!(count_change_percent(0, 0), 0);
}

#[test]
fn matches_by_path_across_interners() {
    // B interns its names in another order, adds a cache call and repeats the db call once more.
    let a = build(&[
        s(1, 0, 0, 100).svc("web").name("GET"),
        s(2, 1, 10, 20).svc("pg").name("query"),
        s(3, 1, 40, 20).svc("auth").name("check"),
    ]);
    let b = build(&[
        s(9, 0, 0, 50).svc("redis").name("get"),
        s(1, 0, 0, 300).svc("web").name("GET"),
        s(2, 1, 10, 100).svc("pg").name("query"),
        s(4, 1, 120, 100).svc("pg").name("query"),
        s(5, 2, 20, 10).svc("pg").name("query").err(),
    ]);
    let d = compare(trace(&a), &a.strings, trace(&b), &b.strings);
    let root = find(&d, "web", "GET", 0);
    assert_eq!(
        (root.class, root.a.total_nanos, root.b.total_nanos, root.change_nanos()),
        (DiffClass::Same, 100, 300, 200)
    );
    let q = find(&d, "pg", "query", 1);
    assert_eq!((q.class, q.a.count, q.b.count, q.a.total_nanos, q.b.total_nanos), (DiffClass::More, 1, 2, 20, 200));
    assert_eq!(q.b.self_nanos, 190);
    let auth = find(&d, "auth", "check", 1);
    assert_eq!((auth.class, auth.b.count), (DiffClass::Removed, 0));
    assert_eq!(d.members_a_of(d.nodes.iter().position(|n| *n == auth).unwrap() as u32), &[idx(&a, 3)]);
    let nested = find(&d, "pg", "query", 2);
    assert_eq!((nested.class, nested.b.errors, nested.change_percent()), (DiffClass::Added, 1, None));
    assert_eq!(find(&d, "redis", "get", 0).class, DiffClass::Added);
    // Parents before children; the slowest node by total is the root, by self time the query.
    assert!(d.nodes.iter().all(|n| n.parent == NONE || (n.parent as usize) < d.nodes.len()));
    let slower = d.got_slower(DiffMetric::SelfTime);
    assert_eq!(d.label(d.nodes[slower[0] as usize].operation), "query");
    assert_eq!(d.got_slower(DiffMetric::Total).first().map(|&i| d.nodes[i as usize].depth), Some(0));
    assert!(d.got_slower(DiffMetric::Total).iter().all(|&i| d.nodes[i as usize].change_nanos() > 0));
    assert_eq!(d.ranked(DiffMetric::Total).len(), d.nodes.len());
}

#[test]
fn deep_chains_compare_without_recursion() {
    let a = chain(100_000);
    let d = compare(trace(&a), &a.strings, trace(&a), &a.strings);
    assert_eq!(d.nodes.len(), 100_000);
    assert!(d.nodes.iter().all(|n| n.class == DiffClass::Same && n.a.count == 1));
}
