//! Links to a comparison: `/compare/<a>/<b>?a=<a's load>&b=<b's load>`. Each side names its load the
//! way a trace link does (`load=`, `url=` or `backend=`), nested as one parameter, so the two traces
//! may come from different sources and a shared link reloads both. Also links opening several
//! backend traces together: `/?backend=<name>&traces=<id>,<id>`.

use crate::state::LoadSelector;

/// Traces opened together at most: each is a fetch and a parse, and the list is for reading, not
/// for bulk export.
pub const MAX_OPEN_TOGETHER: usize = 20;

/// The comparison of two traces, given their trace-page links (`/trace/<hex>?<load>`).
pub fn compare_href(a_href: &str, b_href: &str) -> Option<String> {
    let (a_hex, a_query) = split_trace_href(a_href)?;
    let (b_hex, b_query) = split_trace_href(b_href)?;
    let mut params = Vec::new();
    if !a_query.is_empty() {
        params.push(format!("a={}", encode(a_query)));
    }
    if !b_query.is_empty() {
        params.push(format!("b={}", encode(b_query)));
    }
    let query = if params.is_empty() { String::new() } else { format!("?{}", params.join("&")) };
    Some(format!("/compare/{a_hex}/{b_hex}{query}"))
}

/// The trace link of one side (`a=`/`b=` already decoded by the router), for "open in the trace view".
pub fn side_trace_href(hex: &str, side_query: Option<&str>) -> String {
    match side_query.filter(|q| !q.is_empty()) {
        Some(q) => format!("/trace/{hex}?{q}"),
        None => format!("/trace/{hex}"),
    }
}

/// Which load one side names (`load=3`, `url=…`, `backend=…`); none of them means "any load".
pub fn side_selector(side_query: Option<&str>) -> LoadSelector {
    let mut selector = LoadSelector::default();
    for pair in side_query.unwrap_or_default().split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = decode(value);
        match key {
            "load" => selector.load = value.parse().ok(),
            "url" => selector.url = Some(value),
            "backend" => selector.backend = Some(value),
            _ => {}
        }
    }
    selector
}

/// The landing-page link that opens these backend traces together (`/?backend=…&traces=…`), given
/// their trace links (`/trace/<hex>?backend=<name>`). `None` unless every link names the same
/// backend: traces from files or URLs are listed already.
pub fn together_href(hrefs: &[&str]) -> Option<String> {
    let mut backend = None::<String>;
    let mut hexes = Vec::with_capacity(hrefs.len());
    for href in hrefs {
        let (hex, query) = split_trace_href(href)?;
        let selector = side_selector(Some(query));
        let name = selector.backend.filter(|_| selector.load.is_none() && selector.url.is_none())?;
        if backend.as_ref().is_some_and(|b| *b != name) {
            return None;
        }
        backend = Some(name);
        hexes.push(hex);
    }
    let backend = backend?;
    Some(format!("/?backend={}&traces={}", encode(&backend), hexes.join(",")))
}

/// The trace ids of a `traces=` value: lower-case hex, each once, at most [`MAX_OPEN_TOGETHER`];
/// also how many more were asked for (the page says they were left out). Anything not hex is
/// dropped.
pub fn together_ids(value: &str) -> (Vec<String>, usize) {
    let mut ids: Vec<String> = Vec::new();
    for id in value.split(',').map(|s| s.trim().to_ascii_lowercase()) {
        let is_hex = !id.is_empty() && id.len() <= 32 && id.bytes().all(|b| b.is_ascii_hexdigit());
        if is_hex && !ids.contains(&id) {
            ids.push(id);
        }
    }
    let extra = ids.len().saturating_sub(MAX_OPEN_TOGETHER);
    ids.truncate(MAX_OPEN_TOGETHER);
    (ids, extra)
}

fn split_trace_href(href: &str) -> Option<(&str, &str)> {
    let rest = href.strip_prefix("/trace/")?;
    let (hex, query) = rest.split_once('?').unwrap_or((rest, ""));
    (!hex.is_empty()).then_some((hex, query))
}

/// Percent-encoding of everything but unreserved characters, as `encodeURIComponent` does (pure Rust,
/// so that links are tested natively).
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Percent-decoding; a malformed escape is kept as written.
pub fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match escaped {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_name_both_loads_and_round_trip() {
        let href = compare_href("/trace/abc?load=3", "/trace/def?url=http%3A%2F%2Fx%2Fa.json").unwrap();
        assert_eq!(href, "/compare/abc/def?a=load%3D3&b=url%3Dhttp%253A%252F%252Fx%252Fa.json");
        // The router hands each side decoded once.
        let a = side_selector(Some("load=3"));
        assert_eq!(a.load, Some(3));
        let b = side_selector(Some("url=http%3A%2F%2Fx%2Fa.json"));
        assert_eq!(b.url.as_deref(), Some("http://x/a.json"));
        assert_eq!(side_selector(Some("backend=prod%20eu")).backend.as_deref(), Some("prod eu"));
        assert_eq!(side_selector(None), LoadSelector::default());
        assert_eq!(side_trace_href("abc", Some("load=3")), "/trace/abc?load=3");
        assert_eq!(side_trace_href("abc", None), "/trace/abc");
    }

    #[test]
    fn plain_links_and_bad_input() {
        assert_eq!(compare_href("/trace/a", "/trace/b").as_deref(), Some("/compare/a/b"));
        assert_eq!(compare_href("/nope", "/trace/b"), None);
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz%41"), "%zzA");
        assert_eq!(encode("a b&c"), "a%20b%26c");
    }

    #[test]
    fn backend_traces_open_together_from_one_backend_only() {
        let hrefs = ["/trace/abc?backend=prod%20eu", "/trace/def?backend=prod%20eu"];
        assert_eq!(together_href(&hrefs).as_deref(), Some("/?backend=prod%20eu&traces=abc,def"));
        assert_eq!(together_href(&["/trace/abc?backend=a", "/trace/def?backend=b"]), None);
        assert_eq!(together_href(&["/trace/abc?backend=a", "/trace/def?load=3"]), None);
        assert_eq!(together_href(&["/trace/abc?url=x.json"]), None);
        assert_eq!(together_href(&[]), None);
    }

    #[test]
    fn the_traces_value_is_cleaned_and_capped() {
        let (ids, extra) = together_ids(" ABC,abc,,not-hex,def ,");
        assert_eq!(ids, ["abc", "def"]);
        assert_eq!(extra, 0);
        let many: Vec<String> = (0..25).map(|i| format!("{i:x}")).collect();
        let (ids, extra) = together_ids(&many.join(","));
        assert_eq!(ids.len(), MAX_OPEN_TOGETHER);
        assert_eq!(extra, 5);
        assert_eq!(ids.first().map(String::as_str), Some("0"));
        assert_eq!(together_ids(&"a".repeat(33)).0.len(), 0);
    }
}
