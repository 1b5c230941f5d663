//! Runs the TraceQL conformance corpus in `shared/conformance/traceql`
//! (harvested from Tempo's own tests) in place.

mod common;

use common::mock::{MockTrace, canonical, parse_attr_value};
use common::{Outcome, corpus_dir, load_jsonl, run_file};
use serde_json::Value;
use spanlens_traceql::eval::run;
use spanlens_traceql::{ErrorKind, check, lexer::lex};

#[test]
fn queries_jsonl() {
    let Some(dir) = corpus_dir() else { return };
    let rows = load_jsonl(&dir.join("queries.jsonl"));
    run_file("queries.jsonl", &rows, |row| {
        let query = row["query"].as_str().unwrap_or_default();
        let category = row["category"].as_str().unwrap_or_default();
        let got = match check(query) {
            Ok(_) => "parse_ok",
            Err(e) => match e.kind() {
                ErrorKind::Syntax => "parse_error",
                ErrorKind::Validation => "validate_error",
                ErrorKind::Unsupported => "unsupported",
                ErrorKind::Runtime => "runtime",
            },
        };
        let detail = match check(query) {
            Ok(_) => String::new(),
            Err(e) => e.to_string(),
        };
        Outcome::expect(query.to_string(), got == category, format!("expected {category}, got {got} {detail}"))
    });
}

/// Every metrics query Tempo accepts also runs here: `metrics::compile_check` (what
/// `spanlens query --check` uses) accepts it.
#[test]
fn valid_metrics_queries_compile() {
    let Some(dir) = corpus_dir() else { return };
    let rows = load_jsonl(&dir.join("queries.jsonl"));
    run_file("queries.jsonl (metrics)", &rows, |row| {
        let query = row["query"].as_str().unwrap_or_default();
        let Ok(parsed) = check(query) else {
            return Outcome::expect(query.to_string(), true, String::new());
        };
        if !matches!(parsed.root, spanlens_traceql::ast::Root::Metrics(_)) {
            return Outcome::expect(query.to_string(), true, String::new());
        }
        let got = spanlens_traceql::metrics::compile_check(&parsed, query);
        Outcome::expect(query.to_string(), got.is_ok(), format!("does not compile: {got:?}"))
    });
}

#[test]
fn lexer_jsonl() {
    let Some(dir) = corpus_dir() else { return };
    let rows = load_jsonl(&dir.join("lexer.jsonl"));
    run_file("lexer.jsonl", &rows, |row| {
        let input = row["input"].as_str().unwrap_or_default();
        let tokens = lex(input);
        let id = format!("{} {input}", row["test"].as_str().unwrap_or_default());
        if let Some(expected) = row.get("tokens").and_then(Value::as_array) {
            let expected: Vec<&str> = expected.iter().filter_map(Value::as_str).collect();
            let got: Vec<&str> = tokens.iter().map(|t| t.kind.tempo_name()).collect();
            return Outcome::expect(id, got == expected, format!("expected {expected:?}, got {got:?}"));
        }
        if let Some(ns) = row.get("duration_ns").and_then(Value::as_i64) {
            let got = match tokens.as_slice() {
                [t] => match t.kind {
                    spanlens_traceql::token::TokenKind::DurationNanos(d) => Some(d),
                    _ => None,
                },
                _ => None,
            };
            return Outcome::expect(id, got == Some(ns), format!("expected {ns} ns, got {got:?}"));
        }
        Outcome::expect(id, false, "row has neither tokens nor duration_ns".to_string())
    });
}

/// A spanset as comparable text: sorted span JSON plus sorted attributes.
fn spanset_key(spans: Vec<String>, mut attrs: Vec<String>) -> String {
    let mut spans = spans;
    spans.sort();
    attrs.sort();
    format!("{spans:?} {attrs:?}")
}

#[test]
fn semantics_jsonl() {
    let Some(dir) = corpus_dir() else { return };
    let rows = load_jsonl(&dir.join("semantics.jsonl"));
    run_file("semantics.jsonl", &rows, |row| {
        let query = row["query"].as_str().unwrap_or_default();
        let id = format!("{query} @ {}", canonical(&row["input"]).len());
        let parsed = match check(query) {
            Ok(q) => q,
            Err(e) => return Outcome::expect(id, false, format!("does not check: {e}")),
        };
        let input = row["input"].as_array().cloned().unwrap_or_default();
        let (trace, sets) = MockTrace::from_case(&input);
        let result = run(&parsed, &trace, sets);
        if row.get("expect_error").is_some_and(|v| !v.is_null() && v != &Value::Bool(false)) {
            return Outcome::expect(id, result.is_err(), format!("expected an error, got {result:?}"));
        }
        let got = match result {
            Ok(sets) => sets,
            Err(e) => return Outcome::expect(id, false, format!("evaluation failed: {e}")),
        };
        let mut got_keys: Vec<String> = got
            .iter()
            .map(|s| {
                let spans = s.spans.iter().map(|&i| trace.spans[i as usize].json.clone()).collect();
                let attrs = s.attributes.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
                spanset_key(spans, attrs)
            })
            .collect();
        let mut want_keys: Vec<String> = row["output"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|s| {
                let spans = s["spans"].as_array().cloned().unwrap_or_default().iter().map(canonical).collect();
                let attrs = s["attributes"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .iter()
                    .map(|a| format!("{}={:?}", a["name"].as_str().unwrap_or_default(), parse_attr_value(a)))
                    .collect();
                spanset_key(spans, attrs)
            })
            .collect();
        got_keys.sort();
        want_keys.sort();
        Outcome::expect(id, got_keys == want_keys, format!("\n  want {want_keys:?}\n  got  {got_keys:?}"))
    });
}
