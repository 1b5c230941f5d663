//! `spanlens graph` on real multi-service fixtures.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// A fixture from `../shared/fixtures`, or `None` (a loud skip) when the corpus is missing; under
/// `CI=true` a missing corpus fails.
fn fixture(rel: &str) -> Option<String> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures").join(rel);
    if !p.exists() {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{} is missing (required when CI=true)", p.display());
        eprintln!("*** SKIPPED: fixture {} not found ***", p.display());
        return None;
    }
    Some(p.to_string_lossy().into_owned())
}

fn spanlens(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_spanlens")).args(args).output().expect("run spanlens");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const HOTROD: &str = "otlp-json/jaeger-ui-pr4129__api-v3-hotrod__getTrace-response.json";
const TEMPO: &str = "otlp-json/tempo__servicegraphs__trace-with-queue-database.json";

fn edge<'a>(graph: &'a Value, source: &str, target: &str) -> &'a Value {
    graph["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["source"] == source && e["target"] == target)
        .unwrap_or_else(|| panic!("no edge {source} -> {target} in {graph}"))
}

#[test]
fn json_graph_of_hotrod() {
    let Some(file) = fixture(HOTROD) else { return };
    let (code, out, err) = spanlens(&["graph", &file]);
    assert_eq!(code, 0, "{err}");
    let graph: Value = serde_json::from_str(&out).unwrap();
    let nodes = graph["nodes"].as_array().unwrap();
    // Six services emitted the 40 spans, plus the virtual caller of the root server span.
    assert_eq!(nodes.iter().filter(|n| n["kind"] == "service").count(), 6);
    assert_eq!(nodes.iter().map(|n| n["spans"].as_u64().unwrap()).sum::<u64>(), 40);
    let user = nodes.iter().find(|n| n["name"] == "user").unwrap();
    assert_eq!(user["kind"], "remote");
    let redis = edge(&graph, "driver", "redis-manual");
    assert_eq!((redis["calls"].as_u64(), redis["errors"].as_u64()), (Some(14), Some(3)));
    assert_eq!(redis["connectionType"], "");
    let (p50, p95, p99) =
        (redis["p50Nanos"].as_i64().unwrap(), redis["p95Nanos"].as_i64().unwrap(), redis["p99Nanos"].as_i64().unwrap());
    assert!(p50 <= p95 && p95 <= p99);
    assert_eq!(edge(&graph, "frontend", "route")["calls"], 10);
    assert_eq!(edge(&graph, "user", "frontend")["connectionType"], "virtual_node");
}

#[test]
fn database_and_messaging_edges_and_other_formats() {
    let Some(file) = fixture(TEMPO) else { return };
    let (code, out, err) = spanlens(&["graph", &file, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let graph: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(edge(&graph, "mythical-server", "postgres")["connectionType"], "database");
    assert_eq!(edge(&graph, "mythical-requester", "mythical-recorder")["connectionType"], "messaging_system");
    let db = graph["nodes"].as_array().unwrap().iter().find(|n| n["name"] == "postgres").unwrap();
    assert_eq!(db["kind"], "database");

    let (code, dot, _) = spanlens(&["graph", &file, "--format", "dot"]);
    assert_eq!(code, 0);
    assert!(dot.starts_with("digraph services {"));
    assert!(dot.contains("rankdir=LR;"));
    assert!(dot.contains("\"mythical-server\" -> \"postgres\""));
    assert!(dot.contains("shape=cylinder"));
    assert!(dot.trim_end().ends_with('}'));

    let (code, mermaid, _) = spanlens(&["graph", &file, "--format", "mermaid"]);
    assert_eq!(code, 0);
    assert!(mermaid.starts_with("flowchart LR\n"));
    assert!(mermaid.contains("[(\"postgres<br/>(database)\")]"));
    assert_eq!(mermaid.lines().filter(|l| l.contains("-->")).count(), 3);
}

#[test]
fn trace_filter_and_errors() {
    let Some(file) = fixture(HOTROD) else { return };
    let (code, _, err) = spanlens(&["graph", &file, "--trace", "0123456789abcdef0123456789abcdef"]);
    assert_eq!(code, 1);
    assert!(err.contains("not in the files"), "{err}");
    let (code, _, err) = spanlens(&["graph", &file, "--format", "png"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown format"));
    let (code, _, _) = spanlens(&["graph"]);
    assert_eq!(code, 2);
    // The one trace of the file, by id, gives the same graph as the whole file.
    let (_, all, _) = spanlens(&["graph", &file]);
    let id = trace_id(&file);
    let (code, one, err) = spanlens(&["graph", &file, "--trace", &id]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(all, one);
}

fn trace_id(file: &str) -> String {
    let (_, out, _) = spanlens(&["query", file, "-q", "{ }", "--limit", "1"]);
    let first: Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    first["traceId"].as_str().unwrap().to_owned()
}

#[test]
fn mermaid_and_dot_escape_labels() {
    // A Zipkin v2 trace whose service names carry quotes, a hash and angle brackets.
    let dir = std::env::temp_dir().join(format!("spanlens-graph-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("weird.json");
    let spans = r#"[{"traceId":"a1","id":"1","kind":"SERVER","name":"x","timestamp":1,"duration":10,"localEndpoint":{"serviceName":"we\"ird#<svc>"}},
        {"traceId":"a1","parentId":"1","id":"2","kind":"CLIENT","name":"y","timestamp":2,"duration":5,"localEndpoint":{"serviceName":"we\"ird#<svc>"},"remoteEndpoint":{"serviceName":"back\\end"}}]"#;
    std::fs::write(&path, spans).unwrap();
    let p = path.to_string_lossy().into_owned();
    let (code, mermaid, err) = spanlens(&["graph", &p, "--format", "mermaid"]);
    assert_eq!(code, 0, "{err}");
    assert!(mermaid.contains("we#quot;ird#35;#lt;svc#gt;"), "{mermaid}");
    assert!(!mermaid.contains("we\"ird"));
    let (code, dot, _) = spanlens(&["graph", &p, "--format", "dot"]);
    assert_eq!(code, 0);
    assert!(dot.contains(r#""we\"ird#<svc>" -> "back\\end""#), "{dot}");
    std::fs::remove_dir_all(&dir).ok();
}
