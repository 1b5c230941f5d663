//! `spanlens convert FILE… --to otlp-json|jaeger-json|zipkin-json`: reads trace files in any format
//! the importers detect, stitches them into one set, and writes it to stdout in the chosen format.
//! Warnings go to stderr so that stdout stays a clean document; `-` reads stdin.

use spanlens_formats::export::ExportFormat;
use spanlens_formats::import::import_bytes;
use spanlens_model::TraceSetBuilder;
use std::io::Read;
use std::process::ExitCode;

const USAGE: &str = "usage: spanlens convert FILE... --to otlp-json|jaeger-json|zipkin-json";

/// Runs the subcommand; `args` are the arguments after `convert`.
pub fn run(args: &[String]) -> ExitCode {
    let mut files: Vec<&str> = Vec::new();
    let mut to: Option<&str> = None;
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        match arg.as_str() {
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            "--to" => {
                i += 1;
                to = args.get(i).map(String::as_str);
            }
            a if a.starts_with("--to=") => to = a.strip_prefix("--to="),
            a if a.starts_with("--") => return usage(&format!("unknown option {a}")),
            a => files.push(a),
        }
        i += 1;
    }
    let Some(format) = to.and_then(ExportFormat::from_name) else {
        return usage("--to must be otlp-json, jaeger-json or zipkin-json");
    };
    if files.is_empty() {
        return usage("no input file");
    }
    let mut builder = TraceSetBuilder::new();
    for file in files {
        let bytes = match read(file) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("spanlens convert: {file}: {e}");
                return ExitCode::FAILURE;
            }
        };
        if let Err(e) = import_bytes(&bytes, file, &mut builder) {
            eprintln!("spanlens convert: {e}");
            return ExitCode::FAILURE;
        }
    }
    let set = builder.finish();
    for (kind, n) in set.warning_counts() {
        eprintln!("warning: {n} × {}", kind.as_str());
    }
    crate::output::write_stdout(&set, format, "convert")
}

fn read(file: &str) -> std::io::Result<Vec<u8>> {
    if file == "-" {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes)?;
        Ok(bytes)
    } else {
        std::fs::read(file)
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("spanlens convert: {problem}\n{USAGE}");
    ExitCode::from(2)
}
