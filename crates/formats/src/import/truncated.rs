//! Salvaging a JSON file that ends early (a cut download, a file stopped at a size limit).
//!
//! Importers parse with serde_json and fail on the early end like on any other error. Rather than
//! teach every importer to stop gracefully mid-value, [`import_bytes`](super::import_bytes) asks this
//! module, after an importer failed, whether the failure is an early end. If it is, a lexical scan
//! (strings and brackets only, no recursion) finds the array of records still open at the end (OTLP
//! `spans`, a Jaeger `data` of traces, a Zipkin file's top-level array; see [`salvage`]), cuts the text just after
//! its last complete element and closes the open brackets. That repaired prefix is imported again by
//! the same importer, so every rule of the format still applies and the partially written element is
//! simply absent. Only when serde_json itself says the input ended inside a value does this apply: a
//! syntax error earlier in the file stays an error.

use super::{Format, dispatch};
use serde::de::IgnoredAny;
use spanlens_model::builder::TraceSetBuilder;
use spanlens_model::error::{ImportError, Position, format_label};

/// The file being imported, as [`salvage`] needs it.
pub(crate) struct Input<'a> {
    /// Gunzipped, BOM-less.
    pub body: &'a [u8],
    pub file: &'a str,
    /// Size as given (possibly compressed), for the source record.
    pub bytes: u64,
    /// Set when the gzip stream around `body` was cut off.
    pub gzip_cut: Option<&'a str>,
}

/// After the import of `input` failed with `failed` (and was rolled back, no source begun), imports
/// the complete records of a file that ends early. Returns the text of the one `Truncated` warning,
/// or the error to report: `failed` itself when the file is not cut.
///
/// The repaired prefix holds a copy of the body: the importers read one contiguous slice, and the
/// caller's bytes are borrowed. This costs memory only on this (failure) path.
pub(crate) fn salvage(
    format: Format,
    input: &Input<'_>,
    builder: &mut TraceSetBuilder,
    failed: &ImportError,
) -> Result<String, ImportError> {
    let Input { body, file, bytes, gzip_cut } = *input;
    // Coarse to fine: each grain is tried until one keeps spans. OTLP goes straight to its `spans`
    // arrays: producers write `resource` and `scope` before the spans (protobuf field order), so a
    // kept span has its resource. Jaeger keeps whole traces first, since a trace's `processes` map
    // usually follows its spans; only when no trace is complete (a file of one trace, as the UI
    // downloads) are its complete spans kept, those whose process was cut showing `unknown_service`.
    // The others hold one array of records. JSON Lines salvages per line itself; protobuf is not JSON.
    let grains: &[&[&str]] = match format {
        Format::OtlpJsonl | Format::OtlpProtobuf => return Err(failed.clone()),
        Format::OtlpJson => &[&["resourceSpans", "resource_spans", "batches", "scopeSpans", "scope_spans", "spans"]],
        Format::JaegerJson | Format::JaegerProtojson => &[&[], &["spans"]],
        _ => &[&[]],
    };
    let also_gzip = gzip_cut.map(|c| format!(" ({c})")).unwrap_or_default();
    let mut end = None;
    for record_keys in grains {
        let Some(repair) = repair(body, record_keys) else { return Err(failed.clone()) };
        let checkpoint = builder.checkpoint();
        builder.begin_source(file, format.as_str(), bytes);
        let spans = match dispatch(format, &repair.text, file, builder) {
            Ok(()) => builder.current_span_records(),
            // A positioned error lies in the complete part: the file would fail even if it were whole.
            Err(e) if e.position != Position::Unknown => {
                builder.rollback(checkpoint);
                return Err(e);
            }
            // "No spans found" and the like: the cut came before anything complete.
            Err(_) => 0,
        };
        if spans > 0 {
            return Ok(format!(
                "{file}: {}: the file ends early at {} (byte {}), inside {}: it looks truncated; kept the {spans} span{} complete before the cut{also_gzip}",
                format_label(format.as_str()),
                repair.end,
                body.len(),
                repair.container,
                if spans == 1 { "" } else { "s" },
            ));
        }
        builder.rollback(checkpoint);
        end = Some(repair.end);
    }
    Err(ImportError::new(
        file,
        format.as_str(),
        end.unwrap_or(Position::Unknown),
        format!(
            "the file ends early, before its first complete span: it looks truncated and holds nothing to load{also_gzip}"
        ),
    ))
}

/// Where the text could be closed, and how.
pub(crate) struct Repair {
    /// The prefix up to the end of the last complete element, followed by the closing brackets.
    pub text: Vec<u8>,
    /// What was cut: "`resourceSpans`", "the top-level array", …
    pub container: String,
    /// Where the input ended.
    pub end: Position,
}

