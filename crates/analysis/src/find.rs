//! Find in trace: which spans match a typed query, and the mask for "hide non-matching".
//!
//! Semantics follow Jaeger UI's `uiFind`: the query splits into whitespace-separated terms (double
//! quotes keep a phrase together), each term is a case-insensitive substring, and a span matches when
//! **any** term matches its name, service, status message, span id (hex), trace id (hex, terms of 8+
//! digits only — a shorter hex term would match nearly every trace id and so every span), attribute
//! keys and values, event names and attributes, or its resource's service and attributes. A term
//! `key=value` matches an attribute whose key contains `key` and whose value contains `value`.
//!
//! Cost: each distinct interned string is tested against each term once; spans are then tested by
//! symbol membership in a bit set, so a million spans cost a few bit lookups each. Numbers are
//! formatted only when a term could match a number.

use crate::bitset::BitSet;
use serde::{Deserialize, Serialize};
use spanlens_model::{AnyValue, Attribute, Interner, Span, Sym, Trace, TraceSet, Tree};

/// A parsed find query. Terms are lower-cased.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindQuery {
    pub terms: Vec<Term>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Term {
    Text(String),
    KeyValue { key: String, value: String },
}

impl FindQuery {
    pub fn parse(text: &str) -> Self {
        let mut terms = Vec::new();
        let mut current = String::new();
        let mut quoted = false;
        let mut flush = |current: &mut String| {
            let word = std::mem::take(current).to_lowercase();
            if word.is_empty() {
                return;
            }
            let term = match word.split_once('=') {
                Some((k, v)) if !k.is_empty() && !v.is_empty() => {
                    Term::KeyValue { key: k.to_owned(), value: v.to_owned() }
                }
                _ => Term::Text(word),
            };
            terms.push(term);
        };
        for ch in text.chars() {
            match ch {
                '"' => {
                    if quoted {
                        flush(&mut current);
                    }
                    quoted = !quoted;
                }
                c if c.is_whitespace() && !quoted => flush(&mut current),
                c => current.push(c),
            }
        }
        flush(&mut current);
        FindQuery { terms }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
}

/// Case-insensitive substring test without allocating when the needle is ASCII (the usual case).
/// `needle` must already be lower-case.
pub fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    if needle.is_ascii() {
        let (h, n) = (haystack.as_bytes(), needle.as_bytes());
        return h.len() >= n.len() && h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n));
    }
    haystack.to_lowercase().contains(needle)
}

/// Needles for values: symbols that contain one of them, plus what is needed for non-string values.
struct Needles {
    syms: BitSet,
    texts: Vec<String>,
    numeric: bool,
    matches_true: bool,
    matches_false: bool,
}

impl Needles {
    fn new(strings: &Interner, texts: Vec<String>) -> Self {
        let mut syms = BitSet::new(strings.len());
        for (sym, s) in strings.iter() {
            if texts.iter().any(|t| contains_ignore_case(s, t)) {
                syms.insert(sym.index() as u32);
            }
        }
        let numeric = texts.iter().any(|t| t.chars().all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e')));
        let matches_true = texts.iter().any(|t| "true".contains(t.as_str()));
        let matches_false = texts.iter().any(|t| "false".contains(t.as_str()));
        Needles { syms, texts, numeric, matches_true, matches_false }
    }

    fn sym(&self, sym: Sym) -> bool {
        self.syms.contains(sym.index() as u32)
    }

    fn text(&self, text: &str) -> bool {
        self.texts.iter().any(|t| contains_ignore_case(text, t))
    }

    fn value(&self, value: &AnyValue, strings: &Interner) -> bool {
        match value {
            AnyValue::Str(s) => self.sym(*s),
            AnyValue::Bool(true) => self.matches_true,
            AnyValue::Bool(false) => self.matches_false,
            AnyValue::Int(i) => self.numeric && self.text(format_int(*i, &mut [0u8; 20])),
            AnyValue::Float(_) => self.numeric && self.text(&value.display(strings)),
            AnyValue::Empty => false,
            // Nested and binary values are rare; their display text is built iteratively.
            AnyValue::Bytes(_) | AnyValue::Array(_) | AnyValue::KvList(_) => self.text(&value.display(strings)),
        }
    }
}

/// Formats an integer into `buf` without allocating.
fn format_int(value: i64, buf: &mut [u8; 20]) -> &str {
    let mut n = value.unsigned_abs();
    let mut at = buf.len();
    loop {
        at -= 1;
        if let Some(b) = buf.get_mut(at) {
            *b = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || at == 0 {
            break;
        }
    }
    // i64::MIN has 19 digits, so the sign always fits.
    if value < 0 && at > 0 {
        at -= 1;
        if let Some(b) = buf.get_mut(at) {
            *b = b'-';
        }
    }
    std::str::from_utf8(buf.get(at..).unwrap_or(&[])).unwrap_or("")
}

fn hex16(value: u64, buf: &mut [u8; 16]) -> &str {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for (i, b) in buf.iter_mut().enumerate() {
        *b = DIGITS.get(((value >> (60 - 4 * i)) & 0xf) as usize).copied().unwrap_or(b'0');
    }
    std::str::from_utf8(buf).unwrap_or("")
}

struct KeyValue {
    keys: BitSet,
    values: Needles,
}

struct Matcher<'a> {
    strings: &'a Interner,
    text: Needles,
    hex: Vec<String>,
    kv: Vec<KeyValue>,
}

impl Matcher<'_> {
    fn attributes(&self, attrs: &[Attribute]) -> bool {
        attrs.iter().any(|a| {
            self.text.sym(a.key)
                || self.text.value(&a.value, self.strings)
                || self
                    .kv
                    .iter()
                    .any(|kv| kv.keys.contains(a.key.index() as u32) && kv.values.value(&a.value, self.strings))
        })
    }

