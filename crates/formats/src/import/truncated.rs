//! Salvaging a JSON file that ends early (a cut download, a file stopped at a size limit).
//!
//! Importers parse with serde_json and fail on the early end like on any other error. Rather than
//! teach every importer to stop gracefully mid-value, [`import_bytes`](super::import_bytes) asks this
//! module, after an importer failed, whether the failure is an early end. If it is, a lexical scan
//! (strings and brackets only, no recursion) finds the outermost array still open at the end (the
//! OTLP `resourceSpans`, a Jaeger `data`, a Zipkin file's top-level array), cuts the text just after
//! its last complete element and closes the open brackets. That repaired prefix is imported again by
//! the same importer, so every rule of the format still applies and the partially written element is
//! simply absent. Only when serde_json itself says the input ended inside a value does this apply: a
//! syntax error earlier in the file stays an error.

use serde::de::IgnoredAny;
use spanlens_model::error::Position;

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
/// `spans`), else the outermost open array (a Jaeger `data` of traces, a Zipkin file's spans), else
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
    let open = scan(body)?;
    // The outermost open array holds the file's records; with none open (the cut came after it, in
    // a later key of the enclosing object), close the outermost object after its last member.
    let is_record = |c: &&Open| c.array && c.key.as_deref().is_some_and(|k| record_keys.contains(&k));
    let (depth, chosen) = (open.iter().enumerate().rev().find(|(_, c)| is_record(c)))
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
}

/// The containers still open at the end of `body`, outermost first; `None` when the first value
/// closes (the file is not cut, whatever else is wrong with it).
fn scan(body: &[u8]) -> Option<Vec<Open>> {
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
                stack.push(Open { array: b == b'[', open: i, last_end: None, key });
            }
            b'}' | b']' => {
                stack.pop();
                if stack.is_empty() {
                    return None;
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
