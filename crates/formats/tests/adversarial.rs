//! Hostile and broken input: every case must end in a clear `ImportError` (naming the file and the
//! format) or in warnings, and never in a panic or a stack overflow.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use spanlens_formats::import::{ImportError, import_bytes, import_files};
use spanlens_model::TraceSetBuilder;
use std::path::Path;

fn try_import(bytes: &[u8], name: &str) -> Result<spanlens_model::TraceSet, ImportError> {
    let mut b = TraceSetBuilder::new();
    import_bytes(bytes, name, &mut b).map(|_| b.finish())
}

fn expect_error(bytes: &[u8], name: &str) -> ImportError {
    match try_import(bytes, name) {
        Ok(set) => panic!("{name}: expected an error, loaded {} spans", set.span_count()),
        Err(e) => {
            assert_eq!(e.file, name);
            // The message names the file, then the format when one was tried; never a placeholder.
            let text = e.to_string();
            assert!(text.starts_with(&format!("{name}: ")), "{text}");
            if !e.format.is_empty() {
                let label = spanlens_model::error::format_label(&e.format);
                assert!(text.starts_with(&format!("{name}: {label}")), "{text}");
            }
            assert!(!text.contains("unknown:") && !text.contains("unknown position"), "{text}");
            e
        }
    }
}

fn fixture_files() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures");
    let Ok(manifest) = std::fs::read_to_string(dir.join("MANIFEST.json")) else {
        eprintln!("*** SKIPPED fixture truncation: corpus not found at {} ***", dir.display());
        return Vec::new();
    };
    let manifest: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| {
            let path = f["path"].as_str()?.to_owned();
            let bytes = std::fs::read(dir.join(&path)).ok()?;
            Some((path, bytes))
        })
        .collect()
}

#[test]
fn truncated_fixtures_never_panic() {
    let mut outcomes = (0usize, 0usize);
    for (path, bytes) in fixture_files() {
        for cut in [1, 7, bytes.len() / 10, bytes.len() / 3, bytes.len() / 2, bytes.len() * 9 / 10, bytes.len() - 1] {
            let Some(prefix) = bytes.get(..cut) else {
                continue;
            };
            let name = format!("{path}@{cut}");
            match try_import(prefix, &name) {
                Ok(_) => outcomes.0 += 1,
                Err(e) => {
                    assert_eq!(e.file, name);
                    assert!(!e.message.is_empty());
                    outcomes.1 += 1;
                }
            }
        }
    }
    eprintln!("truncated fixtures: {} loaded with warnings, {} clear errors", outcomes.0, outcomes.1);
}

#[test]
fn empty_and_whitespace_and_garbage() {
    assert!(expect_error(b"", "empty.json").message.contains("empty"));
    assert!(expect_error(b" \n\t ", "blank.json").message.contains("empty"));
    assert!(expect_error(b"\xEF\xBB\xBF", "bom-only.json").message.contains("empty"));
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    expect_error(&garbage, "garbage.bin");
    expect_error(b"\x0a\xff\xff\xff\xff\x0f", "bad-proto.pb");
    expect_error(b"hello world", "text.txt");
    expect_error(b"{}", "empty-object.json");
    expect_error(b"[]", "empty-array.json");
    expect_error(b"null", "null.json");
    expect_error(b"\xFF\xFE{\x00}\x00", "utf16.json");
    expect_error(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0], "bad.gz");
}

#[test]
fn wrong_structural_types_are_errors_with_positions() {
    let e = expect_error(br#"{"resourceSpans":[{"scopeSpans":[{"spans":[42]}]}]}"#, "span-not-object.json");
    assert_eq!(e.format, "otlp-json");
    assert!(e.message.contains("resourceSpans[0].scopeSpans[0].spans[0]"), "{}", e.message);
    assert!(matches!(e.position, spanlens_formats::import::Position::LineColumn { .. }));
    let e = expect_error(br#"{"resourceSpans":{"x":1}}"#, "rs-object.json");
    assert!(e.message.contains("array"), "{}", e.message);
    let e = expect_error(br#"{"data":[{"spans":[{"spanID":"01","tags":5}],"processes":{}}]}"#, "jaeger-bad.json");
    assert_eq!(e.format, "jaeger-json");
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    const DEPTH: usize = 100_000;
    let mut json = String::from(
        r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01","spanId":"02","attributes":[{"key":"k","value":"#,
    );
    for _ in 0..DEPTH {
        json.push_str(r#"{"arrayValue":{"values":["#);
    }
    for _ in 0..DEPTH {
        json.push_str("]}}");
    }
    json.push_str("}]}]}]}]}");
    let e = expect_error(json.as_bytes(), "deep.json");
    assert!(e.message.contains("nests deeper than 128"), "{}", e.message);

    let bare = "[".repeat(DEPTH) + &"]".repeat(DEPTH);
    expect_error(bare.as_bytes(), "deep-array.json");
    let jaeger = format!(
        r#"{{"data":[{{"spans":[{{"spanID":"01","tags":[{{"key":"k","value":{}1{}}}]}}]}}]}}"#,
        "[".repeat(DEPTH),
        "]".repeat(DEPTH)
    );
    // serde_json skips ignored values iteratively, so a deep value where a scalar belongs is dropped
    // with a warning instead of failing the file.
    let set = try_import(jaeger.as_bytes(), "deep-jaeger.json").unwrap();
    assert!(set.warnings.iter().any(|w| w.message.contains("an array")), "{:?}", set.warnings);
}

#[test]
fn huge_string_is_fine() {
    let big = "x".repeat(10 * 1024 * 1024);
    let json = format!(
        r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{{"traceId":"01","spanId":"02","name":"{big}","attributes":[{{"key":"{big}","value":{{"stringValue":"{big}"}}}}]}}]}}]}}]}}"#
    );
    let set = try_import(json.as_bytes(), "big-string.json").unwrap();
    assert_eq!(set.span_count(), 1);
    // A 10 MB id is a warning that quotes only a short prefix of it.
    let json = format!(r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{{"traceId":"{big}","spanId":"02"}}]}}]}}]}}"#);
    let set = try_import(json.as_bytes(), "big-id.json").unwrap();
    assert!(set.warnings.iter().all(|w| w.message.len() < 500));
}

