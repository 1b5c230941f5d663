//! `spanlens query`: runs the binary on the demo trace and on shared fixtures.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A file of the shared fixture corpus; `None` (and a SKIPPED note) when the corpus is missing,
/// a failure when `CI=true`.
fn fixture(rel: &str) -> Option<String> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures").join(rel);
    if p.exists() {
        return Some(p.to_string_lossy().into_owned());
    }
    assert!(std::env::var("CI").as_deref() != Ok("true"), "fixture {rel} is missing and CI=true");
    eprintln!("*** SKIPPED: fixture {rel} not found ***");
    None
}

/// The demo trace shipped with the app.
fn demo() -> String {
    let p: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../public/samples/checkout.json");
    assert!(p.exists(), "{} is missing", p.display());
    p.to_string_lossy().into_owned()
}

fn spanlens(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_spanlens")).args(args).output().expect("run spanlens");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn lines(out: &str) -> Vec<Value> {
    out.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
}

#[test]
fn finds_the_error_span_of_the_demo_trace() {
    let file = demo();
    let (code, out, err) = spanlens(&["query", &file, "-q", "{ status = error }"]);
    assert_eq!(code, 0, "{err}");
    let rows = lines(&out);
    assert_eq!(rows.len(), 1, "{out}");
    let row = &rows[0];
    assert_eq!(row["traceId"], "4bf92f3577b34da6a3ce929d0e0e4736");
    assert_eq!(row["rootServiceName"], "order-service");
    assert_eq!(row["rootName"], "checkout");
    assert_eq!(row["durationMs"], 4020.0);
    assert_eq!(row["matched"], 1);
    let span = &row["spans"][0];
    assert_eq!(span["name"], "smtp send");
    assert_eq!(span["service"], "notification");
    assert_eq!(span["spanId"].as_str().unwrap().len(), 16);
    assert!(span["startNs"].as_i64().unwrap() > 0);
    assert_eq!(span["durationNs"], 80_000_000);
    assert_eq!(span["attributes"]["messaging.system"], "smtp");
    assert_eq!(row["aggregates"], serde_json::json!({}));
}

