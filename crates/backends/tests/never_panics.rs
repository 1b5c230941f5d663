//! Fuzz-style: random bytes, random JSON-ish text and damaged recorded responses go through every
//! parser and URL builder; each may return an error but must not panic. Deterministic (a fixed
//! xorshift seed) so a failure reproduces.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use spanlens_backends::*;
use std::path::Path;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Bytes drawn mostly from JSON's own alphabet, so the parsers get past the first byte.
fn jsonish(rng: &mut Rng, len: usize) -> Vec<u8> {
    const PIECES: [&str; 24] = [
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "\"",
        "\"data\"",
        "\"traces\"",
        "\"spans\"",
        "\"resourceSpans\"",
        "\"result\"",
        "\"summaries\"",
        "\"tagValues\"",
        "\"scopes\"",
        "\"services\"",
        "null",
        "1",
        "-9e999",
        "\"x\"",
        "true",
        "\"traceId\"",
        "\"\\u0000\"",
        "\u{feff}",
    ];
    let mut out = Vec::new();
    while out.len() < len {
        if rng.below(8) == 0 {
            out.push(rng.next() as u8);
        } else {
            out.extend_from_slice(PIECES[rng.below(PIECES.len())].as_bytes());
        }
    }
    out
}

fn every_parser(body: &[u8]) {
    let text = String::from_utf8_lossy(body);
    for kind in BackendKind::ALL {
        let _ = parse_services(kind, body);
        let _ = parse_operations(kind, body);
        let _ = parse_search(kind, body);
        let _ = parse_dependencies(kind, body);
        for status in [200, 400, 404, 502] {
            let _ = search_from_response(kind, status, body);
            let _ = error_from_response(kind, &text, status, &text).to_string();
        }
        let _ = detect_kind_from_probe(&[ProbeAnswer { probed: kind, status: 200, body: &text }]);
        let b = Backend::new("x", kind, text.clone());
        let _ = (b.trace_url(&text), b.operations_url(&text, Some(&text)), b.tag_values_url(&text, Some(&text)));
        let _ = b.trace_many_url(&[&text, "a"]);
        let req = SearchRequest {
            service: Some(text.to_string()),
            tags: parse_logfmt_tags(&text).unwrap_or_default(),
            traceql: Some(text.to_string()),
            min_duration_nanos: parse_duration_text(&text).ok(),
            ..Default::default()
        };
        let _ = b.search_url(&req);
    }
    for kind in BackendKind::ALL {
        let _ = trace_notice(kind, body);
    }
    let _ = parse_tag_names(body);
    let _ = parse_tag_values(body);
    let _ = parse_autocomplete(body);
    let _ = spanlens_backends::parse_metrics_query_range(body);
    let _ = spanlens_backends::parse_metrics_query(body, 0);
    for status in [200, 400, 502] {
        let _ = spanlens_backends::metrics_query_range_from_response(status, body);
    }
    let tempo = Backend::new("x", BackendKind::Tempo, text.clone());
    let window = spanlens_backends::TimeWindow { start_nanos: 0, end_nanos: 1 };
    let _ = tempo.metrics_query_range_url(&text, window, Some(1), Some(1));
    let _ = tempo.metrics_query_url(&text, window);
    let _ = parse_config(&text);
    let _ = strip_credentials(&text);
    let _ = format_logfmt_tags(&parse_logfmt_tags(&text).unwrap_or_default());
}

#[test]
fn random_input_never_panics() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..1500 {
        let len = rng.below(200);
        let body: Vec<u8> =
            if round % 2 == 0 { (0..len).map(|_| rng.next() as u8).collect() } else { jsonish(&mut rng, len) };
        every_parser(&body);
    }
    // Deep nesting: serde_json's recursion limit must turn it into an error, not a stack overflow.
    for open in ["[", "{\"a\":", "{\"data\":[", "{\"result\":{\"resourceSpans\":["] {
        every_parser(open.repeat(5_000).as_bytes());
    }
}

#[test]
fn damaged_recorded_responses_never_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/backend-api");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("backend-api corpus missing at {}", dir.display());
        }
        eprintln!("\n*** SKIPPED (damaged fixtures only): backend-api corpus not found at {} ***\n", dir.display());
        return;
    };
    let mut rng = Rng(42);
    let mut files = 0;
    for sub in entries.flatten().filter(|e| e.path().is_dir()) {
        for file in std::fs::read_dir(sub.path()).unwrap().flatten() {
            let bytes = std::fs::read(file.path()).unwrap();
            if bytes.len() > 200_000 {
                continue; // The 360 KB dependency list adds time, not shapes.
            }
            files += 1;
            every_parser(&bytes);
            // Damage the small files many times and the large ones (tens of KB) twice: same shapes.
            let rounds = if bytes.len() > 20_000 { 2 } else { 10 };
            for _ in 0..rounds {
                let mut damaged = bytes.clone();
                match rng.below(3) {
                    0 => damaged.truncate(rng.below(bytes.len())),
                    1 => {
                        for _ in 0..4 {
                            let at = rng.below(damaged.len());
                            if let Some(b) = damaged.get_mut(at) {
                                *b = rng.next() as u8;
                            }
                        }
                    }
                    _ => {
                        // Swap digits for letters and strings for numbers: wrong types, valid JSON-ish.
                        damaged = String::from_utf8_lossy(&bytes)
                            .replace("\": \"", "\": 7, \"_\": \"")
                            .replace('1', "-")
                            .into_bytes();
                    }
                }
                every_parser(&damaged);
            }
        }
    }
    assert!(files >= 20, "read {files} fixture files");
}
