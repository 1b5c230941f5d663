//! `spanlens flame` and `spanlens diff` on real fixtures.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

/// A fixture under the shared corpus (`SPANLENS_SHARED`, else `../shared`), or `None` (a loud skip).
/// Under `CI=true` a missing corpus fails.
fn fixture(rel: &str) -> Option<String> {
    let shared = std::env::var_os("SPANLENS_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let p = shared.join("fixtures").join(rel);
    if !p.exists() {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{} is missing (required when CI=true)", p.display());
        eprintln!("*** SKIPPED: fixture {} not found ***", p.display());
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

fn json(args: &[&str]) -> Value {
    let (code, out, err) = spanlens(args);
    assert_eq!(code, 0, "{args:?}: {err}");
    serde_json::from_str(&out).unwrap()
}

const RIDE: &str = "jaeger-json/jaeger-ui__ride-sharing-data-object__TraceFlamegraph-testTrace.json";
const HOTROD: &str = "otlp-json/jaeger-ui-pr4129__api-v3-hotrod__getTrace-response.json";
const PETCLINIC: &str = "jaeger-json/jaeger-ui__petclinic-31char-traceid__spanAmongEachOtherGroupedAndSpans.json";

#[test]
fn flame_time_order_of_a_chain() {
    let Some(ride) = fixture(RIDE) else { return };
    let v = json(&["flame", &ride, "--trace", "84b3fad94c6112edd6af3347d06f6f1d"]);
    assert_eq!(v["mode"], "time-order");
    assert_eq!(v["depths"], 4);
    let frames = v["frames"].as_array().unwrap();
    assert_eq!(frames.len(), 4);
    assert_eq!(frames[0]["parent"], Value::Null);
    assert_eq!(frames[0]["lenNanos"], 1_181_596_000i64);
    assert_eq!(frames[0]["selfNanos"], 213_262_000i64);
    assert_eq!(frames[0]["name"], "OrderVehicle");
    assert_eq!(frames[3]["parent"], 2);
    assert_eq!(frames[3]["startNanos"], 214_177_000i64);
    assert_eq!(v["table"].as_array().unwrap().len(), 4);
    // Unknown trace id: an error, not an empty graph.
    let (code, _, err) = spanlens(&["flame", &ride, "--trace", "abc"]);
    assert_eq!(code, 1);
    assert!(err.contains("no trace abc"), "{err}");
}

#[test]
fn flame_left_heavy_merges_repeated_calls() {
    let Some(hotrod) = fixture(HOTROD) else { return };
    let v = json(&["flame", &hotrod, "--left-heavy"]);
    assert_eq!(v["mode"], "left-heavy");
    let frames = v["frames"].as_array().unwrap();
    let spans: u64 = frames.iter().map(|f| f["count"].as_u64().unwrap()).sum();
    assert_eq!(spans, 40, "every span in exactly one frame");
    assert!(frames.len() < 40, "hotrod repeats calls, so some frames merge");
    assert!(frames.iter().all(|f| f["spanIds"].as_array().unwrap().len() as u64 == f["count"].as_u64().unwrap()));
    for f in frames {
        if let Some(p) = f["parent"].as_u64() {
            let p = &frames[p as usize];
            let (ps, pl) = (p["startNanos"].as_i64().unwrap(), p["lenNanos"].as_i64().unwrap());
            let (s, l) = (f["startNanos"].as_i64().unwrap(), f["lenNanos"].as_i64().unwrap());
            assert!(ps <= s && s + l <= ps + pl, "children fit inside their parent");
            assert_eq!(f["depth"].as_u64().unwrap(), p["depth"].as_u64().unwrap() + 1);
        }
    }
}

#[test]
fn diff_of_a_trace_with_itself_is_all_same() {
    let Some(hotrod) = fixture(HOTROD) else { return };
    let v = json(&["diff", &hotrod, &hotrod]);
    let nodes = v["nodes"].as_array().unwrap();
    let lh = json(&["flame", &hotrod, "--left-heavy"]);
    assert_eq!(nodes.len(), lh["frames"].as_array().unwrap().len(), "the same path merge as left heavy");
    assert!(nodes.iter().all(|n| n["class"] == "same" && n["changeNanos"] == 0 && n["a"]["count"] == n["b"]["count"]));
    assert_eq!(v["slowerFirst"].as_array().unwrap().len(), 0);
}

#[test]
fn diff_of_different_traces_adds_and_removes() {
    let (Some(ride), Some(pet)) = (fixture(RIDE), fixture(PETCLINIC)) else { return };
    let v = json(&["diff", &ride, &pet]);
    let nodes = v["nodes"].as_array().unwrap();
    let count = |side: &str| nodes.iter().map(|n| n[side]["count"].as_u64().unwrap()).sum::<u64>();
    assert_eq!((count("a"), count("b")), (4, 17));
    assert!(nodes.iter().all(|n| n["class"] == "removed" || n["class"] == "added"));
    let root_a = nodes.iter().find(|n| n["class"] == "removed" && n["parent"].is_null()).unwrap();
    assert_eq!(root_a["operation"], "OrderVehicle");
    assert_eq!(root_a["countChangePercent"], 100);
    assert_eq!(root_a["changeNanos"], -1_181_596_000i64);
    assert_eq!(root_a["a"]["spanIds"][0], "487f03177ef9cf89");
}

#[test]
fn usage_errors() {
    assert_eq!(spanlens(&["flame"]).0, 2);
    assert_eq!(spanlens(&["diff", "only-one.json"]).0, 2);
    assert_eq!(spanlens(&["flame", "x.json", "--bogus"]).0, 2);
    let (code, out, _) = spanlens(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("flame FILE") && out.contains("diff A B"));
}

/// Two traces of one generated file, picked with --trace-a / --trace-b (no corpus needed).
#[test]
fn diff_picks_traces_of_a_multi_trace_file() {
    let file = std::env::temp_dir().join(format!("spanlens-diff-{}.json", std::process::id()));
    let (code, out, err) =
        spanlens(&["gen", "--spans", "300", "--traces", "3", "--format", "jaeger-json", "--seed", "5"]);
    assert_eq!(code, 0, "{err}");
    std::fs::write(&file, &out).unwrap();
    let ids: Vec<String> = serde_json::from_str::<Value>(&out).unwrap()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["traceID"].as_str().unwrap().to_owned())
        .collect();
    let path = file.to_string_lossy().into_owned();
    let v = json(&["diff", &path, &path, "--trace-a", &ids[0], "--trace-b", &ids[2]]);
    assert_eq!(v["traceA"], ids[0].as_str());
    assert_eq!(v["traceB"], ids[2].as_str());
    let nodes = v["nodes"].as_array().unwrap();
    let count = |side: &str| nodes.iter().map(|n| n[side]["count"].as_u64().unwrap()).sum::<u64>();
    assert_eq!(count("a") + count("b"), 200, "two of three 100-span traces");
    // Parents come before children and every class agrees with the counts.
    for (i, n) in nodes.iter().enumerate() {
        if let Some(p) = n["parent"].as_u64() {
            assert!((p as usize) < i);
        }
        let (a, b) = (n["a"]["count"].as_u64().unwrap(), n["b"]["count"].as_u64().unwrap());
        let want = match (a, b) {
            _ if a == b => "same",
            (0, _) => "added",
            (_, 0) => "removed",
            _ if b > a => "more",
            _ => "less",
        };
        assert_eq!(n["class"], want);
    }
    // "What got slower" lists only nodes whose total grew, largest first.
    let slower: Vec<i64> = v["slowerFirst"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| nodes[i.as_u64().unwrap() as usize]["changeNanos"].as_i64().unwrap())
        .collect();
    assert!(slower.iter().all(|&c| c > 0) && slower.windows(2).all(|w| w[0] >= w[1]));
    let flame = json(&["flame", &path, "--trace", &ids[1]]);
    assert_eq!(flame["frames"].as_array().unwrap().len(), 100);
    std::fs::remove_file(&file).ok();
}
