//! `spanlens`: the command-line side of the trace viewer.
//!
//! Subcommands live in their own modules and take the arguments after the subcommand name, returning
//! an exit code. The argument parsing is hand-written: the surface is small and clap would triple the
//! build time of this crate.

mod convert;
mod critical_path;
mod diff;
mod fetch;
mod flame;
mod r#gen;
mod graph;
mod inspect;
mod metrics;
mod output;
mod query;
mod remote;
mod search;
mod stats;

use std::process::ExitCode;

const USAGE: &str = "\
spanlens: inspect, convert and generate distributed-trace files; search and fetch from backends

USAGE:
    spanlens <COMMAND> [ARGS...]

COMMANDS:
    inspect FILE...     print one JSON summary line per file (format, traces, spans, services,
                        roots, orphans, warnings by kind, error); exit 1 if any file fails
    convert ...         convert a trace file to another format (see `spanlens convert --help`)
    gen ...             generate synthetic traces (see `spanlens gen --help`)
    query ...           run or check a TraceQL query (see `spanlens query --help`)
    search ...          search a Jaeger, Jaeger api_v3, Tempo or Zipkin backend, one JSON line per
                        trace (see `spanlens search --help`)
    fetch ...           write one trace from a backend to stdout (see `spanlens fetch --help`)
    stats FILE... --group-by KEY[,KEY2] [--trace ID]
                        trace statistics, one JSON line per row (see `spanlens stats --help`)
    critical-path FILE [--trace ID]
                        the critical path, one JSON line per section
    graph FILE...       the service dependency graph of the files' traces as JSON, DOT or Mermaid
                        ([--trace ID] [--format json|dot|mermaid]; see `spanlens graph --help`)
    flame FILE [--trace ID] [--left-heavy]
                        print a trace's flame graph frames and table as JSON (integer nanoseconds)
    diff A B [--trace-a ID] [--trace-b ID]
                        compare two traces by (service, operation) path; print the merged tree as JSON

OPTIONS:
    -h, --help          print this help
    -V, --version       print the version

Formats are detected from file content: OTLP JSON / JSON Lines / protobuf, Jaeger JSON and api_v2
protojson, Zipkin v1/v2, Chrome trace events, Tempo search results, Google Cloud Trace; gzip is
decompressed automatically.
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprint!("{USAGE}");
        return ExitCode::from(2);
    };
    match command.as_str() {
        "inspect" => inspect::run(rest),
        "convert" => convert::run(rest),
        "gen" => r#gen::run(rest),
        "query" => query::run(rest),
        "search" => search::run(rest),
        "fetch" => fetch::run(rest),
        "stats" => stats::run(rest),
        "critical-path" => critical_path::run(rest),
        "graph" => graph::run(rest),
        "flame" => flame::run(rest),
        "diff" => diff::run(rest),
        "-h" | "--help" | "help" => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        "-V" | "--version" => {
            println!("spanlens {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        other => {
            eprintln!("spanlens: unknown command {other:?}\n");
            eprint!("{USAGE}");
            ExitCode::from(2)
        }
    }
}
