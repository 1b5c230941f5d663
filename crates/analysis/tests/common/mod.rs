//! Shared harness for the views conformance suites: locating `shared/`, reading its JSON lines,
//! importing the traces the cases name, and the skip list.
//!
//! `shared/` is `$SPANLENS_SHARED` when set (a worktree outside the main checkout), else the
//! `shared` directory beside the repository. When it is missing a suite fails under `CI=true` and
//! otherwise prints loudly what it skipped.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use serde_json::Value;
use spanlens_formats::import::import_bytes;
use spanlens_model::{TraceSet, TraceSetBuilder};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The `shared` directory, or `None` (after saying so) when it is missing outside CI.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("SPANLENS_SHARED") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    if dir.join("conformance").is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "shared corpus missing at {} (required when CI=true; set SPANLENS_SHARED)",
        dir.display()
    );
    eprintln!("\n*** SKIPPED: shared corpus not found at {} (set SPANLENS_SHARED) ***\n", dir.display());
    None
}

/// Every line of `shared/conformance/views/<name>` as JSON.
pub fn read_jsonl(shared: &Path, name: &str) -> Vec<Value> {
    let path = shared.join("conformance/views").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line in {}: {e}", path.display())))
        .collect()
}

/// Imports a case's trace: `trace` as a path relative to `shared/`, or an inline trace object
/// (Jaeger JSON shape), through the real importers.
pub fn import_case_trace(shared: &Path, trace: &Value) -> TraceSet {
    let (name, bytes) = match trace {
        Value::String(rel) => {
            let path = shared.join(rel);
            (rel.clone(), std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display())))
        }
        other => ("inline.json".to_owned(), serde_json::to_vec(other).unwrap()),
    };
    let mut b = TraceSetBuilder::new();
    import_bytes(&bytes, &name, &mut b).unwrap_or_else(|e| panic!("import {name}: {e:?}"));
    b.finish()
}

/// `tests/<file>`: lines `suite<TAB>case id<TAB>reason` (`#` comments). A listed case that passes
/// fails the suite, so the list can only shrink.
pub struct Skips(BTreeMap<(String, String), String>);

impl Skips {
    pub fn load(file: &str) -> Skips {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join(file);
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let entries = text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .filter_map(|l| {
                let mut parts = l.splitn(3, '\t');
                let suite = parts.next()?.to_owned();
                let id = parts.next()?.to_owned();
                Some(((suite, id), parts.next().unwrap_or("").to_owned()))
            })
            .collect();
        Skips(entries)
    }

    /// Runs `check` on every case of `suite` (each returns `Err(detail)` on a mismatch) and fails
    /// on an unexpected failure or on a listed case that now passes. Prints the tally.
    pub fn run(&self, suite: &str, cases: &[Value], mut check: impl FnMut(&Value) -> Result<(), String>) {
        let (mut passed, mut skipped) = (0, 0);
        let (mut failures, mut now_passing) = (Vec::new(), Vec::new());
        for case in cases {
            let id = case.get("id").and_then(Value::as_str).unwrap_or("?").to_owned();
            let listed = self.0.get(&(suite.to_owned(), id.clone()));
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(case)))
                .unwrap_or_else(|_| Err("panicked".to_owned()));
            match (outcome, listed) {
                (Ok(()), None) => passed += 1,
                (Ok(()), Some(_)) => now_passing.push(id),
                (Err(_), Some(reason)) => {
                    skipped += 1;
                    println!("skipped {suite} {id}: {reason}");
                }
                (Err(detail), None) => failures.push(format!("{id}: {detail}")),
            }
        }
        println!("{suite}: {passed} passed, {skipped} skipped (listed), {} failed of {}", failures.len(), cases.len());
        assert!(failures.is_empty(), "{suite}: unexpected failures:\n{}", failures.join("\n"));
        assert!(
            now_passing.is_empty(),
            "{suite}: listed in the skip list but passing now (remove them): {now_passing:?}"
        );
    }
}
