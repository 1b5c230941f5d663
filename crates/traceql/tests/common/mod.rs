//! Shared harness: locating the corpus, the skip list, pass counting.

#![allow(dead_code)]

pub mod mock;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// `shared/conformance/traceql`, read in place. Missing: fail on CI, else
/// skip loudly.
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/traceql");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "conformance corpus missing at {} (required when CI=true)",
        dir.display()
    );
    println!("SKIPPED: ../shared missing ({})", dir.display());
    None
}

pub fn load_jsonl(path: &std::path::Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad json line in {}: {e}", path.display())))
        .collect()
}

pub struct Outcome {
    pub id: String,
    pub pass: bool,
    pub detail: String,
}

impl Outcome {
    pub fn expect(id: String, pass: bool, detail: String) -> Outcome {
        Outcome { id, pass, detail }
    }
}

/// `file<TAB>case id<TAB>reason` lines from tests/skip.txt.
pub fn skip_list() -> BTreeMap<(String, String), String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/skip.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut parts = l.splitn(3, '\t');
            let file = parts.next()?.to_string();
            let id = parts.next()?.to_string();
            let reason = parts.next().unwrap_or("").to_string();
            Some(((file, id), reason))
        })
        .collect()
}

/// Runs every row; fails on an unexpected failure and on a skip-listed case
/// that now passes (so the list can only shrink).
pub fn run_file(file: &str, rows: &[Value], mut case: impl FnMut(&Value) -> Outcome) {
    let skips = skip_list();
    let mut passed = 0;
    let mut unexpected = Vec::new();
    let mut now_passing = Vec::new();
    let mut skipped = 0;
    for row in rows {
        let outcome = case(row);
        let skipped_case = skips.contains_key(&(file.to_string(), outcome.id.clone()));
        match (outcome.pass, skipped_case) {
            (true, false) => passed += 1,
            (true, true) => now_passing.push(outcome.id),
            (false, true) => skipped += 1,
            (false, false) => unexpected.push(format!("{}: {}", outcome.id, outcome.detail)),
        }
    }
    println!("{file}: {passed}/{} pass ({skipped} skip-listed)", rows.len());
    assert!(unexpected.is_empty(), "{file}: {} unexpected failures:\n{}", unexpected.len(), unexpected.join("\n"));
    assert!(
        now_passing.is_empty(),
        "{file}: skip-listed cases now pass, remove them from tests/skip.txt:\n{}",
        now_passing.join("\n")
    );
}