    fn span(&self, span: &Span, resource_hit: bool) -> bool {
        resource_hit
            || self.text.sym(span.name)
            || self.text.sym(span.service)
            || span.status.message.is_some_and(|m| self.text.sym(m))
            || (!self.hex.is_empty() && {
                let mut buf = [0u8; 16];
                let id = hex16(span.span_id.0, &mut buf);
                self.hex.iter().any(|h| id.contains(h.as_str()))
            })
            || self.attributes(&span.attributes)
            || span.events.iter().any(|e| self.text.sym(e.name) || self.attributes(&e.attributes))
    }
}

/// Indices of the spans of `trace` matching `query`, ascending. Empty for an empty query.
pub fn find_spans(set: &TraceSet, trace: &Trace, query: &FindQuery) -> Vec<u32> {
    if query.is_empty() {
        return Vec::new();
    }
    let strings = &set.strings;
    let texts: Vec<String> = query
        .terms
        .iter()
        .filter_map(|t| match t {
            Term::Text(s) => Some(s.clone()),
            Term::KeyValue { .. } => None,
        })
        .collect();
    let hex: Vec<String> =
        texts.iter().filter(|t| t.len() <= 16 && t.bytes().all(|b| b.is_ascii_hexdigit())).cloned().collect();
    let trace_hex = trace.trace_id_hex();
    let trace_hit = texts
        .iter()
        .any(|t| t.len() >= 8 && t.bytes().all(|b| b.is_ascii_hexdigit()) && trace_hex.contains(t.as_str()));
    let kv = query
        .terms
        .iter()
        .filter_map(|t| match t {
            Term::KeyValue { key, value } => {
                let mut keys = BitSet::new(strings.len());
                for (sym, s) in strings.iter() {
                    if contains_ignore_case(s, key) {
                        keys.insert(sym.index() as u32);
                    }
                }
                Some(KeyValue { keys, values: Needles::new(strings, vec![value.clone()]) })
            }
            Term::Text(_) => None,
        })
        .collect();
    let matcher = Matcher { strings, text: Needles::new(strings, texts), hex, kv };
    if trace_hit {
        return (0..trace.spans.len() as u32).collect();
    }
    let resource_hits: Vec<bool> =
        set.resources.iter().map(|r| matcher.text.sym(r.service) || matcher.attributes(&r.attributes)).collect();
    trace
        .spans
        .iter()
        .enumerate()
        .filter(|(_, span)| matcher.span(span, resource_hits.get(span.resource.0 as usize).copied().unwrap_or(false)))
        .map(|(i, _)| i as u32)
        .collect()
}

