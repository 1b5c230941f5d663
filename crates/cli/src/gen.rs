//! `spanlens gen --spans N [--traces T] [--format otlp-json|jaeger-json|zipkin-json] [--seed S]
//! [--deep-chain]`: writes deterministic synthetic traces (see `spanlens_synth`) to stdout.
//! Without `--traces`, one trace per 1,000 spans (at least one).

use spanlens_formats::export::ExportFormat;
use spanlens_synth::{SynthOptions, generate};
use std::process::ExitCode;

const USAGE: &str =
    "usage: spanlens gen --spans N [--traces T] [--format otlp-json|jaeger-json|zipkin-json] [--seed S] [--deep-chain]";

/// Runs the subcommand; `args` are the arguments after `gen`.
pub fn run(args: &[String]) -> ExitCode {
    let mut spans: Option<usize> = None;
    let mut traces: Option<usize> = None;
    let mut seed: u64 = 1;
    let mut format = ExportFormat::OtlpJson;
    let mut deep_chain = false;
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v)),
            _ => (arg.as_str(), None),
        };
        let mut value = || {
            inline.map(str::to_owned).or_else(|| {
                i += 1;
                args.get(i).cloned()
            })
        };
        match name {
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            "--deep-chain" => deep_chain = true,
            "--spans" => match value().and_then(|v| v.replace('_', "").parse().ok()) {
                Some(n) => spans = Some(n),
                None => return usage("--spans needs a number"),
            },
            "--traces" => match value().and_then(|v| v.parse().ok()) {
                Some(n) if n > 0 => traces = Some(n),
                _ => return usage("--traces needs a positive number"),
            },
            "--seed" => match value().and_then(|v| v.parse().ok()) {
                Some(s) => seed = s,
                None => return usage("--seed needs a number"),
            },
            "--format" => match value().as_deref().and_then(ExportFormat::from_name) {
                Some(f) => format = f,
                None => return usage("--format must be otlp-json, jaeger-json or zipkin-json"),
            },
            other => return usage(&format!("unknown argument {other}")),
        }
        i += 1;
    }
    let Some(spans) = spans else {
        return usage("--spans is required");
    };
    let traces = traces.unwrap_or((spans / 1000).max(1));
    let set = generate(&SynthOptions { spans, traces, seed, deep_chain });
    crate::output::write_stdout(&set, format, "gen")
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("spanlens gen: {problem}\n{USAGE}");
    ExitCode::from(2)
}
