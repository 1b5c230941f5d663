//! Jaeger UI's trace diff node tests (`../shared/conformance/views/trace_diff.jsonl`), run against
//! `spanlens_analysis::compare`.
//!
//! Run with `SPANLENS_SHARED=/work/shared cargo test -p spanlens-analysis --test compare_conformance`.
//! Cases listed in `compare_conformance.skip` (`id<TAB>reason`) are skipped and reported. Under
//! `CI=true` a missing corpus fails.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use serde_json::Value;
use spanlens_analysis::compare::{DiffClass, compare, count_change_percent};
use spanlens_model::{Span, SpanId, TraceId, TraceSet, TraceSetBuilder};
use std::collections::HashMap;
use std::path::PathBuf;

fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("SPANLENS_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    if dir.join("conformance/views").is_dir() {
        return Some(dir);
    }
    assert!(std::env::var("CI").as_deref() != Ok("true"), "{} is missing (required when CI=true)", dir.display());
    eprintln!("\n*** SKIPPED: conformance corpus not found at {} (set SPANLENS_SHARED) ***\n", dir.display());
    None
}

fn skips() -> HashMap<String, String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/compare_conformance.skip");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t').map(|(id, why)| (id.trim().to_owned(), why.trim().to_owned())))
        .collect()
}

/// Jaeger UI's CSS classes for a node, sorted.
fn classes(a: u32, b: u32) -> Vec<String> {
    let class = DiffClass::from_counts(a, b);
    let mut out = vec![format!("is-{}", class.as_str())];
    if class.is_changed() {
        out.push("is-changed".to_owned());
    }
    out.sort();
    out
}

/// A trace of `n` root spans of one (service, operation), each set interning its own strings.
fn roots(n: u32, service: &str, operation: &str) -> TraceSet {
    let mut b = TraceSetBuilder::new();
    b.begin_source("case", "test", 0);
    let (svc, op) = (b.intern(service), b.intern(operation));
    for i in 0..n {
        b.push_span(TraceId(1), 16, Span::new(SpanId(u64::from(i) + 1), op, svc, 1_000 * i64::from(i), 500));
    }
    b.finish()
}

fn check(case: &Value) -> Result<(), String> {
    let count = |v: &Value| v.as_u64().map(|n| n as u32).ok_or("missing count");
    match case["kind"].as_str() {
        Some("diff_node_class") => {
            let (a, b) = (count(&case["a"])?, count(&case["b"])?);
            let got = classes(a, b);
            let want = case["expected_class"].as_str().unwrap_or_default();
            if !got.iter().any(|c| c == want) {
                return Err(format!("classes {got:?} lack {want}"));
            }
            let mut all: Vec<String> = case["derived_all_classes"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
            all.sort();
            if got != all {
                return Err(format!("classes {got:?} != derived {all:?}"));
            }
            let pct = count_change_percent(a, b).to_string();
            if Some(pct.as_str()) != case["derived_change_percent_text"].as_str() {
                return Err(format!("change percent {pct}"));
            }
            Ok(())
        }
        Some("diff_node_counts") => {
            // Build the node the test renders: A and B with `a_members` and `b_members` spans of one
            // (service, operation), compared through the real merge.
            let data = &case["vertex_data"];
            let (a, b) = (count(&data["a_members"])?, count(&data["b_members"])?);
            let (svc, op) =
                (data["service"].as_str().unwrap_or_default(), data["operation"].as_str().unwrap_or_default());
            let (set_a, set_b) = (roots(a, svc, op), roots(b, svc, op));
            let diff = compare(&set_a.traces[0], &set_a.strings, &set_b.traces[0], &set_b.strings);
            let [node] = diff.nodes.as_slice() else {
                return Err(format!("{} nodes", diff.nodes.len()));
            };
            let exp = &case["expected"];
            let got = (node.a.count, node.b.count, diff.label(node.service), diff.label(node.operation));
            let want = (
                count(&exp["a"])?,
                count(&exp["b"])?,
                exp["service"].as_str().unwrap_or(""),
                exp["operation"].as_str().unwrap_or(""),
            );
            if got != want {
                return Err(format!("{got:?} != {want:?}"));
            }
            if diff.members_a_of(0).len() != a as usize || diff.members_b_of(0).len() != b as usize {
                return Err("member lists".into());
            }
            let got_classes = classes(node.a.count, node.b.count);
            let mut all: Vec<String> = case["derived_all_classes"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
            all.sort();
            if got_classes != all {
                return Err(format!("classes {got_classes:?}"));
            }
            let pct = count_change_percent(a, b).to_string();
            if Some(pct.as_str()) != case["derived_change_percent_text"].as_str() {
                return Err(format!("change percent {pct}"));
            }
            Ok(())
        }
        other => Err(format!("unknown kind {other:?}")),
    }
}

#[test]
fn trace_diff_jsonl() {
    let Some(shared) = shared_dir() else {
        return;
    };
    let text = std::fs::read_to_string(shared.join("conformance/views/trace_diff.jsonl")).unwrap();
    let skip = skips();
    let (mut passed, mut skipped, mut failures) = (0, Vec::new(), Vec::new());
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).unwrap();
        let id = case["id"].as_str().unwrap_or_default().to_owned();
        if let Some(why) = skip.get(&id) {
            skipped.push(format!("{id}: {why}"));
            continue;
        }
        match check(&case) {
            Ok(()) => passed += 1,
            Err(why) => failures.push(format!("{id}: {why}")),
        }
    }
    eprintln!("trace_diff.jsonl: {passed} passed, {} skipped, {} failed", skipped.len(), failures.len());
    for s in &skipped {
        eprintln!("  SKIPPED {s}");
    }
    assert!(failures.is_empty(), "failures:\n{}", failures.join("\n"));
    assert!(passed > 0 || !skipped.is_empty(), "no cases read");
}