/// `Some` when `body` is JSON that ends inside a value, with no syntax error before that end.
///
/// The container cut is the deepest open array under one of `record_keys` (finest grain: OTLP's
/// `spans`), else the deepest open object holding such an array, complete, else the outermost open
/// array (a Jaeger `data` of traces, a Zipkin file's spans), else
/// the outermost object.
pub(crate) fn repair(body: &[u8], record_keys: &[&str]) -> Option<Repair> {
    let start = body.iter().position(|b| !b.is_ascii_whitespace())?;
    if !matches!(body.get(start), Some(b'{' | b'[')) {
        return None;
    }
    // serde_json reads up to the first problem: an EOF error means all before it was well-formed.
    match serde_json::from_slice::<IgnoredAny>(body) {
        Err(e) if e.is_eof() => {}
        _ => return None,
    }
    let open = scan(body, record_keys)?;
    // The outermost open array holds the file's records; with none open (the cut came after it, in
    // a later key of the enclosing object), close the outermost object after its last member.
    let is_record = |c: &&Open| c.array && c.key.as_deref().is_some_and(|k| record_keys.contains(&k));
    let (depth, chosen) = (open.iter().enumerate().rev().find(|(_, c)| is_record(c)))
        // The record array closed already (a cut after a trace's `spans`): keep its object.
        .or_else(|| open.iter().enumerate().rev().find(|(_, c)| c.holds_records))
        .or_else(|| open.iter().enumerate().find(|(_, c)| c.array))
        .or_else(|| open.first().map(|c| (0, c)))?;
    let cut = chosen.last_end.unwrap_or(chosen.open + 1);
    let mut text = body.get(..cut)?.to_vec();
    for c in open.get(..=depth)?.iter().rev() {
        text.push(if c.array { b']' } else { b'}' });
    }
    let container = match (&chosen.key, depth) {
        (Some(key), _) => format!("`{key}`"),
        (None, 0) if chosen.array => "the top-level array".to_owned(),
        (None, 0) => "the top-level object".to_owned(),
        (None, _) => "an array".to_owned(),
    };
    Some(Repair { text, container, end: Position::line_column(body, body.len()) })
}

/// An open `{` or `[` during the scan.
struct Open {
    array: bool,
    /// Offset of the bracket.
    open: usize,
    /// Offset just past the last complete element (array) or member value (object).
    last_end: Option<usize>,
    /// The key this container is the value of, when its parent is an object (shortened).
    key: Option<String>,
    /// An object with a complete array under one of the record keys.
    holds_records: bool,
}

/// The containers still open at the end of `body`, outermost first; `None` when the first value
/// closes (the file is not cut, whatever else is wrong with it).
fn scan(body: &[u8], record_keys: &[&str]) -> Option<Vec<Open>> {
    let mut stack: Vec<Open> = Vec::new();
    // The last string that ended, for naming the key of the container that follows it.
    let mut last_string: Option<(usize, usize)> = None;
    let mut i = 0usize;
    while let Some(&b) = body.get(i) {
        match b {
            b'"' => {
                let start = i + 1;
                let mut j = start;
                loop {
                    match body.get(j) {
                        None => return Some(stack),
                        Some(b'\\') => j += 2,
                        Some(b'"') => break,
                        Some(_) => j += 1,
                    }
                }
                last_string = Some((start, j));
                i = j + 1;
                // A string element of an array, or a string member value, is complete here; a key is
                // followed by ':' and is not.
                // (At the very end, it may be a key whose ':' was cut: not complete either.)
                let next = body.get(i..).and_then(|r| r.iter().find(|c| !c.is_ascii_whitespace()));
                if next.is_some_and(|&c| c != b':') {
                    element_done(&mut stack, i);
                }
                continue;
            }
            b'{' | b'[' => {
                let parent_is_object = stack.last().is_some_and(|c| !c.array);
                let key = last_string
                    .filter(|_| parent_is_object)
                    .and_then(|(s, e)| body.get(s..e))
                    .map(|k| spanlens_model::ids::truncate_for_message(&String::from_utf8_lossy(k)));
                stack.push(Open { array: b == b'[', open: i, last_end: None, key, holds_records: false });
            }
            b'}' | b']' => {
                let closed = stack.pop();
                let parent = stack.last_mut()?;
                if closed.is_some_and(|c| c.array && c.key.as_deref().is_some_and(|k| record_keys.contains(&k))) {
                    parent.holds_records = true;
                }
                element_done(&mut stack, i + 1);
            }
            // Numbers, literals: their end is the next ',' or closing bracket, where the previous
            // complete element would otherwise still be recorded, so record the element there.
            b',' => {
                if let Some(top) = stack.last_mut()
                    && top.last_end.is_none_or(|e| e < scalar_start(body, top, i))
                {
                    element_done(&mut stack, trim_end(body, i));
                }
            }
            _ => {}
        }
        i += 1;
    }
    Some(stack)
}

