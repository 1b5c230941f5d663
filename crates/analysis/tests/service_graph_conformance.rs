//! Service-graph conformance: every case of `shared/conformance/views/service_graph.jsonl` (Tempo's
//! service-graph tests, Zipkin's dependency-linker tests in Java and JavaScript, Jaeger's memory store)
//! against `build_service_graph` under the matching rules. Cases listed in `service_graph_skip.txt`
//! (`id<TAB>reason`) are expected to fail; one that passes fails the test, so the list only shrinks.
//!
//! The corpus is found through `SPANLENS_SHARED`, else `<repo>/../shared`. Missing corpus: a loud
//! skip locally, a failure under `CI=true`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use spanlens_analysis::service_graph::{
    GraphOptions, Rules, ServiceGraph, build_service_graph, build_service_graph_with,
};
use spanlens_formats::import::import_bytes;
use spanlens_model::{TraceSet, TraceSetBuilder};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn shared_dir() -> PathBuf {
    match std::env::var_os("SPANLENS_SHARED") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    }
}

fn import(bytes: &[u8], name: &str) -> Result<TraceSet, String> {
    let mut builder = TraceSetBuilder::new();
    import_bytes(bytes, name, &mut builder).map_err(|e| format!("{e:?}"))?;
    Ok(builder.finish())
}

fn graph_of(set: &TraceSet, rules: Rules) -> ServiceGraph {
    build_service_graph(set.traces.iter().map(|t| (set, t)), rules)
}

/// (client, server, connection type, calls, errors, client p50, server p50), in edge order.
type EdgeRow = (String, String, String, u64, u64, Option<i64>, Option<i64>);

fn edges(g: &ServiceGraph) -> Vec<EdgeRow> {
    g.edges
        .iter()
        .map(|e| {
            (
                g.node_name(e.source).to_owned(),
                g.node_name(e.target).to_owned(),
                e.connection.as_str().to_owned(),
                e.calls,
                e.errors,
                e.client.p50_nanos,
                e.server.p50_nanos,
            )
        })
        .collect()
}

fn s(v: &Value, k: &str) -> String {
    v.get(k).and_then(Value::as_str).unwrap_or_default().to_owned()
}

fn n(v: &Value, k: &str) -> u64 {
    v.get(k).and_then(Value::as_u64).unwrap_or(0)
}

fn check_tempo(case: &Value, shared: &std::path::Path) -> Result<(), String> {
    let path = shared.join(s(case, "trace"));
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let set = import(&bytes, "tempo.json")?;
    let expire = case.get("unmatched_edges_expired").and_then(Value::as_bool).unwrap_or(false);
    // The one non-default processor setting the corpus uses: which attributes name a database.
    let mut options = GraphOptions::default();
    if let Some(keys) = case.pointer("/config/database_name_attributes").and_then(Value::as_array) {
        options.database_name_attributes = keys.iter().filter_map(Value::as_str).map(str::to_owned).collect();
    }
    let graph_of =
        |set: &TraceSet, rules: Rules| build_service_graph_with(set.traces.iter().map(|t| (set, t)), rules, &options);
    let got = edges(&graph_of(&set, Rules::Tempo { expire_unmatched: expire }));
    for want in case.get("expected_edges").and_then(Value::as_array).into_iter().flatten() {
        let (client, server, ct) = (s(want, "client"), s(want, "server"), s(want, "connection_type"));
        let Some(edge) = got.iter().find(|e| e.0 == client && e.1 == server && e.2 == ct) else {
            return Err(format!("missing edge {client} -> {server} [{ct}]; got {got:?}"));
        };
        if edge.3 != n(want, "request_count") || edge.4 != n(want, "failed_count") {
            return Err(format!("edge {client} -> {server}: calls/errors {}/{}, want {want}", edge.3, edge.4));
        }
        for (field, got_nanos) in [("client_latency_s", edge.5), ("server_latency_s", edge.6)] {
            if let Some(l) = want.get(field) {
                let approx = l.get("approx").and_then(Value::as_f64).unwrap_or(0.0);
                let delta = l.get("delta").and_then(Value::as_f64).unwrap_or(0.0);
                let got_s = got_nanos.map(|x| x as f64 / 1e9);
                if got_s.is_none_or(|g| (g - approx).abs() > delta) {
                    return Err(format!("edge {client} -> {server}: {field} {got_s:?}, want {approx}±{delta}"));
                }
            }
        }
        if let Some(h) = want.get("histogram_le_0_04") {
            for (side, got_nanos) in [("client", edge.5), ("server", edge.6)] {
                if let Some(count) = h.get(side).and_then(Value::as_u64) {
                    let le = u64::from(got_nanos.is_some_and(|x| x <= 40_000_000));
                    if le != count {
                        return Err(format!("edge {client} -> {server}: {side} ≤ 0.04 s count {le}, want {count}"));
                    }
                }
            }
        }
    }
    // Not asserted by Tempo but derived from its rules by the corpus: every edge once unmatched
    // halves expire, with counts. Checked too (with expiry), as a stronger test of the same rules.
    if let Some(all) = case.get("derived_all_edges").and_then(Value::as_array) {
        let expired = edges(&graph_of(&set, Rules::Tempo { expire_unmatched: true }));
        let mut got: Vec<(String, String, String, u64, u64)> =
            expired.into_iter().map(|e| (e.0, e.1, e.2, e.3, e.4)).collect();
        let mut want: Vec<(String, String, String, u64, u64)> = all
            .iter()
            .map(|e| {
                (s(e, "client"), s(e, "server"), s(e, "connection_type"), n(e, "request_count"), n(e, "failed_count"))
            })
            .collect();
        got.sort();
        want.sort();
        if got != want {
            return Err(format!("derived_all_edges: got {got:?}, want {want:?}"));
        }
    }
    for absent in case.get("expected_absent_edges").and_then(Value::as_array).into_iter().flatten() {
        let (client, server, ct) = (s(absent, "client"), s(absent, "server"), s(absent, "connection_type"));
        if got.iter().any(|e| e.0 == client && e.1 == server && e.2 == ct) {
            return Err(format!("edge {client} -> {server} [{ct}] should be absent"));
        }
    }
    Ok(())
}

