//! `spanlens query`: run a TraceQL query over trace files, or just check one.
//!
//! Output is one JSON object per matching spanset, so results pipe into `jq`. Exit codes follow the
//! error kinds of `spanlens_traceql`: 2 for syntax errors (and usage errors), 3 for queries that
//! parse but are invalid or unsupported, 1 for unreadable files and evaluation failures.

use crate::metrics::{parse_step_nanos, parse_time_nanos};
use serde_json::{Map, Value as Json, json};
use spanlens_formats::import::import_bytes;
use spanlens_model::{AnyValue, Attribute, Span, TraceSet, TraceSetBuilder};
use spanlens_traceql::ast::{Query, Root, SpanKind, Status};
use spanlens_traceql::eval::{self, AttrValue, CompiledQuery, EvalOptions, SpansetMatch, TraceMatch};
use spanlens_traceql::metrics::{self, MetricsRange};
use spanlens_traceql::{ErrorKind, Errors};
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

const HELP: &str = "\
spanlens query FILE... -q QUERY [--limit N] [--spss N] [--stats]
spanlens query FILE... -q METRICS_QUERY [--start T] [--end T] [--step D]
spanlens query --check QUERY [--tempo]

Loads every FILE into one set (spans of a trace are stitched across files), runs the TraceQL
QUERY and prints one JSON object per matching spanset:
  {\"traceId\",\"rootServiceName\",\"rootName\",\"durationMs\",\"matched\",
   \"spans\":[{\"spanId\",\"name\",\"service\",\"startNs\",\"durationNs\",\"attributes\":{...}}],
   \"aggregates\":{...}}
A span whose end is unknown (no duration in the file) has \"durationNs\":null and \"incomplete\":true.

A metrics query (`{ } | rate() by (resource.service.name)`) prints one JSON object per series:
  {\"labels\":{...},\"timestampsNanos\":[...],\"values\":[...],\"exemplars\":[...]}
Empty buckets are null. Without --start/--end the range is the loaded spans' extent; without
--step it is about range/240, rounded.

OPTIONS:
    -q, --query QUERY   the TraceQL query to run
    --check QUERY       only check QUERY (syntax, types, and whether this engine can run it);
                        print `line:col: message` per error
    --tempo             with --check: answer what Grafana Tempo accepts, so spanlens'
                        extensions (parent., pipeline comparisons, ...) are unsupported (3)
    --start T, --end T  metrics range: RFC3339, unix seconds, or unix nanoseconds (> 10 digits)
    --step D            metrics step: a duration (30s, 1m) or seconds
    --limit N           stop after N matching traces
    --spss N            list at most N spans per spanset (\"matched\" still counts all)
    --stats             print import and query times to stderr
    -h, --help          print this help

Exit status: 0 ok; 1 a file could not be loaded or evaluation failed; 2 usage or syntax error;
3 the query parses but is invalid (e.g. a type error) or unsupported.
";

#[derive(Default)]
struct Args {
    files: Vec<String>,
    query: Option<String>,
    check: Option<String>,
    limit: Option<usize>,
    spss: Option<usize>,
    stats: bool,
    tempo: bool,
    start: Option<String>,
    end: Option<String>,
    step: Option<String>,
}

fn usage(message: &str) -> ExitCode {
    eprintln!("spanlens query: {message}\n");
    eprint!("{HELP}");
    ExitCode::from(2)
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut out = Args::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().cloned().ok_or_else(|| format!("{name} needs a value"));
        let number = |name: &str, text: String| {
            text.parse::<usize>().map_err(|_| format!("{name} expects a number, got {text:?}"))
        };
        match arg.as_str() {
            "-q" | "--query" => out.query = Some(value(arg)?),
            "--check" => out.check = Some(value(arg)?),
            "--limit" => out.limit = Some(number(arg, value(arg)?)?),
            "--spss" => out.spss = Some(number(arg, value(arg)?)?),
            "--stats" => out.stats = true,
            "--tempo" => out.tempo = true,
            "--start" => out.start = Some(value(arg)?),
            "--end" => out.end = Some(value(arg)?),
            "--step" => out.step = Some(value(arg)?),
            "--" => out.files.extend(it.by_ref().cloned()),
            flag if flag.starts_with('-') && flag.len() > 1 => {
                return Err(format!("unknown option {flag:?}"));
            }
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
    if let Some(text) = &args.check {
        if args.query.is_some() || !args.files.is_empty() {
            return usage("--check takes only the query");
        }
        let checked = if args.tempo { spanlens_traceql::check(text) } else { check(text) };
        return match checked {
            Ok(_) => ExitCode::SUCCESS,
            Err(errors) => report_errors(&errors),
        };
    }
    let Some(text) = &args.query else {
        return usage("missing -q QUERY");
    };
    if args.files.is_empty() {
        return usage("no input files");
    }
    // Check before reading files: a typo should not cost a multi-second import.
    let query = match check(text) {
        Ok(q) => q,
        Err(errors) => return report_errors(&errors),
    };

    let started = Instant::now();
    let Some(set) = load(&args.files) else {
        return ExitCode::from(1);
    };
    let import_time = started.elapsed();

    if let Root::Metrics(_) = &query.root {
        return run_metrics(&args, text, &query, &set, import_time);
    }

    let started = Instant::now();
    let opts = EvalOptions { limit: args.limit };
    let result = match eval::evaluate(&query, &set, &opts) {
        Ok(r) => r,
        Err(mut e) => {
            (e.line, e.col) = spanlens_traceql::error::line_col(text, e.range.start);
            return report_errors(&Errors(vec![e]));
        }
    };
    let query_time = started.elapsed();

    let mut out = std::io::stdout().lock();
    let mut spansets = 0usize;
    for tm in &result.traces {
        for ss in &tm.spansets {
            spansets += 1;
            let line = spanset_json(&set, tm, ss, args.spss);
            // A closed pipe (`| head`) is not an error worth a message.
            if writeln!(out, "{line}").is_err() {
                return ExitCode::SUCCESS;
            }
        }
    }
    let _ = out.flush();
    if args.stats {
        eprintln!(
            "import: {:.1} ms ({} files, {} traces, {} spans)",
            import_time.as_secs_f64() * 1e3,
            args.files.len(),
            set.traces.len(),
            set.span_count()
        );
        eprintln!(
            "query: {:.1} ms ({} traces and {} spans inspected; {} traces, {} spansets matched)",
            query_time.as_secs_f64() * 1e3,
            result.traces_inspected,
            result.spans_inspected,
            result.traces.len(),
            spansets
        );
    }
    ExitCode::SUCCESS
}

/// The range of a metrics query: the flags, else the loaded spans' extent.
fn metrics_range(args: &Args, set: &TraceSet) -> Result<Option<MetricsRange>, String> {
    let data = metrics::set_range(set);
    let start = match &args.start {
        Some(t) => parse_time_nanos(t)?,
        None => match data {
            Some(r) => r.start_nanos,
            None => return Ok(None),
        },
    };
    let end = match &args.end {
        Some(t) => parse_time_nanos(t)?,
        None => match data {
            Some(r) => r.end_nanos,
            None => return Ok(None),
        },
    };
    if end <= start {
        return Err(format!("--end ({end} ns) must be after --start ({start} ns)"));
    }
    let step_nanos = match &args.step {
        Some(d) => parse_step_nanos(d)?,
        None => metrics::default_step_nanos(end - start),
    };
    Ok(Some(MetricsRange { start_nanos: start, end_nanos: end, step_nanos }))
}

fn run_metrics(args: &Args, text: &str, query: &Query, set: &TraceSet, import_time: Duration) -> ExitCode {
    let range = match metrics_range(args, set) {
        Ok(Some(r)) => r,
        Ok(None) => return ExitCode::SUCCESS,
        Err(message) => return usage(&message),
    };
    let started = Instant::now();
    let result = match metrics::evaluate_metrics(query, set, &range) {
        Ok(r) => r,
        Err(e) => {
            let mut e: spanlens_traceql::Error = e.into();
            (e.line, e.col) = spanlens_traceql::error::line_col(text, e.range.start);
            return report_errors(&Errors(vec![e]));
        }
    };
    let query_time = started.elapsed();
    let mut out = std::io::stdout().lock();
    for line in crate::metrics::result_lines(&result) {
        if writeln!(out, "{line}").is_err() {
            return ExitCode::SUCCESS;
        }
    }
    let _ = out.flush();
    if args.stats {
        eprintln!("import: {:.1} ms ({} spans)", import_time.as_secs_f64() * 1e3, set.span_count());
        eprintln!(
            "query: {:.1} ms ({} spans inspected; {} series of {} points, step {} ns)",
            query_time.as_secs_f64() * 1e3,
            result.spans_inspected,
            result.series.len(),
            result.series.first().map_or(0, |s| s.values.len()),
            range.step_nanos
        );
    }
    ExitCode::SUCCESS
}

/// Parses, validates (spanlens' dialect: Tempo's TraceQL plus `parent.x`, pipeline comparisons and
/// any scalar filter) and compiles `text`: a query that passes runs here. Metrics queries compile
/// through the metrics evaluator.
fn check(text: &str) -> Result<Query, Errors> {
    let query = spanlens_traceql::check_extended(text)?;
    if let Root::Metrics(_) = &query.root {
        return match metrics::compile_check(&query, text) {
            Ok(()) => Ok(query),
            Err(e) => Err(Errors(vec![e])),
        };
    }
    match CompiledQuery::compile(&query, &|_| (), text) {
        Ok(_) => Ok(query),
        Err(e) => Err(Errors(vec![e])),
    }
}

/// Prints `line:col: message` per error and maps the kind to an exit code.
fn report_errors(errors: &Errors) -> ExitCode {
    for e in &errors.0 {
        eprintln!("{}:{}: {}", e.line, e.col, e.message);
    }
    match errors.kind() {
        ErrorKind::Syntax => ExitCode::from(2),
        ErrorKind::Validation | ErrorKind::Unsupported => ExitCode::from(3),
        ErrorKind::Runtime => ExitCode::from(1),
    }
}

fn load(files: &[String]) -> Option<TraceSet> {
    let mut builder = TraceSetBuilder::new();
    let mut ok = true;
    for file in files {
        match std::fs::read(file) {
            Ok(bytes) => {
                if let Err(e) = import_bytes(&bytes, file, &mut builder) {
                    eprintln!("spanlens query: {e}");
                    ok = false;
                }
            }
            Err(e) => {
                eprintln!("spanlens query: {file}: cannot read: {e}");
                ok = false;
            }
        }
    }
    ok.then(|| builder.finish())
}

fn spanset_json(set: &TraceSet, tm: &TraceMatch, ss: &SpansetMatch, spss: Option<usize>) -> Json {
    let trace = &set.traces[tm.trace_index];
    let shown = spss.unwrap_or(usize::MAX);
    let spans: Vec<Json> = ss
        .spans
        .iter()
        .take(shown)
        .filter_map(|&i| {
            let span = trace.spans.get(i as usize)?;
            let mut attributes = attributes_json(set, &span.attributes);
            if let Some(sel) = ss.selected.iter().find(|s| s.span == i) {
                for (label, value) in &sel.values {
                    attributes.insert(label.clone(), attr_value_json(value));
                }
            }
            Some(span_json(set, span, attributes))
        })
        .collect();
    let mut aggregates = Map::new();
    for (label, value) in &ss.attributes {
        aggregates.insert(label.clone(), attr_value_json(value));
    }
    json!({
        "traceId": tm.trace_id,
        "rootServiceName": tm.root_service,
        "rootName": tm.root_name,
        "durationMs": tm.duration_nanos as f64 / 1e6,
        "matched": ss.matched,
        "spans": spans,
        "aggregates": aggregates,
    })
}

fn span_json(set: &TraceSet, span: &Span, attributes: Map<String, Json>) -> Json {
    let mut out = json!({
        "spanId": format!("{:016x}", span.span_id.0),
        "name": set.resolve(span.name),
        "service": set.resolve(span.service),
        "startNs": span.start_nanos,
        // An unknown end is null, not 0: a zero would read as an instant span.
        "durationNs": span.known_duration_nanos(),
        "attributes": attributes,
    });
    if span.is_incomplete()
        && let Some(map) = out.as_object_mut()
    {
        map.insert("incomplete".to_owned(), Json::Bool(true));
    }
    out
}

fn attributes_json(set: &TraceSet, attrs: &[Attribute]) -> Map<String, Json> {
    attrs.iter().map(|a| (set.resolve(a.key).to_owned(), any_value_json(set, &a.value))).collect()
}

fn any_value_json(set: &TraceSet, v: &AnyValue) -> Json {
    match v {
        AnyValue::Str(s) => Json::from(set.resolve(*s)),
        AnyValue::Bool(b) => Json::from(*b),
        AnyValue::Int(i) => Json::from(*i),
        AnyValue::Float(f) => float_json(*f),
        AnyValue::Bytes(bytes) => Json::from(bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()),
        AnyValue::Array(items) => Json::Array(items.iter().map(|x| any_value_json(set, x)).collect()),
        AnyValue::KvList(kvs) => Json::Object(attributes_json(set, kvs)),
        AnyValue::Empty => Json::Null,
    }
}

/// JSON has no NaN or infinity; those become strings.
fn float_json(f: f64) -> Json {
    serde_json::Number::from_f64(f).map_or_else(|| Json::from(f.to_string()), Json::Number)
}

fn attr_value_json(v: &AttrValue) -> Json {
    match v {
        AttrValue::Nil => Json::Null,
        AttrValue::Bool(b) => Json::from(*b),
        AttrValue::Int(i) => Json::from(*i),
        AttrValue::Float(f) => float_json(*f),
        // Durations as integer nanoseconds, like `startNs`/`durationNs`.
        AttrValue::DurationNanos(d) => Json::from(*d),
        AttrValue::String(s) => Json::from(s.as_str()),
        AttrValue::Status(s) => Json::from(match s {
            Status::Error => "error",
            Status::Ok => "ok",
            Status::Unset => "unset",
        }),
        AttrValue::Kind(k) => Json::from(match k {
            SpanKind::Unspecified => "unspecified",
            SpanKind::Internal => "internal",
            SpanKind::Client => "client",
            SpanKind::Server => "server",
            SpanKind::Producer => "producer",
            SpanKind::Consumer => "consumer",
        }),
        AttrValue::Array(items) => Json::Array(items.iter().map(attr_value_json).collect()),
    }
}