/// Spans to show for "hide non-matching": the matches and all their ancestors. O(n): each walk up
/// stops at the first span already marked, so every span is marked once.
pub fn visible_with_ancestors(tree: &Tree, matches: &[u32]) -> BitSet {
    let mut shown = BitSet::new(tree.len());
    for &m in matches {
        let mut at = Some(m);
        while let Some(span) = at {
            if !shown.insert(span) {
                break;
            }
            at = tree.parent_of(span);
        }
    }
    shown
}

/// The `ViewState::hidden` (in spanlens-layout) mask for "hide non-matching": every span that is not a match.
/// Ancestors of matches stay on screen, dimmed, by the row layout's filter rule.
pub fn hide_non_matching(tree: &Tree, matches: &[u32]) -> BitSet {
    let mut hidden = BitSet::full(tree.len());
    for &m in matches {
        hidden.remove(m);
    }
    hidden
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{Val, build, chain, idx, s, trace};

    #[test]
    fn parses_terms_phrases_and_key_values() {
        let q = FindQuery::parse(r#"  Foo "Bar baz" http.status=500 =x "#);
        assert_eq!(
            q.terms,
            vec![
                Term::Text("foo".into()),
                Term::Text("bar baz".into()),
                Term::KeyValue { key: "http.status".into(), value: "500".into() },
                Term::Text("=x".into()),
            ]
        );
        assert!(FindQuery::parse("   ").is_empty());
    }

    #[test]
    fn matches_names_services_ids_and_attributes() {
        let set = build(&[
            s(0x1, 0, 0, 100).svc("Frontend").name("GET /cart"),
            s(0x2, 1, 10, 10).svc("cart").name("redis GET").attr("db.system", Val::Str("redis")),
            s(0xbeef, 1, 20, 10).svc("payments").name("charge").attr("http.status_code", Val::Int(503)),
            s(0x4, 0xbeef, 25, 1).svc("payments").name("Überweisung"),
        ]);
        let t = trace(&set);
        let ids = |q: &str| -> Vec<u64> {
            find_spans(&set, t, &FindQuery::parse(q)).iter().map(|&i| t.spans[i as usize].span_id.0).collect()
        };
        assert_eq!(ids("frontend"), vec![1]);
        assert_eq!(ids("get"), vec![1, 2]);
        assert_eq!(ids("REDIS"), vec![2]);
        assert_eq!(ids("503"), vec![0xbeef]);
        assert_eq!(ids("http.status_code=50"), vec![0xbeef]);
        assert_eq!(ids("db.system=503"), Vec::<u64>::new());
        assert_eq!(ids("beef"), vec![0xbeef]);
        assert_eq!(ids("überweisung"), vec![4]);
        assert_eq!(ids("charge frontend"), vec![1, 0xbeef], "terms are alternatives");
        assert_eq!(ids("nothing-like-this"), Vec::<u64>::new());
        assert_eq!(ids(&t.trace_id_hex()), vec![1, 2, 0xbeef, 4]);
        assert_eq!(ids(""), Vec::<u64>::new());
    }

    #[test]
    fn ancestors_and_hide_mask() {
        let set = build(&[s(1, 0, 0, 100), s(2, 1, 0, 10), s(3, 2, 0, 5), s(4, 1, 20, 10)]);
        let t = trace(&set);
        let shown = visible_with_ancestors(&t.tree, &[idx(&set, 3)]);
        assert_eq!(shown.count(), 3);
        assert!(!shown.contains(idx(&set, 4)));
        let hidden = hide_non_matching(&t.tree, &[idx(&set, 3)]);
        assert_eq!(hidden.count(), 3);
    }

    #[test]
    fn deep_chain_find_and_ancestors() {
        let n = 100_000u64;
        let set = chain(n);
        let t = trace(&set);
        let m = find_spans(&set, t, &FindQuery::parse(&format!("{:016x}", n)));
        assert_eq!(m, vec![idx(&set, n)]);
        assert_eq!(visible_with_ancestors(&t.tree, &m).count(), n as usize);
        assert_eq!(find_spans(&set, t, &FindQuery::parse("op")).len(), n as usize);
    }

    #[test]
    fn int_formatting() {
        let mut b = [0u8; 20];
        assert_eq!(format_int(0, &mut b), "0");
        assert_eq!(format_int(-42, &mut b), "-42");
        assert_eq!(format_int(i64::MIN, &mut b), "-9223372036854775808");
        assert_eq!(format_int(i64::MAX, &mut b), "9223372036854775807");
    }
}
