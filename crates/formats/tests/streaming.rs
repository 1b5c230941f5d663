//! `StreamingImport` must give exactly what `import_bytes` gives on the whole file, however the file
//! is cut into chunks, and must actually stream the shapes it claims to stream.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.

use spanlens_formats::export::{self, ExportFormat};
use spanlens_formats::import::{ImportError, ImportSummary, StreamingImport, import_bytes};
use spanlens_model::{TraceSet, TraceSetBuilder};
use spanlens_synth::{SynthOptions, generate};
use std::path::Path;

type Outcome = (Result<ImportSummary, ImportError>, TraceSet);

fn whole(bytes: &[u8], name: &str) -> Outcome {
    let mut b = TraceSetBuilder::new();
    let r = import_bytes(bytes, name, &mut b);
    (r, b.finish())
}

/// Streams `bytes` in chunks of `chunk` bytes; returns the outcome and whether it streamed.
fn streamed(bytes: &[u8], name: &str, chunk: usize) -> (Outcome, bool) {
    let mut b = TraceSetBuilder::new();
    let mut s = StreamingImport::new(name, bytes.len(), &mut b);
    for piece in bytes.chunks(chunk.max(1)) {
        s.push(piece);
    }
    let (r, kept) = s.finish_reporting();
    ((r, b.finish()), kept)
}

fn assert_same(bytes: &[u8], name: &str, chunks: &[usize]) -> bool {
    let expected = whole(bytes, name);
    let mut kept_any = false;
    for &chunk in chunks {
        let (got, kept) = streamed(bytes, name, chunk);
        assert_eq!(got.0, expected.0, "{name}: summary/error differs with {chunk}-byte chunks");
        assert!(got.1 == expected.1, "{name}: model differs with {chunk}-byte chunks");
        kept_any |= kept;
    }
    kept_any
}

fn otlp(spans: usize, traces: usize) -> Vec<u8> {
    export::to_vec(&generate(&SynthOptions { spans, traces, seed: 9, deep_chain: false }), ExportFormat::OtlpJson)
}

#[test]
fn otlp_json_streams_and_matches_whole_import() {
    let bytes = otlp(3_000, 7);
    assert!(assert_same(&bytes, "gen.json", &[1, 13, 4096, 65_536, bytes.len()]));
}

#[test]
fn pretty_printed_bom_and_batches_stream_too() {
    let bytes = otlp(300, 3);
    let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let pretty = serde_json::to_vec_pretty(&value).unwrap();
    assert!(assert_same(&pretty, "pretty.json", &[5, 1000]));
    let mut bom = b"\xEF\xBB\xBF  \n".to_vec();
    bom.extend_from_slice(&bytes);
    assert!(assert_same(&bom, "bom.json", &[3, 777]));
    let batches = String::from_utf8(bytes.clone()).unwrap().replacen("\"resourceSpans\"", "\"batches\"", 1);
    assert!(assert_same(batches.as_bytes(), "tempo.json", &[64, 9999]));
}

#[test]
fn json_lines_stream_line_by_line() {
    let mut lines = Vec::new();
    for seed in 0..4 {
        let set = generate(&SynthOptions { spans: 200, traces: 2, seed, deep_chain: false });
        lines.extend_from_slice(&export::to_vec(&set, ExportFormat::OtlpJson));
        lines.extend_from_slice(if seed % 2 == 0 { b"\n" } else { b"\r\n\n" });
    }
    assert!(assert_same(&lines, "collector.jsonl", &[1, 100, 8192]));
}

#[test]
fn anything_unusual_falls_back_to_the_whole_import() {
    let good = otlp(100, 2);
    let text = String::from_utf8(good.clone()).unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        // Cut files keep their complete spans; the stream must land on the same salvage.
        ("truncated", good[..good.len() * 2 / 3].to_vec()),
        ("truncated just before the end", good[..good.len() - 1].to_vec()),
        ("truncated in the first span", good[..60].to_vec()),
        ("truncated gzip", {
            let g = gzip(&good);
            g[..g.len() * 3 / 4].to_vec()
        }),
        ("cut jaeger", {
            let j = export::to_vec(&generate(&SynthOptions::default()), ExportFormat::JaegerJson);
            j[..j.len() / 2].to_vec()
        }),
        ("cut zipkin", {
            let z = export::to_vec(&generate(&SynthOptions::default()), ExportFormat::ZipkinJson);
            z[..z.len() / 2].to_vec()
        }),
        ("trailing garbage", [good.as_slice(), b" x"].concat()),
        ("two documents on one line", [good.as_slice(), good.as_slice()].concat()),
        ("second key after the array", text.replacen("]}", "],\"x\":1}", 1).into_bytes()),
        ("a bad element", text.replacen("\"spans\":[", "\"spans\":[7,", 1).into_bytes()),
        ("wrong value types", text.replacen("\"startTimeUnixNano\":\"", "\"startTimeUnixNano\":\"x", 1).into_bytes()),
        ("empty array", b"{\"resourceSpans\":[]}".to_vec()),
        ("nested too deep", nested_element(120)),
        ("form feed", [b"\x0c".as_slice(), good.as_slice()].concat()),
        ("jaeger", export::to_vec(&generate(&SynthOptions::default()), ExportFormat::JaegerJson)),
        ("gzip", gzip(&good)),
        ("empty", Vec::new()),
        ("short", b"{\"resourceSpans\"".to_vec()),
    ];
    for (name, bytes) in cases {
        assert_same(&bytes, name, &[1, 50, 1 << 20]);
    }
}

