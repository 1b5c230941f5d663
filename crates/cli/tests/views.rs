//! `spanlens stats` and `spanlens critical-path` on the views corpus (`shared/conformance/views`,
//! `$SPANLENS_SHARED` or `../shared`). Missing corpus: fails under `CI=true`, skipped loudly otherwise.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn views_trace(name: &str) -> Option<String> {
    let shared = std::env::var_os("SPANLENS_SHARED")
        .map_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"), PathBuf::from);
    let p = shared.join("conformance/views/traces").join(name);
    if !p.exists() {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{} is missing (required when CI=true)", p.display());
        eprintln!("\n*** SKIPPED: {} not found (set SPANLENS_SHARED) ***\n", p.display());
        return None;
    }
    Some(p.to_string_lossy().into_owned())
}

fn spanlens(args: &[&str]) -> (i32, Vec<Value>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_spanlens")).args(args).output().expect("run spanlens");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    (out.status.code().unwrap_or(-1), lines, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn stats_by_service_and_attribute() {
    let Some(file) = views_trace("jaeger-ui__TraceStatistics__testTraceNormal.json") else { return };
    let (code, rows, err) = spanlens(&["stats", &file, "--group-by", "service,attr:database"]);
    assert_eq!(code, 0, "{err}");
    let brief: Vec<(String, Option<String>, u64)> = rows
        .iter()
        .map(|r| {
            (r["group"].as_str().unwrap().into(), r["subgroup"].as_str().map(Into::into), r["count"].as_u64().unwrap())
        })
        .collect();
    let s = |x: &str| x.to_owned();
    assert_eq!(
        brief,
        [
            (s("api-gateway"), None, 2),
            (s("api-gateway"), Some(s("Without tag: database")), 2),
            (s("customers-service"), None, 3),
            (s("customers-service"), Some(s("jdbc:hsqldb:mem:testdb")), 2),
            (s("customers-service"), Some(s("Without tag: database")), 1),
        ]
    );
    // Jaeger UI's test: api-gateway total 7.4 ms, self 3.16 ms, 64.52 % (here unrounded, in ns).
    let gw = &rows[0];
    assert_eq!((gw["totalNanos"].as_i64(), gw["selfTotalNanos"].as_i64()), (Some(7_401_000), Some(3_163_000)));
    assert_eq!(
        (gw["minNanos"].as_i64(), gw["maxNanos"].as_i64(), gw["p50Nanos"].as_i64()),
        (Some(2_499_000), Some(4_902_000), Some(2_499_000))
    );
    assert!((gw["percentOfTrace"].as_f64().unwrap() - 64.5247).abs() < 1e-3);
    for key in ["avgNanos", "p95Nanos", "p99Nanos", "selfAvgNanos", "selfMinNanos", "selfMaxNanos", "errors"] {
        assert!(gw[key].is_number(), "{key}");
    }

    // --trace picks a trace; an unknown one fails; a bad key is a usage error.
    let (code, rows, _) =
        spanlens(&["stats", &file, "--trace", "4766f1209f70a5e2e55417fc296fd101", "--group-by", "operation"]);
    assert_eq!((code, rows.len()), (0, 3));
    assert_eq!(spanlens(&["stats", &file, "--trace", "1", "--group-by", "service"]).0, 1);
    assert_eq!(spanlens(&["stats", &file, "--group-by", "colour"]).0, 2);
    assert_eq!(spanlens(&["stats", &file]).0, 2);
}

#[test]
fn stats_over_several_files() {
    let (Some(a), Some(b)) = (
        views_trace("jaeger-ui__TraceStatistics__testTraceNormal.json"),
        views_trace("jaeger-ui__TraceStatistics__traceWithThreeShortChildren.json"),
    ) else {
        return;
    };
    let (code, rows, err) = spanlens(&["stats", &a, &b, "--group-by", "service"]);
    assert_eq!(code, 0, "{err}");
    let groups: Vec<&str> = rows.iter().map(|r| r["group"].as_str().unwrap()).collect();
    assert_eq!(groups, ["api-gateway", "customers-service", "service-one", "service-two"]);
    // Percentages are of the two traces' summed durations (4,902 µs + 36 µs).
    for r in &rows {
        let want = r["selfTotalNanos"].as_f64().unwrap() * 100.0 / 4_938_000.0;
        assert!((r["percentOfTrace"].as_f64().unwrap() - want).abs() < 1e-9, "{r}");
    }
    assert_eq!(rows[0]["selfTotalNanos"], 3_163_000, "the same as over its own trace");
}

#[test]
fn critical_path_sections() {
    let Some(file) =
        views_trace("jaeger-ui__TraceStatistics__traceWithSingleChildLongerThanParentAndStartsAfterParent.json")
    else {
        return;
    };
    // The child starts after its (producer) parent ends: dropped, the parent alone is the path.
    let (code, rows, err) = spanlens(&["critical-path", &file]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["spanId"], "006c3cf93508f205");
    let (s, e) = (rows[0]["startNanos"].as_i64().unwrap(), rows[0]["endNanos"].as_i64().unwrap());
    assert_eq!(e - s, 40_000);
}

#[test]
fn critical_path_keeps_text_span_ids() {
    let json = r#"{"traceID":"abc","spans":[
        {"traceID":"abc","spanID":"span-C","operationName":"c","references":[],"startTime":1,"duration":100,"processID":"p1"},
        {"traceID":"abc","spanID":"span-D","operationName":"d","references":[{"refType":"CHILD_OF","traceID":"abc","spanID":"span-C"}],"startTime":20,"duration":20,"processID":"p1"}
    ],"processes":{"p1":{"serviceName":"s"}}}"#;
    let path = std::env::temp_dir().join(format!("spanlens-cli-text-ids-{}.json", std::process::id()));
    std::fs::write(&path, json).unwrap();
    let (code, rows, err) = spanlens(&["critical-path", path.to_str().unwrap(), "--trace", "abc"]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(code, 0, "{err}");
    let got: Vec<(&str, i64, i64)> = rows
        .iter()
        .map(|r| (r["spanId"].as_str().unwrap(), r["startNanos"].as_i64().unwrap(), r["endNanos"].as_i64().unwrap()))
        .collect();
    assert_eq!(got, [("span-C", 40_000, 101_000), ("span-D", 20_000, 40_000), ("span-C", 1_000, 20_000)]);
}