#[test]
fn many_tiny_spans() {
    const N: usize = 200_000;
    let mut json = String::from(r#"{"resourceSpans":[{"scopeSpans":[{"spans":["#);
    for i in 0..N {
        if i > 0 {
            json.push(',');
        }
        json.push_str(&format!(r#"{{"traceId":"{:x}","spanId":"{:x}"}}"#, i % 1000 + 1, i + 1));
    }
    json.push_str("]}]}]}");
    let set = try_import(json.as_bytes(), "tiny.json").unwrap();
    assert_eq!(set.span_count(), N);
    assert_eq!(set.traces.len(), 1000);
}

#[test]
fn jsonl_bad_lines_become_warnings() {
    let good = r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01","spanId":"02"}]}]}]}"#;
    let text = format!("{good}\nnot json\n\n{good}\r\n{{\"resourceSpans\":[{{\"scopeSp");
    let set = try_import(text.as_bytes(), "mixed.jsonl").unwrap();
    assert_eq!(set.sources[0].format, "otlp-jsonl");
    assert_eq!(set.sources[0].span_records, 2);
    let kinds: Vec<_> = set.warnings.iter().map(|w| (w.kind, w.message.clone())).collect();
    assert!(
        kinds.iter().any(|(k, m)| *k == spanlens_model::WarningKind::InvalidValue && m.starts_with("line 2:")),
        "{kinds:#?}"
    );
    assert!(
        kinds.iter().any(|(k, m)| *k == spanlens_model::WarningKind::Truncated && m.starts_with("line 5:")),
        "{kinds:#?}"
    );
    let e = expect_error(format!("{good}\n{good}").replace("resourceSpans", "x").as_bytes(), "nothing.jsonl");
    assert!(!e.message.is_empty());
}

#[test]
fn failed_file_leaves_no_trace_and_others_load() {
    let good = r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01","spanId":"02"}]}]}]}"#;
    // A syntax error in the second element (not an early end, which would keep the first).
    let half = r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01","spanId":"03"}]}]},{"scopeSpans":[{"spans":[{"traceId":"09",x}]}]}]}"#;
    let files = [("a.json", good.as_bytes()), ("b.json", half.as_bytes()), ("c.json", b"garbage".as_slice())];
    let (set, errors) = import_files(&files);
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0].file, "b.json");
    assert_eq!(set.span_count(), 1, "the half-read file must be rolled back");
    assert_eq!(set.sources.len(), 1);
    assert_eq!(set.resources.len(), 1);
}

#[test]
fn gzip_bomb_is_capped_and_gzip_works() {
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;
    let good = r#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"01","spanId":"02"}]}]}]}"#;
    let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
    enc.write_all(b"\xEF\xBB\xBF").unwrap();
    enc.write_all(good.as_bytes()).unwrap();
    let gz = enc.finish().unwrap();
    let mut b = TraceSetBuilder::new();
    let summary = import_bytes(&gz, "t.json.gz", &mut b).unwrap();
    assert!(summary.gzipped);
    assert_eq!(summary.span_records, 1);
    // Cut in the trailer: all the data decompressed, and the cut is still reported.
    let set = try_import(&gz[..gz.len() - 6], "cut.json.gz").unwrap();
    assert_eq!(set.span_count(), 1);
    let truncated: Vec<_> = set.warnings.iter().filter(|w| w.kind == spanlens_model::WarningKind::Truncated).collect();
    assert_eq!(truncated.len(), 1, "{:?}", set.warnings);
    assert!(truncated[0].message.contains("gzip stream is cut off"), "{}", truncated[0].message);
    let e = expect_error(&gz[..12], "header-only.json.gz");
    assert_eq!(e.format, "gzip");
}
