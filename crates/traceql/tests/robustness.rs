//! Never panic, never overflow the stack: deep and long inputs, plus a
//! deterministic mutational fuzzer seeded from the conformance queries
//! (`cargo test -p spanlens-traceql --test robustness -- --ignored`;
//! iterations from FUZZ_ITERS, default 200000). cargo-fuzz needs a nightly
//! toolchain, which this project does not have, so this stands in for it.

mod common;

use common::mock::MockTrace;
use spanlens_traceql::{check, check_extended, complete::completion_at, eval::run, highlight::tokens, metrics, parse};
use std::sync::OnceLock;

/// A few synthetic traces for metrics queries and the extensions (parent. needs a real tree).
fn small_set() -> &'static spanlens_model::TraceSet {
    static SET: OnceLock<spanlens_model::TraceSet> = OnceLock::new();
    SET.get_or_init(|| {
        spanlens_synth::generate(&spanlens_synth::SynthOptions { spans: 60, traces: 3, seed: 7, deep_chain: false })
    })
}

fn exercise(q: &str) {
    let _ = tokens(q);
    for cut in [0, q.len() / 3, q.len() / 2, q.len()] {
        let _ = completion_at(q, cut);
    }
    if let Ok(query) = check(q) {
        let input = serde_json::json!([{"spans": [
            {"id": [1], "attributes": [{"scope": "span", "name": "a", "type": "int", "value": 3},
                                        {"intrinsic": "duration", "type": "duration", "value_ns": 5}],
             "nested_set": {"parent": -1, "left": 1, "right": 4}},
            {"id": [2], "attributes": [{"scope": "resource", "name": "a", "type": "string[]", "value": ["x", "y"]},
                                        {"intrinsic": "name", "type": "string", "value": "op"}],
             "nested_set": {"parent": 1, "left": 2, "right": 3}}
        ]}]);
        let (trace, sets) = MockTrace::from_case(input.as_array().map(Vec::as_slice).unwrap_or(&[]));
        let _ = run(&query, &trace, sets);
        let _ = serde_json::to_string(&query);
    }
    if let Ok(query) = check_extended(q) {
        let set = small_set();
        if let Some(range) = metrics::set_range(set) {
            let _ = metrics::evaluate_metrics(&query, set, &range);
        }
        let _ = spanlens_traceql::eval::evaluate(&query, set, &Default::default());
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let inputs = [
        "(".repeat(100_000),
        format!("{{ {}.a{} = 1 }}", "(".repeat(100_000), ")".repeat(100_000)),
        format!("{{ {}true }}", "!".repeat(100_000)),
        format!("{{ {}1 = 1 }}", "-".repeat(100_000)),
        format!("{{ .a{} = 1 }}", " + .a".repeat(100_000)),
        format!("{{ 2{} = 1 }}", " ^ 2".repeat(100_000)),
        format!("{{}}{}", " && {}".repeat(100_000)),
        format!("{{}}{}", " | {}".repeat(20_000)),
        "{".repeat(100_000),
        format!("{} | rate()", "-".repeat(100_000)),
    ];
    for q in &inputs {
        let _ = parse(q);
        exercise(q);
    }
    assert!(parse(&"(".repeat(100_000)).is_err());
}

#[test]
fn depth_just_under_the_limit_evaluates() {
    let q = format!("{{ {}true }}", "!".repeat(400));
    let query = check(&q).unwrap_or_else(|e| panic!("{e}"));
    let (trace, sets) = MockTrace::from_case(
        &serde_json::json!([{"spans": [{"attributes": []}]}]).as_array().cloned().unwrap_or_default(),
    );
    assert_eq!(run(&query, &trace, sets).map(|s| s.len()).ok(), Some(1));
}

/// xorshift64*: deterministic, dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

const FRAGMENTS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "|",
    "&&",
    "||",
    ">>",
    "<<",
    "!~",
    "&>",
    "~",
    "=",
    "!=",
    "=~",
    ".",
    "span.",
    "resource.",
    "parent.",
    "event:",
    "trace:id",
    "span:",
    "nil",
    "\"",
    "`",
    "\\",
    "1.5m",
    "-",
    "!",
    "count()",
    "by(",
    "select(",
    "rate()",
    "with(",
    "µ",
    "😝",
    "0x",
    "99999999999999999999",
    " ",
    "\n",
    "/*",
    "//",
    ",",
    "'",
    "minInt",
];

#[test]
#[ignore = "long-running fuzzer; run with --ignored"]
fn fuzz_mutations() {
    let iterations: usize = std::env::var("FUZZ_ITERS").ok().and_then(|s| s.parse().ok()).unwrap_or(200_000);
    let mut seeds: Vec<String> = vec!["{ .a = 1 }".into()];
    if let Some(dir) = common::corpus_dir() {
        for file in ["queries.jsonl", "semantics.jsonl", "lenient.jsonl"] {
            for row in common::load_jsonl(&dir.join(file)) {
                if let Some(q) = row["query"].as_str().or(row["input"].as_str()) {
                    seeds.push(q.to_string());
                }
            }
        }
    }
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    for _ in 0..iterations {
        let mut q: Vec<char> = seeds[rng.below(seeds.len())].chars().collect();
        for _ in 0..=rng.below(4) {
            let at = rng.below(q.len() + 1);
            match rng.below(4) {
                0 if !q.is_empty() => {
                    let end = (at + rng.below(6)).min(q.len());
                    q.drain(at.min(end)..end);
                }
                1 => {
                    let frag = FRAGMENTS[rng.below(FRAGMENTS.len())];
                    q.splice(at..at, frag.chars());
                }
                2 => {
                    let other: Vec<char> = seeds[rng.below(seeds.len())].chars().collect();
                    let from = rng.below(other.len() + 1);
                    let to = (from + rng.below(20)).min(other.len());
                    q.splice(at..at, other[from..to].iter().copied());
                }
                _ => {
                    let c = char::from_u32(rng.below(0x250) as u32).unwrap_or('?');
                    q.insert(at, c);
                }
            }
        }
        let text: String = q.into_iter().collect();
        exercise(&text);
    }
    println!("fuzz_mutations: {iterations} iterations, {} seeds, no panics", seeds.len());
}
