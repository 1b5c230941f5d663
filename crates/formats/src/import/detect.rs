//! Format detection from content (never from the file name; users rename files).
//!
//! JSON is classified by the keys of its first object, found by a small lexical scan of the first
//! [`SCAN_BYTES`] that tracks nesting and records `path.to.key` strings; arrays appear as `[]` in
//! paths. This avoids parsing a large document twice. Binary input is checked for the OTLP protobuf
//! wire layout. See FORMATS.md §0 for the decision table this follows.

use super::Format;
use super::otlp_proto;
use spanlens_model::error::ImportError;

/// How much of the input the key scan looks at.
pub(crate) const SCAN_BYTES: usize = 256 * 1024;
/// Keys deeper than this are not recorded (no rule needs them).
const MAX_KEY_DEPTH: usize = 5;
const MAX_KEYS: usize = 4096;

/// Detects the format of gunzipped, BOM-stripped input.
pub fn detect(bytes: &[u8]) -> Result<Format, ImportError> {
    // No format was tried yet, so none is named; `import_bytes` fills in the file name.
    let err = |msg: String| ImportError::unrecognised("", msg);
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace());
    let Some(start) = start else {
        return Err(err("the input is empty (or only whitespace)".to_owned()));
    };
    let text = bytes.get(start..).unwrap_or(&[]);
    match text.first() {
        Some(b'{' | b'[') => {}
        _ => {
            if otlp_proto::looks_like_otlp(bytes) {
                return Ok(Format::OtlpProtobuf);
            }
            let printable = text.iter().take(64).all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace());
            return Err(err(if printable {
                format!("{NOT_RECOGNISED} ({TRIED}; it starts with `{}`)", preview(text))
            } else {
                format!("{NOT_RECOGNISED} ({TRIED}; it is binary, first bytes {})", hex_preview(text))
            }));
        }
    }
    let scan = Scan::run(text);
    classify(&scan).map_err(err)
}

/// Said of input that no importer accepts.
pub(crate) const NOT_RECOGNISED: &str = "not a trace file I recognise";
/// Every format detection can choose, as users know them.
pub(crate) const TRIED: &str =
    "tried OTLP JSON, OTLP protobuf, Jaeger JSON, Zipkin v1/v2, Chrome trace, Tempo search, Google Cloud Trace";

