//! The streaming import of whole response bodies (Jaeger `{"data":[…]}`, api_v3 `{"result":…}`, Tempo
//! v1/v2) and of every file of the shared fixture corpus, under both memory policies and any chunking,
//! must give what `import_bytes` gives on the whole input; broken bodies give typed errors, never a
//! panic.
//!
//! The corpus is `shared/fixtures` (MANIFEST.json, and backend-api/MANIFEST.json for recorded API
//! answers). When it is missing the corpus test fails under `CI=true` and is skipped loudly otherwise.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use serde_json::Value;
use spanlens_formats::export::{self, ExportFormat};
use spanlens_formats::import::{ImportError, ImportSummary, Position, StreamingImport, import_bytes};
use spanlens_model::{TraceSet, TraceSetBuilder};
use spanlens_synth::{SynthOptions, generate};
use std::path::{Path, PathBuf};

type Outcome = (Result<ImportSummary, ImportError>, TraceSet);

fn whole(bytes: &[u8], name: &str) -> Outcome {
    let mut b = TraceSetBuilder::new();
    let r = import_bytes(bytes, name, &mut b);
    (r, b.finish())
}

/// Streams `bytes` cut at `cuts` (ascending offsets); `bounded` picks `for_response` over `new`.
/// Returns the outcome and whether the streamed parse was kept.
fn streamed_at(bytes: &[u8], name: &str, cuts: &[usize], bounded: bool) -> (Outcome, bool) {
    let mut b = TraceSetBuilder::new();
    let mut s = if bounded {
        StreamingImport::for_response(name, Some(bytes.len() as u64), &mut b)
    } else {
        StreamingImport::new(name, bytes.len(), &mut b)
    };
    let mut from = 0;
    for &cut in cuts.iter().chain(std::iter::once(&bytes.len())) {
        let cut = cut.clamp(from, bytes.len());
        s.push(&bytes[from..cut]);
        from = cut;
    }
    assert_eq!(s.progress().bytes_received, bytes.len() as u64);
    let (r, kept) = s.finish_reporting();
    ((r, b.finish()), kept)
}

fn streamed(bytes: &[u8], name: &str, chunk: usize, bounded: bool) -> (Outcome, bool) {
    let cuts: Vec<usize> = (1..).map(|i| i * chunk.max(1)).take_while(|&c| c < bytes.len()).collect();
    streamed_at(bytes, name, &cuts, bounded)
}

/// Checks both policies with the given chunk sizes; returns whether the bounded stream was kept.
/// A complete input must give the identical outcome; one the whole import rejects must be rejected
/// too (the bounded policy words its errors itself, with a byte offset).
fn assert_same(bytes: &[u8], name: &str, chunks: &[usize]) -> bool {
    let expected = whole(bytes, name);
    let mut kept_bounded = true;
    for &chunk in chunks {
        let (got, _) = streamed(bytes, name, chunk, false);
        assert_eq!(got.0, expected.0, "{name}: summary/error differs with {chunk}-byte chunks (keeping bytes)");
        assert!(got.1 == expected.1, "{name}: model differs with {chunk}-byte chunks (keeping bytes)");
        let (got, kept) = streamed(bytes, name, chunk, true);
        kept_bounded &= kept;
        match (&got.0, &expected.0) {
            (Ok(_), Ok(_)) => {
                assert_eq!(got.0, expected.0, "{name}: summary differs with {chunk}-byte chunks (bounded)");
                assert!(got.1 == expected.1, "{name}: model differs with {chunk}-byte chunks (bounded)");
            }
            (Err(_), Err(_)) if !kept => assert_eq!(got.0, expected.0, "{name}: error differs (bounded, whole)"),
            (Err(e), Err(_)) => assert!(!e.format.is_empty() && matches!(e.position, Position::Byte(_)), "{name}: {e}"),
            _ => panic!("{name}: bounded stream gave {:?}, whole import {:?} ({chunk}-byte chunks)", got.0, expected.0),
        }
    }
    kept_bounded
}

fn synth(spans: usize, traces: usize, seed: u64, format: ExportFormat) -> Vec<u8> {
    export::to_vec(&generate(&SynthOptions { spans, traces, seed, deep_chain: false }), format)
}

/// Wraps an OTLP JSON document in an envelope: `{"result": doc}`, Tempo v2's `{"trace": doc, …}`.
fn wrap(prefix: &str, doc: &[u8], suffix: &str) -> Vec<u8> {
    [prefix.as_bytes(), doc, suffix.as_bytes()].concat()
}