#[test]
fn pipelines_report_aggregates_and_no_match_prints_nothing() {
    let file = demo();
    let (code, out, err) =
        spanlens(&["query", &file, "-q", "{ } | by(resource.service.name) | count() > 2", "--spss", "1"]);
    assert_eq!(code, 0, "{err}");
    let rows = lines(&out);
    let mut groups: Vec<(String, i64)> = rows
        .iter()
        .map(|r| {
            assert!(r["spans"].as_array().unwrap().len() <= 1);
            assert_eq!(r["matched"].as_i64(), r["aggregates"]["count()"].as_i64(), "{r}");
            (
                r["aggregates"]["by(resource.service.name)"].as_str().unwrap().to_owned(),
                r["aggregates"]["count()"].as_i64().unwrap(),
            )
        })
        .collect();
    groups.sort();
    let names: Vec<&str> = groups.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["fraud-detection", "notification", "order-service", "payment"]);

    let (code, out, _) = spanlens(&["query", &file, "-q", r#"{ resource.service.name = "nope" }"#]);
    assert_eq!(code, 0);
    assert!(out.is_empty(), "{out}");
}

#[test]
fn structural_query_and_stats() {
    let file = demo();
    let (code, out, err) = spanlens(&[
        "query",
        &file,
        "-q",
        r#"{ resource.service.name = "order-service" } >> { status = error }"#,
        "--stats",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(lines(&out)[0]["spans"][0]["name"], "smtp send");
    assert!(err.contains("import: ") && err.contains(" ms"), "{err}");
    assert!(err.contains("query: "), "{err}");
}

#[test]
fn check_exit_codes() {
    let (code, out, err) = spanlens(&["query", "--check", r#"{ span.http.status_code >= 500 }"#]);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""));

    // Syntax errors: 2, with `line:col: message`.
    let (code, _, err) = spanlens(&["query", "--check", "{ status = }"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("1:12: "), "{err}");
    let (code, _, err) = spanlens(&["query", "--check", "{ .a = 1 }\n  >> {"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with("2:"), "{err}");

    // Parses but is a type error: 3.
    let (code, _, err) = spanlens(&["query", "--check", r#"{ duration > "x" }"#]);
    assert_eq!(code, 3, "{err}");
    assert!(err.starts_with("1:3: ") && err.contains("duration"), "{err}");
    let (code, _, err) = spanlens(&["query", "--check", "{ status = 1 }"]);
    assert_eq!(code, 3, "{err}");

    // Metrics queries run locally: 0, with or without --tempo.
    for q in ["{ } | rate()", "{ } | quantile_over_time(duration, .5, .9) by (name) | topk(3)", "({ } | rate()) / 2"] {
        let (code, _, err) = spanlens(&["query", "--check", q]);
        assert_eq!(code, 0, "{q}: {err}");
        let (code, _, err) = spanlens(&["query", "--check", q, "--tempo"]);
        assert_eq!(code, 0, "{q}: {err}");
    }
    // spanlens' extensions run here (0) but Tempo refuses them (3 with --tempo).
    for q in [
        "{ parent.duration > 1s }",
        r#"{ parent.resource.service.name = "api" }"#,
        "({ .a } | count()) > ({ .b } | count())",
        "{ } | count() > avg(duration) / 1ms",
    ] {
        let (code, _, err) = spanlens(&["query", "--check", q]);
        assert_eq!(code, 0, "{q}: {err}");
        let (code, _, err) = spanlens(&["query", "--check", q, "--tempo"]);
        assert_eq!(code, 3, "{q}: {err}");
    }
    let (code, _, err) = spanlens(&["query", "--check", "{ parent }"]);
    assert_eq!(code, 3, "{err}");

    // Invalid metrics queries stay rejected.
    let (code, _, err) = spanlens(&["query", "--check", "{ } | quantile_over_time(duration, 2)"]);
    assert_eq!(code, 3, "{err}");
    let (code, _, err) = spanlens(&["query", "--check", "{ } | rate() + 5"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn parent_scope_runs_over_the_demo_trace() {
    let file = demo();
    let (code, out, err) =
        spanlens(&["query", &file, "-q", r#"{ parent.resource.service.name = "order-service" }"#, "--spss", "100"]);
    assert_eq!(code, 0, "{err}");
    let rows = lines(&out);
    assert_eq!(rows.len(), 1, "{out}");
    let spans = rows[0]["spans"].as_array().unwrap();
    assert!(!spans.is_empty());
    assert!(spans.iter().all(|s| s["name"] != "checkout"), "the root has no parent: {out}");
}

#[test]
fn metrics_queries_print_one_series_per_line() {
    let Some(hotrod) = fixture("otlp-json/jaeger-ui-pr4129__api-v3-hotrod__getTrace-response.json") else {
        return;
    };
    let (code, out, err) =
        spanlens(&["query", &hotrod, "-q", "{ } | count_over_time() by (resource.service.name)", "--step", "1s"]);
    assert_eq!(code, 0, "{err}");
    let rows = lines(&out);
    assert_eq!(rows.len(), 6, "{out}");
    let mut total = 0.0;
    for r in &rows {
        let ts = r["timestampsNanos"].as_array().unwrap();
        let values = r["values"].as_array().unwrap();
        assert_eq!(ts.len(), values.len());
        assert!(ts.iter().all(|t| t.as_i64().unwrap() % 1_000_000_000 == 0), "aligned to the step: {r}");
        total += values.iter().map(|v| v.as_f64().unwrap()).sum::<f64>();
        assert!(r["labels"]["resource.service.name"].is_string());
        let e = &r["exemplars"][0];
        assert_eq!(e["traceId"].as_str().unwrap().len(), 32, "{r}");
    }
    assert_eq!(total, 40.0, "every span counted once");

    // Explicit range in RFC3339 and unix seconds, a step in seconds; empty buckets are null.
    let (code, out, err) = spanlens(&[
        "query",
        &hotrod,
        "-q",
        "{ } | max_over_time(duration) by (resource.service.name) | topk(1)",
        "--start",
        "2026-06-21T10:10:40Z",
        "--end",
        "1782036650",
        "--step",
        "2",
    ]);
    assert_eq!(code, 0, "{err}");
    let rows = lines(&out);
    assert!(!rows.is_empty(), "{out}");
    let values = rows[0]["values"].as_array().unwrap();
    assert_eq!(values.len(), 5, "{out}");
    assert!(values.iter().any(Value::is_null) && values.iter().any(Value::is_f64), "{out}");

    let (code, _, err) = spanlens(&["query", &hotrod, "-q", "{ } | rate()", "--step", "soon"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = spanlens(&["query", &hotrod, "-q", "{ } | rate()", "--step", "1ns"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("points"), "{err}");
}

#[test]
fn query_errors_and_usage() {
    let file = demo();
    let (code, out, _) = spanlens(&["query", &file, "-q", "{ status = "]);
    assert_eq!((code, out.as_str()), (2, ""));
    let (code, _, _) = spanlens(&["query", &file, "-q", r#"{ 1 + "x" = 1 }"#]);
    assert_eq!(code, 3);
    let (code, _, err) = spanlens(&["query", &file, "-q", "{ 1 / 0 = 1 }"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("division by zero"), "{err}");
    let (code, _, err) = spanlens(&["query", "/nonexistent/file.json", "-q", "{ }"]);
    assert_eq!(code, 1, "{err}");
    let (code, _, err) = spanlens(&["query", &file]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = spanlens(&["query", "-q", "{ }"]);
    assert_eq!(code, 2, "{err}");
    let (code, out, _) = spanlens(&["query", "--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("--check"));
}

#[test]
fn fixtures_from_the_shared_corpus() {
    let (Some(hotrod), Some(jaeger)) = (
        fixture("otlp-json/jaeger-ui-pr4129__api-v3-hotrod__getTrace-response.json"),
        fixture("jaeger-json/jaeger-ui-2017__query-api-response__2992f2a5b5d037a8aabffd08ef384237.json"),
    ) else {
        return;
    };
    let (code, out, err) =
        spanlens(&["query", &hotrod, "-q", "{ } | by(resource.service.name) | count() > 0", "--spss", "0"]);
    assert_eq!(code, 0, "{err}");
    let rows = lines(&out);
    assert_eq!(rows.len(), 6, "{out}");
    let total: i64 = rows.iter().map(|r| r["matched"].as_i64().unwrap()).sum();
    assert_eq!(total, 40);
    assert!(rows.iter().all(|r| r["rootServiceName"] == "frontend"));

    let (code, out, err) = spanlens(&[
        "query",
        &hotrod,
        "-q",
        r#"{ resource.service.name = "frontend" } >> { resource.service.name = "mysql" }"#,
    ]);
    assert_eq!(code, 0, "{err}");
    let rows = lines(&out);
    assert_eq!(rows.len(), 1);
    assert!(rows[0]["spans"].as_array().unwrap().iter().all(|s| s["service"] == "mysql"));

    // Several files load into one set: every trace is searched.
    let (code, out, err) = spanlens(&["query", &hotrod, &jaeger, "-q", "{ }", "--spss", "0"]);
    assert_eq!(code, 0, "{err}");
    assert!(lines(&out).len() >= 2, "{out}");
}

#[test]
fn spans_without_duration_print_as_incomplete() {
    let Some(file) = fixture("zipkin-v2/zipkin-lens__smartthings-mobile-web-install.json") else { return };
    // The Brave clients flushed before they finished carry only a `brave.flush` annotation.
    let (code, out, err) = spanlens(&["query", &file, "-q", "{ event:name = \"brave.flush\" }", "--spss", "1000"]);
    assert_eq!(code, 0, "{err}");
    let rows = lines(&out);
    assert_eq!(rows.len(), 1, "{out}");
    let spans = rows[0]["spans"].as_array().unwrap();
    assert_eq!(spans.len(), 83);
    assert!(spans.iter().all(|s| s["durationNs"].is_null() && s["incomplete"] == true), "{out}");
    // No span with a known duration is reported incomplete, and no unknown duration matches a
    // duration comparison.
    let (code, out, err) = spanlens(&["query", &file, "-q", "{ duration < 1us }", "--spss", "1000"]);
    assert_eq!(code, 0, "{err}");
    assert!(lines(&out).iter().all(|r| r["spans"].as_array().unwrap().iter().all(|s| s["incomplete"].is_null())));
    // The trace lasts as long as its records, not until the last flush.
    assert_eq!(rows[0]["durationMs"].as_f64().map(|ms| (ms / 1000.0).round()), Some(306.0));
}
