//! `spanlens stats FILE... [--trace ID] --group-by KEY[,KEY2]`: the trace statistics table as JSON
//! lines, one per row (first-level rows each followed by their detail rows).

use serde::Serialize;
use spanlens_analysis::{GroupKey, stats};
use spanlens_formats::import::import_bytes;
use spanlens_model::ids::parse_trace_id_hex;
use spanlens_model::{TraceSet, TraceSetBuilder};
use std::process::ExitCode;

const HELP: &str = "\
spanlens stats FILE... [--trace ID] --group-by KEY[,KEY2]

Groups spans by KEY (service, operation or attr:NAME; an attribute is the span's own, else its
resource's) and optionally by KEY2 within each group, and prints one JSON object per row:
  {\"group\",\"subgroup\",\"count\",\"totalNanos\",\"avgNanos\",\"minNanos\",\"maxNanos\",\"p50Nanos\",
   \"p95Nanos\",\"p99Nanos\",\"selfTotalNanos\",\"selfAvgNanos\",\"selfMinNanos\",\"selfMaxNanos\",
   \"percentOfTrace\",\"errors\"}
A detail row has the first-level value in `group` and its own in `subgroup` (null on first-level
rows). Rows come in order of first appearance (depth-first, by start time); spans lacking an
attribute form a last row \"Without tag: NAME\". Percentiles are nearest-rank; avg is truncated.
Without --trace the table covers every trace of every file (percentages of their summed durations).
Exit status: 0 on success, 1 when a file cannot be read or the trace is not found, 2 on usage errors.
";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Row<'a> {
    group: &'a str,
    subgroup: Option<&'a str>,
    count: u64,
    total_nanos: i64,
    avg_nanos: i64,
    min_nanos: i64,
    max_nanos: i64,
    p50_nanos: i64,
    p95_nanos: i64,
    p99_nanos: i64,
    self_total_nanos: i64,
    self_avg_nanos: i64,
    self_min_nanos: i64,
    self_max_nanos: i64,
    percent_of_trace: f64,
    errors: u64,
}

/// Parsed arguments shared with `critical-path`: files and an optional trace id.
pub(crate) struct Common {
    pub files: Vec<String>,
    pub trace: Option<String>,
}

pub fn run(args: &[String]) -> ExitCode {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        print!("{HELP}");
        return ExitCode::SUCCESS;
    }
    let mut common = Common { files: Vec::new(), trace: None };
    let mut group_by = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--trace" => common.trace = it.next().cloned(),
            "--group-by" => group_by = it.next().cloned(),
            flag if flag.starts_with("--") => return usage(&format!("unknown option {flag}")),
            file => common.files.push(file.to_owned()),
        }
    }
    let Some(group_by) = group_by else {
        return usage("--group-by is required");
    };
    let mut keys = group_by.split(',').map(GroupKey::parse);
    let (Some(Some(first)), second, None) = (keys.next(), keys.next(), keys.next()) else {
        return usage(&format!("bad --group-by {group_by:?}: one or two of service, operation, attr:NAME"));
    };
    let second = match second {
        None => None,
        Some(Some(k)) => Some(k),
        Some(None) => return usage(&format!("bad --group-by {group_by:?}")),
    };
    if common.files.is_empty() {
        return usage("no FILE given");
    }
    let (set, traces) = match load(&common, "stats") {
        Ok(v) => v,
        Err(code) => return code,
    };
    let table = stats(&set, &traces, &first, second.as_ref());
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for r in &table.rows {
        let parent = r.parent.and_then(|p| table.rows.get(p as usize)).map(|p| p.group.as_str());
        let (group, subgroup) = match parent {
            Some(p) => (p, Some(r.group.as_str())),
            None => (r.group.as_str(), None),
        };
        let row = Row {
            group,
            subgroup,
            count: r.count,
            total_nanos: r.total_nanos,
            avg_nanos: r.avg_nanos,
            min_nanos: r.min_nanos,
            max_nanos: r.max_nanos,
            p50_nanos: r.p50_nanos,
            p95_nanos: r.p95_nanos,
            p99_nanos: r.p99_nanos,
            self_total_nanos: r.self_total_nanos,
            self_avg_nanos: r.self_avg_nanos,
            self_min_nanos: r.self_min_nanos,
            self_max_nanos: r.self_max_nanos,
            percent_of_trace: r.percent_of_trace,
            errors: r.errors,
        };
        if let Err(code) = write_line(&mut out, &row, "stats") {
            return code;
        }
    }
    ExitCode::SUCCESS
}

fn usage(message: &str) -> ExitCode {
    eprintln!("spanlens stats: {message}\n");
    eprint!("{HELP}");
    ExitCode::from(2)
}

/// Loads every file into one set and picks the traces: the one named by `--trace`, else all.
pub(crate) fn load(common: &Common, command: &str) -> Result<(TraceSet, Vec<usize>), ExitCode> {
    let mut builder = TraceSetBuilder::new();
    for file in &common.files {
        let bytes = std::fs::read(file).map_err(|e| {
            eprintln!("spanlens {command}: {file}: cannot read: {e}");
            ExitCode::from(1)
        })?;
        import_bytes(&bytes, file, &mut builder).map_err(|e| {
            eprintln!("spanlens {command}: {e}");
            ExitCode::from(1)
        })?;
    }
    let set = builder.finish();
    let traces = match &common.trace {
        None => (0..set.traces.len()).collect(),
        Some(id) => {
            let wanted = parse_trace_id_hex(id).map_err(|e| {
                eprintln!("spanlens {command}: bad --trace {id:?}: {e}");
                ExitCode::from(2)
            })?;
            let found: Vec<usize> =
                set.traces.iter().enumerate().filter(|(_, t)| t.trace_id == wanted.0).map(|(i, _)| i).collect();
            if found.is_empty() {
                eprintln!("spanlens {command}: trace {id} not found");
                return Err(ExitCode::from(1));
            }
            found
        }
    };
    Ok((set, traces))
}

/// One JSON line; a closed pipe (`| head`) ends the output quietly.
pub(crate) fn write_line(out: &mut impl std::io::Write, value: &impl Serialize, command: &str) -> Result<(), ExitCode> {
    let line = serde_json::to_string(value).map_err(|e| {
        eprintln!("spanlens {command}: {e}");
        ExitCode::FAILURE
    })?;
    match writeln!(out, "{line}") {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(ExitCode::SUCCESS),
        Err(e) => {
            eprintln!("spanlens {command}: writing output: {e}");
            Err(ExitCode::FAILURE)
        }
    }
}
