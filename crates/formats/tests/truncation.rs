//! Files that end early keep what parsed: real fixtures cut at several offsets load with one
//! `Truncated` warning, never more spans than the whole file and none twice, and the streamed
//! import agrees with the whole one. Real syntax errors stay errors that name the format and a line.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use serde::de::IgnoredAny;
use spanlens_formats::import::{Format, ImportError, ImportSummary, Position, StreamingImport, import_bytes};
use spanlens_model::error::format_label;
use spanlens_model::{TraceSet, TraceSetBuilder, WarningKind};
use std::collections::HashMap;
use std::path::Path;

type Outcome = (Result<ImportSummary, ImportError>, TraceSet);

/// The JSON families whose single document is salvaged here (JSON Lines salvages per line itself).
const FAMILIES: [&str; 6] =
    ["otlp-json", "jaeger-json", "jaeger-api-v2-protojson", "zipkin-v1", "zipkin-v2", "chrome-trace-event"];

fn whole(bytes: &[u8], name: &str) -> Outcome {
    let mut b = TraceSetBuilder::new();
    let r = import_bytes(bytes, name, &mut b);
    (r, b.finish())
}

fn streamed(bytes: &[u8], name: &str, chunk: usize) -> Outcome {
    let mut b = TraceSetBuilder::new();
    let mut s = StreamingImport::new(name, bytes.len(), &mut b);
    for piece in bytes.chunks(chunk.max(1)) {
        s.push(piece);
    }
    let r = s.finish();
    (r, b.finish())
}

/// The fixtures of the JSON families, with their family; skipped loudly (failing under CI=true)
/// when `../shared` is missing.
fn fixtures() -> Vec<(String, String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures");
    let Ok(manifest) = std::fs::read_to_string(dir.join("MANIFEST.json")) else {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "../shared is missing under CI");
        eprintln!("*** SKIPPED truncation fixtures: corpus not found at {} ***", dir.display());
        return Vec::new();
    };
    let manifest: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    let mut out = Vec::new();
    for f in manifest["files"].as_array().unwrap() {
        let (path, family) = (f["path"].as_str().unwrap(), f["family"].as_str().unwrap());
        // Large files add debug-build minutes, not coverage: every family has smaller ones.
        if FAMILIES.contains(&family) && f["bytes"].as_u64().unwrap() <= 300_000 {
            out.push((path.to_owned(), family.to_owned(), std::fs::read(dir.join(path)).unwrap()));
        }
    }
    assert!(out.len() >= FAMILIES.len(), "expected fixtures of every JSON family, found {}", out.len());
    out
}

/// How often each (trace, span id) occurs: a salvage must never add a span the whole file does not
/// have, nor read one twice. (Not the start time: a Zipkin span cut off from its other half keeps
/// that half's start, where the whole file merges both.)
fn span_keys(set: &TraceSet) -> HashMap<String, usize> {
    let mut keys = HashMap::new();
    for trace in &set.traces {
        for span in &trace.spans {
            *keys.entry(format!("{}/{:?}", trace.trace_id_hex(), span.span_id)).or_default() += 1;
        }
    }
    keys
}

fn truncated_warnings(set: &TraceSet) -> Vec<&str> {
    set.warnings.iter().filter(|w| w.kind == WarningKind::Truncated).map(|w| w.message.as_str()).collect()
}

/// Checks one cut of a fixture; returns whether it loaded.
fn check_cut(name: &str, prefix: &[u8], full: &TraceSet, chunks: &[usize]) -> bool {
    let got = whole(prefix, name);
    for &chunk in chunks {
        let s = streamed(prefix, name, chunk);
        assert_eq!(s.0, got.0, "{name}: streamed ({chunk}-byte chunks) and whole imports differ");
        assert!(s.1 == got.1, "{name}: streamed ({chunk}-byte chunks) and whole models differ");
    }
    match &got.0 {
        Ok(summary) => {
            let set = &got.1;
            let warnings = truncated_warnings(set);
            assert_eq!(warnings.len(), 1, "{name}: expected one Truncated warning, got {:?}", set.warnings);
            let label = format_label(summary.format.as_str());
            assert!(warnings[0].contains(name) && warnings[0].contains(label), "{name}: {}", warnings[0]);
            assert!(warnings[0].contains("line "), "{name}: the warning names no position: {}", warnings[0]);
            assert!(set.span_count() > 0, "{name}: loaded with no spans");
            assert!(set.span_count() <= full.span_count(), "{name}: more spans than the whole file");
            let (cut_keys, full_keys) = (span_keys(set), span_keys(full));
            if summary.format == Format::ChromeTrace {
                // Chrome ids are made up (a hash of the bytes, then 1, 2, 3…), so they cannot be
                // matched with the whole file's; each must still be there once.
                assert!(cut_keys.values().all(|&n| n == 1), "{name}: a span was read twice");
                return true;
            }
            for (key, n) in &cut_keys {
                assert!(full_keys.get(key).is_some_and(|m| n <= m), "{name}: span {key} duplicated or invented");
            }
            true
        }
        Err(e) => {
            // Only a cut before the first complete record may fail, and it must say so.
            let text = e.to_string();
            assert!(text.contains("ends early") || text.contains("not a trace file"), "{name}: {text}");
            assert!(!text.contains("unknown"), "{name}: {text}");
            eprintln!("truncation: nothing kept: {text}");
            false
        }
    }
}

