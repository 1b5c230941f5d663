//! `spanlens diff A B [--trace-a ID] [--trace-b ID]`: the comparison's merged tree as JSON.

use crate::flame::{load_trace, print_json, span_id_text};
use serde::Serialize;
use spanlens_analysis::compare::{DiffSide, TraceDiff, compare, count_change_percent};
use spanlens_model::{NONE, Trace};
use std::process::ExitCode;

const HELP: &str = "\
spanlens diff A B [--trace-a ID] [--trace-b ID]

Compares one trace of file A with one trace of file B as Jaeger UI's trace diff does: spans matched by
their path of (service, operation) from the root. Prints one JSON object:
  {\"traceA\",\"traceB\",\"nodes\":[{\"index\",\"parent\" (index or null),\"depth\",\"service\",\"operation\",
    \"class\":\"same\"|\"added\"|\"removed\"|\"more\"|\"less\",\"countChangePercent\",\"changeNanos\",
    \"changePercent\" (B's total vs A's, whole percent; null when A has none),
    \"selfChangeNanos\",\"a\":{\"count\",\"errors\",\"totalNanos\",\"selfNanos\",\"spanIds\"},\"b\":{...}}],
   \"slowerFirst\":[node indexes whose total grew, largest growth first]}
Nodes are breadth first (parents before children). --trace-a / --trace-b pick traces by hex id; the
default is each file's first trace. A and B may be the same file with different --trace-* ids.
";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SideOut {
    count: u32,
    errors: u32,
    total_nanos: i64,
    self_nanos: i64,
    span_ids: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NodeOut<'a> {
    index: usize,
    parent: Option<u32>,
    depth: u32,
    service: &'a str,
    operation: &'a str,
    class: &'static str,
    count_change_percent: u32,
    change_nanos: i64,
    change_percent: Option<i64>,
    self_change_nanos: i64,
    a: SideOut,
    b: SideOut,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DiffOut<'a> {
    trace_a: String,
    trace_b: String,
    nodes: Vec<NodeOut<'a>>,
    slower_first: Vec<u32>,
}

fn side(trace: &Trace, s: &DiffSide, members: &[u32]) -> SideOut {
    SideOut {
        count: s.count,
        errors: s.errors,
        total_nanos: s.total_nanos,
        self_nanos: s.self_nanos,
        span_ids: members.iter().map(|&m| span_id_text(trace, m)).collect(),
    }
}

fn render<'a>(d: &'a TraceDiff, a: &Trace, b: &Trace) -> DiffOut<'a> {
    let nodes = d
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| NodeOut {
            index: i,
            parent: (n.parent != NONE).then_some(n.parent),
            depth: n.depth,
            service: d.label(n.service),
            operation: d.label(n.operation),
            class: n.class.as_str(),
            count_change_percent: count_change_percent(n.a.count, n.b.count),
            change_nanos: n.change_nanos(),
            change_percent: n.change_percent(),
            self_change_nanos: n.self_change_nanos(),
            a: side(a, &n.a, d.members_a_of(i as u32)),
            b: side(b, &n.b, d.members_b_of(i as u32)),
        })
        .collect();
    DiffOut {
        trace_a: a.trace_id_hex(),
        trace_b: b.trace_id_hex(),
        nodes,
        slower_first: d.got_slower(spanlens_analysis::compare::DiffMetric::Total),
    }
}

pub fn run(args: &[String]) -> ExitCode {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        print!("{HELP}");
        return ExitCode::SUCCESS;
    }
    let (mut files, mut id_a, mut id_b) = (Vec::new(), None, None);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--trace-a" => id_a = it.next().cloned(),
            "--trace-b" => id_b = it.next().cloned(),
            other if other.starts_with('-') => {
                eprintln!("spanlens diff: unknown option {other:?}\n\n{HELP}");
                return ExitCode::from(2);
            }
            other => files.push(other.to_owned()),
        }
    }
    let [file_a, file_b] = files.as_slice() else {
        eprint!("{HELP}");
        return ExitCode::from(2);
    };
    let loaded = load_trace(file_a, id_a.as_deref(), "diff")
        .and_then(|a| load_trace(file_b, id_b.as_deref(), "diff").map(|b| (a, b)));
    let ((set_a, ia), (set_b, ib)) = match loaded {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let (Some(a), Some(b)) = (set_a.traces.get(ia), set_b.traces.get(ib)) else {
        return ExitCode::FAILURE;
    };
    let d = compare(a, &set_a.strings, b, &set_b.strings);
    print_json(&render(&d, a, b), "diff")
}