#[test]
fn a_bad_json_line_matches_the_whole_import() {
    let good = otlp(100, 2);
    let jsonl = [good.as_slice(), b"\n{\"resourceSpans\":[{]}\n", good.as_slice(), b"\n"].concat();
    assert!(!assert_same(&jsonl, "bad-line.jsonl", &[1, 64, 1 << 20]));
}

fn nested_element(depth: usize) -> Vec<u8> {
    let value = format!("{}1{}", "{\"arrayValue\":{\"values\":[".repeat(depth), "]}}".repeat(depth));
    format!(
        "{{\"resourceSpans\":[{{\"scopeSpans\":[{{\"spans\":[{{\"traceId\":\"01\",\"spanId\":\"02\",\"name\":\"n\",\"attributes\":[{{\"key\":\"k\",\"value\":{value}}}]}}]}}]}}]}}"
    )
    .into_bytes()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

#[test]
fn every_fixture_matches_the_whole_import() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures");
    let Ok(manifest) = std::fs::read_to_string(dir.join("MANIFEST.json")) else {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "../shared is missing under CI");
        eprintln!("*** SKIPPED streaming fixtures: corpus not found at {} ***", dir.display());
        return;
    };
    let manifest: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    let (mut files, mut kept) = (0, 0);
    for f in manifest["files"].as_array().unwrap() {
        let path = f["path"].as_str().unwrap();
        let bytes = std::fs::read(dir.join(path)).unwrap();
        let chunks: &[usize] = if bytes.len() < 200_000 { &[1, 333, 1 << 16] } else { &[4096, 1 << 20] };
        files += 1;
        kept += usize::from(assert_same(&bytes, path, chunks));
    }
    eprintln!("streaming: {files} fixtures match the whole import; {kept} of them streamed");
    assert!(files > 0);
}

/// Found by the `stream_import` fuzz target: the streamed parse of a file that fails late interned
/// more strings than the whole import before failing, so the next file's symbols differed. Rollback
/// now forgets the failed file's strings too.
#[test]
fn a_failed_file_leaves_no_strings_behind() {
    let good = otlp(200, 2);
    // A pretty-printed document (so not JSON Lines) followed by a second one: the whole import stops
    // with "trailing characters" at the second, which the stream has already parsed.
    let first: serde_json::Value = serde_json::from_slice(&good).unwrap();
    let second = export::to_vec(
        &generate(&SynthOptions { spans: 50, traces: 1, seed: 77, deep_chain: false }),
        ExportFormat::OtlpJson,
    );
    let bad = [serde_json::to_vec_pretty(&first).unwrap().as_slice(), b"\n", second.as_slice()].concat();
    let mut whole_builder = TraceSetBuilder::new();
    let r = import_bytes(&bad, "bad.json", &mut whole_builder);
    assert!(r.is_err(), "{r:?}");
    assert_eq!(whole_builder.strings().len(), 0);
    import_bytes(&good, "good.json", &mut whole_builder).unwrap();
    for chunk in [7, 4096] {
        let mut b = TraceSetBuilder::new();
        let mut s = StreamingImport::new("bad.json", bad.len(), &mut b);
        for piece in bad.chunks(chunk) {
            s.push(piece);
        }
        assert!(s.finish().is_err());
        import_bytes(&good, "good.json", &mut b).unwrap();
        assert!(b.finish() == whole(&good, "good.json").1, "{chunk}-byte chunks");
    }
}