#[test]
fn cut_fixtures_keep_their_complete_spans() {
    let (mut loaded, mut failed) = (HashMap::<String, usize>::new(), 0usize);
    for (path, family, bytes) in fixtures() {
        let full = whole(&bytes, &path);
        assert!(full.0.is_ok(), "{path}: the whole fixture fails: {:?}", full.0);
        // Just before the final closing bracket (the typical "last byte missing").
        let last = bytes.iter().rposition(|b| !b.is_ascii_whitespace()).unwrap();
        for cut in [bytes.len() / 2, bytes.len() * 9 / 10, last] {
            let prefix = &bytes[..cut];
            if serde_json::from_slice::<IgnoredAny>(prefix).is_ok() {
                continue; // Still a whole document (a cut in trailing whitespace).
            }
            let name = format!("{path}@{cut}");
            let chunks: &[usize] = if cut < 20_000 { &[1, 97, 1 << 20] } else { &[4096, 1 << 20] };
            if check_cut(&name, prefix, &full.1, chunks) {
                *loaded.entry(family.clone()).or_default() += 1;
            } else {
                assert!(cut != last, "{name}: a file missing only its closing bracket must load");
                failed += 1;
            }
        }
    }
    eprintln!("truncation: loaded per family {loaded:?}; {failed} cuts came before the first complete span");
    if !loaded.is_empty() {
        for family in FAMILIES {
            assert!(loaded.get(family).is_some_and(|&n| n > 0), "no cut of a {family} fixture loaded");
        }
    }
}

#[test]
fn a_cut_gzip_stream_keeps_what_decompressed() {
    use std::io::Write as _;
    for (path, _, bytes) in fixtures().into_iter().filter(|(_, f, b)| f == "zipkin-v2" && b.len() > 5_000).take(1) {
        let full = whole(&bytes, &path).1;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(&bytes).unwrap();
        let gz = e.finish().unwrap();
        let name = format!("{path}.gz");
        let cut = &gz[..gz.len() * 7 / 10];
        assert!(check_cut(&name, cut, &full, &[512]), "{name}: a cut gzip stream must load what it holds");
        let set = whole(cut, &name).1;
        assert!(truncated_warnings(&set)[0].contains("gzip stream is cut off"), "{:?}", set.warnings);
    }
}

/// A byte of garbage in the middle is a syntax error, not an early end: the file fails, naming the
/// format and the line and column.
#[test]
fn mid_file_garbage_is_still_an_error_with_a_position() {
    for (path, family, bytes) in fixtures() {
        // After a structural `},` past the middle; the check below proves it is outside a string.
        let Some(at) = bytes.windows(2).skip(bytes.len() / 2).position(|w| w == b"},") else { continue };
        let at = bytes.len() / 2 + at + 2;
        let bad = [&bytes[..at], b"@".as_slice(), &bytes[at..]].concat();
        let expected = serde_json::from_slice::<IgnoredAny>(&bad).unwrap_err();
        if !expected.is_syntax() {
            continue;
        }
        let (r, set) = whole(&bad, &path);
        if family == "chrome-trace-event" {
            // Chrome keeps the events before a stop, as catapult does, with one Truncated warning.
            assert_eq!(truncated_warnings(&set).len(), 1, "{path}");
            assert!(truncated_warnings(&set)[0].contains(&format!("line {}", expected.line())), "{path}");
            continue;
        }
        let e = r.expect_err(&path);
        let text = e.to_string();
        assert!(text.starts_with(&format!("{path}: {}, line ", format_label(&e.format))), "{text}");
        assert_eq!(
            e.position,
            Position::LineColumn { line: expected.line() as u64, column: expected.column() as u64 },
            "{text}"
        );
        assert!(!e.message.contains(&format!("at line {}", expected.line())), "position said twice: {text}");
        for chunk in [4096, 1 << 20] {
            assert_eq!(streamed(&bad, &path, chunk).0, Err(e.clone()), "{path}: {chunk}-byte chunks");
        }
    }
}

#[test]
fn an_unrecognised_file_names_the_formats_tried() {
    let (r, _) = whole(b"<!DOCTYPE html>\n<html><body>502 Bad Gateway</body></html>", "trace.json");
    let text = r.unwrap_err().to_string();
    assert!(text.starts_with("trace.json: not a trace file I recognise (tried OTLP JSON"), "{text}");
    assert!(text.contains("Jaeger JSON") && text.contains("Zipkin v1/v2") && text.contains("Chrome"), "{text}");
    assert!(text.contains("it starts with `<!DOCTYPE html>\\n<html><body>502 Bad Gate…`"), "{text}");
    let (r, _) = whole(br#"{"hello": [1, 2]}"#, "other.json");
    let text = r.unwrap_err().to_string();
    assert!(text.contains("tried OTLP JSON") && !text.contains("unknown"), "{text}");
}

/// Fuzz-style: cuts at pseudo-random offsets of every fixture never panic, and whatever loads obeys
/// the same rules as the chosen cuts.
#[test]
fn random_cuts_never_panic_and_never_invent_spans() {
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut next = move |n: usize| {
        // xorshift64*: deterministic, so a failure names a reproducible cut.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n.max(1)
    };
    for (path, _, bytes) in fixtures() {
        let full = whole(&bytes, &path).1;
        for _ in 0..6 {
            let cut = next(bytes.len());
            let prefix = &bytes[..cut];
            if serde_json::from_slice::<IgnoredAny>(prefix).is_ok() {
                continue;
            }
            check_cut(&format!("{path}@{cut}"), prefix, &full, &[]);
        }
    }
}