/// Where the value before the ',' at `comma` may start: after the previous element or the bracket.
fn scalar_start(body: &[u8], top: &Open, comma: usize) -> usize {
    let from = top.last_end.unwrap_or(top.open + 1);
    // Skip whitespace and the separator (`,` between elements, `:` after a key) before the value.
    let mut k = from;
    while k < comma && body.get(k).is_some_and(|c| c.is_ascii_whitespace() || *c == b',' || *c == b':') {
        k += 1;
    }
    k
}

fn trim_end(body: &[u8], mut end: usize) -> usize {
    while end > 0 && body.get(end - 1).is_some_and(u8::is_ascii_whitespace) {
        end -= 1;
    }
    end
}

fn element_done(stack: &mut [Open], end: usize) {
    if let Some(top) = stack.last_mut() {
        top.last_end = Some(end);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn repaired(text: &str) -> Option<(String, String)> {
        repair(text.as_bytes(), &[]).map(|r| (String::from_utf8(r.text).unwrap(), r.container))
    }

    #[test]
    fn closes_after_the_last_complete_element_of_the_outermost_array() {
        let (t, c) = repaired(r#"{"resourceSpans":[{"a":[1,2]},{"b":"x"},{"c":[{"#).unwrap();
        assert_eq!(t, r#"{"resourceSpans":[{"a":[1,2]},{"b":"x"}]}"#);
        assert_eq!(c, "`resourceSpans`");
        let (t, _) = repaired(r#"[{"id":"1"}, {"id":"2"}, {"id":"3"#).unwrap();
        assert_eq!(t, r#"[{"id":"1"}, {"id":"2"}]"#);
        let (t, _) = repaired(r#"[[{"id":"1"}],[{"id":"2"},{"#).unwrap();
        assert_eq!(t, r#"[[{"id":"1"}]]"#);
        let (t, _) = repaired(r#"{"data":["#).unwrap();
        assert_eq!(t, r#"{"data":[]}"#);
        let (t, _) = repaired("[1, 2, 3").unwrap();
        assert_eq!(t, "[1, 2]");
        // Cut after the array, in a later key: the object closes after its last complete member.
        let (t, _) = repaired(r#"{"data":[{"x":1}],"total":3,"limit":"#).unwrap();
        assert_eq!(t, r#"{"data":[{"x":1}],"total":3}"#);
        let (t, _) = repaired(r#"{"data":[{"x":1}],"errors":"ab"#).unwrap();
        assert_eq!(t, r#"{"data":[{"x":1}]}"#);
        let (t, _) = repaired(r#"{"data":[{"x":1}], "errors""#).unwrap();
        assert_eq!(t, r#"{"data":[{"x":1}]}"#);
        // Brackets and quotes inside strings do not count.
        let (t, _) = repaired(r#"[{"n":"a]\"}["}, {"n":"#).unwrap();
        assert_eq!(t, r#"[{"n":"a]\"}["}]"#);
    }

    #[test]
    fn record_keys_choose_a_finer_grain() {
        let text =
            r#"{"resourceSpans":[{"resource":{},"scopeSpans":[{"spans":[{"spanId":"1"},{"spanId":"2","attributes":[{"#;
        let r = repair(text.as_bytes(), &["resourceSpans", "scopeSpans", "spans"]).unwrap();
        let t = String::from_utf8(r.text).unwrap();
        assert_eq!(t, r#"{"resourceSpans":[{"resource":{},"scopeSpans":[{"spans":[{"spanId":"1"}]}]}]}"#);
        assert_eq!(r.container, "`spans`");
        // Cut after a trace's spans, before its processes: the trace object is kept.
        let text = r#"{"data":[{"spans":[{"spanID":"1"}],"processes":{"p1":{"#;
        let r = repair(text.as_bytes(), &["spans"]).unwrap();
        assert_eq!(String::from_utf8(r.text).unwrap(), r#"{"data":[{"spans":[{"spanID":"1"}]}]}"#);
    }

    #[test]
    fn only_an_early_end_qualifies() {
        assert!(repaired(r#"[{"id":"1"}]"#).is_none());
        assert!(repaired(r#"[{"id":"1"}, x {"id":"2""#).is_none());
        assert!(repaired(r#"[{"id":"1"}] ["#).is_none());
        assert!(repaired("").is_none());
        assert!(repaired("nope").is_none());
    }
}
