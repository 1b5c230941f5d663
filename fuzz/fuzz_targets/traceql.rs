#![no_main]
//! TraceQL: lexing, highlighting, completion and checking must never panic on any input; queries
//! that check are also evaluated over the demo trace, so the evaluator is fuzzed too.

use libfuzzer_sys::fuzz_target;
use spanlens_model::TraceSet;
use std::sync::OnceLock;

fn demo() -> &'static TraceSet {
    static SET: OnceLock<TraceSet> = OnceLock::new();
    SET.get_or_init(|| {
        let files = [("checkout.json", &include_bytes!("../../public/samples/checkout.json")[..])];
        spanlens_formats::import::import_files(&files).0
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = spanlens_traceql::highlight::tokens(text);
    // Completion at a few cursor positions, always on char boundaries.
    for cursor in [0, text.len() / 2, text.len()] {
        if text.is_char_boundary(cursor) {
            let _ = spanlens_traceql::complete::completion_at(text, cursor);
        }
    }
    if spanlens_traceql::check(text).is_ok() {
        let _ = spanlens_traceql::eval::search(text, demo(), &spanlens_traceql::eval::EvalOptions::default());
    }
});
