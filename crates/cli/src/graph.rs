//! `spanlens graph`: the service dependency graph of trace files, as JSON, Graphviz DOT or Mermaid.

use serde_json::{Value as Json, json};
use spanlens_analysis::service_graph::{GraphEdge, NodeKind, Rules, ServiceGraph, build_service_graph};
use spanlens_formats::import::import_bytes;
use spanlens_model::TraceSetBuilder;
use spanlens_model::ids::parse_trace_id_hex;
use std::io::Write;
use std::process::ExitCode;

const HELP: &str = "\
spanlens graph FILE... [--trace ID] [--format json|dot|mermaid] [--rules viewer|tempo|zipkin|jaeger]

Loads every FILE into one set and prints the service dependency graph of all its traces (or of the
trace ID only): services, plus databases, messaging systems and uninstrumented remote peers named by
client spans, and the calls between them.

  json     {\"nodes\":[{\"name\",\"kind\",\"spans\",\"errors\"}],
            \"edges\":[{\"source\",\"target\",\"connectionType\",\"calls\",\"errors\",
                      \"p50Nanos\",\"p95Nanos\",\"p99Nanos\"}]}
           kind: service|database|messaging|remote; connectionType as in Tempo:
           \"\"|database|messaging_system|virtual_node. Latencies are nearest-rank percentiles of the
           client-side durations (server-side when no call had a client span), null when unknown.
  dot      a Graphviz digraph, left to right (`spanlens graph f.json --format dot | dot -Tsvg`)
  mermaid  a Mermaid `flowchart LR`, for docs and tickets

OPTIONS:
    --trace ID          only the trace with this hex id
    --format F          json (default), dot or mermaid
    --rules R           viewer (default: Tempo's pairing plus virtual nodes and a change of service
                        when kinds are missing), tempo, zipkin (Zipkin's dependency linker) or jaeger
                        (every parent/child pair)
    -h, --help          print this help

Exit status: 0 ok; 1 a file could not be loaded or the trace is not in them; 2 usage error.
";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Dot,
    Mermaid,
}

struct Args {
    files: Vec<String>,
    trace: Option<String>,
    format: Format,
    rules: Rules,
}

fn usage(message: &str) -> ExitCode {
    eprintln!("spanlens graph: {message}\n");
    eprint!("{HELP}");
    ExitCode::from(2)
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut out = Args { files: Vec::new(), trace: None, format: Format::Json, rules: Rules::Viewer };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().cloned().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--trace" => out.trace = Some(value(arg)?),
            "--format" => {
                out.format = match value(arg)?.as_str() {
                    "json" => Format::Json,
                    "dot" => Format::Dot,
                    "mermaid" => Format::Mermaid,
                    other => return Err(format!("unknown format {other:?} (json, dot or mermaid)")),
                }
            }
            "--rules" => {
                out.rules = match value(arg)?.as_str() {
                    "viewer" => Rules::Viewer,
                    "tempo" => Rules::Tempo { expire_unmatched: true },
                    "zipkin" => Rules::Zipkin,
                    "jaeger" => Rules::Jaeger,
                    other => return Err(format!("unknown rules {other:?} (viewer, tempo, zipkin or jaeger)")),
                }
            }
            "--" => out.files.extend(it.by_ref().cloned()),
            flag if flag.starts_with('-') && flag.len() > 1 => return Err(format!("unknown option {flag:?}")),
            file => out.files.push(file.to_owned()),
        }
    }
    Ok(out)
}

