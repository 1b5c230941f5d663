//! The envelope scanner's own tests: items, nested items and skeletons at every chunk size.

#![allow(clippy::unwrap_used)]

use super::scan::{bytes_equal, find_quote_or_backslash};
use super::*;

const PATHS: &[&[&[u8]]] = &[&[b"data"], &[b"trace", b"batches"]];

fn run(text: &str, chunk: usize) -> (Vec<String>, Vec<String>, bool) {
    let bytes = text.as_bytes();
    let mut buf = Vec::new();
    let mut env = Envelope::new(PATHS, 0);
    let (mut items, mut skeletons) = (Vec::new(), Vec::new());
    for piece in bytes.chunks(chunk) {
        buf.extend_from_slice(piece);
        while let Some(e) = env.next(&buf) {
            match e {
                Event::Item(i) => items.push(String::from_utf8(buf[i.start..i.end].to_vec()).unwrap()),
                Event::DocumentEnd { .. } => skeletons.push(String::from_utf8(env.take_skeleton()).unwrap()),
                other => panic!("no nested key, yet {other:?}"),
            }
        }
    }
    (items, skeletons, env.complete())
}

#[test]
fn finds_items_and_keeps_the_envelope() {
    let text = r#"{"total":2,"data":[{"a":"}"},{"b":[1,{"c":"\"]"}]}],"errors":null}"#;
    for chunk in [1, 2, 7, 1000] {
        let (items, skel, done) = run(text, chunk);
        assert_eq!(items, vec![r#"{"a":"}"}"#, r#"{"b":[1,{"c":"\"]"}]}"#], "chunk {chunk}");
        assert_eq!(skel, vec![r#"{"total":2,"data":[],"errors":null}"#]);
        assert!(done);
    }
}

/// Items, sub-items and item skeletons (as `sub:` / `end:` strings), in order, for a nested scan;
/// the same whether object sub-items are scanned or offered to a reader that finds their end.
fn run_nested(text: &str, chunk: usize) -> (Vec<String>, Vec<String>, bool) {
    let scanned = run_nested_with(text, chunk, false);
    assert_eq!(run_nested_with(text, chunk, true), scanned, "offered sub-items, chunk {chunk}");
    scanned
}

fn run_nested_with(text: &str, chunk: usize, offer: bool) -> (Vec<String>, Vec<String>, bool) {
    let bytes = text.as_bytes();
    let mut buf = Vec::new();
    let mut env = Envelope::new(PATHS, 0).with_nested(Some(b"spans")).offering_sub_items(offer);
    let mut sub_read = 0;
    let (mut events, mut skeletons) = (Vec::new(), Vec::new());
    let text_of = |buf: &[u8], i: Item| String::from_utf8(buf[i.start..i.end].to_vec()).unwrap();
    let pieces: Vec<&[u8]> = bytes.chunks(chunk).collect();
    for (n, piece) in pieces.iter().enumerate() {
        let last = n + 1 == pieces.len();
        buf.extend_from_slice(piece);
        while let Some(e) = env.next(&buf) {
            match e {
                Event::Item(i) => events.push(format!("item {}: {}", i.index, text_of(&buf, i))),
                Event::SubItem(i) => {
                    events.push(format!("sub {}: {}", i.index, text_of(&buf, i)));
                    sub_read = i.index + 1;
                }
                Event::SubStart { start } => {
                    // A reader in place: here the scan itself, over what has arrived.
                    let (mut scan, mut at) = (ValueScan::default(), 0);
                    let mut one_line = true;
                    match scan_value(&mut scan, &buf[start..], &mut at, &mut one_line) {
                        ScanEnd::Done => {
                            events.push(format!(
                                "sub {sub_read}: {}",
                                text_of(&buf, Item { start, end: start + at, index: 0 })
                            ));
                            sub_read += 1;
                            env.sub_item_read(&buf, start + at);
                        }
                        _ if last => env.scan_sub_item(),
                        _ => break,
                    }
                }
                Event::ItemEnd { index, end } => {
                    sub_read = 0;
                    assert_eq!(buf[end - 1], b'}');
                    let skeleton = String::from_utf8(env.take_item_skeleton()).unwrap();
                    events.push(format!("end {index}: {skeleton}"));
                }
                Event::DocumentEnd { .. } => skeletons.push(String::from_utf8(env.take_skeleton()).unwrap()),
            }
        }
        // Dropping consumed bytes must not lose anything (the bounded policy does it).
        let keep = env.keep_from();
        if chunk == 3 {
            buf.drain(..keep);
            env.shift(keep);
        }
    }
    (events, skeletons, env.complete())
}

#[test]
fn nested_arrays_stream_inside_object_items() {
    let text = r#"{"data":[{"traceID":"t", "spans" : [ {"a":1} , {"b":"]}"} ],"processes":{"p1":{"spans":[1]}}},null,{"spans":null},{}],"total":1}"#;
    for chunk in [1, 2, 3, 7, 1000] {
        let (events, skel, done) = run_nested(text, chunk);
        assert_eq!(
            events,
            vec![
                r#"sub 0: {"a":1}"#,
                r#"sub 1: {"b":"]}"}"#,
                r#"end 0: {"traceID":"t", "spans" : [],"processes":{"p1":{"spans":[1]}}}"#,
                "item 1: null",
                r#"end 2: {"spans":null}"#,
                "end 3: {}",
            ],
            "chunk {chunk}"
        );
        assert_eq!(skel, vec![r#"{"data":[],"total":1}"#]);
        assert!(done);
    }
    let mut env = Envelope::new(PATHS, 0).with_nested(Some(b"spans"));
    let cut = br#"{"data":[{"spans":[{"a":1},{"#;
    while env.next(cut).is_some() {}
    assert_eq!(env.container(), "`data[0].spans`");
    assert!(!env.complete() && env.broken.is_none());
    let (_, _, done) = run_nested(r#"{"data":[{"spans":[1}]}"#, 4);
    assert!(!done, "a mismatched bracket breaks the scan");
}

#[test]
fn nested_paths_and_arrays() {
    let (items, skel, done) = run(r#"{"status":"ok", "trace" : { "batches" : [ {"x":1} ] } }"#, 3);
    assert_eq!(items, vec![r#"{"x":1}"#]);
    assert_eq!(skel, vec![r#"{"status":"ok", "trace" : { "batches" : [] } }"#]);
    assert!(done);
    let (items, skel, done) = run("[1,2]\n[3]", 1);
    assert!(items.is_empty());
    assert_eq!(skel, vec!["[1,2]", "[3]"]);
    assert!(done);
}

#[test]
fn swar_search_matches_a_byte_loop() {
    let text = br#"abcdefgh\ijklmnop"qrstuvwxyz0123456789"\"#;
    for start in 0..text.len() {
        let tail = &text[start..];
        let want = tail.iter().position(|&b| b == b'"' || b == b'\\');
        assert_eq!(find_quote_or_backslash(tail), want, "from {start}");
    }
    for b in 0..=255u8 {
        let word = u64::from_le_bytes([b, 0x22, b.wrapping_add(1), 0x5C, 0, 0xFF, 0x21, 0x23]);
        let hits = bytes_equal(word, b'"');
        let want = [b, 0x22, b.wrapping_add(1), 0x5C, 0, 0xFF, 0x21, 0x23].map(|x| x == b'"');
        for (k, w) in want.iter().enumerate() {
            assert_eq!(hits >> (8 * k + 7) & 1 == 1, *w, "byte {b:#x} at {k}");
        }
    }
}

#[test]
fn truncation_and_garbage() {
    let (items, _, done) = run(r#"{"data":[{"a":1},{"b""#, 4);
    assert_eq!(items.len(), 1);
    assert!(!done);
    let (_, _, done) = run(r#"{"data":[]} x"#, 4);
    assert!(!done);
    let deep = format!("{{\"data\":[{}{}]}}", "[".repeat(200), "]".repeat(200));
    let (_, _, done) = run(&deep, 50);
    assert!(!done);
}
