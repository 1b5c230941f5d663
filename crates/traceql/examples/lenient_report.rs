//! A report, not a test: how many rows of Tempo's lenient-parse corpus (`lenient.jsonl`, the
//! half-typed queries Grafana's autocomplete repairs) spanlens renders the way Tempo does.
//! Lenient repair is not implemented, so most rows do not match; the count is for tracking.
//!
//! `cargo run -p spanlens-traceql --example lenient_report`

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/traceql/lenient.jsonl");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("lenient_report: cannot read {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    };
    let (mut rows, mut pass) = (0usize, 0usize);
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let Ok(row) = serde_json::from_str::<serde_json::Value>(line) else {
            eprintln!("lenient_report: a line of {} is not JSON", path.display());
            return ExitCode::FAILURE;
        };
        rows += 1;
        let input = row["input"].as_str().unwrap_or_default();
        let expected = row["expected"].as_str().unwrap_or_default();
        if let Ok(spanlens_traceql::ast::Root::Spans(spanlens_traceql::ast::SpansetExpr::Filter { expr, .. })) =
            spanlens_traceql::parse(input).map(|q| q.root)
        {
            pass += usize::from(format!("{{ {expr} }}") == expected);
        }
    }
    println!("lenient.jsonl: {pass}/{rows} rendered as Tempo does");
    ExitCode::SUCCESS
}