/// A Jaeger answer's spans are read one by one while it arrives; whatever the key order inside a
/// trace object (`processes` before `spans`, a span's own `process` equal to a listed one, spans
/// without `traceID`, two `spans` members), the model is the whole import's.
#[test]
fn jaeger_spans_stream_one_by_one_in_any_key_order() {
    let text = concat!(
        r#"{"total":2,"data":["#,
        r#"{"processes":{"p1":{"serviceName":"a","tags":[{"key":"k","type":"string","value":"v"}]}},"#,
        r#""traceID":"0000000000000001","spans":["#,
        r#"{"spanID":"01","processID":"p1","operationName":"x","startTime":1,"duration":2,"tags":[{"key":"error","type":"bool","value":true}]},"#,
        r#"{"traceID":"02","spanID":"02","process":{"serviceName":"b","tags":[]},"references":[{"refType":"CHILD_OF","traceID":"02","spanID":"01"}],"startTime":"bad","duration":-1},"#,
        r#"{"spanID":"03","processID":"p9","warnings":["w"],"parentSpanID":"zz"}],"warnings":["trace w"]},"#,
        r#"{"traceID":"3","spans":[{"spanID":"04","process":{"serviceName":"a","tags":[{"key":"k","type":"string","value":"v"}]}}],"#,
        r#""spans":[{"spanID":"05","processID":"p2"}],"processes":{"p2":{"serviceName":"c"}}},"#,
        r#"{"traceID":"4","spans":null},{"spans":[]}"#,
        r#"],"errors":null}"#,
    );
    let bytes = text.as_bytes();
    let chunks = [1, 5, 64, bytes.len()];
    assert!(assert_same(bytes, "order.json", &chunks), "the answer streamed");
    let expected = whole(bytes, "order.json");
    assert_eq!(expected.1.span_count(), 5);
    for chunk in chunks {
        // A body (parsed bytes dropped as it goes) streams to the same model.
        let mut b = TraceSetBuilder::new();
        let mut s = StreamingImport::for_response("order.json", None, &mut b);
        for piece in bytes.chunks(chunk) {
            s.push(piece);
            assert!(s.progress().spans_parsed <= 5);
        }
        let (r, kept) = s.finish_reporting();
        assert!(kept && r == expected.0 && b.finish() == expected.1, "{chunk}-byte chunks");
    }
}

/// Found by the `stream_import` fuzz target: JSON Lines whose third line breaks inside a key (a raw
/// newline in a string, invalid JSON). The brackets make it one document; a JSON Lines reader
/// splits it in two bad lines. The file's import must be the whole import's.
#[test]
fn a_raw_newline_inside_a_string_splits_json_lines_as_the_whole_import_does() {
    let line = String::from_utf8(otlp(3, 1)).unwrap().replace('\n', "");
    let split = line.replacen("\"resource\"", "\"reso\nurce\"", 1);
    let text = format!("{line}\n{line}\n{split}\n{line}\n");
    let streamed = assert_same(text.as_bytes(), "split.jsonl", &[1, 8, 64, text.len()]);
    assert!(!streamed, "the stream gives such a file up for the whole import");
    let expected = whole(text.as_bytes(), "split.jsonl");
    assert!(expected.1.warnings.iter().any(|w| w.message.contains("line 4")), "{:?}", expected.1.warnings);
}

