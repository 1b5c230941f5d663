//! `spanlens flame FILE [--trace ID] [--left-heavy]`: the flame graph's frames as JSON, times in
//! integer nanoseconds. Also the loader `diff` shares: one file, one trace picked by id.

use serde::Serialize;
use spanlens_analysis::flame::{FlameGraph, FlameMode, flame_graph, flame_table};
use spanlens_analysis::self_times;
use spanlens_formats::import::import_bytes;
use spanlens_model::{NONE, Trace, TraceSet, TraceSetBuilder};
use std::process::ExitCode;

const HELP: &str = "\
spanlens flame FILE [--trace ID] [--left-heavy]

Prints the flame graph of one trace as one JSON object:
  {\"traceId\",\"mode\":\"time-order\"|\"left-heavy\",\"originNanos\",\"extentNanos\",\"depths\",
   \"frames\":[{\"index\",\"parent\" (index or null),\"depth\",\"startNanos\",\"lenNanos\",\"totalNanos\",
                \"selfNanos\",\"count\",\"errors\",\"service\",\"name\",\"spanId\",\"spanIds\"}],
   \"table\":[{\"service\",\"name\",\"count\",\"errors\",\"totalNanos\",\"selfNanos\"}]}
Frames are depth by depth, each depth by start. Time order: one frame per span, startNanos since the
trace start. --left-heavy: siblings with the same service and operation merged, heaviest first,
startNanos a cumulative offset, lenNanos raised to fit the children; spanId is the longest member.
--trace ID picks a trace (hex id) when the file holds several; the default is the first.
";

/// Loads `file` and returns the set with the index of the trace to show.
pub(crate) fn load_trace(file: &str, trace_id: Option<&str>, command: &str) -> Result<(TraceSet, usize), String> {
    let bytes = std::fs::read(file).map_err(|e| format!("spanlens {command}: {file}: cannot read: {e}"))?;
    let mut builder = TraceSetBuilder::new();
    import_bytes(&bytes, file, &mut builder).map_err(|e| format!("spanlens {command}: {e}"))?;
    let set = builder.finish();
    let index = match trace_id {
        None => {
            if set.traces.len() > 1 {
                eprintln!(
                    "spanlens {command}: {file} holds {} traces; showing the first (pick one with --trace)",
                    set.traces.len()
                );
            }
            0
        }
        Some(id) => {
            let (wanted, _) = spanlens_model::ids::parse_trace_id_hex(id)
                .map_err(|e| format!("spanlens {command}: trace id {id:?}: {e}"))?;
            set.traces
                .iter()
                .position(|t| t.trace_id == wanted)
                .ok_or_else(|| format!("spanlens {command}: {file}: no trace {id}"))?
        }
    };
    if set.traces.get(index).is_none() {
        return Err(format!("spanlens {command}: {file}: no traces"));
    }
    Ok((set, index))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FrameOut<'a> {
    index: usize,
    parent: Option<u32>,
    depth: u32,
    start_nanos: i64,
    len_nanos: i64,
    total_nanos: i64,
    self_nanos: i64,
    count: u32,
    errors: u32,
    service: &'a str,
    name: &'a str,
    span_id: String,
    span_ids: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RowOut<'a> {
    service: &'a str,
    name: &'a str,
    count: u32,
    errors: u32,
    total_nanos: i64,
    self_nanos: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FlameOut<'a> {
    trace_id: String,
    mode: &'static str,
    origin_nanos: i64,
    extent_nanos: i64,
    depths: u32,
    frames: Vec<FrameOut<'a>>,
    table: Vec<RowOut<'a>>,
}

pub(crate) fn span_id_text(trace: &Trace, span: u32) -> String {
    trace.spans.get(span as usize).map(|s| s.span_id.to_string()).unwrap_or_default()
}

fn render<'a>(set: &'a TraceSet, trace: &Trace, g: &FlameGraph) -> FlameOut<'a> {
    let frames = g
        .frames
        .iter()
        .enumerate()
        .map(|(i, f)| FrameOut {
            index: i,
            parent: (f.parent != NONE).then_some(f.parent),
            depth: f.depth,
            start_nanos: f.start_nanos,
            len_nanos: f.len_nanos,
            total_nanos: f.total_nanos,
            self_nanos: f.self_nanos,
            count: f.count,
            errors: f.errors,
            service: set.resolve(f.service),
            name: set.resolve(f.name),
            span_id: span_id_text(trace, f.span),
            span_ids: g.members_of(i as u32).iter().map(|&m| span_id_text(trace, m)).collect(),
        })
        .collect();
    let table = flame_table(trace, &self_times(trace))
        .into_iter()
        .map(|r| RowOut {
            service: set.resolve(r.service),
            name: set.resolve(r.name),
            count: r.count,
            errors: r.errors,
            total_nanos: r.total_nanos,
            self_nanos: r.self_nanos,
        })
        .collect();
    FlameOut {
        trace_id: trace.trace_id_hex(),
        mode: if g.mode == FlameMode::LeftHeavy { "left-heavy" } else { "time-order" },
        origin_nanos: g.origin_nanos,
        extent_nanos: g.extent_nanos,
        depths: g.depth_count(),
        frames,
        table,
    }
}

pub fn run(args: &[String]) -> ExitCode {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        print!("{HELP}");
        return ExitCode::SUCCESS;
    }
    let (mut file, mut trace_id, mut mode) = (None, None, FlameMode::TimeOrder);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--left-heavy" => mode = FlameMode::LeftHeavy,
            "--trace" => trace_id = it.next().cloned(),
            other if other.starts_with('-') => {
                eprintln!("spanlens flame: unknown option {other:?}\n\n{HELP}");
                return ExitCode::from(2);
            }
            other if file.is_none() => file = Some(other.to_owned()),
            other => {
                eprintln!("spanlens flame: unexpected argument {other:?}\n\n{HELP}");
                return ExitCode::from(2);
            }
        }
    }
    let Some(file) = file else {
        eprint!("{HELP}");
        return ExitCode::from(2);
    };
    let (set, index) = match load_trace(&file, trace_id.as_deref(), "flame") {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let Some(trace) = set.traces.get(index) else {
        return ExitCode::FAILURE;
    };
    let g = flame_graph(trace, mode);
    print_json(&render(&set, trace, &g), "flame")
}

/// Prints `value` as one JSON line; a closed pipe is not an error.
pub(crate) fn print_json<T: Serialize>(value: &T, command: &str) -> ExitCode {
    use std::io::Write as _;
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    let written = serde_json::to_writer(&mut lock, value)
        .map_err(std::io::Error::from)
        .and_then(|()| writeln!(lock))
        .and_then(|()| lock.flush());
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("spanlens {command}: writing output: {e}");
            ExitCode::FAILURE
        }
    }
}