pub fn run(args: &[String]) -> ExitCode {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        print!("{HELP}");
        return ExitCode::SUCCESS;
    }
    let args = match parse_args(args) {
        Ok(a) => a,
        Err(message) => return usage(&message),
    };
    if args.files.is_empty() {
        return usage("no input files");
    }
    let wanted = match args.trace.as_deref().map(parse_trace_id_hex).transpose() {
        Ok(id) => id.map(|(id, _)| id),
        Err(e) => return usage(&format!("--trace: {e}")),
    };
    let mut builder = TraceSetBuilder::new();
    for file in &args.files {
        let loaded = std::fs::read(file)
            .map_err(|e| format!("{file}: cannot read: {e}"))
            .and_then(|bytes| import_bytes(&bytes, file, &mut builder).map(drop).map_err(|e| e.to_string()));
        if let Err(message) = loaded {
            eprintln!("spanlens graph: {message}");
            return ExitCode::from(1);
        }
    }
    let set = builder.finish();
    let traces: Vec<_> = set.traces.iter().filter(|t| wanted.is_none_or(|id| t.trace_id == id)).collect();
    if let (Some(text), true) = (&args.trace, traces.is_empty()) {
        eprintln!("spanlens graph: trace {text} is not in the files");
        return ExitCode::from(1);
    }
    let graph = build_service_graph(traces.into_iter().map(|t| (&set, t)), args.rules);
    let text = match args.format {
        Format::Json => format!("{}\n", to_json(&graph)),
        Format::Dot => to_dot(&graph),
        Format::Mermaid => to_mermaid(&graph),
    };
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    match lock.write_all(text.as_bytes()).and_then(|()| lock.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("spanlens graph: writing output: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The caller's view of latency, or the callee's when no call had a client span.
fn percentiles(e: &GraphEdge) -> [Option<i64>; 3] {
    let side = if e.client.count > 0 { &e.client } else { &e.server };
    [side.p50_nanos, side.p95_nanos, side.p99_nanos]
}

pub fn to_json(g: &ServiceGraph) -> Json {
    let nodes: Vec<Json> = g
        .nodes
        .iter()
        .map(|n| json!({"name": n.name, "kind": n.kind.as_str(), "spans": n.spans, "errors": n.errors}))
        .collect();
    let edges: Vec<Json> = g
        .edges
        .iter()
        .map(|e| {
            let [p50, p95, p99] = percentiles(e);
            json!({
                "source": g.node_name(e.source), "target": g.node_name(e.target),
                "connectionType": e.connection.as_str(), "calls": e.calls, "errors": e.errors,
                "p50Nanos": p50, "p95Nanos": p95, "p99Nanos": p99,
            })
        })
        .collect();
    json!({"nodes": nodes, "edges": edges})
}

fn millis(nanos: Option<i64>) -> String {
    nanos.map_or_else(|| "?".to_owned(), |n| format!("{:.3} ms", n as f64 / 1e6))
}

fn edge_label(e: &GraphEdge) -> String {
    let [p50, _, p99] = percentiles(e);
    let mut label = format!("{} calls", e.calls);
    if e.errors > 0 {
        label.push_str(&format!(", {} errors", e.errors));
    }
    if p50.is_some() {
        label.push_str(&format!("\np50 {}, p99 {}", millis(p50), millis(p99)));
    }
    label
}

fn node_label(name: &str, spans: u64, errors: u64, kind: NodeKind) -> String {
    match kind {
        NodeKind::Service => format!("{name}\n{spans} spans, {errors} errors"),
        other => format!("{name}\n({})", other.as_str()),
    }
}

/// A DOT double-quoted string: backslashes and quotes escaped, newlines as `\n`.
fn dot_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub fn to_dot(g: &ServiceGraph) -> String {
    let mut out = String::from("digraph services {\n  rankdir=LR;\n  node [shape=box, fontname=\"sans-serif\"];\n");
    for n in &g.nodes {
        let shape = match n.kind {
            NodeKind::Service => "box",
            NodeKind::Database => "cylinder",
            NodeKind::Messaging => "cds",
            NodeKind::Remote => "ellipse",
        };
        let label = node_label(&n.name, n.spans, n.errors, n.kind);
        out.push_str(&format!("  {} [label={}, shape={shape}];\n", dot_quote(&n.name), dot_quote(&label)));
    }
    for e in &g.edges {
        let (s, t) = (dot_quote(g.node_name(e.source)), dot_quote(g.node_name(e.target)));
        let color = if e.errors > 0 { ", color=red" } else { "" };
        out.push_str(&format!("  {s} -> {t} [label={}{color}];\n", dot_quote(&edge_label(e))));
    }
    out.push_str("}\n");
    out
}

/// Mermaid label text: inside `"…"` only entity codes are safe for `"`, `#`, `<` and `>`; newlines
/// become `<br/>`.
fn mermaid_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '#' => out.push_str("#35;"),
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '\n' => out.push_str("<br/>"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

pub fn to_mermaid(g: &ServiceGraph) -> String {
    let mut out = String::from("flowchart LR\n");
    for (i, n) in g.nodes.iter().enumerate() {
        let label = mermaid_text(&node_label(&n.name, n.spans, n.errors, n.kind));
        let (open, close) = match n.kind {
            NodeKind::Service => ("[", "]"),
            NodeKind::Database => ("[(", ")]"),
            NodeKind::Messaging => ("[/", "/]"),
            NodeKind::Remote => ("([", "])"),
        };
        out.push_str(&format!("  n{i}{open}\"{label}\"{close}\n"));
    }
    for e in &g.edges {
        out.push_str(&format!("  n{} -->|\"{}\"| n{}\n", e.source, mermaid_text(&edge_label(e)), e.target));
    }
    out
}