/// The Jaeger API answer with its envelope keys around `data`, in the given order.
fn jaeger_envelope(data_first: bool) -> Vec<u8> {
    let doc: Value = serde_json::from_slice(&synth(2_000, 6, 3, ExportFormat::JaegerJson)).unwrap();
    let data = serde_json::to_string(&doc["data"]).unwrap();
    let rest = r#""total":6,"limit":0,"offset":0,"errors":null"#;
    if data_first { format!("{{\"data\":{data},{rest}}}") } else { format!("{{{rest},\n \"data\" : {data} }}") }
        .into_bytes()
}

#[test]
fn api_envelopes_stream_and_match_whole_import() {
    let otlp = synth(1_500, 5, 11, ExportFormat::OtlpJson);
    let batches = String::from_utf8(otlp.clone()).unwrap().replacen("\"resourceSpans\"", "\"batches\"", 1).into_bytes();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("jaeger data first", jaeger_envelope(true)),
        ("jaeger data last", jaeger_envelope(false)),
        ("jaeger plain", synth(1_000, 4, 5, ExportFormat::JaegerJson)),
        ("api_v3 result", wrap("{\"result\":", &otlp, "}")),
        ("tempo v2 trace", wrap("{\"trace\":", &otlp, ",\"status\":\"complete\",\"message\":\"\"}")),
        ("tempo v2 status first", wrap("{\"status\":\"partial\",\"message\":\"limit\",\"trace\":", &batches, "}")),
        ("tempo v1 batches", batches.clone()),
        ("otlp", otlp.clone()),
    ];
    for (name, bytes) in &cases {
        assert!(assert_same(bytes, name, &[1, 7, 4096, 65_536, bytes.len()]), "{name}: did not stream");
    }
}

#[test]
fn the_worker_link_warm_up_answers_stream_cleanly() {
    // `worker/src/warm_up.rs` runs these through a trace link's path so that V8 has compiled it by
    // the time the answer comes: an answer that failed or warned would compile the error paths.
    let samples: [(&str, &[u8], &str); 2] = [
        ("warm-up-jaeger.json", include_bytes!("../../../worker/samples/warm-up-jaeger.json"), "jaeger-json"),
        ("warm-up-otlp.json", include_bytes!("../../../worker/samples/warm-up-otlp.json"), "otlp-json"),
    ];
    for (name, bytes, format) in samples {
        let ((summary, set), kept) = streamed(bytes, name, bytes.len(), true);
        let summary = summary.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(kept, "{name}: the streamed parse was not kept");
        assert_eq!(summary.format.to_string(), format, "{name}");
        assert_eq!(summary.warnings, 0, "{name}");
        assert!(set.warnings.is_empty(), "{name}: {:?}", set.warnings);
        assert_eq!(set.traces.len(), 1, "{name}");
        assert_eq!(set.traces[0].spans.len(), 5, "{name}");
    }
}

#[test]
fn one_jaeger_trace_is_parsed_while_it_arrives() {
    // An answer for one trace (`/api/traces/<id>`): one element of `data`, its spans first. Its
    // spans must be read as they come, not after the last byte (the trace's `processes`).
    let bytes = synth(3_000, 1, 8, ExportFormat::JaegerJson);
    let mut b = TraceSetBuilder::new();
    let mut s = StreamingImport::for_response("one.json", Some(bytes.len() as u64), &mut b);
    let half = bytes.len() / 2;
    for piece in bytes[..half].chunks(4096) {
        s.push(piece);
    }
    let parsed = s.progress().spans_parsed;
    assert!(parsed > 1_000, "half the body in, {parsed} spans read");
    // Memory stays bounded by a span and a compaction, not the body.
    assert!(s.buffered() < half / 2 + (1 << 20), "{} bytes held", s.buffered());
    for piece in bytes[half..].chunks(4096) {
        s.push(piece);
    }
    let (r, kept) = s.finish_reporting();
    let expected = whole(&bytes, "one.json");
    assert!(kept && r == expected.0 && b.finish() == expected.1);
}

#[test]
fn progress_reports_bytes_spans_and_fraction() {
    let bytes = jaeger_envelope(true);
    let mut b = TraceSetBuilder::new();
    let mut s = StreamingImport::for_response("p.json", Some(bytes.len() as u64), &mut b);
    let mut last = 0;
    for piece in bytes.chunks(64 * 1024) {
        s.push(piece);
        let p = s.progress();
        assert!(p.spans_parsed >= last, "spans parsed never go back");
        last = p.spans_parsed;
        assert!(p.fraction().unwrap() <= 1.0);
    }
    let p = s.progress();
    assert_eq!(p.fraction(), Some(1.0));
    assert!(p.streaming && p.spans_parsed > 0, "{p:?}");
    let summary = s.finish().unwrap();
    assert_eq!(summary.span_records, 2_000);
    // Unknown size: no fraction.
    let mut b = TraceSetBuilder::new();
    let mut s = StreamingImport::for_response("q.json", None, &mut b);
    s.push(b"{\"data\":[");
    assert_eq!(s.progress().fraction(), None);
    assert_eq!(s.progress().bytes_received, 9);
    s.abandon();
    assert_eq!(b.finish().traces.len(), 0);
}