/// (parent, child) -> (calls, errors) in link order, merging connection types as Zipkin has none.
fn links(g: &ServiceGraph) -> Vec<(String, String, u64, u64)> {
    let mut out: Vec<(String, String, u64, u64)> = Vec::new();
    for e in edges(g) {
        match out.iter_mut().find(|l| l.0 == e.0 && l.1 == e.1) {
            Some(l) => {
                l.2 += e.3;
                l.3 += e.4;
            }
            None => out.push((e.0, e.1, e.3, e.4)),
        }
    }
    out
}

fn expected_links(case: &Value) -> Vec<(String, String, u64, u64)> {
    let list = case.get("expected_links").or_else(|| case.get("derived_links"));
    list.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|l| (s(l, "parent"), s(l, "child"), n(l, "callCount"), n(l, "errorCount")))
        .collect()
}

fn check_zipkin(case: &Value) -> Result<(), String> {
    // One linker fed trace after trace: one graph over every trace of every putTrace call.
    let traces = case.get("traces").and_then(Value::as_array).cloned().unwrap_or_default();
    let mut sets = Vec::new();
    for (i, t) in traces.iter().enumerate() {
        let bytes = serde_json::to_vec(t).unwrap();
        if t.as_array().is_some_and(Vec::is_empty) {
            continue;
        }
        sets.push(import(&bytes, &format!("zipkin-{i}.json")).map_err(|e| format!("import of trace {i} failed: {e}"))?);
    }
    let g = build_service_graph(sets.iter().flat_map(|set| set.traces.iter().map(move |t| (set, t))), Rules::Zipkin);
    let got = links(&g);
    let want = expected_links(case);
    if got != want {
        return Err(format!("links {got:?}, want {want:?}"));
    }
    Ok(())
}

fn check_jaeger(case: &Value) -> Result<(), String> {
    let bytes = serde_json::to_vec(case.get("trace_inline").unwrap_or(&Value::Null)).unwrap();
    let set = import(&bytes, "jaeger.json")?;
    let got = links(&graph_of(&set, Rules::Jaeger));
    if let Some(count) = case.get("expected_link_count").and_then(Value::as_u64)
        && got.len() as u64 != count
    {
        return Err(format!("{} links, want {count}: {got:?}", got.len()));
    }
    let mut want = expected_links(case);
    let mut got_sorted = got;
    want.sort();
    got_sorted.sort();
    if got_sorted != want {
        return Err(format!("links {got_sorted:?}, want {want:?}"));
    }
    Ok(())
}

#[test]
fn service_graph_conformance() {
    let shared = shared_dir();
    let corpus = shared.join("conformance/views/service_graph.jsonl");
    let Ok(text) = std::fs::read_to_string(&corpus) else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "conformance corpus missing under CI: {}",
            corpus.display()
        );
        eprintln!(
            "\n!!!!!! SKIPPED service-graph conformance: no corpus at {} (set SPANLENS_SHARED) !!!!!!\n",
            corpus.display()
        );
        return;
    };
    let skip_text = include_str!("service_graph_skip.txt");
    let skips: BTreeMap<&str, &str> = skip_text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split_once('\t').unwrap_or((l, "")))
        .collect();
    let mut failures = Vec::new();
    let mut passed = 0;
    let mut skipped = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).unwrap();
        let id = s(&case, "id");
        let result = match s(&case, "kind").as_str() {
            "tempo_service_graph" => check_tempo(&case, &shared),
            "zipkin_dependency_links" => check_zipkin(&case),
            "jaeger_dependency_links" => check_jaeger(&case),
            other => Err(format!("unknown kind {other}")),
        };
        match (result, skips.get(id.as_str())) {
            (Ok(()), None) => passed += 1,
            (Ok(()), Some(_)) => failures.push(format!("{id}: passes but is in service_graph_skip.txt; remove it")),
            (Err(_), Some(_)) => skipped += 1,
            (Err(e), None) => failures.push(format!("{id}: {e}")),
        }
    }
    eprintln!("service-graph conformance: {passed} passed, {skipped} skipped (listed), {} failed", failures.len());
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}