/// The first characters of `text` for a message: at most [`PREVIEW_CHARS`], control characters and
/// backticks escaped (the preview is shown between backticks, and may be hostile or binary-ish), an
/// ellipsis when cut.
#[inline(never)]
fn preview(text: &[u8]) -> String {
    let head = String::from_utf8_lossy(text.get(..text.len().min(PREVIEW_CHARS * 4)).unwrap_or(&[])).into_owned();
    let mut out = String::new();
    for (n, c) in head.chars().enumerate() {
        if n == PREVIEW_CHARS {
            out.push('…');
            break;
        }
        match c {
            '`' => out.push_str("\\`"),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

const PREVIEW_CHARS: usize = 40;

fn hex_preview(text: &[u8]) -> String {
    text.iter().take(8).map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ")
}

/// What the lexical scan found.
pub(crate) struct Scan {
    /// Key paths such as `data.[].spans` or `[].traceId`.
    keys: Vec<String>,
    /// Whether more non-blank text follows the first complete value on its own line (JSON Lines).
    pub more_values_after_first_line: bool,
    /// First string value seen for a given key path (for `$schema`, `kind`).
    values: Vec<(String, String)>,
}

impl Scan {
    fn has(&self, path: &str) -> bool {
        self.keys.iter().any(|k| k == path)
    }

    fn value(&self, path: &str) -> Option<&str> {
        self.values.iter().find(|(k, _)| k == path).map(|(_, v)| v.as_str())
    }

    /// Records the string at `text[start..end]` (quotes included) as a key, or as the value of the
    /// pending key. Kept out of [`Self::run`]'s loop, which V8 optimizes while it runs: a small loop
    /// is quick to optimize, and this rarer work runs as it is (see `worker/src/request.rs`).
    #[inline(never)]
    fn note_string(
        &mut self,
        text: &[u8],
        start: usize,
        end: usize,
        stack: &[String],
        pending_key: &mut Option<String>,
    ) {
        let raw = text.get(start + 1..end.saturating_sub(1)).unwrap_or(&[]);
        let s = String::from_utf8_lossy(raw).into_owned();
        let after = text.get(end..).unwrap_or(&[]);
        let is_key = after.iter().find(|c| !c.is_ascii_whitespace()) == Some(&b':');
        if is_key {
            self.keys.push(join(stack, &s));
            *pending_key = Some(s);
        } else if let Some(k) = pending_key.take()
            && s.len() <= 256
        {
            self.values.push((join(stack, &k), s));
        }
    }

    #[inline(never)]
    fn run(text: &[u8]) -> Scan {
        let limit = text.len().min(SCAN_BYTES);
        let mut scan = Scan { keys: Vec::new(), more_values_after_first_line: false, values: Vec::new() };
        // JSON Lines needs a complete value on the first line and more text after it; only then is it
        // worth scanning past the window to find where the first value ends.
        let first_newline = find_newline(text);
        let jsonl_possible =
            first_newline.is_some_and(|p| text.get(p + 1..).unwrap_or(&[]).iter().any(|c| !c.is_ascii_whitespace()));
        let scan_to = match first_newline {
            Some(p) if jsonl_possible => limit.max(p + 1),
            _ => limit,
        };
        // Each entry is the path segment of an open container: `key`, `key.[]`, `[]`, or "" for an
        // object with no key of its own (the root, or an array element).
        let mut stack: Vec<String> = Vec::new();
        let mut pending_key: Option<String> = None;
        let mut i = 0usize;
        while i < scan_to {
            let Some(&b) = text.get(i) else { break };
            match b {
                b'"' => {
                    let end = string_end(text, i + 1);
                    if i < limit && stack.len() <= MAX_KEY_DEPTH && scan.keys.len() < MAX_KEYS {
                        scan.note_string(text, i, end, &stack, &mut pending_key);
                    }
                    i = end;
                    continue;
                }
                b'{' => stack.push(pending_key.take().unwrap_or_default()),
                b'[' => stack.push(pending_key.take().map_or_else(|| "[]".to_owned(), |k| format!("{k}.[]"))),
                b'}' | b']' => {
                    pending_key = None;
                    stack.pop();
                    if stack.is_empty() {
                        scan.more_values_after_first_line = jsonl_possible && first_newline.is_some_and(|p| i < p);
                        break;
                    }
                }
                b',' => pending_key = None,
                _ => {}
            }
            i += 1;
        }
        scan
    }
}

/// The first `\n`. Single-line documents are common and large, so this runs over whole files: test
/// blocks with `contains` (the standard library's word-at-a-time memchr), then locate the byte.
fn find_newline(text: &[u8]) -> Option<usize> {
    let mut base = 0;
    for block in text.chunks(4096) {
        if block.contains(&b'\n') {
            return block.iter().position(|&c| c == b'\n').map(|p| base + p);
        }
        base += block.len();
    }
    None
}

/// Index just past the closing quote of a string starting at `from` (inside the quotes).
fn string_end(text: &[u8], from: usize) -> usize {
    let mut j = from;
    while let Some(&c) = text.get(j) {
        match c {
            b'\\' => j += 2,
            b'"' => return j + 1,
            _ => j += 1,
        }
    }
    text.len()
}

fn join(stack: &[String], key: &str) -> String {
    let mut path = String::new();
    for seg in stack.iter().filter(|s| !s.is_empty()) {
        path.push_str(seg);
        path.push('.');
    }
    path.push_str(key);
    path
}

#[inline(never)]
fn classify(scan: &Scan) -> Result<Format, String> {
    let has = |p: &str| scan.has(p);
    let otlp =
        |prefix: &str| ["resourceSpans", "resource_spans", "batches"].iter().any(|k| has(&format!("{prefix}{k}")));
    if otlp("") || otlp("result.") || otlp("trace.") || otlp("[].") {
        return Ok(if scan.more_values_after_first_line { Format::OtlpJsonl } else { Format::OtlpJson });
    }
    if has("traces.[].rootServiceName") || has("traces.[].spanSet") || has("traces.[].spanSets") {
        return Ok(Format::TempoSearch);
    }
    if has("traceEvents") || has("[].ph") {
        return Ok(Format::ChromeTrace);
    }
    // Jaeger api_v2 protojson spells ids `traceId`/`spanId` (or snake_case); the query JSON `traceID`.
    let protojson_span = |p: &str| {
        (has(&format!("{p}spanId")) || has(&format!("{p}span_id")))
            && (has(&format!("{p}operationName")) || has(&format!("{p}operation_name")))
    };
    if protojson_span("spans.[].") || protojson_span("result.spans.[].") || protojson_span("data.[].spans.[].") {
        return Ok(Format::JaegerProtojson);
    }
    if has("data.[].spans") || has("data.spans") || (has("traceID") && has("spans")) || has("[].spans.[].spanID") {
        return Ok(Format::JaegerJson);
    }
    if has("[].spanID") && has("[].operationName") {
        return Ok(Format::JaegerJson);
    }
    let zipkin_v1 = |p: &str| has(&format!("{p}binaryAnnotations")) || has(&format!("{p}annotations.[].endpoint"));
    let zipkin = |p: &str| has(&format!("{p}traceId")) && has(&format!("{p}id"));
    if zipkin("[].") || zipkin("[].[].") {
        return Ok(if zipkin_v1("[].") || zipkin_v1("[].[].") { Format::ZipkinV1 } else { Format::ZipkinV2 });
    }
    if has("projectId") && has("traceId") && has("spans") {
        return Ok(Format::GoogleCloudTrace);
    }
    if (has("nodes") && has("samples")) || scan.value("$schema").is_some_and(|v| v.contains("speedscope")) {
        return Err("this is a CPU profile (speedscope or V8 .cpuprofile), not a trace".to_owned());
    }
    if has("error.httpCode") || has("error.message") {
        let msg = scan.value("error.message").unwrap_or("");
        return Err(format!("this is an API error response, not a trace: {msg:?}"));
    }
    if scan.keys.is_empty() {
        return Err("JSON with no object keys (an empty array or object?): no spans to load".to_owned());
    }
    let mut top: Vec<&str> = scan.keys.iter().map(String::as_str).filter(|k| !k.contains('.')).take(8).collect();
    if top.is_empty() {
        top = scan.keys.iter().map(String::as_str).take(8).collect();
    }
    Err(format!(
        "{NOT_RECOGNISED}: JSON with keys {top:?} ({TRIED}; expected OTLP `resourceSpans`, Jaeger `data`/`spans`/`processes`, Zipkin `traceId`/`id`, or Chrome `traceEvents`/`ph`)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(s: &str) -> Result<Format, ImportError> {
        detect(s.as_bytes())
    }

    #[test]
    fn finds_the_first_newline_in_any_block_position() {
        for len in [0, 1, 63, 64, 65, 200] {
            let mut text = vec![b'x'; len];
            assert_eq!(find_newline(&text), None);
            for at in [0, len / 2, len.saturating_sub(1)] {
                if at < len {
                    text[at] = b'\n';
                    assert_eq!(find_newline(&text), Some(at), "len {len} at {at}");
                    text[at] = b'x';
                }
            }
        }
    }

    #[test]
    fn classifies_by_keys() {
        assert_eq!(fmt(r#"{"resourceSpans":[]}"#).unwrap(), Format::OtlpJson);
        assert_eq!(fmt(r#"{"result":{"resourceSpans":[]}}"#).unwrap(), Format::OtlpJson);
        assert_eq!(fmt("{\"resourceSpans\":[]}\n{\"resourceSpans\":[]}\n").unwrap(), Format::OtlpJsonl);
        assert_eq!(fmt("{\"resourceSpans\":[]}\n").unwrap(), Format::OtlpJson);
        assert_eq!(fmt(r#"{"data":[{"spans":[],"processes":{}}]}"#).unwrap(), Format::JaegerJson);
        assert_eq!(fmt(r#"{"traceID":"1","spans":[]}"#).unwrap(), Format::JaegerJson);
        assert_eq!(fmt(r#"[{"traceId":"1","id":"2","localEndpoint":{}}]"#).unwrap(), Format::ZipkinV2);
        assert_eq!(fmt(r#"[[{"traceId":"1","id":"2"}]]"#).unwrap(), Format::ZipkinV2);
        assert_eq!(fmt(r#"[{"traceId":"1","id":"2","binaryAnnotations":[]}]"#).unwrap(), Format::ZipkinV1);
        assert_eq!(fmt(r#"[{"ph":"X","ts":1}]"#).unwrap(), Format::ChromeTrace);
        assert_eq!(
            fmt(r#"{"spans":[{"traceId":"AA==","spanId":"AA==","operationName":"x"}]}"#).unwrap(),
            Format::JaegerProtojson
        );
        assert!(fmt(r#"{"nodes":[],"samples":[]}"#).unwrap_err().message.contains("CPU profile"));
        assert!(fmt("").is_err());
        assert!(fmt("\x00\x01\x02").unwrap_err().message.contains("binary"));
    }

    #[test]
    fn unrecognised_input_names_the_formats_tried_and_how_it_starts() {
        let e = fmt("<html><head><title>502 Bad Gateway</title></head><body>`x`</body></html>").unwrap_err();
        assert!(e.message.starts_with(NOT_RECOGNISED), "{e}");
        assert!(e.message.contains("Jaeger JSON") && e.message.contains("Zipkin v1/v2"), "{e}");
        assert!(e.message.contains("it starts with `<html><head><title>502 Bad Gateway</titl…`"), "{e}");
        assert!(!e.to_string().contains("unknown"), "{e}");
        let e = fmt("a`b\tc").unwrap_err();
        assert!(e.message.contains("`a\\`b\\tc`"), "{e}");
        let e = fmt(r#"{"hello":"world"}"#).unwrap_err();
        assert!(e.message.contains("tried OTLP JSON") && e.message.contains("hello"), "{e}");
    }
}