#[test]
fn memory_stays_at_about_one_trace() {
    let bytes = synth(20_000, 80, 8, ExportFormat::JaegerJson);
    let mut b = TraceSetBuilder::new();
    let mut s = StreamingImport::for_response("m.json", None, &mut b);
    let mut peak = 0;
    for piece in bytes.chunks(64 * 1024) {
        s.push(piece);
        peak = peak.max(s.buffered());
    }
    assert_eq!(s.finish().unwrap().span_records, 20_000);
    // 80 traces of ~170 kB: the buffer holds the sniffed prefix, a trace, a chunk and what waits for
    // compaction, never the body.
    eprintln!("peak buffer {peak} bytes for a {}-byte body", bytes.len());
    assert!(peak < bytes.len() / 4, "peak {peak} of {}", bytes.len());
}

#[test]
fn a_second_trace_source_in_the_envelope_keeps_every_span() {
    // `result` is read where it stands by the whole import, after the streamed `data` here.
    let doc: Value = serde_json::from_slice(&synth(300, 3, 4, ExportFormat::JaegerJson)).unwrap();
    let traces = doc["data"].as_array().unwrap();
    let text = format!(
        "{{\"result\":{},\"data\":{}}}",
        serde_json::to_string(&traces[0]).unwrap(),
        serde_json::to_string(&traces[1..]).unwrap()
    );
    let expected = whole(text.as_bytes(), "two.json");
    for chunk in [1, 64, usize::MAX] {
        let (got, kept) = streamed(text.as_bytes(), "two.json", chunk, false);
        assert!(!kept && got.0 == expected.0 && got.1 == expected.1);
        let (got, kept) = streamed(text.as_bytes(), "two.json", chunk, true);
        assert!(kept && got.0 == expected.0, "{:?}", got.0);
        assert_eq!(got.1.traces.len(), expected.1.traces.len());
    }
}

fn bounded(bytes: &[u8], chunk: usize) -> Outcome {
    streamed(bytes, "body.json", chunk, true).0
}

#[test]
fn broken_bodies_give_typed_errors() {
    let jaeger = jaeger_envelope(true);
    let text = String::from_utf8(jaeger.clone()).unwrap();
    // Cut inside the first span: nothing complete to keep.
    let in_first_span = text.match_indices("\"spanID\"").next().unwrap().0;
    for chunk in [1, 7, 4096] {
        let (r, set) = bounded(&jaeger[..in_first_span], chunk);
        let e = r.unwrap_err();
        assert_eq!(e.format, "jaeger-json", "{e}");
        assert!(matches!(e.position, Position::Byte(_)) && e.message.contains("ends early"), "{e}");
        assert!(set.traces.is_empty());
    }
    // Cut inside the first trace's second span: its spans are read one by one, so the first loads
    // (its `processes` never came: no service), with the warning naming where the body ended.
    let in_second_span = text.match_indices("\"spanID\"").nth(1).unwrap().0;
    for chunk in [1, 7, 4096] {
        let (r, set) = bounded(&jaeger[..in_second_span], chunk);
        assert_eq!(r.unwrap().span_records, 1);
        assert!(
            set.warnings.iter().any(|w| w.message.contains("ends early") && w.message.contains("`data[0].spans`")),
            "{:?}",
            set.warnings
        );
    }
    // Cut later: the complete traces load, with one `Truncated` warning naming the byte.
    let (r, set) = bounded(&jaeger[..jaeger.len() * 2 / 3], 4096);
    let s = r.unwrap();
    assert!(s.span_records > 0 && s.span_records < 2_000, "{s:?}");
    assert!(set.warnings.iter().any(|w| w.message.contains("ends early") && w.message.contains("`data[")));
    // A syntax error inside a trace: its byte offset in the body.
    let bad = text.replacen("\"spans\":[", "\"spans\":[}", 1);
    let at = bad.find("[}").unwrap() + 1;
    for chunk in [1, 7, 4096] {
        let e = bounded(bad.as_bytes(), chunk).0.unwrap_err();
        assert_eq!((e.format.as_str(), &e.position), ("jaeger-json", &Position::Byte(at as u64)), "{e}");
    }
    // Garbage after the envelope.
    let e = bounded(&[jaeger.as_slice(), b" x"].concat(), 7).0.unwrap_err();
    assert_eq!(e.position, Position::Byte(jaeger.len() as u64 + 1), "{e}");
    // Errors envelope with no data, an HTML error page, an empty body, binary: like the whole import.
    let cases: [&[u8]; 5] = [
        br#"{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":404,"msg":"trace not found"}]}"#,
        br#"{"data":[],"errors":[{"code":500,"msg":"boom"}]}"#,
        b"<html><body>502 Bad Gateway</body></html>",
        b"",
        b"\x00\x01\x02\x03",
    ];
    for bytes in cases {
        for chunk in [1, 3, 4096] {
            let (got, expected) = (bounded(bytes, chunk), whole(bytes, "body.json"));
            assert!(got.0.is_err() && got.0 == expected.0, "{got:?} vs {:?}", expected.0);
        }
    }
    // Tempo v2 cut inside its trace, api_v3 with a bad element.
    let otlp = synth(300, 3, 2, ExportFormat::OtlpJson);
    let tempo = wrap("{\"trace\":", &otlp, ",\"status\":\"complete\"}");
    let e = bounded(&tempo[..tempo.len() / 2], 100).0;
    assert!(e.is_ok() || e.as_ref().unwrap_err().format == "otlp-json", "{e:?}");
    let v3 = String::from_utf8(wrap("{\"result\":", &otlp, "}")).unwrap().replacen(
        "\"scopeSpans\":[",
        "\"scopeSpans\":[7,",
        1,
    );
    let e = bounded(v3.as_bytes(), 64).0.unwrap_err();
    assert!(e.format == "otlp-json" && matches!(e.position, Position::Byte(_)), "{e}");
}

