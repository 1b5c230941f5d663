//! `spanlens inspect FILE...`: one JSON object per file on stdout, for scripts and quick checks.

use serde::Serialize;
use spanlens_formats::import::import_bytes;
use spanlens_model::TraceSetBuilder;
use std::collections::BTreeMap;
use std::process::ExitCode;

const HELP: &str = "\
spanlens inspect FILE...

Loads each file on its own and prints one JSON object per line:
  {\"file\",\"format\",\"traces\",\"span_records\",\"spans\",\"services\",\"roots\",\"orphans\",
   \"warnings\":{kind:count},\"error\":null|\"message\"}
Exit status: 0 when every file loaded, 1 otherwise, 2 on usage errors.
";

#[derive(Serialize, Default)]
struct Report {
    file: String,
    format: Option<String>,
    traces: usize,
    span_records: u64,
    spans: usize,
    services: usize,
    roots: usize,
    orphans: usize,
    warnings: BTreeMap<&'static str, usize>,
    error: Option<String>,
}

pub fn run(args: &[String]) -> ExitCode {
    if args.is_empty() {
        eprint!("{HELP}");
        return ExitCode::from(2);
    }
    if args.iter().any(|a| a == "-h" || a == "--help") {
        print!("{HELP}");
        return ExitCode::SUCCESS;
    }
    let mut all_ok = true;
    for file in args {
        let report = inspect_file(file);
        all_ok &= report.error.is_none();
        match serde_json::to_string(&report) {
            Ok(line) => println!("{line}"),
            Err(e) => {
                eprintln!("spanlens inspect: {file}: cannot serialize report: {e}");
                all_ok = false;
            }
        }
    }
    if all_ok { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

fn inspect_file(file: &str) -> Report {
    let mut report = Report { file: file.to_owned(), ..Report::default() };
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            report.error = Some(format!("{file}: cannot read: {e}"));
            return report;
        }
    };
    let mut builder = TraceSetBuilder::new();
    let summary = match import_bytes(&bytes, file, &mut builder) {
        Ok(s) => s,
        Err(e) => {
            report.format = (!e.format.is_empty() && e.format != "unknown").then(|| e.format.clone());
            report.error = Some(e.to_string());
            return report;
        }
    };
    let set = builder.finish();
    report.format = Some(summary.format.as_str().to_owned());
    report.span_records = summary.span_records;
    report.traces = set.traces.len();
    report.spans = set.span_count();
    let mut services = std::collections::HashSet::new();
    for trace in &set.traces {
        services.extend(trace.spans.iter().map(|s| s.service));
        report.orphans += trace.orphan_count();
        report.roots += trace.tree.roots.len() - trace.orphan_count().min(trace.tree.roots.len());
    }
    report.services = services.len();
    for (kind, count) in set.warning_counts() {
        report.warnings.insert(kind.as_str(), count);
    }
    report
}
