//! `spanlens critical-path FILE [--trace ID]`: the critical path's sections as JSON lines.

use crate::stats::{Common, load, write_line};
use serde::Serialize;
use spanlens_analysis::critical_path;
use std::process::ExitCode;

const HELP: &str = "\
spanlens critical-path FILE [--trace ID]

Prints the critical path (Jaeger UI's current rule, see README) as one JSON object per section:
  {\"traceId\",\"spanId\",\"startNanos\",\"endNanos\"}
`spanId` is the id as written in the file (text ids such as \"span-A\" too). Sections come as Jaeger
UI lists them: each root in start order, from its end backwards. Without --trace, every trace.
Exit status: 0 on success, 1 when the file cannot be read or the trace is not found, 2 on usage errors.
";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Section {
    trace_id: String,
    span_id: String,
    start_nanos: i64,
    end_nanos: i64,
}

pub fn run(args: &[String]) -> ExitCode {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        print!("{HELP}");
        return ExitCode::SUCCESS;
    }
    let mut common = Common { files: Vec::new(), trace: None };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--trace" => common.trace = it.next().cloned(),
            flag if flag.starts_with("--") => return usage(&format!("unknown option {flag}")),
            file => common.files.push(file.to_owned()),
        }
    }
    if common.files.len() != 1 {
        return usage("exactly one FILE is needed");
    }
    let (set, traces) = match load(&common, "critical-path") {
        Ok(v) => v,
        Err(code) => return code,
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for t in traces.iter().filter_map(|&i| set.traces.get(i)) {
        let path = critical_path(t);
        let trace_id = t.trace_id_hex();
        for &root in &t.tree.roots {
            let mut sections = path.subtree_segments(&t.tree, root).to_vec();
            sections.sort_by_key(|s| std::cmp::Reverse(s.start_nanos));
            for s in sections {
                let Some(span) = t.spans.get(s.span as usize) else {
                    continue;
                };
                let section = Section {
                    trace_id: trace_id.clone(),
                    span_id: set.span_id_display(span.span_id),
                    start_nanos: s.start_nanos,
                    end_nanos: s.end_nanos,
                };
                if let Err(code) = write_line(&mut out, &section, "critical-path") {
                    return code;
                }
            }
        }
    }
    ExitCode::SUCCESS
}

fn usage(message: &str) -> ExitCode {
    eprintln!("spanlens critical-path: {message}\n");
    eprint!("{HELP}");
    ExitCode::from(2)
}
