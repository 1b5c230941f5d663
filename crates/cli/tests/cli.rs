//! Runs the `spanlens` binary on fixtures and checks its output.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use std::path::Path;
use std::process::Command;

/// A fixture from `../shared/fixtures`, or `None` (a loud skip) when the corpus is missing. Under
/// `CI=true` a missing corpus fails the test, like every other suite over `../shared`.
fn fixture(rel: &str) -> Option<String> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures").join(rel);
    if !p.exists() {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{} is missing (required when CI=true)", p.display());
        return None;
    }
    Some(p.to_string_lossy().into_owned())
}

fn spanlens(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_spanlens")).args(args).output().expect("run spanlens");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn help_and_unknown_command() {
    let (code, out, _) = spanlens(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("inspect FILE..."));
    let (code, _, err) = spanlens(&["frobnicate"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown command"));
}

#[test]
fn inspect_fixtures() {
    let (Some(otlp), Some(jsonl)) = (
        fixture("otlp-json/jaeger-ui-pr4129__api-v3-hotrod__getTrace-response.json"),
        fixture("otlp-jsonl/smartpcr-common__dotnet-sdk-bom__otlp-traces.json"),
    ) else {
        eprintln!("*** SKIPPED: fixture corpus not found ***");
        return;
    };
    let (code, out, err) = spanlens(&["inspect", &otlp, &jsonl]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["format"], "otlp-json");
    assert_eq!(lines[0]["span_records"], 40);
    assert_eq!(lines[0]["traces"], 1);
    assert_eq!(lines[0]["services"], 6);
    assert_eq!(lines[0]["roots"], 1);
    assert_eq!(lines[0]["error"], serde_json::Value::Null);
    assert_eq!(lines[1]["format"], "otlp-jsonl");
    assert_eq!(lines[1]["span_records"], 186);
    assert_eq!(lines[1]["orphans"], 95);
    assert_eq!(lines[1]["warnings"]["missing_parent"], 95);
}

#[test]
fn inspect_reports_errors_and_exits_1() {
    let dir = std::env::temp_dir().join(format!("spanlens-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    std::fs::write(&bad, b"{\"resourceSpans\": [").unwrap();
    let (code, out, _) = spanlens(&["inspect", bad.to_str().unwrap(), "/nonexistent/file.json"]);
    assert_eq!(code, 1);
    let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines[0]["format"], "otlp-json");
    assert!(lines[0]["error"].as_str().unwrap().contains("bad.json"));
    assert!(lines[1]["error"].as_str().unwrap().contains("cannot read"));
    std::fs::remove_dir_all(&dir).ok();
}
