//! Loads every file of the shared fixture corpus (`shared/fixtures/MANIFEST.json`) through
//! `import_bytes` and checks the counts the manifest records: `span_records`, `traces`, `orphans`.
//!
//! When the corpus is missing the test fails under `CI=true` and is skipped loudly otherwise.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use serde_json::Value;
use spanlens_formats::import::import_bytes;
use spanlens_model::TraceSetBuilder;
use std::path::{Path, PathBuf};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures")
}

struct Outcome {
    path: String,
    format: String,
    problems: Vec<String>,
}

fn check_file(dir: &Path, entry: &Value) -> Outcome {
    let path = entry["path"].as_str().unwrap_or("?").to_owned();
    let mut outcome = Outcome { path: path.clone(), format: String::new(), problems: Vec::new() };
    let bytes = match std::fs::read(dir.join(&path)) {
        Ok(b) => b,
        Err(e) => {
            outcome.problems.push(format!("cannot read: {e}"));
            return outcome;
        }
    };
    let mut builder = TraceSetBuilder::new();
    let summary = match import_bytes(&bytes, &path, &mut builder) {
        Ok(s) => s,
        Err(e) => {
            outcome.problems.push(format!("import failed: {e}"));
            return outcome;
        }
    };
    outcome.format = summary.format.as_str().to_owned();
    let set = builder.finish();
    let actual = [
        ("span_records", summary.span_records),
        ("traces", set.traces.len() as u64),
        ("orphans", set.traces.iter().map(|t| t.orphan_count() as u64).sum()),
    ];
    for (key, got) in actual {
        if let Some(want) = entry.get(key).and_then(Value::as_u64)
            && want != got
        {
            outcome.problems.push(format!("{key}: manifest says {want}, import gives {got}"));
        }
    }
    outcome
}

#[test]
fn every_fixture_loads_with_manifest_counts() {
    let dir = corpus_dir();
    let manifest_path = dir.join("MANIFEST.json");
    let Ok(text) = std::fs::read_to_string(&manifest_path) else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("fixture corpus missing at {}", manifest_path.display());
        }
        eprintln!("\n*** SKIPPED: fixture corpus not found at {} ***\n", manifest_path.display());
        return;
    };
    let manifest: Value = serde_json::from_str(&text).expect("MANIFEST.json is valid JSON");
    let files = manifest["files"].as_array().expect("MANIFEST.json has a files array");
    let outcomes: Vec<Outcome> = files.iter().map(|entry| check_file(&dir, entry)).collect();
    let loaded = outcomes.iter().filter(|o| !o.problems.iter().any(|p| p.starts_with("import failed"))).count();
    let matched = outcomes.iter().filter(|o| o.problems.is_empty()).count();
    for o in &outcomes {
        let status = if o.problems.is_empty() { "ok  " } else { "FAIL" };
        eprintln!("{status} {:<18} {}", o.format, o.path);
        for p in &o.problems {
            eprintln!("       {p}");
        }
    }
    let total = outcomes.len();
    let counts = if matched == total { "counts match".to_owned() } else { format!("{matched}/{total} match counts") };
    eprintln!("fixtures: {loaded}/{total} load, {counts}");
    assert_eq!(matched, total, "fixture conformance failures (see the FAIL lines above)");
}