/// A small deterministic generator (xorshift), so the property test needs no extra dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn random_chunk_boundaries_never_change_the_result() {
    let otlp = synth(400, 4, 21, ExportFormat::OtlpJson);
    let inputs: Vec<(&str, Vec<u8>)> = vec![
        ("jaeger", jaeger_envelope(false)),
        ("tempo", wrap("{\"status\":\"complete\",\"trace\":", &otlp, "}")),
        ("cut jaeger", {
            let j = jaeger_envelope(true);
            j[..j.len() * 3 / 4].to_vec()
        }),
        (
            "bad otlp",
            String::from_utf8(otlp.clone()).unwrap().replacen("\"spans\":[", "\"spans\":[{]},", 2).into_bytes(),
        ),
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for (name, bytes) in &inputs {
        let expected = whole(bytes, name);
        let reference = streamed(bytes, name, bytes.len(), true).0;
        for round in 0..40 {
            // Mostly small pieces, now and then a long one: boundaries land everywhere.
            let mut cuts = Vec::new();
            let mut at = 0usize;
            while at < bytes.len() {
                let step = if rng.next().is_multiple_of(8) { rng.next() % 100_000 } else { rng.next() % 97 } as usize;
                at += step.max(1);
                cuts.push(at.min(bytes.len()));
            }
            for bounded in [false, true] {
                let (got, _) = streamed_at(bytes, name, &cuts, bounded);
                let want = if bounded { &reference } else { &expected };
                assert_eq!(got.0, want.0, "{name}: round {round}, bounded {bounded}");
                assert!(got.1 == want.1, "{name}: model differs, round {round}, bounded {bounded}");
            }
        }
    }
}

fn shared_fixtures() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures");
    if dir.join("MANIFEST.json").is_file() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("fixture corpus missing at {}", dir.display());
    }
    eprintln!("\n*** SKIPPED: fixture corpus not found at {} ***\n", dir.display());
    None
}

fn manifest_paths(dir: &Path) -> Vec<PathBuf> {
    let text = std::fs::read_to_string(dir.join("MANIFEST.json")).expect("MANIFEST.json readable");
    let manifest: Value = serde_json::from_str(&text).expect("MANIFEST.json is valid JSON");
    let files = manifest["files"].as_array().expect("MANIFEST.json has a files array");
    files.iter().filter_map(|f| f["path"].as_str()).map(|p| dir.join(p)).collect()
}

#[test]
fn every_fixture_and_recorded_answer_streams_like_the_whole_import() {
    let Some(dir) = shared_fixtures() else { return };
    let mut paths = manifest_paths(&dir);
    let api = dir.join("backend-api");
    assert!(api.join("MANIFEST.json").is_file(), "backend-api recordings missing");
    paths.extend(manifest_paths(&api));
    assert!(paths.len() > 40, "{} files", paths.len());
    let mut streamed_bounded = Vec::new();
    for path in &paths {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path.strip_prefix(&dir).unwrap().display().to_string();
        let chunks: &[usize] = &[1, 7, 4096, usize::MAX];
        if assert_same(&bytes, &name, chunks) {
            streamed_bounded.push(name);
        }
    }
    eprintln!("streamed with bounded memory: {streamed_bounded:#?}");
    // The recorded trace-by-id answers of each backend are among them.
    for must in ["jaeger-ui-2017__get-trace-by-id", "v3-get-trace-hotrod", "kiali__trace-by-id-v1", "trace-by-id-v2"] {
        assert!(streamed_bounded.iter().any(|n| n.contains(must)), "{must} did not stream");
    }
}