/// A Jaeger span is read in place by a byte-level reader, which leaves anything unusual to the serde
/// reader: every variant below, cut into chunks of any size (and cut short anywhere), must give
/// exactly the whole import's model, warnings and error.
#[test]
fn jaeger_spans_read_in_place_match_the_whole_import_on_unusual_spans() {
    let spans = [
        r#"{"traceID":"01","spanID":"01","flags":1,"operationName":"op","references":[],"startTime":1,"duration":2,"tags":[{"key":"f","type":"float64","value":0.1},{"key":"i","type":"int64","value":-7},{"key":"b","type":"bool","value":false}],"logs":[{"timestamp":3,"fields":[{"key":"event","type":"string","value":"e"},{"key":"n","type":"float64","value":1e300}]}],"processID":"p1","warnings":null}"#,
        r#"{"traceID":"01","spanID":"02","startTime":1.5,"duration":"3","operationName":{"x":[1,{"y":2}]},"tags":[{"key":"k","value":[1,2],"extra":{"deep":[[[]]]}}]}"#,
        r#"{"spanID":"03","unknown":{"a":[1,2,{"b":null}]},"tags":null,"logs":null,"references":null,"processID":7}"#,
        r#"{"spanID":"04","operationName":"caf\u00e9 \"q\"","tags":[{"ke\u0079":"esc","type":"string","value":"a\nb"}],"warnings":["w1",2,null,{"w":1}]}"#,
        r#"{"spanID":"05","process":{"serviceName":"emb","tags":[{"key":"h","type":"string","value":"x"}]},"parentSpanID":"01","flags":"9"}"#,
        "{ \"spanID\" : \"06\" ,\n  \"operationName\" : \"pretty\" ,\n  \"tags\" : [ { \"key\" : \"a\" , \"type\" : \"string\" , \"value\" : \"b\" } ]\n}",
        r#"{"spanID":"07","duration":-5,"startTime":"2024-01-01T00:00:00Z","references":[{"refType":"FOLLOWS_FROM","spanID":"01"},{"refType":1,"traceID":"zz","spanID":"02"},{"spanID":null}]}"#,
        r#"{"spanID":"08","spanID":"09","operationName":"dup","operationName":null,"tags":[],"tags":[{"key":"t","type":"string","value":"2"}]}"#,
        r#"{"spanID":"0a","startTime":18446744073709551616,"duration":-0,"flags":4294967296}"#,
        r#"{"spanID":"span-text-id","operationName":"text id","logs":[{"fields":[]},{"timestamp":"bad"}]}"#,
        concat!(
            r#"{"spanID":"0b","tags":[{"key":"i","type":"int64","value":9223372036854775807},"#,
            r#"{"key":"j","type":"int64","value":-9223372036854775808},{"key":"k","type":"int64","value":99999999999999999999},"#,
            r#"{"key":"z","type":"int64","value":-0},{"key":"f","type":"int64","value":1.0},{"key":"s","type":"int64","value":"12"},"#,
            r#"{"key":"b","type":"bool","value":"true"},{"key":"c","type":"bool","value":true},{"key":"d","type":"string","value":7},"#,
            r#"{"key":"ключ","type":"string","value":"значение"},{"key":"e\"q","type":"string","value":"x\u0041"},"#,
            r#"{"key":"u","type":"STRING","value":"up"},{"key":"n","type":"int64","value":-42},{"key":"m","type":"string","value":""}]}"#
        ),
    ];
    let body = |spans: &[&str]| {
        format!(
            r#"{{"data":[{{"traceID":"01","spans":[{}],"processes":{{"p1":{{"serviceName":"svc","tags":[]}}}},"warnings":null}}],"total":1,"errors":null}}"#,
            spans.join(",")
        )
    };
    let all = body(&spans);
    assert!(whole(all.as_bytes(), "unusual.json").0.is_ok(), "{:?}", whole(all.as_bytes(), "unusual.json").0);
    assert!(assert_same(all.as_bytes(), "unusual.json", &[1, 2, 3, 7, 64, 1000, all.len()]), "it streamed");
    assert_eq!(whole(all.as_bytes(), "unusual.json").1.span_count(), spans.len());
    for (i, span) in spans.iter().enumerate() {
        let one = body(&[span]);
        assert_same(one.as_bytes(), &format!("span{i}.json"), &[1, 4, 16, one.len()]);
    }
    // Broken spans: the error (message and position) is the whole import's.
    for bad in [
        r#"{"spanID":"01","tags":[{"key":"k" "value":1}]}"#,
        r#"{"spanID":"01","operationName":"\ud800"}"#,
        r#"{"spanID":"01",}"#,
        r#"{"spanID":"01","duration":1e400}"#,
        "{\"spanID\":\"01\",\"operationName\":\"a\u{1}b\"}",
    ] {
        let text = body(&[spans[0], bad]);
        assert_same(text.as_bytes(), "bad.json", &[1, 8, text.len()]);
        assert!(whole(text.as_bytes(), "bad.json").0.is_err(), "{bad}");
    }
    // Invalid UTF-8 in a tag's key or value, or in a name, fails the file as the whole import does.
    for bad in [
        &b"{\"key\":\"k\xff\",\"type\":\"string\",\"value\":\"v\"}"[..],
        b"{\"key\":\"k\",\"type\":\"string\",\"value\":\"\xc3\"}",
        b"{\"key\":\"k\",\"type\":\"int64\",\"value\":1}",
    ] {
        let mut text = body(&[r#"{"spanID":"01","tags":[XX]}"#]).into_bytes();
        let at = text.windows(2).position(|w| w == b"XX").unwrap();
        text.splice(at..at + 2, bad.iter().copied());
        assert_same(&text, "utf8.json", &[1, 8, text.len()]);
    }
    // Cut anywhere: the truncated file imports as the whole import of the same bytes does.
    let short = body(&spans[..3]);
    for cut in 1..short.len() {
        let bytes = &short.as_bytes()[..cut];
        assert_same(bytes, "cut.json", &[7, cut]);
    }
}

/// Found by the `stream_import` fuzz target: a Jaeger answer whose `processes` (before its spans) are
/// not JSON. The whole import fails there; the stream reads the spans first (one names its parent by
/// a text id) and fails at the trace object's end. The failed file must leave nothing behind, the
/// text id's table included.
#[test]
fn a_failed_jaeger_stream_leaves_no_text_ids_behind() {
    let text = concat!(
        r#"{"data":[{"processes":{"p1":%%{"serviceName":"a"}},"spans":["#,
        r#"{"traceID":"01","spanID":"01","references":[{"refType":"FOLLOWS_FROM","traceID":"01","spanID":"not-hex-id"}]}"#,
        r#"]}]}"#
    );
    assert_same(text.as_bytes(), "failed.json", &[1, 7, 43, text.len()]);
    assert!(whole(text.as_bytes(), "failed.json").0.is_err());
}
